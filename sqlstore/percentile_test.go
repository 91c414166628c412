package sqlstore

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestPercentileBySelection: the selection gives the same percentiles as
// interpolating over the sorted values, with duplicates, one value, two,
// and the extremes.
func TestPercentileBySelection(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	byHand := func(v []float64, p float64) float64 {
		s := slices.Clone(v)
		slices.Sort(s)
		pos := p * float64(len(s)-1)
		i := int(math.Floor(pos))
		if i >= len(s)-1 {
			return s[len(s)-1]
		}
		return s[i] + (pos-float64(i))*(s[i+1]-s[i])
	}
	for n := 1; n < 300; n += 1 + n/10 {
		for _, spread := range []int{3, 1000} { // many duplicates, few
			v := make([]float64, n)
			for i := range v {
				v[i] = float64(rng.IntN(spread))
			}
			for _, p := range []float64{0, 0.5, 0.9, 1} {
				if got, want := percentile(slices.Clone(v), p), byHand(v, p); got != want {
					t.Fatalf("n %d spread %d p %.1f: %v, want %v (values %v)", n, spread, p, got, want, v)
				}
			}
		}
	}
	if got := percentile([]float64{120, 240, 720}, 0.9); got != 624 {
		t.Fatalf("p90 of 2, 4, 12 min = %v s, want 624", got)
	}
}
