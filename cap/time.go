package cap

import (
	"regexp"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// CAP 1.2 restricts xs:dateTime to whole seconds and a numeric offset:
// "2002-05-24T16:49:00-07:00". Alphabetic designators such as "Z" must not
// be used, and UTC is written "-00:00" (CAP 1.2 §3.3.2; the schema's
// pattern also admits "+00:00", which is what we accept on input).
var dateTimeForm = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$`)

const timeLayout = "2006-01-02T15:04:05-07:00"

// FormatTime writes t in CAP's date-time form, in t's own location,
// dropping any fraction of a second. A zero offset is written "-00:00".
func FormatTime(t time.Time) string {
	s := t.Truncate(time.Second).Format(timeLayout)
	if rest, ok := strings.CutSuffix(s, "+00:00"); ok {
		s = rest + "-00:00"
	}
	return s
}

// ParseTime reads a CAP date-time. field names the element in the error.
func ParseTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if !dateTimeForm.MatchString(s) {
		why := "CAP 1.2 writes it 2026-03-14T21:30:00+01:00"
		switch {
		case strings.HasSuffix(s, "Z") || strings.HasSuffix(s, "z"):
			why = `CAP 1.2 forbids the letter Z: write UTC as -00:00`
		case strings.Contains(s, "."):
			why = "CAP 1.2 forbids fractions of a second"
		}
		return time.Time{}, yaqaza.Invalidf(field, "<%s> %q is not a CAP date-time: %s", field, yaqaza.Excerpt(s), why)
	}
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, yaqaza.Invalidf(field, "<%s> %q is not a valid date and time", field, yaqaza.Excerpt(s))
	}
	return t, nil
}
