package geo

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/yaqaza/yaqaza"
)

func TestFesGazetteer(t *testing.T) {
	sub, err := fs.Sub(packs, "packs/fes")
	if err != nil {
		t.Fatal(err)
	}
	pack := DefaultPack()
	places, err := readGazetteer(sub, zoneCodes(pack.Zones))
	if err != nil {
		t.Fatal(err)
	}
	// 679 rows of neighbourhoods.csv, less merged spellings and junk rows,
	// plus the arrondissements and landmarks.
	if len(places) < 600 {
		t.Errorf("%d places, want the Fès list (over 600)", len(places))
	}
	byName := map[string]yaqaza.Place{}
	perZone := map[string]int{}
	for _, p := range places {
		if _, dup := byName[p.Name]; dup {
			t.Errorf("%s appears twice", p.Name)
		}
		byName[p.Name] = p
		perZone[p.Zone]++
	}
	// Every arrondissement is a place of its own zone, under its pack names.
	for _, z := range pack.Zones {
		p, ok := byName[z.Names.FR]
		if !ok || p.Zone != z.Code || p.Names.AR != z.Names.AR {
			t.Errorf("arrondissement %s: %+v", z.Names.FR, p)
		}
		if perZone[z.Code] < 2 {
			t.Errorf("zone %s has %d places", z.Code, perZone[z.Code])
		}
	}
	for name, zone := range map[string]string{"Bensouda": "03.231.01.13", "Bab Boujloud": "03.231.01.07",
		"Mont Fleuri": "03.231.01.05", "Hay Atlas": "03.231.01.01", "Narjiss": "", "Fès Jdid": ""} {
		if p, ok := byName[name]; !ok || p.Zone != zone {
			t.Errorf("%s: %+v, want zone %q", name, p, zone)
		}
	}
	if !byName["Narjiss"].CommonWord || byName["Bensouda"].CommonWord {
		t.Error("Narjiss (a flower) is a common word, Bensouda is not")
	}
	// The data is ODbL: its attribution must stay with it.
	attr, err := fs.ReadFile(sub, "ATTRIBUTION.md")
	if err != nil || !strings.Contains(string(attr), gazetteerFile) {
		t.Errorf("ATTRIBUTION.md does not credit %s", gazetteerFile)
	}
}

func TestReadGazetteer(t *testing.T) {
	zones := map[string]bool{"A": true}
	gz := func(s string) fstest.MapFS { return fstest.MapFS{gazetteerFile: {Data: []byte(s)}} }

	if places, err := readGazetteer(fstest.MapFS{}, zones); err != nil || places != nil {
		t.Errorf("a pack without a gazetteer: %v, %v", places, err)
	}
	places, err := readGazetteer(gz(`[{"name":"Bensouda","names":{"ar":"بنسودة"},"aliases":["Ben Souda"],"zone":"A",
		"point":{"lat":34.02,"lon":-5.04}}, {"name":"Narjiss","common_word":true}]`), zones)
	if err != nil || len(places) != 2 || places[0].Point == nil || places[0].Names.AR != "بنسودة" || !places[1].CommonWord {
		t.Fatalf("%+v, %v", places, err)
	}

	bad := map[string]string{
		"not json":       `[{"name":`,
		"not an array":   `{"name":"X"}`,
		"trailing data":  `[] []`,
		"unknown field":  `[{"name":"X","comon_word":true}]`,
		"no name":        `[{"name":"  ","zone":"A"}]`,
		"null entry":     `[null]`,
		"empty alias":    `[{"name":"X","aliases":["Y",""]}]`,
		"unknown zone":   `[{"name":"X","zone":"B"}]`,
		"latitude 91":    `[{"name":"X","point":{"lat":91,"lon":0}}]`,
		"longitude -181": `[{"name":"X","point":{"lat":0,"lon":-181}}]`,
	}
	for name, data := range bad {
		_, err := readGazetteer(gz(data), zones)
		if yaqaza.ErrorCode(err) != yaqaza.EINVALID || !strings.Contains(yaqaza.ErrorMessage(err), gazetteerFile) {
			t.Errorf("%s: %v, want EINVALID naming %s", name, err, gazetteerFile)
		}
	}
	// The error names the entry, so that a pack author can find it.
	_, err = readGazetteer(gz(`[{"name":"Ok"},{"name":"Zohour","zone":"Z"}]`), zones)
	if msg := yaqaza.ErrorMessage(err); !strings.Contains(msg, "entry 2") || !strings.Contains(msg, "Zohour") {
		t.Errorf("error %q does not name entry 2 (Zohour)", msg)
	}
}
