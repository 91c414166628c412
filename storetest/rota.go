package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// The rota stands units down when their watch ends and up when it begins,
// unless someone moved them since; units on an incident are left alone.
func testWatchRota(t *testing.T, s *services) {
	pack := geo.DefaultPack()
	pack.Watches = &yaqaza.WatchRota{Starts: []string{"06:00", "14:00", "22:00"},
		Cycle: [][]string{{"A", "B", "C"}, {"D", "A", "B"}, {"C", "D", "A"}, {"B", "C", "D"}}, Epoch: "2026-03-09"}
	shifts := map[string]string{"MED-1": "A", "MED-2": "B", "MED-3": "A", "AGD-1": "A", "AGD-2": "A", "SAI-1": "A"}
	for i, u := range pack.Units {
		pack.Units[i].Shift = shifts[u.CallSign]
	}
	if err := s.packs.LoadPack(as(admin), pack); err != nil {
		t.Fatal(err)
	}
	us, err := sqlstore.NewUnitService(context.Background(), s.db, fesZones, nil)
	if err != nil {
		t.Fatal(err)
	}
	loc, _ := time.LoadLocation(pack.Timezone)
	// 2026-03-14 is day 5 of the cycle (day 1: D, A, B): A works 14:00–22:00.
	s.now = time.Date(2026, 3, 14, 12, 0, 0, 0, loc)
	status := func(sign string) *yaqaza.Unit {
		t.Helper()
		units, err := us.FindUnits(as(dispatcher), yaqaza.UnitFilter{})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range units {
			if u.CallSign == sign {
				return u
			}
		}
		t.Fatalf("no unit %s", sign)
		return nil
	}
	apply := func(want int) {
		t.Helper()
		n, err := us.ApplyRota(context.Background(), s.now)
		if err != nil {
			t.Fatal(err)
		}
		if n != want {
			t.Fatalf("at %s the rota moved %d units, want %d", s.now.In(loc).Format("15:04"), n, want)
		}
	}

	// At noon, watch A is off: its five units go off duty; B's (at work,
	// D's morning) too, as B works the night. Units without a watch stay.
	apply(6)
	for sign := range shifts {
		if u := status(sign); u.Status != yaqaza.UnitOffDuty {
			t.Fatalf("%s of watch %s at noon: %s", sign, shifts[sign], u.Status)
		}
	}
	if u := status("BAG-1"); u.Status != yaqaza.UnitAvailable {
		t.Fatalf("BAG-1 has no watch and was moved: %s", u.Status)
	}
	apply(0) // nothing more to do, however often it runs

	// A dispatcher calls AGD-1 in on overtime: the rota leaves it.
	agd1 := status("AGD-1")
	if _, err := us.SetUnitStatus(as(dispatcher), agd1.ID, yaqaza.UnitAvailable); err != nil {
		t.Fatal(err)
	}
	s.tick(time.Minute)
	apply(0)
	if u := status("AGD-1"); u.Status != yaqaza.UnitAvailable {
		t.Fatalf("the rota undid a dispatcher's call: %s", u.Status)
	}

	// 14:00: A begins. Its off-duty units come up; AGD-1 already is.
	s.now = time.Date(2026, 3, 14, 14, 0, 30, 0, loc)
	apply(4)
	for _, sign := range []string{"MED-1", "MED-3", "AGD-2", "SAI-1"} {
		if u := status(sign); u.Status != yaqaza.UnitAvailable {
			t.Fatalf("%s when watch A begins: %s", sign, u.Status)
		}
	}
	if u := status("MED-2"); u.Status != yaqaza.UnitOffDuty {
		t.Fatalf("MED-2 of watch B at 14:00: %s", u.Status)
	}

	// During the watch, SAI-1 is stood down (its car broke down) and MED-1
	// is sent to an incident.
	s.tick(time.Hour)
	sai1, med1 := status("SAI-1"), status("MED-1")
	if _, err := us.SetUnitStatus(as(dispatcher), sai1.ID, yaqaza.UnitOffDuty); err != nil {
		t.Fatal(err)
	}
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "rixe", Location: inMedina})
	if _, err := us.Assign(as(dispatcher), r.IncidentID, yaqaza.AssignInput{Units: []int64{med1.ID}}); err != nil {
		t.Fatal(err)
	}
	s.tick(time.Minute)
	apply(0)
	if u := status("SAI-1"); u.Status != yaqaza.UnitOffDuty {
		t.Fatalf("the rota brought back a unit stood down during its watch: %s", u.Status)
	}

	// 22:00: A ends. Its available units go off; MED-1, on its incident,
	// stays; SAI-1 already is off. B begins: MED-2 comes up.
	s.now = time.Date(2026, 3, 14, 22, 0, 5, 0, loc)
	apply(4) // AGD-1, AGD-2, MED-3 down; MED-2 up
	if u := status("MED-1"); u.Status != yaqaza.UnitDispatched || u.IncidentID != r.IncidentID {
		t.Fatalf("the rota moved a unit on an incident: %+v", u)
	}
	if u := status("MED-2"); u.Status != yaqaza.UnitAvailable {
		t.Fatalf("MED-2 when watch B begins: %s", u.Status)
	}
	recs, err := us.Recommend(as(dispatcher), r.IncidentID, 40)
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		if w := shifts[rec.Unit.CallSign]; w == "A" {
			t.Fatalf("after watch A ended, %s of watch A is recommended", rec.Unit.CallSign)
		}
	}

	// Each move is on the unit's timeline and in the audit trail, by the rota.
	page, err := sqlstore.NewAuditService(s.db).FindAudit(as(auditor), yaqaza.AuditFilter{Object: "unit:" + itoa(status("MED-2").ID)})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range page.Entries {
		if e.ActorID == "system:rota" && strings.Contains(e.Detail, "watch B began at 22:00") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no audit entry of the rota bringing MED-2 up: %+v", page.Entries)
	}
}
