package eido_test

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/eido"
)

var now = time.Date(2026, 3, 14, 22, 0, 0, 0, time.UTC)

func readEIDO(t *testing.T, name string) *eido.Document {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	d, err := eido.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return d
}

func TestReportFromEIDO(t *testing.T) {
	in, err := readEIDO(t, "civil-protection.json").Report(now)
	if err != nil {
		t.Fatal(err)
	}
	want := "Rixe avec blessé à l'arme blanche — Assault\n" +
		"Deux hommes se battent devant la gare, l'un est blessé.\nAgresseur en fuite & armé.\nAmbulance engagée."
	if in.Channel != yaqaza.ChannelAgency || in.ExternalID != "eido:urn:emergency:uid:incidentid:pc-2026-5531:psap.protection-civile.example.ma" ||
		in.Text != want || in.Language != "" {
		t.Errorf("report = %+v\ntext %q", in, in.Text)
	}
	// The location the incident refers to, not the caller's, which comes first.
	if in.Location == nil || *in.Location != (yaqaza.Point{Lat: 34.0466, Lon: -4.9903}) || in.Place != "Fès, Avenue des Almohades, Gare de Fès" {
		t.Errorf("location = %+v, place %q", in.Location, in.Place)
	}
	if in.OccurredAt == nil || !in.OccurredAt.Equal(time.Date(2026, 3, 14, 20, 29, 45, 0, time.UTC)) {
		t.Errorf("occurred_at = %v, want the call's start", in.OccurredAt)
	}
	if err := in.Validate(now); err != nil {
		t.Errorf("the report breaks the API's rules: %v", err)
	}
}

func TestDecodeAcceptsByteOrderMark(t *testing.T) {
	raw, _ := os.ReadFile("testdata/gendarmerie-polygon.json")
	if _, err := eido.Decode(append([]byte("\ufeff"), raw...)); err != nil {
		t.Error(err)
	}
}

func TestReportFromPolygonEIDO(t *testing.T) {
	in, err := readEIDO(t, "gendarmerie-polygon.json").Report(now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Text != "Vehicle Theft" || in.Place != "Route d'Imouzzer, sortie sud" || in.OccurredAt != nil ||
		in.Location == nil || math.Abs(in.Location.Lat-34.01) > 1e-9 || math.Abs(in.Location.Lon+4.99) > 1e-9 {
		t.Errorf("report = %+v (location %+v)", in, in.Location)
	}
}

func TestDecodeRefusals(t *testing.T) {
	raw, _ := os.ReadFile("testdata/civil-protection.json")
	doc := string(raw)
	replace := func(old, new string) string {
		if !strings.Contains(doc, old) {
			t.Fatalf("the sample has no %q", old)
		}
		return strings.Replace(doc, old, new, 1)
	}
	pidf := `<gml:pos>34.0466 -4.9903</gml:pos>`
	for _, c := range []struct{ name, body, mention string }{
		{"empty", " ", "empty"},
		{"XML", `<alert/>`, "malformed JSON"},
		{"array", `[{"$id":"x"}]`, "JSON object"},
		{"truncated", doc[:len(doc)/2], "ends before"},
		{"two", doc + doc, "after the EIDO"},
		{"no $id", replace(`"$id": "urn:emergency:uid:incidentid:pc-2026-5531:psap.protection-civile.example.ma"`, `"$id": ""`), "$id"},
		{"long $id", replace("pc-2026-5531:psap", strings.Repeat("x", 200)), "longer than"},
		{"version", replace(`"eidoVersion": "1.0"`, `"eidoVersion": "2.0"`), `eidoVersion "2.0"`},
		{"no version", replace(`"eidoVersion": "1.0",`, ``), "no eidoVersion"},
		{"no issuer", replace(`"issuingElementIdentification": "cad.protection-civile.example.ma",`, ``), "issuingElementIdentification"},
		{"no agency", replace(`"agencyComponent": [{`, `"agencyComponentX": [{`), "agencyComponent"},
		{"no incident", strings.NewReplacer(`"incidentComponent": [{`, `"incidentComponentX": [{`, `"callComponent"`, `"callComponentX"`).Replace(doc),
			"neither an incidentComponent nor a callComponent"},
		{"empty incident", replace(`"incidentComponent": [{`, `"incidentComponent": [], "x": [{`), "empty array"},
		{"no type", replace(`"incidentTypeCommonRegistryText": "Assault",`, ``), "incidentTypeCommonRegistryText"},
		{"type is a number", replace(`"incidentTypeCommonRegistryText": "Assault"`, `"incidentTypeCommonRegistryText": 42`), "must be a string"},
		{"bad stamp", replace(`"lastUpdateTimeStamp": "2026-03-14T21:42:10.250+01:00"`, `"lastUpdateTimeStamp": "14/03/2026"`), "RFC 3339"},
		{"bad call time", replace(`"callStartTimestamp": "2026-03-14T21:29:45+01:00"`, `"callStartTimestamp": "yesterday"`), "callStartTimestamp"},
		{"PIDF not XML", replace(`"locationByValue": "<?xml`, `"locationByValue": "34.0466 -4.9903 <?xml`), "not a PIDF-LO"},
		{"PIDF DTD", replace(`<presence `, `<!DOCTYPE presence [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><presence `), "DTD"},
		{"latitude", replace(pidf, `<gml:pos>134.0466 -4.9903</gml:pos>`), "WGS 84"},
		{"pos", replace(pidf, `<gml:pos>34.0466</gml:pos>`), "not a list of latitude longitude"},
	} {
		_, err := eido.Decode([]byte(c.body))
		if err == nil || yaqaza.ErrorCode(err) != yaqaza.EINVALID || !strings.Contains(yaqaza.ErrorMessage(err), c.mention) {
			t.Errorf("%s: %v, want an EINVALID mentioning %q", c.name, err, c.mention)
		}
	}
}
