package http_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func submit(t *testing.T, ts *testServer, body string) receipt {
	t.Helper()
	status, resp, _ := ts.call(t, "POST", "/api/v1/reports", ts.taker, body)
	if status != 201 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	return decode[receipt](t, resp)
}

func TestIncidentLifecycleOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	r := submit(t, ts, `{"channel":"call","text":"Agression au couteau, rue Talaa Seghira","location":{"lat":34.0617,"lon":-4.9836}}`)
	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", r.IncidentID)
	steps := []string{"triaged", "dispatched", "en_route", "on_scene"}
	for i, to := range steps {
		status, body, _ := ts.call(t, "POST", path, ts.taker, fmt.Sprintf(`{"to":%q,"version":%d}`, to, i+1))
		if status != 200 || !strings.Contains(body, `"status":"`+to+`"`) {
			t.Fatalf("→ %s: %d %s", to, status, body)
		}
	}
	// Illegal: on_scene → closed. 409, names what is allowed, changes nothing.
	status, body, _ := ts.call(t, "POST", path, ts.taker, `{"to":"closed"}`)
	e := decode[apiError](t, body)
	if status != 409 || e.Error.Code != "conflict" || !strings.Contains(e.Error.Message, "allowed next: resolved, referred") {
		t.Fatalf("illegal transition: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "POST", path, ts.taker, `{"to":"triaged","version":2}`)
	if status != 409 || !strings.Contains(body, "changed by someone else") {
		t.Fatalf("stale version: %d %s", status, body)
	}
	for _, c := range []struct{ body, mention string }{
		{`{"to":"cancelled"}`, "reason"},
		{`{"to":"nowhere"}`, "unknown status"},
		{`{"status":"resolved"}`, "unknown field"},
		{`{"to":`, "malformed"},
	} {
		status, body, _ = ts.call(t, "POST", path, ts.taker, c.body)
		if status != 400 || !strings.Contains(body, c.mention) {
			t.Errorf("%s: %d %s", c.body, status, body)
		}
	}
	status, body, _ = ts.call(t, "POST", path, ts.taker, `{"to":"resolved","public_message":"Le suspect a été interpellé."}`)
	if status != 200 {
		t.Fatalf("resolve: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.taker, "")
	inc := decode[yaqaza.Incident](t, body)
	if inc.Status != yaqaza.StatusResolved || len(inc.Timeline) != 7 || inc.Timeline[5].ActorName != "desk-3" || inc.Timeline[6].Kind != yaqaza.EventReportersTold || len(inc.Reports) != 1 {
		t.Fatalf("incident after resolve: %+v", inc)
	}
	// The reporter sees the public message, in English.
	status, body, _ = ts.call(t, "GET", "/api/v1/track/"+r.TrackingCode+"?lang=en", "", "")
	if status != 200 || !strings.Contains(body, "Report handled") || !strings.Contains(body, "interpellé") || strings.Contains(body, "Talaa") {
		t.Fatalf("tracking after resolve: %d %s", status, body)
	}
}

func TestListIncidentsOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	points := []string{`{"lat":34.0617,"lon":-4.9836}`, `{"lat":34.03,"lon":-5.0}`}
	for i := 0; i < 7; i++ {
		submit(t, ts, fmt.Sprintf(`{"channel":"call","text":"appel numéro %d","location":%s}`, i, points[i%2]))
	}
	status, body, _ := ts.call(t, "GET", "/api/v1/incidents?zone=03.231.01.07&status=new,triaged&priority=P3&limit=2", ts.taker, "")
	page := decode[yaqaza.IncidentPage](t, body)
	if status != 200 || len(page.Incidents) != 2 || page.NextCursor == "" {
		t.Fatalf("first page: %d %s", status, body)
	}
	seen := 2
	for page.NextCursor != "" {
		status, body, _ = ts.call(t, "GET", "/api/v1/incidents?zone=03.231.01.07&limit=2&cursor="+page.NextCursor, ts.taker, "")
		page = decode[yaqaza.IncidentPage](t, body)
		seen += len(page.Incidents)
	}
	if seen != 4 {
		t.Fatalf("Médina has %d incidents over the pages, want 4", seen)
	}
	status, body, _ = ts.call(t, "GET", "/api/v1/incidents?q=num%C3%A9ro%205", ts.taker, "")
	if page = decode[yaqaza.IncidentPage](t, body); len(page.Incidents) != 1 {
		t.Fatalf("text search: %s", body)
	}
	for _, q := range []string{"priority=P9", "from=yesterday", "limit=-1", "limit=100000", "cursor=zzz", "status=lost"} {
		if status, body, _ := ts.call(t, "GET", "/api/v1/incidents?"+q, ts.taker, ""); status != 400 {
			t.Errorf("?%s: %d %s", q, status, body)
		}
	}
	if status, _, _ := ts.call(t, "GET", "/api/v1/incidents", "", ""); status != 401 {
		t.Errorf("anonymous list: %d", status)
	}
	if status, body, _ := ts.call(t, "GET", "/api/v1/incidents/99999", ts.taker, ""); status != 404 || !strings.Contains(body, "not found") {
		t.Errorf("unknown incident: %d %s", status, body)
	}
	if status, _, _ := ts.call(t, "GET", "/api/v1/incidents/abc", ts.taker, ""); status != 404 {
		t.Errorf("non-numeric id: %d", status)
	}
}

func TestTrackingErrors(t *testing.T) {
	ts := newTestServer(t)
	r := submit(t, ts, `{"channel":"call","text":"x"}`)
	typo := []byte(r.TrackingCode)
	if typo[2] == 'A' {
		typo[2] = 'B'
	} else {
		typo[2] = 'A'
	}
	status, body, _ := ts.call(t, "GET", "/api/v1/track/"+string(typo), "", "")
	if e := decode[apiError](t, body); status != 404 || !strings.Contains(e.Error.Message, "mistyped") {
		t.Fatalf("mistyped: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "GET", "/api/v1/track/"+ts.db.TrackingCode(r.ReportID+50), "", "")
	if e := decode[apiError](t, body); status != 404 || !strings.Contains(e.Error.Message, "unknown") {
		t.Fatalf("unknown: %d %s", status, body)
	}
}

func TestOperations(t *testing.T) {
	ts := newTestServer(t)
	submit(t, ts, `{"channel":"call","text":"x"}`)
	for _, c := range []struct{ path, want string }{
		{"/healthz", "ok"},
		{"/readyz", "ready"},
		{"/metrics", `yaqaza_reports_received_total{channel="call",outcome="created"} 1`},
		{"/metrics", "yaqaza_intake_duration_seconds_bucket"},
		{"/metrics", "yaqaza_commit_batch_size_count 1"},
		{"/api/v1/zones", `"population":49775`},
		{"/api/v1/zones", "OpenStreetMap"},
		{"/api/v1/categories", `"armed"`},
	} {
		status, body, _ := ts.call(t, "GET", c.path, "", "")
		if status != 200 || !strings.Contains(body, c.want) {
			t.Errorf("%s: %d, want %q in:\n%.400s", c.path, status, c.want, body)
		}
	}
	status, body, _ := ts.call(t, "GET", "/api/v1/nothing", "", "")
	if e := decode[apiError](t, body); status != 404 || e.Error.Code != "not_found" {
		t.Errorf("unknown endpoint: %d %s", status, body)
	}
	// After the store closes, the node says it is not ready.
	ts.db.Close()
	if status, body, _ := ts.call(t, "GET", "/readyz", "", ""); status != 503 {
		t.Errorf("readyz with a closed store: %d %s", status, body)
	}
}
