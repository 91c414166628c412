package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// ClaimNotifications leases up to n notifications that are due, for one
// delivery worker: until the lease ends no other worker, on this node or
// another, takes them. Each claim counts as an attempt.
func (db *DB) ClaimNotifications(ctx context.Context, now time.Time, n int, lease time.Duration) ([]yaqaza.Notification, error) {
	var out []yaqaza.Notification
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT id FROM notifications WHERE status = 'pending' AND next_attempt_at <= ?
			AND lease_until <= ? ORDER BY next_attempt_at, id LIMIT ?`+db.skipLocked()), toMillis(now), toMillis(now), n)
		if err != nil {
			return err
		}
		var ids []any
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
		}
		rows.Close()
		if len(ids) == 0 {
			return rows.Err()
		}
		in := placeholders(len(ids))
		args := append([]any{toMillis(now.Add(lease))}, ids...)
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE notifications SET lease_until = ?, attempts = attempts + 1 WHERE id IN (`+in+`)`), args...); err != nil {
			return err
		}
		rows, err = tx.QueryContext(ctx, db.q(`SELECT id, created_at, channel, recipient, subject, body, data, secret, incident_id,
			report_id, attempts, dedup_key FROM notifications WHERE id IN (`+in+`) ORDER BY id`), ids...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var m yaqaza.Notification
			var created int64
			var data, secret sql.NullString
			var incident, report sql.NullInt64
			var dedup string
			if err := rows.Scan(&m.ID, &created, &m.Channel, &m.Recipient, &m.Subject, &m.Body, &data, &secret, &incident,
				&report, &m.Attempts, &dedup); err != nil {
				return err
			}
			var err error
			if m.Recipient, err = db.openOutbox(m.Recipient, "recipient", dedup); err != nil {
				return err
			}
			if secret, err = db.openColumn(secret, outboxAAD("secret", dedup)); err != nil {
				return err
			}
			m.CreatedAt, m.IncidentID, m.ReportID, m.Secret, m.Status = fromMillis(created), incident.Int64, report.Int64, secret.String, "pending"
			if data.Valid {
				m.Data = []byte(data.String)
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// NotificationDelivered records an attempt's outcome. A message to a
// reporter that is sent (or given up) may complete the incident's
// "informed" stage: when none of its reporters' messages is pending any
// more, the incident counts as informed.
func (db *DB) NotificationDelivered(ctx context.Context, id int64, now time.Time, o yaqaza.DeliveryOutcome) error {
	return db.withTx(ctx, func(tx *sql.Tx) error {
		at := toMillis(now)
		var err error
		switch {
		case o.Err == nil:
			_, err = tx.ExecContext(ctx, db.q(`UPDATE notifications SET status = 'sent', sent_at = ?, lease_until = 0, last_error = NULL WHERE id = ?`), at, id)
		case o.RetryAt != nil:
			_, err = tx.ExecContext(ctx, db.q(`UPDATE notifications SET next_attempt_at = ?, lease_until = 0, last_error = ? WHERE id = ?`),
				toMillis(*o.RetryAt), errText(o.Err), id)
		default:
			_, err = tx.ExecContext(ctx, db.q(`UPDATE notifications SET status = 'failed', lease_until = 0, last_error = ? WHERE id = ?`), errText(o.Err), id)
		}
		if err != nil || o.Err != nil && o.RetryAt != nil {
			return err
		}
		var incident, report sql.NullInt64
		if err := tx.QueryRowContext(ctx, db.q(`SELECT incident_id, report_id FROM notifications WHERE id = ?`), id).Scan(&incident, &report); err != nil {
			return err
		}
		if !incident.Valid || !report.Valid {
			return nil
		}
		var pending, sent, failed int
		rows, err := tx.QueryContext(ctx, db.q(`SELECT status, count(*) FROM notifications WHERE incident_id = ? AND report_id IS NOT NULL GROUP BY status`), incident.Int64)
		if err != nil {
			return err
		}
		for rows.Next() {
			var st string
			var n int
			if err := rows.Scan(&st, &n); err != nil {
				rows.Close()
				return err
			}
			switch st {
			case "pending":
				pending = n
			case "sent":
				sent = n
			case "failed":
				failed = n
			}
		}
		rows.Close()
		if pending > 0 {
			return nil
		}
		detail := strconv.Itoa(sent) + " reporter(s) told"
		if failed > 0 {
			detail += "; " + strconv.Itoa(failed) + " message(s) could not be delivered: the tracking page tells them"
		}
		var zone sql.NullString
		if err := tx.QueryRowContext(ctx, db.q(`SELECT zone_code FROM incidents WHERE id = ?`), incident.Int64).Scan(&zone); err != nil {
			return err
		}
		return db.markInformed(ctx, tx, incident.Int64, zone.String, now, detail)
	})
}

func errText(err error) string {
	s := err.Error()
	if len(s) > 500 {
		s = s[:500]
	}
	return strings.ToValidUTF8(s, "?")
}

// EventsAfter returns up to n events of the log with an id above after, in
// order: what a live screen missed, or what the relay has yet to publish.
func (db *DB) EventsAfter(ctx context.Context, after int64, n int) ([]*yaqaza.TimelineEvent, error) {
	return db.findEvents(ctx, db.read, `t.id > ? ORDER BY t.id LIMIT ?`, after, n)
}

// LastEventID is the id of the newest event.
func (db *DB) LastEventID(ctx context.Context) (int64, error) {
	var id sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT max(id) FROM timeline`).Scan(&id)
	return id.Int64, err
}

// AcquireLease takes the named lease for owner, or renews it, until ttl
// from now; it fails when another owner holds it and it has not expired.
// Work that one node at a time must do (relaying events) holds one.
func (db *DB) AcquireLease(ctx context.Context, name, owner string, ttl time.Duration) (bool, error) {
	now := db.Now()
	var ok bool
	err := db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, db.q(`INSERT INTO leases (name, owner, until) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until = excluded.until
			WHERE leases.until < ? OR leases.owner = excluded.owner`), name, owner, toMillis(now.Add(ttl)), toMillis(now))
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		ok = n == 1
		return err
	})
	return ok, err
}
