package http_test

import (
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// An admin adds a category and changes one through the API; bad input and
// other roles are refused and change nothing.
func TestSaveCategory(t *testing.T) {
	ts := newTestServer(t)
	list := func() []yaqaza.Category {
		_, body, _ := ts.call(t, "GET", "/api/v1/categories", "", "")
		return decode[struct {
			Categories []yaqaza.Category `json:"categories"`
		}](t, body).Categories
	}
	before := list()
	status, body, _ := ts.call(t, "PUT", "/api/v1/categories/stray_animals", ts.admin,
		`{"names":{"ar":"حيوانات ضالة","fr":"Animaux errants","en":"Stray animals"},"priority":"P4"}`)
	if status != 201 || !strings.Contains(body, `"code":"stray_animals"`) {
		t.Fatalf("adding: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "PUT", "/api/v1/categories/stray_animals", ts.admin,
		`{"code":"stray_animals","names":{"ar":"حيوانات ضالة","fr":"Animaux errants","en":"Stray animals"},"priority":"P3"}`)
	if status != 200 {
		t.Fatalf("changing: %d %s", status, body)
	}
	after := list()
	if len(after) != len(before)+1 || after[len(after)-1].Priority != yaqaza.P3 {
		t.Fatalf("categories after: %+v", after[len(after)-1])
	}
	for _, c := range []struct {
		token, path, body string
		status            int
		mention           string
	}{
		{ts.admin, "/api/v1/categories/noise", `{"code":"bruit","names":{"ar":"ض","fr":"B","en":"N"},"priority":"P4"}`, 400, "is not the path's"},
		{ts.admin, "/api/v1/categories/Noise", `{"names":{"ar":"ض","fr":"B","en":"N"},"priority":"P4"}`, 400, "lower-case"},
		{ts.admin, "/api/v1/categories/noise", `{"names":{"ar":"ض","fr":"B"},"priority":"P4"}`, 400, "English name is empty"},
		{ts.admin, "/api/v1/categories/noise", `{"names":{"ar":"ض","fr":"B","en":"N"}}`, 400, "priority"},
		{ts.dispatcher, "/api/v1/categories/noise", `{"names":{"ar":"ض","fr":"B","en":"N"},"priority":"P4"}`, 403, "may not"},
		{"", "/api/v1/categories/noise", `{"names":{"ar":"ض","fr":"B","en":"N"},"priority":"P4"}`, 401, "credential"},
	} {
		status, body, _ := ts.call(t, "PUT", c.path, c.token, c.body)
		if e := decode[apiError](t, body); status != c.status || !strings.Contains(e.Error.Message, c.mention) {
			t.Errorf("PUT %s %s: %d %s, want %d mentioning %q", c.path, c.body, status, body, c.status, c.mention)
		}
	}
	if n := len(list()); n != len(after) {
		t.Errorf("refused saves changed the list: %d categories, want %d", n, len(after))
	}
}
