package cap_test

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza/cap"
)

func TestFormatTime(t *testing.T) {
	casablanca := time.FixedZone("+01", 3600)
	at := time.Date(2026, 3, 14, 20, 30, 0, 987654321, time.UTC)
	for _, c := range []struct {
		in   time.Time
		want string
	}{
		{at, "2026-03-14T20:30:00-00:00"}, // UTC is -00:00, never Z or +00:00
		{at.In(casablanca), "2026-03-14T21:30:00+01:00"},
		{at.In(time.FixedZone("-07", -7*3600)), "2026-03-14T13:30:00-07:00"},
	} {
		if got := cap.FormatTime(c.in); got != c.want {
			t.Errorf("FormatTime(%v) = %s, want %s", c.in, got, c.want)
		}
		back, err := cap.ParseTime("sent", c.want)
		if err != nil || !back.Equal(c.in.Truncate(time.Second)) {
			t.Errorf("ParseTime(%s) = %v, %v", c.want, back, err)
		}
	}
}

func TestParseTimeRefusesOtherForms(t *testing.T) {
	for _, c := range []struct{ in, mention string }{
		{"2026-03-14T20:30:00Z", "letter Z"},
		{"2026-03-14T20:30:00.5+01:00", "fractions"},
		{"2026-03-14 20:30:00+01:00", "not a CAP date-time"},
		{"2026-03-14T20:30+01:00", "not a CAP date-time"},
		{"14/03/2026 20:30", "not a CAP date-time"},
		{"2026-13-40T20:30:00+01:00", "not a valid date"},
		{"", "not a CAP date-time"},
	} {
		_, err := cap.ParseTime("onset", c.in)
		if err == nil || !strings.Contains(err.Error(), c.mention) || !strings.Contains(err.Error(), "onset") {
			t.Errorf("ParseTime(%q) = %v, want an error mentioning %q", c.in, err, c.mention)
		}
	}
	if _, err := cap.ParseTime("sent", " 2026-03-14T20:30:00+00:00\n"); err != nil {
		t.Errorf("+00:00 with XML white space around it: %v", err)
	}
}
