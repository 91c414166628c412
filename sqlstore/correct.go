package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// CorrectTriage implements yaqaza.IncidentService.
func (s *IncidentService) CorrectTriage(ctx context.Context, id int64, c yaqaza.Correction) (*yaqaza.Incident, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActTriage)
	if err != nil {
		return nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	var out *yaqaza.Incident
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		inc, err := s.db.findIncident(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActTriage, inc.ZoneCode); err != nil {
			return err
		}
		if c.Zone != nil {
			if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActTriage, *c.Zone); err != nil {
				return err
			}
		}
		if c.Version != 0 && c.Version != inc.Version {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d was changed by someone else (it is at version %d, you had %d): reload it", id, inc.Version, c.Version)
		}
		if !inc.Status.Open() {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d is %s: its triage can no longer change", id, inc.Status)
		}
		var changes []string
		flags := inc.Flags
		category, zone, priority, priorityWhy, owner := inc.Category, inc.ZoneCode, inc.Priority, inc.PriorityReason, inc.Owner
		if c.Category != nil && *c.Category != inc.Category {
			if err := s.db.mustExist(ctx, tx, "categories", *c.Category, "category"); err != nil {
				return err
			}
			changes = append(changes, fmt.Sprintf("category %s → %s", orDash(inc.Category), *c.Category))
			category = *c.Category
			flags = without(flags, yaqaza.FlagCategoryUnsure)
		}
		if c.Zone != nil && *c.Zone != inc.ZoneCode {
			if *c.Zone != "" {
				if err := s.db.mustExist(ctx, tx, "zones", *c.Zone, "zone"); err != nil {
					return err
				}
			}
			changes = append(changes, fmt.Sprintf("zone %s → %s", orDash(inc.ZoneCode), orDash(*c.Zone)))
			zone = *c.Zone
			if strings.HasPrefix(owner, "desk:") {
				owner = ownerOf(zone) // the desk follows the zone; a unit or person keeps it
			}
			if zone != "" {
				flags = without(flags, yaqaza.FlagZoneUnknown)
			}
		}
		if c.Priority != nil && *c.Priority != inc.Priority {
			changes = append(changes, fmt.Sprintf("priority %s → %s", inc.Priority, *c.Priority))
			priority = *c.Priority
			priorityWhy = priority.String() + ": set by " + actor.Name
			if c.Reason != "" {
				priorityWhy += " (" + c.Reason + ")"
			}
		}
		if len(changes) == 0 {
			out = inc
			return nil
		}
		now := toMillis(s.db.Now())
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET category = ?, category_reason = ?, zone_code = ?, owner = ?,
			priority = ?, priority_reason = ?, flags = ?, version = version + 1, updated_at = ? WHERE id = ?`),
			category, categoryReason(category, inc, actor), nullString(zone), owner, int(priority), priorityWhy,
			strings.Join(flags, ","), now, id); err != nil {
			return err
		}
		if priority != inc.Priority {
			if err := s.db.replan(ctx, tx, id); err != nil {
				return err
			}
		}
		detail := strings.Join(changes, "; ")
		if c.Reason != "" {
			detail += " — " + c.Reason
		}
		if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: id, zone: zone, kind: yaqaza.EventTriageCorrected, detail: detail}); err != nil {
			return err
		}
		if category != inc.Category {
			// The texts are now labelled: the category model learns from them.
			if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO labelled_examples (model, label, text, source, report_id, actor_id, created_at)
				SELECT ?, ?, text, 'operator', id, ?, ? FROM reports WHERE incident_id = ?`), yaqaza.ModelCategory, category, actor.ID, now, id); err != nil {
				return err
			}
		}
		out, err = s.db.findIncident(ctx, tx, id, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.db.clusterer != nil {
		s.db.clusterer.Correct(id, out.Category, out.ZoneCode)
	}
	return out, nil
}

func categoryReason(category string, inc *yaqaza.Incident, actor *yaqaza.Actor) string {
	if category == inc.Category {
		return inc.CategoryReason
	}
	return "set by " + actor.Name
}

func (db *DB) mustExist(ctx context.Context, tx *sql.Tx, table, code, field string) error {
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT count(*) FROM `+table+` WHERE code = ?`), code).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return yaqaza.Invalidf(field, "%s %q is not one of the jurisdiction's", field, code)
	}
	return nil
}

func without(flags []string, f string) []string {
	var out []string
	for _, x := range flags {
		if x != f {
			out = append(out, x)
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// SplitReport implements yaqaza.IncidentService.
func (s *IncidentService) SplitReport(ctx context.Context, reportID int64, reason string) (*yaqaza.Incident, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActTriage)
	if err != nil {
		return nil, err
	}
	if len(reason) > 2000 {
		return nil, yaqaza.Invalidf("reason", "reason is limited to 2000 bytes")
	}
	var out *yaqaza.Incident
	var from int64
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		reps, err := s.db.findReports(ctx, tx, `r.id = ?`, reportID)
		if err != nil {
			return err
		}
		if len(reps) == 0 {
			return yaqaza.Errorf(yaqaza.ENOTFOUND, "report %d not found", reportID)
		}
		rep := reps[0]
		from = rep.IncidentID
		inc, err := s.db.findIncident(ctx, tx, from, true)
		if err != nil {
			return err
		}
		if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActTriage, inc.ZoneCode); err != nil {
			return err
		}
		if !inc.Status.Open() {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d is %s: its reports can no longer move", from, inc.Status)
		}
		if inc.ReportCount < 2 {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "report %d is the only report of incident %d: there is nothing to split from", reportID, from)
		}
		// The new incident starts from the report's own triage.
		category, zone, priority, why := inc.Category, inc.ZoneCode, inc.Priority, inc.PriorityReason
		var lat, lon sql.NullFloat64
		if a := rep.Assessment; a != nil {
			category, zone, priority, why = a.Category, a.ZoneCode, a.Priority, a.PriorityWhy
			lat, lon = pointColumns(a.Location)
		}
		if !priority.Valid() {
			priority = yaqaza.P3
		}
		ids, err := s.db.allocateIDs(ctx, tx, "incidents", 1)
		if err != nil {
			return err
		}
		now := toMillis(s.db.Now())
		newID := ids[0]
		if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO incidents (id, status, category, priority, priority_reason, category_reason,
			zone_code, lat, lon, summary, owner, report_count, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?)`), newID, yaqaza.StatusNew, category, int(priority), why,
			"split from incident "+itoa(from), nullString(zone), lat, lon, summarise(rep.Text), ownerOf(zone), now, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE reports SET incident_id = ? WHERE id = ?`), newID, reportID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET report_count = report_count - 1, version = version + 1, updated_at = ? WHERE id = ?`), now, from); err != nil {
			return err
		}
		detail := "report " + itoa(reportID) + " split out"
		if reason != "" {
			detail += ": " + reason
		}
		for _, e := range []timelineEntry{
			{incidentID: from, zone: inc.ZoneCode, reportID: reportID, otherID: newID, kind: yaqaza.EventReportMoved, detail: detail + " into incident " + itoa(newID)},
			{incidentID: newID, zone: zone, reportID: reportID, otherID: from, kind: yaqaza.EventIncidentCreated, to: yaqaza.StatusNew, detail: detail + " of incident " + itoa(from)},
		} {
			if err := s.db.addTimeline(ctx, tx, actor, now, e); err != nil {
				return err
			}
		}
		if err := s.db.replan(ctx, tx, newID); err != nil {
			return err
		}
		out, err = s.db.findIncident(ctx, tx, newID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	if err := s.db.reclusterIncidents(ctx, from, out.ID); err != nil {
		return nil, err
	}
	return out, nil
}
