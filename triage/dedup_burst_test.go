package triage

import (
	"fmt"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// dupBurstReport is one report of a synthetic burst, with the event it is about.
type dupBurstReport struct {
	text  string
	at    time.Time
	event int // index of the event, or -1 for an unrelated report
}

// dupDistinctTexts keeps the texts of a data set that are not near-duplicates
// of a text kept before them. The data sets hold retweets of one tweet with
// small changes ("RT @a: …", a word added, a link cut short), and two of
// those drawn as different events or as an event and an unrelated report
// would make a right join count as a wrong one. The check is independent of
// the index: two texts are near-duplicates when they have the same first
// six words, the same set of words, a common run of eight words (one quotes
// the other), or the same link.
func dupDistinctTexts(examples []Example) []string {
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
var dupRepostComments = []string{
	"شوفو هاد الشي 😱😱", "الله يستر", "واش هادشي معقول؟", "حشومة والله", "شاركو باش يوصل",
	"لا حول ولا قوة الا بالله", "فين البوليس؟", "الله ياخد الحق", "عاجل", "يا ربي السلامة",
	"wach hadchi m3qoul?", "lah ysse7", "chofo had chi 😱", "hchouma", "partagiw 3afakom",
	"Incroyable !!", "C'est grave ça", "Honteux", "Partagez svp", "Mais qu'est-ce qui se passe ?",
	"OMG", "Wow this is crazy", "Please share", "So sad 😢", "Can't believe this", "Breaking:",
}

var dupRepostTags = []string{"#Fes", "#فاس", "#عاجل", "#Maroc", "#breaking", "#police", "#المغرب", "#news"}

var dupRepostEmoji = []string{"😱", "😡😡", "🔥", "😢", "👇👇", "‼️", "😱😱😱", "🙏"}

// dupRepost edits a text the way re-posts do.
func dupRepost(rng *rand.Rand, text string) string {
	if words := strings.Fields(text); len(words) >= 10 && rng.Float64() < 0.3 {
		// cut at 60–90% of the text, as previews do
		r := []rune(text)
		cut := int(float64(len(r)) * (0.6 + 0.3*rng.Float64()))
		text = strings.TrimSpace(string(r[:cut])) + "…"
	}
	if rng.Float64() < 0.3 {
		words := strings.Fields(text)
		i := rng.IntN(len(words) + 1)
		words = slices.Insert(words, i, dupRepostEmoji[rng.IntN(len(dupRepostEmoji))])
		text = strings.Join(words, " ")
	}
	if rng.Float64() < 0.3 {
		text = dupRepostComments[rng.IntN(len(dupRepostComments))] + " " + text
	}
	if rng.Float64() < 0.25 {
		text += " " + dupRepostComments[rng.IntN(len(dupRepostComments))]
	}
	if rng.Float64() < 0.3 {
		for range 1 + rng.IntN(2) {
			text += " " + dupRepostTags[rng.IntN(len(dupRepostTags))]
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

type dupBurst struct {
	background []string
	reports    []dupBurstReport
	events     int
}

// dupMakeBurst draws events, unrelated reports and background texts from
// texts, without overlap, and lays the burst out over two hours.
func dupMakeBurst(rng *rand.Rand, texts []string, events, unrelated, background int, start time.Time) dupBurst {
	texts = slices.Clone(texts)
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	var b dupBurst
	b.events = events
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
			b.reports = append(b.reports, dupBurstReport{text: base, at: t0, event: e})
		}
		for i := range n {
			src := base
			if len(posted) > 0 && rng.Float64() < 0.3 {
				src = posted[rng.IntN(len(posted))] // a re-post of a re-post
			}
			text := dupRepost(rng, src)
			posted = append(posted, text)
			at := t0.Add(time.Duration(i+1) * time.Duration(rng.Float64()*float64(4*time.Minute)))
			b.reports = append(b.reports, dupBurstReport{text: text, at: at, event: e})
		}
	}
	for range unrelated {
		at := start.Add(time.Duration(rng.Float64() * float64(2*time.Hour)))
		b.reports = append(b.reports, dupBurstReport{text: take(false), at: at, event: -1})
	}
	for range background {
		b.background = append(b.background, take(false))
	}
	slices.SortStableFunc(b.reports, func(a, c dupBurstReport) int { return a.at.Compare(c.at) })
	return b
}

// dupPairScores are the pairwise precision and recall of a clustering: pred
// and truth give each item's cluster.
func dupPairScores(pred, truth []int64) (precision, recall float64) {
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

// TestDupBurst clusters bursts of re-posts of real texts among unrelated
// real texts, over an index already holding 20,000 open incidents, and
// scores the clustering pair by pair. The options were tuned on seeds 1–3;
// the seeds here were not looked at while tuning. With
// YAQAZA_DUP_EXPLAIN=1 it prints every wrong and missed join. Most wrong
// joins left are an event's first post joining a tweet of the data set
// with the same headline ("Family Guy Episode Predicted Boston Marathon
// Attack"), which dupDistinctTexts does not catch; the rest are short stock
// phrases ("good morning to you too") that the index has not seen often
// enough to know are common.
func TestDupBurst(t *testing.T) {
	crisis := readTSV(t, sharedData(t, "text/crisislex6-relevance.train.tsv"))
	mac := readTSV(t, sharedData(t, "text/mac-sentiment.train.tsv"))
	texts := dupDistinctTexts(append(crisis, mac...))
	t.Logf("%d texts, %d after dropping near-duplicates", len(crisis)+len(mac), len(texts))

	for _, seed := range []uint64{11, 12, 13} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 7))
			start := time.Date(2025, 6, 14, 18, 0, 0, 0, time.UTC)
			b := dupMakeBurst(rng, texts, 150, 3000, 20000, start)
			x := NewDupIndex(DupOptions{})
			var pred, truth []int64
			textOf := map[int64]string{}
			for i, s := range b.background {
				id := int64(i + 1)
				at := start.Add(-time.Duration(rng.Float64() * float64(24*time.Hour)))
				x.Add(FingerprintOf(Normalise(s), nil, ""), Candidate{IncidentID: id, At: at})
				pred = append(pred, id)
				truth = append(truth, -id)
				textOf[id] = s
			}
			nextID := int64(len(b.background) + 1)
			labelOf := map[int64]int64{} // the truth of the report that opened an incident
			unrelated := 0
			verbose := os.Getenv("YAQAZA_DUP_EXPLAIN") != ""
			opened := map[int64]bool{} // events that have an incident
			wrong, missed := 0, 0
			for i, r := range b.reports {
				label := int64(r.event)
				if r.event < 0 {
					unrelated++
					label = int64(-1_000_000 - i)
				}
				fp := FingerprintOf(Normalise(r.text), nil, "")
				m, ok := x.Match(fp, Candidate{At: r.at})
				id := m.IncidentID
				if !ok && r.event >= 0 && opened[label] {
					missed++
					if verbose {
						t.Logf("missed: %q", r.text)
					}
				}
				opened[label] = true
				if ok && (id <= int64(len(b.background)) || labelOf[id] != label) {
					wrong++
				}
				if !ok {
					id = nextID
					nextID++
					textOf[id], labelOf[id] = r.text, label
				} else if verbose && (id <= int64(len(b.background)) || labelOf[id] != label) {
					t.Logf("wrong join: %q\n   into %d %q: %s", r.text, id, textOf[id], m.Reason)
				}
				x.Add(fp, Candidate{IncidentID: id, At: r.at})
				pred = append(pred, id)
				truth = append(truth, label)
			}
			p, r := dupPairScores(pred, truth)
			t.Logf("burst of %d reports (%d events, %d unrelated) over %d background: precision %.4f, recall %.4f; %d wrong joins, %d missed; %d fingerprints, %d incidents",
				len(b.reports), b.events, unrelated, len(b.background), p, r, wrong, missed, x.Len(), x.Incidents())
			if len(b.reports) < 5000 || 2*unrelated < len(b.reports) {
				t.Errorf("burst of %d reports with %d unrelated: want at least 5,000, half unrelated", len(b.reports), unrelated)
			}
			if p < 0.95 || r < 0.90 {
				t.Errorf("precision %.4f, recall %.4f: want ≥ 0.95 and ≥ 0.90", p, r)
			}
		})
	}
}

// BenchmarkDupMatch measures Match and Add of one report against an index
// holding 100,000 fingerprints of real texts (the data sets' texts, then
// splices of two of them), spread over the last 24 hours. Half the reports
// are re-posts of a loaded text, half are new. Beside it: Normalise of the same texts, measured in the same
// run, and the heap the index takes per fingerprint.
func BenchmarkDupMatch(b *testing.B) {
	var texts []string
	for _, name := range []string{"crisislex6-relevance.train", "crisislex6-relevance.test", "mac-sentiment.train", "mac-dialect.test"} {
		for _, e := range readTSV(b, sharedData(b, "text/"+name+".tsv")) {
			texts = append(texts, e.Text)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	fresh := texts[:5000]
	texts = texts[5000:]
	const loaded = 100_000
	for i := 0; len(texts) < loaded; i++ {
		a, c := strings.Fields(texts[i]), strings.Fields(texts[i+1])
		texts = append(texts, strings.Join(append(a[:len(a)/2:len(a)/2], c[len(c)/2:]...), " "))
	}
	texts = texts[:loaded]
	start := time.Date(2025, 6, 14, 18, 0, 0, 0, time.UTC)
	zones := []string{"03.231.01.01", "03.231.01.05", "03.231.01.07", "03.231.01.09", "03.231.01.11", "03.231.01.13"}
	cats := []string{"assault", "theft_robbery", "traffic", "other", ""}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := NewDupIndex(DupOptions{})
	for i, s := range texts {
		x.Add(FingerprintOf(Normalise(s), nil, ""), Candidate{IncidentID: int64(i + 1), Zone: zones[i%len(zones)], Category: cats[i%len(cats)],
			At: start.Add(time.Duration(i) * 24 * time.Hour / loaded)})
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perFP := float64(after.HeapAlloc-before.HeapAlloc) / float64(x.Len()) // with its incident's share

	queries := make([]string, 2000)
	for i := range queries {
		if i%2 == 0 {
			queries[i] = dupRepost(rng, texts[rng.IntN(len(texts))])
		} else {
			queries[i] = fresh[i]
		}
	}
	qfps := make([]Fingerprint, len(queries))
	for i, q := range queries {
		qfps[i] = FingerprintOf(Normalise(q), nil, "")
	}
	t0 := time.Now()
	for i := range 20000 {
		Normalise(queries[i%len(queries)])
	}
	normNs := float64(time.Since(t0).Nanoseconds()) / 20000

	// Reports come every 100 ms (36,000 an hour, more than any burst the
	// prefecture has seen), and the writer expires the index every 1,000.
	now := start.Add(24 * time.Hour)
	next := int64(loaded + 1)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		now = now.Add(100 * time.Millisecond)
		if i%1000 == 0 {
			x.Expire(now)
		}
		c := Candidate{Zone: zones[i%len(zones)], Category: cats[i%len(cats)], At: now}
		fp := qfps[i%len(qfps)]
		m, ok := x.Match(fp, c)
		if ok {
			c.IncidentID = m.IncidentID
		} else {
			c.IncidentID = next
			next++
		}
		x.Add(fp, c)
	}
	b.ReportMetric(normNs, "normalise-ns")
	b.ReportMetric(perFP, "heap-B/fingerprint")
}

func BenchmarkFingerprintOf(b *testing.B) {
	examples := readTSV(b, sharedData(b, "text/crisislex6-relevance.test.tsv"))
	ns := make([]Normalised, 0, 1000)
	for _, e := range examples[:1000] {
		ns = append(ns, Normalise(e.Text))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		FingerprintOf(ns[i%len(ns)], nil, "")
	}
}
