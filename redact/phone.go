package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// minPhoneDigits is where a number stops being a count, a date, a time or an
// amount and becomes a phone, card or account number. The shortest Moroccan
// number without its leading 0 (6 12 34 56 78) has nine digits.
const minPhoneDigits = 9

// A chain is a run of digit groups joined by gaps: "+212 6-12-34-56-78" is
// one chain of six groups. gapOther marks a gap holding a parenthesis.
const gapOther rune = -1

// group is one unbroken run of digits in a chain.
type group struct {
	start, end int  // byte offsets in the text
	digits     int  // how many digits
	value      int  // the value when digits <= 4 and all are known, else -1
	gap        rune // the gap before the group: ' ', '.', '-', gapOther; 0 for the first
}

// findPhones appends a span for each part of a chain that carries nine or
// more digits. Dates written with dots or dashes ("28.11.2026",
// "2026-11-28") are cut out first, so that a date followed by a time does
// not add up to a phone number; a chain opened by '+' is a phone number
// whole and is never cut.
func findPhones(s string, spans []span) []span {
	var groups []group
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsDigit(r) {
			i += w
			continue
		}
		groups = readChain(s, i, groups[:0])
		spans = chainSpans(s, groups, spans)
		i = groups[len(groups)-1].end
	}
	return spans
}

// readChain reads the chain whose first digit is at s[i].
func readChain(s string, i int, groups []group) []group {
	var gap rune
	for {
		g := group{start: i, gap: gap}
		for i < len(s) {
			r, w := utf8.DecodeRuneInString(s[i:])
			if !unicode.IsDigit(r) {
				break
			}
			g.digits++
			if v := digitValue(r); v < 0 || g.digits > 4 || g.value < 0 {
				g.value = -1
			} else {
				g.value = g.value*10 + v
			}
			i += w
		}
		g.end = i
		groups = append(groups, g)
		next, kind, ok := readGap(s, i)
		if !ok {
			return groups
		}
		i, gap = next, kind
	}
}

// readGap reads what joins two digit groups: one separator (space, dot,
// dash), or a parenthesis with at most one separator on each side
// ("(+212) 5", "+1 (212) 555"). It returns where the next group starts and
// the gap's kind.
func readGap(s string, at int) (next int, kind rune, ok bool) {
	i, runes, parens := at, 0, 0
	prevSep := false
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		if unicode.IsDigit(r) {
			return gapEnd(s, at, i, runes, parens)
		}
		if runes == 3 {
			return 0, 0, false
		}
		switch {
		case r == '(' || r == ')':
			if parens > 0 {
				return 0, 0, false
			}
			parens++
			prevSep = false
		case isPhoneSeparator(r):
			if prevSep {
				return 0, 0, false
			}
			prevSep = true
		default:
			return 0, 0, false
		}
		runes++
		i += w
	}
	return 0, 0, false
}

func gapEnd(s string, at, next, runes, parens int) (int, rune, bool) {
	switch {
	case runes == 0:
		return 0, 0, false
	case parens > 0:
		return next, gapOther, true
	case runes > 1: // two separators side by side: "12 - 34"
		return 0, 0, false
	}
	r, _ := utf8.DecodeRuneInString(s[at:])
	if r == '.' || r == '-' {
		return next, r, true
	}
	return next, ' ', true
}

// isPhoneSeparator reports whether r may sit between two digit groups of a
// phone number. Slashes and colons are left out: they write dates and times.
func isPhoneSeparator(r rune) bool {
	switch r {
	case ' ', '.', '-', '\u00a0', '\u202f': // and the no-break spaces of French typography
		return true
	}
	return false
}

// chainSpans appends the spans to redact in one chain.
func chainSpans(s string, gs []group, spans []span) []span {
	start := chainStart(s, gs)
	international := strings.HasPrefix(s[start:], "+") || strings.HasPrefix(s[start:], "(+")
	piece, digits := 0, 0
	flush := func(end int) {
		if digits >= minPhoneDigits {
			from := gs[piece].start
			if piece == 0 {
				from = start
			}
			spans = append(spans, span{start: from, end: gs[end-1].end, kinds: 1 << Phone})
		}
	}
	for j := 0; j < len(gs); {
		if !international && isDate(gs, j) {
			flush(j)
			j += 3
			piece, digits = j, 0
			continue
		}
		digits += gs[j].digits
		j++
	}
	if piece < len(gs) {
		flush(len(gs))
	}
	return spans
}

// chainStart widens the chain to a '+' just before it, and to an opening
// parenthesis whose closing one is in the chain's first gap ("(+212) 5…",
// "(0535) 12…"), so that no stray prefix is left beside the marker.
func chainStart(s string, gs []group) int {
	start := gs[0].start
	if r, w := runeBefore(s, start); r == '+' {
		start -= w
	}
	if len(gs) < 2 {
		return start
	}
	if r, w := runeBefore(s, start); r == '(' && strings.ContainsRune(s[gs[0].end:gs[1].start], ')') {
		start -= w
	}
	return start
}

// isDate reports whether groups j, j+1, j+2 write a date with one dot or
// dash separator: D.M.YYYY or YYYY-M-D. A fourth group joined by the same
// separator makes it something else ("06.12.2026.78" is a phone number).
func isDate(gs []group, j int) bool {
	if j+2 >= len(gs) {
		return false
	}
	sep := gs[j+1].gap
	if (sep != '.' && sep != '-') || gs[j+2].gap != sep || gs[j].gap == sep {
		return false
	}
	if j+3 < len(gs) && gs[j+3].gap == sep {
		return false
	}
	a, b, c := gs[j], gs[j+1], gs[j+2]
	if isYear(a) {
		return isDayOrMonth(b, 12) && isDayOrMonth(c, 31)
	}
	return isDayOrMonth(a, 31) && isDayOrMonth(b, 12) && isYear(c)
}

func isYear(g group) bool { return g.digits == 4 && g.value >= 1900 && g.value <= 2099 }

func isDayOrMonth(g group, most int) bool {
	return g.digits <= 2 && g.value >= 1 && g.value <= most
}

// digitValue returns the value of a Latin, Arabic-Indic, Eastern
// Arabic-Indic or full-width digit, and -1 for any other: such digits still
// count towards a phone number, but never read as a date.
func digitValue(r rune) int {
	for _, zero := range [...]rune{'0', '\u0660', '\u06f0', '\uff10'} {
		if r >= zero && r <= zero+9 {
			return int(r - zero)
		}
	}
	return -1
}
