// Package live carries events to the screens watching them: the relay
// publishes the store's event log to the bus, and each node's hub fans the
// bus out to its subscribers (server-sent events, notifications in-app).
package live

import (
	"strconv"
	"sync"
	"sync/atomic"
)

// Event is one entry of the event log, as screens receive it.
type Event struct {
	ID   int64  `json:"id"`
	Kind string `json:"kind"`
	Zone string `json:"zone,omitempty"`
	// Data is the event as JSON (a yaqaza.TimelineEvent).
	Data []byte `json:"-"`
	// frame is the event as a server-sent-events message, made once by the
	// hub for all its subscribers.
	frame []byte
}

// Frame is the event as a server-sent-events message.
func (e Event) Frame() []byte {
	if e.frame != nil {
		return e.frame
	}
	return SSEFrame(e.ID, e.Kind, e.Data)
}

// SSEFrame writes one server-sent event: its id (none when 0), its kind as
// the event name, and its data on one line (JSON has no raw newline).
func SSEFrame(id int64, kind string, data []byte) []byte {
	b := make([]byte, 0, len(data)+len(kind)+40)
	if id != 0 {
		b = append(b, "id: "...)
		b = strconv.AppendInt(b, id, 10)
		b = append(b, '\n')
	}
	b = append(b, "event: "...)
	b = append(b, kind...)
	b = append(b, "\ndata: "...)
	b = append(b, data...)
	return append(b, "\n\n"...)
}

// Hub fans events out to subscribers. A subscriber that falls behind is
// dropped rather than allowed to slow everyone: it reconnects and resumes
// from the store with the last id it got.
type Hub struct {
	mu   sync.RWMutex
	subs map[*Sub]struct{}
	last atomic.Int64 // id of the latest event seen
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[*Sub]struct{}{}} }

// Sub is one subscriber.
type Sub struct {
	C      <-chan Event
	c      chan Event
	filter func(Event) bool
	hub    *Hub
	once   sync.Once
	// Lagged is set when the hub dropped the subscriber for falling behind.
	Lagged atomic.Bool
}

// Subscribe returns a subscriber that gets every later event filter keeps.
func (h *Hub) Subscribe(filter func(Event) bool, buffer int) *Sub {
	c := make(chan Event, buffer)
	s := &Sub{C: c, c: c, filter: filter, hub: h}
	h.mu.Lock()
	h.subs[s] = struct{}{}
	h.mu.Unlock()
	return s
}

// Close ends the subscription.
func (s *Sub) Close() {
	s.once.Do(func() {
		s.hub.mu.Lock()
		delete(s.hub.subs, s)
		s.hub.mu.Unlock()
		close(s.c)
	})
}

// Publish gives an event to every subscriber that wants it. Events come
// in id order; an event at or below the last one is a repeat and dropped.
func (h *Hub) Publish(e Event) {
	for {
		last := h.last.Load()
		if e.ID != 0 && e.ID <= last {
			return
		}
		if e.ID == 0 || h.last.CompareAndSwap(last, e.ID) {
			break
		}
	}
	e.frame = SSEFrame(e.ID, e.Kind, e.Data)
	h.mu.RLock()
	var lagging []*Sub
	for s := range h.subs {
		if s.filter != nil && !s.filter(e) {
			continue
		}
		select {
		case s.c <- e:
		default:
			lagging = append(lagging, s)
		}
	}
	h.mu.RUnlock()
	for _, s := range lagging {
		s.Lagged.Store(true)
		s.Close()
	}
}

// Last is the id of the latest event the hub has seen.
func (h *Hub) Last() int64 { return h.last.Load() }

// Subscribers counts the current subscribers.
func (h *Hub) Subscribers() int {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.subs)
}
