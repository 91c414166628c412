package nats

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	natsgo "github.com/nats-io/nats.go"
)

// BenchmarkPublishDeliver measures the time from the call to Publish to the
// call of the one subscriber's function, one event at a time, and prints its
// median and 99th percentile. The baseline, measured in the same run, is a
// plain NATS publish to a plain subscriber on the same server: no storage,
// no acknowledgement.
//
//	go test -run '^$' -bench PublishDeliver ./nats/
func BenchmarkPublishDeliver(b *testing.B) {
	data := make([]byte, 512) // about the size of an incident.updated event

	b.Run("baseline-core-nats", func(b *testing.B) {
		s := startServer(b, b.TempDir())
		nc, err := natsgo.Connect("", s.ConnectOption())
		if err != nil {
			b.Fatal(err)
		}
		defer nc.Close()
		got := make(chan time.Time, 1)
		if _, err := nc.Subscribe("bench.core", func(*natsgo.Msg) { got <- time.Now() }); err != nil {
			b.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			b.Fatal(err)
		}
		measure(b, got, func(int) error { return nc.Publish("bench.core", data) })
	})

	run := func(b *testing.B, bus *Bus) {
		got := make(chan time.Time, 1)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() {
			done <- bus.Subscribe(ctx, 0, func(uint64, string, []byte) { got <- time.Now() })
		}()
		defer func() { cancel(); <-done }()
		// The subscription is ready once a first event comes through.
		for i := 0; ; i++ {
			if _, err := bus.Publish(ctx, "yaqaza.events.bench", "warm-"+strconv.Itoa(i), data); err != nil {
				b.Fatal(err)
			}
			select {
			case <-got:
			case <-time.After(100 * time.Millisecond):
				continue
			}
			break
		}
		measure(b, got, func(i int) error {
			_, err := bus.Publish(ctx, "yaqaza.events.bench", strconv.Itoa(i), data)
			return err
		})
	}
	b.Run("jetstream-in-process", func(b *testing.B) {
		run(b, connectEmbedded(b, startServer(b, b.TempDir())))
	})
	b.Run("jetstream-tcp-loopback", func(b *testing.B) {
		s := startServer(b, b.TempDir(), ListenTCP(0))
		bus, err := Connect(s.ClientURL(), WithLogger(quiet))
		if err != nil {
			b.Fatal(err)
		}
		defer bus.Close()
		run(b, bus)
	})
}

func measure(b *testing.B, got <-chan time.Time, publish func(i int) error) {
	lat := make([]time.Duration, 0, 1024)
	i := 0
	for b.Loop() {
		i++
		start := time.Now()
		if err := publish(i); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-got:
			lat = append(lat, at.Sub(start))
		case <-time.After(10 * time.Second):
			b.Fatalf("event %d not delivered", i)
		}
	}
	slices.Sort(lat)
	p50, p99 := lat[len(lat)/2], lat[len(lat)*99/100]
	b.ReportMetric(float64(p50)/1e3, "p50-µs")
	b.ReportMetric(float64(p99)/1e3, "p99-µs")
	b.Logf("%d events: publish→deliver p50 %s, p99 %s", len(lat), p50, p99)
}
