package sqlstore

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// IncidentService implements yaqaza.IncidentService.
type IncidentService struct {
	db *DB
}

var _ yaqaza.IncidentService = (*IncidentService)(nil)

// NewIncidentService returns the incident service.
func NewIncidentService(db *DB) *IncidentService { return &IncidentService{db: db} }

// FindIncidentByID implements yaqaza.IncidentService. The incident is
// shaped to the reader's view; a read that shows reporters' contact
// details or media is audited.
func (s *IncidentService) FindIncidentByID(ctx context.Context, id int64) (*yaqaza.Incident, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadIncidents)
	if err != nil {
		return nil, err
	}
	inc, err := s.db.findIncident(ctx, s.db.read, id, false)
	if err != nil {
		return nil, err
	}
	if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActReadIncidents, inc.ZoneCode); err != nil {
		return nil, err
	}
	if actor.View() == yaqaza.ViewPublished && inc.ClearedAt == nil {
		return nil, yaqaza.Errorf(yaqaza.EFORBIDDEN, "incident %d is not cleared for publication", id)
	}
	if inc.Reports, err = s.db.findReports(ctx, s.db.read, `r.incident_id = ?`, id); err != nil {
		return nil, err
	}
	if inc.Timeline, err = s.db.findTimeline(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	if inc.Assignments, err = s.db.findAssignments(ctx, s.db.read, id); err != nil {
		return nil, err
	}
	if inc.Statements, err = s.db.findStatements(ctx, s.db.read, `incident_id = ?`, id); err != nil {
		return nil, err
	}
	out := yaqaza.ShapeIncident(actor, inc)
	if actor.Can(yaqaza.ActReadPersonal) && actor.View() == yaqaza.ViewOperational {
		var with []string
		for _, r := range out.Reports {
			if r.HoldsPersonal() {
				with = append(with, strconv.FormatInt(r.ID, 10))
			}
		}
		if len(with) > 0 {
			if err := s.db.auditAlone(ctx, auditOf(ctx, actor, "personal.read", object("incident", id), inc.ZoneCode,
				"contact details or media of reports "+strings.Join(with, ", "))); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (db *DB) findIncident(ctx context.Context, q querier, id int64, lock bool) (*yaqaza.Incident, error) {
	query := `SELECT ` + incidentColumns + ` FROM incidents i WHERE i.id = ?`
	if lock {
		query += db.forUpdate()
	}
	inc, err := scanIncident(q.QueryRowContext(ctx, db.q(query), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "incident %d not found", id)
	}
	return inc, err
}

const (
	defaultPageSize = 50
	maxPageSize     = 500
)

// FindIncidents implements yaqaza.IncidentService.
func (s *IncidentService) FindIncidents(ctx context.Context, f yaqaza.IncidentFilter) (*yaqaza.IncidentPage, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadIncidents)
	if err != nil {
		return nil, err
	}
	// A scoped actor lists its own zones; asking for another is refused
	// rather than silently answered with nothing.
	if !actor.Prefecture() {
		if len(f.Zones) == 0 {
			f.Zones = actor.Zones
		}
		for _, z := range f.Zones {
			if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActReadIncidents, z); err != nil {
				return nil, err
			}
		}
	}
	if strings.TrimSpace(f.Text) != "" && actor.View() != yaqaza.ViewOperational {
		// Searching raw texts would find the personal data the view hides.
		return nil, yaqaza.Errorf(yaqaza.EFORBIDDEN, "the %s role may not search report texts", actor.Role)
	}
	limit := f.Limit
	switch {
	case limit == 0:
		limit = defaultPageSize
	case limit < 0 || limit > maxPageSize:
		return nil, yaqaza.Invalidf("limit", "limit must be between 1 and %d", maxPageSize)
	}
	switch f.Order {
	case "", yaqaza.OrderUrgency:
	default:
		return nil, yaqaza.Invalidf("order", "order %q is not known (expected %q or none)", f.Order, yaqaza.OrderUrgency)
	}
	if f.Order != "" && f.Cursor != "" {
		return nil, yaqaza.Invalidf("cursor", "an ordered list is one page: it takes no cursor")
	}
	var where []string
	var args []any
	if f.Cursor != "" {
		after, err := decodeCursor(f.Cursor)
		if err != nil {
			return nil, err
		}
		where, args = append(where, "i.id < ?"), append(args, after)
	}
	if len(f.Statuses) > 0 {
		for _, st := range f.Statuses {
			if !st.Valid() {
				return nil, yaqaza.Invalidf("status", "unknown status %q", st)
			}
			args = append(args, st)
		}
		where = append(where, "i.status IN ("+placeholders(len(f.Statuses))+")")
	}
	if len(f.Zones) > 0 {
		for _, z := range f.Zones {
			args = append(args, z)
		}
		where = append(where, "i.zone_code IN ("+placeholders(len(f.Zones))+")")
	}
	if len(f.Priorities) > 0 {
		for _, p := range f.Priorities {
			if !p.Valid() {
				return nil, yaqaza.Invalidf("priority", "priority must be P1..P4")
			}
			args = append(args, int(p))
		}
		where = append(where, "i.priority IN ("+placeholders(len(f.Priorities))+")")
	}
	if f.Category != "" {
		where, args = append(where, "i.category = ?"), append(args, f.Category)
	}
	if f.From != nil {
		where, args = append(where, "i.created_at >= ?"), append(args, toMillis(*f.From))
	}
	if f.To != nil {
		where, args = append(where, "i.created_at < ?"), append(args, toMillis(*f.To))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		if len(t) > 200 {
			return nil, yaqaza.Invalidf("q", "the search text is limited to 200 bytes")
		}
		where = append(where, "EXISTS (SELECT 1 FROM reports r WHERE r.incident_id = i.id AND r.text "+s.db.likeOp()+" ? ESCAPE '\\')")
		args = append(args, "%"+escapeLike(t)+"%")
	}
	if actor.View() == yaqaza.ViewPublished {
		where = append(where, "i.cleared_at IS NOT NULL")
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	page := &yaqaza.IncidentPage{Incidents: []*yaqaza.Incident{}}
	query := `SELECT ` + incidentColumns + ` FROM incidents i` + cond
	if f.Order == yaqaza.OrderUrgency {
		// The queue shows its first rows and how many wait behind them.
		if err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT COUNT(*) FROM incidents i`+cond), args...).Scan(&page.Total); err != nil {
			return nil, err
		}
		query += " ORDER BY i.priority, CASE WHEN i.deadline_at IS NULL THEN 1 ELSE 0 END, i.deadline_at, i.id LIMIT ?"
	} else {
		query += " ORDER BY i.id DESC LIMIT ?"
	}
	args = append(args, limit+1)
	rows, err := s.db.read.QueryContext(ctx, s.db.q(query), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		page.Incidents = append(page.Incidents, yaqaza.ShapeIncident(actor, inc))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Incidents) > limit {
		page.Incidents = page.Incidents[:limit]
		if f.Order == "" {
			page.NextCursor = encodeCursor(page.Incidents[limit-1].ID)
		}
	}
	return page, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// Cursors are opaque to clients; today they carry the last id seen.
func encodeCursor(id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("i" + strconv.FormatInt(id, 10)))
}

func decodeCursor(c string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && len(b) > 1 && b[0] == 'i' {
		if id, err := strconv.ParseInt(string(b[1:]), 10, 64); err == nil && id > 0 {
			return id, nil
		}
	}
	return 0, yaqaza.Invalidf("cursor", "cursor is not valid: use the next_cursor of a previous page")
}

// TransitionIncident implements yaqaza.IncidentService.
func (s *IncidentService) TransitionIncident(ctx context.Context, id int64, t yaqaza.Transition) (*yaqaza.Incident, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActChangeIncident)
	if err != nil {
		return nil, err
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if t.To == yaqaza.StatusMerged && t.MergeInto == id {
		return nil, yaqaza.Invalidf("merge_into", "incident %d cannot be merged into itself", id)
	}
	var (
		out   *yaqaza.Incident
		freed []int64
	)
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		freed = nil // a retried transaction starts again
		// Lock both sides of a merge in id order, so two opposite merges
		// cannot deadlock.
		var target *yaqaza.Incident
		if t.To == yaqaza.StatusMerged && t.MergeInto < id {
			if target, err = s.mergeTarget(ctx, tx, t.MergeInto); err != nil {
				return err
			}
		}
		inc, err := s.db.findIncident(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActChangeIncident, inc.ZoneCode); err != nil {
			return err
		}
		if t.Version != 0 && t.Version != inc.Version {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d was changed by someone else (it is at version %d, you had %d): reload it", id, inc.Version, t.Version)
		}
		if err := yaqaza.CheckTransition(id, inc.Status, &t); err != nil {
			return err
		}
		if t.To == yaqaza.StatusMerged && target == nil {
			if target, err = s.mergeTarget(ctx, tx, t.MergeInto); err != nil {
				return err
			}
		}
		now := toMillis(s.db.Now())
		if target != nil {
			if err := s.moveReports(ctx, tx, actor, now, inc, target); err != nil {
				return err
			}
		}
		outcome := inc.Outcome
		if t.Outcome != "" {
			outcome = t.Outcome
		}
		res, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET status = ?, reason = ?, public_message = ?, merged_into = ?,
			outcome = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`),
			t.To, nullString(t.Reason), nullString(t.PublicMessage), nullInt(t.MergeInto), nullString(outcome), now, id, inc.Version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d changed while this transition was applied: retry", id)
		}
		detail := t.Reason
		if t.Outcome != "" {
			detail = strings.TrimSpace("outcome " + t.Outcome + ". " + t.Reason)
		}
		if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: id, zone: inc.ZoneCode, kind: yaqaza.EventStatusChanged,
			from: inc.Status, to: t.To, otherID: t.MergeInto, detail: detail, public: t.PublicMessage}); err != nil {
			return err
		}
		// An incident that is dealt with frees its units; one that is over
		// tells its reporters.
		// Units go with the incident: freed when it is dealt with, recalled
		// when it goes back to be dispatched again.
		if t.To == yaqaza.StatusResolved || t.To.Final() || t.To == yaqaza.StatusTriaged {
			if freed, err = s.db.releaseUnits(ctx, tx, actor, now, inc, t.To == yaqaza.StatusResolved); err != nil {
				return err
			}
		}
		if (t.To == yaqaza.StatusResolved || t.To.Final()) && t.To != yaqaza.StatusMerged && t.To != yaqaza.StatusClosed {
			if err := s.db.informReporters(ctx, tx, inc, t.To, t.PublicMessage, fromMillis(now)); err != nil {
				return err
			}
		}
		if err := s.db.replan(ctx, tx, id); err != nil {
			return err
		}
		if target != nil {
			if err := s.db.replan(ctx, tx, target.ID); err != nil {
				return err
			}
		}
		out, err = s.db.findIncident(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.db.unitsChanged(ctx, freed)
	// Reports no longer join an incident that is over or merged away; a
	// merge's survivor now holds the merged reports.
	if s.db.clusterer != nil {
		switch {
		case t.To == yaqaza.StatusMerged:
			s.db.clusterer.Forget(id)
			if err := s.db.reclusterIncidents(ctx, t.MergeInto); err != nil {
				return nil, err
			}
		case t.To.Final():
			s.db.clusterer.Forget(id)
		}
	}
	return out, nil
}

func (s *IncidentService) mergeTarget(ctx context.Context, tx *sql.Tx, id int64) (*yaqaza.Incident, error) {
	target, err := s.db.findIncident(ctx, tx, id, true)
	if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
		return nil, yaqaza.Invalidf("merge_into", "incident %d, to merge into, does not exist", id)
	} else if err != nil {
		return nil, err
	}
	if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActChangeIncident, target.ZoneCode); err != nil {
		return nil, err
	}
	if !target.Status.Open() || target.Status == yaqaza.StatusResolved {
		return nil, yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d is %s: merge into an incident that is still open", id, target.Status)
	}
	return target, nil
}

// moveReports hands every report of a merged incident to the survivor, so
// that reporters follow the survivor on their tracking page.
func (s *IncidentService) moveReports(ctx context.Context, tx *sql.Tx, actor *yaqaza.Actor, now int64, from, to *yaqaza.Incident) error {
	if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE reports SET incident_id = ? WHERE incident_id = ?`), to.ID, from.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET report_count = report_count + ?, version = version + 1, updated_at = ? WHERE id = ?`),
		from.ReportCount, now, to.ID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET report_count = 0 WHERE id = ?`), from.ID); err != nil {
		return err
	}
	return s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: to.ID, zone: to.ZoneCode, otherID: from.ID, kind: yaqaza.EventIncidentMerged,
		detail: "incident " + strconv.FormatInt(from.ID, 10) + " merged in with " + strconv.Itoa(from.ReportCount) + " report(s)"})
}
