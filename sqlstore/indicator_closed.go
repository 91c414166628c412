package sqlstore

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// closedFacts keeps the facts of closed incidents in memory. Closed is
// final: what a closed incident adds to the figures does not change, so a
// year of them — ninety thousand incidents in Fès — is read from the
// store once, and afterwards only the incidents closed since. The open
// and resolved ones, a few thousand, are read on every request.
type closedFacts struct {
	mu sync.Mutex
	// byCreated holds the facts in order of creation (then id), so that a
	// period is a run of it; byID finds one to replace.
	byCreated []*incidentFacts
	byID      map[int64]*incidentFacts
	// floor is the oldest creation held; periods starting before it are
	// read from the store.
	floor int64
	// since is the updated_at from which closures are read again.
	since int64
}

// notClosed are the statuses other than closed, merged left out.
var notClosed = func() (out []yaqaza.Status) {
	for _, st := range yaqaza.Statuses {
		if st != yaqaza.StatusClosed && st != yaqaza.StatusMerged {
			out = append(out, st)
		}
	}
	return out
}()

// closedHeld is how far back closed incidents are held: the longest period
// the dashboard asks for, and its trends.
const closedHeld = 400 * 24 * time.Hour

// closedReread is how far back each refresh reads closures again: a
// closing committed on another node, or late in a batch, carries a time a
// little before the refresh that first could see it.
const closedReread = int64(time.Minute / time.Millisecond)

// periodFacts returns the facts of the incidents opened in [from, to),
// merged ones left out, as far as the actor's scope reaches. The facts
// are shared: callers only read them.
func (s *IndicatorService) periodFacts(ctx context.Context, actor *yaqaza.Actor, sc scope, from, to int64) ([]*incidentFacts, error) {
	var out []*incidentFacts
	now := toMillis(s.db.Now())
	c := &s.closed
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init(now)
	if from < c.floor {
		rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT `+incidentColumnsForFacts+` FROM incidents
			WHERE created_at >= ? AND created_at < ? AND status <> ?`+sc.cond), append([]any{from, to, yaqaza.StatusMerged}, sc.args...)...)
		if err != nil {
			return nil, err
		}
		return out, s.scanFacts(rows, func(f *incidentFacts) { out = append(out, f) })
	}
	// The others first, then the closures: an incident closed in between
	// is in both, and the closed version wins. The statuses are named, and
	// the creation time is written +created_at, so that the store reads
	// the few thousand through its status index rather than walking a
	// year of the creation index (the unary plus hides the column from
	// SQLite's choice of index and changes no value).
	args := []any{}
	for _, st := range notClosed {
		args = append(args, st)
	}
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT `+incidentColumnsForFacts+` FROM incidents
		WHERE status IN (`+placeholders(len(notClosed))+`) AND +created_at >= ? AND +created_at < ?`+sc.cond),
		append(append(args, from, to), sc.args...)...)
	if err != nil {
		return nil, err
	}
	var others []*incidentFacts
	if err := s.scanFacts(rows, func(f *incidentFacts) { others = append(others, f) }); err != nil {
		return nil, err
	}
	if err := s.refreshClosed(ctx, now); err != nil {
		return nil, err
	}
	for _, f := range others {
		if c.byID[f.id] == nil {
			out = append(out, f)
		}
	}
	lo, _ := slices.BinarySearchFunc(c.byCreated, from, func(f *incidentFacts, t int64) int { return cmp.Compare(f.created, t) })
	hi, _ := slices.BinarySearchFunc(c.byCreated, to, func(f *incidentFacts, t int64) int { return cmp.Compare(f.created, t) })
	if actor.Prefecture() {
		return append(out, c.byCreated[lo:hi]...), nil
	}
	inScope := make([]bool, len(s.zones))
	for _, z := range actor.Zones {
		if i := s.zoneIndex(z); i >= 0 {
			inScope[i] = true
		}
	}
	for _, f := range c.byCreated[lo:hi] {
		if f.zi >= 0 && inScope[f.zi] {
			out = append(out, f)
		}
	}
	return out, nil
}

func (c *closedFacts) init(now int64) {
	if c.byID == nil {
		c.byID, c.floor = map[int64]*incidentFacts{}, now-int64(closedHeld/time.Millisecond)
	}
}

// warmClosed reads the closures since the last time, so that a reader does
// not wait for them.
func (s *IndicatorService) warmClosed(ctx context.Context, now int64) error {
	c := &s.closed
	c.mu.Lock()
	defer c.mu.Unlock()
	c.init(now)
	return s.refreshClosed(ctx, now)
}

// refreshClosed reads the incidents closed since the last refresh, and
// forgets those older than what is held. The caller holds c.mu. The
// status is written in the query, not bound, so that the store sees it
// matches the partial index of closed incidents.
func (s *IndicatorService) refreshClosed(ctx context.Context, now int64) error {
	c := &s.closed
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT `+incidentColumnsForFacts+` FROM incidents
		WHERE status = 'closed' AND updated_at >= ?`), c.since-closedReread)
	if err != nil {
		return err
	}
	// Those opened before the floor are dropped here, not in the query:
	// a condition on created_at would let the store walk a year of the
	// creation index instead of the few closures since.
	var fresh []*incidentFacts
	if err := s.scanFacts(rows, func(f *incidentFacts) {
		if f.created >= c.floor {
			fresh = append(fresh, f)
		}
	}); err != nil {
		return err
	}
	c.add(fresh)
	c.since = now
	if floor := now - int64(closedHeld/time.Millisecond); floor > c.floor+int64(24*time.Hour/time.Millisecond) {
		c.floor = floor
		n := 0
		for n < len(c.byCreated) && c.byCreated[n].created < floor {
			delete(c.byID, c.byCreated[n].id)
			n++
		}
		c.byCreated = slices.Delete(c.byCreated, 0, n)
	}
	return nil
}

// order sorts facts by creation, then id.
func order(a, b *incidentFacts) int {
	return cmp.Or(cmp.Compare(a.created, b.created), cmp.Compare(a.id, b.id))
}

// add puts facts in: a closure read again replaces the one held (as a new
// value: readers may hold the old), a new one goes in its place in the
// order, which for the day's closures is near the end.
func (c *closedFacts) add(fresh []*incidentFacts) {
	if len(fresh) > len(c.byCreated)/8 {
		// The first reading, or a large one: sort once.
		for _, f := range fresh {
			if old := c.byID[f.id]; old != nil {
				i, _ := slices.BinarySearchFunc(c.byCreated, old, order)
				c.byCreated = slices.Delete(c.byCreated, i, i+1)
			}
			c.byID[f.id] = f
		}
		c.byCreated = append(c.byCreated, fresh...)
		slices.SortFunc(c.byCreated, order)
		return
	}
	for _, f := range fresh {
		i, found := slices.BinarySearchFunc(c.byCreated, f, order)
		if found {
			c.byCreated[i] = f
		} else {
			c.byCreated = slices.Insert(c.byCreated, i, f)
		}
		c.byID[f.id] = f
	}
}
