package triage

import (
	"bytes"
	"testing"
)

func smallExamples() []Example {
	return []Example{
		{"incident", "شجار بالسكاكين قرب باب بوجلود"}, {"incident", "Vol à l'arraché avenue Hassan II"},
		{"incident", "wa7ed chfar sre9 lia tilifon"}, {"incident", "a man stabbed near the station"},
		{"other", "صباح الخير يا فاس الجميلة"}, {"other", "Quel beau temps aujourd'hui à Fès"},
		{"other", "match zwin lyoum"}, {"other", "happy birthday my friend"},
	}
}

func TestClassifierSaveLoad(t *testing.T) {
	c, _ := NewClassifier([]string{"incident", "other"}, FeatureOptions{Buckets: 1 << 12, WordNgrams: 2, MinN: 2, MaxN: 4})
	if err := c.Train(smallExamples(), DefaultTraining); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	size := buf.Len()
	back, err := ReadClassifier(&buf)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range smallExamples() {
		a, b := c.Classify(e.Text), back.Classify(e.Text)
		if a != b {
			t.Fatalf("%q: %+v before saving, %+v after", e.Text, a, b)
		}
	}
	if size > 4096*3*2 {
		t.Errorf("saved model is %d bytes: unseen buckets should not be stored", size)
	}
	for _, bad := range [][]byte{nil, []byte("yaqaza-classifier/1\n{}\n"), []byte("hello"), buf.Bytes()} {
		if _, err := ReadClassifier(bytes.NewReader(bad)); err == nil {
			t.Errorf("ReadClassifier(%.30q) accepted it", bad)
		}
	}
}

func FuzzReadClassifier(f *testing.F) {
	c, _ := NewClassifier([]string{"incident", "other"}, FeatureOptions{Buckets: 1 << 8, WordNgrams: 1, MinN: 2, MaxN: 3})
	c.Train(smallExamples(), DefaultTraining)
	var buf bytes.Buffer
	c.WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Add([]byte("yaqaza-classifier/1\n{\"labels\":[\"a\",\"b\"],\"features\":{\"Buckets\":4},\"bias\":[0,0],\"scale_idf\":1,\"scale_w\":1,\"rows\":1}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ReadClassifier(bytes.NewReader(data))
		if err != nil {
			return
		}
		c.Classify("شجار في الزنقة") // a loaded model must work, whatever it holds
	})
}

// FuzzClassify feeds hostile texts to a trained classifier.
func FuzzClassify(f *testing.F) {
	c, _ := NewClassifier([]string{"incident", "other"}, FeatureOptions{Buckets: 1 << 10, WordNgrams: 2, MinN: 2, MaxN: 5})
	c.Train(smallExamples(), DefaultTraining)
	for _, e := range smallExamples() {
		f.Add(e.Text)
	}
	f.Add("")
	f.Add("😱😱😱")
	f.Add("\xff\xfe")
	f.Fuzz(func(t *testing.T, s string) {
		p := c.Classify(s)
		if p.Label != "incident" && p.Label != "other" || p.Probability < 0.5 || p.Probability > 1.0001 {
			t.Fatalf("Classify(%q) = %+v", s, p)
		}
	})
}
