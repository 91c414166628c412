package dispatch

import (
	"math"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// FuzzRecommend: any positions, statuses, kinds and incident never panic,
// and the answer is ordered by the ranking, holds only units that qualify,
// and equals the exhaustive one.
func FuzzRecommend(f *testing.F) {
	f.Add(uint64(1), uint16(50), 34.0617, -4.9836, 34.03, -5.0, int8(5), uint8(1), 500.0)
	f.Add(uint64(2), uint16(300), 34.02, -5.04, 0.0, 0.0, int8(3), uint8(9), 100.0)
	f.Add(uint64(3), uint16(0), 34.0, -5.0, 34.0, -5.0, int8(1), uint8(0), 0.0)
	f.Add(uint64(4), uint16(80), math.NaN(), 200.0, -90.0, 180.0, int8(100), uint8(12), 1e9)
	f.Add(uint64(5), uint16(40), 89.9, -179.9, 33.97, -5.08, int8(-1), uint8(200), 1.0)
	f.Add(uint64(6), uint16(120), 34.08, -4.93, 34.08, -4.93, int8(7), uint8(13), 30.0)
	f.Fuzz(func(t *testing.T, seed uint64, n uint16, incLat, incLon, unitLat, unitLon float64, k int8, cat uint8, cellM float64) {
		idx, err := NewIndex(fesBox, cellM, zonePoint)
		if err != nil {
			return // a bad cell size is refused, which is all there is to check
		}
		rng := rand.New(rand.NewPCG(seed, 3))
		units := randomFleet(rng, int(n%400), fesBox)
		for i, u := range units {
			switch rng.IntN(6) {
			case 0:
				u.Position = &yaqaza.Point{Lat: unitLat, Lon: unitLon} // maybe off the globe
			case 1:
				u.Position = nil
			case 2:
				u.Position = &yaqaza.Point{Lat: rng.Float64()*180 - 90, Lon: rng.Float64()*360 - 180}
			case 3:
				u.Kind = string(rune('a' + i%3))
			}
			u.Status = yaqaza.UnitStatuses[rng.IntN(len(yaqaza.UnitStatuses))]
			if err := idx.Upsert(u); err != nil && u.Position.Validate("p") == nil {
				t.Fatalf("valid unit refused: %v", err)
			}
		}
		inc := &yaqaza.Incident{Category: fesCategories[int(cat)%len(fesCategories)], ZoneCode: fesZoneCodes[int(cat)%len(fesZoneCodes)],
			Location: &yaqaza.Point{Lat: incLat, Lon: incLon}}
		if cat%5 == 0 {
			inc.ZoneCode = ""
		}
		r := NewRecommender(idx, nil)
		got := r.Recommend(inc, int(k))
		if want := r.RecommendExhaustive(inc, int(k)); !reflect.DeepEqual(got, want) {
			t.Fatalf("index %v, exhaustive %v", ids(got), ids(want))
		}
		if len(got) > max(int(k), 0) {
			t.Fatalf("%d recommendations for k=%d", len(got), k)
		}
		q := r.query(inc)
		var prev candidate
		for i, rec := range got {
			u := rec.Unit
			if !q.qualifies(u) {
				t.Fatalf("unit %d (%s, %v) does not qualify for %s", u.ID, u.Status, u.Capabilities, inc.Category)
			}
			if math.IsNaN(rec.DistanceM) || math.IsNaN(rec.ETASeconds) || (rec.DistanceM < 0 && rec.DistanceM != -1) {
				t.Fatalf("unit %d: distance %v, eta %v", u.ID, rec.DistanceM, rec.ETASeconds)
			}
			if len(rec.Reasons) == 0 {
				t.Fatalf("unit %d without reasons", u.ID)
			}
			var c candidate
			switch {
			case !q.located:
				q.rankUnlocated(u, &c)
			case u.Position == nil:
				q.rankUnplaced(u, &c)
			default:
				q.rank(u, HaversineM(q.point, *u.Position), &c)
			}
			if i > 0 && compare(&prev, &c) >= 0 {
				t.Fatalf("recommendation %d (unit %d) ranks before %d (unit %d)", i, u.ID, i-1, prev.unit.ID)
			}
			prev = c
		}
	})
}
