// Package redact removes personal data from free text before it leaves the
// prefecture: tracking pages, public statements, Open311 and open-data
// exports.
//
// Three kinds of data are replaced by [Marker]:
//
//   - phone numbers, and any other run of nine or more digits (bank and
//     account numbers), in Latin, Arabic-Indic or any other decimal digits;
//   - e-mail addresses, including internationalised ones;
//   - national identity card (CIN) and passport numbers: one or two Latin
//     letters and four to seven digits, as a whole word.
//
// Ordinary numbers stay: times, dates, house numbers, counts, amounts, road
// names, years. The rules favour over-redaction where the two collide — a
// redacted amount costs a clarification, a published phone number cannot be
// taken back. Redaction is a safety net, not a licence: an officer still
// reads what is published, and [Found] is there to warn them.
package redact

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// Marker replaces each redacted item. It holds no digit, letter or '@', so
// redacted text never matches again and Text is idempotent.
const Marker = "[…]"

// Kind is a kind of personal data.
type Kind int

const (
	Phone      Kind = iota + 1 // phone numbers and other long digit runs
	Email                      // e-mail addresses
	NationalID                 // CIN and passport numbers
)

func (k Kind) String() string {
	switch k {
	case Phone:
		return "phone"
	case Email:
		return "email"
	case NationalID:
		return "national_id"
	}
	return "unknown"
}

// kindSet is a bit set of kinds, bit k for Kind k.
type kindSet uint8

func (ks kindSet) has(k Kind) bool { return ks&(1<<k) != 0 }

// span is a byte range of the text to replace, with the kinds found in it.
type span struct {
	start, end int
	kinds      kindSet
}

// Text returns s with every phone number, e-mail address and national ID
// replaced by [Marker]. Every other byte of s is kept, in order. It runs in
// time linear in len(s).
func Text(s string) string {
	out, _ := redact(s)
	return out
}

// Found reports which kinds of personal data s holds, in the order Phone,
// Email, NationalID; nil when Text(s) == s.
func Found(s string) []Kind {
	_, found := redact(s)
	var kinds []Kind
	for _, k := range []Kind{Phone, Email, NationalID} {
		if found.has(k) {
			kinds = append(kinds, k)
		}
	}
	return kinds
}

// redact replaces items until none is left. One pass almost always
// suffices; a second is needed when a marker cuts a word that then reads
// as an item of its own (an e-mail domain glued to a phone number:
// "ali@x.ma.K12345"). Each replacement turns at least five runes into the
// three of Marker, so the loop ends, and since its result has no item left,
// Text(Text(s)) == Text(s) by construction.
func redact(s string) (string, kindSet) {
	var found kindSet
	var spans []span
	for {
		spans = scan(s, spans[:0])
		if len(spans) == 0 {
			return s, found
		}
		var b strings.Builder
		b.Grow(len(s))
		last := 0
		for _, sp := range spans {
			b.WriteString(s[last:sp.start])
			b.WriteString(Marker)
			last = sp.end
			found |= sp.kinds
		}
		b.WriteString(s[last:])
		s = b.String()
	}
}

// scan finds every item in s and returns them sorted, with overlapping or
// touching items merged: a phone number inside an e-mail address becomes one
// marker, and no fragment of either is left to be found on the next pass.
func scan(s string, spans []span) []span {
	spans = findPhones(s, spans)
	spans = findEmails(s, spans)
	spans = findNationalIDs(s, spans)
	if len(spans) < 2 {
		return spans
	}
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	merged := spans[:1]
	for _, sp := range spans[1:] {
		last := &merged[len(merged)-1]
		if sp.start <= last.end {
			last.end = max(last.end, sp.end)
			last.kinds |= sp.kinds
			continue
		}
		merged = append(merged, sp)
	}
	return merged
}

// runeBefore returns the rune ending at byte offset i, or utf8.RuneError at
// the start of s.
func runeBefore(s string, i int) (rune, int) {
	if i <= 0 {
		return utf8.RuneError, 0
	}
	return utf8.DecodeLastRuneInString(s[:i])
}
