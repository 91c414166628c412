package dispatch

import (
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func fesCategoriesAndKinds() ([]string, []string) {
	p, _ := fesZones()
	var cats, kinds []string
	for _, c := range p.Categories {
		cats = append(cats, c.Code)
	}
	for _, u := range p.Units {
		if !slices.Contains(kinds, u.Kind) {
			kinds = append(kinds, u.Kind)
		}
	}
	return cats, kinds
}

func TestDefaultPolicyFitsTheFesPack(t *testing.T) {
	cats, kinds := fesCategoriesAndKinds()
	p := DefaultPolicy()
	if err := ValidatePolicy(p, cats, kinds); err != nil {
		t.Fatal(err)
	}
	for _, c := range cats {
		if len(p.Prefers[c]) == 0 {
			t.Errorf("category %s has no preferred kind", c)
		}
	}
	for _, k := range kinds {
		if p.SpeedKmh[k] == 0 {
			t.Errorf("kind %s has no speed", k)
		}
	}
	// Every need can be met by some unit of the pack.
	pack, _ := fesZones()
	for cat, needs := range p.Needs {
		ok := slices.ContainsFunc(pack.Units, func(u yaqaza.Unit) bool {
			for _, n := range needs {
				if !slices.Contains(u.Capabilities, n) {
					return false
				}
			}
			return true
		})
		if !ok {
			t.Errorf("no unit of the pack can answer %s (needs %v)", cat, needs)
		}
	}
	p.SpeedKmh["patrol"] = 1
	if DefaultPolicy().SpeedKmh["patrol"] == 1 {
		t.Error("DefaultPolicy must return a fresh copy")
	}
}

func TestValidatePolicyErrors(t *testing.T) {
	cats, kinds := fesCategoriesAndKinds()
	for _, tc := range []struct {
		change func(*yaqaza.DispatchPolicy)
		field  string
		says   string
	}{
		{func(p *yaqaza.DispatchPolicy) { p.RoadFactor = 0.9 }, "dispatch.road_factor", "road factor 0.9"},
		{func(p *yaqaza.DispatchPolicy) { p.RoadFactor = 3.5 }, "dispatch.road_factor", "outside 1–3"},
		{func(p *yaqaza.DispatchPolicy) { p.RoadFactor = math.NaN() }, "dispatch.road_factor", "road factor"},
		{func(p *yaqaza.DispatchPolicy) { p.SpeedKmh["patrol"] = 0 }, "dispatch.speed_kmh", `speed of kind "patrol" is 0 km/h`},
		{func(p *yaqaza.DispatchPolicy) { p.SpeedKmh["motorbike"] = -5 }, "dispatch.speed_kmh", `"motorbike"`},
		{func(p *yaqaza.DispatchPolicy) { p.SpeedKmh["traffic"] = 250 }, "dispatch.speed_kmh", "at most 200"},
		{func(p *yaqaza.DispatchPolicy) { p.Needs["knife"] = []string{"first_response"} }, "dispatch.needs", `"knife", which is not a category`},
		{func(p *yaqaza.DispatchPolicy) { p.Needs["armed"] = []string{""} }, "dispatch.needs", "empty capability"},
		{func(p *yaqaza.DispatchPolicy) { p.Prefers["riot"] = []string{"patrol"} }, "dispatch.prefers", `"riot", which is not a category`},
		{func(p *yaqaza.DispatchPolicy) { p.Prefers["armed"] = []string{"helicopter"} }, "dispatch.prefers", `kind "helicopter", which no unit`},
		{func(p *yaqaza.DispatchPolicy) { p.AutoDispatch = []yaqaza.Priority{yaqaza.P1, 5} }, "dispatch.auto_dispatch", "priority 5"},
		{func(p *yaqaza.DispatchPolicy) { p.AutoDispatch = []yaqaza.Priority{0} }, "dispatch.auto_dispatch", "P1..P4"},
	} {
		p := DefaultPolicy()
		tc.change(p)
		err := ValidatePolicy(p, cats, kinds)
		var e *yaqaza.Error
		if yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			t.Errorf("%s: %v, want EINVALID", tc.says, err)
			continue
		}
		e = err.(*yaqaza.Error)
		if e.Field != tc.field || !strings.Contains(e.Message, tc.says) {
			t.Errorf("got field %s message %q; want field %s and %q", e.Field, e.Message, tc.field, tc.says)
		}
	}
	if yaqaza.ErrorCode(ValidatePolicy(nil, cats, kinds)) != yaqaza.EINVALID {
		t.Error("a missing policy is invalid")
	}
}

// A bad policy that slipped through still gives sane recommendations.
func TestRecommenderSurvivesBadPolicy(t *testing.T) {
	idx := newFesIndex(t, unit(1, "patrol", yaqaza.UnitAvailable, "", ptr(agdal)))
	p := &yaqaza.DispatchPolicy{RoadFactor: math.NaN(), SpeedKmh: map[string]float64{"patrol": 0}}
	got := NewRecommender(idx, p).Recommend(&yaqaza.Incident{Location: ptr(offset(agdal, 1000, 0))}, 1)
	if len(got) != 1 || math.IsNaN(got[0].ETASeconds) || math.IsInf(got[0].ETASeconds, 0) {
		t.Fatalf("got %+v", got)
	}
	if want := 1000 / (FallbackSpeedKmh / 3.6); math.Abs(got[0].ETASeconds-want) > 1 {
		t.Errorf("eta %v, want %v (road factor 1, fallback speed)", got[0].ETASeconds, want)
	}
}
