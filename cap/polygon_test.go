package cap_test

import (
	"math"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
	"github.com/yaqaza/yaqaza/geo"
)

func TestParsePolygon(t *testing.T) {
	ring, err := cap.ParsePolygon(" 34.03,-5.002\n34.03,-4.998 34.034,-4.998\t34.034,-5.002 34.03,-5.002 ")
	if err != nil || len(ring) != 5 || ring[1] != (yaqaza.Point{Lat: 34.03, Lon: -4.998}) {
		t.Fatalf("ring = %v, %v", ring, err)
	}
	for _, c := range []struct{ in, mention string }{
		{"34,-5 34,-4 35,-4", "at least 4"},
		{"34,-5 34,-4 35,-4 35,-5", "must be closed"},
		{"34;-5 34,-4 35,-4 34;-5", "not a lat,lon pair"},
		{"34,-5,1 34,-4 35,-4 34,-5,1", "not a lat,lon pair"},
		{"north,-5 34,-4 35,-4 north,-5", "not a pair of numbers"},
		{"NaN,-5 34,-4 35,-4 NaN,-5", "not a pair of numbers"},
		{"94,-5 34,-4 35,-4 94,-5", "outside WGS 84"},
		{"34,-185 34,-4 35,-4 34,-185", "outside WGS 84"},
	} {
		if _, err := cap.ParsePolygon(c.in); err == nil || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("ParsePolygon(%q) = %v, want an error mentioning %q", c.in, err, c.mention)
		}
	}
}

func TestParseCircle(t *testing.T) {
	c, r, err := cap.ParseCircle("34.0617,-4.9836 0.5")
	if err != nil || c != (yaqaza.Point{Lat: 34.0617, Lon: -4.9836}) || r != 0.5 {
		t.Fatalf("circle = %v %v %v", c, r, err)
	}
	for _, in := range []string{"34.0617,-4.9836", "34.0617,-4.9836 -1", "34.0617,-4.9836 far", "134,-4.9 1", "a b c"} {
		if _, _, err := cap.ParseCircle(in); err == nil {
			t.Errorf("ParseCircle(%q) accepted", in)
		}
	}
}

func TestCentroid(t *testing.T) {
	square := []yaqaza.Point{{Lat: 34, Lon: -5}, {Lat: 34, Lon: -4.9}, {Lat: 34.1, Lon: -4.9}, {Lat: 34.1, Lon: -5}, {Lat: 34, Lon: -5}}
	c := cap.Centroid([][]yaqaza.Point{square})
	if d := (c.Lat-34.05)*(c.Lat-34.05) + (c.Lon+4.95)*(c.Lon+4.95); d > 1e-12 {
		t.Errorf("centroid of the square = %v", c)
	}
	flat := []yaqaza.Point{{Lat: 34, Lon: -5}, {Lat: 34, Lon: -5}, {Lat: 34, Lon: -5}, {Lat: 34, Lon: -5}}
	if c := cap.Centroid([][]yaqaza.Point{flat}); c != (yaqaza.Point{Lat: 34, Lon: -5}) {
		t.Errorf("centroid of a ring without area = %v", c)
	}
}

// TestZonePolygons turns every Fès zone into CAP polygons: closed, within
// the point budget, and still a fair outline (each contains its zone's
// centroid, and covers most of its area).
func TestZonePolygons(t *testing.T) {
	for _, z := range geo.DefaultPack().Zones {
		g, err := geojson.UnmarshalGeometry(z.Geometry)
		if err != nil {
			t.Fatal(err)
		}
		outer := g.Geometry().(orb.Polygon)[0]
		polys, err := cap.ZonePolygons(z.Geometry)
		if err != nil || len(polys) == 0 {
			t.Fatalf("zone %s: %v", z.Code, err)
		}
		for _, p := range polys {
			ring, err := cap.ParsePolygon(p)
			if err != nil {
				t.Fatalf("zone %s: %s does not parse: %v", z.Code, p, err)
			}
			if len(ring) > cap.MaxPolygonPoints {
				t.Errorf("zone %s: %d points, over %d", z.Code, len(ring), cap.MaxPolygonPoints)
			}
			if ratio := math.Abs(planar.Area(toRing(ring)) / planar.Area(outer)); ratio < 0.97 || ratio > 1.03 {
				t.Errorf("zone %s: the outline's area is %.3f of the zone's", z.Code, ratio)
			}
			c := cap.Centroid([][]yaqaza.Point{ring})
			if !planar.RingContains(toRing(ring), orb.Point{c.Lon, c.Lat}) {
				t.Errorf("zone %s: the outline does not contain its own centroid", z.Code)
			}
		}
	}
	if _, err := cap.ZonePolygons([]byte(`{"type":"Point","coordinates":[-5,34]}`)); err == nil {
		t.Error("a Point geometry was accepted as a zone")
	}
	if _, err := cap.ZonePolygons([]byte(`not json`)); err == nil {
		t.Error("bad GeoJSON was accepted")
	}
}

func toRing(ps []yaqaza.Point) orb.Ring {
	r := make(orb.Ring, len(ps))
	for i, p := range ps {
		r[i] = orb.Point{p.Lon, p.Lat}
	}
	return r
}
