package redact_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza/redact"
)

// FuzzText checks the promises Text makes whatever it is given: it is
// idempotent, keeps UTF-8 valid, keeps every character outside the items it
// replaces, agrees with Found, and lets no run of nine digits through.
func FuzzText(f *testing.F) {
	for _, tc := range redacted {
		f.Add(tc.in)
	}
	for _, tc := range kept {
		f.Add(tc.in)
	}
	for _, s := range []string{
		"ali@x.ma0612345678",
		"AB1234.28.11.2026 0612345678",
		"12 28.11.2026 0612345678",
		"2026-11-28-11-2026",
		"x@y.ma@z.ma",
		"(+212 6 12 34 56 78",
		"+ 212 6 12",
		"1 (2) 3 (4) 5 6 7 8 9",
		"a@b.c\xff@d.ef",
		"\xff0612345678\xfe",
		"٠٦١٢٣٤٥٦٧٨@مثال.مغرب",
		"cd 654321 789",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := redact.Text(in)
		if again := redact.Text(out); again != out {
			t.Fatalf("not idempotent:\n  in    %q\n  once  %q\n  twice %q", in, out, again)
		}
		if utf8.ValidString(in) && !utf8.ValidString(out) {
			t.Fatalf("Text(%q) = %q, invalid UTF-8", in, out)
		}
		if !keepsOthers(in, out) {
			t.Fatalf("Text(%q) = %q lost text outside the markers", in, out)
		}
		if run := longestDigitRun(out); run >= 9 {
			t.Fatalf("Text(%q) = %q keeps a run of %d digits", in, out, run)
		}
		if found := redact.Found(in); (found == nil) != (out == in) {
			t.Fatalf("Found(%q) = %v but Text gives %q", in, found, out)
		}
	})
}

// keepsOthers reports whether out is in with some parts replaced by the
// marker: the pieces of out between markers appear in in, in order, the
// first at its start and the last at its end.
func keepsOthers(in, out string) bool {
	parts := strings.Split(out, redact.Marker)
	if len(parts) == 1 {
		return in == out
	}
	if !strings.HasPrefix(in, parts[0]) || !strings.HasSuffix(in, parts[len(parts)-1]) {
		return false
	}
	rest := in[len(parts[0]):]
	for _, p := range parts[1:] {
		i := strings.Index(rest, p)
		if i < 0 {
			return false
		}
		rest = rest[i+len(p):]
	}
	return true
}

func longestDigitRun(s string) int {
	longest, run := 0, 0
	for _, r := range s {
		if unicode.IsDigit(r) {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return longest
}
