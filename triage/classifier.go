package triage

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
)

// Classifier is a linear text classifier in the spirit of fastText: a text is
// a bag of hashed features — its words, pairs of neighbouring words, and the
// character n-grams of every word — and each label has a weight per feature.
// Features are weighted by how rare they are in the training texts (inverse
// document frequency) and the text's vector is scaled to unit length. It
// learns from labelled examples (multinomial logistic regression trained by
// stochastic gradient descent) and predicts with a few hundred additions.
type Classifier struct {
	Labels []string
	Opts   FeatureOptions
	Bias   []float32
	// rows holds, for every bucket, idf² and then idf·weight for each label,
	// side by side so that a feature costs one memory access at prediction,
	// as 16-bit fixed point (value = int × scale of its column) so that the
	// table stays small enough for the processor's cache. idf is
	// log((n+1)/(df+1)) + 1 over the n training texts.
	rows   []int16
	stride int
	// scaleIDF and scaleW turn the fixed-point columns back into numbers.
	scaleIDF, scaleW float32
}

// FeatureOptions says which features a text yields.
type FeatureOptions struct {
	Buckets    int // hash space, a power of two
	WordNgrams int // 1: words; 2: words and neighbouring pairs
	MinN, MaxN int // character n-gram lengths within words (0: none)
}

// DefaultFeatures suit short posts in Arabic, Darija and French: words, word
// pairs, and character 2- to 5-grams, which catch spelling variants and
// Darija's clitics (كيضربو, ماكاينش).
var DefaultFeatures = FeatureOptions{Buckets: 1 << 17, WordNgrams: 2, MinN: 2, MaxN: 5}

// TrainOptions tune learning.
type TrainOptions struct {
	Epochs int
	Rate   float32 // initial learning rate, decayed linearly to zero
	Seed   uint64
}

// DefaultTraining works for the data sets measured in the tests.
var DefaultTraining = TrainOptions{Epochs: 10, Rate: 1.0, Seed: 1}

// Example is one labelled text.
type Example struct {
	Label string
	Text  string
}

const (
	hashSeed  = 14695981039346656037
	hashPrime = 1099511628211
	// Distinct seeds keep word, pair and n-gram hashes apart.
	seedWord = hashSeed ^ 0x9e3779b97f4a7c15
	seedPair = hashSeed ^ 0xc2b2ae3d27d4eb4f
)

// features appends the feature buckets of a normalised text to dst.
func (o FeatureOptions) features(dst []uint32, tokens []string) []uint32 {
	mask := uint64(o.Buckets - 1)
	var prev uint64
	var runes [64]rune
	for i, tok := range tokens {
		hw := uint64(seedWord)
		for j := 0; j < len(tok); j++ {
			hw = (hw ^ uint64(tok[j])) * hashPrime
		}
		dst = append(dst, uint32(hw&mask))
		if o.WordNgrams >= 2 && i > 0 {
			dst = append(dst, uint32(((prev*31^hw^seedPair)*hashPrime)&mask))
		}
		prev = hw
		if o.MaxN == 0 {
			continue
		}
		// Character n-grams of "<token>", the brackets marking its ends.
		rs := append(runes[:0], '<')
		for _, r := range tok {
			if len(rs) == len(runes)-1 {
				break
			}
			rs = append(rs, r)
		}
		rs = append(rs, '>')
		for s := 0; s < len(rs); s++ {
			h := uint64(hashSeed)
			for e := s; e < len(rs) && e-s < o.MaxN; e++ {
				h = (h ^ uint64(rs[e])) * hashPrime
				if n := e - s + 1; n >= o.MinN && !(n == 1 && (rs[e] == '<' || rs[e] == '>')) {
					dst = append(dst, uint32(h&mask))
				}
			}
		}
	}
	return dst
}

// NewClassifier returns an untrained classifier over labels.
func NewClassifier(labels []string, o FeatureOptions) (*Classifier, error) {
	if len(labels) < 2 {
		return nil, errors.New("a classifier needs at least two labels")
	}
	if o.Buckets <= 0 || o.Buckets&(o.Buckets-1) != 0 {
		return nil, errors.New("buckets must be a power of two")
	}
	c := &Classifier{Labels: slices.Clone(labels), Opts: o, Bias: make([]float32, len(labels)), stride: len(labels) + 1}
	c.rows = make([]int16, o.Buckets*c.stride)
	c.scaleIDF, c.scaleW = 1, 1
	for f := 0; f < o.Buckets; f++ {
		c.rows[f*c.stride] = 1
	}
	return c, nil
}

// Train learns from examples. Labels not known to the classifier are an error.
func (c *Classifier) Train(examples []Example, t TrainOptions) error {
	index := map[string]int{}
	for i, l := range c.Labels {
		index[l] = i
	}
	type sample struct {
		feats []uint32
		label int
	}
	if t.Epochs <= 0 || t.Rate <= 0 {
		return errors.New("epochs and rate must be positive")
	}
	samples := make([]sample, 0, len(examples))
	for _, ex := range examples {
		li, ok := index[ex.Label]
		if !ok {
			return errors.New("unknown label " + ex.Label)
		}
		f := c.Opts.features(nil, Normalise(ex.Text).Tokens)
		if len(f) == 0 {
			continue
		}
		samples = append(samples, sample{f, li})
	}
	if len(samples) == 0 {
		return errors.New("no example has any feature")
	}
	docs := make([][]uint32, len(samples))
	for i := range samples {
		docs[i] = samples[i].feats
	}
	idf := computeIDF(docs, c.Opts.Buckets)
	nl := len(c.Labels)
	weights := make([]float32, c.Opts.Buckets*nl)
	clear(c.Bias)
	rng := rand.New(rand.NewPCG(t.Seed, 0x5eed))
	scores := make([]float32, nl)
	total := float32(t.Epochs * len(samples))
	step := float32(0)
	for epoch := 0; epoch < t.Epochs; epoch++ {
		rng.Shuffle(len(samples), func(i, j int) { samples[i], samples[j] = samples[j], samples[i] })
		for _, s := range samples {
			lr := t.Rate * (1 - step/total)
			step++
			// Scores of this text: bias + z·Σ idf·w, z scaling it to unit length.
			var ss float32
			for _, f := range s.feats {
				ss += idf[f] * idf[f]
			}
			z := float32(1 / math.Sqrt(float64(ss)))
			copy(scores, c.Bias)
			for _, f := range s.feats {
				v := idf[f] * z
				w := weights[int(f)*nl : int(f)*nl+nl]
				for l := range scores {
					scores[l] += w[l] * v
				}
			}
			softmax(scores)
			for l := 0; l < nl; l++ {
				g := scores[l]
				if l == s.label {
					g -= 1
				}
				d := lr * g
				c.Bias[l] -= d * 0.1
				d *= z
				for _, f := range s.feats {
					weights[int(f)*nl+l] -= d * idf[f]
				}
			}
		}
	}
	c.pack(idf, weights)
	return nil
}

// pack stores idf² and idf·weight in 16-bit fixed point, each column scaled
// so that its largest value uses the whole range.
func (c *Classifier) pack(idf, weights []float32) {
	nl := len(c.Labels)
	var maxIDF2, maxW float32
	for f := 0; f < c.Opts.Buckets; f++ {
		maxIDF2 = max(maxIDF2, idf[f]*idf[f])
		for l := 0; l < nl; l++ {
			w := idf[f] * weights[f*nl+l]
			maxW = max(maxW, w, -w)
		}
	}
	c.scaleIDF = max(maxIDF2, 1e-9) / math.MaxInt16
	c.scaleW = max(maxW, 1e-9) / math.MaxInt16
	for f := 0; f < c.Opts.Buckets; f++ {
		row := c.rows[f*c.stride : (f+1)*c.stride]
		row[0] = int16(math.Round(float64(idf[f] * idf[f] / c.scaleIDF)))
		for l := 0; l < nl; l++ {
			row[1+l] = int16(math.Round(float64(idf[f] * weights[f*nl+l] / c.scaleW)))
		}
	}
}

// computeIDF weighs every bucket by the number of training texts it occurs in.
func computeIDF(docs [][]uint32, buckets int) []float32 {
	df := make([]uint32, buckets)
	last := make([]int32, buckets) // the last text counted, +1
	for i, feats := range docs {
		for _, f := range feats {
			if last[f] != int32(i+1) {
				last[f] = int32(i + 1)
				df[f]++
			}
		}
	}
	idf := make([]float32, buckets)
	n := float64(len(docs))
	for i, d := range df {
		idf[i] = float32(math.Log((n+1)/(float64(d)+1)) + 1)
	}
	return idf
}

// scores sets out to the raw score of every label.
func (c *Classifier) scores(out []float32, feats []uint32) {
	copy(out, c.Bias)
	if len(feats) == 0 {
		return
	}
	var acc [9]int32 // idf² and up to eight labels
	var sum []int32
	if c.stride <= len(acc) {
		sum = acc[:c.stride]
	} else {
		sum = make([]int32, c.stride)
	}
	for _, f := range feats {
		row := c.rows[int(f)*c.stride : int(f)*c.stride+c.stride]
		for i := range sum {
			sum[i] += int32(row[i])
		}
	}
	if sum[0] <= 0 {
		return
	}
	z := c.scaleW / float32(math.Sqrt(float64(sum[0])*float64(c.scaleIDF)))
	for l := range out {
		out[l] += float32(sum[1+l]) * z
	}
}

func softmax(s []float32) {
	m := s[0]
	for _, v := range s[1:] {
		m = max(m, v)
	}
	var sum float32
	for i, v := range s {
		e := float32(math.Exp(float64(v - m)))
		s[i] = e
		sum += e
	}
	for i := range s {
		s[i] /= sum
	}
}

// Prediction is a label with its probability.
type Prediction struct {
	Label       string
	Probability float64
}

// Predict returns the most likely label of a normalised text, and the
// probability of every label in the classifier's order. It is safe for
// concurrent use.
func (c *Classifier) Predict(tokens []string) (Prediction, []float32) {
	var buf [1024]uint32
	feats := c.Opts.features(buf[:0], tokens)
	scores := make([]float32, len(c.Labels))
	c.scores(scores, feats)
	softmax(scores)
	best := 0
	for i, p := range scores {
		if p > scores[best] {
			best = i
		}
	}
	return Prediction{Label: c.Labels[best], Probability: float64(scores[best])}, scores
}

// Classify is Predict on raw text.
func (c *Classifier) Classify(text string) Prediction {
	return c.Best(Normalise(text).Tokens)
}

// Best returns the most likely label of a normalised text without the
// probabilities of the others, allocating nothing.
func (c *Classifier) Best(tokens []string) Prediction {
	var buf [1024]uint32
	var sc [8]float32
	scores := sc[:]
	if len(c.Labels) <= len(sc) {
		scores = sc[:len(c.Labels)]
	} else {
		scores = make([]float32, len(c.Labels))
	}
	c.scores(scores, c.Opts.features(buf[:0], tokens))
	softmax(scores)
	best := 0
	for i, p := range scores {
		if p > scores[best] {
			best = i
		}
	}
	return Prediction{Label: c.Labels[best], Probability: float64(scores[best])}
}
