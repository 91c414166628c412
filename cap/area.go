package cap

import (
	"encoding/json"
	"fmt"
	"math"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/simplify"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

// MaxPolygonPoints bounds a zone's outline in an alert. Broadcast gateways
// that relay CAP to phones commonly accept no more than 100 vertices, and
// the public needs the district, not its every street corner.
const MaxPolygonPoints = 100

// ZonePolygons returns a zone's GeoJSON geometry (Polygon or MultiPolygon)
// as CAP polygons: the outer ring of each part (CAP has no holes),
// simplified until it has at most MaxPolygonPoints points.
func ZonePolygons(geometry json.RawMessage) ([]string, error) {
	parts, err := geo.Area(geometry)
	if err != nil {
		return nil, fmt.Errorf("zone %w", err)
	}
	var out []string
	for _, poly := range parts {
		if len(poly) == 0 || len(poly[0]) < 4 {
			continue
		}
		if ring := capRing(outline(poly[0], MaxPolygonPoints)); len(ring) >= 4 {
			out = append(out, FormatPolygon(ring))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("zone geometry has no ring of four points or more")
	}
	return out, nil
}

// outline simplifies a closed ring (Douglas-Peucker), doubling the
// tolerance from about 5 m until it has at most max points. A ring that
// would fall below four points keeps the last simplification that did not.
func outline(ring orb.Ring, max int) orb.Ring {
	best := closed(ring)
	for tol := 0.00005; len(best) > max && tol < 1; tol *= 2 {
		r := closed(simplify.DouglasPeucker(tol).Ring(ring.Clone()))
		if len(r) < 4 {
			break
		}
		best = r
	}
	return best
}

// closed makes sure the last point repeats the first, as CAP requires.
func closed(r orb.Ring) orb.Ring {
	if len(r) > 0 && r[0] != r[len(r)-1] {
		r = append(r, r[0])
	}
	return r
}

// capRing turns GeoJSON's [lon, lat] into points, rounded to five decimals
// as they will be written, dropping points that rounding made repeats of
// the one before.
func capRing(r orb.Ring) []yaqaza.Point {
	out := make([]yaqaza.Point, 0, len(r))
	for _, p := range r {
		q := yaqaza.Point{Lat: round5(p[1]), Lon: round5(p[0])}
		if len(out) > 0 && out[len(out)-1] == q {
			continue
		}
		out = append(out, q)
	}
	return out
}

func round5(v float64) float64 { return math.Round(v*1e5) / 1e5 }
