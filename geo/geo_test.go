package geo_test

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

func TestDefaultPackIsFes(t *testing.T) {
	p := geo.DefaultPack()
	if p.ID != "fes" || len(p.Zones) != 6 {
		t.Fatalf("pack %s with %d zones", p.ID, len(p.Zones))
	}
	if !strings.Contains(p.Attribution, "OpenStreetMap") || !strings.Contains(p.Attribution, "ODbL") {
		t.Errorf("attribution lost: %q", p.Attribution)
	}
	want := map[string]string{"Agdal": "أكدال", "Saïss": "سايس", "Fès-Médina": "فاس المدينة", "Jnan El Ouard": "جنان الورد",
		"El Mariniyine": "المرينيين", "Zouagha": "زواغة"}
	for _, z := range p.Zones {
		if want[z.Names.FR] != z.Names.AR || z.Population <= 0 {
			t.Errorf("zone %s: %+v", z.Code, z.Names)
		}
	}
	if p.Zone("03.231.01.13").Population != 358631 {
		t.Error("Zouagha's 2024 population is 358,631")
	}
	var gangUnits int
	for _, u := range p.Units {
		if u.Kind == "anti_gang" {
			gangUnits++
		}
	}
	if gangUnits == 0 || len(p.Categories) != 14 {
		t.Errorf("%d anti-gang units, %d categories", gangUnits, len(p.Categories))
	}
}

func TestLocate(t *testing.T) {
	idx, err := geo.NewZoneIndex(geo.DefaultPack().Zones)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		p    yaqaza.Point
		zone string
	}{
		{"Bab Boujloud", yaqaza.Point{Lat: 34.0617, Lon: -4.9836}, "03.231.01.07"},
		{"Agdal", yaqaza.Point{Lat: 34.03, Lon: -5.0}, "03.231.01.01"},
		{"Saïss", yaqaza.Point{Lat: 34.0, Lon: -4.98}, "03.231.01.05"},
		{"Jnan El Ouard", yaqaza.Point{Lat: 34.06, Lon: -4.96}, "03.231.01.09"},
		{"El Mariniyine", yaqaza.Point{Lat: 34.065, Lon: -5.01}, "03.231.01.11"},
		{"Zouagha", yaqaza.Point{Lat: 34.02, Lon: -5.04}, "03.231.01.13"},
		{"Rabat", yaqaza.Point{Lat: 34.02, Lon: -6.84}, ""},
		{"lat/lon swapped", yaqaza.Point{Lat: -4.98, Lon: 34.06}, ""},
	}
	for _, c := range cases {
		if got := idx.Locate(c.p); got != c.zone {
			t.Errorf("%s: zone %q, want %q", c.name, got, c.zone)
		}
	}
}

func packFS(pack, zones string) fstest.MapFS {
	return fstest.MapFS{"pack.json": {Data: []byte(pack)}, "zones.geojson": {Data: []byte(zones)}}
}

const square = `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},
	"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}`

func TestReadPackRefusesBrokenPacks(t *testing.T) {
	okPack := `{"id":"t","zones":[{"code":"A","names":{"fr":"A"}}],"categories":[{"code":"other","names":{"fr":"Autre"},"priority":"P4"}]}`
	if p, err := geo.ReadPack(packFS(okPack, square)); err != nil || len(p.Zones) != 1 {
		t.Fatalf("a good pack: %v", err)
	}
	cases := map[string]fstest.MapFS{
		"not json":           packFS(`{`, square),
		"no pack.json":       {"zones.geojson": {Data: []byte(square)}},
		"zones not geojson":  packFS(okPack, `[]`),
		"feature not a zone": packFS(`{"id":"t","zones":[{"code":"B"}]}`, square),
		"zone without area":  packFS(`{"id":"t","zones":[{"code":"A"},{"code":"B"}]}`, square),
		"open ring":          packFS(okPack, strings.Replace(square, `[0,1],[0,0]]`, `[0,1],[0,0.5]]`, 1)),
		"point geometry": packFS(okPack, `{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"code":"A"},
			"geometry":{"type":"Point","coordinates":[0,0]}}]}`),
		"out of range": packFS(okPack, strings.Replace(square, `[1,1]`, `[200,1]`, 1)),
		"bad priority": packFS(`{"id":"t","zones":[{"code":"A"}],"categories":[{"code":"x","priority":"P7"}]}`, square),
		"no id":        packFS(`{"zones":[{"code":"A"}]}`, square),
		"unit outside": packFS(`{"id":"t","zones":[{"code":"A"}],"units":[{"call_sign":"U1","home_zone":"Z"}]}`, square),
	}
	for name, fsys := range cases {
		_, err := geo.ReadPack(fsys)
		if yaqaza.ErrorCode(err) != yaqaza.EINVALID || yaqaza.ErrorMessage(err) == "" {
			t.Errorf("%s: %v, want EINVALID with a message", name, err)
		}
	}
}

func TestPackRoundTripsThroughJSON(t *testing.T) {
	p := geo.DefaultPack()
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back yaqaza.Pack
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if err := back.Validate(); err != nil {
		t.Fatal(err)
	}
	if _, err := geo.NewZoneIndex(back.Zones); err != nil {
		t.Fatal(err)
	}
}
