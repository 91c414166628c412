// Package triage turns a raw report into a decision: what language it is
// in, whether it is about a public-safety incident, which category, where,
// whether it is the same event as an open incident, how much public
// attention it draws, and how urgent it is — each with the words, rules and
// scores that led to it, so that an operator can see why.
//
// Everything here is pure: a report and read-only lookups in, a decision
// out. The store writes what triage decides.
package triage

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalised is a text prepared for matching. The original is never changed:
// reports keep their text as received.
type Normalised struct {
	// Text is the matching form: lower case, no accents or Arabic
	// diacritics, one spelling per letter, single spaces between tokens.
	Text string
	// Tokens are the words of Text (substrings of it).
	Tokens []string
	URLs   []string
	// Mentions and hashtags are counted, not kept: they name accounts and
	// topics, which triage has no use for beyond the words themselves.
	Mentions, Hashtags, Emoji int
	// Arabic and Latin count letters of each script, for language identification.
	Arabic, Latin int
	// Arabizi counts digits used as letters inside Latin words (3, 7, 9…).
	Arabizi int
}

// Normalise prepares text for matching. It never fails: invalid UTF-8 is
// dropped, and a text of nothing but emoji or punctuation gives no tokens.
//
// Arabic: diacritics and tatweel go; hamza forms of alef, alef maqsura and
// yaa, taa marbuta and haa, Persian and Maghrebi letters each fold to one
// letter; Arabic-Indic digits become digits. Latin: lower case, accents
// dropped. Letters repeated three times or more count once (وااااالله,
// cooool → cool), a doubled Arabic letter counts once (Arabic marks doubling
// with shadda, which is dropped), and digits used as letters inside Latin
// words (Arabizi: 3ndi, m3a, wa7ed) become the Arabic letters they stand for.
// URLs are set aside, @mentions dropped, #hashtags keep their words, emoji
// and punctuation separate words.
func Normalise(text string) Normalised {
	var n Normalised
	z := normalisers.Get().(*normaliser)
	z.out, z.bounds, z.tok, z.n = z.out[:0], z.bounds[:0], z.tok[:0], &n
	z.run(text)
	n.Text = string(z.out)
	n.Tokens = make([]string, len(z.bounds)/2)
	for i := range n.Tokens {
		n.Tokens[i] = n.Text[z.bounds[2*i]:z.bounds[2*i+1]]
	}
	z.n = nil
	normalisers.Put(z)
	return n
}

// normalisers keep their scratch buffers between calls: triage normalises
// every report, and at burst rates the garbage would cost more than the work.
var normalisers = sync.Pool{New: func() any {
	return &normaliser{out: make([]byte, 0, 512), bounds: make([]int, 0, 128), tok: make([]rune, 0, 64)}
}}

type normaliser struct {
	out    []byte
	bounds []int // start, end of each token in out
	tok    []rune
	n      *Normalised
}

func (z *normaliser) run(text string) {
	fieldStart := true
	for i := 0; i < len(text); {
		c := text[i]
		if fieldStart {
			fieldStart = false
			// URLs and mentions take the whole whitespace-separated field.
			if c == 'h' && (strings.HasPrefix(text[i:], "http://") || strings.HasPrefix(text[i:], "https://")) ||
				c == 'w' && strings.HasPrefix(text[i:], "www.") || c == '@' || c == 0xEF && strings.HasPrefix(text[i:], "＠") {
				end := i + fieldEnd(text[i:])
				if c == '@' || c == 0xEF {
					z.n.Mentions++
				} else {
					z.n.URLs = append(z.n.URLs, strings.TrimRight(text[i:end], ".,;:!?)»\"'"))
				}
				i = end
				continue
			}
			if c == '#' {
				z.n.Hashtags++
				i++
				continue
			}
		}
		if c < utf8.RuneSelf {
			i++
			if c == ' ' || c == '\n' || c == '\t' || c == '\r' {
				z.flush()
				fieldStart = true
				continue
			}
			z.rune(rune(c))
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		switch {
		case r == utf8.RuneError:
			z.flush()
		case isSpace(r):
			z.flush()
			fieldStart = true
		default:
			z.rune(r)
		}
	}
	z.flush()
}

// fieldEnd is the length of the leading run of non-space characters.
func fieldEnd(s string) int {
	for i, r := range s {
		if isSpace(r) {
			return i
		}
	}
	return len(s)
}

func (z *normaliser) rune(r rune) {
	switch {
	case r < 0x80:
		switch {
		case r >= 'a' && r <= 'z' || r >= '0' && r <= '9':
			z.tok = append(z.tok, r)
		case r >= 'A' && r <= 'Z':
			z.tok = append(z.tok, r+'a'-'A')
		default: // punctuation, '_', apostrophes (l'arme → l arme)
			z.flush()
		}
	case r >= 0x0600 && r <= 0x06FF:
		if f := arabicTable[r-0x0600]; f > 0 {
			z.tok = append(z.tok, f)
		} else if f == 0 {
			z.flush() // Arabic punctuation: ، ؛ ؟
		} // f < 0: a diacritic or tatweel, dropped
	case r >= 0xC0 && r <= 0x17F:
		if s, ok := latinFold[r]; ok {
			z.tok = append(z.tok, []rune(s)...)
		} else if unicode.IsLetter(r) {
			z.tok = append(z.tok, unicode.ToLower(r))
		} else {
			z.flush()
		}
	case isEmoji(r):
		z.n.Emoji++
		z.flush()
	case r == 0x200C || r == 0x200D || r == 0x200E || r == 0x200F || unicode.Is(unicode.Mn, r):
		// joiners, direction marks and combining marks carry no letter
	case r >= 0xFB50 && r <= 0xFDFF || r >= 0xFE70 && r <= 0xFEFF || r >= 0xFF00 && r <= 0xFFEF:
		// presentation forms and full-width letters: their compatibility decomposition
		for _, d := range norm.NFKC.String(string(r)) {
			if d < 0xFB50 || d > 0xFFEF { // no loop on what does not decompose
				z.rune(d)
			}
		}
	case unicode.IsLetter(r) || unicode.IsDigit(r):
		z.tok = append(z.tok, unicode.ToLower(r))
	default:
		z.flush()
	}
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r == 0xA0 || r == 0x3000 || r >= 0x2000 && r <= 0x200A || r == 0x202F || r == 0x205F
}

// flush ends the current token: it folds runs and Arabizi, then appends it.
func (z *normaliser) flush() {
	if len(z.tok) == 0 {
		return
	}
	latin, digits := 0, 0
	for _, r := range z.tok {
		switch {
		case isArabicLetter(r):
			z.n.Arabic++
		case r >= '0' && r <= '9':
			digits++
		case r < 0x250:
			latin++
		}
	}
	z.n.Latin += latin
	arabiziWord := latin > 0 && digits > 0
	if len(z.bounds) > 0 {
		z.out = append(z.out, ' ')
	}
	start := len(z.out)
	var p1, p2 rune // the two runes written before
	for _, r := range z.tok {
		if arabiziWord {
			if a := arabizi(r); a != 0 {
				r = a
				z.n.Arabizi++
			}
		}
		isLetter := r > '9'
		switch {
		case isLetter && r == p1 && r == p2:
			continue // a third of a run
		case isLetter && r == p1 && isArabicLetter(r):
			continue // a doubled Arabic letter
		}
		z.out = utf8.AppendRune(z.out, r)
		p2, p1 = p1, r
	}
	z.bounds = append(z.bounds, start, len(z.out))
	z.tok = z.tok[:0]
}

// arabizi maps the digits of Latin-script Darija to the letters they stand for.
func arabizi(r rune) rune {
	switch r {
	case '2':
		return 'ء'
	case '3':
		return 'ع'
	case '5':
		return 'خ'
	case '6':
		return 'ط'
	case '7':
		return 'ح'
	case '8':
		return 'غ'
	case '9':
		return 'ق'
	}
	return 0
}

func isArabicLetter(r rune) bool {
	return r >= 0x0621 && r <= 0x064A || r >= 0x0671 && r <= 0x06D3 || r >= 0x06FA && r <= 0x06FF || r >= 0x0750 && r <= 0x077F
}

// isEmoji reports pictographs, emoticons, symbols and their modifiers.
func isEmoji(r rune) bool {
	return r >= 0x1F000 && r <= 0x1FAFF || r >= 0x2600 && r <= 0x27BF || r >= 0x2300 && r <= 0x23FF ||
		r >= 0xFE00 && r <= 0xFE0F || r >= 0x1F1E6 && r <= 0x1F1FF || r == 0x20E3 || r >= 0xE0020 && r <= 0xE007F
}

// arabicTable maps the Arabic block (U+0600–U+06FF): a letter to its folded
// form, a diacritic or tatweel to -1 (dropped), anything else to 0 (a separator).
var arabicTable = func() (t [256]rune) {
	fold := map[rune]rune{
		'أ': 'ا', 'إ': 'ا', 'آ': 'ا', 'ٱ': 'ا', 'ٲ': 'ا', 'ٳ': 'ا',
		'ى': 'ي', 'ی': 'ي', 'ې': 'ي',
		'ة': 'ه', 'ۀ': 'ه', 'ہ': 'ه', 'ھ': 'ه',
		'ؤ': 'و', 'ئ': 'ي',
		'ک': 'ك', 'ڭ': 'ك', 'گ': 'ك',
		'ڤ': 'ف', 'ڥ': 'ف', 'پ': 'ب', 'چ': 'ش', 'ژ': 'ز',
	}
	for r := rune(0x0600); r <= 0x06FF; r++ {
		i := r - 0x0600
		switch {
		case r >= 0x064B && r <= 0x065F || r == 0x0670 || r == 0x0640 || r >= 0x06D6 && r <= 0x06ED:
			t[i] = -1
		case r >= 0x0660 && r <= 0x0669:
			t[i] = '0' + (r - 0x0660)
		case r >= 0x06F0 && r <= 0x06F9:
			t[i] = '0' + (r - 0x06F0)
		case isArabicLetter(r):
			if f, ok := fold[r]; ok {
				t[i] = f
			} else {
				t[i] = r
			}
		}
	}
	return t
}()

// latinFold drops the accents of the Latin letters French, Spanish and
// Turkish write, and spells out the ligatures.
var latinFold = func() map[rune]string {
	m := map[rune]string{'æ': "ae", 'Æ': "ae", 'œ': "oe", 'Œ': "oe", 'ß': "ss", 'ø': "o", 'Ø': "o", 'đ': "d", 'Đ': "d", 'ł': "l", 'Ł': "l", 'ı': "i"}
	for r := rune(0xC0); r <= 0x17F; r++ {
		if _, ok := m[r]; ok {
			continue
		}
		d := []rune(norm.NFD.String(string(r)))
		if len(d) > 1 && d[0] < 0x80 {
			m[r] = strings.ToLower(string(d[0]))
		}
	}
	return m
}()
