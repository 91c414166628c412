package cap

import (
	"math"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/yaqaza/yaqaza"
)

// MaxPolygonPairs bounds one polygon read from an alert; a district or a
// province needs a few hundred points, never this many.
const MaxPolygonPairs = 10000

// ParsePolygon reads a CAP polygon: WGS 84 "lat,lon" pairs separated by
// whitespace, at least four, the first equal to the last.
func ParsePolygon(s string) ([]yaqaza.Point, error) {
	fields := strings.Fields(s)
	if len(fields) < 4 {
		return nil, yaqaza.Invalidf("polygon", "a <polygon> needs at least 4 lat,lon pairs (the first repeated last), got %d", len(fields))
	}
	if len(fields) > MaxPolygonPairs {
		return nil, yaqaza.Invalidf("polygon", "a <polygon> has %d pairs, over the limit of %d", len(fields), MaxPolygonPairs)
	}
	ring := make([]yaqaza.Point, len(fields))
	for i, f := range fields {
		p, err := parsePair("polygon", f)
		if err != nil {
			return nil, err
		}
		ring[i] = p
	}
	if ring[0] != ring[len(ring)-1] {
		return nil, yaqaza.Invalidf("polygon", "a <polygon> must be closed: its first pair %s differs from its last %s",
			fields[0], fields[len(fields)-1])
	}
	return ring, nil
}

// ParseCircle reads a CAP circle: a "lat,lon" centre, a space, and a radius
// in kilometres.
func ParseCircle(s string) (yaqaza.Point, float64, error) {
	fields := strings.Fields(s)
	if len(fields) != 2 {
		return yaqaza.Point{}, 0, yaqaza.Invalidf("circle", "a <circle> is \"lat,lon radius_km\", got %q", yaqaza.Excerpt(s))
	}
	c, err := parsePair("circle", fields[0])
	if err != nil {
		return yaqaza.Point{}, 0, err
	}
	r, err := strconv.ParseFloat(fields[1], 64)
	if err != nil || math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
		return yaqaza.Point{}, 0, yaqaza.Invalidf("circle", "the radius of a <circle> must be a number of kilometres, got %q", yaqaza.Excerpt(fields[1]))
	}
	return c, r, nil
}

func parsePair(field, s string) (yaqaza.Point, error) {
	lat, lon, ok := strings.Cut(s, ",")
	if !ok || strings.Contains(lon, ",") {
		return yaqaza.Point{}, yaqaza.Invalidf(field, "%q in a <%s> is not a lat,lon pair", yaqaza.Excerpt(s), field)
	}
	var p yaqaza.Point
	var err1, err2 error
	p.Lat, err1 = strconv.ParseFloat(lat, 64)
	p.Lon, err2 = strconv.ParseFloat(lon, 64)
	if err1 != nil || err2 != nil || math.IsNaN(p.Lat) || math.IsNaN(p.Lon) {
		return yaqaza.Point{}, yaqaza.Invalidf(field, "%q in a <%s> is not a pair of numbers", yaqaza.Excerpt(s), field)
	}
	if p.Lat < -90 || p.Lat > 90 || p.Lon < -180 || p.Lon > 180 {
		return yaqaza.Point{}, yaqaza.Invalidf(field, "%q in a <%s> is outside WGS 84 (latitude ±90, longitude ±180)", yaqaza.Excerpt(s), field)
	}
	return p, nil
}

// FormatPolygon writes a closed ring as a CAP polygon, to five decimals
// (about a metre).
func FormatPolygon(ring []yaqaza.Point) string {
	var b strings.Builder
	for i, p := range ring {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(strconv.FormatFloat(p.Lat, 'f', 5, 64))
		b.WriteByte(',')
		b.WriteString(strconv.FormatFloat(p.Lon, 'f', 5, 64))
	}
	return b.String()
}

// Centroid is the centroid of the union of rings (area-weighted), or the
// mean of their points when they enclose no area.
func Centroid(rings [][]yaqaza.Point) yaqaza.Point {
	var mp orb.MultiPolygon
	var sum yaqaza.Point
	n := 0
	for _, ring := range rings {
		r := make(orb.Ring, len(ring))
		for i, p := range ring {
			r[i] = orb.Point{p.Lon, p.Lat}
			sum.Lat, sum.Lon = sum.Lat+p.Lat, sum.Lon+p.Lon
			n++
		}
		mp = append(mp, orb.Polygon{r})
	}
	if n == 0 {
		return yaqaza.Point{}
	}
	c, area := planar.CentroidArea(mp)
	if area == 0 || math.IsNaN(c[0]) || math.IsNaN(c[1]) {
		return yaqaza.Point{Lat: sum.Lat / float64(n), Lon: sum.Lon / float64(n)}
	}
	return yaqaza.Point{Lat: c[1], Lon: c[0]}
}
