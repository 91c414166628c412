package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var quiet = slog.New(slog.DiscardHandler)

func startServer(t testing.TB, dir string, opts ...EmbeddedOption) *Server {
	t.Helper()
	s, err := StartEmbedded(dir, append([]EmbeddedOption{ServerLogger(quiet)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Shutdown)
	return s
}

func connectEmbedded(t testing.TB, s *Server, opts ...Option) *Bus {
	t.Helper()
	b, err := ConnectEmbedded(s, append([]Option{WithLogger(quiet)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	return b
}

type event struct {
	seq     uint64
	subject string
	data    string
}

// subscription runs Subscribe in the background and collects what it delivers.
type subscription struct {
	events chan event
	done   chan error
	cancel context.CancelFunc
}

func subscribe(t testing.TB, b *Bus, from uint64) *subscription {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &subscription{events: make(chan event, 10000), done: make(chan error, 1), cancel: cancel}
	go func() {
		s.done <- b.Subscribe(ctx, from, func(seq uint64, subject string, data []byte) {
			s.events <- event{seq, subject, string(data)}
		})
	}()
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *subscription) stop(t testing.TB) {
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil && !errors.Is(err, ErrClosed) {
			t.Errorf("Subscribe returned %v", err)
		}
		s.done <- nil // let a second stop return too
	case <-time.After(10 * time.Second):
		t.Errorf("Subscribe did not return after its context was cancelled")
	}
}

// next waits for n more events.
func (s *subscription) next(t testing.TB, n int) []event {
	t.Helper()
	var got []event
	deadline := time.After(30 * time.Second)
	for len(got) < n {
		select {
		case e := <-s.events:
			got = append(got, e)
		case <-deadline:
			t.Fatalf("got %d events of %d: %v", len(got), n, got)
		}
	}
	return got
}

// none checks that nothing more arrives for a moment.
func (s *subscription) none(t testing.TB) {
	t.Helper()
	select {
	case e := <-s.events:
		t.Fatalf("unexpected event %v", e)
	case <-time.After(200 * time.Millisecond):
	}
}

func publish(t testing.TB, b *Bus, kind string, i int) uint64 {
	t.Helper()
	seq, err := b.Publish(context.Background(), b.SubjectPrefix()+"."+kind, fmt.Sprintf("%s-%d", kind, i), []byte(fmt.Sprintf("payload %d", i)))
	if err != nil {
		t.Fatal(err)
	}
	return seq
}

func checkRun(t testing.TB, got []event, from uint64) {
	t.Helper()
	for i, e := range got {
		if e.seq != from+uint64(i) {
			t.Fatalf("event %d has sequence %d, want %d (all: %v)", i, e.seq, from+uint64(i), got)
		}
	}
}

func TestPublishSubscribeInOrder(t *testing.T) {
	s := startServer(t, t.TempDir())
	b := connectEmbedded(t, s)
	if s.ClientURL() != "" {
		t.Errorf("in-process server has a client URL %q", s.ClientURL())
	}

	for i := 1; i <= 50; i++ {
		if seq := publish(t, b, "incident.created", i); seq != uint64(i) {
			t.Fatalf("publish %d returned sequence %d", i, seq)
		}
	}
	all := subscribe(t, b, 1)
	newOnly := subscribe(t, b, 0)
	from10 := subscribe(t, b, 10)

	got := all.next(t, 50)
	checkRun(t, got, 1)
	if got[0].subject != "yaqaza.events.incident.created" || got[0].data != "payload 1" || got[49].data != "payload 50" {
		t.Fatalf("first and last events: %v %v", got[0], got[49])
	}
	checkRun(t, from10.next(t, 41), 10)

	// Let the new-only subscription start before publishing live events.
	time.Sleep(100 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 51; i <= 150; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := b.Publish(context.Background(), "yaqaza.events.unit.status", fmt.Sprint("u", i), []byte("live")); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	checkRun(t, all.next(t, 100), 51)
	checkRun(t, from10.next(t, 100), 51)
	checkRun(t, newOnly.next(t, 100), 51)
	all.none(t)

	if last, err := b.LastSeq(); err != nil || last != 150 {
		t.Fatalf("LastSeq = %d, %v", last, err)
	}
}

func TestPublishDeduplicatesByMessageID(t *testing.T) {
	b := connectEmbedded(t, startServer(t, t.TempDir()))
	ctx := context.Background()
	first, err := b.Publish(ctx, "yaqaza.events.report.received", "report.received:7", []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	again, err := b.Publish(ctx, "yaqaza.events.report.received", "report.received:7", []byte("a"))
	if err != nil {
		t.Fatal(err)
	}
	if again != first {
		t.Errorf("repeated publish got sequence %d, the first %d", again, first)
	}
	other, err := b.Publish(ctx, "yaqaza.events.report.received", "report.received:8", []byte("b"))
	if err != nil || other != first+1 {
		t.Fatalf("other event: sequence %d, %v", other, err)
	}
	if last, _ := b.LastSeq(); last != 2 {
		t.Errorf("stream holds %d events, want 2", last)
	}

	if _, err := b.Publish(ctx, "yaqaza.events.x", "", nil); err == nil {
		t.Error("publish without message id accepted")
	}
	if _, err := b.Publish(ctx, "other.subject", "id", nil); err == nil {
		t.Error("publish outside the stream's subjects accepted")
	}
}

func TestStreamCreationIsIdempotent(t *testing.T) {
	s := startServer(t, t.TempDir())
	// Several nodes starting at once.
	var wg sync.WaitGroup
	buses := make([]*Bus, 4)
	errs := make([]error, 4)
	for i := range buses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			buses[i], errs[i] = ConnectEmbedded(s, WithLogger(quiet))
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("bus %d: %v", i, err)
		}
		t.Cleanup(buses[i].Close)
	}
	publish(t, buses[0], "a", 1)
	if last, _ := buses[3].LastSeq(); last != 1 {
		t.Fatalf("buses do not share the stream: last sequence %d", last)
	}

	info, err := buses[1].stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	c := info.Config
	if c.MaxAge != DefaultMaxAge || c.Duplicates != DefaultDuplicateWindow || c.Replicas != 1 ||
		c.Storage != jetstream.FileStorage || len(c.Subjects) != 1 || c.Subjects[0] != "yaqaza.events.>" {
		t.Errorf("stream config: %+v", c)
	}

	// A node configured with another retention brings the stream to it and
	// keeps its events.
	b := connectEmbedded(t, s, WithMaxAge(24*time.Hour), WithDuplicateWindow(time.Minute))
	info, err = b.stream.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Config.MaxAge != 24*time.Hour || info.Config.Duplicates != time.Minute || info.State.Msgs != 1 {
		t.Errorf("updated stream: %+v %+v", info.Config, info.State)
	}

	// A single server cannot keep three replicas: say so.
	_, err = ConnectEmbedded(s, WithLogger(quiet), WithReplicas(3))
	if err == nil || !strings.Contains(err.Error(), "not part of a cluster") {
		t.Errorf("three replicas on one server: %v", err)
	}
	// Bad settings are refused before connecting.
	for _, o := range []Option{WithDuplicateWindow(30 * 24 * time.Hour), WithStream("A.B", "x"), WithStream("A", "x.>"), WithMaxAge(0)} {
		if _, err := ConnectEmbedded(s, o); err == nil {
			t.Errorf("option accepted")
		}
	}
}

func TestRestartKeepsEvents(t *testing.T) {
	dir := t.TempDir()
	s, err := StartEmbedded(dir, ServerLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	b, err := ConnectEmbedded(s, WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 10; i++ {
		publish(t, b, "incident.updated", i)
	}
	b.Close()
	s.Shutdown()

	s = startServer(t, dir)
	b = connectEmbedded(t, s)
	if last, err := b.LastSeq(); err != nil || last != 10 {
		t.Fatalf("after restart LastSeq = %d, %v", last, err)
	}
	got := subscribe(t, b, 1).next(t, 10)
	checkRun(t, got, 1)
	if got[9].data != "payload 10" {
		t.Errorf("last event after restart: %v", got[9])
	}
	if seq := publish(t, b, "incident.updated", 11); seq != 11 {
		t.Errorf("first event after restart has sequence %d", seq)
	}
}

// TestSubscriptionSurvivesServerRestart restarts the server under a client
// connected over TCP: the subscription resumes after the last sequence it
// delivered, and a publish retried through the outage is stored once.
func TestSubscriptionSurvivesServerRestart(t *testing.T) {
	dir := t.TempDir()
	s, err := StartEmbedded(dir, ServerLogger(quiet), ListenTCP(0))
	if err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(s.ClientURL())
	if err != nil || u.Hostname() != "127.0.0.1" {
		t.Fatalf("client URL %q: %v", s.ClientURL(), err)
	}
	port, _ := strconv.Atoi(u.Port())

	b, err := Connect(s.ClientURL(), WithLogger(quiet), WithNATSOptions(natsgo.ReconnectWait(50*time.Millisecond)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(b.Close)
	sub := subscribe(t, b, 1)
	for i := 1; i <= 5; i++ {
		publish(t, b, "unit.status", i)
	}
	checkRun(t, sub.next(t, 5), 1)

	s.Shutdown()
	startServer(t, dir, ListenTCP(port))

	// Publish through the reconnect, retrying with the same id as a caller would.
	for i := 6; i <= 10; i++ {
		for attempt := 0; ; attempt++ {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			_, err := b.Publish(ctx, "yaqaza.events.unit.status", fmt.Sprintf("unit.status-%d", i), []byte(fmt.Sprintf("payload %d", i)))
			cancel()
			if err == nil {
				break
			}
			if attempt == 30 {
				t.Fatalf("publish %d after restart: %v", i, err)
			}
		}
	}
	got := sub.next(t, 5)
	checkRun(t, got, 6)
	sub.none(t)
	if last, _ := b.LastSeq(); last != 10 {
		t.Errorf("stream holds %d events after retried publishes, want 10", last)
	}

	// A reader that stopped at 3 resumes from 4.
	checkRun(t, subscribe(t, b, 4).next(t, 7), 4)
}

func TestSubscribeReturnsWhenBusCloses(t *testing.T) {
	s := startServer(t, t.TempDir())
	b, err := ConnectEmbedded(s, WithLogger(quiet))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- b.Subscribe(context.Background(), 0, func(uint64, string, []byte) {}) }()
	time.Sleep(100 * time.Millisecond)
	b.Close()
	select {
	case err := <-done:
		if !errors.Is(err, ErrClosed) {
			t.Errorf("Subscribe returned %v, want ErrClosed", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Subscribe did not return after Close")
	}
}

// TestExternalServer runs against the NATS server of the machine (and of
// CI), YAQAZA_TEST_NATS or nats://127.0.0.1:4222, on a stream of its own
// that it deletes afterwards.
func TestExternalServer(t *testing.T) {
	addr := os.Getenv("YAQAZA_TEST_NATS")
	if addr == "" {
		addr = "nats://127.0.0.1:4222"
	}
	u, err := url.Parse(addr)
	if err != nil {
		t.Fatalf("YAQAZA_TEST_NATS: %v", err)
	}
	conn, err := net.DialTimeout("tcp", u.Host, time.Second)
	if err != nil {
		t.Skipf("no NATS server at %s (%v): set YAQAZA_TEST_NATS or start nats-server -js to run this test", addr, err)
	}
	conn.Close()

	id := natsgo.NewInbox()[len(natsgo.InboxPrefix):]
	name, prefix := "YAQAZA_TEST_"+id, "yaqaza.test."+strings.ToLower(id)
	b, err := Connect(addr, WithLogger(quiet), WithStream(name, prefix), WithMaxAge(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := b.js.DeleteStream(context.Background(), name); err != nil {
			t.Errorf("delete stream %s: %v", name, err)
		}
		b.Close()
	})
	again, err := Connect(addr, WithLogger(quiet), WithStream(name, prefix), WithMaxAge(time.Hour))
	if err != nil {
		t.Fatalf("second bus on the same stream: %v", err)
	}
	defer again.Close()

	for i := 1; i <= 20; i++ {
		publish(t, b, "incident.created", i)
	}
	if seq := publish(t, again, "incident.created", 20); seq != 20 {
		t.Errorf("repeated event got sequence %d, want 20", seq)
	}
	sub := subscribe(t, again, 1)
	got := sub.next(t, 20)
	checkRun(t, got, 1)
	if got[0].subject != prefix+".incident.created" {
		t.Errorf("subject %q", got[0].subject)
	}
	publish(t, b, "incident.created", 21)
	checkRun(t, sub.next(t, 1), 21)
	sub.none(t)
}
