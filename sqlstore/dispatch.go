package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// Assign implements yaqaza.DispatchService.
func (s *UnitService) Assign(ctx context.Context, incidentID int64, in yaqaza.AssignInput) (*yaqaza.Incident, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActDispatch)
	if err != nil {
		return nil, err
	}
	if len(in.Units) == 0 || len(in.Units) > 20 {
		return nil, yaqaza.Invalidf("units", "assign between 1 and 20 units")
	}
	var out *yaqaza.Incident
	var moved []*yaqaza.Unit
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		inc, err := s.db.findIncident(ctx, tx, incidentID, true)
		if err != nil {
			return err
		}
		if _, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActDispatch, inc.ZoneCode); err != nil {
			return err
		}
		if !inc.Status.Open() || inc.Status == yaqaza.StatusResolved {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d is %s: units are sent to open incidents", incidentID, inc.Status)
		}
		now := toMillis(s.db.Now())
		var signs []string
		for _, id := range in.Units {
			u, err := s.db.findUnit(ctx, tx, id, true)
			if err != nil {
				return err
			}
			if u.IncidentID == incidentID {
				return yaqaza.Errorf(yaqaza.ECONFLICT, "unit %s is already on incident %d", u.CallSign, incidentID)
			}
			if u.IncidentID != 0 || u.Status != yaqaza.UnitAvailable {
				if !in.Reassign || u.IncidentID == 0 {
					return yaqaza.Errorf(yaqaza.ECONFLICT, "unit %s is %s, not available (reassign takes a unit off its incident)", u.CallSign, u.Status)
				}
				if err := s.takeOff(ctx, tx, actor, now, u, incidentID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO assignments (incident_id, unit_id, assigned_at, assigned_by) VALUES (?, ?, ?, ?)`),
				incidentID, u.ID, now, actor.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE units SET status = ?, status_since = ?, incident_id = ? WHERE id = ?`),
				yaqaza.UnitDispatched, now, incidentID, u.ID); err != nil {
				return err
			}
			if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: incidentID, unitID: u.ID, zone: inc.ZoneCode,
				kind: yaqaza.EventUnitAssigned, detail: u.CallSign + " assigned"}); err != nil {
				return err
			}
			signs = append(signs, u.CallSign)
		}
		// The incident is now the first unit's to move on.
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET owner = ?, version = version + 1, updated_at = ? WHERE id = ?`),
			"unit:"+signs[0], now, incidentID); err != nil {
			return err
		}
		if yaqaza.CanTransition(inc.Status, yaqaza.StatusDispatched) {
			if err := s.db.moveIncident(ctx, tx, actor, now, inc, yaqaza.StatusDispatched, "sent "+strings.Join(signs, ", ")); err != nil {
				return err
			}
		}
		for _, id := range in.Units {
			u, err := s.db.findUnit(ctx, tx, id, false)
			if err != nil {
				return err
			}
			moved = append(moved, u)
		}
		out, err = s.db.findIncident(ctx, tx, incidentID, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, u := range moved {
		s.index.Upsert(u)
	}
	if out.Assignments, err = s.db.findAssignments(ctx, s.db.read, incidentID); err != nil {
		return nil, err
	}
	return out, nil
}

// takeOff releases a unit from its current incident to send it elsewhere.
func (s *UnitService) takeOff(ctx context.Context, tx *sql.Tx, actor *yaqaza.Actor, now int64, u *yaqaza.Unit, to int64) error {
	old, err := s.db.findIncident(ctx, tx, u.IncidentID, true)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE assignments SET released = ? WHERE unit_id = ? AND incident_id = ? AND cleared_at IS NULL`),
		true, u.ID, old.ID); err != nil {
		return err
	}
	if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: old.ID, unitID: u.ID, zone: old.ZoneCode,
		kind: yaqaza.EventUnitReleased, detail: fmt.Sprintf("%s reassigned to incident %d", u.CallSign, to)}); err != nil {
		return err
	}
	var left int
	if err := tx.QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM assignments WHERE incident_id = ? AND cleared_at IS NULL AND released = ?`),
		old.ID, false).Scan(&left); err != nil {
		return err
	}
	if left == 0 {
		// Nobody is left on it: back to its desk, to be dispatched again.
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET owner = ?, version = version + 1, updated_at = ? WHERE id = ?`),
			ownerOf(old.ZoneCode), now, old.ID); err != nil {
			return err
		}
		if old.Status == yaqaza.StatusDispatched || old.Status == yaqaza.StatusEnRoute {
			return s.db.moveIncident(ctx, tx, actor, now, old, yaqaza.StatusTriaged, "no unit left: "+u.CallSign+" reassigned")
		}
	}
	return nil
}

func (db *DB) findAssignments(ctx context.Context, q querier, incidentID int64) ([]*yaqaza.Assignment, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT a.id, a.incident_id, a.unit_id, u.call_sign, a.assigned_at, a.assigned_by, a.en_route_at,
		a.on_scene_at, a.cleared_at, a.released FROM assignments a JOIN units u ON u.id = a.unit_id WHERE a.incident_id = ? ORDER BY a.id`), incidentID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*yaqaza.Assignment
	for rows.Next() {
		var a yaqaza.Assignment
		var assigned int64
		var enRoute, onScene, cleared sql.NullInt64
		if err := rows.Scan(&a.ID, &a.IncidentID, &a.UnitID, &a.CallSign, &assigned, &a.AssignedBy, &enRoute, &onScene, &cleared, &a.Released); err != nil {
			return nil, err
		}
		a.AssignedAt, a.EnRouteAt, a.OnSceneAt, a.ClearedAt = fromMillis(assigned), timePtr(enRoute), timePtr(onScene), timePtr(cleared)
		out = append(out, &a)
	}
	return out, rows.Err()
}
