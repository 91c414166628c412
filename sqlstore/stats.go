package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Stats implements yaqaza.IncidentService: the indicators the command
// reads at its daily meeting, for the caller's zones.
func (s *IncidentService) Stats(ctx context.Context) (*yaqaza.Stats, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadStats)
	if err != nil {
		return nil, err
	}
	now := s.db.Now()
	where, args := "1 = 1", []any{}
	if !actor.Prefecture() {
		where = "zone_code IN (" + placeholders(len(actor.Zones)) + ")"
		for _, z := range actor.Zones {
			args = append(args, z)
		}
	}
	st := &yaqaza.Stats{At: now, ByStatus: map[yaqaza.Status]int{}, OpenByZone: map[string]int{}, OpenByPriority: map[string]int{}}
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT status, coalesce(zone_code, ''), priority,
		count(*), sum(CASE WHEN deadline_at IS NOT NULL AND deadline_at < ? THEN 1 ELSE 0 END)
		FROM incidents WHERE `+where+` GROUP BY status, zone_code, priority`), append([]any{toMillis(now)}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var status yaqaza.Status
		var zone string
		var p, n, late int
		if err := rows.Scan(&status, &zone, &p, &n, &late); err != nil {
			return nil, err
		}
		st.ByStatus[status] += n
		if status.Open() && status != yaqaza.StatusResolved {
			st.Open += n
			st.OpenByZone[zone] += n
			st.OpenByPriority[yaqaza.Priority(p).String()] += n
			st.Late += late
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if actor.Prefecture() { // dropped posts are not in a zone
		days, err := s.db.DroppedPosts(ctx, now.AddDate(0, 0, -6), now)
		if err != nil {
			return nil, err
		}
		for _, byChannel := range days {
			for _, n := range byChannel {
				st.DroppedPosts7d += n
			}
		}
	}
	return st, nil
}

// maxExport caps one export: beyond it, narrow the filter.
const maxExport = 100000

// ExportIncidents implements yaqaza.IncidentService: every incident the
// filter matches, shaped to the caller's view, and a line in the audit
// trail saying who took what.
func (s *IncidentService) ExportIncidents(ctx context.Context, f yaqaza.IncidentFilter) ([]*yaqaza.Incident, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActExport)
	if err != nil {
		return nil, err
	}
	f.Cursor, f.Limit = "", maxPageSize
	var out []*yaqaza.Incident
	for {
		page, err := s.FindIncidents(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Incidents...)
		if len(out) > maxExport {
			return nil, yaqaza.Errorf(yaqaza.ETOOLARGE, "more than %d incidents match: narrow the time range or the zones", maxExport)
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	detail := describeFilter(f)
	if err := s.db.auditAlone(ctx, auditOf(ctx, actor, "data.export", "incidents", strings.Join(f.Zones, ","),
		detail+" — "+itoa(int64(len(out)))+" incidents, "+actor.View().String())); err != nil {
		return nil, err
	}
	return out, nil
}

func describeFilter(f yaqaza.IncidentFilter) string {
	var parts []string
	if f.From != nil {
		parts = append(parts, "from "+f.From.UTC().Format(time.RFC3339))
	}
	if f.To != nil {
		parts = append(parts, "to "+f.To.UTC().Format(time.RFC3339))
	}
	if f.Category != "" {
		parts = append(parts, "category "+f.Category)
	}
	if len(parts) == 0 {
		return "all incidents"
	}
	return strings.Join(parts, ", ")
}

// ExportIncident implements yaqaza.IncidentService.
func (s *IncidentService) ExportIncident(ctx context.Context, id int64, format string) (*yaqaza.Incident, error) {
	inc, err := s.FindIncidentByID(ctx, id)
	if err != nil {
		return nil, err
	}
	actor := yaqaza.ActorFromContext(ctx)
	if err := s.db.auditAlone(ctx, auditOf(ctx, actor, "data.export", object("incident", id), inc.ZoneCode,
		format+" — "+actor.View().String())); err != nil {
		return nil, err
	}
	return inc, nil
}
