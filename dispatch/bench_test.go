package dispatch

import (
	"math/rand/v2"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// BenchmarkRecommend measures Recommend(inc, 5) over 2000 Fès units, with
// the index and, as the baseline in the same run, by ranking every unit.
func BenchmarkRecommend(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	idx := newFesIndex(b, randomFleet(rng, 2000, fesBox)...)
	r := NewRecommender(idx, nil)
	incidents := make([]*yaqaza.Incident, 1024)
	for i := range incidents {
		incidents[i] = randomIncident(rng, fesBox)
	}
	b.Run("index", func(b *testing.B) {
		i := 0
		for b.Loop() {
			r.Recommend(incidents[i%len(incidents)], 5)
			i++
		}
	})
	b.Run("exhaustive", func(b *testing.B) {
		i := 0
		for b.Loop() {
			r.RecommendExhaustive(incidents[i%len(incidents)], 5)
			i++
		}
	})
}

// BenchmarkUpsert measures moving a unit, as position reports do.
func BenchmarkUpsert(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	units := randomFleet(rng, 2000, fesBox)
	idx := newFesIndex(b, units...)
	moves := make([]yaqaza.Unit, 1024)
	for i := range moves {
		moves[i] = *units[rng.IntN(len(units))]
		moves[i].Position = ptr(randomPoint(rng, fesBox))
	}
	i := 0
	for b.Loop() {
		if err := idx.Upsert(&moves[i%len(moves)]); err != nil {
			b.Fatal(err)
		}
		i++
	}
}
