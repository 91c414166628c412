package http_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The field plan through the API: the command adds a directive, units
// read it, the command withdraws it; bad directives are refused naming the
// field.
func TestFieldPlanAPI(t *testing.T) {
	ts := newTestServer(t)
	_, command, err := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "cmd", Role: yaqaza.RoleCommand})
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(12 * time.Hour).UTC().Format(time.RFC3339)
	status, body, _ := ts.call(t, "POST", "/api/v1/plan", command,
		`{"center":`+medinaPoint+`,"radius_m":300,"place":"Bab Boujloud","until":"`+until+`","instruction":"Présence visible à pied"}`)
	if status != 201 {
		t.Fatalf("adding a directive: %d %s", status, body)
	}
	d := decode[yaqaza.Directive](t, body)
	if d.Zone != "03.231.01.07" || d.CreatedBy != "cmd" {
		t.Errorf("the directive: %s", body)
	}
	status, body, _ = ts.call(t, "GET", "/api/v1/plan", ts.dispatcher, "")
	if status != 200 || !strings.Contains(body, `"instruction":"Présence visible à pied"`) {
		t.Fatalf("the dispatcher's plan: %d %s", status, body)
	}
	for _, c := range []struct{ body, mention string }{
		{`{"radius_m":300,"until":"` + until + `","instruction":"x"}`, "needs a center"},
		{`{"center":` + medinaPoint + `,"radius_m":5,"until":"` + until + `","instruction":"x"}`, "radius"},
		{`{"center":` + medinaPoint + `,"radius_m":300,"until":"demain","instruction":"x"}`, `"demain" is not in RFC 3339 form`},
		{`{"center":{"lat":33.57,"lon":-7.59},"radius_m":300,"until":"` + until + `","instruction":"x"}`, "not in any zone"},
	} {
		status, body, _ := ts.call(t, "POST", "/api/v1/plan", command, c.body)
		if e := decode[apiError](t, body); status != 400 || !strings.Contains(e.Error.Message, c.mention) {
			t.Errorf("%s: %d %s, want 400 mentioning %q", c.body, status, body, c.mention)
		}
	}
	if status, body, _ := ts.call(t, "GET", "/api/v1/plan?at=tonight", command, ""); status != 400 {
		t.Errorf("?at=tonight: %d %s", status, body)
	}
	if status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/plan/%d/withdraw", d.ID), command, ""); status != 200 {
		t.Fatalf("withdrawing: %d %s", status, body)
	}
	if _, body, _ := ts.call(t, "GET", "/api/v1/plan", ts.dispatcher, ""); !strings.Contains(body, `"directives":[]`) {
		t.Errorf("the plan after withdrawing: %s", body)
	}
}
