package dispatch

import (
	"maps"
	"math"
	"slices"

	"github.com/yaqaza/yaqaza"
)

// DefaultPolicy is the dispatch policy for a pack that sets none, written for
// Fès: a dense old city with a road factor of 1.35, and the kinds and
// capabilities of the built-in pack. Every category that needs someone on
// the spot needs first_response, so that a knife fight still gets the
// nearest patrol when every anti-gang team is busy; specialist kinds are
// steered to their incidents by preference, and routine incidents prefer
// district units so that specialists stay free. Each call returns a new copy.
func DefaultPolicy() *yaqaza.DispatchPolicy {
	first := []string{"first_response"}
	district := []string{"patrol", "motorbike"}
	return &yaqaza.DispatchPolicy{
		RoadFactor: 1.35,
		SpeedKmh: map[string]float64{
			"patrol":    35,
			"motorbike": 40, // gets through the médina's lanes and traffic
			"anti_gang": 40,
			"traffic":   40,
			"judicial":  30,
			"community": 25,
		},
		Needs: map[string][]string{
			"assault":           first,
			"armed":             first,
			"theft_robbery":     first,
			"burglary":          first,
			"gang":              first,
			"drugs":             first,
			"harassment":        first,
			"domestic_violence": first,
			"public_disorder":   first,
			"traffic":           first,
			"fraud_cyber":       {"investigation"},
		},
		Prefers: map[string][]string{
			"assault":           district,
			"armed":             {"anti_gang"},
			"theft_robbery":     {"motorbike", "patrol"},
			"burglary":          {"patrol"},
			"gang":              {"anti_gang"},
			"drugs":             {"anti_gang", "patrol"},
			"harassment":        district,
			"domestic_violence": {"patrol"},
			"public_disorder":   district,
			"traffic":           {"traffic"},
			"vandalism":         {"patrol", "community"},
			"missing_person":    {"patrol", "community"},
			"fraud_cyber":       {"judicial"},
			"other":             {"patrol", "community"},
		},
		AutoDispatch: []yaqaza.Priority{yaqaza.P1},
	}
}

// Limits a policy must keep.
const (
	MinRoadFactor = 1
	MaxRoadFactor = 3
	MaxSpeedKmh   = 200
)

// ValidatePolicy checks a dispatch policy against the pack's category codes
// and the kinds of its units. EINVALID, naming the problem, for: a road
// factor outside 1–3, a speed not above 0 or above 200 km/h, a Needs or
// Prefers key that is not a category, an empty capability name, a preferred
// kind that no unit has, an automatic-dispatch priority that is not P1..P4.
// Problems are reported in a stable order (map keys sorted).
func ValidatePolicy(p *yaqaza.DispatchPolicy, categories []string, kinds []string) error {
	if p == nil {
		return yaqaza.Invalidf("dispatch", "the dispatch policy is missing")
	}
	if math.IsNaN(p.RoadFactor) || p.RoadFactor < MinRoadFactor || p.RoadFactor > MaxRoadFactor {
		return yaqaza.Invalidf("dispatch.road_factor", "road factor %g is outside %g–%g (road distance over straight-line distance)",
			p.RoadFactor, float64(MinRoadFactor), float64(MaxRoadFactor))
	}
	for _, kind := range slices.Sorted(maps.Keys(p.SpeedKmh)) {
		if v := p.SpeedKmh[kind]; math.IsNaN(v) || v <= 0 || v > MaxSpeedKmh {
			return yaqaza.Invalidf("dispatch.speed_kmh", "speed of kind %q is %g km/h; it must be above 0 and at most %d",
				kind, v, MaxSpeedKmh)
		}
	}
	for _, cat := range slices.Sorted(maps.Keys(p.Needs)) {
		if !slices.Contains(categories, cat) {
			return yaqaza.Invalidf("dispatch.needs", "needs names %q, which is not a category of the pack", cat)
		}
		for _, c := range p.Needs[cat] {
			if c == "" {
				return yaqaza.Invalidf("dispatch.needs", "needs of %s has an empty capability", cat)
			}
		}
	}
	for _, cat := range slices.Sorted(maps.Keys(p.Prefers)) {
		if !slices.Contains(categories, cat) {
			return yaqaza.Invalidf("dispatch.prefers", "prefers names %q, which is not a category of the pack", cat)
		}
		for _, k := range p.Prefers[cat] {
			if !slices.Contains(kinds, k) {
				return yaqaza.Invalidf("dispatch.prefers", "prefers of %s names kind %q, which no unit of the pack has", cat, k)
			}
		}
	}
	for _, pr := range p.AutoDispatch {
		if !pr.Valid() {
			return yaqaza.Invalidf("dispatch.auto_dispatch", "auto_dispatch has priority %d; priorities are P1..P4", int(pr))
		}
	}
	return nil
}
