package main

import (
	"container/heap"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// runReplay streams a real computer-aided-dispatch log into a Yaqaza
// server on loopback whose clock is the log's, and has the fleet answer as
// the log's units did: each call is reported, acknowledged, dispatched
// (Yaqaza's recommendation), reached and cleared after the same delays as
// in the log. Time runs --speed times faster than in the log, and quiet
// stretches are skipped, waiting at most --max-wait between events.
func runReplay(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("replay")
	path := fs.String("calls", "", "CAD log (CSV) to replay, e.g. ../shared/data/calls/week40.csv")
	speed := fs.Float64("speed", 1000, "how many times faster than the log time runs")
	maxWait := fs.Duration("max-wait", 2*time.Millisecond, "the longest real wait between two events")
	seed := fs.Uint64("seed", 1, "seed of the places the calls are given")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *path == "" || *speed <= 0 {
		return usageError{"replay needs --calls FILE and a positive --speed"}
	}
	calls, err := readCallLog(*path)
	if err != nil {
		return err
	}
	if len(calls) == 0 {
		return fmt.Errorf("%s has no police call", *path)
	}
	dir, err := os.MkdirTemp("", "yaqaza-replay-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlite.Open(ctx, filepath.Join(dir, "store"), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		return err
	}
	defer db.Close()
	clock := &simClock{now: calls[0].Start}
	db.Now = clock.Now
	app, err := newApp(ctx, db)
	if err != nil {
		return err
	}
	_, token, err := app.tokens.CreateToken(yaqaza.NewContextWithActor(ctx, yaqaza.System("replay")),
		yaqaza.TokenInput{Name: "replay", Role: yaqaza.RoleDispatcher})
	if err != nil {
		return err
	}
	srv, err := serveLoopback("yaqaza", app.handler)
	if err != nil {
		return err
	}
	defer srv.close()
	r := &replayer{api: &apiClient{base: srv.url, token: token}, db: db, clock: clock, calls: calls,
		rng: rand.New(rand.NewPCG(*seed, 11)), app: app, state: make([]callState, len(calls))}
	if err := r.placeFleet(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "replaying %d police calls from %s to %s\n", len(calls), calls[0].Start.Format(time.DateTime), calls[len(calls)-1].Start.Format(time.DateTime))
	wallStart := time.Now()
	r.bar = progressbar.NewOptions(len(calls), progressbar.OptionSetWriter(stderr), progressbar.OptionShowCount(),
		progressbar.OptionThrottle(200*time.Millisecond), progressbar.OptionClearOnFinish())
	if err := r.run(ctx, *speed, *maxWait); err != nil {
		return err
	}
	res, err := r.results(ctx)
	if err != nil {
		return err
	}
	res["wall_s"] = round(time.Since(wallStart).Seconds())
	res["speed"] = *speed
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

// simClock is the server's clock during a replay.
type simClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *simClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *simClock) set(t time.Time) {
	c.mu.Lock()
	if t.After(c.now) {
		c.now = t
	}
	c.mu.Unlock()
}

// Events of the simulation, in the order a call goes through them.
const (
	evOpen = iota
	evAck
	evDispatch
	evEnRoute
	evArrive
	evClear
)

type simEvent struct {
	at   time.Time
	kind int
	call int
	seq  int
}

type eventQueue []simEvent

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if !q[i].at.Equal(q[j].at) {
		return q[i].at.Before(q[j].at)
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(simEvent)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

// callState is what happened to one call in Yaqaza.
type callState struct {
	incident   int64
	unit       int64
	dispatched time.Time
	arrived    time.Time
	cleared    time.Time
	waiting    bool // in the dispatcher's queue for a free unit
}

type replayer struct {
	api     *apiClient
	db      *sqlstore.DB
	clock   *simClock
	calls   []loggedCall
	state   []callState
	rng     *rand.Rand
	app     *app
	queue   eventQueue
	seq     int
	latency []time.Duration
	waiting []int // calls waiting for a free unit
	bar     *progressbar.ProgressBar
}

func (r *replayer) schedule(at time.Time, kind, call int) {
	r.seq++
	heap.Push(&r.queue, simEvent{at: at, kind: kind, call: call, seq: r.seq})
}

// placeFleet puts every unit of the pack near the middle of its home zone.
func (r *replayer) placeFleet(ctx context.Context) error {
	for _, u := range r.app.pack.Units {
		zone := u.HomeZone
		if zone == "" {
			zone = r.app.pack.Zones[r.rng.IntN(len(r.app.pack.Zones))].Code
		}
		p := r.pointIn(zone)
		units, err := r.app.units.FindUnits(yaqaza.NewContextWithActor(ctx, yaqaza.System("replay")), yaqaza.UnitFilter{})
		if err != nil {
			return err
		}
		for _, x := range units {
			if x.CallSign == u.CallSign {
				var out yaqaza.Unit
				if err := r.api.do("POST", fmt.Sprintf("/api/v1/units/%d/position", x.ID), p, &out); err != nil {
					return fmt.Errorf("placing %s: %w", u.CallSign, err)
				}
			}
		}
	}
	return nil
}

// pointIn is a point of the zone: a few tries around its centre until one falls inside.
func (r *replayer) pointIn(zone string) yaqaza.Point {
	c, _ := r.app.zones.Centroid(zone)
	for i := 0; i < 50; i++ {
		p := yaqaza.Point{Lat: c.Lat + (r.rng.Float64()-0.5)*0.02, Lon: c.Lon + (r.rng.Float64()-0.5)*0.02}
		if r.app.zones.Locate(p) == zone {
			return p
		}
	}
	return c
}

// randomZone draws a zone in proportion to its population.
func (r *replayer) randomZone() string {
	var total int64
	for _, z := range r.app.pack.Zones {
		total += z.Population
	}
	n := r.rng.Int64N(max(total, 1))
	for _, z := range r.app.pack.Zones {
		if n -= z.Population; n < 0 {
			return z.Code
		}
	}
	return r.app.pack.Zones[0].Code
}

func (r *replayer) run(ctx context.Context, speed float64, maxWait time.Duration) error {
	for i, c := range r.calls {
		r.schedule(c.Start, evOpen, i)
	}
	for r.queue.Len() > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		e := heap.Pop(&r.queue).(simEvent)
		// Deadlines that fall before the next event fire at their time.
		for {
			t, ok, err := r.db.NextTimer(ctx)
			if err != nil {
				return err
			}
			if !ok || !t.Before(e.at) {
				break
			}
			r.advance(t, speed, maxWait)
			if _, err := r.db.EscalateDue(ctx, t); err != nil {
				return err
			}
		}
		r.advance(e.at, speed, maxWait)
		if _, err := r.db.EscalateDue(ctx, e.at); err != nil {
			return err
		}
		if e.kind == evOpen {
			r.bar.Describe(fmt.Sprintf("%s, %d calls waiting for a unit", e.at.Format("Mon 15:04"), len(r.waiting)))
			_ = r.bar.Add(1)
		}
		if err := r.handle(e); err != nil {
			return fmt.Errorf("call %s at %s: %w", r.calls[e.call].ID, e.at.Format(time.DateTime), err)
		}
	}
	return nil
}

// advance moves the clock to t, waiting the log's time divided by speed,
// but never more than maxWait.
func (r *replayer) advance(t time.Time, speed float64, maxWait time.Duration) {
	if gap := t.Sub(r.clock.Now()); gap > 0 {
		time.Sleep(min(time.Duration(float64(gap)/speed), maxWait))
	}
	r.clock.set(t)
}

// after is when a stage comes in the simulation: as long after our own
// previous stage as it came after the log's.
func after(now, logFrom, logTo time.Time) (time.Time, bool) {
	if logTo.IsZero() || logFrom.IsZero() || logTo.Before(logFrom) {
		return time.Time{}, false
	}
	return now.Add(logTo.Sub(logFrom)), true
}
