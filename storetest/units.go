package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// fleet loads the Fès pack and places some of its units.
func fleet(t testing.TB, s *services) (*sqlstore.UnitService, map[string]*yaqaza.Unit) {
	t.Helper()
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	us, err := sqlstore.NewUnitService(context.Background(), s.db, fesZones, nil)
	if err != nil {
		t.Fatal(err)
	}
	units, err := us.FindUnits(as(dispatcher), yaqaza.UnitFilter{})
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*yaqaza.Unit{}
	for _, u := range units {
		by[u.CallSign] = u
	}
	place := map[string]yaqaza.Point{
		"MED-1":  {Lat: 34.0630, Lon: -4.9820}, // close to Bab Boujloud
		"MED-2":  {Lat: 34.0600, Lon: -4.9750},
		"BAG-1":  {Lat: 34.0560, Lon: -4.9900}, // the anti-gang brigade, a bit farther
		"AGD-1":  {Lat: 34.0300, Lon: -5.0000},
		"CIRC-1": {Lat: 34.0450, Lon: -4.9950},
	}
	for sign, p := range place {
		u, ok := by[sign]
		if !ok {
			t.Fatalf("the Fès pack has no unit %s", sign)
		}
		if by[sign], err = us.SetUnitPosition(as(dispatcher), u.ID, p); err != nil {
			t.Fatal(err)
		}
	}
	return us, by
}

func testDispatchFlow(t *testing.T, s *services) {
	us, units := fleet(t, s)
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "x", Location: inMedina})
	cat := "armed"
	p1 := yaqaza.P1
	if _, err := s.incidents.CorrectTriage(as(dispatcher), r.IncidentID, yaqaza.Correction{Category: &cat, Priority: &p1}); err != nil {
		t.Fatal(err)
	}
	recs, err := us.Recommend(as(dispatcher), r.IncidentID, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) == 0 || recs[0].Unit.CallSign != "BAG-1" || !strings.Contains(strings.Join(recs[0].Reasons, "; "), "anti_gang") {
		t.Fatalf("an armed incident in the Médina: %+v", recs)
	}
	for _, rec := range recs {
		if rec.Unit.Status != yaqaza.UnitAvailable || rec.ETASeconds <= 0 {
			t.Fatalf("recommended %+v", rec)
		}
	}
	inc, err := us.Assign(as(dispatcher), r.IncidentID, yaqaza.AssignInput{Units: []int64{units["BAG-1"].ID}})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Status != yaqaza.StatusDispatched || inc.Owner != "unit:BAG-1" || len(inc.Assignments) != 1 || inc.Deadline.Stage != yaqaza.StageOnScene {
		t.Fatalf("after assigning: %s owner %s assignments %d deadline %+v", inc.Status, inc.Owner, len(inc.Assignments), inc.Deadline)
	}
	bag, _ := us.FindUnitByID(as(dispatcher), units["BAG-1"].ID)
	if bag.Status != yaqaza.UnitDispatched || bag.IncidentID != r.IncidentID {
		t.Fatalf("BAG-1 after assigning: %+v", bag)
	}
	// A busy unit is not sent twice, and not recommended.
	_, err = us.Assign(as(dispatcher), r.IncidentID, yaqaza.AssignInput{Units: []int64{units["BAG-1"].ID}})
	wantCode(t, err, yaqaza.ECONFLICT)
	recs, _ = us.Recommend(as(dispatcher), r.IncidentID, 10)
	for _, rec := range recs {
		if rec.Unit.CallSign == "BAG-1" {
			t.Fatal("a dispatched unit was recommended")
		}
	}
	// The unit moves the incident.
	s.tick(2 * 60e9)
	if _, err := us.SetUnitStatus(as(dispatcher), units["BAG-1"].ID, yaqaza.UnitEnRoute); err != nil {
		t.Fatal(err)
	}
	s.tick(4 * 60e9)
	if _, err := us.SetUnitStatus(as(dispatcher), units["BAG-1"].ID, yaqaza.UnitOnScene); err != nil {
		t.Fatal(err)
	}
	inc = mustIncident(t, s, r.IncidentID)
	a := inc.Assignments[0]
	if inc.Status != yaqaza.StatusOnScene || a.EnRouteAt == nil || a.OnSceneAt == nil || a.OnSceneAt.Sub(a.AssignedAt).Minutes() != 6 {
		t.Fatalf("on scene: %s %+v", inc.Status, a)
	}
	// Closing with an outcome frees the unit.
	inc = mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusResolved, Outcome: yaqaza.OutcomeArrest, Reason: "two arrested"})
	bag, _ = us.FindUnitByID(as(dispatcher), units["BAG-1"].ID)
	if inc.Outcome != yaqaza.OutcomeArrest || bag.Status != yaqaza.UnitAvailable || bag.IncidentID != 0 {
		t.Fatalf("after resolving: outcome %q, BAG-1 %s on %d", inc.Outcome, bag.Status, bag.IncidentID)
	}
	// … and at once for the next armed incident, not after the next reload.
	next := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "y", Location: inMedina})
	if _, err := s.incidents.CorrectTriage(as(dispatcher), next.IncidentID, yaqaza.Correction{Category: &cat, Priority: &p1}); err != nil {
		t.Fatal(err)
	}
	if recs, err = us.Recommend(as(dispatcher), next.IncidentID, 1); err != nil || len(recs) == 0 || recs[0].Unit.CallSign != "BAG-1" {
		t.Fatalf("the freed BAG-1 is not recommended for the next armed incident: %+v %v", recs, err)
	}
	_, err = s.incidents.TransitionIncident(as(dispatcher), r.IncidentID, yaqaza.Transition{To: yaqaza.StatusClosed, Outcome: "magic"})
	wantCode(t, err, yaqaza.EINVALID)
}

func testReassignAndBadUnitInput(t *testing.T, s *services) {
	us, units := fleet(t, s)
	a := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "vol", Location: inAgdal})
	b := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "rixe", Location: inAgdal})
	agd := units["AGD-1"].ID
	if _, err := us.Assign(as(dispatcher), a.IncidentID, yaqaza.AssignInput{Units: []int64{agd}}); err != nil {
		t.Fatal(err)
	}
	_, err := us.Assign(as(dispatcher), b.IncidentID, yaqaza.AssignInput{Units: []int64{agd}})
	wantCode(t, err, yaqaza.ECONFLICT)
	inc, err := us.Assign(as(dispatcher), b.IncidentID, yaqaza.AssignInput{Units: []int64{agd}, Reassign: true})
	if err != nil || inc.Owner != "unit:AGD-1" {
		t.Fatalf("reassign: %v %+v", err, inc)
	}
	old := mustIncident(t, s, a.IncidentID)
	if old.Status != yaqaza.StatusTriaged || old.Owner != "desk:"+zoneAgdal || !old.Assignments[0].Released {
		t.Fatalf("the incident the unit left: %s %s %+v", old.Status, old.Owner, old.Assignments[0])
	}
	cases := []struct {
		name string
		err  error
		code string
	}{
		{"a status for an unknown unit", func() error { _, err := us.SetUnitStatus(as(dispatcher), 99999, yaqaza.UnitBusy); return err }(), yaqaza.ENOTFOUND},
		{"an unknown status", func() error { _, err := us.SetUnitStatus(as(dispatcher), agd, "napping"); return err }(), yaqaza.EINVALID},
		{"on scene without an incident", func() error {
			_, err := us.SetUnitStatus(as(dispatcher), units["MED-2"].ID, yaqaza.UnitOnScene)
			return err
		}(), yaqaza.ECONFLICT},
		{"a position outside the jurisdiction", func() error {
			_, err := us.SetUnitPosition(as(dispatcher), agd, yaqaza.Point{Lat: 34.02, Lon: -6.84})
			return err
		}(), yaqaza.EINVALID},
		{"a position off the globe", func() error {
			_, err := us.SetUnitPosition(as(dispatcher), agd, yaqaza.Point{Lat: 134, Lon: 0})
			return err
		}(), yaqaza.EINVALID},
		{"a unit for an unknown incident", func() error {
			_, err := us.Assign(as(dispatcher), 99999, yaqaza.AssignInput{Units: []int64{agd}})
			return err
		}(), yaqaza.ENOTFOUND},
		{"no unit", func() error { _, err := us.Assign(as(dispatcher), a.IncidentID, yaqaza.AssignInput{}); return err }(), yaqaza.EINVALID},
	}
	for _, c := range cases {
		if yaqaza.ErrorCode(c.err) != c.code || yaqaza.ErrorMessage(c.err) == "" {
			t.Errorf("%s: %v, want %s", c.name, c.err, c.code)
		}
	}
	u, _ := us.FindUnitByID(as(dispatcher), units["MED-2"].ID)
	if u.Status != yaqaza.UnitAvailable {
		t.Fatal("a refused status change changed the unit")
	}
	// A policy with a negative deadline is refused and changes nothing.
	bad := geo.DefaultPack().SLA
	bad.Deadlines[yaqaza.P1][yaqaza.StageOnScene] = yaqaza.Duration(-60e9)
	wantCode(t, s.packs.UpdateSLA(as(admin), bad), yaqaza.EINVALID)
	if p, _ := s.packs.CurrentPack(anonymous); p.SLA.Deadlines[yaqaza.P1][yaqaza.StageOnScene] <= 0 {
		t.Fatal("a refused policy was stored")
	}
}
