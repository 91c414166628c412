package sqlstore

import (
	"context"
	"database/sql"

	"github.com/yaqaza/yaqaza"
)

// releaseUnits takes every unit still on an incident off it: cleared when
// the incident is resolved, released when it ends otherwise. The units
// become available and the incident's owner goes back to its desk. It
// returns the units it freed, for the caller to tell the fleet index once
// the transaction has committed.
func (db *DB) releaseUnits(ctx context.Context, tx *sql.Tx, actor *yaqaza.Actor, now int64, inc *yaqaza.Incident, cleared bool) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, db.q(`SELECT a.id, a.unit_id, u.call_sign FROM assignments a JOIN units u ON u.id = a.unit_id
		WHERE a.incident_id = ? AND a.cleared_at IS NULL AND a.released = ?`), inc.ID, false)
	if err != nil {
		return nil, err
	}
	type active struct {
		id, unit int64
		sign     string
	}
	var list []active
	for rows.Next() {
		var a active
		if err := rows.Scan(&a.id, &a.unit, &a.sign); err != nil {
			rows.Close()
			return nil, err
		}
		list = append(list, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, a := range list {
		if cleared {
			_, err = tx.ExecContext(ctx, db.q(`UPDATE assignments SET cleared_at = ? WHERE id = ?`), now, a.id)
		} else {
			_, err = tx.ExecContext(ctx, db.q(`UPDATE assignments SET released = ? WHERE id = ?`), true, a.id)
		}
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE units SET status = ?, status_since = ?, incident_id = NULL WHERE id = ? AND incident_id = ?`),
			yaqaza.UnitAvailable, now, a.unit, inc.ID); err != nil {
			return nil, err
		}
		what := "released"
		if cleared {
			what = "cleared"
		}
		if err := db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: inc.ID, unitID: a.unit, zone: inc.ZoneCode,
			kind: yaqaza.EventUnitReleased, detail: a.sign + " " + what}); err != nil {
			return nil, err
		}
	}
	if len(list) == 0 {
		return nil, nil
	}
	if _, err := tx.ExecContext(ctx, db.q(`UPDATE incidents SET owner = ? WHERE id = ?`), ownerOf(inc.ZoneCode), inc.ID); err != nil {
		return nil, err
	}
	ids := make([]int64, len(list))
	for i, a := range list {
		ids[i] = a.unit
	}
	return ids, nil
}

// unitsChanged tells the fleet index of this node, if there is one, that
// a committed transaction changed these units behind its back.
func (db *DB) unitsChanged(ctx context.Context, ids []int64) {
	if f := db.onUnitsChanged.Load(); f != nil && len(ids) > 0 {
		(*f)(ctx, ids)
	}
}
