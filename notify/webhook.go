package notify

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Headers of a webhook delivery.
const (
	HeaderDelivery  = "X-Yaqaza-Delivery"  // the outbox id: the same on every attempt
	HeaderTimestamp = "X-Yaqaza-Timestamp" // Unix seconds when this attempt was signed
	HeaderSignature = "X-Yaqaza-Signature" // "sha256=" + hex HMAC-SHA256 of timestamp + "." + body
	HeaderAttempt   = "X-Yaqaza-Attempt"   // 1 for the first try
)

// sendTimeout bounds one delivery when the caller's context has no deadline.
const sendTimeout = 30 * time.Second

// maxResponse is how much of an answer is read: enough for an error message.
const maxResponse = 64 << 10

// WebhookSender posts a message's Data, signed, to the URL in To.
//
// The receiver checks the signature with VerifySignature and drops a
// delivery id it has already accepted. A 2xx answer is a delivery; 408,
// 429, 5xx and network failures are worth retrying; any other answer
// (including a redirect, which is not followed) is Permanent.
type WebhookSender struct {
	Secret []byte
	// Client makes the requests; nil for one with timeouts that follows no
	// redirects. Each delivery is also bounded by 30 s unless ctx has a
	// deadline.
	Client *http.Client
	// Now is the clock of the timestamp; nil for time.Now.
	Now func() time.Time
}

var _ Sender = (*WebhookSender)(nil)

// Send implements Sender.
func (w *WebhookSender) Send(ctx context.Context, m Message) error {
	if len(w.Secret) == 0 {
		// A setting to fix, not a message to drop: the message waits.
		return errors.New("notify: webhook sender has no secret to sign with")
	}
	u, err := checkURL(m.To)
	if err != nil {
		return Permanent(fmt.Errorf("notify: webhook %d: %w", m.ID, err))
	}
	if !json.Valid(m.Data) {
		return Permanent(fmt.Errorf("notify: webhook %d: the payload is not JSON", m.ID))
	}
	now := time.Now
	if w.Now != nil {
		now = w.Now
	}
	ts := strconv.FormatInt(now().Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(HeaderDelivery, strconv.FormatInt(m.ID, 10))
	h.Set(HeaderTimestamp, ts)
	h.Set(HeaderSignature, Sign(w.Secret, ts, m.Data))
	h.Set(HeaderAttempt, strconv.Itoa(max(m.Attempt, 1)))
	if err := post(ctx, w.Client, u, h, m.Data); err != nil {
		return fmt.Errorf("notify: webhook %d: %w", m.ID, err)
	}
	return nil
}

// Sign returns the signature header of body sent at timestamp:
// "sha256=" and the hex HMAC-SHA256 of timestamp + "." + body under secret.
func Sign(secret []byte, timestamp string, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(timestamp))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Errors of VerifySignature.
var (
	ErrBadSignature = errors.New("notify: webhook signature does not match")
	ErrBadTimestamp = errors.New("notify: webhook timestamp missing, malformed or out of range")
)

// DefaultMaxAge is the age beyond which VerifySignature refuses a delivery
// when given maxAge 0.
const DefaultMaxAge = 5 * time.Minute

// VerifySignature checks a webhook delivery as its receiver gets it: the
// X-Yaqaza-Timestamp and X-Yaqaza-Signature headers and the raw body. The
// header may carry several signatures separated by commas (while a secret
// is being replaced); one that matches is enough. A timestamp more than
// maxAge from now, either way, is refused so that a captured delivery
// cannot be replayed later; drop repeats within maxAge by X-Yaqaza-Delivery.
func VerifySignature(secret []byte, timestamp string, body []byte, header string, maxAge time.Duration, now time.Time) error {
	if maxAge <= 0 {
		maxAge = DefaultMaxAge
	}
	ts, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil {
		return fmt.Errorf("%w: %q", ErrBadTimestamp, timestamp)
	}
	want, err := hex.DecodeString(strings.TrimPrefix(Sign(secret, timestamp, body), "sha256="))
	if err != nil {
		return err
	}
	ok := false
	for _, sig := range strings.Split(header, ",") {
		hexSig, found := strings.CutPrefix(strings.TrimSpace(sig), "sha256=")
		if !found {
			continue
		}
		got, err := hex.DecodeString(hexSig)
		if err == nil && hmac.Equal(got, want) {
			ok = true
		}
	}
	if !ok {
		return ErrBadSignature
	}
	if age := now.Sub(time.Unix(ts, 0)); age > maxAge || age < -maxAge {
		return fmt.Errorf("%w: signed %s ago, accepted up to %s", ErrBadTimestamp, age.Round(time.Second), maxAge)
	}
	return nil
}

// StatusError is an answer other than 2xx.
type StatusError struct {
	StatusCode int
	// Body is the start of the answer, for the log.
	Body string
	// RetryAfter is what a Retry-After header asked for, 0 without one.
	RetryAfter time.Duration
}

func (e *StatusError) Error() string {
	msg := fmt.Sprintf("answered %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if b := strings.TrimSpace(e.Body); b != "" {
		if len(b) > 200 {
			b = b[:200] + "…"
		}
		msg += ": " + b
	}
	return msg
}

// retryable tells the status codes worth trying again.
func retryable(code int) bool {
	return code == http.StatusRequestTimeout || code == http.StatusTooManyRequests || code >= 500
}

// defaultClient has a timeout at every step and follows no redirect: a
// redirected POST would silently become a GET without its body.
var defaultClient = &http.Client{
	Timeout: sendTimeout,
	Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 20 * time.Second,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   4,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

func checkURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("malformed URL: %w", err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return nil, fmt.Errorf("%q is not an http(s) URL", s)
	}
	return u, nil
}

// post sends body to u and sorts the outcome: nil for 2xx, Permanent for
// answers that a retry will not change, a plain error otherwise.
func post(ctx context.Context, client *http.Client, u *url.URL, h http.Header, body []byte) error {
	if client == nil {
		client = defaultClient
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, sendTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return Permanent(err)
	}
	req.Header = h
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "Yaqaza-Notify/1")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse)) // lets the connection be reused
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return nil
	}
	se := &StatusError{StatusCode: resp.StatusCode, Body: string(snippet), RetryAfter: retryAfter(resp.Header.Get("Retry-After"))}
	if retryable(resp.StatusCode) {
		return se
	}
	return Permanent(se)
}

// retryAfter reads a Retry-After header: seconds or an HTTP date.
func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s > 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}
