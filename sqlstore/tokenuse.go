package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// When API tokens were last used is kept in memory and written every minute
// and at shutdown, with the counts of dropped posts: a write per request
// would cost intake dearly, and to the minute is precise enough to find the
// tokens nobody uses any more.
type tokenUses struct {
	mu   sync.Mutex
	last map[int64]time.Time // by token id, not yet written
}

func (db *DB) noteTokenUse(id int64, at time.Time) {
	db.tokenUses.mu.Lock()
	if db.tokenUses.last == nil {
		db.tokenUses.last = map[int64]time.Time{}
	}
	if at.After(db.tokenUses.last[id]) {
		db.tokenUses.last[id] = at
	}
	db.tokenUses.mu.Unlock()
}

// unsavedTokenUse is a use of token id not yet written, if any.
func (db *DB) unsavedTokenUse(id int64) (time.Time, bool) {
	db.tokenUses.mu.Lock()
	defer db.tokenUses.mu.Unlock()
	at, ok := db.tokenUses.last[id]
	return at, ok
}

// flushTokenUses writes the uses noted since the last flush; a later use
// already written (by another node) is kept.
func (db *DB) flushTokenUses(ctx context.Context) error {
	db.tokenUses.mu.Lock()
	last := db.tokenUses.last
	db.tokenUses.last = nil
	db.tokenUses.mu.Unlock()
	if len(last) == 0 {
		return nil
	}
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		for id, at := range last {
			ms := toMillis(at)
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE api_tokens SET last_used_at = ?
				WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)`), ms, id, ms); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Kept for the next flush, unless a newer use came meanwhile.
		for id, at := range last {
			db.noteTokenUse(id, at)
		}
	}
	return err
}
