package cap_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
)

// FuzzDecode feeds arbitrary bodies to the alert decoder, seeded with the
// test alerts and a few broken ones: it never panics, every refusal is an
// EINVALID with a message, and what it accepts encodes and decodes again
// to an alert that makes the same report.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, s := range []string{
		``, `<`, `<alert/>`, `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"/>`,
		`<?xml version="1.0"?><!DOCTYPE a SYSTEM "file:///etc/passwd"><alert/>`,
		`<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>a</identifier><sender>b</sender>` +
			`<sent>2026-01-01T00:00:00-00:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>` +
			`<info><category>Other</category><event>e</event><urgency>Past</urgency><severity>Minor</severity>` +
			`<certainty>Observed</certainty><area><areaDesc>x</areaDesc><polygon>0,0 0,1 1,1 0,0</polygon></area></info></alert>`,
	} {
		f.Add([]byte(s))
	}
	now := now
	f.Fuzz(func(t *testing.T, body []byte) {
		a, err := cap.Decode(body)
		if err != nil {
			if yaqaza.ErrorCode(err) != yaqaza.EINVALID || yaqaza.ErrorMessage(err) == "" {
				t.Fatalf("decode error %v for %q", err, body)
			}
			return
		}
		in, rerr := a.Report(now)
		if rerr != nil && yaqaza.ErrorCode(rerr) != yaqaza.EINVALID {
			t.Fatalf("report error %v for %q", rerr, body)
		}
		var buf bytes.Buffer
		if err := cap.Encode(&buf, a); err != nil {
			t.Fatalf("encode: %v", err)
		}
		b, err := cap.Decode(buf.Bytes())
		if err != nil {
			t.Fatalf("an accepted alert does not decode again: %v\n%s", err, buf.String())
		}
		if in2, err2 := b.Report(now); (err2 == nil) != (rerr == nil) || (in != nil && in2.ExternalID != in.ExternalID) {
			t.Fatalf("the re-decoded alert reports differently: %v / %v", rerr, err2)
		}
	})
}
