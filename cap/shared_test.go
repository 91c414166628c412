package cap_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
)

// sharedCAP is the folder of real alerts and the OASIS schemas in the
// project's shared data, or a skip.
func sharedCAP(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	p := filepath.Join(dir, "cap")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s not found (set YAQAZA_SHARED_DATA): skipping the real alerts", p)
	}
	return p
}

// Real alerts from other agencies: those the OASIS schemas accept are
// read, in CAP 1.1 and 1.2, in UTF-8 and ISO-8859-1; those they refuse
// are refused, and so are XML external-entity attacks.
func TestDecodeRealAlerts(t *testing.T) {
	dir := sharedCAP(t)
	refused := map[string]string{
		"invalid.cap":           "has no <scope>",
		"noaa_errors.cap":       "<urgency>",
		"earthquake_signed.cap": "<Signature> (namespace http://www.w3.org/2000/09/xmldsig#) is not a CAP element",
		"xee.cap":               "declares a DTD",
	}
	files, _ := filepath.Glob(filepath.Join(dir, "testdata", "*.cap"))
	more, _ := filepath.Glob(filepath.Join(dir, "examples", "*.cap"))
	files = append(files, more...)
	if len(files) < 16 {
		t.Fatalf("found %d alerts in %s, want the 16 of the shared data", len(files), dir)
	}
	for _, f := range files {
		name := filepath.Base(f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		a, err := cap.Decode(b)
		if want, bad := refused[name]; bad {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: got %v, want a refusal saying %q", name, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if a.Identifier == "" || a.Sender == "" || (len(a.Infos) > 0 && a.Infos[0].Event == "") {
			t.Errorf("%s: read without its identifier, sender or event: %+v", name, a)
		}
		// Each becomes a report, but for the one with no <info> (nothing
		// happened to report) and past-dated test material.
		if _, err := a.Report(time.Now()); err != nil && len(a.Infos) > 0 && a.Status == "Actual" &&
			(a.MsgType == "Alert" || a.MsgType == "Update") {
			t.Errorf("%s: not taken as a report: %v", name, err)
		}
	}
	// The Latin-1 alert's accented letters come out as the letters.
	b, _ := os.ReadFile(filepath.Join(dir, "testdata", "earthquake-iso8859-1.cap"))
	a, err := cap.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if all := a.Infos[0].Event + a.Infos[0].Headline + a.Infos[0].Description + a.Infos[0].Areas[0].Desc; !strings.ContainsAny(all, "éèáíóñü") {
		t.Errorf("no accented letter read from the ISO-8859-1 alert: %q", all)
	}
}

// What the prefecture publishes validates against OASIS's CAP 1.2 schema.
func TestAlertsValidateAgainstSchema(t *testing.T) {
	dir := sharedCAP(t)
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("YAQAZA_REQUIRE_XMLLINT") != "" {
			t.Fatal("xmllint is not installed (Debian: libxml2-utils)")
		}
		t.Skip("xmllint is not installed (Debian: libxml2-utils): skipping the schema check")
	}
	out := t.TempDir()
	for i, a := range sampleAlerts(t) {
		var buf strings.Builder
		if err := cap.Encode(&buf, a); err != nil {
			t.Fatal(err)
		}
		f := filepath.Join(out, "alert"+string(rune('a'+i))+".xml")
		if err := os.WriteFile(f, []byte(buf.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(xmllint, "--noout", "--nonet", "--schema", filepath.Join(dir, "schema", "cap12.xsd"), f)
		if msg, err := cmd.CombinedOutput(); err != nil {
			t.Errorf("alert %d does not validate: %v\n%s\n%s", i, err, msg, buf.String())
		}
	}
}

// sampleAlerts are what the prefecture publishes: a first statement, an
// update in Arabic, a traffic statement and one whose zone is unknown
// (the whole prefecture), in the summer's Moroccan time.
func sampleAlerts(t *testing.T) []any {
	t.Helper()
	is := fesIssuer()
	at := time.Date(2026, 3, 14, 21, 30, 5, 0, time.UTC)
	first := statement(7, 12, "fr", "assault", "03.231.01.07", at)
	var out []any
	for _, c := range []struct {
		st      *yaqaza.Statement
		earlier []*yaqaza.Statement
	}{
		{first, nil},
		{statement(9, 12, "ar", "assault", "03.231.01.07", at.Add(time.Hour)), []*yaqaza.Statement{first}},
		{statement(11, 14, "en", "traffic", "03.231.01.13", at.AddDate(0, 3, 0)), nil},
		{statement(12, 15, "fr", "other", "", at), nil},
	} {
		a, err := is.NewAlert(c.st, c.earlier)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, a)
	}
	return out
}
