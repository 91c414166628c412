package geo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/paulmach/orb/planar"

	"github.com/yaqaza/yaqaza"
)

// ZoneIndex answers which zone contains a point. A jurisdiction has a handful
// of zones, so a bounding-box test before the exact test is all the indexing
// it needs.
type ZoneIndex struct {
	zones []indexedZone
	bound orb.Bound
}

type indexedZone struct {
	code  string
	bound orb.Bound
	area  orb.MultiPolygon
}

// Area reads a zone's GeoJSON geometry, a Polygon or a MultiPolygon, as a
// MultiPolygon.
func Area(geometry json.RawMessage) (orb.MultiPolygon, error) {
	g, err := geojson.UnmarshalGeometry(geometry)
	if err != nil {
		return nil, fmt.Errorf("geometry is not GeoJSON: %v", err)
	}
	switch v := g.Geometry().(type) {
	case orb.Polygon:
		return orb.MultiPolygon{v}, nil
	case orb.MultiPolygon:
		return v, nil
	}
	return nil, errors.New("geometry must be a Polygon or MultiPolygon")
}

// NewZoneIndex parses every zone's geometry.
func NewZoneIndex(zones []yaqaza.Zone) (*ZoneIndex, error) {
	idx := &ZoneIndex{}
	for i, z := range zones {
		mp, err := Area(z.Geometry)
		if err != nil {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "zone %s: %v", z.Code, err)
		}
		b := mp.Bound()
		idx.zones = append(idx.zones, indexedZone{code: z.Code, bound: b, area: mp})
		if i == 0 {
			idx.bound = b
		} else {
			idx.bound = idx.bound.Union(b)
		}
	}
	return idx, nil
}

// Locate returns the code of the zone containing p, or "" when p is in none.
func (idx *ZoneIndex) Locate(p yaqaza.Point) string {
	pt := orb.Point{p.Lon, p.Lat}
	if idx == nil || !idx.bound.Contains(pt) {
		return ""
	}
	for _, z := range idx.zones {
		if z.bound.Contains(pt) && planar.MultiPolygonContains(z.area, pt) {
			return z.code
		}
	}
	return ""
}

// Covers reports whether p falls inside the jurisdiction's overall bounding box.
func (idx *ZoneIndex) Covers(p yaqaza.Point) bool {
	return idx != nil && idx.bound.Contains(orb.Point{p.Lon, p.Lat})
}

// Centroid returns a representative point of a zone (its bounding-box centre),
// used as an approximate location when only the zone is known.
func (idx *ZoneIndex) Centroid(code string) (yaqaza.Point, bool) {
	for _, z := range idx.zones {
		if z.code == code {
			c := z.bound.Center()
			return yaqaza.Point{Lat: c.Lat(), Lon: c.Lon()}, true
		}
	}
	return yaqaza.Point{}, false
}

// PointAssessor places a report in the zone its point falls in and judges
// nothing else: every report is relevant, uncategorised, P3. It stands in
// for triage where triage is not wanted (store tests, imports of past data).
type PointAssessor struct {
	Zones *ZoneIndex
}

// Assess implements yaqaza.Assessor.
func (p PointAssessor) Assess(_ context.Context, in *yaqaza.ReportInput) *yaqaza.Assessment {
	a := &yaqaza.Assessment{Relevant: true, Priority: yaqaza.P3, PriorityWhy: "P3: not triaged"}
	if in.Location != nil {
		a.Location = in.Location
		a.ZoneCode = p.Zones.Locate(*in.Location)
	}
	return a
}

// Bound is the jurisdiction's bounding box: south-west and north-east corners.
func (idx *ZoneIndex) Bound() (sw, ne yaqaza.Point) {
	return yaqaza.Point{Lat: idx.bound.Min.Lat(), Lon: idx.bound.Min.Lon()}, yaqaza.Point{Lat: idx.bound.Max.Lat(), Lon: idx.bound.Max.Lon()}
}
