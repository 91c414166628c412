package notify

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestBackoffBounds(t *testing.T) {
	zero := func() float64 { return 0 }
	almostOne := func() float64 { return 0.999999 }
	prevHigh := time.Duration(0)
	for n := -1; n <= 100; n++ {
		high, low := Backoff(n, zero), Backoff(n, almostOne)
		if high > BackoffMax || low < BackoffBase/2 {
			t.Fatalf("attempt %d: wait between %s and %s, outside [%s, %s]", n, low, high, BackoffBase/2, BackoffMax)
		}
		if low < high/2 || low > high {
			t.Fatalf("attempt %d: jitter takes off more than half: %s..%s", n, low, high)
		}
		if high < prevHigh {
			t.Fatalf("attempt %d waits less (%s) than the one before (%s)", n, high, prevHigh)
		}
		prevHigh = high
		for range 20 {
			if d := Backoff(n, nil); d < low || d > high {
				t.Fatalf("attempt %d: random wait %s outside %s..%s", n, d, low, high)
			}
		}
	}
	for n, want := range map[int]time.Duration{1: 10 * time.Second, 2: 20 * time.Second, 3: 40 * time.Second, 9: 2560 * time.Second, 10: time.Hour, 64: time.Hour} {
		if got := Backoff(n, zero); got != want {
			t.Errorf("Backoff(%d) without jitter = %s, want %s", n, got, want)
		}
	}
	if got := Backoff(1, func() float64 { return 7 }); got != BackoffBase {
		t.Errorf("a random source out of range gave %s", got)
	}
}

func TestPermanent(t *testing.T) {
	base := errors.New("410 gone")
	p := Permanent(base)
	if !IsPermanent(p) || !errors.Is(p, base) || p.Error() != base.Error() {
		t.Fatalf("Permanent(%v) = %v", base, p)
	}
	if w := fmt.Errorf("webhook 3: %w", p); !IsPermanent(w) {
		t.Error("a wrapped permanent error is not permanent")
	}
	if Permanent(p) != p {
		t.Error("Permanent wraps twice")
	}
	if Permanent(nil) != nil || IsPermanent(nil) || IsPermanent(base) {
		t.Error("nil or plain errors taken as permanent")
	}
}

type senderFunc func(context.Context, Message) error

func (f senderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

func TestSendersRouteByChannel(t *testing.T) {
	var got string
	s := Senders{
		ChannelSMS:   senderFunc(func(context.Context, Message) error { got = "sms"; return nil }),
		ChannelEmail: senderFunc(func(context.Context, Message) error { got = "email"; return nil }),
	}
	if err := s.Send(context.Background(), Message{Channel: ChannelEmail}); err != nil || got != "email" {
		t.Errorf("email went to %q: %v", got, err)
	}
	if err := s.Send(context.Background(), Message{Channel: "fax"}); !IsPermanent(err) {
		t.Errorf("unknown channel: %v", err)
	}
}
