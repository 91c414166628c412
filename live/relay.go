package live

import (
	"context"
	"encoding/json"
	"log/slog"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Source is the store's event log.
type Source interface {
	EventsAfter(ctx context.Context, after int64, n int) ([]*yaqaza.TimelineEvent, error)
	LastEventID(ctx context.Context) (int64, error)
	// Events signals that a transaction committed.
	Events() <-chan struct{}
	// AcquireLease takes or renews a named lease for owner until ttl from now.
	AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error)
}

// Bus carries events between nodes.
type Bus interface {
	Publish(ctx context.Context, subject, msgID string, data []byte) (uint64, error)
	Subscribe(ctx context.Context, fromSeq uint64, fn func(seq uint64, subject string, data []byte)) error
}

// Subject is where events go on the bus: yaqaza.events.<kind>.
func Subject(kind string) string { return "yaqaza.events." + kind }

// Relay publishes the event log to the bus, in order, once: one node at a
// time holds the relay lease; every message carries the event's id, which
// the bus uses to drop a repeat after a relay restarts.
type Relay struct {
	Source Source
	Bus    Bus
	// Hub, without a bus, receives the events directly (one node, tests).
	Hub   *Hub
	Owner string // this node's name in the lease
	// GapWait is how long a missing id holds the relay back: with several
	// writers on PostgreSQL, an id can commit after a higher one.
	GapWait time.Duration
}

const relayLease = "event-relay"

// Run relays until ctx ends. It starts after the newest event: older ones
// are read from the store by whoever needs them.
func (r *Relay) Run(ctx context.Context) {
	if r.GapWait == 0 {
		r.GapWait = time.Second
	}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	renew := time.Time{}
	leader := false
	var mark int64
	var gapSince time.Time
	for {
		if time.Since(renew) > 3*time.Second {
			ok, err := r.Source.AcquireLease(ctx, relayLease, r.Owner, 10*time.Second)
			if err != nil && ctx.Err() == nil {
				slog.Warn("event relay: lease", "err", err)
			}
			if ok && !leader {
				// A new leader starts where the bus is: from the newest
				// event (repeats are dropped by the bus and by hubs).
				if mark, err = r.Source.LastEventID(ctx); err != nil {
					ok = false
				}
			}
			leader, renew = ok, time.Now()
		}
		if leader {
			mark, gapSince = r.relay(ctx, mark, gapSince)
		}
		select {
		case <-ctx.Done():
			return
		case <-r.Source.Events():
		case <-tick.C:
		}
	}
}

// relay publishes what follows mark, stopping at a gap in the ids until the
// gap is filled or GapWait has passed.
func (r *Relay) relay(ctx context.Context, mark int64, gapSince time.Time) (int64, time.Time) {
	for {
		events, err := r.Source.EventsAfter(ctx, mark, 500)
		if err != nil {
			if ctx.Err() == nil {
				slog.Warn("event relay: reading the log", "err", err)
			}
			return mark, gapSince
		}
		for _, e := range events {
			if e.ID != mark+1 && mark != 0 {
				if gapSince.IsZero() {
					gapSince = time.Now()
				}
				if time.Since(gapSince) < r.GapWait {
					return mark, gapSince
				}
			}
			if err := r.publish(ctx, e); err != nil {
				if ctx.Err() == nil {
					slog.Warn("event relay: publishing", "err", err, "event", e.ID)
				}
				return mark, gapSince
			}
			mark, gapSince = e.ID, time.Time{}
		}
		if len(events) < 500 {
			return mark, gapSince
		}
	}
}

func (r *Relay) publish(ctx context.Context, e *yaqaza.TimelineEvent) error {
	data, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if r.Bus == nil {
		r.Hub.Publish(Event{ID: e.ID, Kind: e.Kind, Zone: e.ZoneCode, Data: data})
		return nil
	}
	_, err = r.Bus.Publish(ctx, Subject(e.Kind), "event-"+strconv.FormatInt(e.ID, 10), data)
	return err
}

// Feed fills a node's hub from the bus until ctx ends.
func Feed(ctx context.Context, bus Bus, hub *Hub) error {
	return bus.Subscribe(ctx, 0, func(_ uint64, _ string, data []byte) {
		var e yaqaza.TimelineEvent
		if err := json.Unmarshal(data, &e); err != nil {
			slog.Warn("event on the bus is not an event", "err", err)
			return
		}
		hub.Publish(Event{ID: e.ID, Kind: e.Kind, Zone: e.ZoneCode, Data: data})
	})
}
