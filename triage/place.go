package triage

import (
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// Gazetteer finds named places in normalised text. It is built once from a
// pack's gazetteer and is safe for concurrent use.
//
// Names are matched as runs of one to four words. Both the names and the
// text are reduced to skeletons (see appendSkeleton) and a run's skeletons
// are joined without spaces, so that "ben souda", "bensouda" and "Ben-Souda"
// meet. Arabic proclitics (فبنسودة, بالأطلس) and Latin articles (lbatha,
// essalam) are tried off the first word of a run.
type Gazetteer struct {
	places []yaqaza.Place
	// keys holds the key of every name variant and, to stop early on
	// words that begin no name, every shorter prefix of one (with no hits).
	keys map[string][]hit
	// exact holds each name as normalised, to tell a literal mention from
	// one through a spelling variant.
	exact map[string][]int32
}

type hit struct {
	place int32
	words int8 // words of the name, articles aside
	span  int8 // words of this spelling of it, articles kept
}

// PlaceMatch is a place found in a text.
type PlaceMatch struct {
	Place   *yaqaza.Place // the gazetteer entry
	Matched string        // the words of the text that matched, as normalised
	Exact   bool          // false when matched through a spelling variant
}

const (
	maxNameWords = 4
	// maxSpan bounds a run of text words: a four-word name and its articles.
	maxSpan = 6
	// maxKey bounds a key in bytes; longer runs name no place.
	maxKey = 128
)

// cues are words that introduce a place. A name that is also an ordinary
// word counts only after one of them ("حي الأمل", not "عندي الأمل").
var cues = skeletonSet(
	"hay", "hayy", "7ay", "quartier", "qt", "derb", "douar", "lotissement", "lot", "tajziat",
	"rue", "zanqa", "znqa", "avenue", "bd", "boulevard", "residence", "cite", "houma", "7ouma",
	"arrondissement", "place", "حي", "ساحة", "درب", "دوار", "تجزئة", "زنقة", "شارع", "حومة", "إقامة", "مقاطعة",
)

// arabicProclitics are what a word may carry before a name: a conjunction
// (و ف), a preposition (ب ل ك) and the article (ال, لل after ل), in that
// order: فبنسودة, وبالأطلس, فلمسيرة (Darija drops the alif of the article).
// They are grouped by first letter, so that a word is tried only against
// those it may begin with.
var arabicProclitics = func() map[rune][]string {
	m := map[rune][]string{}
	for _, p := range []string{
		"ال", "ب", "بال", "ل", "لل", "ك", "كال",
		"و", "وال", "وب", "وبال", "ول", "ولل", "وك", "وكال",
		"ف", "فال", "فب", "فبال", "فل", "فلل", "فك", "فكال",
	} {
		r, _ := utf8.DecodeRuneInString(p)
		m[r] = append(m[r], p)
	}
	return m
}()

// procliticsOf returns the proclitics that Arabic word w may begin with.
func procliticsOf(w string) []string {
	if w == "" || w[0] < utf8.RuneSelf {
		return nil
	}
	r, _ := utf8.DecodeRuneInString(w)
	return arabicProclitics[r]
}

// NewGazetteer indexes places by every name, translation and alias.
// Names longer than four words (articles aside) cannot be matched.
func NewGazetteer(places []yaqaza.Place) *Gazetteer {
	g := &Gazetteer{places: slices.Clone(places), keys: map[string][]hit{}, exact: map[string][]int32{}}
	for i := range g.places {
		p := &g.places[i]
		for _, name := range append([]string{p.Name, p.Names.AR, p.Names.FR, p.Names.EN}, p.Aliases...) {
			g.addName(int32(i), name)
		}
	}
	return g
}

func (g *Gazetteer) addName(place int32, name string) {
	words := Normalise(romanToDigits(name)).Tokens
	// "Hay Atlas", "Quartier des Andalous", "حي النور": the cue is not the name.
	for len(words) > 1 && (cues[string(appendSkeleton(nil, words[0]))] || isLink(words[0])) {
		words = words[1:]
	}
	content := 0
	for _, w := range words {
		if !isLink(w) {
			content++
		}
	}
	if content == 0 || content > maxNameWords {
		return
	}
	words = slices.Clone(words)
	k := latinArticle(words[0])
	if strings.HasPrefix(words[0], "ال") && utf8.RuneCountInString(words[0]) >= 4 {
		k = len("ال")
	}
	if k > 0 {
		if hasLatin(words[0]) {
			// Whether "lalla" carries an article depends on its length,
			// which its spelling "lala" changes: keep both readings.
			g.addWords(place, words, content)
		}
		words[0] = words[0][k:]
	}
	g.addWords(place, words, content)
}

// addWords indexes one reading of a name.
func (g *Gazetteer) addWords(place int32, words []string, content int) {
	form := strings.Join(words, " ")
	if !slices.Contains(g.exact[form], place) {
		g.exact[form] = append(g.exact[form], place)
	}
	// Each word has one or more spellings; the keys are their combinations,
	// each with the number of words it is written in.
	type variant struct {
		key   string
		words int
	}
	vs := []variant{{}}
	for i, w := range words {
		var alts []string
		switch {
		case i > 0 && (w == "el" || w == "al" || w == "l"): // Bab El Hamra, Bab Lhamra, Bab Hamra
			alts = []string{"", "il", "al", "l"}
		case i > 0 && isLink(w): // Route d'Imouzzer, Route Imouzzer
			alts = []string{"", string(appendSkeleton(nil, w))}
		case w == "my" || w == "moulay" || w == "mulay": // My Smail, Moulay Smail
			alts = []string{"mi", "mulai"}
		default:
			alts = []string{string(appendSkeleton(nil, w))}
		}
		var next []variant
		for _, v := range vs {
			for _, a := range alts {
				next = append(next, variant{v.key + a, v.words + min(len(a), 1)})
			}
		}
		vs = next
	}
	for _, v := range vs {
		if len(v.key) >= 3 && len(v.key) <= maxKey {
			g.add(v.key, hit{place, int8(content), int8(v.words)})
		}
	}
}

func (g *Gazetteer) add(key string, h hit) {
	for i := 1; i < len(key); i++ {
		if _, ok := g.keys[key[:i]]; !ok && utf8.RuneStart(key[i]) {
			g.keys[key[:i]] = nil
		}
	}
	for i, x := range g.keys[key] {
		if x.place == h.place {
			g.keys[key][i].span = max(x.span, h.span)
			return
		}
	}
	g.keys[key] = append(g.keys[key], h)
}

// candidate is a place named by words start..end of a text; cut bytes of
// the first word were a proclitic or an article.
type candidate struct {
	place, start, end, cut int
	zoned, exact, found    bool
}

// beats ranks matches: a place with a zone, then the longer run of words,
// then the earlier, then a literal mention.
func (c candidate) beats(b candidate) bool {
	switch {
	case !b.found:
		return true
	case c.zoned != b.zoned:
		return c.zoned
	case c.end-c.start != b.end-b.start:
		return c.end-c.start > b.end-b.start
	case c.start != b.start:
		return c.start < b.start
	case c.exact != b.exact:
		return c.exact
	}
	return c.place < b.place
}

// Find returns the best place named in the normalised text, if any.
func (g *Gazetteer) Find(n Normalised) (PlaceMatch, bool) {
	var best candidate
	var buf, alt [maxKey]byte
	for i, w := range n.Tokens {
		if w == "" || len(w) > maxKey || isLink(w) {
			continue
		}
		key := appendSkeleton(buf[:0], w)
		g.extend(n.Tokens, i, 0, key, &best)
		if !hasLatin(w) {
			for _, p := range procliticsOf(w) {
				// the prefix letters are kept as they are by appendSkeleton
				if len(w) >= len(p)+4 && strings.HasPrefix(w, p) {
					g.extend(n.Tokens, i, len(p), key[len(p):], &best)
				}
			}
		} else if k := latinArticle(w); k > 0 {
			g.extend(n.Tokens, i, k, appendSkeleton(alt[:0], w[k:]), &best)
		}
	}
	if !best.found {
		return PlaceMatch{}, false
	}
	return PlaceMatch{Place: &g.places[best.place], Matched: span(n, best.start, best.end), Exact: best.exact}, true
}

// extend looks the run of words from i up in the index, one more word at a
// time, for as long as the run begins some name.
func (g *Gazetteer) extend(words []string, i, cut int, key []byte, best *candidate) {
	for j := i; ; j++ {
		hits, ok := g.keys[string(key)]
		if !ok {
			return
		}
		for _, h := range hits {
			g.consider(words, candidate{place: int(h.place), start: i, end: j, cut: cut}, h, best)
		}
		if j+1 >= len(words) || j+1-i >= maxSpan || len(key)+len(words[j+1]) > cap(key) {
			return
		}
		key = appendSkeleton(key, words[j+1])
	}
}

func (g *Gazetteer) consider(words []string, c candidate, h hit, best *candidate) {
	p := &g.places[c.place]
	c.found, c.zoned = true, p.Zone != ""
	c.exact = g.isExact(words, c)
	first := words[c.start][c.cut:]
	// Words the name writes as one may be written apart ("ben souda" for
	// Bensouda), but not bits of words: "day a" is not Daiaa.
	if c.end-c.start+1 > int(h.span) {
		for k, w := range words[c.start : c.end+1] {
			if k == 0 {
				w = first
			}
			if utf8.RuneCountInString(w) < 3 {
				return
			}
		}
	}
	// A short Latin word is one letter away from many others (sais, Saïss):
	// without a cue, only its exact spelling counts.
	short := !c.exact && c.start == c.end && hasLatin(first) && utf8.RuneCountInString(first) < 5
	common := p.CommonWord && !(c.exact && h.words >= 2)
	if (short || common) && !cueBefore(words, c.start) {
		return
	}
	if c.beats(*best) {
		*best = c
	}
}

// isExact reports whether the words, less the cut, are one of the place's
// names as normalised.
func (g *Gazetteer) isExact(words []string, c candidate) bool {
	var arr [2 * maxKey]byte
	b := append(arr[:0], words[c.start][c.cut:]...)
	for _, w := range words[c.start+1 : c.end+1] {
		if len(b)+1+len(w) > len(arr) {
			return false
		}
		b = append(append(b, ' '), w...)
	}
	return slices.Contains(g.exact[string(b)], int32(c.place))
}

// cueBefore reports whether a cue word comes before word i, perhaps with
// an article or a preposition between ("quartier des Andalous", "فحي الأمل").
func cueBefore(words []string, i int) bool {
	m := i - 1
	for skipped := 0; m >= 0 && skipped < 2 && isLink(words[m]); skipped++ {
		m--
	}
	if m < 0 || words[m] == "" || len(words[m]) > 32 {
		return false
	}
	var arr [32]byte
	s := appendSkeleton(arr[:0], words[m])
	if cues[string(s)] {
		return true
	}
	for _, p := range procliticsOf(words[m]) { // فحي, بحي
		if !hasLatin(words[m]) && strings.HasPrefix(words[m], p) && cues[string(s[len(p):])] {
			return true
		}
	}
	return false
}

// span returns words start..end as one string: a slice of n.Text when the
// Tokens are its words, as Normalise makes them.
func span(n Normalised, start, end int) string {
	off := 0
	for _, w := range n.Tokens[:start] {
		off += len(w) + 1
	}
	stop := off - 1
	for _, w := range n.Tokens[start : end+1] {
		stop += len(w) + 1
	}
	if stop <= len(n.Text) && strings.HasPrefix(n.Text[off:], n.Tokens[start]) && strings.HasSuffix(n.Text[:stop], n.Tokens[end]) {
		return n.Text[off:stop]
	}
	return strings.Join(n.Tokens[start:end+1], " ")
}
