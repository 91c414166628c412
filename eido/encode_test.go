package eido_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/eido"
	"github.com/yaqaza/yaqaza/geo"
)

func fesIssuer() eido.Issuer { return eido.Issuer{ID: "fes.yaqaza.invalid", Pack: geo.DefaultPack()} }

func incident() *yaqaza.Incident {
	at := time.Date(2026, 3, 14, 20, 30, 0, 0, time.UTC)
	onScene := at.Add(9 * time.Minute)
	return &yaqaza.Incident{
		ID: 12, Status: yaqaza.StatusOnScene, Category: "assault", Priority: yaqaza.P2, ZoneCode: "03.231.01.07",
		Location: &yaqaza.Point{Lat: 34.0617, Lon: -4.9836}, CreatedAt: at, UpdatedAt: onScene, Version: 5,
		Reports: []*yaqaza.Report{
			{ID: 31, Channel: yaqaza.ChannelCall, ReceivedAt: at, Text: "Bagarre <devant> le café, rappelez-moi au 0661234567",
				Reporter: &yaqaza.Contact{Name: "Samira Alaoui", Phone: "0661234567", Email: "samira@example.ma"},
				Location: &yaqaza.Point{Lat: 34.06181, Lon: -4.98377}},
			{ID: 32, Channel: yaqaza.ChannelWeb, ReceivedAt: at.Add(2 * time.Minute), Text: "شجار قرب باب بوجلود"},
		},
		Assignments: []*yaqaza.Assignment{{UnitID: 4, CallSign: "FES-P04", AssignedAt: at.Add(time.Minute), OnSceneAt: &onScene}},
	}
}

func TestFromIncident(t *testing.T) {
	d := fesIssuer().FromIncident(incident(), "fr")
	body, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"Samira", "0661234567", "samira@example.ma", "34.06181", "4.98377"} {
		if strings.Contains(string(body), secret) {
			t.Errorf("the EIDO carries %q:\n%s", secret, body)
		}
	}
	in := d.Incident
	if d.ID != "urn:emergency:uid:incidentid:12:fes.yaqaza.invalid" || d.Version != "1.0" || d.LastUpdate != "2026-03-14T20:39:00Z" ||
		len(d.Agencies) != 1 || d.Agencies[0].ID != "fes.yaqaza.invalid" || !strings.Contains(d.Agencies[0].Jcard, "Préfecture de police de Fès") {
		t.Errorf("document = %+v", d)
	}
	if in.InternalID != "12" || in.TypeInternalCode != "assault" || in.TypeCommon != "Assault" || in.TypeInternalText != "Agression, violences" ||
		in.StatusCommon[0] != "Active" || in.StatusInternal[0] != "on_scene" || in.PriorityInternal != "P2" || *in.PriorityCommon != 7 ||
		in.DispatchGroup != "03.231.01.07" || len(in.NotesRefs) != 2 || len(in.LocationRefs) != 1 {
		t.Errorf("incident = %+v", in)
	}
	if len(d.Calls) != 2 || d.Calls[0].LocalCallType != "call" || d.Calls[1].Start != "2026-03-14T20:32:00Z" || d.Calls[0].NotesRefs[0] != in.NotesRefs[0] {
		t.Errorf("calls = %+v", d.Calls)
	}
	if !strings.HasPrefix(d.Notes[0].Comments, "Bagarre &lt;devant&gt; le café, rappelez-moi au ") {
		t.Errorf("note = %q", d.Notes[0].Comments)
	}
	loc := d.Locations[0]
	if loc.Description != "Fès-Médina, Préfecture de police de Fès" || !strings.Contains(loc.ByValue, "<gml:pos>34.0617 -4.9836</gml:pos>") {
		t.Errorf("location = %+v", loc)
	}
	if len(d.Resources) != 1 || d.Resources[0].Name != "FES-P04" || d.Resources[0].PrimaryStatus != "OnScene" ||
		d.Resources[0].StatusInternal[0] != "on_scene" || len(d.Dispatches) != 1 || d.Dispatches[0].ResourceRefs[0].Ref != d.Resources[0].ID {
		t.Errorf("units = %+v / %+v", d.Resources, d.Dispatches)
	}
	// Registry lists the schema requires are present even when empty.
	if !strings.Contains(string(body), `"secondaryUnitStatusRegistryText":[]`) || !strings.Contains(string(body), `"agentReference":[]`) {
		t.Errorf("required lists missing:\n%s", body)
	}
	// What we write, we read: our own EIDO is a valid report for a partner running Yaqaza.
	back, err := eido.Decode(body)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := back.Report(time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC))
	if err != nil || rep.Location == nil || *rep.Location != *incident().Location || rep.Place != loc.Description ||
		!strings.HasPrefix(rep.Text, "Agression, violences — Assault\nBagarre <devant> le café") {
		t.Errorf("report from our own EIDO = %+v, %v", rep, err)
	}
}

func TestStatusAndMerge(t *testing.T) {
	inc := incident()
	inc.Status, inc.MergedInto, inc.Assignments, inc.Location, inc.ZoneCode = yaqaza.StatusMerged, 40, nil, nil, ""
	d := fesIssuer().FromIncident(inc, "en")
	if d.Incident.StatusCommon[0] != "Closed" || len(d.Merges) != 1 || d.Merges[0].TrackingID != "urn:emergency:uid:incidentid:40:fes.yaqaza.invalid" ||
		d.Merges[0].Direction != "REPLACED" || len(d.Locations) != 0 || d.Resources != nil {
		t.Errorf("merged incident = %+v", d)
	}
	for s, want := range map[yaqaza.Status]string{yaqaza.StatusNew: "Active", yaqaza.StatusTriaged: "Active", yaqaza.StatusDispatched: "Active",
		yaqaza.StatusEnRoute: "Active", yaqaza.StatusResolved: "Closed", yaqaza.StatusClosed: "Closed", yaqaza.StatusReferred: "Closed", yaqaza.StatusCancelled: "Closed"} {
		inc.Status = s
		if got := fesIssuer().FromIncident(inc, "en").Incident.StatusCommon[0]; got != want {
			t.Errorf("%s → %s, want %s", s, got, want)
		}
	}
}
