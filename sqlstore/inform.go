package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/yaqaza/yaqaza"
)

// informReporters tells an incident's reporters how it ended: a message
// through the outbox to every reporter who left a phone (SMS) or an e-mail,
// in the language they wrote in. When nobody left a contact, the tracking
// page is the answer, and the incident counts as informed at once.
func (db *DB) informReporters(ctx context.Context, tx *sql.Tx, inc *yaqaza.Incident, to yaqaza.Status, public string, now time.Time) error {
	reports, err := db.findReports(ctx, tx, `r.incident_id = ?`, inc.ID)
	if err != nil {
		return err
	}
	st := yaqaza.PublicStatusOf(to)
	queued := 0
	for _, r := range reports {
		c := r.Reporter
		if c.Empty() || c.Phone == "" && c.Email == "" {
			continue
		}
		lang := replyLanguage(r)
		subject, body := db.messages().Reporter(lang, st, r.TrackingCode, public)
		n := yaqaza.Notification{Subject: subject, Body: body, IncidentID: inc.ID, ReportID: r.ID}
		if c.Phone != "" {
			n.Channel, n.Recipient = yaqaza.NotifySMS, c.Phone
		} else {
			n.Channel, n.Recipient = yaqaza.NotifyEmail, c.Email
		}
		if err := db.enqueue(ctx, tx, n, fmt.Sprintf("reporter:%d:%s", r.ID, st), now); err != nil {
			return err
		}
		queued++
	}
	if queued > 0 {
		return nil
	}
	return db.markInformed(ctx, tx, inc.ID, inc.ZoneCode, now, "no reporter left a contact: the tracking page tells them")
}

// markInformed records that an incident's reporters know how it ended.
func (db *DB) markInformed(ctx context.Context, tx *sql.Tx, id int64, zone string, now time.Time, detail string) error {
	at := toMillis(now)
	res, err := tx.ExecContext(ctx, db.q(`UPDATE incidents SET informed_at = ?, updated_at = ? WHERE id = ? AND informed_at IS NULL`), at, at, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil
	}
	if err := db.addTimeline(ctx, tx, yaqaza.System("followup"), at, timelineEntry{incidentID: id, zone: zone,
		kind: yaqaza.EventReportersTold, detail: detail}); err != nil {
		return err
	}
	return db.replan(ctx, tx, id)
}

// replyLanguage is the language to answer a reporter in: the one they
// declared, else the one triage found (Darija answered in Arabic, Latin
// Darija in French), else French.
func replyLanguage(r *yaqaza.Report) string {
	if r.Language != "" {
		return r.Language
	}
	if r.Assessment != nil {
		switch r.Assessment.Language {
		case "ar", "ary":
			return "ar"
		case "en":
			return "en"
		}
	}
	return "fr"
}
