package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/triage"
)

// runClassify handles "classify train": train a classifier on labelled texts
// (a file, or the store's texts for a model, operators' corrections
// included), score it on held-out texts, print the figures as JSON on the
// last line, and with --save keep it in the store as the model's next
// version, which triage then uses.
func runClassify(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "train" {
		return usageError{"classify: the subcommand is train"}
	}
	fs := newFlags("classify train")
	trainPath := fs.String("train", "", "label<TAB>text file to learn from")
	testPath := fs.String("test", "", "label<TAB>text file to score on (default with --from-store: a fifth of the texts)")
	fromStore := fs.String("from-store", "", "learn from the store's labelled texts of this model ("+yaqaza.ModelCategory+", "+yaqaza.ModelRelevance+", "+yaqaza.ModelDialect+")")
	save := fs.String("save", "", "save the trained classifier in the store as this model")
	speed := fs.Duration("speed", time.Second, "how long each of the three rounds measuring prediction speed lasts")
	var sf storeFlags
	sf.register(fs)
	fo, to := triage.DefaultFeatures, triage.DefaultTraining
	buckets := fs.Int("buckets", 0, "hash buckets as a power of two, e.g. 20 (default: the built-in setting)")
	fs.IntVar(&fo.MinN, "minn", fo.MinN, "shortest character n-gram")
	fs.IntVar(&fo.MaxN, "maxn", fo.MaxN, "longest character n-gram (0: none)")
	fs.IntVar(&fo.WordNgrams, "word-ngrams", fo.WordNgrams, "1: words; 2: words and pairs")
	fs.IntVar(&to.Epochs, "epochs", to.Epochs, "passes over the training texts")
	rate := fs.Float64("rate", float64(to.Rate), "initial learning rate")
	if err := parseFlags(fs, args[1:]); err != nil {
		return err
	}
	if (*trainPath == "") == (*fromStore == "") {
		return usageError{"classify train needs --train FILE or --from-store MODEL"}
	}
	if *trainPath != "" && *testPath == "" {
		return usageError{"classify train --train FILE needs --test FILE"}
	}
	if *buckets > 0 {
		if *buckets > 26 {
			return usageError{"--buckets is a power of two: at most 26"}
		}
		fo.Buckets = 1 << *buckets
	}
	to.Rate = float32(*rate)
	var train, test []triage.Example
	var db *sqlstore.DB
	admin := yaqaza.NewContextWithActor(ctx, yaqaza.System("classify"))
	if *fromStore != "" || *save != "" {
		var err error
		if db, err = sf.open(ctx); err != nil {
			return err
		}
		defer db.Close()
	}
	if *fromStore != "" {
		texts, err := sqlstore.NewModelService(db).LabelledTexts(admin, *fromStore)
		if err != nil {
			return err
		}
		if len(texts) < 10 {
			return fmt.Errorf("the store holds %d labelled texts for %s: too few to learn from", len(texts), *fromStore)
		}
		for i, t := range texts {
			ex := triage.Example{Label: t.Label, Text: t.Text}
			if *testPath == "" && i%5 == 4 {
				test = append(test, ex)
			} else {
				train = append(train, ex)
			}
		}
	} else {
		var err error
		if train, err = readExamplesFile(*trainPath); err != nil {
			return err
		}
	}
	if *testPath != "" {
		var err error
		if test, err = readExamplesFile(*testPath); err != nil {
			return err
		}
	}
	c, err := triage.NewClassifier(triage.Labels(train), fo)
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "training on %d texts (%d labels), %d epochs\n", len(train), len(c.Labels), to.Epochs)
	start := time.Now()
	if err := c.Train(train, to); err != nil {
		return err
	}
	trainS := time.Since(start).Seconds()
	score := c.Evaluate(test)
	texts := make([]string, len(test))
	for i, e := range test {
		texts[i] = e.Text
	}
	rate2 := c.Throughput(texts, *speed)
	figures := map[string]any{
		"accuracy":    round4(score.Accuracy),
		"macro_f1":    round4(score.MacroF1),
		"train_s":     round(trainS),
		"texts_per_s": int(rate2),
		"train_texts": len(train),
		"test_texts":  len(test),
		"labels":      c.Labels,
	}
	if *save != "" {
		var buf bytes.Buffer
		if _, err := c.WriteTo(&buf); err != nil {
			return err
		}
		info, err := sqlstore.NewModelService(db).SaveModel(admin, *save, buf.Bytes(), figures)
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "saved as %s version %d (%d bytes); servers load it within a minute\n", info.Name, info.Version, buf.Len())
		figures["saved_version"] = info.Version
	}
	b, _ := json.Marshal(figures)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func round4(v float64) float64 { return float64(int64(v*10000+0.5)) / 10000 }

func readExamplesFile(path string) ([]triage.Example, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ex, err := triage.ReadExamples(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(ex) == 0 {
		return nil, fmt.Errorf("%s holds no labelled text", path)
	}
	return ex, nil
}
