package triage

// A burst is what a viral video looks like to intake: a few hundred events,
// each posted and re-posted with the usual edits, mixed with unrelated
// posts, over an index already full of open incidents. The duplicate
// detection tests and "yaqaza bench triage" build them from real texts.

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// BurstReport is one report of a synthetic burst, with the event it is about.
type BurstReport struct {
	Text  string
	At    time.Time
	Event int // index of the event, or -1 for an unrelated report
}

// DistinctTexts keeps the texts of a data set that are not near-duplicates
// of a text kept before them. The data sets hold retweets of one tweet with
// small changes ("RT @a: …", a word added, a link cut short), and two of
// those drawn as different events or as an event and an unrelated report
// would make a right join count as a wrong one. The check is independent of
// the index: two texts are near-duplicates when they have the same first
// six words, the same set of words, a common run of eight words (one quotes
// the other), or the same link.
func DistinctTexts(examples []Example) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range examples {
		n := Normalise(e.Text)
		var words []string
		for _, w := range n.Tokens {
			if w != "rt" {
				words = append(words, w)
			}
		}
		if len(words) == 0 {
			continue
		}
		var keys []string
		keys = append(keys, "first:"+strings.Join(words[:min(6, len(words))], " "))
		set := slices.Clone(words)
		slices.Sort(set)
		keys = append(keys, "set:"+strings.Join(slices.Compact(set), " "))
		for i := 0; i+8 <= len(words); i++ {
			keys = append(keys, "run:"+strings.Join(words[i:i+8], " "))
		}
		for _, u := range n.URLs {
			if len(u) >= 15 && !strings.HasSuffix(u, "…") && !strings.HasSuffix(u, "...") {
				keys = append(keys, "url:"+u)
			}
		}
		dup := false
		for _, k := range keys {
			dup = dup || seen[k]
			seen[k] = true
		}
		if !dup {
			out = append(out, e.Text)
		}
	}
	return out
}

// Comments people add when they re-post, in the languages of Fès.
var repostComments = []string{
	"شوفو هاد الشي 😱😱", "الله يستر", "واش هادشي معقول؟", "حشومة والله", "شاركو باش يوصل",
	"لا حول ولا قوة الا بالله", "فين البوليس؟", "الله ياخد الحق", "عاجل", "يا ربي السلامة",
	"wach hadchi m3qoul?", "lah ysse7", "chofo had chi 😱", "hchouma", "partagiw 3afakom",
	"Incroyable !!", "C'est grave ça", "Honteux", "Partagez svp", "Mais qu'est-ce qui se passe ?",
	"OMG", "Wow this is crazy", "Please share", "So sad 😢", "Can't believe this", "Breaking:",
}

var repostTags = []string{"#Fes", "#فاس", "#عاجل", "#Maroc", "#breaking", "#police", "#المغرب", "#news"}

var repostEmoji = []string{"😱", "😡😡", "🔥", "😢", "👇👇", "‼️", "😱😱😱", "🙏"}

// dupRepost edits a text the way re-posts do.
func Repost(rng *rand.Rand, text string) string {
	if words := strings.Fields(text); len(words) >= 10 && rng.Float64() < 0.3 {
		// cut at 60–90% of the text, as previews do
		r := []rune(text)
		cut := int(float64(len(r)) * (0.6 + 0.3*rng.Float64()))
		text = strings.TrimSpace(string(r[:cut])) + "…"
	}
	if rng.Float64() < 0.3 {
		words := strings.Fields(text)
		i := rng.IntN(len(words) + 1)
		words = slices.Insert(words, i, repostEmoji[rng.IntN(len(repostEmoji))])
		text = strings.Join(words, " ")
	}
	if rng.Float64() < 0.3 {
		text = repostComments[rng.IntN(len(repostComments))] + " " + text
	}
	if rng.Float64() < 0.25 {
		text += " " + repostComments[rng.IntN(len(repostComments))]
	}
	if rng.Float64() < 0.3 {
		for range 1 + rng.IntN(2) {
			text += " " + repostTags[rng.IntN(len(repostTags))]
		}
	}
	if rng.Float64() < 0.25 {
		const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
		b := []byte("https://t.co/")
		for range 10 {
			b = append(b, alnum[rng.IntN(len(alnum))])
		}
		text += " " + string(b)
	}
	switch p := rng.Float64(); {
	case p < 0.08:
		text = strings.ToUpper(text)
	case p < 0.16:
		text = strings.ToLower(text)
	}
	if rng.Float64() < 0.35 {
		text = fmt.Sprintf("RT @user%d: %s", rng.IntN(100000), text)
	}
	return text
}

type Burst struct {
	Background []string
	Reports    []BurstReport
	Events     int
}

// MakeBurst draws events, unrelated reports and background texts from
// texts, without overlap, and lays the burst out over two hours.
func MakeBurst(rng *rand.Rand, texts []string, events, unrelated, background int, start time.Time) Burst {
	texts = slices.Clone(texts)
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	var b Burst
	b.Events = events
	next := 0
	take := func(long bool) string {
		for next < len(texts) {
			s := texts[next]
			next++
			// An event that goes viral says something: at least six words.
			if !long || len(strings.Fields(s)) >= 6 {
				return s
			}
		}
		panic("not enough texts")
	}
	for e := range events {
		base := take(true)
		t0 := start.Add(time.Duration(rng.Float64() * float64(90*time.Minute)))
		n := 1 + rng.IntN(30) // re-posts
		var posted []string
		if rng.Float64() < 0.8 {
			posted = append(posted, base)
			b.Reports = append(b.Reports, BurstReport{Text: base, At: t0, Event: e})
		}
		for i := range n {
			src := base
			if len(posted) > 0 && rng.Float64() < 0.3 {
				src = posted[rng.IntN(len(posted))] // a re-post of a re-post
			}
			text := Repost(rng, src)
			posted = append(posted, text)
			at := t0.Add(time.Duration(i+1) * time.Duration(rng.Float64()*float64(4*time.Minute)))
			b.Reports = append(b.Reports, BurstReport{Text: text, At: at, Event: e})
		}
	}
	for range unrelated {
		at := start.Add(time.Duration(rng.Float64() * float64(2*time.Hour)))
		b.Reports = append(b.Reports, BurstReport{Text: take(false), At: at, Event: -1})
	}
	for range background {
		b.Background = append(b.Background, take(false))
	}
	slices.SortStableFunc(b.Reports, func(a, c BurstReport) int { return a.At.Compare(c.At) })
	return b
}

// PairScores are the pairwise precision and recall of a clustering: pred
// and truth give each item's cluster.
func PairScores(pred, truth []int64) (precision, recall float64) {
	type cell struct{ p, t int64 }
	cells, ps, ts := map[cell]int{}, map[int64]int{}, map[int64]int{}
	for i := range pred {
		cells[cell{pred[i], truth[i]}]++
		ps[pred[i]]++
		ts[truth[i]]++
	}
	pairs := func(n int) float64 { return float64(n) * float64(n-1) / 2 }
	var tp, pp, tt float64
	for _, n := range cells {
		tp += pairs(n)
	}
	for _, n := range ps {
		pp += pairs(n)
	}
	for _, n := range ts {
		tt += pairs(n)
	}
	return tp / pp, tp / tt
}
