package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func TestTriageOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	// The test server triages with points only: every report opens an
	// incident; corrections, splits and the gazetteer work the same.
	r := submit(t, ts, `{"channel":"call","text":"عافاكم جيو كاين مشكل","location":{"lat":34.03,"lon":-5.0}}`)
	path := fmt.Sprintf("/api/v1/incidents/%d/triage", r.IncidentID)
	for _, c := range []struct {
		body, want string
		status     int
	}{
		{`{}`, "at least one", 400},
		{`{"category":"piracy"}`, "not one of the jurisdiction", 400},
		{`{"priority":"P9"}`, "P1, P2, P3, P4", 400},
		{`{"catgory":"armed"}`, "unknown field", 400},
		{`{"category":"armed","priority":"P1","reason":"knife seen on the video"}`, `"category":"armed"`, 200},
	} {
		status, body, _ := ts.call(t, "POST", path, ts.taker, c.body)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d %s", c.body, status, body)
		}
	}
	if status, _, _ := ts.call(t, "POST", path, "", `{"category":"armed"}`); status != 401 {
		t.Errorf("anonymous correction: %d", status)
	}
	status, body, _ := ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.taker, "")
	inc := decode[yaqaza.Incident](t, body)
	if status != 200 || inc.Priority != yaqaza.P1 || inc.Timeline[len(inc.Timeline)-1].Kind != yaqaza.EventTriageCorrected {
		t.Fatalf("after correction: %d %+v", status, inc)
	}
	status, body, _ = ts.call(t, "POST", fmt.Sprintf("/api/v1/reports/%d/split", r.ReportID), ts.taker, `{"reason":"x"}`)
	if status != 409 || !strings.Contains(body, "only report") {
		t.Errorf("splitting the only report: %d %s", status, body)
	}
	place := `{"name":"Souk Bensouda","aliases":["سوق بنسودة"],"zone":"03.231.01.13","point":{"lat":34.02,"lon":-5.04}}`
	if status, body, _ := ts.call(t, "POST", "/api/v1/places", ts.taker, place); status != 403 {
		t.Errorf("a call-taker extending the gazetteer: %d %s", status, body)
	}
	if status, body, _ := ts.call(t, "POST", "/api/v1/places", ts.admin, place); status != 201 {
		t.Errorf("an admin extending the gazetteer: %d %s", status, body)
	}
	if status, body, _ := ts.call(t, "POST", "/api/v1/places", ts.admin, `{"name":"Nowhere","zone":"00"}`); status != 400 {
		t.Errorf("a place in an unknown zone: %d %s", status, body)
	}
}
