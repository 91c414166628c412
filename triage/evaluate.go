package triage

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"time"
)

// ReadExamples reads "label<TAB>text" lines. Blank lines are skipped; a
// line without a tab is an error that names it.
func ReadExamples(r io.Reader) ([]Example, error) {
	var out []Example
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		label, text, ok := strings.Cut(line, "\t")
		if !ok || label == "" {
			return nil, fmt.Errorf("line %d: expected label<TAB>text", n)
		}
		out = append(out, Example{Label: label, Text: text})
	}
	return out, sc.Err()
}

// Labels returns the distinct labels of examples in order of first appearance.
func Labels(examples []Example) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range examples {
		if !seen[e.Label] {
			seen[e.Label] = true
			out = append(out, e.Label)
		}
	}
	return out
}

// Score is how well a classifier did on labelled texts.
type Score struct {
	Accuracy float64 `json:"accuracy"`
	MacroF1  float64 `json:"macro_f1"`
	Texts    int     `json:"texts"`
}

// Evaluate scores the classifier on examples. Labels it does not know count
// as errors.
func (c *Classifier) Evaluate(examples []Example) Score {
	type counts struct{ tp, fp, fn int }
	per := map[string]*counts{}
	for _, l := range c.Labels {
		per[l] = &counts{}
	}
	for _, e := range examples {
		if per[e.Label] == nil {
			per[e.Label] = &counts{}
		}
	}
	ok := 0
	for _, e := range examples {
		got := c.Classify(e.Text).Label
		if got == e.Label {
			ok++
			per[got].tp++
			continue
		}
		per[got].fp++
		per[e.Label].fn++
	}
	var f1 float64
	for _, k := range per {
		if k.tp+k.fp+k.fn == 0 {
			continue
		}
		f1 += 2 * float64(k.tp) / float64(2*k.tp+k.fp+k.fn)
	}
	s := Score{Texts: len(examples)}
	if len(examples) > 0 {
		s.Accuracy = float64(ok) / float64(len(examples))
		s.MacroF1 = f1 / float64(len(per))
	}
	return s
}

// Throughput measures how many raw texts a second one goroutine classifies,
// normalisation included: the best of three rounds of at least d each, as
// a shared machine only ever slows a round down.
func (c *Classifier) Throughput(texts []string, d time.Duration) float64 {
	if len(texts) == 0 {
		return 0
	}
	best := 0.0
	for round := 0; round < 3; round++ {
		n := 0
		start := time.Now()
		for time.Since(start) < d {
			for _, t := range texts {
				c.Classify(t)
			}
			n += len(texts)
		}
		best = max(best, float64(n)/time.Since(start).Seconds())
	}
	return best
}
