package dispatch

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func unit(id int64, kind string, status yaqaza.UnitStatus, home string, at *yaqaza.Point) *yaqaza.Unit {
	var caps []string
	for _, t := range unitTemplates {
		if t.kind == kind {
			caps = t.caps
		}
	}
	return &yaqaza.Unit{ID: id, CallSign: fmt.Sprintf("%s-%d", kind, id), Kind: kind, Capabilities: caps,
		Status: status, HomeZone: home, Position: at}
}

func TestRecommendNearestCapableAvailableFirst(t *testing.T) {
	av := yaqaza.UnitAvailable
	idx := newFesIndex(t,
		unit(1, "patrol", av, zoneMedina, ptr(offset(babBoujloud, 300, 0))),
		unit(2, "patrol", yaqaza.UnitBusy, zoneMedina, ptr(offset(babBoujloud, 100, 0))),
		unit(3, "patrol", yaqaza.UnitOffDuty, zoneMedina, ptr(offset(babBoujloud, 50, 0))),
		unit(4, "patrol", yaqaza.UnitDispatched, zoneMedina, ptr(offset(babBoujloud, 0, 80))),
		unit(5, "patrol", yaqaza.UnitEnRoute, zoneMedina, ptr(offset(babBoujloud, 0, 90))),
		unit(6, "patrol", yaqaza.UnitOnScene, zoneMedina, ptr(offset(babBoujloud, 0, 95))),
		unit(7, "community", av, zoneMedina, ptr(offset(babBoujloud, 60, 0))), // lacks first_response
		unit(8, "motorbike", av, zoneMedina, ptr(offset(babBoujloud, -1200, 0))),
		unit(9, "patrol", av, zoneAgdal, ptr(agdal)),
		unit(10, "patrol", av, zoneZouagha, ptr(zouagha)),
	)
	r := NewRecommender(idx, DefaultPolicy())
	inc := &yaqaza.Incident{Category: "assault", ZoneCode: zoneMedina, Location: ptr(babBoujloud)}
	got := r.Recommend(inc, 10)
	if want := []int64{1, 8, 9, 10}; !slices.Equal(ids(got), want) {
		t.Fatalf("recommended %v, want %v", ids(got), want)
	}
	first := got[0]
	if math.Abs(first.DistanceM-300) > 1 {
		t.Errorf("distance %.1f m, want 300", first.DistanceM)
	}
	if want := 300 * 1.35 / (35 / 3.6); math.Abs(first.ETASeconds-want) > 0.5 {
		t.Errorf("eta %.1f s, want %.1f", first.ETASeconds, want)
	}
	for _, want := range []string{"capability first_response", "preferred kind patrol", "home zone", "300 m, under 1 min"} {
		if !hasReason(first, want) {
			t.Errorf("reasons %q lack %q", first.Reasons, want)
		}
	}
	if hasReason(got[2], "home zone") {
		t.Errorf("an Agdal unit is not at home in the Médina: %q", got[2].Reasons)
	}
	if !strings.HasSuffix(got[2].Reasons[len(got[2].Reasons)-1], "min") || !strings.Contains(got[2].Reasons[len(got[2].Reasons)-1], "km") {
		t.Errorf("the Agdal unit's last reason should give km and min: %q", got[2].Reasons)
	}
	if got := r.Recommend(inc, 2); !slices.Equal(ids(got), []int64{1, 8}) {
		t.Errorf("k=2 gave %v", ids(got))
	}
}

// The documented rule: a preferred unit ranks ahead when its travel time is
// at most n + clamp(n, 2 min, 10 min), n being the other unit's.
func TestRecommendPreferredKindWithinTheRule(t *testing.T) {
	patrol := unit(1, "patrol", yaqaza.UnitAvailable, zoneAgdal, ptr(offset(babBoujloud, 400, 0)))
	inc := &yaqaza.Incident{Category: "armed", ZoneCode: zoneMedina, Location: ptr(babBoujloud)}
	for _, tc := range []struct {
		antiGangM float64
		wantFirst int64
	}{
		{1200, 2}, // 146 s against 56 s: within 56 + 120
		{1380, 2}, // 168 s: still within
		{1700, 1}, // 207 s: beyond 176 s
		{3000, 1},
	} {
		ag := unit(2, "anti_gang", yaqaza.UnitAvailable, "", ptr(offset(babBoujloud, 0, -tc.antiGangM)))
		r := NewRecommender(newFesIndex(t, patrol, ag), DefaultPolicy())
		got := r.Recommend(inc, 5)
		if len(got) != 2 || got[0].Unit.ID != tc.wantFirst {
			t.Errorf("anti-gang %v m away: got %v, want %d first", tc.antiGangM, got, tc.wantFirst)
			continue
		}
		ag0 := got[0]
		if ag0.Unit.ID == 1 {
			ag0 = got[1]
		}
		if !hasReason(ag0, "preferred kind anti_gang") || !hasReason(ag0, "capability first_response") {
			t.Errorf("anti-gang reasons: %q", ag0.Reasons)
		}
	}
}

func TestRelaxMatchesTheRule(t *testing.T) {
	allowance := func(n float64) float64 { return min(max(n, PreferredMinAllowance), PreferredMaxAllowance) }
	for n := 0.0; n < 3000; n += 7.3 {
		for p := 0.0; p < 4000; p += 11.1 {
			if got, want := relax(p) <= n, p <= n+allowance(n); got != want {
				t.Fatalf("preferred %v s against %v s: relax says %v, the rule %v", p, n, got, want)
			}
		}
	}
	for p := 0.0; p < 4000; p++ {
		if relax(p+1) < relax(p) || relax(p) > p {
			t.Fatalf("relax must grow and never exceed t (at %v)", p)
		}
	}
}

func TestRecommendTrafficPrefersTrafficUnit(t *testing.T) {
	av := yaqaza.UnitAvailable
	idx := newFesIndex(t,
		unit(1, "patrol", av, zoneAgdal, ptr(offset(agdal, 300, 0))),
		unit(2, "traffic", av, "", ptr(offset(agdal, 0, 1000))),
		unit(3, "community", av, zoneAgdal, ptr(offset(agdal, 10, 0))),
	)
	got := NewRecommender(idx, DefaultPolicy()).Recommend(&yaqaza.Incident{Category: "traffic", ZoneCode: zoneAgdal, Location: ptr(agdal)}, 5)
	if !slices.Equal(ids(got), []int64{2, 1}) {
		t.Fatalf("got %v, want the traffic unit, then the patrol", ids(got))
	}
	if !hasReason(got[0], "preferred kind traffic") {
		t.Errorf("reasons %q", got[0].Reasons)
	}
}

func TestRecommendNeedsFilterUnits(t *testing.T) {
	av := yaqaza.UnitAvailable
	idx := newFesIndex(t,
		unit(1, "patrol", av, zoneZouagha, ptr(offset(zouagha, 50, 0))),
		unit(2, "judicial", av, "", ptr(offset(zouagha, 5000, 0))),
		unit(3, "judicial", yaqaza.UnitBusy, "", ptr(offset(zouagha, 100, 0))),
		unit(4, "anti_gang", av, "", ptr(offset(zouagha, 60, 0))),
	)
	r := NewRecommender(idx, DefaultPolicy())
	got := r.Recommend(&yaqaza.Incident{Category: "fraud_cyber", ZoneCode: zoneZouagha, Location: ptr(zouagha)}, 5)
	if !slices.Equal(ids(got), []int64{2}) || !hasReason(got[0], "capability investigation") {
		t.Fatalf("fraud needs investigation: got %v", got)
	}
	p := DefaultPolicy()
	p.Needs["armed"] = []string{"armed_response"}
	got = NewRecommender(idx, p).Recommend(&yaqaza.Incident{Category: "armed", Location: ptr(zouagha)}, 5)
	if !slices.Equal(ids(got), []int64{4}) || !hasReason(got[0], "capability armed_response") {
		t.Fatalf("armed with armed_response needed: got %v", got)
	}
	// A category the policy does not know needs nothing and prefers nothing.
	got = r.Recommend(&yaqaza.Incident{Category: "unheard_of", Location: ptr(zouagha)}, 5)
	if !slices.Equal(ids(got), []int64{1, 4, 2}) {
		t.Fatalf("unknown category: got %v", ids(got))
	}
}

func TestRecommendHomeZoneBreaksNearTies(t *testing.T) {
	av := yaqaza.UnitAvailable
	// Two patrols 500 m and 520 m away: the farther one is at home.
	idx := newFesIndex(t,
		unit(1, "patrol", av, zoneAgdal, ptr(offset(babBoujloud, 500, 0))),
		unit(2, "patrol", av, zoneMedina, ptr(offset(babBoujloud, -520, 0))),
		unit(3, "patrol", av, zoneAgdal, ptr(offset(babBoujloud, 0, 505))),
	)
	got := NewRecommender(idx, DefaultPolicy()).Recommend(&yaqaza.Incident{Category: "burglary", ZoneCode: zoneMedina, Location: ptr(babBoujloud)}, 3)
	if !slices.Equal(ids(got), []int64{2, 1, 3}) || !hasReason(got[0], "home zone") {
		t.Fatalf("got %v", got)
	}
	// Far apart, home does not help.
	idx.Upsert(unit(2, "patrol", av, zoneMedina, ptr(offset(babBoujloud, -900, 0))))
	got = NewRecommender(idx, DefaultPolicy()).Recommend(&yaqaza.Incident{Category: "burglary", ZoneCode: zoneMedina, Location: ptr(babBoujloud)}, 3)
	if !slices.Equal(ids(got), []int64{1, 3, 2}) {
		t.Fatalf("got %v", ids(got))
	}
}

func TestRecommendTiesByUnitID(t *testing.T) {
	av := yaqaza.UnitAvailable
	at := ptr(offset(agdal, 200, 200))
	idx := newFesIndex(t, unit(9, "patrol", av, "", at), unit(3, "patrol", av, "", at), unit(5, "patrol", av, "", at))
	got := NewRecommender(idx, DefaultPolicy()).Recommend(&yaqaza.Incident{Category: "assault", Location: ptr(agdal)}, 3)
	if !slices.Equal(ids(got), []int64{3, 5, 9}) {
		t.Fatalf("got %v", ids(got))
	}
}

func TestRecommendWithoutLocation(t *testing.T) {
	av := yaqaza.UnitAvailable
	units := []*yaqaza.Unit{
		unit(1, "patrol", av, zoneAgdal, ptr(offset(agdal, 100, 0))),
		unit(2, "patrol", av, zoneZouagha, ptr(offset(zouagha, 100, 0))),
		unit(3, "anti_gang", av, "", ptr(offset(babBoujloud, 100, 0))),
		unit(4, "motorbike", av, zoneZouagha, nil),
	}
	r := NewRecommender(newFesIndex(t, units...), DefaultPolicy())

	// The zone is known: distances from its representative point.
	got := r.Recommend(&yaqaza.Incident{Category: "assault", ZoneCode: zoneZouagha}, 5)
	if len(got) != 4 || got[0].Unit.ID != 2 {
		t.Fatalf("zone only: got %v", ids(got))
	}
	if !hasReason(got[0], "no incident location: measured from its zone") || got[0].DistanceM < 0 {
		t.Errorf("zone only: %+v", got[0])
	}
	// The unit without a position comes after every positioned one, measured from its home zone.
	if last := got[3]; last.Unit.ID != 4 || !hasReason(last, "no position: measured from its home zone") || last.DistanceM < 0 {
		t.Errorf("unplaced unit: %+v", last)
	}

	// Neither location nor a zone the lookup knows: by kind and zone.
	got = r.Recommend(&yaqaza.Incident{Category: "armed", ZoneCode: "nowhere"}, 5)
	if !slices.Equal(ids(got), []int64{3, 1, 2, 4}) {
		t.Fatalf("no location: got %v", ids(got))
	}
	for _, rec := range got {
		if !hasReason(rec, "no location: by kind and zone") || rec.DistanceM != -1 || rec.ETASeconds != -1 {
			t.Errorf("no location: %+v", rec)
		}
	}
	got = r.Recommend(&yaqaza.Incident{Category: "assault", ZoneCode: "nowhere"}, 5)
	if !slices.Equal(ids(got), []int64{1, 2, 4, 3}) { // patrol, then motorbike, then the rest
		t.Fatalf("no location, assault: got %v", ids(got))
	}
}

func TestRecommendUnitWithoutAnyPosition(t *testing.T) {
	idx, err := NewIndex(fesBox, 0, nil) // no zone lookup
	if err != nil {
		t.Fatal(err)
	}
	idx.Upsert(unit(1, "patrol", yaqaza.UnitAvailable, zoneMedina, nil))
	idx.Upsert(unit(2, "patrol", yaqaza.UnitAvailable, zoneAgdal, ptr(agdal)))
	got := NewRecommender(idx, nil).Recommend(&yaqaza.Incident{Category: "assault", ZoneCode: zoneMedina, Location: ptr(babBoujloud)}, 5)
	if !slices.Equal(ids(got), []int64{2, 1}) {
		t.Fatalf("got %v", ids(got))
	}
	if !hasReason(got[1], "no position") || got[1].DistanceM != -1 {
		t.Errorf("unit without position: %+v", got[1])
	}
}

func TestRecommendNothing(t *testing.T) {
	r := NewRecommender(newFesIndex(t, unit(1, "patrol", yaqaza.UnitBusy, "", ptr(agdal))), nil)
	inc := &yaqaza.Incident{Category: "assault", Location: ptr(agdal)}
	if got := r.Recommend(inc, 5); got != nil {
		t.Errorf("no available unit: %v", got)
	}
	if r.Recommend(nil, 5) != nil || r.Recommend(inc, 0) != nil || r.RecommendExhaustive(inc, -1) != nil {
		t.Error("nil incident or k ≤ 0 must give nothing")
	}
}

func TestRecommendReturnsSnapshots(t *testing.T) {
	u := unit(1, "patrol", yaqaza.UnitAvailable, "", ptr(agdal))
	idx := newFesIndex(t, u)
	u.Status = yaqaza.UnitBusy // the caller's copy is not the index's
	r := NewRecommender(idx, nil)
	got := r.Recommend(&yaqaza.Incident{Category: "assault", Location: ptr(agdal)}, 1)
	if len(got) != 1 {
		t.Fatal("the index must keep its own copy")
	}
	moved := *got[0].Unit
	moved.Position = ptr(zouagha)
	idx.Upsert(&moved)
	if got[0].Unit.Position.Lat != agdal.Lat {
		t.Error("a returned unit must not change when the unit moves")
	}
}

func TestTextFormats(t *testing.T) {
	for _, tc := range []struct {
		m, s float64
		want string
	}{
		{42, 5, "40 m, under 1 min"},
		{999, 130, "1.0 km, about 2 min"},
		{1234, 190, "1.2 km, about 3 min"},
	} {
		if got := distanceText(tc.m) + ", " + etaText(tc.s); got != tc.want {
			t.Errorf("%v m %v s: %q, want %q", tc.m, tc.s, got, tc.want)
		}
	}
}
