package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// testSuggest: a call-taker typing about a knife fight at the station is
// shown the incident a citizen reported 300 m away five minutes before,
// first; not an unrelated incident next door, not the same story across
// town, not one of three hours ago; and a district head is not shown
// another district's incident.
func testSuggest(t *testing.T, s *services) {
	suggest := sqlstore.NewSuggestService(s.db, geo.PointAssessor{Zones: fesZones})
	at := func(p *yaqaza.Point, dLat float64) *yaqaza.Point { return &yaqaza.Point{Lat: p.Lat + dLat, Lon: p.Lon} }
	report := func(text string, p *yaqaza.Point) int64 {
		in := web(text)
		in.Location = p
		return mustSubmit(t, as(dispatcher), s, in).IncidentID
	}

	old := report("Bagarre au couteau devant la gare, un homme blessé", inAgdal)
	s.tick(2*time.Hour + 30*time.Minute)
	far := report("Bagarre au couteau devant la gare routière, deux blessés", inMariniyine)
	s.tick(3 * time.Minute)
	unrelated := report("Une voiture garée sur le trottoir bloque le passage des piétons", at(inAgdal, 0.001))
	s.tick(2 * time.Minute)
	near := report("Bagarre au couteau devant la gare, un homme blessé au bras", inAgdal)
	s.tick(5 * time.Minute)

	call := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "bagarre au couteau devant la gare", Location: at(inAgdal, 0.0027)}
	got, err := suggest.SuggestIncidents(as(dispatcher), call, 5)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) == 0 || got[0].Incident.ID != near {
		t.Fatalf("first suggestion is not incident %d: %+v", near, got)
	}
	if d := got[0].DistanceM; math.Abs(d-300) > 15 {
		t.Errorf("distance = %.0f m, want about 300", d)
	}
	if got[0].Age != 5*time.Minute || got[0].Why == "" || got[0].Score <= 0 || got[0].Score > 1 {
		t.Errorf("suggestion = %+v, want age 5 min, a reason and a score in (0, 1]", got[0])
	}
	for _, sg := range got {
		switch sg.Incident.ID {
		case old, far, unrelated:
			t.Errorf("incident %d suggested (%s): it is old, far or unrelated", sg.Incident.ID, sg.Why)
		}
	}

	// Scope: the head of Fès-Médina does not see Agdal's incident; Agdal's does.
	head := func(zone string) *yaqaza.Actor {
		return &yaqaza.Actor{Kind: yaqaza.ActorUser, ID: "user:77", Name: "head", Role: yaqaza.RoleDistrictHead, Zones: []string{zone}}
	}
	if got, err := suggest.SuggestIncidents(as(head(zoneMedina)), call, 5); err != nil || len(got) != 0 {
		t.Errorf("district head of another zone: %+v, %v; want nothing", got, err)
	}
	if got, err := suggest.SuggestIncidents(as(head(zoneAgdal)), call, 5); err != nil || len(got) == 0 || got[0].Incident.ID != near {
		t.Errorf("district head of the zone: %+v, %v; want incident %d first", got, err, near)
	}

	// Nothing typed yet is no suggestion; no credential is no answer.
	if got, err := suggest.SuggestIncidents(as(dispatcher), &yaqaza.ReportInput{Channel: yaqaza.ChannelCall}, 5); err != nil || len(got) != 0 {
		t.Errorf("empty input: %+v, %v", got, err)
	}
	_, err = suggest.SuggestIncidents(anonymous, call, 5)
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
	_, err = suggest.SuggestIncidents(as(dispatcher), call, 0)
	wantCode(t, err, yaqaza.EINVALID)
}
