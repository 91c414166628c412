package yaqaza

import (
	"strings"
	"testing"
	"time"
)

// fourWatches is the common police rota: three eight-hour periods, four
// watches, each working a morning, an afternoon and a night, then resting.
func fourWatches() *WatchRota {
	return &WatchRota{
		Starts: []string{"06:00", "14:00", "22:00"},
		Cycle:  [][]string{{"A", "B", "C"}, {"D", "A", "B"}, {"C", "D", "A"}, {"B", "C", "D"}},
		Epoch:  "2026-11-02",
	}
}

func TestWatchState(t *testing.T) {
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	r := fourWatches()
	cases := []struct {
		watch, at   string
		on          bool
		since, till string
	}{
		// Day 0 (epoch): A works the morning.
		{"A", "2026-11-02 06:00", true, "2026-11-02 06:00", "2026-11-02 14:00"},
		{"A", "2026-11-02 13:59", true, "2026-11-02 06:00", "2026-11-02 14:00"},
		// A ends at 14:00 and works again on day 1's afternoon.
		{"A", "2026-11-02 14:00", false, "2026-11-02 14:00", "2026-11-03 14:00"},
		// The night period of day 0 (C) runs past midnight.
		{"C", "2026-11-03 03:00", true, "2026-11-02 22:00", "2026-11-03 06:00"},
		// B works day 0's afternoon and day 1's night: off in between.
		{"B", "2026-11-03 10:00", false, "2026-11-02 22:00", "2026-11-03 22:00"},
		// Day 3 is A's rest: off from day 2's night end to day 4's morning.
		{"A", "2026-11-05 12:00", false, "2026-11-05 06:00", "2026-11-06 06:00"},
		// Day 4 is day 0 again.
		{"A", "2026-11-06 07:00", true, "2026-11-06 06:00", "2026-11-06 14:00"},
		// Before the epoch the cycle runs backwards: day −1 is day 3.
		{"D", "2026-11-01 23:00", true, "2026-11-01 22:00", "2026-11-02 06:00"},
		{"D", "2026-11-02 07:00", false, "2026-11-02 06:00", "2026-11-03 06:00"},
	}
	for _, c := range cases {
		s, ok := r.State(c.watch, at(c.at), loc)
		if !ok {
			t.Fatalf("%s at %s: rota does not know the watch", c.watch, c.at)
		}
		if s.On != c.on || !s.Since.Equal(at(c.since)) || !s.Until.Equal(at(c.till)) {
			t.Errorf("%s at %s: on=%v since %s until %s, want on=%v since %s until %s", c.watch, c.at,
				s.On, s.Since.In(loc).Format("01-02 15:04"), s.Until.In(loc).Format("01-02 15:04"), c.on, c.since, c.till)
		}
	}
	if _, ok := r.State("E", at("2026-11-02 07:00"), loc); ok {
		t.Error("a watch the rota does not name has a state")
	}
}

// Every moment has exactly one watch on, whatever the clock does (the
// Moroccan time zone moves its clocks around Ramadan).
func TestWatchStateOneWatchAtATime(t *testing.T) {
	loc, err := time.LoadLocation("Africa/Casablanca")
	if err != nil {
		t.Skipf("no time zone data: %v", err)
	}
	r := fourWatches()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for ts := start; ts.Before(start.AddDate(1, 0, 0)); ts = ts.Add(37 * time.Minute) {
		on := 0
		for _, w := range []string{"A", "B", "C", "D"} {
			s, _ := r.State(w, ts, loc)
			if s.On {
				on++
			}
			if s.Since.After(ts) || !s.Until.After(ts) {
				t.Fatalf("%s at %s: since %s until %s does not hold the moment", w, ts, s.Since, s.Until)
			}
		}
		if on != 1 {
			t.Fatalf("at %s: %d watches on", ts, on)
		}
	}
}

func TestWatchRotaValidate(t *testing.T) {
	if err := fourWatches().Validate(); err != nil {
		t.Fatalf("valid rota refused: %v", err)
	}
	bad := []struct {
		edit func(*WatchRota)
		want string
	}{
		{func(r *WatchRota) { r.Starts = nil }, "no periods"},
		{func(r *WatchRota) { r.Starts = []string{"06:00", "6:00", "22:00"} }, "not a time of day"},
		{func(r *WatchRota) { r.Starts = []string{"14:00", "06:00", "22:00"} }, "must increase"},
		{func(r *WatchRota) { r.Cycle = nil }, "no days"},
		{func(r *WatchRota) { r.Cycle[1] = []string{"D", "A"} }, "day 1 of the cycle names 2 watches for 3 periods"},
		{func(r *WatchRota) { r.Cycle[2][0] = "" }, "without a watch"},
		{func(r *WatchRota) { r.Epoch = "5 Nov" }, "not a date"},
	}
	for _, c := range bad {
		r := fourWatches()
		c.edit(r)
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("got %v, want an error saying %q", err, c.want)
		}
	}
}

func TestPackUnitWatchMustBeInRota(t *testing.T) {
	p := &Pack{ID: "x", Zones: []Zone{{Code: "z", Geometry: []byte(`{}`)}}, Watches: fourWatches(),
		Units: []Unit{{CallSign: "P-1", Shift: "A"}, {CallSign: "P-2", Shift: "E"}}}
	err := p.Validate()
	if err == nil || !strings.Contains(err.Error(), "unit P-2 works watch E, which the rota does not name") {
		t.Fatalf("got %v", err)
	}
	p.Units[1].Shift = ""
	if err := p.Validate(); err != nil {
		t.Fatalf("a unit without a watch: %v", err)
	}
	p.Watches.Epoch = ""
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "epoch") {
		t.Fatalf("a bad rota in a pack: %v", err)
	}
}
