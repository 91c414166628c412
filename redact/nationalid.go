package redact

import (
	"unicode"
	"unicode/utf8"
)

// findNationalIDs appends a span for each CIN or passport number: a word of
// one or two Latin letters, an optional space, then four to seven digits
// ending the word — "AB123456", "K12345", "cd 654321". CINs carry four to
// six digits, passports seven.
//
// Written with a space, the letters are often a short word instead ("en
// 2026", "f 1500 dh", "de 15000"); those words are listed in shortWords and
// never open a spaced ID. Written without a space, letters and digits are an
// ID whatever the letters: "en2026" is rare, a leaked CIN is not.
func findNationalIDs(s string, spans []span) []span {
	prev := ' ' // the start of the text is a word boundary
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		if isASCIILetter(r) && !isWordRune(prev) {
			if end := nationalIDEnd(s, i); end > i {
				spans = append(spans, span{start: i, end: end, kinds: 1 << NationalID})
			}
		}
		prev = r
		i += w
	}
	return spans
}

// nationalIDEnd returns where the ID starting at s[i] ends, or i when there
// is none.
func nationalIDEnd(s string, i int) int {
	j := i
	for j < len(s) && j-i <= 2 && isASCIILetter(rune(s[j])) {
		j++
	}
	letters := j - i
	if letters > 2 {
		return i
	}
	if j < len(s) && s[j] == ' ' {
		if shortWords[lowerASCII(s[i:j])] {
			return i
		}
		j++
	}
	digits := 0
	for j < len(s) {
		r, w := utf8.DecodeRuneInString(s[j:])
		if !unicode.IsDigit(r) {
			if isWordRune(r) {
				return i
			}
			break
		}
		digits++
		j += w
	}
	if digits < 4 || digits > 7 {
		return i
	}
	return j
}

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// lowerASCII lowers a word of at most two ASCII letters without allocating.
func lowerASCII(w string) string {
	var b [2]byte
	n := copy(b[:], w)
	for k := range n {
		b[k] |= 0x20
	}
	return string(b[:n])
}

// shortWords are one- and two-letter words of French, English and Darija in
// Latin script that are often followed by a number: "en 2026", "de 15000",
// "in 2025", "f 1500 dh" (in), "b 2000" (with), "fi 2024". Units and
// abbreviations ("km 1200", "CP 30000", "PV 12345") belong here too: none is
// a person's ID.
var shortWords = map[string]bool{
	// letters that are words
	"a": true, "b": true, "d": true, "f": true, "i": true, "l": true,
	"m": true, "n": true, "o": true, "u": true, "w": true, "y": true,
	// French
	"au": true, "ce": true, "de": true, "du": true, "en": true, "et": true,
	"il": true, "la": true, "le": true, "ma": true, "me": true, "ne": true,
	"ni": true, "on": true, "ou": true, "sa": true, "se": true, "si": true,
	"ta": true, "te": true, "tu": true, "un": true, "va": true, "vu": true,
	// English
	"am": true, "an": true, "as": true, "at": true, "be": true, "by": true,
	"do": true, "go": true, "he": true, "if": true, "in": true, "is": true,
	"it": true, "my": true, "no": true, "of": true, "or": true, "pm": true,
	"so": true, "to": true, "up": true, "us": true, "we": true,
	// Darija
	"bl": true, "fi": true, "fl": true, "li": true, "mn": true, "wa": true,
	"ya": true,
	// units and abbreviations
	"bp": true, "cm": true, "cp": true, "dh": true, "ex": true, "kg": true,
	"km": true, "ml": true, "mm": true, "nr": true, "pv": true, "rn": true,
	"vs": true,
}
