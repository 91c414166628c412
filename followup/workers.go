package followup

import (
	"context"
	"log/slog"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Escalator is the store's side of escalation.
type Escalator interface {
	EscalateDue(ctx context.Context, now time.Time) (int, error)
}

// RunEscalations fires due timers every tick until ctx ends. Every node may
// run it: each timer fires once, whoever gets to it.
func RunEscalations(ctx context.Context, e Escalator, now func() time.Time, every time.Duration) {
	runEvery(ctx, every, func() {
		if n, err := e.EscalateDue(ctx, now()); err != nil && ctx.Err() == nil {
			slog.Error("escalating due incidents", "err", err)
		} else if n > 0 {
			slog.Info("incidents escalated", "count", n)
		}
	})
}

// Rota is the store's side of the watch rota.
type Rota interface {
	ApplyRota(ctx context.Context, now time.Time) (int, error)
}

// RunRota stands units down and up as their watches end and begin, every
// tick until ctx ends. Every node may run it: each move is made once.
func RunRota(ctx context.Context, r Rota, now func() time.Time, every time.Duration) {
	runEvery(ctx, every, func() {
		if n, err := r.ApplyRota(ctx, now()); err != nil && ctx.Err() == nil {
			slog.Error("applying the watch rota", "err", err)
		} else if n > 0 {
			slog.Info("units moved by the watch rota", "count", n)
		}
	})
}

// runEvery runs fn at once and then every tick until ctx ends.
func runEvery(ctx context.Context, every time.Duration, fn func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		fn()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Outbox is the store's side of notification delivery.
type Outbox interface {
	ClaimNotifications(ctx context.Context, now time.Time, n int, lease time.Duration) ([]yaqaza.Notification, error)
	NotificationDelivered(ctx context.Context, id int64, now time.Time, o yaqaza.DeliveryOutcome) error
}

// Sender delivers one notification; Permanent reports errors that retrying
// will not fix.
type Sender interface {
	Send(ctx context.Context, n yaqaza.Notification) error
}

// Deliverer empties the outbox: it claims due notifications, hands each to
// its channel's sender, and records the outcome. A failed attempt is
// retried later, backing off; a permanent failure or too many attempts
// gives up and says so. A notification is written once, in the transaction
// of the change that caused it, so it cannot be lost; and it is marked sent
// as soon as its sender returns. If the node dies between the two, the
// lease runs out and it is sent again with the same delivery id, which the
// receiver uses to drop the repeat.
type Deliverer struct {
	Outbox      Outbox
	Senders     map[string]Sender
	Now         func() time.Time
	Backoff     func(attempt int) time.Duration
	Permanent   func(error) bool
	MaxAttempts int
	Lease       time.Duration
}

// DeliverDue delivers what is due now and returns how many it delivered.
func (d *Deliverer) DeliverDue(ctx context.Context) (int, error) {
	lease := d.Lease
	if lease == 0 {
		lease = time.Minute
	}
	delivered := 0
	for {
		batch, err := d.Outbox.ClaimNotifications(ctx, d.Now(), 20, lease)
		if err != nil || len(batch) == 0 {
			return delivered, err
		}
		for _, n := range batch {
			o := d.attempt(ctx, n)
			if o.Err == nil {
				delivered++
			} else if o.RetryAt == nil {
				slog.Warn("a notification could not be delivered", "id", n.ID, "channel", n.Channel, "attempts", n.Attempts, "err", o.Err)
			}
			if err := d.Outbox.NotificationDelivered(ctx, n.ID, d.Now(), o); err != nil {
				return delivered, err
			}
		}
	}
}

func (d *Deliverer) attempt(ctx context.Context, n yaqaza.Notification) yaqaza.DeliveryOutcome {
	s, ok := d.Senders[n.Channel]
	if !ok {
		return yaqaza.DeliveryOutcome{Err: yaqaza.Errorf(yaqaza.EUNAVAILABLE, "no %s sender is configured", n.Channel),
			RetryAt: d.retryAt(n.Attempts)}
	}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := s.Send(sctx, n)
	if err == nil {
		return yaqaza.DeliveryOutcome{}
	}
	if d.Permanent != nil && d.Permanent(err) || d.MaxAttempts > 0 && n.Attempts >= d.MaxAttempts {
		return yaqaza.DeliveryOutcome{Err: err}
	}
	return yaqaza.DeliveryOutcome{Err: err, RetryAt: d.retryAt(n.Attempts)}
}

func (d *Deliverer) retryAt(attempt int) *time.Time {
	wait := 30 * time.Second
	if d.Backoff != nil {
		wait = d.Backoff(attempt)
	}
	t := d.Now().Add(wait)
	return &t
}

// Run delivers every tick until ctx ends.
func (d *Deliverer) Run(ctx context.Context, every time.Duration) {
	runEvery(ctx, every, func() {
		if _, err := d.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			slog.Error("delivering notifications", "err", err)
		}
	})
}
