package dispatch

import (
	"cmp"
	"slices"

	"github.com/yaqaza/yaqaza"
)

// The ranking of units for an incident.
//
// A unit's key is its estimated travel time in seconds, adjusted twice:
//
//   - A unit of a preferred kind (policy.Prefers[category]) ranks ahead of a
//     nearer unit of another kind as long as it takes at most twice as
//     long, with at least PreferredMinAllowance and at most
//     PreferredMaxAllowance of extra time. Its key is the travel time t
//     with that allowance taken off: t − 2 min below 4 min, t / 2 from 4 to
//     20 min, t − 10 min above. (A preferred unit with key k beats another
//     with travel time n exactly when k ≤ n.) Every preferred kind gets the
//     same allowance; their order in Prefers only breaks ties.
//   - A unit whose home zone is the incident's zone gets HomeZoneBonus off
//     its key: it wins near-ties against an outsider.
//
// Units are then ordered by: positioned before unpositioned (a unit without
// a position is placed at its home zone's representative point when the
// index knows it, and after those come units whose distance is unknown),
// key, preferred kind's rank, home zone first, travel time, and unit ID.
// When the incident's place is unknown altogether, every qualifying unit
// has key 0 and the order is by preferred kind, home zone, then ID.
const (
	PreferredMinAllowance = 120 // seconds
	PreferredMaxAllowance = 600 // seconds
	HomeZoneBonus         = 30  // seconds
)

// relax is the key of a preferred unit with travel time t: the inverse of
// n ↦ n + clamp(n, min allowance, max allowance), so that the preferred unit
// ranks first exactly when t ≤ n + clamp(n, …). It never exceeds t and
// never decreases as t grows.
func relax(t float64) float64 {
	switch {
	case t < 2*PreferredMinAllowance:
		return t - PreferredMinAllowance
	case t <= 2*PreferredMaxAllowance:
		return t / 2
	default:
		return t - PreferredMaxAllowance
	}
}

// Tiers of distance knowledge: a unit's own position, its home zone's
// representative point, nothing.
const (
	tierPosition int8 = iota
	tierHomeZone
	tierUnknown
)

const notPreferred = 1 << 30

// candidate is a unit that qualifies, with what ranks it.
type candidate struct {
	unit *yaqaza.Unit
	tier int8
	home bool
	pref int // rank of its kind in Prefers, notPreferred when absent
	key  float64
	dist float64 // metres; -1 when unknown
	eta  float64 // seconds; -1 when unknown
}

func (c *candidate) preferred() bool { return c.pref != notPreferred }

// compare is the total order of candidates: the ranking above.
func compare(a, b *candidate) int {
	switch {
	case a.tier != b.tier:
		return cmp.Compare(a.tier, b.tier)
	case a.key != b.key:
		return cmp.Compare(a.key, b.key)
	case a.pref != b.pref:
		return cmp.Compare(a.pref, b.pref)
	case a.home != b.home:
		if a.home {
			return -1
		}
		return 1
	case a.eta != b.eta:
		return cmp.Compare(a.eta, b.eta)
	}
	return cmp.Compare(a.unit.ID, b.unit.ID)
}

func less(a, b *candidate) bool { return compare(a, b) < 0 }

// topK keeps the k best candidates seen, best first.
type topK struct {
	k int
	c []candidate
}

func newTopK(k int) *topK { return &topK{k: k, c: make([]candidate, 0, min(k, 64))} }

func (t *topK) full() bool { return len(t.c) >= t.k }

func (t *topK) worst() *candidate { return &t.c[len(t.c)-1] }

func (t *topK) push(c *candidate) {
	if t.full() {
		if !less(c, t.worst()) {
			return
		}
		t.c = t.c[:len(t.c)-1]
	}
	i := len(t.c)
	for i > 0 && less(c, &t.c[i-1]) {
		i--
	}
	t.c = slices.Insert(t.c, i, *c)
}
