package triage

import (
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// Lexicon finds a pack's category words and cues in normalised text,
// through the prefixes and suffixes that Arabic and Darija attach to words
// (وبالسكين, كيضربو, ماكاينش) and French and English plurals.
type Lexicon struct {
	single map[string][]entry // one-token terms by normalised form
	multi  map[string][]entry // longer terms by their first token
	darija map[string]bool    // Darija markers, both scripts
}

type entry struct {
	kind  string   // "category" or "cue"
	name  string   // the category code or the cue name
	term  string   // the term as written in the lexicon
	rest  []string // the tokens after the first, for multi-token terms
	words int
}

// Hit is one term found in a text.
type Hit struct {
	Kind    string // "category" or "cue"
	Name    string // category code or cue name
	Term    string // the lexicon term
	Pos     int    // index of its first token
	Negated bool   // a negation word stands just before it
}

// NewLexicon compiles a pack's lexicon. A nil lexicon matches nothing.
func NewLexicon(l *yaqaza.Lexicon) *Lexicon {
	x := &Lexicon{single: map[string][]entry{}, multi: map[string][]entry{}, darija: map[string]bool{}}
	if l == nil {
		return x
	}
	add := func(kind, name, term string) {
		toks := Normalise(term).Tokens
		if len(toks) == 0 {
			return
		}
		e := entry{kind: kind, name: name, term: term, rest: toks[1:], words: len(toks)}
		if len(toks) == 1 {
			x.single[toks[0]] = appendUnique(x.single[toks[0]], e)
		} else {
			x.multi[toks[0]] = append(x.multi[toks[0]], e)
		}
	}
	cats := make([]string, 0, len(l.Categories))
	for c := range l.Categories {
		cats = append(cats, c)
	}
	sort.Strings(cats) // deterministic order of hits
	for _, c := range cats {
		for _, t := range l.Categories[c].Terms {
			add("category", c, t)
		}
	}
	cues := make([]string, 0, len(l.Cues))
	for c := range l.Cues {
		cues = append(cues, c)
	}
	sort.Strings(cues)
	for _, c := range cues {
		for _, t := range l.Cues[c] {
			add("cue", c, t)
		}
	}
	for _, list := range [][]string{l.DarijaMarkers.ArabicScript, l.DarijaMarkers.LatinScript} {
		for _, t := range list {
			for _, tok := range Normalise(t).Tokens {
				x.darija[tok] = true
			}
		}
	}
	// Longest terms first, so that "ضرب وجرح" wins over "ضرب".
	for k, es := range x.multi {
		sort.SliceStable(es, func(i, j int) bool { return es[i].words > es[j].words })
		x.multi[k] = es
	}
	return x
}

func appendUnique(es []entry, e entry) []entry {
	for _, o := range es {
		if o.kind == e.kind && o.name == e.name {
			return es
		}
	}
	return append(es, e)
}

// Arabic clitics. Prefixes: conjunctions and prepositions (و ف ب ل ك), the
// article, and Darija's verb prefixes (كي كن كت تي: كيضرب "he is hitting").
// Suffixes: plurals and pronouns.
var (
	arabicPrefixes = []string{"وبال", "وال", "فال", "بال", "كال", "لل", "ال", "كي", "كن", "كت", "تي", "تن", "و", "ف", "ب", "ل", "ك"}
	arabicSuffixes = []string{"ات", "ين", "ون", "وه", "ها", "هم", "كم", "نا", "ه", "و", "ي"}
	latinPrefixes  = []string{"b", "f", "l", "w"} // Darija "bjenwi", "fzenqa"
)

// forms returns the token itself and the stems that clitics may hide, and
// whether it carries Darija's negation ما…ش (ماكاينش "there is not").
func forms(tok string, buf []string) ([]string, bool) {
	buf = append(buf[:0], tok)
	negated := false
	if len(tok) > 0 && tok[0] >= 0x80 {
		stem := tok
		if strings.HasSuffix(stem, "ش") && (strings.HasPrefix(stem, "ما") || strings.HasPrefix(stem, "م")) && utf8.RuneCountInString(stem) >= 5 {
			negated = true
			stem = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(stem, "ما"), "م"), "ش")
			buf = append(buf, stem)
		}
		for _, p := range arabicPrefixes {
			if s, ok := strings.CutPrefix(stem, p); ok && utf8.RuneCountInString(s) >= 2 {
				buf = append(buf, s)
				buf = appendSuffixless(buf, s)
			}
		}
		buf = appendSuffixless(buf, stem)
		return buf, negated
	}
	if n := len(tok); n >= 4 && (tok[n-1] == 's' || tok[n-1] == 'x') {
		buf = append(buf, tok[:n-1])
	}
	if n := len(tok); n >= 5 {
		for _, p := range latinPrefixes {
			if strings.HasPrefix(tok, p) {
				buf = append(buf, tok[len(p):])
			}
		}
	}
	return buf, negated
}

func appendSuffixless(buf []string, s string) []string {
	for _, suf := range arabicSuffixes {
		if t, ok := strings.CutSuffix(s, suf); ok && utf8.RuneCountInString(t) >= 3 {
			buf = append(buf, t)
		}
	}
	return buf
}

// negationWindow is how many tokens back a negation word still reaches:
// "ما كاين حتى شي مجروح", "il n'y a pas de blessé", "no one was hurt".
const negationWindow = 4

// Scan returns every term of the lexicon found in the tokens, in order.
func (x *Lexicon) Scan(tokens []string) []Hit {
	var hits []Hit
	var buf [24]string
	negAt := -100 // position of the last negation word
	for i := 0; i < len(tokens); i++ {
		fs, circumfix := forms(tokens[i], buf[:0])
		matched := false
		// Multi-token terms first.
		for _, f := range fs {
			for _, e := range x.multi[f] {
				if i+len(e.rest) < len(tokens) && equalTokens(tokens[i+1:i+1+len(e.rest)], e.rest) {
					hits = append(hits, Hit{Kind: e.kind, Name: e.name, Term: e.term, Pos: i, Negated: circumfix || i-negAt <= negationWindow})
					matched = true
				}
			}
			if matched {
				break
			}
		}
		if !matched {
			for k, f := range fs {
				es := x.single[f]
				found := false
				for _, e := range es {
					if e.kind == "cue" && e.name == yaqaza.CueNegation {
						// Only the word itself negates: stripping a clitic
						// would turn كما, لما, فلم (film) or ولا (or) into one.
						if k == 0 {
							negAt = i
							found = true
						}
						continue
					}
					found = true
					hits = append(hits, Hit{Kind: e.kind, Name: e.name, Term: e.term, Pos: i, Negated: circumfix || i-negAt <= negationWindow})
				}
				if found {
					break // the most literal form that matched wins
				}
			}
		}
		if circumfix {
			negAt = i
		}
	}
	return hits
}

func equalTokens(a, b []string) bool {
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// DarijaMarkers counts the tokens that mark Moroccan Darija.
func (x *Lexicon) DarijaMarkers(tokens []string) int {
	n := 0
	var buf [24]string
	for _, t := range tokens {
		if x.darija[t] {
			n++
			continue
		}
		fs, circumfix := forms(t, buf[:0])
		if circumfix {
			n++ // ما…ش is Darija, not Standard Arabic
			continue
		}
		for _, f := range fs[1:] {
			if x.darija[f] {
				n++
				break
			}
		}
	}
	return n
}
