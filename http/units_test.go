package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func TestDispatchOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	status, body, _ := ts.call(t, "GET", "/api/v1/units?kind=anti_gang", ts.dispatcher, "")
	units := decode[struct{ Units []yaqaza.Unit }](t, body).Units
	if status != 200 || len(units) != 3 || units[0].CallSign != "BAG-1" {
		t.Fatalf("anti-gang units: %d %s", status, body)
	}
	bag := units[0].ID
	pos := fmt.Sprintf("/api/v1/units/%d/position", bag)
	if status, body, _ := ts.call(t, "POST", pos, ts.dispatcher, `{"lat":34.058,"lon":-4.985}`); status != 200 {
		t.Fatalf("position: %d %s", status, body)
	}
	for _, c := range []struct{ body, want string }{
		{`{"lat":34.02,"lon":-6.84}`, "outside the jurisdiction"},
		{`{"lat":"north"}`, "must be a number"},
	} {
		if status, body, _ := ts.call(t, "POST", pos, ts.dispatcher, c.body); status != 400 || !strings.Contains(body, c.want) {
			t.Errorf("position %s: %d %s", c.body, status, body)
		}
	}
	if status, _, _ := ts.call(t, "POST", "/api/v1/units/9999/status", ts.dispatcher, `{"status":"busy"}`); status != 404 {
		t.Errorf("status of an unknown unit: %d", status)
	}
	if status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/units/%d/status", bag), ts.dispatcher, `{"status":"on_scene"}`); status != 409 || !strings.Contains(body, "allowed next") {
		t.Errorf("on scene without an incident: %d %s", status, body)
	}
	r := submit(t, ts, `{"channel":"call","text":"x","location":{"lat":34.0617,"lon":-4.9836}}`)
	status, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations?k=3", r.IncidentID), ts.dispatcher, "")
	if status != 200 || !strings.Contains(body, `"eta_s"`) || !strings.Contains(body, `"reasons"`) {
		t.Fatalf("recommendations: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/assignments", r.IncidentID), ts.dispatcher, fmt.Sprintf(`{"units":[%d]}`, bag))
	if status != 200 || !strings.Contains(body, `"status":"dispatched"`) || !strings.Contains(body, `"owner":"unit:BAG-1"`) {
		t.Fatalf("assign: %d %s", status, body)
	}
	if status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/units/%d/status", bag), ts.dispatcher, `{"status":"en_route"}`); status != 200 {
		t.Fatalf("en route: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.dispatcher, "")
	inc := decode[yaqaza.Incident](t, body)
	if inc.Status != yaqaza.StatusEnRoute || len(inc.Assignments) != 1 || inc.Assignments[0].EnRouteAt == nil || inc.Deadline == nil {
		t.Fatalf("incident en route: %+v", inc)
	}
	if status, body, _ := ts.call(t, "PUT", "/api/v1/sla", ts.admin, `{"deadlines":{"P1":{"acknowledged":"-1m"}},"escalate_after":"15m"}`); status != 400 {
		t.Errorf("a negative deadline: %d %s", status, body)
	}
	if status, body, _ := ts.call(t, "PUT", "/api/v1/sla", ts.admin, `{"deadlines":{},"escalate_after":"soon"}`); status != 400 || !strings.Contains(body, "duration") {
		t.Errorf("a malformed duration: %d %s", status, body)
	}
}
