package yaqaza_test

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// FuzzTrackingCode feeds anything a citizen might type: it must never panic,
// and whatever it accepts must name a report whose code reads back the same.
func FuzzTrackingCode(f *testing.F) {
	c := testCodes(f, 11)
	for _, s := range []string{c.Code(1), c.Code(987654), "7kqm 9xpr a3td", "", "----", "ÀÉÎ", "0OIL-0oil-0OIL", strings.Repeat("Z", 40)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, norm, err := c.ReportID(s)
		if err != nil {
			if yaqaza.ErrorCode(err) != yaqaza.ENOTFOUND {
				t.Fatalf("ReportID(%q) error code %s", s, yaqaza.ErrorCode(err))
			}
			return
		}
		if got := c.Code(id); got != norm {
			t.Fatalf("ReportID(%q) = %d, whose code is %s, not %s", s, id, got, norm)
		}
	})
}

// FuzzReportValidate checks that validation never panics and that an input
// it accepts keeps within the documented limits.
func FuzzReportValidate(f *testing.F) {
	f.Add("web", "شجار قرب باب بوجلود", "ar", 34.06, -4.98, "+212 661 23 45 67", "a@b.ma")
	f.Add("call", "", "", 91.0, 0.0, "", "")
	f.Add("social", "\xff\xfe", "fr", 0.0, 181.0, "abc", "@")
	f.Fuzz(func(t *testing.T, channel, text, lang string, lat, lon float64, phone, email string) {
		in := &yaqaza.ReportInput{Channel: yaqaza.Channel(channel), Text: text, Language: lang,
			Location: &yaqaza.Point{Lat: lat, Lon: lon}, Reporter: &yaqaza.Contact{Phone: phone, Email: email}}
		err := in.Validate(time.Now())
		if err != nil {
			if yaqaza.ErrorCode(err) != yaqaza.EINVALID || yaqaza.ErrorMessage(err) == "" {
				t.Fatalf("validation error without code or message: %v", err)
			}
			return
		}
		if !in.Channel.Valid() || strings.TrimSpace(text) == "" || len([]rune(text)) > yaqaza.MaxTextRunes || lat < -90 || lat > 90 {
			t.Fatalf("accepted an input outside the limits: %+v", in)
		}
	})
}
