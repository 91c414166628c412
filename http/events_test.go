package http_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// sse reads server-sent events into a channel until the request ends.
type sseEvent struct{ id, kind, data string }

func openSSE(t *testing.T, ts *testServer, token, lastID string) (<-chan sseEvent, func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan sseEvent, 100)
	go func() {
		defer close(out)
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var e sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				e.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				e.kind = line[7:]
			case strings.HasPrefix(line, "data: "):
				e.data = line[6:]
			case line == "" && e.kind != "":
				out <- e
				e = sseEvent{}
			}
		}
	}()
	return out, cancel
}

func next(t *testing.T, c <-chan sseEvent) sseEvent {
	t.Helper()
	select {
	case e, ok := <-c:
		if !ok {
			t.Fatal("the event stream ended")
		}
		return e
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5 s")
	}
	return sseEvent{}
}

func TestLiveEvents(t *testing.T) {
	ts := newTestServer(t)
	if status, _, _ := ts.call(t, "GET", "/api/v1/events", "", ""); status != 401 {
		t.Fatalf("anonymous events: %d", status)
	}
	if status, body, _ := ts.call(t, "GET", "/api/v1/events?after=x", ts.taker, ""); status != 400 {
		t.Fatalf("bad Last-Event-ID: %d %s", status, body)
	}
	live, stop := openSSE(t, ts, ts.taker, "")
	defer stop()
	time.Sleep(50 * time.Millisecond) // the stream is open before the report
	r := submit(t, ts, `{"channel":"call","text":"Rixe à Bab Boujloud","location":{"lat":34.0617,"lon":-4.9836}}`)
	e := next(t, live)
	if e.kind != yaqaza.EventIncidentCreated || !strings.Contains(e.data, fmt.Sprintf(`"incident_id":%d`, r.IncidentID)) {
		t.Fatalf("first live event: %+v", e)
	}
	first := e.id
	ts.call(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/transitions", r.IncidentID), ts.taker, `{"to":"triaged"}`)
	if e := next(t, live); e.kind != yaqaza.EventStatusChanged {
		t.Fatalf("second live event: %+v", e)
	}
	// A client that reconnects with the last id it got misses nothing.
	resumed, stop2 := openSSE(t, ts, ts.taker, first)
	defer stop2()
	if e := next(t, resumed); e.kind != yaqaza.EventStatusChanged {
		t.Fatalf("resumed stream: %+v", e)
	}
	// A token scoped to Agdal does not see Fès-Médina's incidents.
	_, agdal, err := ts.tokens().CreateToken(yaqaza.NewContextWithActor(context.Background(), yaqaza.System("test")),
		yaqaza.TokenInput{Name: "agdal", Role: yaqaza.RoleDistrictHead, Zones: []string{"03.231.01.01"}})
	if err != nil {
		t.Fatal(err)
	}
	scoped, stop3 := openSSE(t, ts, agdal, "0")
	defer stop3()
	submit(t, ts, `{"channel":"call","text":"Vol à Agdal","location":{"lat":34.03,"lon":-5.0}}`)
	e = next(t, scoped)
	if !strings.Contains(e.data, `"zone":"03.231.01.01"`) {
		t.Fatalf("the Agdal stream got %+v", e)
	}
}
