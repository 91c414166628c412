package triage

import (
	"slices"
	"strings"
	"unicode/utf8"
)

// appendSkeleton appends to dst the skeleton of one normalised word: the
// form in which the spellings of a name meet. Arabic words keep the letters
// Normalise left them, less the hamza on the line that writers often leave
// out (البطحاء, البطحا). Latin words go through a few rules, each merging
// spellings found in the Fès list, and Arabizi letters become Latin ones:
//
//	ou, o, w → u        Zouagha, Zwagha; Dokkarat, Doukkarat; Awinate, Aouinat
//	e, y → i            Ben, Bin; Riyad, Riad; Skaliya, Skalia
//	final e dropped     Zitoune, Zitoun; Teghate, Teghat (French spelling)
//	sh → ch; dh, th, dj → d, t, j    Dhar, Dar; Bathaa, Batha; Djemaa, Jemaa
//	q → k; hard c, ck → k inside a word    Qods, Kods; Yacout, Yakout
//	                    (not first: "cause" is not Kaous)
//	doubled letters     Hajjaj, Hajaj; Bennani, Benani
//	Arabizi ع ح خ غ ق ط (3in, 7ay, l9ods) → a h kh gh k t
//	ii, iv, i, v        the Roman numbers of "Tareq II", as digits
//
// Vowels otherwise stay apart (Fès and Fas, Tghat and Teghat are aliases):
// keys blind to vowels would confuse short names with ordinary words.
func appendSkeleton(dst []byte, w string) []byte {
	if !hasLatin(w) {
		for i := 0; i < len(w); i++ {
			if w[i] == 0xD8 && i+1 < len(w) && w[i+1] == 0xA1 { // ء
				i++
				continue
			}
			dst = append(dst, w[i])
		}
		return dst
	}
	if d, ok := romanDigits[w]; ok && len(w) <= 2 {
		return append(dst, d)
	}
	start := len(dst)
	put := func(b byte) {
		if len(dst) == start || dst[len(dst)-1] != b {
			dst = append(dst, b)
		}
	}
	for i := 0; i < len(w); {
		c := w[i]
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(w[i:])
			i += size
			if l, ok := arabiziLatin[r]; ok {
				for k := 0; k < len(l); k++ {
					put(l[k])
				}
			} else {
				dst = utf8.AppendRune(dst, r)
			}
			continue
		}
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		i++
		switch {
		case c == 'o' || c == 'w':
			if c == 'o' && next == 'u' {
				i++
			}
			c = 'u'
		case c == 'y':
			c = 'i'
		case c == 'e' && i == len(w) && len(w) >= 3:
			continue
		case c == 'e':
			c = 'i'
		case c == 'q' || c == 'c' && i > 1 && (next == 'a' || next == 'o' || next == 'u'):
			c = 'k'
		case c == 'c' && next == 'k':
			continue
		case c == 's' && next == 'h':
			c = 'c'
		case (c == 'd' || c == 't') && next == 'h':
			i++
		case c == 'd' && next == 'j':
			c = 'j'
			i++
		}
		put(c)
	}
	return dst
}

// romanDigits are the Roman numbers Normalise leaves apart ("iii" is "i").
var romanDigits = map[string]byte{"i": '1', "ii": '2', "iv": '4', "v": '5'}

// arabiziLatin spells the letters Normalise makes of Arabizi digits.
var arabiziLatin = map[rune]string{'ع': "a", 'ح': "h", 'خ': "kh", 'غ': "gh", 'ق': "k", 'ط': "t", 'ء': ""}

// latinArticle returns the length of an article written onto a Latin word:
// l, el, al (lbatha, elhorra, alghorba, latlas) and the forms assimilated
// to a doubled letter (essalam, ennakhil, arrachidia, echouhada). It leaves
// three letters and a consonant, or four letters, so that alami, elle and
// assa keep theirs.
func latinArticle(w string) int {
	n := 0
	switch {
	case len(w) > 3 && (w[0] == 'e' || w[0] == 'a') && w[1] == w[2] && strings.IndexByte("tdrzsn", w[1]) >= 0:
		n = 2
	case len(w) > 3 && (w[0] == 'e' || w[0] == 'a') && w[1] == 'c' && w[2] == 'h':
		n = 1
	case len(w) > 1 && w[0] == 'l':
		n = 1
	case len(w) > 2 && (w[0] == 'e' || w[0] == 'a') && w[1] == 'l':
		n = 2
	default:
		return 0
	}
	rest := utf8.RuneCountInString(w[n:])
	if rest >= 4 || rest == 3 && strings.IndexByte("aeiouy0123456789", w[n]) < 0 {
		return n
	}
	return 0
}

// isLink reports an article or preposition that may sit between a cue and
// a name, or inside a name ("quartier des Andalous", "hay es salam",
// "Route d'Imouzzer").
func isLink(w string) bool {
	switch w {
	case "el", "al", "l", "es", "ed", "er", "et", "ez", "en", "ech", "d", "de", "du", "des", "la", "le", "les":
		return true
	}
	return false
}

func hasLatin(w string) bool {
	for i := 0; i < len(w); i++ {
		if w[i] >= 'a' && w[i] <= 'z' {
			return true
		}
	}
	return false
}

// romanToDigits writes the Roman numbers of a name as digits before
// Normalise folds "III" into "i".
func romanToDigits(name string) string {
	f := strings.Fields(name)
	for i := 1; i < len(f); i++ {
		if k := slices.Index([]string{"I", "II", "III", "IV", "V"}, strings.ToUpper(strings.Trim(f[i], ",&"))); k >= 0 {
			f[i] = string(rune('1' + k))
		}
	}
	return strings.Join(f, " ")
}

func skeletonSet(words ...string) map[string]bool {
	m := map[string]bool{}
	for _, w := range words {
		for _, t := range Normalise(w).Tokens {
			m[string(appendSkeleton(nil, t))] = true
		}
	}
	return m
}
