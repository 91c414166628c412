package http

import (
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// FuzzDecodeReport feeds arbitrary bodies to the report decoder: it must
// never panic, and every refusal is an EINVALID with a message.
func FuzzDecodeReport(f *testing.F) {
	for _, s := range []string{
		`{"channel":"web","text":"شجار بالسكاكين قرب باب بوجلود","location":{"lat":34.0617,"lon":-4.9836}}`,
		`{"channel":"social","external_id":"x:1","text":"vidéo","source":{"platform":"x","author":"@a","reposts":214}}`,
		`{"channel":"web","text":"x","occurred_at":"2026-03-14T21:30:00Z","media":[{"url":"https://a.b/c","sha256":"` + "ab" + `"}]}`,
		`{`, `[]`, `null`, `"text"`, `{"text":1e999}`, `{"location":{"lat":"north"}}`, `{"channel":"web","text":"x"} trailing`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var in yaqaza.ReportInput
		err := decodeJSON(body, &in)
		if err != nil {
			if yaqaza.ErrorCode(err) != yaqaza.EINVALID || yaqaza.ErrorMessage(err) == "" {
				t.Fatalf("decode error %v for %q", err, body)
			}
			return
		}
		if err := in.Validate(time.Now()); err != nil && yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			t.Fatalf("validate error %v for %q", err, body)
		}
	})
}
