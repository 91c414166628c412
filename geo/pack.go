// Package geo reads jurisdiction packs and answers where things are: which
// zone a point falls in. It is the only package that parses GeoJSON.
package geo

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"time"
	_ "time/tzdata" // a pack names its timezone; machines without tzdata still know it

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/yaqaza/yaqaza"
)

//go:embed packs/fes
var packs embed.FS

// packFile is the layout of a pack's pack.json: the pack itself, with zone
// geometry kept in a separate GeoJSON file so that GIS tools can edit it.
type packFile struct {
	yaqaza.Pack
	ZonesFile string `json:"zones_file"`
}

// DefaultPack returns the Fès pack built into the binary.
func DefaultPack() *yaqaza.Pack {
	sub, err := fs.Sub(packs, "packs/fes")
	if err != nil {
		panic(err)
	}
	p, err := ReadPack(sub)
	if err != nil {
		panic(fmt.Sprintf("built-in Fès pack is broken: %v", err))
	}
	return p
}

// ReadPackDir reads a pack from a directory on disk.
func ReadPackDir(dir string) (*yaqaza.Pack, error) {
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack directory %s does not exist", dir)
	}
	return ReadPack(os.DirFS(dir))
}

// ReadPack reads pack.json and its zones GeoJSON from fsys, joins each
// feature to its zone by the feature's "code" property, and checks that every
// zone has a valid polygon and every polygon a zone.
func ReadPack(fsys fs.FS) (*yaqaza.Pack, error) {
	b, err := fs.ReadFile(fsys, "pack.json")
	if err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: cannot read pack.json: %v", err)
	}
	var pf packFile
	if err := json.Unmarshal(b, &pf); err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: pack.json is not valid: %v", err)
	}
	if pf.ZonesFile == "" {
		pf.ZonesFile = "zones.geojson"
	}
	gb, err := fs.ReadFile(fsys, pf.ZonesFile)
	if err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: cannot read %s: %v", pf.ZonesFile, err)
	}
	fc, err := geojson.UnmarshalFeatureCollection(gb)
	if err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: %s is not a GeoJSON FeatureCollection: %v", pf.ZonesFile, err)
	}
	p := &pf.Pack
	byCode := map[string]*yaqaza.Zone{}
	for i := range p.Zones {
		byCode[p.Zones[i].Code] = &p.Zones[i]
	}
	for i, f := range fc.Features {
		code, _ := f.Properties["code"].(string)
		z := byCode[code]
		if z == nil {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: feature %d of %s has code %q, which is not a zone of pack.json", i, pf.ZonesFile, code)
		}
		if err := checkArea(f.Geometry); err != nil {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: zone %s: %v", code, err)
		}
		if z.Geometry, err = json.Marshal(geojson.NewGeometry(f.Geometry)); err != nil {
			return nil, err
		}
	}
	if p.Gazetteer, err = readGazetteer(fsys, zoneCodes(p.Zones)); err != nil {
		return nil, err
	}
	if lb, err := fs.ReadFile(fsys, "lexicon.json"); err == nil {
		p.Lexicon = new(yaqaza.Lexicon)
		if err := json.Unmarshal(lb, p.Lexicon); err != nil {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: lexicon.json is not valid: %v", err)
		}
	}
	if p.Timezone == "" {
		p.Timezone = "UTC"
	}
	if _, err := time.LoadLocation(p.Timezone); err != nil {
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "pack: unknown timezone %q", p.Timezone)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if _, err := NewZoneIndex(p.Zones); err != nil {
		return nil, err
	}
	return p, nil
}

// checkArea accepts polygons and multipolygons whose rings are closed, have
// at least four points and lie within WGS84 bounds.
func checkArea(g orb.Geometry) error {
	var polys []orb.Polygon
	switch v := g.(type) {
	case orb.Polygon:
		polys = []orb.Polygon{v}
	case orb.MultiPolygon:
		polys = v
	default:
		return fmt.Errorf("geometry must be a Polygon or MultiPolygon, got %T", g)
	}
	if len(polys) == 0 {
		return fmt.Errorf("geometry is empty")
	}
	for _, poly := range polys {
		if len(poly) == 0 {
			return fmt.Errorf("polygon has no ring")
		}
		for _, ring := range poly {
			if len(ring) < 4 || !ring.Closed() {
				return fmt.Errorf("every ring needs at least 4 points and must be closed")
			}
			for _, pt := range ring {
				if pt.Lon() < -180 || pt.Lon() > 180 || pt.Lat() < -90 || pt.Lat() > 90 {
					return fmt.Errorf("point %v is outside WGS84 bounds (coordinates are [lon, lat])", pt)
				}
			}
		}
	}
	return nil
}
