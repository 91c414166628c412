package sqlstore

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// hourMillis is the grain the store counts trends in.
const hourMillis = int64(time.Hour / time.Millisecond)

// trendHistoryTTL is how long the past days of the trends are reused: a
// year is a hundred thousand incidents, and counting them took the
// dashboard most of its time. Past days change only when an incident of
// theirs is merged or moved to another zone, or when an import is dated
// back; such a change reaches the trends within this time (today's
// figures, and every other figure of the dashboard, are always counted
// afresh).
const trendHistoryTTL = 10 * time.Minute

// hourCount is the number of incidents opened in an hour (ms of its start) in a zone.
type hourCount struct {
	hour int64
	zone string
	n    int
}

// trendHistory caches the past days' hour counts per zone scope.
type trendHistory struct {
	mu      sync.Mutex
	entries map[string]*historyEntry
}

type historyEntry struct {
	from, to int64 // the counted span, [from, to)
	at       time.Time
	counts   []hourCount
}

// scanTrends counts the trends' incidents: the past days from the cache
// when it is fresh, today from the store.
func (s *IndicatorService) scanTrends(ctx context.Context, sc scope, trends *trendSet, now time.Time) error {
	days := trends.trends[0]
	today := days.bounds[len(days.bounds)-1]
	key := sc.cond + fmt.Sprint(sc.args...)
	s.history.mu.Lock()
	e := s.history.entries[key]
	s.history.mu.Unlock()
	if e == nil || e.from != trends.start || e.to != today || now.Sub(e.at) > trendHistoryTTL || now.Before(e.at) {
		counts, err := s.countHours(ctx, sc, trends.start, today)
		if err != nil {
			return err
		}
		e = &historyEntry{from: trends.start, to: today, at: now, counts: counts}
		s.history.mu.Lock()
		if s.history.entries == nil || len(s.history.entries) > 256 {
			s.history.entries = map[string]*historyEntry{}
		}
		s.history.entries[key] = e
		s.history.mu.Unlock()
	}
	for _, c := range e.counts {
		trends.add(c.hour, c.zone, c.n)
	}
	live, err := s.countHours(ctx, sc, today, trends.end)
	if err != nil {
		return err
	}
	for _, c := range live {
		trends.add(c.hour, c.zone, c.n)
	}
	return nil
}

// countHours counts incidents per hour and zone in [from, to), merged ones
// left out, and the hours are sorted into local days, weeks and months by
// the caller. An hour is never split between two local days where the
// offset from UTC is whole hours, as in Morocco; in a zone with a
// half-hour offset an hour counts on the day it starts in.
func (s *IndicatorService) countHours(ctx context.Context, sc scope, from, to int64) ([]hourCount, error) {
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT created_at / `+itoa(hourMillis)+`, coalesce(zone_code, ''), count(*)
		FROM incidents WHERE created_at >= ? AND created_at < ? AND status <> ?`+sc.cond+`
		GROUP BY created_at / `+itoa(hourMillis)+`, zone_code`),
		append([]any{from, to, yaqaza.StatusMerged}, sc.args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []hourCount
	for rows.Next() {
		var c hourCount
		if err := rows.Scan(&c.hour, &c.zone, &c.n); err != nil {
			return nil, err
		}
		c.hour *= hourMillis
		out = append(out, c)
	}
	return out, rows.Err()
}

// KeepTrendsWarm counts the prefecture's past days at once and again
// before they go stale, so that no one opening the dashboard waits for a
// year to be counted. It returns when ctx ends.
func (s *IndicatorService) KeepTrendsWarm(ctx context.Context) {
	for {
		if err := s.WarmTrends(ctx); err != nil && ctx.Err() == nil {
			slog.Warn("counting the trends", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(trendHistoryTTL * 9 / 10):
		}
	}
}

// WarmTrends counts the prefecture's past days now, and reads the
// incidents closed since the last time.
func (s *IndicatorService) WarmTrends(ctx context.Context) error {
	now := s.db.Now()
	if err := s.warmClosed(ctx, toMillis(now)); err != nil {
		return err
	}
	s.history.mu.Lock()
	delete(s.history.entries, "")
	s.history.mu.Unlock()
	system := yaqaza.NewContextWithActor(ctx, yaqaza.System("indicators"))
	return s.scanTrends(system, scope{}, newTrendSet(now, s.loc), now)
}
