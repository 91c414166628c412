package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	yhttp "github.com/yaqaza/yaqaza/http"
)

// rateClock is a settable clock, safe for concurrent readers.
type rateClock struct{ ns atomic.Int64 }

func newRateClock() *rateClock {
	c := &rateClock{}
	c.ns.Store(time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *rateClock) Now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *rateClock) Advance(d time.Duration) { c.ns.Add(int64(d)) }

func TestRateLimiterBurstThenLimitThenRecovery(t *testing.T) {
	clock := newRateClock()
	l := &yhttp.RateLimiter{Rule: yhttp.Rule{PerMinute: 60, Burst: 3}, Now: clock.Now}
	for i := range 3 {
		if ok, _ := l.Allow("1.2.3.4"); !ok {
			t.Fatalf("request %d of the burst refused", i+1)
		}
	}
	ok, wait := l.Allow("1.2.3.4")
	if ok {
		t.Fatal("request over the burst allowed")
	}
	if wait <= 0 || wait > time.Second {
		t.Errorf("retry after %v, want (0, 1s] at one token a second", wait)
	}
	clock.Advance(wait)
	if ok, _ := l.Allow("1.2.3.4"); !ok {
		t.Fatal("refused once the next token was due")
	}
	if ok, _ := l.Allow("1.2.3.4"); ok {
		t.Fatal("one token bought two requests")
	}
	clock.Advance(time.Minute)
	for i := range 3 {
		if ok, _ := l.Allow("1.2.3.4"); !ok {
			t.Fatalf("request %d refused after a quiet minute: the burst should be back", i+1)
		}
	}
	if got := l.Limited(); got != 2 {
		t.Errorf("Limited() = %d, want 2", got)
	}
}

func TestRateLimiterKeysAreIndependent(t *testing.T) {
	clock := newRateClock()
	l := &yhttp.RateLimiter{Rule: yhttp.Rule{PerMinute: 10, Burst: 1}, Now: clock.Now}
	if ok, _ := l.Allow("a"); !ok {
		t.Fatal("first request of a refused")
	}
	if ok, _ := l.Allow("a"); ok {
		t.Fatal("second request of a allowed")
	}
	if ok, _ := l.Allow("b"); !ok {
		t.Fatal("b refused because a used its budget")
	}
}

func TestRateLimiterZeroRuleDoesNotLimit(t *testing.T) {
	l := &yhttp.RateLimiter{}
	for range 1000 {
		if ok, _ := l.Allow("a"); !ok {
			t.Fatal("a rule of 0 per minute limited")
		}
	}
	if l.Len() != 0 {
		t.Errorf("an unlimited rule holds %d keys", l.Len())
	}
}

func TestRateLimiterKeyCapHolds(t *testing.T) {
	clock := newRateClock()
	l := &yhttp.RateLimiter{Rule: yhttp.Rule{PerMinute: 10, Burst: 1}, Now: clock.Now}
	for i := range 200_000 {
		l.Allow(fmt.Sprintf("k%d", i))
		if i%10_000 == 0 && l.Len() > yhttp.DefaultRateKeys {
			t.Fatalf("after %d keys %d are held, over the cap of %d", i+1, l.Len(), yhttp.DefaultRateKeys)
		}
	}
	if got := l.Len(); got != yhttp.DefaultRateKeys {
		t.Errorf("held %d keys, want the cap %d", got, yhttp.DefaultRateKeys)
	}
	// The least recently used went first: the newest key keeps its state,
	// the oldest starts afresh.
	if ok, _ := l.Allow("k199999"); ok {
		t.Error("the newest key lost its bucket")
	}
	if ok, _ := l.Allow("k0"); !ok {
		t.Error("the oldest key was kept past the cap")
	}
}

func TestRateLimiterForgetsIdleKeys(t *testing.T) {
	clock := newRateClock()
	l := &yhttp.RateLimiter{Rule: yhttp.Rule{PerMinute: 10, Burst: 1}, Idle: 10 * time.Minute, Now: clock.Now}
	for i := range 10 {
		l.Allow(fmt.Sprintf("old%d", i))
	}
	clock.Advance(9 * time.Minute)
	l.Allow("recent")
	clock.Advance(2 * time.Minute)
	// Each call drops up to eight idle keys, oldest first, and never one
	// used within Idle.
	l.Allow("new1")
	if got := l.Len(); got != 4 {
		t.Fatalf("after one call %d keys held, want 2 old + recent + new1", got)
	}
	l.Allow("new2")
	if got := l.Len(); got != 3 {
		t.Fatalf("after two calls %d keys held, want recent + new1 + new2", got)
	}
}

func TestRateLimiterIdleNotShorterThanRefill(t *testing.T) {
	clock := newRateClock()
	// Refilling 60 tokens at one a minute takes an hour: forgetting the
	// bucket after ten minutes would hand out a fresh burst of 60.
	l := &yhttp.RateLimiter{Rule: yhttp.Rule{PerMinute: 1, Burst: 60}, Idle: 10 * time.Minute, Now: clock.Now}
	for range 60 {
		l.Allow("a")
	}
	clock.Advance(11 * time.Minute)
	l.Allow("b")
	allowed := 0
	for range 60 {
		if ok, _ := l.Allow("a"); ok {
			allowed++
		}
	}
	if allowed != 11 {
		t.Errorf("after 11 idle minutes %d requests allowed, want the 11 refilled", allowed)
	}
}

// limitedServer is the API's default classification in front of a 204.
func limitedServer(rl *yhttp.RateLimits) http.Handler {
	return rl.Middleware(nil)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
}

func limitRequest(method, path, peer string, headers ...string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.RemoteAddr = peer
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Add(headers[i], headers[i+1])
	}
	return r
}

func TestRateLimitAnswers429WithRetryAfter(t *testing.T) {
	clock := newRateClock()
	rl := yhttp.NewRateLimits()
	rl.Now = clock.Now
	h := limitedServer(rl)
	for i := range 5 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, limitRequest("POST", "/api/v1/reports", "203.0.113.7:5555"))
		if rec.Code != http.StatusNoContent {
			t.Fatalf("submission %d of the burst: status %d", i+1, rec.Code)
		}
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, limitRequest("POST", "/api/v1/reports", "203.0.113.7:5556"))
	if rec.Code != http.StatusTooManyRequests {
		t.Fatalf("sixth submission: status %d, want 429", rec.Code)
	}
	// 10 a minute is one token every 6 s.
	if got := rec.Header().Get("Retry-After"); got != "6" {
		t.Errorf("Retry-After = %q, want \"6\"", got)
	}
	var body struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", rec.Body, err)
	}
	if body.Error.Code != yaqaza.ERATELIMIT || body.Error.Message == "" {
		t.Errorf("body %s, want code %q and a message", rec.Body, yaqaza.ERATELIMIT)
	}
	want := map[string]int64{yhttp.RulePublic: 1, yhttp.RuleTracking: 0, yhttp.RuleSignIn: 0, yhttp.RuleAuthenticated: 0}
	if got := rl.Limited(); !maps.Equal(got, want) {
		t.Errorf("Limited() = %v, want %v", got, want)
	}

	// A retry at the announced time gets through.
	clock.Advance(6 * time.Second)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, limitRequest("POST", "/api/v1/reports", "203.0.113.7:5557"))
	if rec.Code != http.StatusNoContent {
		t.Errorf("retry after Retry-After: status %d", rec.Code)
	}
}

func TestRateLimitClassify(t *testing.T) {
	rl := yhttp.NewRateLimits()
	token := yaqaza.NewContextWithActor(context.Background(), &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:12"})
	for _, c := range []struct {
		r         *http.Request
		rule, key string
	}{
		{limitRequest("POST", "/api/v1/reports", "198.51.100.1:1"), yhttp.RulePublic, "198.51.100.1"},
		{limitRequest("GET", "/api/v1/track/ABCD-EFGH", "198.51.100.1:1"), yhttp.RuleTracking, "198.51.100.1"},
		{limitRequest("GET", "/api/v1/track/X", "[2001:db8:1:2:a::1]:443"), yhttp.RuleTracking, "2001:db8:1:2::/64"},
		{limitRequest("POST", "/api/v1/reports", "198.51.100.1:1").WithContext(token), yhttp.RuleAuthenticated, "token:12"},
		{limitRequest("GET", "/api/v1/incidents", "198.51.100.1:1").WithContext(token), yhttp.RuleAuthenticated, "token:12"},
		{limitRequest("POST", "/api/v1/session", "198.51.100.1:1"), yhttp.RuleSignIn, "198.51.100.1"},
		{limitRequest("GET", "/api/v1/session", "198.51.100.1:1"), "", ""},
		{limitRequest("GET", "/healthz", "198.51.100.1:1"), "", ""},
		{limitRequest("GET", "/api/v1/zones", "198.51.100.1:1"), "", ""},
	} {
		rule, key := rl.Classify(c.r)
		if rule != c.rule || key != c.key {
			t.Errorf("%s %s from %s: (%q, %q), want (%q, %q)", c.r.Method, c.r.URL.Path, c.r.RemoteAddr, rule, key, c.rule, c.key)
		}
	}
}

func TestRateLimitClientIP(t *testing.T) {
	rl := &yhttp.RateLimits{TrustedProxies: []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("fd00::/8"),
	}}
	for _, c := range []struct {
		name string
		peer string
		xff  []string
		want string
	}{
		{"no proxy", "203.0.113.9:4000", nil, "203.0.113.9"},
		{"untrusted peer's header ignored", "203.0.113.9:4000", []string{"1.1.1.1"}, "203.0.113.9"},
		{"trusted proxy", "10.0.0.2:4000", []string{"198.51.100.4"}, "198.51.100.4"},
		{"client-written hops ignored", "10.0.0.2:4000", []string{"6.6.6.6, 198.51.100.4"}, "198.51.100.4"},
		{"chain of trusted proxies", "10.0.0.2:4000", []string{"198.51.100.4, 10.1.1.1"}, "198.51.100.4"},
		{"several headers", "10.0.0.2:4000", []string{"6.6.6.6", "198.51.100.4,10.1.1.1"}, "198.51.100.4"},
		{"all hops trusted", "10.0.0.2:4000", []string{"10.9.9.9, 10.1.1.1"}, "10.9.9.9"},
		{"garbage from a trusted hop", "10.0.0.2:4000", []string{"nonsense, 10.1.1.1"}, "10.1.1.1"},
		{"trusted proxy, no header", "10.0.0.2:4000", nil, "10.0.0.2"},
		{"IPv6 proxy", "[fd00::1]:4000", []string{"2001:db8::7"}, "2001:db8::7"},
		{"IPv4 through an IPv6 socket", "[::ffff:203.0.113.9]:4000", nil, "203.0.113.9"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var h []string
			for _, v := range c.xff {
				h = append(h, "X-Forwarded-For", v)
			}
			got := rl.ClientIP(limitRequest("GET", "/", c.peer, h...))
			if got.String() != c.want {
				t.Errorf("ClientIP = %s, want %s", got, c.want)
			}
		})
	}
}

func TestRateLimitForwardedFor(t *testing.T) {
	rl := yhttp.NewRateLimits()
	rl.Now = newRateClock().Now
	rl.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	h := limitedServer(rl)
	status := func(peer, xff string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, limitRequest("POST", "/api/v1/reports", peer, "X-Forwarded-For", xff))
		return rec.Code
	}
	// A client that rotates the header is still one client.
	for i := range 5 {
		status("203.0.113.9:1", fmt.Sprintf("198.51.100.%d", i))
	}
	if got := status("203.0.113.9:1", "198.51.100.99"); got != http.StatusTooManyRequests {
		t.Errorf("an untrusted peer escaped its limit through X-Forwarded-For: status %d", got)
	}
	// Behind the trusted proxy, each client has its own budget.
	for i := range 5 {
		if got := status("10.0.0.2:1", fmt.Sprintf("198.51.100.%d", i)); got != http.StatusNoContent {
			t.Errorf("client %d behind the proxy: status %d", i, got)
		}
	}
}

func TestRateLimitConcurrent(t *testing.T) {
	rl := yhttp.NewRateLimits()
	rl.MaxKeys = 64 // small, so eviction runs concurrently with use
	h := limitedServer(rl)
	var ok, limited atomic.Int64
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Go(func() {
			for i := range 500 {
				rec := httptest.NewRecorder()
				peer := fmt.Sprintf("192.0.2.%d:1", (g*500+i)%100)
				h.ServeHTTP(rec, limitRequest("GET", "/api/v1/track/CODE", peer))
				switch rec.Code {
				case http.StatusNoContent:
					ok.Add(1)
				case http.StatusTooManyRequests:
					limited.Add(1)
				default:
					t.Errorf("status %d", rec.Code)
				}
			}
		})
	}
	wg.Wait()
	if ok.Load()+limited.Load() != 16*500 {
		t.Fatalf("%d answered of %d", ok.Load()+limited.Load(), 16*500)
	}
	if got := rl.Limited()[yhttp.RuleTracking]; got != limited.Load() {
		t.Errorf("Limited() counted %d, the clients saw %d", got, limited.Load())
	}
	if n := rl.Limiter(yhttp.RuleTracking).Len(); n > 64 {
		t.Errorf("%d keys held, over the cap of 64", n)
	}
}

func TestRateLimitParseTrustedProxies(t *testing.T) {
	got, err := yhttp.ParseTrustedProxies(" 10.0.0.0/8, 192.0.2.7 ,fd00::/8,::ffff:198.51.100.1,")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"10.0.0.0/8", "192.0.2.7/32", "fd00::/8", "198.51.100.1/32"}
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i].String() != want[i] {
			t.Errorf("[%d] = %s, want %s", i, got[i], want[i])
		}
	}
	if _, err := yhttp.ParseTrustedProxies("10.0.0.0/8,proxy.internal"); yaqaza.ErrorCode(err) != yaqaza.EINVALID {
		t.Errorf("a host name was accepted: %v", err)
	}
}
