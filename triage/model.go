package triage

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
)

// A saved classifier is a header line of JSON and then, in little-endian
// binary, the rows that differ from an unseen bucket's row (most buckets
// never occur in training), each as its bucket number and its fixed-point
// values.
const modelMagic = "yaqaza-classifier/1\n"

type modelHeader struct {
	Labels   []string       `json:"labels"`
	Opts     FeatureOptions `json:"features"`
	Bias     []float32      `json:"bias"`
	ScaleIDF float32        `json:"scale_idf"`
	ScaleW   float32        `json:"scale_w"`
	Default  int16          `json:"default_idf2"` // idf² of an unseen bucket
	Rows     int            `json:"rows"`
}

// WriteTo saves the classifier.
func (c *Classifier) WriteTo(w io.Writer) (int64, error) {
	def := c.defaultRow()
	var rows int
	for f := 0; f < c.Opts.Buckets; f++ {
		if !c.isDefault(f, def) {
			rows++
		}
	}
	h, err := json.Marshal(modelHeader{Labels: c.Labels, Opts: c.Opts, Bias: c.Bias, ScaleIDF: c.scaleIDF, ScaleW: c.scaleW, Default: def, Rows: rows})
	if err != nil {
		return 0, err
	}
	bw := bufio.NewWriter(w)
	n, _ := bw.WriteString(modelMagic)
	m, _ := bw.Write(append(h, '\n'))
	total := int64(n + m)
	buf := make([]byte, 4+2*c.stride)
	for f := 0; f < c.Opts.Buckets; f++ {
		if c.isDefault(f, def) {
			continue
		}
		binary.LittleEndian.PutUint32(buf, uint32(f))
		for i, v := range c.rows[f*c.stride : (f+1)*c.stride] {
			binary.LittleEndian.PutUint16(buf[4+2*i:], uint16(v))
		}
		k, err := bw.Write(buf)
		total += int64(k)
		if err != nil {
			return total, err
		}
	}
	return total, bw.Flush()
}

// defaultRow is the idf² most buckets share: those no training text had.
func (c *Classifier) defaultRow() int16 {
	counts := map[int16]int{}
	for f := 0; f < c.Opts.Buckets; f += 97 { // a sample is enough
		counts[c.rows[f*c.stride]]++
	}
	var best int16
	for v, n := range counts {
		if n > counts[best] {
			best = v
		}
	}
	return best
}

func (c *Classifier) isDefault(f int, def int16) bool {
	row := c.rows[f*c.stride : (f+1)*c.stride]
	if row[0] != def {
		return false
	}
	for _, v := range row[1:] {
		if v != 0 {
			return false
		}
	}
	return true
}

// ReadClassifier loads a classifier saved by WriteTo, checking every part.
func ReadClassifier(r io.Reader) (*Classifier, error) {
	br := bufio.NewReader(r)
	magic := make([]byte, len(modelMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != modelMagic {
		return nil, errors.New("not a saved Yaqaza classifier")
	}
	line, err := br.ReadBytes('\n')
	if err != nil {
		return nil, errors.New("classifier: header is cut short")
	}
	var h modelHeader
	if err := json.Unmarshal(line, &h); err != nil {
		return nil, fmt.Errorf("classifier: header: %w", err)
	}
	if h.Opts.Buckets <= 0 || h.Opts.Buckets > 1<<26 || len(h.Labels) > 64 || len(h.Bias) != len(h.Labels) ||
		h.Rows < 0 || h.Rows > h.Opts.Buckets || h.Opts.MaxN > 16 || !(h.ScaleIDF > 0) || !(h.ScaleW > 0) ||
		math.IsInf(float64(h.ScaleW), 0) {
		return nil, errors.New("classifier: header is not consistent")
	}
	c, err := NewClassifier(h.Labels, h.Opts)
	if err != nil {
		return nil, fmt.Errorf("classifier: %w", err)
	}
	copy(c.Bias, h.Bias)
	c.scaleIDF, c.scaleW = h.ScaleIDF, h.ScaleW
	for f := 0; f < c.Opts.Buckets; f++ {
		c.rows[f*c.stride] = h.Default
	}
	buf := make([]byte, 4+2*c.stride)
	for i := 0; i < h.Rows; i++ {
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, errors.New("classifier: rows are cut short")
		}
		f := int(binary.LittleEndian.Uint32(buf))
		if f >= c.Opts.Buckets {
			return nil, errors.New("classifier: a row's bucket is out of range")
		}
		for j := 0; j < c.stride; j++ {
			c.rows[f*c.stride+j] = int16(binary.LittleEndian.Uint16(buf[4+2*j:]))
		}
	}
	return c, nil
}
