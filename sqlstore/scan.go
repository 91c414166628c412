package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

const incidentColumns = `i.id, i.status, i.category, i.priority, i.priority_reason, i.zone_code, i.lat, i.lon,
	i.summary, i.owner, i.report_count, i.merged_into, i.reason, i.public_message, i.version, i.created_at, i.updated_at,
	i.category_reason, i.attention, i.attention_summary, i.flags, i.outcome, i.deadline_stage, i.deadline_at,
	i.escalation_level, i.informed_at, i.cleared_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanIncident(row rowScanner) (*yaqaza.Incident, error) {
	var inc yaqaza.Incident
	var zone, reason, public sql.NullString
	var lat, lon sql.NullFloat64
	var merged sql.NullInt64
	var priority int
	var created, updated int64
	var flags string
	var outcome, stage sql.NullString
	var due, informed, cleared sql.NullInt64
	var level int
	if err := row.Scan(&inc.ID, &inc.Status, &inc.Category, &priority, &inc.PriorityReason, &zone, &lat, &lon,
		&inc.Summary, &inc.Owner, &inc.ReportCount, &merged, &reason, &public, &inc.Version, &created, &updated,
		&inc.CategoryReason, &inc.Attention, &inc.AttentionSummary, &flags, &outcome, &stage, &due, &level, &informed, &cleared); err != nil {
		return nil, err
	}
	inc.Outcome = outcome.String
	if stage.Valid && due.Valid {
		inc.Deadline = &yaqaza.Deadline{Stage: yaqaza.Stage(stage.String), Due: fromMillis(due.Int64), Level: level}
	}
	inc.InformedAt = timePtr(informed)
	inc.ClearedAt = timePtr(cleared)
	if flags != "" {
		inc.Flags = strings.Split(flags, ",")
	}
	inc.Priority = yaqaza.Priority(priority)
	inc.ZoneCode = zone.String
	if lat.Valid && lon.Valid {
		inc.Location = &yaqaza.Point{Lat: lat.Float64, Lon: lon.Float64}
	}
	inc.MergedInto = merged.Int64
	inc.Reason = reason.String
	inc.PublicMessage = public.String
	inc.CreatedAt = fromMillis(created)
	inc.UpdatedAt = fromMillis(updated)
	return &inc, nil
}

const reportColumns = `r.id, r.incident_id, r.channel, r.external_id, r.text, r.language, r.lat, r.lon,
	r.place, r.media, r.reporter, r.source, r.occurred_at, r.received_at, r.submitted_by, r.assessment`

// findReports returns the reports matching where (a condition on alias r),
// oldest first.
func (db *DB) findReports(ctx context.Context, q querier, where string, args ...any) ([]*yaqaza.Report, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT `+reportColumns+` FROM reports r WHERE `+where+` ORDER BY r.id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*yaqaza.Report
	for rows.Next() {
		var r yaqaza.Report
		var ext, lang, place, media, reporter, source, assessment sql.NullString
		var lat, lon sql.NullFloat64
		var occurred sql.NullInt64
		var received int64
		if err := rows.Scan(&r.ID, &r.IncidentID, &r.Channel, &ext, &r.Text, &lang, &lat, &lon,
			&place, &media, &reporter, &source, &occurred, &received, &r.SubmittedBy, &assessment); err != nil {
			return nil, err
		}
		if assessment.Valid {
			r.Assessment = new(yaqaza.Assessment)
			if err := unmarshalColumn(assessment, r.Assessment); err != nil {
				return nil, err
			}
		}
		r.TrackingCode = db.codes.Code(r.ID)
		r.ExternalID, r.Language, r.Place = ext.String, lang.String, place.String
		if lat.Valid && lon.Valid {
			r.Location = &yaqaza.Point{Lat: lat.Float64, Lon: lon.Float64}
		}
		if media, err = db.openColumn(media, reportAAD("media", r.ID)); err != nil {
			return nil, err
		}
		if reporter, err = db.openColumn(reporter, reportAAD("reporter", r.ID)); err != nil {
			return nil, err
		}
		if err := unmarshalColumn(media, &r.Media); err != nil {
			return nil, err
		}
		if reporter.Valid {
			r.Reporter = new(yaqaza.Contact)
			if err := unmarshalColumn(reporter, r.Reporter); err != nil {
				return nil, err
			}
		}
		if source.Valid {
			r.Source = new(yaqaza.Source)
			if err := unmarshalColumn(source, r.Source); err != nil {
				return nil, err
			}
		}
		r.OccurredAt = timePtr(occurred)
		r.ReceivedAt = fromMillis(received)
		out = append(out, &r)
	}
	return out, rows.Err()
}

func unmarshalColumn(s sql.NullString, v any) error {
	if !s.Valid || s.String == "" {
		return nil
	}
	return json.Unmarshal([]byte(s.String), v)
}

const timelineColumns = `t.id, t.incident_id, t.at, t.actor_id, t.actor_name, t.kind, t.from_status, t.to_status,
	t.report_id, t.other_incident_id, t.detail, t.public_message, t.unit_id, t.zone_code`

func (db *DB) findTimeline(ctx context.Context, q querier, incidentID int64) ([]*yaqaza.TimelineEvent, error) {
	return db.findEvents(ctx, q, `t.incident_id = ? ORDER BY t.id`, incidentID)
}

// findEvents returns the events of the log matching where (on alias t).
func (db *DB) findEvents(ctx context.Context, q querier, where string, args ...any) ([]*yaqaza.TimelineEvent, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT `+timelineColumns+` FROM timeline t WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*yaqaza.TimelineEvent
	for rows.Next() {
		var e yaqaza.TimelineEvent
		var from, to, detail, public, zone sql.NullString
		var incident, report, other, unit sql.NullInt64
		var at int64
		if err := rows.Scan(&e.ID, &incident, &at, &e.ActorID, &e.ActorName, &e.Kind, &from, &to,
			&report, &other, &detail, &public, &unit, &zone); err != nil {
			return nil, err
		}
		e.At = fromMillis(at)
		e.IncidentID, e.UnitID, e.ZoneCode = incident.Int64, unit.Int64, zone.String
		e.FromStatus, e.ToStatus = yaqaza.Status(from.String), yaqaza.Status(to.String)
		e.ReportID, e.OtherIncidentID = report.Int64, other.Int64
		e.Detail, e.PublicMessage = detail.String, public.String
		out = append(out, &e)
	}
	return out, rows.Err()
}

// timelineEntry is an event to write to the log.
type timelineEntry struct {
	incidentID, reportID, otherID, unitID int64
	zone                                  string
	kind                                  string
	from, to                              yaqaza.Status
	detail, public                        string
}

const sqlInsertTimeline = `INSERT INTO timeline (incident_id, at, actor_id, actor_name, kind, from_status, to_status,
	report_id, other_incident_id, detail, public_message, unit_id, zone_code) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`

// addTimeline writes an event of the log, and the same change to the audit trail.
func (db *DB) addTimeline(ctx context.Context, tx *sql.Tx, actor *yaqaza.Actor, at int64, e timelineEntry) error {
	if _, err := tx.ExecContext(ctx, db.q(sqlInsertTimeline), nullInt(e.incidentID), at, actor.ID, actor.Name, e.kind,
		nullString(string(e.from)), nullString(string(e.to)), nullInt(e.reportID), nullInt(e.otherID),
		nullString(e.detail), nullString(e.public), nullInt(e.unitID), nullString(e.zone)); err != nil {
		return err
	}
	if err := db.reachStages(ctx, tx, e, at); err != nil {
		return err
	}
	obj := object("incident", e.incidentID)
	if e.incidentID == 0 && e.unitID != 0 {
		obj = object("unit", e.unitID)
	}
	detail := e.detail
	if e.from != "" || e.to != "" {
		detail = strings.TrimSpace(string(e.from) + " → " + string(e.to) + ". " + detail)
	}
	return db.audit(ctx, tx, fromMillis(at), auditOf(ctx, actor, e.kind, obj, e.zone, detail))
}

func nullInt(v int64) sql.NullInt64 { return sql.NullInt64{Int64: v, Valid: v != 0} }
