package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/followup"
)

// skipLocked makes concurrent workers on several nodes take different rows
// (PostgreSQL); SQLite's single writer needs nothing.
func (db *DB) skipLocked() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}

// EscalateDue implements yaqaza.FollowupService. Every incident whose timer
// is due climbs one level, with a timeline event and a notification to the
// level's subscribers, in one transaction per batch; the row lock (or
// SQLite's single writer) and the new timer written in the same
// transaction make each escalation happen once, whichever node runs it.
func (db *DB) EscalateDue(ctx context.Context, now time.Time) (int, error) {
	total := 0
	for {
		n := 0
		err := db.withTx(ctx, func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, db.q(`SELECT id FROM incidents WHERE timer_at IS NOT NULL AND timer_at <= ?
				ORDER BY timer_at LIMIT 50`+db.skipLocked()), toMillis(now))
			if err != nil {
				return err
			}
			var ids []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				ids = append(ids, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, id := range ids {
				up, err := db.escalate(ctx, tx, id, now)
				if err != nil {
					return err
				}
				if up {
					n++
				}
			}
			if len(ids) == 50 && n == 0 {
				return fmt.Errorf("followup: 50 due timers and none escalated: timers are not moving")
			}
			return nil
		})
		if err != nil {
			return total, err
		}
		total += n
		if n == 0 {
			return total, nil
		}
	}
}

// escalate climbs one incident one level if its timer is due.
func (db *DB) escalate(ctx context.Context, tx *sql.Tx, id int64, now time.Time) (bool, error) {
	inc, err := db.findIncident(ctx, tx, id, false)
	if err != nil {
		return false, err
	}
	if inc.Deadline == nil {
		_, err := tx.ExecContext(ctx, db.q(`UPDATE incidents SET timer_at = NULL WHERE id = ?`), id)
		return false, err
	}
	var timer sql.NullInt64
	if err := tx.QueryRowContext(ctx, db.q(`SELECT timer_at FROM incidents WHERE id = ?`), id).Scan(&timer); err != nil {
		return false, err
	}
	policy := db.SLA()
	plan := followup.Plan{Stage: inc.Deadline.Stage, Due: inc.Deadline.Due, Level: inc.Deadline.Level, Timer: timePtr(timer)}
	plan, up := followup.Escalate(policy, plan, now)
	if !up {
		return false, nil
	}
	at := toMillis(now)
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE incidents SET escalation_level = ?, timer_at = ?, version = version + 1, updated_at = ? WHERE id = ?`),
		plan.Level, nullMillis(plan.Timer), at, id); err != nil {
		return false, err
	}
	overdue := now.Sub(plan.Due).Round(time.Minute)
	level := yaqaza.LevelName(plan.Level)
	detail := fmt.Sprintf("%s deadline (%s) missed by %s: escalated to the %s", plan.Stage, plan.Due.Format("2006-01-02 15:04 MST"), overdue, level)
	if err := db.addTimeline(ctx, tx, yaqaza.System("followup"), at, timelineEntry{incidentID: id, zone: inc.ZoneCode,
		kind: yaqaza.EventEscalated, detail: detail}); err != nil {
		return false, err
	}
	subs, err := db.subscribers(ctx, tx, followup.RecipientRole(plan.Level), inc.ZoneCode)
	if err != nil {
		return false, err
	}
	for _, s := range subs {
		subject, body := db.messages().Escalation(s.Language, id, level, string(plan.Stage), overdue, inc.Priority.String()+" "+inc.Category+": "+inc.Summary)
		data, _ := jsonColumn(map[string]any{"event": yaqaza.EventEscalated, "incident_id": id, "level": plan.Level,
			"stage": plan.Stage, "due": plan.Due, "zone": inc.ZoneCode, "priority": inc.Priority, "detail": detail}, false)
		if err := db.enqueue(ctx, tx, yaqaza.Notification{Channel: s.Channel, Recipient: s.Address, Subject: subject, Body: body,
			Data: []byte(data.String), Secret: s.Secret, IncidentID: id},
			fmt.Sprintf("escalation:%d:%s:%d:%d", id, plan.Stage, plan.Level, s.ID), now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// enqueue writes a notification to the outbox, once per dedup key.
func (db *DB) enqueue(ctx context.Context, tx *sql.Tx, n yaqaza.Notification, dedup string, now time.Time) error {
	var data sql.NullString
	if len(n.Data) > 0 {
		data = sql.NullString{String: string(n.Data), Valid: true}
	}
	// Recipients (a reporter's phone) and webhook secrets are sealed,
	// bound to the message's unique key.
	recipient, err := db.sealSecret(n.Recipient, outboxAAD("recipient", dedup))
	if err != nil {
		return err
	}
	secret, err := db.sealColumn(nullString(n.Secret), outboxAAD("secret", dedup))
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q(`INSERT INTO notifications (created_at, channel, recipient, subject, body, data, secret,
		dedup_key, incident_id, report_id, next_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING`),
		toMillis(now), n.Channel, recipient, n.Subject, n.Body, data, secret, dedup, nullInt(n.IncidentID),
		nullInt(n.ReportID), toMillis(now))
	return err
}

// subscribers are those told at a role's level about an incident of zone.
func (db *DB) subscribers(ctx context.Context, q querier, role yaqaza.Role, zone string) ([]yaqaza.Subscriber, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT id, name, role, zone_code, channel, address, language, secret FROM contacts
		WHERE role = ? AND (zone_code IS NULL OR zone_code = '' OR zone_code = ?) ORDER BY id`), role, zone)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []yaqaza.Subscriber
	for rows.Next() {
		var s yaqaza.Subscriber
		var zone, secret sql.NullString
		if err := rows.Scan(&s.ID, &s.Name, &s.Role, &zone, &s.Channel, &s.Address, &s.Language, &secret); err != nil {
			return nil, err
		}
		s.Zone, s.Secret = zone.String, secret.String
		out = append(out, s)
	}
	return out, rows.Err()
}

// AddSubscriber registers someone to be told of escalations.
func (db *DB) AddSubscriber(ctx context.Context, s yaqaza.Subscriber) (*yaqaza.Subscriber, error) {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if s.Language == "" {
		s.Language = "fr"
	}
	err = db.withTx(ctx, func(tx *sql.Tx) error {
		if s.Zone != "" {
			if err := db.mustExist(ctx, tx, "zones", s.Zone, "zone"); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, db.q(`INSERT INTO contacts (name, role, zone_code, channel, address, language, secret)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), s.Name, s.Role, nullString(s.Zone), s.Channel, s.Address, s.Language,
			nullString(s.Secret)).Scan(&s.ID); err != nil {
			return err
		}
		return db.audit(ctx, tx, db.Now(), auditOf(ctx, actor, "config.subscriber", object("subscriber", s.ID), s.Zone,
			fmt.Sprintf("%s (%s) by %s", s.Name, s.Role, s.Channel)))
	})
	if err != nil {
		return nil, err
	}
	s.Secret = ""
	return &s, nil
}

// messages are the texts notifications carry; plain English when none were set.
func (db *DB) messages() yaqaza.Messenger {
	if db.Messages != nil {
		return db.Messages
	}
	return plainMessages{}
}

type plainMessages struct{}

func (plainMessages) Escalation(_ string, id int64, level, stage string, overdue time.Duration, summary string) (string, string) {
	return fmt.Sprintf("Incident %d escalated to the %s", id, level),
		fmt.Sprintf("Incident %d missed its %s deadline by %s. %s", id, stage, overdue, summary)
}

func (plainMessages) Reporter(_ string, st yaqaza.PublicStatus, code, msg string) (string, string) {
	body := fmt.Sprintf("Your report %s: %s.", code, st.Label("en"))
	if msg != "" {
		body += " " + msg
	}
	return "Your report " + code, body
}

// FindNotifications lists the outbox, newest last; incidentID 0 for all.
func (db *DB) FindNotifications(ctx context.Context, incidentID int64) ([]yaqaza.Notification, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadFollowup)
	if err != nil {
		return nil, err
	}
	where, args := "1 = 1", []any{}
	if incidentID != 0 {
		where, args = "incident_id = ?", []any{incidentID}
	}
	if !actor.Prefecture() { // a district's own incidents only
		where += " AND incident_id IN (SELECT id FROM incidents WHERE zone_code IN (" + placeholders(len(actor.Zones)) + "))"
		for _, z := range actor.Zones {
			args = append(args, z)
		}
	}
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT id, created_at, channel, recipient, subject, body, incident_id, report_id,
		status, attempts, last_error, sent_at, dedup_key FROM notifications WHERE `+where+` ORDER BY id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []yaqaza.Notification
	for rows.Next() {
		var n yaqaza.Notification
		var created int64
		var incident, report, sent sql.NullInt64
		var lastErr sql.NullString
		var dedup string
		if err := rows.Scan(&n.ID, &created, &n.Channel, &n.Recipient, &n.Subject, &n.Body, &incident, &report,
			&n.Status, &n.Attempts, &lastErr, &sent, &dedup); err != nil {
			return nil, err
		}
		switch {
		case report.Valid && !actor.Can(yaqaza.ActReadPersonal):
			n.Recipient = "(the reporter)"
		default:
			if n.Recipient, err = db.openOutbox(n.Recipient, "recipient", dedup); err != nil {
				return nil, err
			}
		}
		n.CreatedAt, n.IncidentID, n.ReportID, n.LastError, n.SentAt = fromMillis(created), incident.Int64, report.Int64, lastErr.String, timePtr(sent)
		out = append(out, n)
	}
	return out, rows.Err()
}
