package triage

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedData is where the project's shared data sets are, from this package.
func sharedData(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = "../../shared/data"
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s not found (set YAQAZA_SHARED_DATA): skipping", p)
	}
	return p
}

func readTSV(t testing.TB, path string) []Example {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []Example
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 1<<16), 1<<20)
	for sc.Scan() {
		label, text, ok := strings.Cut(sc.Text(), "\t")
		if ok {
			out = append(out, Example{Label: label, Text: text})
		}
	}
	return out
}

// The classifier must do at least as well as fastText on the shared splits
// (accuracies from ../shared/data/README.md, fastText with -epoch 25
// -wordNgrams 2 -minn 2 -maxn 4 -dim 50). Throughput is measured by
// "yaqaza classify train", not here: tests do not time things.
func TestClassifierAccuracy(t *testing.T) {
	for _, c := range []struct {
		name     string
		fastText float64
	}{
		{"mac-dialect", 0.885},
		{"mac-sentiment", 0.703},
		{"crisislex6-relevance", 0.941},
	} {
		t.Run(c.name, func(t *testing.T) {
			train := readTSV(t, sharedData(t, "text/"+c.name+".train.tsv"))
			test := readTSV(t, sharedData(t, "text/"+c.name+".test.tsv"))
			cl, err := NewClassifier(Labels(train), DefaultFeatures)
			if err != nil {
				t.Fatal(err)
			}
			if err := cl.Train(train, DefaultTraining); err != nil {
				t.Fatal(err)
			}
			score := cl.Evaluate(test)
			t.Logf("%s: accuracy %.4f, macro F1 %.4f (fastText %.3f)", c.name, score.Accuracy, score.MacroF1, c.fastText)
			if score.Accuracy < c.fastText {
				t.Errorf("accuracy %.4f is below fastText's %.3f", score.Accuracy, c.fastText)
			}
		})
	}
}

func BenchmarkClassify(b *testing.B) {
	train := readTSV(b, sharedData(b, "text/mac-sentiment.train.tsv"))
	test := readTSV(b, sharedData(b, "text/mac-sentiment.test.tsv"))
	c, _ := NewClassifier([]string{"positive", "negative", "neutral", "mixed"}, DefaultFeatures)
	if err := c.Train(train, DefaultTraining); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c.Classify(test[i%len(test)].Text)
	}
}

func BenchmarkNormalise(b *testing.B) {
	test := readTSV(b, sharedData(b, "text/mac-sentiment.test.tsv"))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Normalise(test[i%len(test)].Text)
	}
}
