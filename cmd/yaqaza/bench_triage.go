package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/triage"
)

// runBenchTriage replays a burst of real texts, re-posted with the usual
// edits and mixed with unrelated ones, through the whole triage pipeline
// (normalise, language, relevance, category, place, priority, fingerprint,
// duplicate lookup) over an index already holding open fingerprints, on one
// goroutine. It scores the clustering against the burst's known grouping.
// Beside the figure, the same texts through Normalise alone, in the same run.
func runBenchTriage(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench triage")
	reports := fs.Int("reports", 50000, "reports in the burst (at least)")
	background := fs.Int("background", 100000, "open fingerprints in the index before the burst")
	dir := fs.String("texts", "../shared/data/text", "folder of the label<TAB>text data sets")
	seed := fs.Uint64("seed", 1, "seed of the burst")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	var examples []triage.Example
	for _, name := range []string{"crisislex6-relevance.train", "crisislex6-relevance.test", "mac-sentiment.train", "mac-sentiment.test"} {
		ex, err := readExamplesFile(filepath.Join(*dir, name+".tsv"))
		if err != nil {
			return fmt.Errorf("bench triage reads the shared text data sets: %w", err)
		}
		examples = append(examples, ex...)
	}
	texts := triage.DistinctTexts(examples)
	rng := rand.New(rand.NewPCG(*seed, 7))
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })

	// Half the burst is events (about 16 reports each), half unrelated posts.
	events := *reports / 2 / 15
	unrelated := *reports - events*15
	need := events*2 + unrelated + 100
	if need > len(texts)/2 {
		return fmt.Errorf("%d distinct texts are too few for a burst of %d reports", len(texts), *reports)
	}
	start := time.Date(2025, 6, 14, 18, 0, 0, 0, time.UTC)
	burst := triage.MakeBurst(rng, texts[:need], events, unrelated, 0, start)
	bg := spliceTexts(texts[need:], *background)

	p := geo.DefaultPack()
	zones, err := geo.NewZoneIndex(p.Zones)
	if err != nil {
		return err
	}
	tr, err := triage.New(p, zones, triage.Models{})
	if err != nil {
		return err
	}
	cl := triage.NewClusterer(tr, triage.DefaultDupOptions)
	fmt.Fprintf(stderr, "loading %d open fingerprints…\n", len(bg))
	var pred, truth []int64
	for i, s := range bg {
		id := int64(i + 1)
		at := start.Add(-time.Duration(rng.Float64() * float64(24*time.Hour)))
		cl.Restore(id, yaqaza.ClusterInput{Assessment: &yaqaza.Assessment{Category: "other"}, Channel: yaqaza.ChannelSocial, Text: s, At: at})
		pred, truth = append(pred, id), append(truth, -id)
	}
	inputs := make([]*yaqaza.ReportInput, len(burst.Reports))
	for i, r := range burst.Reports {
		at := r.At
		inputs[i] = &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, Text: r.Text, OccurredAt: &at,
			Source: &yaqaza.Source{Platform: "x", Reposts: int64(rng.IntN(50))}}
	}
	fmt.Fprintf(stderr, "burst: %d reports (%d events, %d unrelated)\n", len(inputs), burst.Events, unrelated)

	// Baseline: the same texts through Normalise alone.
	t0 := time.Now()
	for _, in := range inputs {
		triage.Normalise(in.Text)
	}
	baseline := time.Since(t0)

	next := int64(len(bg) + 1)
	relevant := 0
	t0 = time.Now()
	for i, in := range inputs {
		a := tr.Assess(ctx, in)
		if a.Relevant {
			relevant++
		}
		// Every report is clustered, relevant or not, so that clustering is
		// measured on the whole burst (intake drops irrelevant public posts).
		out := cl.Begin().Assign(yaqaza.ClusterInput{Assessment: a, Channel: in.Channel, Source: in.Source, At: *in.OccurredAt}, next)
		if out.Join == nil {
			next++
		}
		label := int64(burst.Reports[i].Event)
		if label < 0 {
			label = int64(-10_000_000 - i)
		}
		pred, truth = append(pred, out.IncidentID), append(truth, label)
	}
	elapsed := time.Since(t0)
	precision, recall := triage.PairScores(pred, truth)
	n := float64(len(inputs))
	res := map[string]any{
		"reports":                 len(inputs),
		"open_fingerprints":       len(bg),
		"reports_per_s":           int(n / elapsed.Seconds()),
		"us_per_report":           round(elapsed.Seconds() * 1e6 / n),
		"baseline_normalise_us":   round(baseline.Seconds() * 1e6 / n),
		"cluster_precision":       round4(precision),
		"cluster_recall":          round4(recall),
		"events":                  burst.Events,
		"unrelated":               unrelated,
		"relevant":                relevant,
		"incidents_after":         next - int64(len(bg)) - 1,
		"fingerprints_held_after": cl.Len(),
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

// spliceTexts makes n distinct background texts: real ones, then splices of
// the first half of one and the second half of the next, which are like
// real posts without repeating any.
func spliceTexts(texts []string, n int) []string {
	out := make([]string, 0, n)
	out = append(out, texts[:min(n, len(texts))]...)
	for k := 1; len(out) < n; k++ {
		for i := 0; i+k < len(texts) && len(out) < n; i++ {
			a, c := strings.Fields(texts[i]), strings.Fields(texts[i+k])
			out = append(out, strings.Join(append(a[:len(a)/2:len(a)/2], c[len(c)/2:]...), " "))
		}
	}
	return out
}
