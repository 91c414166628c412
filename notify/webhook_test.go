package notify

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"
)

var secret = []byte("0123456789abcdef-webhook-secret")

func TestVerifySignature(t *testing.T) {
	body := []byte(`{"event":"incident.escalated","incident_id":12}`)
	now := time.Unix(1_760_000_000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	sig := Sign(secret, ts, body)

	if err := VerifySignature(secret, ts, body, sig, time.Minute, now.Add(30*time.Second)); err != nil {
		t.Fatalf("good signature refused: %v", err)
	}
	// Two signatures while a secret is replaced: either may match.
	if err := VerifySignature(secret, ts, body, "sha256=00ff, "+sig, time.Minute, now); err != nil {
		t.Errorf("rotation header refused: %v", err)
	}
	cases := []struct {
		name      string
		secret    []byte
		ts        string
		body      []byte
		header    string
		now       time.Time
		wantError error
	}{
		{"tampered body", secret, ts, []byte(`{"event":"incident.escalated","incident_id":13}`), sig, now, ErrBadSignature},
		{"other secret", []byte("another secret"), ts, body, sig, now, ErrBadSignature},
		{"timestamp changed", secret, strconv.FormatInt(now.Unix()+1, 10), body, sig, now, ErrBadSignature},
		{"no sha256= prefix", secret, ts, body, sig[len("sha256="):], now, ErrBadSignature},
		{"not hex", secret, ts, body, "sha256=zz", now, ErrBadSignature},
		{"empty header", secret, ts, body, "", now, ErrBadSignature},
		{"old timestamp", secret, ts, body, sig, now.Add(61 * time.Second), ErrBadTimestamp},
		{"timestamp from the future", secret, ts, body, sig, now.Add(-2 * time.Minute), ErrBadTimestamp},
		{"malformed timestamp", secret, "yesterday", body, sig, now, ErrBadTimestamp},
	}
	for _, c := range cases {
		err := VerifySignature(c.secret, c.ts, c.body, c.header, time.Minute, c.now)
		if !errors.Is(err, c.wantError) {
			t.Errorf("%s: got %v, want %v", c.name, err, c.wantError)
		}
	}
	// maxAge 0 is five minutes.
	if err := VerifySignature(secret, ts, body, sig, 0, now.Add(4*time.Minute)); err != nil {
		t.Errorf("default max age: %v", err)
	}
	if err := VerifySignature(secret, ts, body, sig, 0, now.Add(6*time.Minute)); !errors.Is(err, ErrBadTimestamp) {
		t.Errorf("default max age: %v", err)
	}
}

// receiver is a webhook endpoint that checks what it receives as a real
// one would, and answers with the statuses it is given in turn.
type receiver struct {
	t        *testing.T
	mu       sync.Mutex
	statuses []int
	calls    int
	accepted map[string]int // delivery id → times accepted
	attempts []string
}

func newReceiver(t *testing.T, statuses ...int) (*receiver, *httptest.Server) {
	r := &receiver{t: t, statuses: statuses, accepted: map[string]int{}}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv
}

func (r *receiver) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	if req.Method != http.MethodPost || req.Header.Get("Content-Type") != "application/json" {
		r.t.Errorf("got %s with Content-Type %q", req.Method, req.Header.Get("Content-Type"))
	}
	if err := VerifySignature(secret, req.Header.Get(HeaderTimestamp), body, req.Header.Get(HeaderSignature), time.Minute, time.Now()); err != nil {
		r.t.Errorf("receiver: %v", err)
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	status := http.StatusNoContent
	if r.calls < len(r.statuses) {
		status = r.statuses[r.calls]
	}
	r.calls++
	r.attempts = append(r.attempts, req.Header.Get(HeaderAttempt))
	if status >= 200 && status < 300 {
		r.accepted[req.Header.Get(HeaderDelivery)]++
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "7")
	}
	if status >= 300 && status < 400 {
		w.Header().Set("Location", "/elsewhere")
	}
	w.WriteHeader(status)
	io.WriteString(w, http.StatusText(status))
}

func webhook(url string) Message {
	return Message{ID: 42, Channel: ChannelWebhook, To: url, Data: []byte(`{"event":"incident.escalated","incident_id":12}`), Attempt: 1}
}

func TestWebhookClassifiesAnswers(t *testing.T) {
	cases := []struct {
		status          int
		ok, permanent   bool
		retryAfterShown bool
	}{
		{200, true, false, false}, {201, true, false, false}, {202, true, false, false}, {204, true, false, false},
		{408, false, false, false}, {429, false, false, true}, {500, false, false, false}, {502, false, false, false},
		{503, false, false, false}, {504, false, false, false},
		{400, false, true, false}, {401, false, true, false}, {403, false, true, false}, {404, false, true, false},
		{410, false, true, false}, {413, false, true, false}, {422, false, true, false},
		{301, false, true, false}, {307, false, true, false},
	}
	for _, c := range cases {
		r, srv := newReceiver(t, c.status)
		err := (&WebhookSender{Secret: secret}).Send(context.Background(), webhook(srv.URL))
		if (err == nil) != c.ok || IsPermanent(err) != c.permanent {
			t.Errorf("%d: got %v (permanent %v)", c.status, err, IsPermanent(err))
		}
		var se *StatusError
		if !c.ok && (!errors.As(err, &se) || se.StatusCode != c.status) {
			t.Errorf("%d: error %v carries no status", c.status, err)
		}
		if c.retryAfterShown && se.RetryAfter != 7*time.Second {
			t.Errorf("%d: Retry-After read as %s", c.status, se.RetryAfter)
		}
		if r.calls != 1 {
			t.Errorf("%d: the receiver was called %d times (a redirect must not be followed)", c.status, r.calls)
		}
	}
}

func TestWebhookRetriesUntilAccepted(t *testing.T) {
	r, srv := newReceiver(t, http.StatusServiceUnavailable, http.StatusBadGateway)
	s := &WebhookSender{Secret: secret, Client: srv.Client()}
	m := webhook(srv.URL)
	var errs []error
	for m.Attempt = 1; m.Attempt <= 5; m.Attempt++ {
		err := s.Send(context.Background(), m)
		errs = append(errs, err)
		if err == nil {
			break
		}
		if IsPermanent(err) {
			t.Fatalf("attempt %d: permanent %v", m.Attempt, err)
		}
	}
	if len(errs) != 3 || errs[0] == nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("outcomes %v, want two errors then success", errs)
	}
	if r.accepted["42"] != 1 || len(r.accepted) != 1 {
		t.Errorf("accepted %v, want delivery 42 once", r.accepted)
	}
	if got := r.attempts; len(got) != 3 || got[0] != "1" || got[2] != "3" {
		t.Errorf("attempt headers %v", got)
	}
}

func TestWebhookFailures(t *testing.T) {
	s := &WebhookSender{Secret: secret}
	ctx := context.Background()

	// Nobody listening: retry.
	_, srv := newReceiver(t)
	url := srv.URL
	srv.Close()
	if err := s.Send(ctx, webhook(url)); err == nil || IsPermanent(err) {
		t.Errorf("closed port: %v", err)
	}

	// Too slow: the deadline ends it, and it is worth a retry.
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a closed connection only after the body
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer slow.Close()
	tctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := s.Send(tctx, webhook(slow.URL)); err == nil || IsPermanent(err) || time.Since(start) > 3*time.Second {
		t.Errorf("slow receiver: %v after %s", err, time.Since(start))
	}

	for name, m := range map[string]Message{
		"not a URL":     webhook("::nope"),
		"not http":      webhook("ftp://example.org/hook"),
		"no host":       webhook("https:///hook"),
		"not JSON":      {ID: 1, To: "https://example.org/hook", Data: []byte("{oops")},
		"empty payload": {ID: 1, To: "https://example.org/hook"},
	} {
		if err := s.Send(ctx, m); !IsPermanent(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (&WebhookSender{}).Send(ctx, webhook("https://example.org/hook")); err == nil || IsPermanent(err) {
		t.Errorf("no secret: %v", err)
	}
}

func TestWebhookHeaders(t *testing.T) {
	var got http.Header
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r.Header.Clone(), must(io.ReadAll(r.Body))
	}))
	defer srv.Close()
	at := time.Unix(1_760_000_000, 0)
	m := webhook(srv.URL)
	m.Attempt = 4
	if err := (&WebhookSender{Secret: secret, Now: func() time.Time { return at }}).Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	if got.Get(HeaderDelivery) != "42" || got.Get(HeaderTimestamp) != "1760000000" || got.Get(HeaderAttempt) != "4" {
		t.Errorf("headers %v", got)
	}
	if string(body) != string(m.Data) {
		t.Errorf("body %q", body)
	}
	if err := VerifySignature(secret, "1760000000", body, got.Get(HeaderSignature), time.Minute, at); err != nil {
		t.Error(err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
