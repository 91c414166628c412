package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// apiClient calls the replayed server's API.
type apiClient struct {
	base, token string
	client      http.Client
}

func (c *apiClient) do(method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return &apiError{status: resp.StatusCode, body: string(b)}
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

type apiError struct {
	status int
	body   string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s", e.status, strings.TrimSpace(e.body)) }

func isConflict(err error) bool {
	e, ok := err.(*apiError)
	return ok && e.status == http.StatusConflict
}

func (r *replayer) handle(e simEvent) error {
	c := &r.calls[e.call]
	st := &r.state[e.call]
	now := e.at
	path := func(format string) string { return fmt.Sprintf(format, st.incident) }
	switch e.kind {
	case evOpen:
		at := c.Start
		t0 := time.Now()
		var rec yaqaza.Receipt
		in := yaqaza.ReportInput{Channel: c.Channel, Text: strings.ToLower(c.Problem), OccurredAt: &at,
			Location: ptrTo(r.pointIn(r.randomZone())), IdempotencyKey: "cad-" + c.ID}
		if err := r.api.do("POST", "/api/v1/reports", in, &rec); err != nil {
			return err
		}
		st.incident = rec.IncidentID
		var recs struct{ Recommendations []yaqaza.Recommendation }
		if err := r.api.do("GET", path("/api/v1/incidents/%d/recommendations?k=3"), nil, &recs); err != nil {
			return err
		}
		r.latency = append(r.latency, time.Since(t0))
		// The call-taker sets the problem code and priority of the log.
		cat, p := problemCategory(c.Problem), logPriority(c.Priority)
		if err := r.api.do("POST", path("/api/v1/incidents/%d/triage"), yaqaza.Correction{Category: &cat, Priority: &p}, nil); err != nil && !isConflict(err) {
			return err
		}
		ack := c.Queued
		if ack.IsZero() || ack.Before(c.Start) {
			ack = c.Start
		}
		r.schedule(ack, evAck, e.call)
		if t, ok := after(now, c.Start, c.Dispatch); ok {
			r.schedule(t, evDispatch, e.call)
		}
	case evAck:
		err := r.api.do("POST", path("/api/v1/incidents/%d/transitions"), yaqaza.Transition{To: yaqaza.StatusTriaged}, nil)
		if err != nil && !isConflict(err) { // auto-dispatch may have been quicker
			return err
		}
	case evDispatch:
		if err := r.dispatch(e, c, st); err != nil {
			return err
		}
	case evEnRoute, evArrive:
		if !st.cleared.IsZero() {
			return nil
		}
		to := yaqaza.UnitEnRoute
		if e.kind == evArrive {
			to = yaqaza.UnitOnScene
			st.arrived = now
		}
		if st.unit == 0 {
			return nil
		}
		err := r.api.do("POST", fmt.Sprintf("/api/v1/units/%d/status", st.unit), map[string]any{"status": to}, nil)
		if err != nil && !isConflict(err) {
			return err
		}
	case evClear:
		st.cleared = now
		err := r.api.do("POST", path("/api/v1/incidents/%d/transitions"), yaqaza.Transition{To: yaqaza.StatusResolved, Outcome: c.Outcome}, nil)
		if err != nil && !isConflict(err) {
			return err
		}
		if err == nil {
			if err := r.api.do("POST", path("/api/v1/incidents/%d/transitions"), yaqaza.Transition{To: yaqaza.StatusClosed}, nil); err != nil && !isConflict(err) {
				return err
			}
		}
		r.wakeWaiting(now)
	}
	return nil
}

// dispatch sends Yaqaza's first recommendation; with no unit free, it tries
// again a minute later, as a dispatcher would.
func (r *replayer) dispatch(e simEvent, c *loggedCall, st *callState) error {
	now := e.at
	var inc yaqaza.Incident
	if err := r.api.do("GET", fmt.Sprintf("/api/v1/incidents/%d", st.incident), nil, &inc); err != nil {
		return err
	}
	for _, a := range inc.Assignments { // auto-dispatched already
		if a.ClearedAt == nil && !a.Released {
			st.unit, st.dispatched = a.UnitID, a.AssignedAt
		}
	}
	if st.unit == 0 {
		var recs struct{ Recommendations []yaqaza.Recommendation }
		if err := r.api.do("GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations?k=1", st.incident), nil, &recs); err != nil {
			return err
		}
		if len(recs.Recommendations) == 0 {
			r.wait(e.call)
			return nil
		}
		u := recs.Recommendations[0].Unit.ID
		if err := r.api.do("POST", fmt.Sprintf("/api/v1/incidents/%d/assignments", st.incident), yaqaza.AssignInput{Units: []int64{u}}, nil); err != nil {
			if isConflict(err) {
				r.wait(e.call)
				return nil
			}
			return err
		}
		st.unit, st.dispatched = u, now
	}
	// The unit clears when the log says, or with the close when the log has
	// no clearing, but never before it got there: some logs clear a call
	// before its last stage is written.
	clear := c.Cleared
	if clear.IsZero() {
		clear = c.Closed
	}
	if !clear.IsZero() {
		clear = latest(clear, c.EnRoute, c.Arrival)
	}
	for _, next := range []struct {
		to   time.Time
		kind int
	}{{c.EnRoute, evEnRoute}, {c.Arrival, evArrive}, {clear, evClear}} {
		if t, ok := after(now, c.Dispatch, next.to); ok {
			r.schedule(t, next.kind, e.call)
		}
	}
	return nil
}

func latest(t time.Time, others ...time.Time) time.Time {
	for _, o := range others {
		if o.After(t) {
			t = o
		}
	}
	return t
}

// wait puts a call no unit could take in the dispatcher's queue.
func (r *replayer) wait(call int) {
	if !r.state[call].waiting {
		r.state[call].waiting = true
		r.waiting = append(r.waiting, call)
	}
}

// wakeWaiting offers the units a clearing freed to the waiting calls, the
// most urgent and then the oldest first, as a dispatcher works a queue.
func (r *replayer) wakeWaiting(now time.Time) {
	slices.SortStableFunc(r.waiting, func(a, b int) int {
		if d := logPriority(r.calls[a].Priority) - logPriority(r.calls[b].Priority); d != 0 {
			return int(d)
		}
		return r.calls[a].Start.Compare(r.calls[b].Start)
	})
	for _, call := range r.waiting {
		r.state[call].waiting = false
		r.schedule(now, evDispatch, call)
	}
	r.waiting = r.waiting[:0]
}

func ptrTo[T any](v T) *T { return &v }

// results sums the replay up: added latency, SLA compliance by priority as
// Yaqaza recorded it (its own incident and assignment times, read back
// through the API) beside the log's under the same policy, escalations and
// orphans.
func (r *replayer) results(ctx context.Context) (map[string]any, error) {
	policy := r.db.SLA()
	type tally struct{ n, sysDisp, logDisp, sysScene, logScene, nScene int }
	by := map[yaqaza.Priority]*tally{}
	incidents := map[int64]bool{}
	estimated := 0
	for i, c := range r.calls {
		if c.ClearingEstimated {
			estimated++
		}
		st := r.state[i]
		if st.incident == 0 {
			continue
		}
		incidents[st.incident] = true
		var inc yaqaza.Incident
		if err := r.api.do("GET", fmt.Sprintf("/api/v1/incidents/%d", st.incident), nil, &inc); err != nil {
			return nil, err
		}
		dispatched, onScene := firstTimes(inc.Assignments)
		p := logPriority(c.Priority)
		t := by[p]
		if t == nil {
			t = &tally{}
			by[p] = t
		}
		t.n++
		due := func(s yaqaza.Stage) time.Duration { return time.Duration(policy.Deadlines[p][s]) }
		if !dispatched.IsZero() && dispatched.Sub(inc.CreatedAt) <= due(yaqaza.StageDispatched) {
			t.sysDisp++
		}
		if !c.Dispatch.IsZero() && c.Dispatch.Sub(c.Start) <= due(yaqaza.StageDispatched) {
			t.logDisp++
		}
		if !c.Arrival.IsZero() {
			t.nScene++
			if !onScene.IsZero() && onScene.Sub(inc.CreatedAt) <= due(yaqaza.StageOnScene) {
				t.sysScene++
			}
			if c.Arrival.Sub(c.Start) <= due(yaqaza.StageOnScene) {
				t.logScene++
			}
		}
	}
	sla := map[string]any{}
	for _, p := range []yaqaza.Priority{yaqaza.P1, yaqaza.P2, yaqaza.P3, yaqaza.P4} {
		t := by[p]
		if t == nil {
			continue
		}
		frac := func(a, n int) float64 {
			if n == 0 {
				return 0
			}
			return round4(float64(a) / float64(n))
		}
		sla[p.String()] = map[string]any{"calls": t.n,
			"dispatched_within": map[string]float64{"yaqaza": frac(t.sysDisp, t.n), "log": frac(t.logDisp, t.n)},
			"on_scene_within":   map[string]float64{"yaqaza": frac(t.sysScene, t.nScene), "log": frac(t.logScene, t.nScene)},
		}
	}
	var escalations int
	if err := r.countEscalations(ctx, &escalations); err != nil {
		return nil, err
	}
	o, err := r.db.FindOrphans(ctx)
	if err != nil {
		return nil, err
	}
	slices.Sort(r.latency)
	pct := func(q float64) float64 {
		if len(r.latency) == 0 {
			return 0
		}
		return round(float64(r.latency[min(int(float64(len(r.latency))*q), len(r.latency)-1)].Microseconds()) / 1000)
	}
	return map[string]any{
		"calls": len(r.calls), "incidents": len(incidents),
		"added_latency_p50_ms": pct(0.5), "added_latency_p99_ms": pct(0.99),
		"sla": sla, "escalations": escalations, "orphans": o.Count(),
		"clearing_estimated": estimated, "still_waiting": len(r.waiting),
	}, nil
}

// firstTimes is when the first unit was assigned and the first reached the scene.
func firstTimes(as []*yaqaza.Assignment) (dispatched, onScene time.Time) {
	for _, a := range as {
		if dispatched.IsZero() || a.AssignedAt.Before(dispatched) {
			dispatched = a.AssignedAt
		}
		if a.OnSceneAt != nil && (onScene.IsZero() || a.OnSceneAt.Before(onScene)) {
			onScene = *a.OnSceneAt
		}
	}
	return dispatched, onScene
}

func (r *replayer) countEscalations(ctx context.Context, n *int) error {
	after := int64(0)
	for {
		events, err := r.db.EventsAfter(ctx, after, 5000)
		if err != nil {
			return err
		}
		for _, e := range events {
			if e.Kind == yaqaza.EventEscalated {
				*n++
			}
			after = e.ID
		}
		if len(events) < 5000 {
			return nil
		}
	}
}
