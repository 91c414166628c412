package dispatch

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func TestNewIndexRefusesBadBoxes(t *testing.T) {
	for _, tc := range []struct {
		box  Box
		cell float64
	}{
		{Box{MinLat: 34.1, MinLon: -5, MaxLat: 34, MaxLon: -4.9}, 0},
		{Box{MinLat: 34, MinLon: -5, MaxLat: 34, MaxLon: -4.9}, 0},
		{Box{MinLat: math.NaN(), MinLon: -5, MaxLat: 34, MaxLon: -4.9}, 0},
		{Box{MinLat: 80, MinLon: -5, MaxLat: 89, MaxLon: -4.9}, 0},
		{fesBox, -1},
		{fesBox, math.Inf(1)},
	} {
		if _, err := NewIndex(tc.box, tc.cell, nil); yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			t.Errorf("%+v cell %v: %v, want EINVALID", tc.box, tc.cell, err)
		}
	}
	// A huge box gets larger cells rather than millions of them.
	x, err := NewIndex(Box{MinLat: -60, MinLon: -180, MaxLat: 60, MaxLon: 180}, 100, nil)
	if err != nil || x.cols*x.rows > maxCells {
		t.Fatalf("world box: %v, %d cells", err, x.cols*x.rows)
	}
}

func TestUpsertRefusesBadUnits(t *testing.T) {
	idx := newFesIndex(t)
	for _, u := range []*yaqaza.Unit{nil, {ID: 0}, {ID: 1, Position: &yaqaza.Point{Lat: math.NaN()}}, {ID: 2, Position: &yaqaza.Point{Lat: 91}}} {
		if err := idx.Upsert(u); yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			t.Errorf("%+v: %v, want EINVALID", u, err)
		}
	}
	if idx.Len() != 0 {
		t.Error("refused units must not be indexed")
	}
}

func TestUpsertMovesAndRemoveForgets(t *testing.T) {
	av := yaqaza.UnitAvailable
	idx := newFesIndex(t,
		unit(1, "patrol", av, "", ptr(offset(babBoujloud, 200, 0))),
		unit(2, "patrol", av, "", ptr(offset(babBoujloud, 900, 0))),
	)
	r := NewRecommender(idx, nil)
	inc := &yaqaza.Incident{Category: "assault", Location: ptr(babBoujloud)}
	check := func(step string, want ...int64) {
		t.Helper()
		if got := ids(r.Recommend(inc, 5)); !slices.Equal(got, want) {
			t.Errorf("%s: got %v, want %v", step, got, want)
		}
		if got := ids(r.RecommendExhaustive(inc, 5)); !slices.Equal(got, want) {
			t.Errorf("%s (exhaustive): got %v, want %v", step, got, want)
		}
	}
	check("start", 1, 2)
	idx.Upsert(unit(1, "patrol", av, "", ptr(zouagha))) // drives away
	check("unit 1 moved to Zouagha", 2, 1)
	idx.Upsert(unit(2, "patrol", yaqaza.UnitDispatched, "", ptr(offset(babBoujloud, 900, 0))))
	check("unit 2 dispatched", 1)
	idx.Upsert(unit(3, "patrol", av, "", ptr(yaqaza.Point{Lat: 35.78, Lon: -5.81}))) // Tanger, far outside the box
	check("unit 3 outside the box", 1, 3)
	idx.Upsert(unit(3, "patrol", av, "", ptr(offset(babBoujloud, 10, 10)))) // back in
	check("unit 3 back", 3, 1)
	idx.Upsert(unit(3, "patrol", av, "", nil)) // position lost
	check("unit 3 without position", 1, 3)
	if !idx.Remove(1) || idx.Remove(1) {
		t.Fatal("Remove must report whether the unit was there")
	}
	check("unit 1 removed", 3)
	if _, ok := idx.Get(1); ok || idx.Len() != 2 {
		t.Error("removed unit still there")
	}
	if got := idx.Nearest(babBoujloud, 5, nil); len(got) != 1 || got[0].Unit.ID != 2 {
		t.Errorf("Nearest (positioned only): %v", got)
	}
}

// randomWorld fills an index with units of every sort: inside the box,
// outside it, without position, of an unknown kind, in every status.
func randomWorld(t testing.TB, rng *rand.Rand, n int, cellM float64) (*Index, []*yaqaza.Unit) {
	idx, err := NewIndex(fesBox, cellM, zonePoint)
	if err != nil {
		t.Fatal(err)
	}
	units := randomFleet(rng, n, fesBox)
	wide := Box{MinLat: 33.5, MinLon: -5.5, MaxLat: 34.5, MaxLon: -4.5}
	for _, u := range units {
		switch rng.IntN(20) {
		case 0:
			u.Position = nil
		case 1:
			u.Position = ptr(randomPoint(rng, wide))
		case 2:
			u.Kind = "horse" // no speed in the policy
		case 3:
			u.HomeZone = ""
		}
		if rng.IntN(3) == 0 { // clusters: several units at one spot
			u.Position = ptr(yaqaza.Point{Lat: 34.0 + float64(rng.IntN(3))*0.01, Lon: -5.0})
		}
		if err := idx.Upsert(u); err != nil {
			t.Fatal(err)
		}
	}
	return idx, units
}

func randomQuery(rng *rand.Rand) (*yaqaza.Incident, int) {
	inc := randomIncident(rng, fesBox)
	switch rng.IntN(10) {
	case 0:
		inc.Location = nil // zone only
	case 1:
		inc.Location, inc.ZoneCode = nil, "" // nothing known
	case 2:
		inc.Location = ptr(randomPoint(rng, Box{MinLat: 33.5, MinLon: -5.5, MaxLat: 34.5, MaxLon: -4.5}))
	case 3:
		inc.Category = "unheard_of"
	}
	return inc, 1 + rng.IntN(12)
}

// The indexed search gives exactly what ranking every unit gives.
func TestRecommendEqualsExhaustive(t *testing.T) {
	seeds := 150
	if testing.Short() {
		seeds = 20
	}
	policies := []*yaqaza.DispatchPolicy{DefaultPolicy(), {RoadFactor: 1, SpeedKmh: map[string]float64{"patrol": 10, "anti_gang": 120}}}
	for seed := range seeds {
		rng := rand.New(rand.NewPCG(uint64(seed), 99))
		cell := []float64{100, 250, 500, 1000, 5000, 50000}[seed%6]
		idx, units := randomWorld(t, rng, rng.IntN(600), cell)
		for _, policy := range policies {
			r := NewRecommender(idx, policy)
			for range 40 {
				inc, k := randomQuery(rng)
				got, want := r.Recommend(inc, k), r.RecommendExhaustive(inc, k)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("seed %d cell %v k %d %+v:\nindex      %v\nexhaustive %v", seed, cell, k, inc, ids(got), ids(want))
				}
			}
		}
		// Move, change and remove some units; ask again.
		for i := 0; i < 50 && len(units) > 0; i++ {
			u := *units[rng.IntN(len(units))]
			switch rng.IntN(3) {
			case 0:
				u.Position = ptr(randomPoint(rng, fesBox))
			case 1:
				u.Status = yaqaza.UnitStatuses[rng.IntN(len(yaqaza.UnitStatuses))]
			case 2:
				idx.Remove(u.ID)
				continue
			}
			idx.Upsert(&u)
		}
		r := NewRecommender(idx, nil)
		for range 20 {
			inc, k := randomQuery(rng)
			if got, want := r.Recommend(inc, k), r.RecommendExhaustive(inc, k); !reflect.DeepEqual(got, want) {
				t.Fatalf("seed %d after moves: index %v, exhaustive %v", seed, ids(got), ids(want))
			}
		}
	}
}

func TestNearestEqualsBruteForce(t *testing.T) {
	for seed := range 40 {
		rng := rand.New(rand.NewPCG(uint64(seed), 5))
		idx, units := randomWorld(t, rng, 1+rng.IntN(400), []float64{50, 500, 3000}[seed%3])
		for range 30 {
			p := randomPoint(rng, Box{MinLat: 33.9, MinLon: -5.2, MaxLat: 34.2, MaxLon: -4.8})
			k := 1 + rng.IntN(10)
			keep := func(u *yaqaza.Unit) bool { return u.ID%3 != 0 }
			var want []Neighbour
			for _, u := range units {
				if u.Position != nil && keep(u) {
					want = append(want, Neighbour{Unit: u, DistanceM: HaversineM(p, *u.Position)})
				}
			}
			slices.SortFunc(want, func(a, b Neighbour) int {
				return cmp.Or(cmp.Compare(a.DistanceM, b.DistanceM), cmp.Compare(a.Unit.ID, b.Unit.ID))
			})
			want = want[:min(k, len(want))]
			got := idx.Nearest(p, k, keep)
			if len(got) != len(want) {
				t.Fatalf("seed %d: %d neighbours, want %d", seed, len(got), len(want))
			}
			for i := range got {
				if got[i].Unit.ID != want[i].Unit.ID || math.Abs(got[i].DistanceM-want[i].DistanceM) > 1e-6 {
					t.Fatalf("seed %d, neighbour %d: got %d at %v, want %d at %v", seed, i,
						got[i].Unit.ID, got[i].DistanceM, want[i].Unit.ID, want[i].DistanceM)
				}
			}
		}
	}
}

func TestHaversineFes(t *testing.T) {
	// Bab Boujloud to the Agdal point: about 3.8 km as the crow flies.
	if d := HaversineM(babBoujloud, agdal); d < 3600 || d > 4000 {
		t.Errorf("Bab Boujloud–Agdal %.0f m", d)
	}
	if d := HaversineM(agdal, agdal); d != 0 {
		t.Errorf("a point to itself: %v", d)
	}
}

// Readers and writers at once, for the race detector; every answer holds
// only units that were available when read.
func TestConcurrentReadsAndWrites(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	idx, units := randomWorld(t, rng, 500, 0)
	r := NewRecommender(idx, nil)
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), 1))
			for i := range 2000 {
				u := *units[rng.IntN(len(units))]
				u.Position = ptr(randomPoint(rng, fesBox))
				u.Status = yaqaza.UnitStatuses[rng.IntN(len(yaqaza.UnitStatuses))]
				if i%50 == 0 {
					idx.Remove(u.ID)
				} else if err := idx.Upsert(&u); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(g), 2))
			for range 1000 {
				inc, k := randomQuery(rng)
				for _, rec := range r.Recommend(inc, k) {
					if rec.Unit.Status != yaqaza.UnitAvailable {
						t.Errorf("unit %d recommended while %s", rec.Unit.ID, rec.Unit.Status)
						return
					}
				}
				idx.Nearest(babBoujloud, k, nil)
			}
		}()
	}
	wg.Wait()
}

func ExampleRecommender_Recommend() {
	idx, _ := NewIndex(Box{MinLat: 33.97, MinLon: -5.08, MaxLat: 34.08, MaxLon: -4.93}, 0, nil)
	idx.Upsert(&yaqaza.Unit{ID: 1, CallSign: "MED-1", Kind: "patrol", Capabilities: []string{"patrol", "first_response"},
		HomeZone: "03.231.01.07", Status: yaqaza.UnitAvailable, Position: &yaqaza.Point{Lat: 34.0590, Lon: -4.9836}})
	idx.Upsert(&yaqaza.Unit{ID: 2, CallSign: "BAG-1", Kind: "anti_gang", Capabilities: []string{"armed_response", "gang", "first_response"},
		Status: yaqaza.UnitAvailable, Position: &yaqaza.Point{Lat: 34.0617, Lon: -4.9736}})
	r := NewRecommender(idx, DefaultPolicy())
	knife := &yaqaza.Incident{Category: "armed", ZoneCode: "03.231.01.07", Location: &yaqaza.Point{Lat: 34.0617, Lon: -4.9836}}
	for _, rec := range r.Recommend(knife, 2) {
		fmt.Println(rec.Unit.CallSign, rec.Reasons)
	}
	// Output:
	// BAG-1 [capability first_response preferred kind anti_gang 920 m, about 2 min]
	// MED-1 [capability first_response home zone 300 m, under 1 min]
}
