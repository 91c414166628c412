package http

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/live"
	"github.com/yaqaza/yaqaza/redact"
)

// EventLog is the store's event log, for catching up.
type EventLog interface {
	EventsAfter(ctx context.Context, after int64, n int) ([]*yaqaza.TimelineEvent, error)
	LastEventID(ctx context.Context) (int64, error)
}

// heartbeat keeps proxies from closing a quiet stream.
const heartbeat = 15 * time.Second

// handleEvents streams incident, unit and escalation events as
// server-sent events, filtered to the caller's zones. A client that
// reconnects with Last-Event-ID (or ?after=) gets what it missed from the
// store first, then the live stream, without a gap or a repeat.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	actor, err := yaqaza.Authorize(r.Context(), yaqaza.ActReadIncidents)
	if err != nil {
		return err
	}
	if actor.View() < yaqaza.ViewPseudonymised {
		return yaqaza.Errorf(yaqaza.EFORBIDDEN, "the %s role sees incidents cleared for publication, not the live stream", actor.Role)
	}

	if s.Hub == nil || s.EventLog == nil {
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "live events are not available on this node")
	}
	// A stream lives longer than the server's write timeout.
	rc := http.NewResponseController(w)
	rc.SetWriteDeadline(time.Time{})
	flusher := flushFunc(func() { rc.Flush() })
	after := int64(-1)
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("after")} {
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return yaqaza.Invalidf("after", "Last-Event-ID must be the id of an event, got %q", v)
		}
		after = n
	}
	visible := actor.InScope
	// Subscribe first, then read the backlog: an event that arrives while
	// the backlog is read is in both, and the id check drops the repeat.
	sub := s.Hub.Subscribe(func(e live.Event) bool { return visible(e.Zone) }, 4096)
	defer sub.Close()
	ctx := r.Context()
	if after < 0 {
		last, err := s.EventLog.LastEventID(ctx)
		if err != nil {
			return err
		}
		after = last
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: 2000\n\n")
	flusher.Flush()
	sent := after
	for {
		events, err := s.EventLog.EventsAfter(ctx, sent, 500)
		if err != nil {
			return nil // the stream has started: the client reconnects
		}
		for _, e := range events {
			sent = e.ID
			if visible(e.ZoneCode) {
				w.Write(liveFrame(actor, live.Event{ID: e.ID, Kind: e.Kind, Data: mustJSON(e)}))
			}
		}
		flusher.Flush()
		if len(events) < 500 {
			break
		}
	}
	beat := time.NewTicker(heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-beat.C:
			fmt.Fprintf(w, ": keep-alive\n\n")
			flusher.Flush()
		case e, ok := <-sub.C:
			if !ok {
				return nil // dropped for lagging: the client resumes from its last id
			}
			if e.ID != 0 && e.ID <= sent {
				continue
			}
			if e.ID != 0 {
				sent = e.ID
			}
			w.Write(liveFrame(actor, e))
			// Send what else is queued in the same write.
			for more := true; more; {
				select {
				case e, ok := <-sub.C:
					if !ok {
						flusher.Flush()
						return nil
					}
					if e.ID == 0 || e.ID > sent {
						if e.ID != 0 {
							sent = e.ID
						}
						w.Write(liveFrame(actor, e))
					}
				default:
					more = false
				}
			}
			flusher.Flush()
		}
	}
}

// liveFrame is the hub's shared frame, or one redacted for the reader.
func liveFrame(actor *yaqaza.Actor, e live.Event) []byte {
	if actor.View() == yaqaza.ViewPseudonymised {
		return live.SSEFrame(e.ID, e.Kind, redactEvent(e.Data))
	}
	return e.Frame()
}

// redactEvent redacts the free text of an event for pseudonymised readers.
func redactEvent(data []byte) []byte {
	var e yaqaza.TimelineEvent
	if json.Unmarshal(data, &e) != nil {
		return []byte("{}")
	}
	e.Detail, e.PublicMessage = redact.Text(e.Detail), redact.Text(e.PublicMessage)
	return mustJSON(&e)
}

type flushFunc func()

func (f flushFunc) Flush() { f() }
