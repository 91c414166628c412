package cap_test

import (
	"math"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
)

var now = time.Date(2026, 3, 14, 22, 0, 0, 0, time.UTC)

func readAlert(t *testing.T, name string) *cap.Alert {
	t.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	a, err := cap.Decode(data)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return a
}

func TestReportFromPolygonAlert(t *testing.T) {
	in, err := readAlert(t, "gendarmerie-polygon.xml").Report(now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Channel != yaqaza.ChannelAgency || in.ExternalID != "centre-regional@gendarmerie.example.ma,GR-FES-2026-00417" ||
		in.Language != "fr" || in.Place != "Avenue Hassan II, Agdal" {
		t.Errorf("report = %+v", in)
	}
	if in.Text != "Vol de véhicule\nCamionnette volée en fuite vers Agdal\nUne camionnette blanche volée à Ain Chkef se dirige vers l'avenue Hassan II." {
		t.Errorf("text = %q", in.Text)
	}
	if in.Location == nil || math.Abs(in.Location.Lat-34.032) > 1e-9 || math.Abs(in.Location.Lon+5.0) > 1e-9 {
		t.Errorf("location = %+v, want the polygon's centroid 34.032,-5.000", in.Location)
	}
	if in.OccurredAt == nil || !in.OccurredAt.Equal(time.Date(2026, 3, 14, 20, 15, 0, 0, time.UTC)) {
		t.Errorf("occurred_at = %v, want the onset", in.OccurredAt)
	}
	if len(in.Media) != 1 || in.Media[0].Kind != "image" {
		t.Errorf("media = %+v", in.Media)
	}
	if err := in.Validate(now); err != nil {
		t.Errorf("the report breaks the API's rules: %v", err)
	}
}

func TestReportFromCircleAlert(t *testing.T) {
	in, err := readAlert(t, "civil-protection-circle.xml").Report(now)
	if err != nil {
		t.Fatal(err)
	}
	if in.Language != "en" || in.Location == nil || *in.Location != (yaqaza.Point{Lat: 34.0617, Lon: -4.9836}) ||
		!strings.HasPrefix(in.Text, "Missing child\n") || in.OccurredAt == nil || in.OccurredAt.Format(time.RFC3339) != "2026-03-14T20:05:00Z" {
		t.Errorf("report = %+v", in)
	}
}

func TestReportRefusals(t *testing.T) {
	base, err := os.ReadFile("testdata/gendarmerie-polygon.xml")
	if err != nil {
		t.Fatal(err)
	}
	alert := string(base)
	for _, c := range []struct{ name, old, new, mention string }{
		{"test alert", "<status>Actual</status>", "<status>Test</status>", "only Actual"},
		{"cancel", "<msgType>Alert</msgType>", "<msgType>Cancel</msgType><references>a,b,2026-03-14T21:00:00+01:00</references>", "operator"},
		{"ack", "<msgType>Alert</msgType>", "<msgType>Ack</msgType>", "only Alert and Update"},
		{"future", "2026-03-14T", "2026-03-15T", "future"},
		{"long id", "GR-FES-2026-00417", strings.Repeat("9", 200), "longer than 200"},
	} {
		a, err := cap.Decode([]byte(strings.ReplaceAll(alert, c.old, c.new)))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if _, err := a.Report(now); err == nil || yaqaza.ErrorCode(err) != yaqaza.EINVALID || !strings.Contains(err.Error(), c.mention) {
			t.Errorf("%s: %v, want an EINVALID mentioning %q", c.name, err, c.mention)
		}
	}
}

func TestDecodeRefusals(t *testing.T) {
	base, _ := os.ReadFile("testdata/gendarmerie-polygon.xml")
	alert := string(base)
	replace := func(old, new string) string { return strings.Replace(alert, old, new, 1) }
	for _, c := range []struct{ name, body, mention string }{
		{"empty", "  \n", "empty"},
		{"JSON", `{"identifier":"x"}`, "not XML"},
		{"text", "hello", "not XML"},
		{"truncated", alert[:len(alert)/2], "malformed XML"},
		{"other root", `<feed xmlns="http://www.w3.org/2005/Atom"/>`, "not a CAP 1.2 <alert>"},
		{"CAP 1.0", replace("cap:1.2", "cap:1.0"), "CAP 1.2 (urn:oasis:names:tc:emergency:cap:1.2) and 1.1 are accepted"},
		{"no namespace", replace(` xmlns="urn:oasis:names:tc:emergency:cap:1.2"`, ""), "not the CAP 1.2 namespace"},
		{"DTD", replace(`<?xml version="1.0" encoding="UTF-8"?>`, `<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY x "y">]>`), "DTD"},
		{"Shift JIS", replace(`encoding="UTF-8"`, `encoding="Shift_JIS"`), "send UTF-8 or ISO-8859-1"},
		{"unknown element", replace("<urgency>", "<colour>red</colour><urgency>"), "<colour> may not stand in <info>"},
		{"misplaced element", replace("<scope>", "<event>x</event><scope>"), "<event> may not stand in <alert>"},
		{"foreign element", replace("<scope>", `<x:note xmlns:x="urn:example">x</x:note><scope>`), "(namespace urn:example) is not a CAP element"},
		{"unprefixed child", strings.NewReplacer(`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">`, `<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">`,
			"</alert>", "</cap:alert>").Replace(alert), "(namespace none) is not a CAP element"},
		{"two alerts", alert + alert[strings.Index(alert, "<alert"):], "after the end"},
		{"no identifier", replace("<identifier>GR-FES-2026-00417</identifier>", ""), "<identifier>"},
		{"no sender", replace("<sender>centre-regional@gendarmerie.example.ma</sender>", ""), "<sender>"},
		{"no sent", replace("<sent>2026-03-14T21:40:00+01:00</sent>", ""), "<sent>"},
		{"space in id", replace("GR-FES-2026-00417", "GR FES"), "space, comma"},
		{"Z", replace("2026-03-14T21:40:00+01:00", "2026-03-14T20:40:00Z"), "letter Z"},
		{"fraction", replace("21:15:00+01:00", "21:15:00.250+01:00"), "fractions"},
		{"status", replace("<status>Actual</status>", "<status>Real</status>"), "<status> \"Real\""},
		{"category", replace("<category>Security</category>", "<category>Police</category>"), "<category> \"Police\""},
		{"no event", replace("<event>Vol de véhicule</event>", ""), "<event>"},
		{"urgency", replace("<urgency>Immediate</urgency>", "<urgency>Now</urgency>"), "<urgency>"},
		{"open polygon", replace("34.034,-5.002 34.030,-5.002<", "34.034,-5.002 34.031,-5.002<"), "must be closed"},
		{"short polygon", replace("34.030,-5.002 34.030,-4.998 34.034,-4.998 34.034,-5.002 34.030,-5.002", "34.030,-5.002 34.030,-4.998 34.030,-5.002"), "at least 4"},
		{"polygon out of range", replace("34.030,-5.002 34.030,-4.998", "34.030,-5.002 134.030,-4.998"), "outside WGS 84"},
		{"no areaDesc", replace("<areaDesc>Avenue Hassan II, Agdal</areaDesc>", ""), "<areaDesc>"},
		{"bad references", replace("<scope>", "<references>nonsense</references><scope>"), "sender,identifier,sent"},
	} {
		a, err := cap.Decode([]byte(c.body))
		if err == nil || yaqaza.ErrorCode(err) != yaqaza.EINVALID || !strings.Contains(yaqaza.ErrorMessage(err), c.mention) {
			t.Errorf("%s: %v (%v), want an EINVALID mentioning %q", c.name, err, a, c.mention)
		}
	}
	// Accepted forms: a byte order mark, a prefixed namespace, CAP 1.1,
	// ISO-8859-1.
	prefixed := regexp.MustCompile(`<(/?)([a-zA-Z]+)`).ReplaceAllString(alert, "<${1}cap:$2")
	prefixed = strings.Replace(prefixed, `xmlns="urn`, `xmlns:cap="urn`, 1)
	latin1 := replace(`encoding="UTF-8"`, `encoding="ISO-8859-1"`)
	var latin1Bytes []byte
	for _, r := range latin1 {
		latin1Bytes = append(latin1Bytes, byte(r)) // the test alert's letters are all in Latin-1
	}
	for name, body := range map[string]string{
		"BOM":        "\ufeff" + alert,
		"prefix":     prefixed,
		"CAP 1.1":    replace("cap:1.2", "cap:1.1"),
		"ISO-8859-1": string(latin1Bytes),
	} {
		if a, err := cap.Decode([]byte(body)); err != nil || a.Identifier != "GR-FES-2026-00417" || a.Infos[0].Event != "Vol de véhicule" {
			t.Errorf("%s: %v", name, err)
		}
	}
	// An alert without <info> is valid CAP, but holds nothing to report.
	a, err := cap.Decode([]byte(alert[:strings.Index(alert, "<info>")] + "</alert>"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Report(now); err == nil || !strings.Contains(err.Error(), "no <info>") {
		t.Errorf("an alert without info: %v", err)
	}
}
