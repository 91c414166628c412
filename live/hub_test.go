package live

import (
	"testing"
)

func TestHubFiltersAndDropsRepeats(t *testing.T) {
	h := NewHub()
	medina := h.Subscribe(func(e Event) bool { return e.Zone == "MED" }, 8)
	all := h.Subscribe(nil, 8)
	defer medina.Close()
	defer all.Close()
	h.Publish(Event{ID: 1, Kind: "incident.created", Zone: "MED", Data: []byte(`{"id":1}`)})
	h.Publish(Event{ID: 2, Kind: "incident.created", Zone: "SAI", Data: []byte(`{"id":2}`)})
	h.Publish(Event{ID: 2, Kind: "incident.created", Zone: "SAI", Data: []byte(`{"id":2}`)}) // a repeat from the bus
	if got := len(all.C); got != 2 {
		t.Fatalf("the unfiltered subscriber has %d events, want 2 (the repeat dropped)", got)
	}
	if got := len(medina.C); got != 1 {
		t.Fatalf("the Médina subscriber has %d events, want 1", got)
	}
	e := <-medina.C
	if string(e.Frame()) != "id: 1\nevent: incident.created\ndata: {\"id\":1}\n\n" {
		t.Fatalf("frame %q", e.Frame())
	}
	if h.Last() != 2 {
		t.Fatalf("last %d", h.Last())
	}
}

func TestHubDropsALaggingSubscriber(t *testing.T) {
	h := NewHub()
	slow := h.Subscribe(nil, 2)
	fast := h.Subscribe(nil, 10)
	defer fast.Close()
	for id := int64(1); id <= 3; id++ {
		h.Publish(Event{ID: id, Kind: "k", Data: []byte("{}")})
	}
	if !slow.Lagged.Load() || h.Subscribers() != 1 {
		t.Fatalf("lagged %v, %d subscribers left", slow.Lagged.Load(), h.Subscribers())
	}
	n := 0
	for range slow.C { // what it had is still readable, then the channel is closed
		n++
	}
	if n != 2 || len(fast.C) != 3 {
		t.Fatalf("slow read %d before its end, fast has %d", n, len(fast.C))
	}
}

func TestSSEFrameWithoutID(t *testing.T) {
	if got := string(SSEFrame(0, "ping", []byte("{}"))); got != "event: ping\ndata: {}\n\n" {
		t.Fatalf("%q", got)
	}
}
