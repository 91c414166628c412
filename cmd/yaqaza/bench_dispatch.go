package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/dispatch"
	"github.com/yaqaza/yaqaza/geo"
)

// fesBox is the Fès prefecture's bounding box, a little wider than its zones.
var fesBox = dispatch.Box{MinLat: 33.97, MinLon: -5.08, MaxLat: 34.08, MaxLon: -4.93}

// runBenchDispatch measures unit recommendation: a seeded fleet of the
// built-in pack's kinds spread over Fès, about 70% available, and random
// incidents of every category. Each incident is answered with the index,
// then, as the baseline in the same run, by ranking every unit and sorting;
// the two answers must be the same units in the same order.
func runBenchDispatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench dispatch")
	nUnits := fs.Int("units", 2000, "units in the fleet")
	nIncidents := fs.Int("incidents", 10000, "incidents to recommend units for")
	k := fs.Int("k", 5, "units recommended per incident")
	seed := fs.Uint64("seed", 1, "seed of the fleet and the incidents")
	cell := fs.Float64("cell", dispatch.DefaultCellM, "grid cell of the index, in metres")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *nUnits < 1 || *nIncidents < 1 || *k < 1 || !(*cell > 0) {
		return usageError{"bench dispatch: --units, --incidents, --k and --cell must be positive"}
	}
	pack := geo.DefaultPack()
	zones, err := geo.NewZoneIndex(pack.Zones)
	if err != nil {
		return err
	}
	if len(pack.Units) == 0 || len(pack.Categories) == 0 {
		return fmt.Errorf("bench dispatch: the built-in pack has no units or no categories")
	}
	idx, err := dispatch.NewIndex(fesBox, *cell, zones.Centroid)
	if err != nil {
		return err
	}
	policy := pack.Dispatch
	if policy == nil {
		policy = dispatch.DefaultPolicy()
	}
	rec := dispatch.NewRecommender(idx, policy)

	rng := rand.New(rand.NewPCG(*seed, 11))
	available := 0
	for _, u := range benchFleet(rng, pack.Units, *nUnits) {
		if u.Status == yaqaza.UnitAvailable {
			available++
		}
		if err := idx.Upsert(u); err != nil {
			return err
		}
	}
	incidents := make([]*yaqaza.Incident, *nIncidents)
	for i := range incidents {
		c := pack.Categories[rng.IntN(len(pack.Categories))]
		p := benchPoint(rng)
		incidents[i] = &yaqaza.Incident{ID: int64(i + 1), Category: c.Code, Priority: c.Priority, Location: &p, ZoneCode: zones.Locate(p)}
	}
	fmt.Fprintf(stderr, "%d units (%d available), %d incidents, k=%d, cells of %.0f m\n", *nUnits, available, *nIncidents, *k, *cell)

	// Warm both paths up, then time each over every incident.
	for _, inc := range incidents[:min(len(incidents), 200)] {
		rec.Recommend(inc, *k)
		rec.RecommendExhaustive(inc, *k)
	}
	indexed, indexTimes, err := timeRecommend(ctx, incidents, func(inc *yaqaza.Incident) []yaqaza.Recommendation { return rec.Recommend(inc, *k) })
	if err != nil {
		return err
	}
	brute, bruteTimes, err := timeRecommend(ctx, incidents, func(inc *yaqaza.Incident) []yaqaza.Recommendation { return rec.RecommendExhaustive(inc, *k) })
	if err != nil {
		return err
	}
	mismatches, empty := 0, 0
	for i := range incidents {
		if !sameUnits(indexed[i], brute[i]) {
			mismatches++
			if mismatches == 1 {
				fmt.Fprintf(stderr, "incident %d: index %v, exhaustive %v\n", incidents[i].ID, indexed[i], brute[i])
			}
		}
		if len(indexed[i]) == 0 {
			empty++
		}
	}
	res := map[string]any{
		"units":            *nUnits,
		"available":        available,
		"incidents":        *nIncidents,
		"k":                *k,
		"cell_m":           *cell,
		"p50_us":           round(percentileUS(indexTimes, 0.50)),
		"p99_us":           round(percentileUS(indexTimes, 0.99)),
		"max_us":           round(percentileUS(indexTimes, 1)),
		"mean_us":          round(meanUS(indexTimes)),
		"baseline_p50_us":  round(percentileUS(bruteTimes, 0.50)),
		"baseline_p99_us":  round(percentileUS(bruteTimes, 0.99)),
		"baseline_mean_us": round(meanUS(bruteTimes)),
		"speedup_p99":      round(percentileUS(bruteTimes, 0.99) / percentileUS(indexTimes, 0.99)),
		"identical":        mismatches == 0,
		"mismatches":       mismatches,
		"unanswered":       empty,
	}
	fmt.Fprintf(stderr, "index p99 %.1f µs, every unit p99 %.1f µs; %d of %d answers differ; %d incidents had no unit to propose\n",
		percentileUS(indexTimes, 0.99), percentileUS(bruteTimes, 0.99), mismatches, *nIncidents, empty)
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	if mismatches > 0 {
		return fmt.Errorf("bench dispatch: %d answers of the index differ from ranking every unit", mismatches)
	}
	return nil
}

// benchFleet makes n units modelled on the pack's: each copies a random
// pack unit's kind, capabilities and home zone, stands at a random point of
// the box, and is available seven times in ten. One in a hundred has sent
// no position yet.
func benchFleet(rng *rand.Rand, templates []yaqaza.Unit, n int) []*yaqaza.Unit {
	others := []yaqaza.UnitStatus{yaqaza.UnitDispatched, yaqaza.UnitEnRoute, yaqaza.UnitOnScene, yaqaza.UnitBusy, yaqaza.UnitOffDuty}
	units := make([]*yaqaza.Unit, n)
	for i := range units {
		t := templates[rng.IntN(len(templates))]
		u := &yaqaza.Unit{
			ID: int64(i + 1), CallSign: fmt.Sprintf("%s-%d", t.CallSign, i+1), Kind: t.Kind,
			Capabilities: slices.Clone(t.Capabilities), HomeZone: t.HomeZone, Status: yaqaza.UnitAvailable,
		}
		if rng.Float64() >= 0.7 {
			u.Status = others[rng.IntN(len(others))]
		}
		if rng.IntN(100) != 0 {
			p := benchPoint(rng)
			u.Position = &p
		}
		units[i] = u
	}
	return units
}

func benchPoint(rng *rand.Rand) yaqaza.Point {
	return yaqaza.Point{
		Lat: fesBox.MinLat + rng.Float64()*(fesBox.MaxLat-fesBox.MinLat),
		Lon: fesBox.MinLon + rng.Float64()*(fesBox.MaxLon-fesBox.MinLon),
	}
}

func timeRecommend(ctx context.Context, incidents []*yaqaza.Incident, recommend func(*yaqaza.Incident) []yaqaza.Recommendation) ([][]yaqaza.Recommendation, []time.Duration, error) {
	answers := make([][]yaqaza.Recommendation, len(incidents))
	times := make([]time.Duration, len(incidents))
	for i, inc := range incidents {
		if i%1024 == 0 && ctx.Err() != nil {
			return nil, nil, ctx.Err()
		}
		start := time.Now()
		answers[i] = recommend(inc)
		times[i] = time.Since(start)
	}
	return answers, times, nil
}

func sameUnits(a, b []yaqaza.Recommendation) bool {
	return slices.EqualFunc(a, b, func(x, y yaqaza.Recommendation) bool { return x.Unit.ID == y.Unit.ID })
}

// percentileUS is the q-quantile (nearest rank) of ds in microseconds.
func percentileUS(ds []time.Duration, q float64) float64 {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := min(len(s)-1, max(0, int(q*float64(len(s))+0.5)-1))
	return float64(s[i]) / 1e3
}

func meanUS(ds []time.Duration) float64 {
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return float64(sum) / float64(len(ds)) / 1e3
}
