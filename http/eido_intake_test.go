package http_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// partnerEIDO is the civil protection PSAP's EIDO about a fight outside
// Bab Boujloud, with a note in HTML, a call, and the scene as PIDF-LO.
const partnerEIDO = `{
  "$id": "urn:emergency:uid:incidentid:pc-5531:psap.protection-civile.example.ma",
  "lastUpdateTimeStamp": "2026-03-14T21:42:10.250+01:00",
  "updatedByAgencyReference": {"$ref": "psap.protection-civile.example.ma"},
  "eidoVersion": "1.0",
  "issuingElementIdentification": "cad.protection-civile.example.ma",
  "agencyComponent": [{"$id": "psap.protection-civile.example.ma", "lastUpdateTimeStamp": "2026-03-14T21:40:00+01:00",
    "updatedByAgencyReference": {"$ref": "psap.protection-civile.example.ma"},
    "agencyRoleDescriptionRegistryText": ["CallReceiving"], "agencyType": ["fire", "ems"]}],
  "incidentComponent": {"$id": "pc-5531:incident", "lastUpdateTimeStamp": "2026-03-14T21:42:10+01:00",
    "updatedByAgencyReference": {"$ref": "psap.protection-civile.example.ma"},
    "incidentTypeCommonRegistryText": "Assault", "incidentTypeInternalText": "Rixe avec blessé",
    "locationReference": [{"$ref": "pc-5531:scene"}], "notesReference": [{"$ref": "pc-5531:note"}]},
  "callComponent": [{"$id": "urn:emergency:uid:callid:88412:psap.protection-civile.example.ma",
    "lastUpdateTimeStamp": "2026-03-14T21:31:00+01:00", "updatedByAgencyReference": {"$ref": "psap.protection-civile.example.ma"},
    "standardPrimaryCallType": "emergency", "direction": "incoming", "callStartTimestamp": "2026-03-14T21:29:45+01:00",
    "callStateRegistryText": "callEnd"}],
  "notesComponent": [{"$id": "pc-5531:note", "lastUpdateTimeStamp": "2026-03-14T21:31:00+01:00",
    "updatedByAgencyReference": {"$ref": "psap.protection-civile.example.ma"},
    "notesActionComments": "<p>Deux hommes se battent devant Bab Boujloud.</p><p>L&#39;un est blessé.</p>"}],
  "locationComponent": [{"$id": "pc-5531:scene", "lastUpdateTimeStamp": "2026-03-14T21:31:00+01:00",
    "updatedByAgencyReference": {"$ref": "psap.protection-civile.example.ma"},
    "locationTypeDescriptionRegistryText": "CurrentIncident", "locationDescriptionText": "Bab Boujloud",
    "locationByValue": "<presence xmlns=\"urn:ietf:params:xml:ns:pidf\" xmlns:gml=\"http://www.opengis.net/gml\" entity=\"pres:scene@pc.example.ma\"><tuple id=\"t\"><status><location-info xmlns=\"urn:ietf:params:xml:ns:pidf:geopriv10\"><gml:Point srsName=\"urn:ogc:def:crs:EPSG::4326\"><gml:pos>34.0617 -4.9836</gml:pos></gml:Point></location-info></status></tuple></presence>"}]
}`

func TestEIDOIntake(t *testing.T) {
	ts := newTestServer(t)
	status, body, h := ts.call(t, "POST", "/api/v1/reports/eido", ts.taker, partnerEIDO, "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("submit: %d %s", status, body)
	}
	r := decode[receipt](t, body)
	if r.ReportID == 0 || h.Get("Location") != fmt.Sprintf("/api/v1/reports/%d", r.ReportID) {
		t.Fatalf("receipt %s", body)
	}
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/reports/%d", r.ReportID), ts.dispatcher, "")
	rep := decode[yaqaza.Report](t, body)
	if rep.Channel != yaqaza.ChannelAgency || rep.ExternalID != "eido:urn:emergency:uid:incidentid:pc-5531:psap.protection-civile.example.ma" ||
		rep.Text != "Rixe avec blessé — Assault\nDeux hommes se battent devant Bab Boujloud.\nL'un est blessé." ||
		rep.Location == nil || *rep.Location != (yaqaza.Point{Lat: 34.0617, Lon: -4.9836}) || rep.Place != "Bab Boujloud" ||
		rep.OccurredAt == nil || rep.OccurredAt.UTC().Format("15:04:05") != "20:29:45" {
		t.Errorf("report = %s", body)
	}
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.dispatcher, "")
	if !strings.Contains(body, `"zone":"`+medina+`"`) {
		t.Errorf("the incident is not placed in Fès-Médina: %s", body)
	}
	status, again, h := ts.call(t, "POST", "/api/v1/reports/eido", ts.taker, partnerEIDO)
	if status != 201 || h.Get("Idempotent-Replayed") != "true" || decode[receipt](t, again) != r {
		t.Fatalf("resubmit: %d %s", status, again)
	}
	if n := ts.countReports(t); n != 1 {
		t.Fatalf("%d reports after the same EIDO twice, want 1", n)
	}
	// An EIDO the prefecture wrote is one another Yaqaza takes in.
	_, own, _ := ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d/eido", r.IncidentID), ts.dispatcher, "")
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/eido", ts.taker, own)
	if status != 201 || decode[receipt](t, body).ReportID == r.ReportID {
		t.Errorf("our own EIDO as a partner's: %d %s", status, body)
	}
}

// TestEIDOIntakeRefusals: each broken or unauthorised EIDO is refused
// with a message naming the problem, and the store is unchanged.
func TestEIDOIntakeRefusals(t *testing.T) {
	ts := newTestServer(t)
	submit(t, ts, `{"channel":"call","text":"appel","location":`+medinaPoint+`}`)
	incidents, reports := ts.countIncidents(t), ts.countReports(t)
	replace := func(old, new string) string {
		if !strings.Contains(partnerEIDO, old) {
			t.Fatalf("the EIDO has no %q", old)
		}
		return strings.Replace(partnerEIDO, old, new, 1)
	}
	for _, c := range []struct {
		name, token, body string
		status            int
		code, mention     string
	}{
		{"empty", ts.taker, "", 400, "invalid", "empty"},
		{"XML", ts.taker, "<alert/>", 400, "invalid", "malformed JSON"},
		{"array", ts.taker, "[" + partnerEIDO + "]", 400, "invalid", "JSON object"},
		{"truncated", ts.taker, partnerEIDO[:400], 400, "invalid", "ends before"},
		{"no $id", ts.taker, replace(`"$id": "urn:emergency:uid:incidentid:pc-5531:psap.protection-civile.example.ma",`, ""), 400, "invalid", "$id"},
		{"version", ts.taker, replace(`"eidoVersion": "1.0"`, `"eidoVersion": "0.9"`), 400, "invalid", "eidoVersion"},
		{"no incident", ts.taker, strings.NewReplacer(`"incidentComponent"`, `"incidents"`, `"callComponent"`, `"calls"`).Replace(partnerEIDO),
			400, "invalid", "neither an incidentComponent nor a callComponent"},
		{"no type", ts.taker, replace(`"incidentTypeCommonRegistryText": "Assault",`, ""), 400, "invalid", "incidentTypeCommonRegistryText"},
		{"bad time", ts.taker, replace(`"2026-03-14T21:42:10.250+01:00"`, `"2026-03-14 21:42"`), 400, "invalid", "RFC 3339"},
		{"bad PIDF", ts.taker, replace(`"locationByValue": "<presence`, `"locationByValue": "34.06 -4.98 <presence`), 400, "invalid", "PIDF-LO"},
		{"bad position", ts.taker, replace("<gml:pos>34.0617 -4.9836</gml:pos>", "<gml:pos>-4.9836 234.0617</gml:pos>"), 400, "invalid", "WGS 84"},
		{"too large", ts.taker, replace(`"Rixe avec blessé"`, `"`+strings.Repeat("x", 1<<20)+`"`), 413, "too_large", "1 MiB"},
		{"anonymous", "", partnerEIDO, 401, "unauthorized", "credential"},
		{"analyst", analystToken(t, ts), partnerEIDO, 403, "forbidden", "may not"},
	} {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := ts.call(t, "POST", "/api/v1/reports/eido", c.token, c.body)
			e := decode[apiError](t, body)
			if status != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.mention) {
				t.Fatalf("got %d %s, want %d %s mentioning %q", status, body, c.status, c.code, c.mention)
			}
		})
	}
	if i, r := ts.countIncidents(t), ts.countReports(t); i != incidents || r != reports {
		t.Fatalf("refused EIDOs changed the store: %d incidents, %d reports (were %d, %d)", i, r, incidents, reports)
	}
}

func analystToken(t *testing.T, ts *testServer) string {
	_, secret, err := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "analyst", Role: yaqaza.RoleAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// NENA's own sample, a call another PSAP transfers, is taken through the
// API as a report of the call, once however often it is sent.
func TestEIDOIntakeNENASample(t *testing.T) {
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	sample, err := os.ReadFile(filepath.Join(dir, "eido", "samples", "Sample_call_transfer_EIDO.json"))
	if err != nil {
		t.Skipf("shared data not found (set YAQAZA_SHARED_DATA): %v", err)
	}
	ts := newTestServer(t)
	status, body, _ := ts.call(t, "POST", "/api/v1/reports/eido", ts.taker, string(sample))
	if status != 201 {
		t.Fatalf("NENA's sample: %d %s", status, body)
	}
	r := decode[receipt](t, body)
	_, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/reports/%d", r.ReportID), ts.dispatcher, "")
	if rep := decode[yaqaza.Report](t, body); rep.Channel != yaqaza.ChannelAgency || !strings.HasPrefix(rep.Text, "Call transferred by state.pa.us") {
		t.Errorf("the sample's report: %s", body)
	}
	if status, again, h := ts.call(t, "POST", "/api/v1/reports/eido", ts.taker, string(sample)); status != 201 ||
		h.Get("Idempotent-Replayed") != "true" || decode[receipt](t, again) != r {
		t.Errorf("the sample again: %d %s", status, again)
	}
}
