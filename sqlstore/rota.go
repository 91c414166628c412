package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The rota job: a unit whose watch has ended is stood down (off duty) and a
// unit whose watch has begun is stood up (available), so that
// recommendations and auto-dispatch only ever offer units at work.
//
// A move is made only if nobody moved the unit since the watch changed: a
// unit a dispatcher kept on after its watch (overtime) or stood down during
// its watch (sick, vehicle broken) stays as they left it. A unit busy on an
// incident is never touched; when it clears after its watch it stays
// available until the next watch change or a dispatcher stands it down.
// The rule needs no state of its own, so any number of nodes may run the
// job: each move is a conditional update, made once whoever gets to it.

// ApplyRota makes the moves the pack's rota calls for at now and returns
// how many units it moved. Without a rota it does nothing.
func (s *UnitService) ApplyRota(ctx context.Context, now time.Time) (int, error) {
	rota, loc, err := s.db.rota(ctx)
	if err != nil || rota == nil {
		return 0, err
	}
	units, err := s.db.findUnits(ctx, s.db.read, "u.shift <> ''")
	if err != nil {
		return 0, err
	}
	actor := yaqaza.System("rota")
	moved := 0
	for _, u := range units {
		st, ok := rota.State(u.Shift, now, loc)
		if !ok || !u.StatusSince.Before(st.Since) {
			continue
		}
		var to yaqaza.UnitStatus
		var why string
		switch {
		case !st.On && (u.Status == yaqaza.UnitAvailable || u.Status == yaqaza.UnitBusy):
			to, why = yaqaza.UnitOffDuty, "watch "+u.Shift+" ended at "+st.Since.In(loc).Format("15:04")
		case st.On && u.Status == yaqaza.UnitOffDuty:
			to, why = yaqaza.UnitAvailable, "watch "+u.Shift+" began at "+st.Since.In(loc).Format("15:04")
		default:
			continue
		}
		done, err := s.rotaMove(ctx, actor, u, to, why)
		if err != nil {
			return moved, err
		}
		if done {
			moved++
		}
	}
	return moved, nil
}

// rotaMove moves u to status to if it is still as read; false when someone
// moved it in between.
func (s *UnitService) rotaMove(ctx context.Context, actor *yaqaza.Actor, u *yaqaza.Unit, to yaqaza.UnitStatus, why string) (bool, error) {
	var since int64
	if !u.StatusSince.IsZero() {
		since = toMillis(u.StatusSince)
	}
	moved := false
	var out *yaqaza.Unit
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		now := toMillis(s.db.Now())
		res, err := tx.ExecContext(ctx, s.db.q(`UPDATE units SET status = ?, status_since = ?
			WHERE id = ? AND status = ? AND status_since = ? AND incident_id IS NULL`), to, now, u.ID, u.Status, since)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		moved = true
		if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{unitID: u.ID, zone: u.HomeZone,
			kind: yaqaza.EventUnitStatus, detail: u.CallSign + " " + string(u.Status) + " → " + string(to) + ": " + why}); err != nil {
			return err
		}
		out, err = s.db.findUnit(ctx, tx, u.ID, false)
		return err
	})
	if err != nil || !moved {
		return false, err
	}
	s.index.Upsert(out)
	return true, nil
}

// rota reads the loaded pack's rota and time zone; a nil rota when the pack
// has none.
func (db *DB) rota(ctx context.Context) (*yaqaza.WatchRota, *time.Location, error) {
	h, err := db.packHead(ctx)
	if err != nil || h == nil || h.Watches == nil {
		return nil, nil, err
	}
	loc := time.UTC
	if h.Timezone != "" {
		if loc, err = time.LoadLocation(h.Timezone); err != nil {
			return nil, nil, err
		}
	}
	return h.Watches, loc, nil
}
