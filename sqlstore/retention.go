package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/yaqaza/yaqaza"
)

// ApplyRetention erases the personal data the rules no longer allow to
// keep, in one transaction, and records what it did in the audit trail.
// The incidents themselves, their timelines and the audit trail stay.
func (db *DB) ApplyRetention(ctx context.Context, r yaqaza.Retention, now time.Time) (*yaqaza.RetentionRun, error) {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return nil, err
	}
	run := &yaqaza.RetentionRun{At: now}
	ended := `SELECT id FROM incidents WHERE status IN ('closed', 'cancelled', 'referred', 'merged') AND updated_at < ?`
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		exec := func(n *int, q string, args ...any) error {
			res, err := tx.ExecContext(ctx, db.q(q), args...)
			if err != nil {
				return err
			}
			k, _ := res.RowsAffected()
			*n += int(k)
			return nil
		}
		cutoff := toMillis(now.Add(-time.Duration(r.ContactsAfterClosed)))
		if err := exec(&run.Contacts, `UPDATE reports SET reporter = NULL, media = NULL
			WHERE (reporter IS NOT NULL OR media IS NOT NULL) AND incident_id IN (`+ended+`)`, cutoff); err != nil {
			return err
		}
		// Dismissed public posts: cancelled incidents (not a police matter,
		// a duplicate, unfounded) and those closed as unfounded or duplicate.
		cutoff = toMillis(now.Add(-time.Duration(r.SocialAfterDismissed)))
		if err := exec(&run.SocialPosts, `UPDATE reports SET text = ?, source = NULL, place = NULL, lat = NULL, lon = NULL,
			reporter = NULL, media = NULL
			WHERE channel = 'social' AND text <> ? AND incident_id IN (SELECT id FROM incidents WHERE updated_at < ? AND
			(status = 'cancelled' OR (status = 'closed' AND outcome IN ('unfounded', 'duplicate'))))`,
			yaqaza.ErasedText, yaqaza.ErasedText, cutoff); err != nil {
			return err
		}
		cutoff = toMillis(now.Add(-time.Duration(r.OutboxAfterSent)))
		if err := exec(&run.Notifications, `UPDATE notifications SET recipient = '', secret = NULL
			WHERE status <> 'pending' AND recipient <> '' AND created_at < ?`, cutoff); err != nil {
			return err
		}
		if err := exec(&run.ExpiredSession, `DELETE FROM sessions WHERE expires_at < ?`, toMillis(now)); err != nil {
			return err
		}
		return db.audit(ctx, tx, now, auditOf(ctx, actor, "retention.run", "", "", fmt.Sprintf(
			"erased: contact details of %d reports, %d dismissed public posts, %d notification addresses; %d expired sessions removed (periods: %s)",
			run.Contacts, run.SocialPosts, run.Notifications, run.ExpiredSession, r)))
	})
	if err != nil {
		return nil, err
	}
	return run, nil
}

// RetentionIfDue runs the retention job when its last run is a day old,
// on one node at a time (a lease), and returns the run, or nil when it
// was not due here.
func (db *DB) RetentionIfDue(ctx context.Context, r yaqaza.Retention, now time.Time, owner string) (*yaqaza.RetentionRun, error) {
	ok, err := db.AcquireLease(ctx, "retention", owner, 10*time.Minute)
	if err != nil || !ok {
		return nil, err
	}
	var last sql.NullString
	if err := db.read.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'retention_last'`).Scan(&last); err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	if last.Valid {
		if t, err := time.Parse(time.RFC3339, last.String); err == nil && now.Sub(t) < 23*time.Hour {
			return nil, nil
		}
	}
	run, err := db.ApplyRetention(ctx, r, now)
	if err != nil {
		return nil, err
	}
	_, err = db.write.ExecContext(ctx, db.q(`INSERT INTO settings (key, value) VALUES ('retention_last', ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`), now.UTC().Format(time.RFC3339))
	return run, err
}
