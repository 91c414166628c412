// Package notify delivers notifications: signed webhooks to other systems,
// e-mail through an SMTP relay, SMS through an HTTP gateway, and the texts
// that reporters and staff receive, in Arabic, French and English.
//
// The platform writes each notification to an outbox in the same
// transaction as the change that causes it; a worker hands them one by one
// to a Sender, and retries after Backoff unless the error IsPermanent.
// Every delivery carries the outbox id, so a receiver can drop the repeat of
// a message whose first delivery succeeded but whose answer was lost.
package notify

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"
)

// Channels a message can go through.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
	ChannelSMS     = "sms"
)

// Message is one notification to deliver.
type Message struct {
	ID      int64  // the outbox id: also the delivery id the receiver uses to drop repeats
	Channel string // "webhook", "email", "sms"
	To      string // URL, e-mail address or phone number
	Subject string
	Body    string // plain text
	Data    []byte // JSON payload (webhooks)
	Attempt int    // 1 for the first try
}

// Sender delivers a message. A nil error means the receiver accepted it.
// An error that IsPermanent will not go away by retrying; any other may.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Senders sends each message through the Sender of its channel.
type Senders map[string]Sender

// Send implements Sender. A channel without a sender is a permanent error.
func (s Senders) Send(ctx context.Context, m Message) error {
	if snd, ok := s[m.Channel]; ok && snd != nil {
		return snd.Send(ctx, m)
	}
	return Permanent(fmt.Errorf("notify: no sender for channel %q", m.Channel))
}

type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent wraps an error that retrying will not fix: the receiver refused
// the message (a 4xx other than 408 and 429), or its address is malformed.
// Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil || IsPermanent(err) {
		return err
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked
// Permanent.
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}

// Backoff bounds.
const (
	BackoffBase = 10 * time.Second
	BackoffMax  = time.Hour
)

// Backoff returns how long to wait after attempt n failed before attempt
// n+1: 10 s after the first, doubling each time up to one hour, of which a
// random part (up to half, drawn from rnd, a source of floats in [0, 1); nil
// for math/rand) is taken off so that messages that failed together do not
// all come back together. Attempt n waits between half and all of
// min(10 s × 2^(n-1), 1 h).
func Backoff(attempt int, rnd func() float64) time.Duration {
	if rnd == nil {
		rnd = rand.Float64
	}
	d := BackoffMax
	if attempt < 1 {
		attempt = 1
	}
	if attempt <= 20 { // 10 s × 2^19 is far past the cap already
		d = min(BackoffBase<<(attempt-1), BackoffMax)
	}
	j := rnd()
	if j < 0 || j >= 1 {
		j = 0
	}
	return d - time.Duration(j*float64(d/2))
}
