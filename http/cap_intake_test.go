package http_test

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// referral is an alert from the Royal Gendarmerie's regional centre about
// a stolen van heading into Agdal.
const referral = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>GR-FES-2026-00417</identifier>
  <sender>centre-regional@gendarmerie.example.ma</sender>
  <sent>2026-03-14T21:40:00+01:00</sent>
  <status>Actual</status>
  <msgType>Alert</msgType>
  <scope>Restricted</scope>
  <restriction>Police et gendarmerie</restriction>
  <info>
    <language>fr-MA</language>
    <category>Security</category>
    <event>Vol de véhicule</event>
    <urgency>Immediate</urgency>
    <severity>Moderate</severity>
    <certainty>Observed</certainty>
    <onset>2026-03-14T21:15:00+01:00</onset>
    <headline>Camionnette volée en fuite vers Agdal</headline>
    <description>Une camionnette blanche volée à Ain Chkef se dirige vers l'avenue Hassan II.</description>
    <area>
      <areaDesc>Avenue Hassan II, Agdal</areaDesc>
      <polygon>34.028,-5.002 34.028,-4.998 34.032,-4.998 34.032,-5.002 34.028,-5.002</polygon>
    </area>
  </info>
</alert>`

// countIncidents counts the incidents in the store through the API.
func (ts *testServer) countIncidents(t *testing.T) int {
	t.Helper()
	status, body, _ := ts.call(t, "GET", "/api/v1/incidents?limit=500", ts.admin, "")
	if status != 200 {
		t.Fatalf("list: %d %s", status, body)
	}
	return len(decode[yaqaza.IncidentPage](t, body).Incidents)
}

func TestCAPIntake(t *testing.T) {
	ts := newTestServer(t)
	status, body, h := ts.call(t, "POST", "/api/v1/reports/cap", ts.taker, referral, "Content-Type", "application/cap+xml")
	if status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	r := decode[receipt](t, body)
	if r.ReportID == 0 || r.IncidentID == 0 || h.Get("Location") != fmt.Sprintf("/api/v1/reports/%d", r.ReportID) {
		t.Fatalf("receipt %s, Location %q", body, h.Get("Location"))
	}
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/reports/%d", r.ReportID), ts.dispatcher, "")
	rep := decode[yaqaza.Report](t, body)
	if rep.Channel != yaqaza.ChannelAgency || rep.ExternalID != "centre-regional@gendarmerie.example.ma,GR-FES-2026-00417" ||
		rep.Language != "fr" || rep.Place != "Avenue Hassan II, Agdal" || !strings.HasPrefix(rep.Text, "Vol de véhicule\nCamionnette volée") ||
		rep.OccurredAt == nil || rep.OccurredAt.UTC().Format("15:04") != "20:15" || rep.Reporter != nil {
		t.Errorf("report = %s", body)
	}
	if rep.Location == nil || math.Abs(rep.Location.Lat-34.03) > 1e-9 || math.Abs(rep.Location.Lon+5.0) > 1e-9 {
		t.Errorf("location %+v, want the polygon's centroid", rep.Location)
	}
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.dispatcher, "")
	if !strings.Contains(body, `"zone":"`+agdal+`"`) {
		t.Errorf("the incident is not placed in Agdal: %s", body)
	}
	// The same alert again: the first receipt, nothing written.
	first := body
	status, again, h := ts.call(t, "POST", "/api/v1/reports/cap", ts.taker, referral)
	if status != 201 || h.Get("Idempotent-Replayed") != "true" || decode[receipt](t, again) != r {
		t.Fatalf("resubmit: %d %s (replayed %q)", status, again, h.Get("Idempotent-Replayed"))
	}
	if n := ts.countReports(t); n != 1 {
		t.Fatalf("%d reports after the same alert twice, want 1", n)
	}
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.dispatcher, "")
	if body != first {
		t.Errorf("the replay changed the incident")
	}
	// An update from another agency, with a circle: its own report.
	circle := strings.NewReplacer("GR-FES-2026-00417", "PC-91", "centre-regional@gendarmerie.example.ma", "alerte@protection-civile.example.ma",
		"<msgType>Alert</msgType>", "<msgType>Update</msgType><references>alerte@protection-civile.example.ma,PC-90,2026-03-14T21:00:00+01:00</references>",
		"<polygon>34.028,-5.002 34.028,-4.998 34.032,-4.998 34.032,-5.002 34.028,-5.002</polygon>", "<circle>34.0617,-4.9836 0.3</circle>").Replace(referral)
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/cap", ts.taker, circle)
	if status != 201 {
		t.Fatalf("update: %d %s", status, body)
	}
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/reports/%d", decode[receipt](t, body).ReportID), ts.dispatcher, "")
	if rep := decode[yaqaza.Report](t, body); rep.Location == nil || *rep.Location != (yaqaza.Point{Lat: 34.0617, Lon: -4.9836}) {
		t.Errorf("circle report = %s", body)
	}
	// An agency still on CAP 1.1: read as well.
	older := strings.NewReplacer("cap:1.2", "cap:1.1", "GR-FES-2026-00417", "GR-FES-2026-00418").Replace(referral)
	if status, body, _ = ts.call(t, "POST", "/api/v1/reports/cap", ts.taker, older); status != 201 {
		t.Fatalf("a CAP 1.1 alert: %d %s", status, body)
	}
}

// TestCAPIntakeRefusals sends broken, foreign and unauthorised alerts:
// each is refused with a status and a message that names the problem, and
// the store is unchanged.
func TestCAPIntakeRefusals(t *testing.T) {
	ts := newTestServer(t)
	submit(t, ts, `{"channel":"call","text":"appel","location":`+medinaPoint+`}`)
	incidents, reports := ts.countIncidents(t), ts.countReports(t)
	replace := func(old, new string) string {
		if !strings.Contains(referral, old) {
			t.Fatalf("the referral has no %q", old)
		}
		return strings.Replace(referral, old, new, 1)
	}
	_, head, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "head", Role: yaqaza.RoleDistrictHead, Zones: []string{agdal}})
	for _, c := range []struct {
		name, token, body string
		status            int
		code, mention     string
	}{
		{"empty", ts.taker, "", 400, "invalid", "empty"},
		{"JSON", ts.taker, `{"channel":"agency","text":"x"}`, 400, "invalid", "not XML"},
		{"truncated", ts.taker, referral[:300], 400, "invalid", "malformed XML"},
		{"CAP 1.0", ts.taker, replace("cap:1.2", "cap:1.0"), 400, "invalid", "and 1.1 are accepted"},
		{"no namespace", ts.taker, replace(` xmlns="urn:oasis:names:tc:emergency:cap:1.2"`, ""), 400, "invalid", "not the CAP 1.2 namespace"},
		{"no identifier", ts.taker, replace("<identifier>GR-FES-2026-00417</identifier>", ""), 400, "invalid", "<identifier>"},
		{"no sender", ts.taker, replace("<sender>centre-regional@gendarmerie.example.ma</sender>", ""), 400, "invalid", "<sender>"},
		{"no sent", ts.taker, replace("<sent>2026-03-14T21:40:00+01:00</sent>", ""), 400, "invalid", "<sent>"},
		{"no info", ts.taker, referral[:strings.Index(referral, "<info>")] + "</alert>", 400, "invalid", "no <info>"},
		{"Z", ts.taker, replace("2026-03-14T21:40:00+01:00", "2026-03-14T20:40:00Z"), 400, "invalid", "letter Z"},
		{"fraction", ts.taker, replace("21:15:00+01:00", "21:15:00.5+01:00"), 400, "invalid", "fractions"},
		{"open polygon", ts.taker, replace("34.032,-5.002 34.028,-5.002<", "34.032,-5.002 34.029,-5.002<"), 400, "invalid", "must be closed"},
		{"polygon pair", ts.taker, replace("34.028,-4.998", "34.028 -4.998"), 400, "invalid", "not a lat,lon pair"},
		{"DTD", ts.taker, replace(`<?xml version="1.0" encoding="UTF-8"?>`, `<!DOCTYPE alert [<!ENTITY e SYSTEM "file:///etc/passwd">]>`), 400, "invalid", "DTD"},
		{"exercise", ts.taker, replace("<status>Actual</status>", "<status>Exercise</status>"), 400, "invalid", "only Actual"},
		{"cancel", ts.taker, replace("<msgType>Alert</msgType>", "<msgType>Cancel</msgType><references>centre-regional@gendarmerie.example.ma,GR-1,2026-03-14T21:00:00+01:00</references>"), 400, "invalid", "an operator cancels"},
		{"too large", ts.taker, replace("<description>", "<description>"+strings.Repeat("x", 1<<20)), 413, "too_large", "1 MiB"},
		{"anonymous", "", referral, 401, "unauthorized", "credential"},
		{"bad token", "yqz_nottoken", referral, 401, "unauthorized", "not known"},
		{"admin", ts.admin, referral, 403, "forbidden", "may not"},
		{"district head", head, referral, 403, "forbidden", "may not"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := ts.call(t, "POST", "/api/v1/reports/cap", c.token, c.body)
			e := decode[apiError](t, body)
			if status != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.mention) {
				t.Fatalf("got %d %s, want %d %s mentioning %q", status, body, c.status, c.code, c.mention)
			}
		})
	}
	if i, r := ts.countIncidents(t), ts.countReports(t); i != incidents || r != reports {
		t.Fatalf("refused alerts changed the store: %d incidents, %d reports (were %d, %d)", i, r, incidents, reports)
	}
}
