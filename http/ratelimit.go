package http

import (
	"fmt"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/yaqaza/yaqaza"
)

// Bounds on the memory a RateLimiter may hold, whatever clients send.
const (
	DefaultRateKeys = 100_000
	DefaultRateIdle = 10 * time.Minute
)

// Rule is the shape of one token bucket: PerMinute requests sustained, Burst
// at once (at least 1). A Rule with PerMinute <= 0 does not limit.
type Rule struct {
	PerMinute int
	Burst     int
}

// RateLimiter gives every key (a client address, an actor) its own token
// bucket of one Rule. Keys unused for Idle are forgotten, and at most MaxKeys
// are kept: when full, the least recently used key goes. Both are done on
// access, O(1) amortised, so there is no goroutine to stop.
//
// Set the fields before first use; the zero MaxKeys, Idle and Now mean
// DefaultRateKeys, DefaultRateIdle and time.Now.
type RateLimiter struct {
	Rule    Rule
	MaxKeys int
	Idle    time.Duration
	Now     func() time.Time

	limited atomic.Int64

	mu      sync.Mutex
	buckets map[string]*bucket
	// recency is the sentinel of a ring of the buckets, most recently used
	// next to it; its prev is the least recently used.
	recency bucket
}

type bucket struct {
	key        string
	lim        *rate.Limiter
	lastUsed   time.Time
	prev, next *bucket
}

func (b *bucket) unlink() { b.prev.next, b.next.prev = b.next, b.prev }

// linkAfter puts b just after at.
func (b *bucket) linkAfter(at *bucket) {
	b.prev, b.next = at, at.next
	at.next.prev = b
	at.next = b
}

// sweepPerCall caps the idle buckets one call drops, so a call after a quiet
// hour does not pay for the whole backlog. Each call adds at most one bucket,
// so dropping up to eight keeps well ahead.
const sweepPerCall = 8

// Allow takes one token from key's bucket. When the bucket is empty it
// returns false and how long until a token is due.
func (l *RateLimiter) Allow(key string) (ok bool, retryAfter time.Duration) {
	if l.Rule.PerMinute <= 0 {
		return true, 0
	}
	now := l.now()
	lim := l.bucketFor(key, now)
	// Reserve-then-cancel rather than Allow: the reservation says when the
	// next token is due, which becomes Retry-After.
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		res.CancelAt(now)
		l.limited.Add(1)
		return false, d
	}
	return true, 0
}

// Limited returns how many calls to Allow were refused.
func (l *RateLimiter) Limited() int64 { return l.limited.Load() }

// Len returns how many keys are held.
func (l *RateLimiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

func (l *RateLimiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// bucketFor returns key's limiter, creating it and making room as needed.
// The limiter is used outside l.mu: if its bucket is evicted meanwhile, the
// call still completes against it.
func (l *RateLimiter) bucketFor(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.buckets == nil {
		l.buckets = make(map[string]*bucket)
		l.recency.prev, l.recency.next = &l.recency, &l.recency
	}
	l.sweep(now)
	if b, ok := l.buckets[key]; ok {
		b.lastUsed = now
		b.unlink()
		b.linkAfter(&l.recency)
		return b.lim
	}
	for len(l.buckets) >= l.maxKeys() {
		l.drop(l.recency.prev)
	}
	b := &bucket{key: key, lim: rate.NewLimiter(l.Rule.limit(), l.Rule.burst()), lastUsed: now}
	b.linkAfter(&l.recency)
	l.buckets[key] = b
	return b.lim
}

// sweep drops idle buckets from the least recently used end.
func (l *RateLimiter) sweep(now time.Time) {
	idle := l.idle()
	for range sweepPerCall {
		b := l.recency.prev
		if b == &l.recency || now.Sub(b.lastUsed) < idle {
			return
		}
		l.drop(b)
	}
}

func (l *RateLimiter) drop(b *bucket) {
	b.unlink()
	delete(l.buckets, b.key)
}

func (l *RateLimiter) maxKeys() int {
	if l.MaxKeys > 0 {
		return l.MaxKeys
	}
	return DefaultRateKeys
}

// idle is never shorter than the time an empty bucket takes to refill:
// forgetting a bucket that is not yet full would hand its client a fresh burst.
func (l *RateLimiter) idle() time.Duration {
	idle := l.Idle
	if idle <= 0 {
		idle = DefaultRateIdle
	}
	refill := time.Duration(float64(l.Rule.burst()) / float64(l.Rule.limit()) * float64(time.Second))
	return max(idle, refill)
}

func (r Rule) burst() int { return max(1, r.Burst) }

func (r Rule) limit() rate.Limit {
	if r.PerMinute <= 0 {
		return rate.Inf
	}
	return rate.Limit(float64(r.PerMinute) / 60)
}

// The rules a request can fall under; "" means not limited.
const (
	RulePublic        = "public"
	RuleTracking      = "tracking"
	RuleSignIn        = "signin"
	RuleAuthenticated = "authenticated"
)

var ruleNames = []string{RulePublic, RuleTracking, RuleSignIn, RuleAuthenticated}

// RateLimits limits the API per client: Public bounds anonymous report
// submission, Tracking anonymous tracking lookups and SignIn password
// sign-ins, each per client address; Authenticated bounds everything a
// credential does, per actor.
type RateLimits struct {
	Public, Tracking, SignIn, Authenticated Rule
	// TrustedProxies are the peers whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
	// MaxKeys, Idle and Now are passed to each RateLimiter.
	MaxKeys int
	Idle    time.Duration
	Now     func() time.Time

	once     sync.Once
	limiters map[string]*RateLimiter
}

// NewRateLimits returns the default limits. Tracking's budget also slows the
// guessing of tracking codes and SignIn's the guessing of passwords, while
// letting a shift sign in through one station's address; Authenticated is
// generous, for consoles that poll, and only stops a runaway client.
func NewRateLimits() *RateLimits {
	return &RateLimits{
		Public:        Rule{PerMinute: 10, Burst: 5},
		Tracking:      Rule{PerMinute: 60, Burst: 20},
		SignIn:        Rule{PerMinute: 20, Burst: 30},
		Authenticated: Rule{PerMinute: 1200, Burst: 200},
	}
}

// Limiter returns the limiter of a rule name, or nil for an unknown name.
// The limits are read on first use; change them before.
func (rl *RateLimits) Limiter(rule string) *RateLimiter {
	rl.once.Do(func() {
		rules := map[string]Rule{RulePublic: rl.Public, RuleTracking: rl.Tracking, RuleSignIn: rl.SignIn, RuleAuthenticated: rl.Authenticated}
		rl.limiters = make(map[string]*RateLimiter, len(rules))
		for name, r := range rules {
			rl.limiters[name] = &RateLimiter{Rule: r, MaxKeys: rl.MaxKeys, Idle: rl.Idle, Now: rl.Now}
		}
	})
	return rl.limiters[rule]
}

// Limited returns, per rule name, how many requests were refused.
func (rl *RateLimits) Limited() map[string]int64 {
	out := make(map[string]int64, len(ruleNames))
	for _, name := range ruleNames {
		out[name] = rl.Limiter(name).Limited()
	}
	return out
}

// Middleware refuses requests over their rule with 429 and Retry-After.
// classify names the rule and the key of a request; nil means rl.Classify.
// It must run after authentication, for classify to see the actor.
func (rl *RateLimits) Middleware(classify func(r *http.Request) (rule, key string)) func(http.Handler) http.Handler {
	if classify == nil {
		classify = rl.Classify
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			rule, key := classify(r)
			if rule == "" {
				next.ServeHTTP(w, r)
				return
			}
			lim := rl.Limiter(rule)
			if lim == nil {
				writeError(w, r, fmt.Errorf("rate limit: no rule %q", rule))
				return
			}
			ok, wait := lim.Allow(key)
			if !ok {
				secs := max(1, int(math.Ceil(wait.Seconds())))
				w.Header().Set("Retry-After", strconv.Itoa(secs))
				writeError(w, r, yaqaza.Errorf(yaqaza.ERATELIMIT, "too many requests: try again in %d s", secs))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// Classify is the API's rule: any request with a credential is counted
// against its actor; anonymous report submissions, tracking lookups and
// sign-ins against the client's address. Other anonymous requests are cheap
// or refused (401) and go unlimited, so probes of /healthz never see 429.
// A sign-in is anonymous until it succeeds, so all of them count here.
func (rl *RateLimits) Classify(r *http.Request) (rule, key string) {
	if a := yaqaza.ActorFromContext(r.Context()); a.Authenticated() {
		return RuleAuthenticated, a.ID
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/reports":
		return RulePublic, clientKey(rl.ClientIP(r))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v1/track/"):
		return RuleTracking, clientKey(rl.ClientIP(r))
	case r.Method == http.MethodPost && strings.HasPrefix(r.URL.Path, "/open311/v2/requests."):
		return RulePublic, clientKey(rl.ClientIP(r))
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/open311/v2/requests"):
		return RuleTracking, clientKey(rl.ClientIP(r))
	case r.Method == http.MethodPost && r.URL.Path == "/api/v1/session":
		return RuleSignIn, clientKey(rl.ClientIP(r))
	}
	return "", ""
}

// clientKey buckets IPv6 clients by /64: one subscriber usually holds a whole
// /64 and could otherwise take a fresh bucket per address.
func clientKey(ip netip.Addr) string {
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// ClientIP returns the address of the client. The peer is the client unless
// it is a trusted proxy; then X-Forwarded-For is read from the right, each
// trusted hop vouching for the one before it, and the first hop that is not
// trusted is the client. Hops further left were written by the client itself
// and could be anything.
func (rl *RateLimits) ClientIP(r *http.Request) netip.Addr {
	peer := parseHost(r.RemoteAddr)
	if !rl.trusted(peer) {
		return peer
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	client := peer
	for i := len(hops) - 1; i >= 0; i-- {
		hop := parseHost(strings.TrimSpace(hops[i]))
		if !hop.IsValid() {
			// The hop that wrote this was trusted but wrote nonsense:
			// the last good address is the best we know.
			return client
		}
		client = hop
		if !rl.trusted(hop) {
			return hop
		}
	}
	return client
}

// ParseTrustedProxies reads a comma-separated list of CIDRs or addresses,
// as given on the command line; an address stands for itself alone.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for s := range strings.SplitSeq(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if p, err := netip.ParsePrefix(s); err == nil {
			out = append(out, p.Masked())
		} else if a, err := netip.ParseAddr(s); err == nil {
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "trusted proxy %q: want a CIDR such as 10.0.0.0/8 or an address", s)
		}
	}
	return out, nil
}

func (rl *RateLimits) trusted(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	for _, p := range rl.TrustedProxies {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// parseHost reads "ip", "ip:port" or "[ipv6]:port", unmapping IPv4-in-IPv6
// so that one client has one key whichever socket it came through.
func parseHost(s string) netip.Addr {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap()
	}
	a, err := netip.ParseAddr(strings.Trim(s, "[]"))
	if err != nil {
		return netip.Addr{}
	}
	return a.Unmap()
}
