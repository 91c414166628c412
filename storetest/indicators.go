package storetest

import (
	"math"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// testIndicators plays a morning of known incidents, every stage at a
// known minute, and checks the figures the command reads. All are P3
// (the SLA in force: acknowledged 10 min, dispatched 30 min, on scene 2 h,
// resolved 24 h), opened at t0 unless said otherwise:
//
//	Médina  A  triaged 2m, unit assigned 5m, on scene 20m, resolved 60m with an arrest
//	        B  triaged 4m, dispatched 8m (no unit yet)
//	        C  triaged 12m (late), never dispatched
//	        D  never touched
//	        I  opened two days before, never touched (open and late, not in the period)
//	Agdal   E  triaged 1m, resolved 10m without an outcome
//	        F  cancelled at 1m; G merged into E at 1m (left out)
//	none    H  no zone, cancelled at 1m
//
// The figures are read at t0+90m.
func testIndicators(t *testing.T, s *services) {
	t0 := time.Date(2026, 3, 10, 8, 0, 0, 0, time.UTC) // 08:00 or 09:00 in Fès: the whole morning is one local day
	s.now = t0.Add(-48 * time.Hour)
	us, units := fleet(t, s)
	call := func(p *yaqaza.Point) int64 {
		return mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "appel " + seq(int(s.now.Unix()%1e4)), Location: p}).IncidentID
	}
	incI := call(inMedina)
	s.now = t0
	a, b, c, d := call(inMedina), call(inMedina), call(inMedina), call(inMedina)
	e, f, g, h := call(inAgdal), call(inAgdal), call(inAgdal), call(nil)
	theft, p3 := "theft_robbery", yaqaza.P3
	for _, id := range []int64{a, b} {
		if _, err := s.incidents.CorrectTriage(as(dispatcher), id, yaqaza.Correction{Category: &theft, Priority: &p3}); err != nil {
			t.Fatal(err)
		}
	}
	at := func(m int) { s.now = t0.Add(time.Duration(m) * time.Minute) }
	move := func(id int64, to yaqaza.Status, tr ...yaqaza.Transition) {
		t.Helper()
		x := yaqaza.Transition{To: to, Reason: "test"}
		if len(tr) > 0 {
			x = tr[0]
		}
		mustTransition(t, s, id, x)
	}
	at(1)
	move(e, yaqaza.StatusTriaged)
	move(f, yaqaza.StatusCancelled)
	move(h, yaqaza.StatusCancelled)
	move(g, yaqaza.StatusMerged, yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: e})
	at(2)
	move(a, yaqaza.StatusTriaged)
	at(4)
	move(b, yaqaza.StatusTriaged)
	at(5)
	med1 := units["MED-1"].ID
	if _, err := us.Assign(as(dispatcher), a, yaqaza.AssignInput{Units: []int64{med1}}); err != nil {
		t.Fatal(err)
	}
	at(8)
	move(b, yaqaza.StatusDispatched)
	at(10)
	move(e, yaqaza.StatusResolved)
	at(12)
	move(c, yaqaza.StatusTriaged)
	at(15)
	if _, err := us.SetUnitStatus(as(dispatcher), med1, yaqaza.UnitEnRoute); err != nil {
		t.Fatal(err)
	}
	at(20)
	if _, err := us.SetUnitStatus(as(dispatcher), med1, yaqaza.UnitOnScene); err != nil {
		t.Fatal(err)
	}
	at(60)
	move(a, yaqaza.StatusResolved, yaqaza.Transition{To: yaqaza.StatusResolved, Outcome: yaqaza.OutcomeArrest})
	at(90)

	svc, err := sqlstore.NewIndicatorService(s.db, geo.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	from, to := t0.Add(-time.Hour), t0.Add(2*time.Hour)
	ind, err := svc.Indicators(as(analyst), from, to)
	if err != nil {
		t.Fatal(err)
	}
	pref, medina, agdal := ind.Prefecture, zoneOf(t, ind, zoneMedina), zoneOf(t, ind, zoneAgdal)
	if len(ind.Zones) != len(geo.DefaultPack().Zones) || pref.Population != 1167842 {
		t.Fatalf("a prefecture reader sees %d zones, population %d", len(ind.Zones), pref.Population)
	}
	checkCounts(t, "prefecture", pref, 7, 1, 4, 3)
	checkCounts(t, "Médina", medina, 4, 1, 4, 3)
	checkCounts(t, "Agdal", agdal, 2, 0, 0, 0)
	near(t, "Médina per 100k", medina.Per100k, 4*1e5/49775.0)
	near(t, "prefecture per 100k", pref.Per100k, 7*1e5/1167842.0)
	near(t, "Médina clearance", medina.Clearance, 0.25)
	near(t, "prefecture clearance", pref.Clearance, 1/7.0)
	if medina.ByCategory["theft_robbery"] != 2 || sum(pref.ByCategory) != 7 {
		t.Fatalf("by category: Médina %v, prefecture %v", medina.ByCategory, pref.ByCategory)
	}
	// Acknowledged: Médina 2, 4, 12 min, and D owes it; with E's 1 min for the prefecture.
	checkStage(t, "Médina acknowledged", medina.Response[yaqaza.StageAcknowledged], 3, 240, 624, 4, 0.5)
	checkStage(t, "prefecture acknowledged", pref.Response[yaqaza.StageAcknowledged], 4, 180, 576, 5, 0.6)
	// Dispatched: A 5, B 8 min; C and D owe it; E was resolved without a unit.
	checkStage(t, "Médina dispatched", medina.Response[yaqaza.StageDispatched], 2, 390, 462, 4, 0.5)
	// On scene: A at 20 min; the others' two hours are not over.
	checkStage(t, "Médina on scene", medina.Response[yaqaza.StageOnScene], 1, 1200, 1200, 1, 1)
	checkStage(t, "prefecture resolved", pref.Response[yaqaza.StageResolved], 2, 2100, 3300, 2, 1) // 10 and 60 min: p90 = 10 + 0.9 × 50 min
	// Late, most overdue first: I (two days), D (80 min), C (60 min), with their owners.
	if len(ind.Late) != 3 || ind.Late[0].ID != incI || ind.Late[1].ID != d || ind.Late[2].ID != c {
		t.Fatalf("late list: %v", ids(ind.Late))
	}
	for _, inc := range ind.Late {
		if inc.Owner == "" || inc.Deadline == nil || !inc.Deadline.Due.Before(s.now) {
			t.Fatalf("late incident %d: owner %q deadline %+v", inc.ID, inc.Owner, inc.Deadline)
		}
	}
	checkTrends(t, ind, 8, 7)

	// A district head of Agdal sees Agdal alone.
	head := &yaqaza.Actor{Kind: yaqaza.ActorUser, ID: "user:77", Name: "chef-agdal", Role: yaqaza.RoleDistrictHead, Zones: []string{zoneAgdal}}
	ind, err = svc.Indicators(as(head), from, to)
	if err != nil {
		t.Fatal(err)
	}
	if len(ind.Zones) != 1 || ind.Zones[0].Zone != zoneAgdal || ind.Prefecture.Population != 128030 || len(ind.Late) != 0 {
		t.Fatalf("Agdal's head sees zones %d (%s), population %d, late %v", len(ind.Zones), ind.Zones[0].Zone,
			ind.Prefecture.Population, ids(ind.Late))
	}
	checkCounts(t, "Agdal's own view", ind.Prefecture, 2, 0, 0, 0)
	checkStage(t, "Agdal acknowledged", ind.Prefecture.Response[yaqaza.StageAcknowledged], 1, 60, 60, 1, 1)
	checkTrends(t, ind, 2, 2)

	// Closing A and E after the figures were read: closed incidents are
	// held by the service, and a closing shows in the next reading, in
	// the right zone. E closes with an outcome, so it is now cleared.
	at(95)
	move(a, yaqaza.StatusClosed, yaqaza.Transition{To: yaqaza.StatusClosed, Outcome: yaqaza.OutcomeArrest})
	move(e, yaqaza.StatusClosed, yaqaza.Transition{To: yaqaza.StatusClosed, Outcome: yaqaza.OutcomeResolvedOnScene})
	if ind, err = svc.Indicators(as(analyst), from, to); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, "prefecture after closing", ind.Prefecture, 7, 2, 4, 3)
	checkCounts(t, "Médina after closing", zoneOf(t, ind, zoneMedina), 4, 1, 4, 3)
	checkStage(t, "prefecture resolved after closing", ind.Prefecture.Response[yaqaza.StageResolved], 2, 2100, 3300, 2, 1)
	if ind, err = svc.Indicators(as(head), from, to); err != nil {
		t.Fatal(err)
	}
	checkCounts(t, "Agdal's own view after closing", ind.Prefecture, 2, 1, 0, 0)

	// Who may not, and what is not a period.
	_, err = svc.Indicators(as(dispatcher), from, to)
	wantCode(t, err, yaqaza.EFORBIDDEN)
	_, err = svc.Indicators(anonymous, from, to)
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
	_, err = svc.Indicators(as(analyst), to, from)
	wantCode(t, err, yaqaza.EINVALID)
	_, err = svc.Indicators(as(analyst), from.AddDate(-2, 0, 0), to)
	wantCode(t, err, yaqaza.EINVALID)
}

var analyst = &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:903", Name: "analyst", Role: yaqaza.RoleAnalyst}

func zoneOf(t *testing.T, ind *yaqaza.Indicators, code string) yaqaza.ZoneIndicators {
	t.Helper()
	for _, z := range ind.Zones {
		if z.Zone == code {
			return z
		}
	}
	t.Fatalf("no indicators for zone %s", code)
	return yaqaza.ZoneIndicators{}
}

func checkCounts(t *testing.T, what string, z yaqaza.ZoneIndicators, incidents, cleared, open, late int) {
	t.Helper()
	if z.Incidents != incidents || z.Cleared != cleared || z.Open != open || z.Late != late {
		t.Fatalf("%s: incidents %d cleared %d open %d late %d, want %d %d %d %d", what,
			z.Incidents, z.Cleared, z.Open, z.Late, incidents, cleared, open, late)
	}
}

func checkStage(t *testing.T, what string, st yaqaza.StageTimes, n int, median, p90 float64, due int, within float64) {
	t.Helper()
	if st.N != n || st.Due != due || math.Abs(st.MedianS-median) > 1e-6 || math.Abs(st.P90S-p90) > 1e-6 ||
		math.Abs(st.WithinSLA-within) > 1e-9 {
		t.Fatalf("%s: %+v, want n %d median %gs p90 %gs due %d within %g", what, st, n, median, p90, due, within)
	}
}

// checkTrends: every incident but the merged one counts in the 30 days;
// the period's, all opened this morning, in today's bucket, this week's
// and this month's.
func checkTrends(t *testing.T, ind *yaqaza.Indicators, total, today int) {
	t.Helper()
	want := map[string]int{yaqaza.TrendDay: 30, yaqaza.TrendWeek: 12, yaqaza.TrendMonth: 12}
	if len(ind.Trends) != len(want) {
		t.Fatalf("%d trends", len(ind.Trends))
	}
	for _, tr := range ind.Trends {
		if len(tr.Buckets) != want[tr.Period] {
			t.Fatalf("trend %s has %d buckets", tr.Period, len(tr.Buckets))
		}
		last := tr.Buckets[len(tr.Buckets)-1]
		if last.Count < today || (tr.Period == yaqaza.TrendDay && last.Count != today) {
			t.Fatalf("trend %s: the current bucket (%s) counts %d, want %d", tr.Period, last.Start, last.Count, today)
		}
		n := 0
		for i, bk := range tr.Buckets {
			n += bk.Count
			if i > 0 && !bk.Start.After(tr.Buckets[i-1].Start) {
				t.Fatalf("trend %s is not in order at %d", tr.Period, i)
			}
		}
		if n != total {
			t.Fatalf("trend %s counts %d incidents, want %d", tr.Period, n, total)
		}
	}
}

func near(t *testing.T, what string, got, want float64) {
	t.Helper()
	if math.Abs(got-want) > 1e-9 {
		t.Fatalf("%s = %g, want %g", what, got, want)
	}
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func ids(incs []*yaqaza.Incident) []int64 {
	out := make([]int64, len(incs))
	for i, inc := range incs {
		out[i] = inc.ID
	}
	return out
}
