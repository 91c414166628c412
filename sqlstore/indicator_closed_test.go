package sqlstore

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestClosedFactsStayOrdered: closures read in a first large batch and then
// a few at a time, some read again, stay one per incident in order of
// creation, the latest reading of each kept.
func TestClosedFactsStayOrdered(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	c := &closedFacts{}
	c.init(0)
	want := map[int64]*incidentFacts{}
	batch := func(n int, maxID int64) {
		var fresh []*incidentFacts
		seen := map[int64]bool{}
		for range n {
			id := rng.Int64N(maxID) + 1
			if seen[id] {
				continue
			}
			seen[id] = true
			f := &incidentFacts{id: id, created: id * 1000 / 3, category: "v" + string(rune('a'+rng.IntN(26)))}
			fresh = append(fresh, f)
			want[id] = f
		}
		c.add(fresh)
	}
	batch(5000, 20000)
	for range 200 {
		batch(1+rng.IntN(5), 21000)
	}
	if len(c.byCreated) != len(want) || len(c.byID) != len(want) {
		t.Fatalf("held %d in order, %d by id; want %d", len(c.byCreated), len(c.byID), len(want))
	}
	if !slices.IsSortedFunc(c.byCreated, order) {
		t.Fatal("not in order of creation")
	}
	for _, f := range c.byCreated {
		if want[f.id] != f || c.byID[f.id] != f {
			t.Fatalf("incident %d: not the latest reading", f.id)
		}
	}
}
