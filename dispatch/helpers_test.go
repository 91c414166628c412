package dispatch

import (
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

// Fès: the pack's zones, and places in them.
const (
	zoneAgdal   = "03.231.01.01"
	zoneMedina  = "03.231.01.07"
	zoneZouagha = "03.231.01.13"
)

var (
	babBoujloud = yaqaza.Point{Lat: 34.0617, Lon: -4.9836}
	agdal       = yaqaza.Point{Lat: 34.03, Lon: -5.0}
	zouagha     = yaqaza.Point{Lat: 34.02, Lon: -5.04}
	fesBox      = Box{MinLat: 33.97, MinLon: -5.08, MaxLat: 34.08, MaxLon: -4.93}
)

var fesZones = sync.OnceValues(func() (*yaqaza.Pack, *geo.ZoneIndex) {
	p := geo.DefaultPack()
	z, err := geo.NewZoneIndex(p.Zones)
	if err != nil {
		panic(err)
	}
	return p, z
})

func zonePoint(code string) (yaqaza.Point, bool) {
	_, z := fesZones()
	return z.Centroid(code)
}

// offset moves p by metres north and east.
func offset(p yaqaza.Point, northM, eastM float64) yaqaza.Point {
	return yaqaza.Point{
		Lat: p.Lat + northM/earthRadiusM*180/math.Pi,
		Lon: p.Lon + eastM/(earthRadiusM*math.Cos(rad(p.Lat)))*180/math.Pi,
	}
}

func ptr(p yaqaza.Point) *yaqaza.Point { return &p }

// unitTemplates are the Fès pack's kinds with their capabilities.
var unitTemplates = []struct {
	kind string
	caps []string
	n    int // weight, as in the pack
}{
	{"patrol", []string{"patrol", "first_response"}, 18},
	{"motorbike", []string{"patrol", "first_response"}, 6},
	{"community", []string{"community"}, 6},
	{"anti_gang", []string{"armed_response", "gang", "first_response"}, 3},
	{"judicial", []string{"investigation"}, 2},
	{"traffic", []string{"traffic", "first_response"}, 2},
}

var fesZoneCodes = []string{"03.231.01.01", "03.231.01.05", "03.231.01.07", "03.231.01.09", "03.231.01.11", "03.231.01.13"}

var fesCategories = []string{"assault", "armed", "theft_robbery", "burglary", "gang", "drugs", "harassment",
	"domestic_violence", "public_disorder", "traffic", "vandalism", "missing_person", "fraud_cyber", "other"}

func randomTemplate(rng *rand.Rand) (string, []string) {
	total := 0
	for _, t := range unitTemplates {
		total += t.n
	}
	i := rng.IntN(total)
	for _, t := range unitTemplates {
		if i < t.n {
			return t.kind, t.caps
		}
		i -= t.n
	}
	panic("unreachable")
}

func randomPoint(rng *rand.Rand, b Box) yaqaza.Point {
	return yaqaza.Point{Lat: b.MinLat + rng.Float64()*(b.MaxLat-b.MinLat), Lon: b.MinLon + rng.Float64()*(b.MaxLon-b.MinLon)}
}

// randomFleet makes n units of the pack's kinds in b, about 70% available.
func randomFleet(rng *rand.Rand, n int, b Box) []*yaqaza.Unit {
	units := make([]*yaqaza.Unit, n)
	for i := range units {
		kind, caps := randomTemplate(rng)
		u := &yaqaza.Unit{ID: int64(i + 1), Kind: kind, Capabilities: caps, Status: yaqaza.UnitAvailable,
			HomeZone: fesZoneCodes[rng.IntN(len(fesZoneCodes))]}
		if rng.Float64() > 0.7 {
			u.Status = yaqaza.UnitStatuses[1+rng.IntN(len(yaqaza.UnitStatuses)-1)]
		}
		u.Position = ptr(randomPoint(rng, b))
		units[i] = u
	}
	return units
}

func randomIncident(rng *rand.Rand, b Box) *yaqaza.Incident {
	p := randomPoint(rng, b)
	_, z := fesZones()
	return &yaqaza.Incident{Category: fesCategories[rng.IntN(len(fesCategories))], Location: &p, ZoneCode: z.Locate(p)}
}

func newFesIndex(t testing.TB, units ...*yaqaza.Unit) *Index {
	t.Helper()
	idx, err := NewIndex(fesBox, 0, zonePoint)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range units {
		if err := idx.Upsert(u); err != nil {
			t.Fatal(err)
		}
	}
	return idx
}

func ids(recs []yaqaza.Recommendation) []int64 {
	out := make([]int64, len(recs))
	for i, r := range recs {
		out[i] = r.Unit.ID
	}
	return out
}

func hasReason(r yaqaza.Recommendation, want string) bool { return slices.Contains(r.Reasons, want) }
