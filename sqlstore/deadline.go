package sqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/followup"
)

// SetSLA sets the policy that plans incidents' deadlines from now on.
func (db *DB) SetSLA(p *yaqaza.SLAPolicy) { db.sla.Store(p) }

// SLA is the policy in force.
func (db *DB) SLA() *yaqaza.SLAPolicy {
	if p := db.sla.Load(); p != nil {
		return p
	}
	return followup.DefaultSLA()
}

func (db *DB) plan(s followup.State) followup.Plan { return followup.Next(db.SLA(), s) }

func planDue(p followup.Plan) sql.NullInt64 {
	if p.Stage == "" {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toMillis(p.Due), Valid: true}
}

// replan sets an incident's next deadline after a change, in the change's
// transaction: the stage it must reach next, by when, the escalation level
// (kept while the stage stays the same) and the follow-up timer.
func (db *DB) replan(ctx context.Context, tx *sql.Tx, id int64) error {
	var st followup.State
	var priority, level int
	var created int64
	var stage sql.NullString
	var informed sql.NullInt64
	err := tx.QueryRowContext(ctx, db.q(`SELECT priority, status, created_at, informed_at, deadline_stage, escalation_level
		FROM incidents WHERE id = ?`), id).Scan(&priority, &st.Status, &created, &informed, &stage, &level)
	if err != nil {
		return err
	}
	st.Priority, st.CreatedAt, st.Informed = yaqaza.Priority(priority), fromMillis(created), informed.Valid
	st.Stage, st.Level = yaqaza.Stage(stage.String), level
	plan := db.plan(st)
	_, err = tx.ExecContext(ctx, db.q(`UPDATE incidents SET deadline_stage = ?, deadline_at = ?, escalation_level = ?, timer_at = ? WHERE id = ?`),
		nullString(string(plan.Stage)), planDue(plan), plan.Level, nullMillis(plan.Timer), id)
	return err
}

// NextTimer returns when the earliest follow-up timer fires, if any: the
// worker sleeps until then (or until something changes).
func (db *DB) NextTimer(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := db.read.QueryRowContext(ctx, `SELECT min(timer_at) FROM incidents WHERE timer_at IS NOT NULL`).Scan(&at)
	if err != nil || !at.Valid {
		return time.Time{}, false, err
	}
	return fromMillis(at.Int64), true, nil
}
