package console

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// indicatorsTTL is how long computed indicators are shown again: wall
// screens refreshing every two minutes and the command's staff opening the
// same period before the morning meeting share one computation (tens of
// milliseconds for a year of a prefecture). The page says when the
// figures were computed.
const indicatorsTTL = time.Minute

// indicatorsCacheSize bounds the cache: periods × roles × zone scopes.
const indicatorsCacheSize = 64

var indicatorCaches sync.Map // *Console → *indicatorCache

type indicatorCache struct {
	mu      sync.Mutex
	entries map[indicatorKey]*indicatorEntry
}

// indicatorKey is what the figures depend on: the period, and the
// reader's role (its view shapes the late list) and zones.
type indicatorKey struct {
	role     yaqaza.Role
	zones    string
	from, to int64
}

type indicatorEntry struct {
	mu  sync.Mutex // one computation at a time per key
	ind *yaqaza.Indicators
	at  time.Time
}

// indicators returns the figures of [from, to) for the actor, computed at
// most indicatorsTTL ago. The service is asked first whether the actor
// may read them, every time, through Authorize. The result is shared
// between readers of the same key: callers only read it.
func (c *Console) indicators(ctx context.Context, actor *yaqaza.Actor, from, to time.Time) (*yaqaza.Indicators, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActReadStats); err != nil {
		return nil, err
	}
	v, _ := indicatorCaches.LoadOrStore(c, &indicatorCache{entries: map[indicatorKey]*indicatorEntry{}})
	cache := v.(*indicatorCache)
	zones := slices.Clone(actor.Zones)
	slices.Sort(zones)
	key := indicatorKey{role: actor.Role, zones: strings.Join(zones, ","), from: from.UnixMilli(), to: to.UnixMilli()}
	cache.mu.Lock()
	e := cache.entries[key]
	if e == nil {
		if len(cache.entries) >= indicatorsCacheSize {
			// Full: start again, keeping only what is being computed.
			for k, old := range cache.entries {
				if old.mu.TryLock() { // not being computed
					delete(cache.entries, k)
					old.mu.Unlock()
				}
			}
		}
		e = &indicatorEntry{}
		cache.entries[key] = e
	}
	cache.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.ind != nil && time.Since(e.at) < indicatorsTTL {
		return e.ind, nil
	}
	ind, err := c.Indicators.Indicators(ctx, from, to)
	if err != nil {
		return nil, err
	}
	e.ind, e.at = ind, time.Now()
	return ind, nil
}
