package yaqaza

import (
	"fmt"
	"time"
)

// WatchRota is when each watch of the fleet works: the day is cut into
// periods (three eight-hour periods, say) and a cycle of days says which
// watch works each period. With four watches A–D and the cycle
//
//	[A B C] [D A B] [C D A] [B C D]
//
// watch A works the morning of day 0, the afternoon of day 1, the night of
// day 2 and rests on day 3. A unit names its watch in Unit.Shift; the rota
// stands it down when its watch ends and up when its watch begins (see
// UnitService's rota job). Units without a watch are not managed by it.
type WatchRota struct {
	// Starts are the local times ("06:00") at which each period of the day
	// begins, in increasing order. A period lasts until the next one begins;
	// the last one runs past midnight into the next day's first. A period
	// belongs to the day it begins on.
	Starts []string `json:"starts"`
	// Cycle lists, for each day of the cycle, the watch working each period.
	Cycle [][]string `json:"cycle"`
	// Epoch is the local date ("2026-01-05") that is day 0 of the cycle.
	Epoch string `json:"epoch"`
}

// WatchState is where a watch stands at a moment.
type WatchState struct {
	On bool
	// Since is when the current state began: the start of the period the
	// watch works now, or the end of the last period it worked.
	Since time.Time
	// Until is when it changes: the end of the current period, or the start
	// of the watch's next period.
	Until time.Time
}

// Validate checks the rota's form.
func (r *WatchRota) Validate() error {
	if len(r.Starts) == 0 {
		return Invalidf("watches.starts", "the rota has no periods")
	}
	prev := -1
	for _, s := range r.Starts {
		m, err := clockMinutes(s)
		if err != nil {
			return Invalidf("watches.starts", "period start %q: %v", s, err)
		}
		if m <= prev {
			return Invalidf("watches.starts", "period starts must increase through the day (%q does not)", s)
		}
		prev = m
	}
	if len(r.Cycle) == 0 {
		return Invalidf("watches.cycle", "the rota's cycle has no days")
	}
	for i, day := range r.Cycle {
		if len(day) != len(r.Starts) {
			return Invalidf("watches.cycle", "day %d of the cycle names %d watches for %d periods", i, len(day), len(r.Starts))
		}
		for _, w := range day {
			if w == "" {
				return Invalidf("watches.cycle", "day %d of the cycle has a period without a watch", i)
			}
		}
	}
	if _, err := time.Parse(time.DateOnly, r.Epoch); err != nil {
		return Invalidf("watches.epoch", "epoch %q is not a date (YYYY-MM-DD)", r.Epoch)
	}
	return nil
}

// Has reports whether watch works in the rota at all.
func (r *WatchRota) Has(watch string) bool {
	for _, day := range r.Cycle {
		for _, w := range day {
			if w == watch {
				return true
			}
		}
	}
	return false
}

// State says whether watch works at t (in loc, the jurisdiction's time),
// since when and until when. ok is false when the rota does not know the
// watch, or is not valid.
func (r *WatchRota) State(watch string, t time.Time, loc *time.Location) (s WatchState, ok bool) {
	if !r.Has(watch) || r.Validate() != nil {
		return WatchState{}, false
	}
	// The period holding t began on t's local day or the day before
	// (the night period runs past midnight).
	y, m, d := t.In(loc).Date()
	cur := period{day: time.Date(y, m, d, 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1), i: len(r.Starts) - 1}
	for p := cur; !r.begin(p, loc).After(t); p = r.next(p) {
		cur = p
	}
	on := r.watchOf(cur) == watch
	first, last := r.extend(cur, watch, on, r.prev), r.extend(cur, watch, on, r.next)
	return WatchState{On: on, Since: r.begin(first, loc), Until: r.begin(r.next(last), loc)}, true
}

// extend steps from p while the watch stays on (or off): to where the
// state began with prev, to where it ends with next. A full cycle of
// periods is enough, since the watch is in it.
func (r *WatchRota) extend(p period, watch string, on bool, step func(period) period) period {
	for range len(r.Cycle)*len(r.Starts) + 1 {
		q := step(p)
		if (r.watchOf(q) == watch) != on {
			break
		}
		p = q
	}
	return p
}

// period is one period of one day; day is the local calendar date at UTC
// midnight, so that days are counted without daylight-saving surprises.
type period struct {
	day time.Time
	i   int
}

func (r *WatchRota) next(p period) period {
	if p.i+1 < len(r.Starts) {
		return period{p.day, p.i + 1}
	}
	return period{p.day.AddDate(0, 0, 1), 0}
}

func (r *WatchRota) prev(p period) period {
	if p.i > 0 {
		return period{p.day, p.i - 1}
	}
	return period{p.day.AddDate(0, 0, -1), len(r.Starts) - 1}
}

// begin is the moment period p begins, in loc.
func (r *WatchRota) begin(p period, loc *time.Location) time.Time {
	mins, _ := clockMinutes(r.Starts[p.i])
	y, m, d := p.day.Date()
	return time.Date(y, m, d, mins/60, mins%60, 0, 0, loc)
}

// watchOf is the watch that works period p.
func (r *WatchRota) watchOf(p period) string {
	epoch, _ := time.Parse(time.DateOnly, r.Epoch)
	days := int(p.day.Sub(epoch).Hours() / 24)
	n := len(r.Cycle)
	return r.Cycle[((days%n)+n)%n][p.i]
}

// clockMinutes reads "HH:MM" as minutes after midnight.
func clockMinutes(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, fmt.Errorf("not a time of day (HH:MM)")
	}
	return t.Hour()*60 + t.Minute(), nil
}
