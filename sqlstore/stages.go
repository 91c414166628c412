package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// stageColumns are the incidents' columns that record when each response
// stage was first reached (ms), in yaqaza.ResponseStages order. They are
// written with the event that reaches the stage, so that the dashboard
// reads response times from the incidents alone.
var stageColumns = [4]string{"acknowledged_at", "dispatched_at", "on_scene_at", "resolved_at"}

// The statuses that reach each response stage, in yaqaza.ResponseStages
// order. Moves to cancelled, referred or merged are not a response: an
// incident closed at intake as not a police matter was not "acknowledged"
// in no time. Assignments reach dispatched too, and a unit's arrival on
// scene reaches on scene.
var stageStatuses = [4][]yaqaza.Status{
	{yaqaza.StatusTriaged, yaqaza.StatusDispatched, yaqaza.StatusEnRoute, yaqaza.StatusOnScene, yaqaza.StatusResolved, yaqaza.StatusClosed},
	{yaqaza.StatusDispatched, yaqaza.StatusEnRoute, yaqaza.StatusOnScene},
	{yaqaza.StatusOnScene},
	{yaqaza.StatusResolved, yaqaza.StatusClosed},
}

const (
	stageDispatched = 1
	stageOnScene    = 2
)

// reachStages records, for the incident of an event, the stages the event
// reaches, unless they were reached before.
func (db *DB) reachStages(ctx context.Context, tx *sql.Tx, e timelineEntry, at int64) error {
	if e.incidentID == 0 {
		return nil
	}
	var stages []int
	switch e.kind {
	case yaqaza.EventStatusChanged:
		for stage, statuses := range stageStatuses {
			for _, st := range statuses {
				if st == e.to {
					stages = append(stages, stage)
				}
			}
		}
	case yaqaza.EventUnitAssigned:
		stages = []int{stageDispatched}
	}
	return db.reach(ctx, tx, e.incidentID, at, stages...)
}

// reach sets the stages' times of an incident where they are not set yet.
func (db *DB) reach(ctx context.Context, tx *sql.Tx, incidentID, at int64, stages ...int) error {
	if len(stages) == 0 {
		return nil
	}
	set := make([]string, len(stages))
	args := make([]any, 0, len(stages)+1)
	for i, st := range stages {
		set[i] = stageColumns[st] + " = coalesce(" + stageColumns[st] + ", ?)"
		args = append(args, at)
	}
	_, err := tx.ExecContext(ctx, db.q(`UPDATE incidents SET `+strings.Join(set, ", ")+` WHERE id = ?`), append(args, incidentID)...)
	return err
}
