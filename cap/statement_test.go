package cap_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
	"github.com/yaqaza/yaqaza/geo"
)

var capDateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$`)

func fesIssuer() cap.Issuer {
	return cap.Issuer{Sender: "fes.yaqaza.invalid", Pack: geo.DefaultPack()}
}

func statement(id, incident int64, lang, category, zone string, at time.Time) *yaqaza.Statement {
	return &yaqaza.Statement{ID: id, IncidentID: incident, Language: lang, Category: category, ZoneCode: zone,
		Text: "Une rixe a été maîtrisée ; deux personnes ont été interpellées.", PublishedAt: at,
		PublishedBy: "Nadia Berrada"}
}

func TestNewAlertFromStatement(t *testing.T) {
	is := fesIssuer()
	at := time.Date(2026, 3, 14, 21, 30, 5, 123e6, time.UTC)
	first := statement(7, 12, "fr", "assault", "03.231.01.07", at)
	a, err := is.NewAlert(first, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Validate(); err != nil {
		t.Fatalf("our own alert is not valid CAP: %v", err)
	}
	in := a.Infos[0]
	if a.Identifier != "fes-statement-7" || a.Sender != "fes.yaqaza.invalid" || a.Status != "Actual" ||
		a.MsgType != "Alert" || a.Scope != "Public" || a.References != "" || a.Incidents != "fes-incident-12" {
		t.Errorf("alert header = %+v", a)
	}
	if !capDateTime.MatchString(a.Sent) || !strings.HasPrefix(a.Sent, "2026-03-14T2") {
		t.Errorf("sent = %s", a.Sent)
	}
	if in.Language != "fr-MA" || in.Categories[0] != "Security" || in.Urgency != "Past" || in.Certainty != "Observed" ||
		in.Severity != "Moderate" || in.SenderName != "Préfecture de police de Fès" || in.Description != first.Text {
		t.Errorf("info = %+v", in)
	}
	if len(in.Areas) != 1 || in.Areas[0].Desc != "Fès-Médina" || len(in.Areas[0].Polygons) != 1 ||
		!strings.HasSuffix(in.Headline, "— Fès-Médina") {
		t.Errorf("area = %+v, headline %q", in.Areas, in.Headline)
	}
	// A second statement on the same incident updates the first.
	second := statement(9, 12, "ar", "assault", "03.231.01.07", at.Add(time.Hour))
	u, err := is.NewAlert(second, []*yaqaza.Statement{first})
	if err != nil {
		t.Fatal(err)
	}
	if u.MsgType != "Update" || u.References != "fes.yaqaza.invalid,fes-statement-7,"+a.Sent || u.Infos[0].Language != "ar-MA" ||
		u.Infos[0].Areas[0].Desc != "فاس المدينة" {
		t.Errorf("update = %+v", u)
	}
	var buf bytes.Buffer
	if err := cap.Encode(&buf, u); err != nil {
		t.Fatal(err)
	}
	back, err := cap.Decode(buf.Bytes())
	if err != nil || back.References != u.References || back.Infos[0].Description != u.Infos[0].Description {
		t.Fatalf("round trip: %v\n%s", err, buf.String())
	}
	if strings.Contains(buf.String(), "Nadia Berrada") {
		t.Error("the alert names the officer who published the statement")
	}
}

func TestAlertMappings(t *testing.T) {
	is := fesIssuer()
	at := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		category, lang, zone       string
		wantCategory, wantSeverity string
		wantLang, wantArea         string
	}{
		{"traffic", "en", "03.231.01.01", "Transport", "Minor", "en", "Agdal"},
		{"missing_person", "fr", "03.231.01.13", "Rescue", "Moderate", "fr-MA", "Zouagha"},
		{"armed", "ar", "03.231.01.05", "Security", "Severe", "ar-MA", "سايس"},
		// A category and zone the pack does not know: a police statement
		// over the whole prefecture.
		{"", "fr", "", "Security", "Unknown", "fr-MA", "Préfecture de police de Fès"},
	} {
		a, err := is.NewAlert(statement(1, 1, c.lang, c.category, c.zone, at), nil)
		if err != nil {
			t.Fatal(err)
		}
		in := a.Infos[0]
		if in.Categories[0] != c.wantCategory || in.Severity != c.wantSeverity || in.Language != c.wantLang || in.Areas[0].Desc != c.wantArea {
			t.Errorf("%s/%s: %s %s %s %q", c.category, c.lang, in.Categories[0], in.Severity, in.Language, in.Areas[0].Desc)
		}
		if err := a.Validate(); err != nil {
			t.Errorf("%s: %v", c.category, err)
		}
	}
	a, _ := is.NewAlert(statement(1, 1, "fr", "", "", at), nil)
	if n := len(a.Infos[0].Areas[0].Polygons); n != len(is.Pack.Zones) {
		t.Errorf("a statement without a zone covers %d polygons, want every zone (%d)", n, len(is.Pack.Zones))
	}
}

func TestFeed(t *testing.T) {
	is := fesIssuer()
	at := time.Date(2026, 3, 14, 20, 0, 0, 0, time.UTC)
	list := []*yaqaza.Statement{statement(9, 12, "ar", "assault", "03.231.01.07", at.Add(time.Hour)), statement(7, 12, "fr", "assault", "03.231.01.07", at)}
	f := is.NewFeed(list, "fr", "https://x.example/cap/v1/alerts.atom", func(id int64) string {
		return "https://x.example/cap/v1/alerts/" + strings.TrimPrefix(is.Identifier(id), "fes-statement-") + ".xml"
	}, at.Add(2*time.Hour))
	if len(f.Entries) != 2 || f.Entries[0].ID != "https://x.example/cap/v1/alerts/9.xml" || f.Updated != f.Entries[0].Updated ||
		f.Entries[1].Links[0].Type != "application/cap+xml" || f.Entries[1].Title != "Agression, violences — Fès-Médina" {
		t.Fatalf("feed = %+v", f)
	}
	var buf bytes.Buffer
	if err := cap.Encode(&buf, f); err != nil || !strings.Contains(buf.String(), `<feed xmlns="http://www.w3.org/2005/Atom">`) {
		t.Fatalf("%v\n%s", err, buf.String())
	}
}
