package redact

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// findEmails appends a span for each e-mail address: a local part, '@' (or
// the full-width '＠'), and a domain of at least two labels whose last label
// opens with two letters. Letters of any script count, so "مراد@مثال.مغرب"
// and "élodie@exemple.fr" are addresses. A bare "@handle" is not (no local
// part), nor "ali@gmail" (no dot): the first is public, the second too
// ambiguous in prose ("rdv@18h").
func findEmails(s string, spans []span) []span {
	for at := 0; at < len(s); at++ {
		w := atSignWidth(s, at)
		if w == 0 {
			continue
		}
		start, end := localStart(s, at), domainEnd(s, at+w)
		if start < at && end > at+w {
			spans = append(spans, span{start: start, end: end, kinds: 1 << Email})
		}
		at += w - 1
	}
	return spans
}

// atSignWidth returns the width of the at sign at s[i], or 0 when there is
// none. A byte loop beats strings.IndexAny, whose search for a non-ASCII
// rune decodes the whole text.
func atSignWidth(s string, i int) int {
	switch {
	case s[i] == '@':
		return 1
	case s[i] == 0xef && strings.HasPrefix(s[i:], "＠"):
		return len("＠")
	}
	return 0
}

// localStart returns where the local part ending at s[at] begins; at when
// there is none. A local part holds no two dots in a row, nor a leading one:
// those are sentence punctuation ("voir...ali@x.ma").
func localStart(s string, at int) int {
	start := at
	for start > 0 {
		r, w := utf8.DecodeLastRuneInString(s[:start])
		if !isLocalRune(r) {
			break
		}
		start -= w
	}
	if dots := strings.LastIndex(s[start:at], ".."); dots >= 0 {
		start += dots
	}
	for start < at && s[start] == '.' {
		start++
	}
	return start
}

// isLocalRune reports whether r may be part of a local part. Quotes, slashes
// and brackets are allowed by RFC 5322 but end words in prose ("l'adresse"),
// so they end the local part here.
func isLocalRune(r rune) bool {
	return isWordRune(r) || strings.ContainsRune(".!#$%&*+-=^~", r)
}

// domainEnd returns where the domain starting at s[from] ends, or from when
// there is no valid domain. A trailing dot or dash ends a sentence, not the
// domain.
func domainEnd(s string, from int) int {
	end := from
	for end < len(s) {
		r, w := utf8.DecodeRuneInString(s[end:])
		if !isWordRune(r) && r != '-' && r != '.' {
			break
		}
		end += w
	}
	for end > from && (s[end-1] == '.' || s[end-1] == '-') {
		end--
	}
	if !validDomain(s[from:end]) {
		return from
	}
	return end
}

// validDomain wants at least two non-empty labels, the last opening with two
// letters: "gmail.com", "menara.ma", "xn--mgbc0a9azcg.xn--mgba3a4f16a", not
// "12h.30".
func validDomain(d string) bool {
	dot := strings.LastIndexByte(d, '.')
	if dot <= 0 || strings.HasPrefix(d, ".") || strings.Contains(d, "..") {
		return false
	}
	tld := d[dot+1:]
	for n := 0; n < 2; n++ {
		r, w := utf8.DecodeRuneInString(tld)
		if !unicode.IsLetter(r) {
			return false
		}
		tld = tld[w:]
	}
	return true
}

// isWordRune reports whether r belongs inside a word: letters and digits of
// any script, combining marks (Arabic harakat, decomposed accents) and '_'.
func isWordRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) || r == '_'
}
