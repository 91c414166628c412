package eido_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/eido"
)

// FuzzDecode feeds arbitrary bodies to the EIDO decoder, seeded with the
// test EIDOs and a few broken ones: it never panics, every refusal is an
// EINVALID with a message, and what it accepts encodes and decodes again
// to an EIDO that makes the same report.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.json")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{``, `{`, `null`, `[]`, `{"$id":1}`, `{"incidentComponent":"x"}`,
		`{"$id":"a","eidoVersion":"1.0","issuingElementIdentification":"b","lastUpdateTimeStamp":"2026-01-01T00:00:00Z",` +
			`"agencyComponent":[{}],"incidentComponent":{"incidentTypeCommonRegistryText":"x"},` +
			`"locationComponent":[{"locationByValue":"<p xmlns:g=\"http://www.opengis.net/gml\"><g:posList>0 0 0 1 1 1</g:posList></p>"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := eido.Decode(body)
		if err != nil {
			if yaqaza.ErrorCode(err) != yaqaza.EINVALID || yaqaza.ErrorMessage(err) == "" {
				t.Fatalf("decode error %v for %q", err, body)
			}
			return
		}
		in, rerr := d.Report(now)
		if rerr != nil && yaqaza.ErrorCode(rerr) != yaqaza.EINVALID {
			t.Fatalf("report error %v for %q", rerr, body)
		}
		again, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		d2, err := eido.Decode(again)
		if err != nil {
			t.Fatalf("an accepted EIDO does not decode again: %v\n%s", err, again)
		}
		if in2, err2 := d2.Report(now); (err2 == nil) != (rerr == nil) || (in != nil && (in2.Text != in.Text || in2.ExternalID != in.ExternalID)) {
			t.Fatalf("the re-decoded EIDO reports differently: %v / %v", rerr, err2)
		}
	})
}
