package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Public posts that are not about an incident are counted, never stored.
// The counts are kept in memory and added to the day's row every minute and
// at shutdown: a count lost in a crash loses nothing anyone could act on,
// and a write per dropped post would cost a viral burst dearly.
type droppedCounts struct {
	mu     sync.Mutex
	counts map[droppedKey]int64
}

type droppedKey struct {
	day     string
	channel yaqaza.Channel
}

// flushEvery is how often what is counted in memory (dropped posts, the
// last uses of API tokens) is written.
const flushEvery = time.Minute

func (db *DB) countDropped(ch yaqaza.Channel, at time.Time) {
	db.dropped.mu.Lock()
	if db.dropped.counts == nil {
		db.dropped.counts = map[droppedKey]int64{}
	}
	db.dropped.counts[droppedKey{at.UTC().Format(time.DateOnly), ch}]++
	db.dropped.mu.Unlock()
}

// flushDropped adds the counts gathered since the last flush to the store.
func (db *DB) flushDropped(ctx context.Context) error {
	db.dropped.mu.Lock()
	counts := db.dropped.counts
	db.dropped.counts = nil
	db.dropped.mu.Unlock()
	if len(counts) == 0 {
		return nil
	}
	return db.withTx(ctx, func(tx *sql.Tx) error {
		for k, n := range counts {
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO dropped_posts (day, channel, count) VALUES (?, ?, ?)
				ON CONFLICT (day, channel) DO UPDATE SET count = dropped_posts.count + excluded.count`), k.day, k.channel, n); err != nil {
				return err
			}
		}
		return nil
	})
}

// flushLoop writes what is counted in memory — dropped posts, the last
// uses of API tokens — every minute until stop is closed, then one last
// time.
func (db *DB) flushLoop(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		stopping := false
		select {
		case <-t.C:
		case <-stop:
			stopping = true
		}
		if err := db.flushDropped(context.Background()); err != nil {
			slog.Warn("could not save the counts of dropped posts", "err", err)
		}
		if err := db.flushTokenUses(context.Background()); err != nil {
			slog.Warn("could not save when API tokens were last used", "err", err)
		}
		if stopping {
			return
		}
	}
}

// DroppedPosts returns the number of public posts dropped per day and
// channel between from and to (dates, inclusive), the counts not yet saved
// included.
func (db *DB) DroppedPosts(ctx context.Context, from, to time.Time) (map[string]map[yaqaza.Channel]int64, error) {
	if err := db.flushDropped(ctx); err != nil {
		return nil, err
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT day, channel, count FROM dropped_posts WHERE day >= ? AND day <= ?`),
		from.UTC().Format(time.DateOnly), to.UTC().Format(time.DateOnly))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[yaqaza.Channel]int64{}
	for rows.Next() {
		var day string
		var ch yaqaza.Channel
		var n int64
		if err := rows.Scan(&day, &ch, &n); err != nil {
			return nil, err
		}
		if out[day] == nil {
			out[day] = map[yaqaza.Channel]int64{}
		}
		out[day][ch] += n
	}
	return out, rows.Err()
}
