// Package followup keeps every open incident moving: it knows which stage
// an incident must reach next and by when, climbs the escalation chain
// (dispatcher desk → district head → prefecture command) when a deadline
// passes, and runs the workers that fire those timers and deliver
// notifications. Timers are data in the store, not sleeping goroutines:
// they survive restarts and fire once, whichever node gets to them.
package followup

import (
	"time"

	"github.com/yaqaza/yaqaza"
)

// DefaultSLA is the policy a jurisdiction starts with: P1 answered in a
// minute and on scene in a quarter of an hour, P4 within days.
func DefaultSLA() *yaqaza.SLAPolicy {
	d := func(s string) yaqaza.Duration {
		v, err := time.ParseDuration(s)
		if err != nil {
			panic(err)
		}
		return yaqaza.Duration(v)
	}
	row := func(ack, disp, scene, res, inf string) map[yaqaza.Stage]yaqaza.Duration {
		return map[yaqaza.Stage]yaqaza.Duration{yaqaza.StageAcknowledged: d(ack), yaqaza.StageDispatched: d(disp),
			yaqaza.StageOnScene: d(scene), yaqaza.StageResolved: d(res), yaqaza.StageInformed: d(inf)}
	}
	return &yaqaza.SLAPolicy{
		Deadlines: map[yaqaza.Priority]map[yaqaza.Stage]yaqaza.Duration{
			yaqaza.P1: row("1m", "3m", "15m", "2h", "24h"),
			yaqaza.P2: row("3m", "10m", "30m", "4h", "48h"),
			yaqaza.P3: row("10m", "30m", "2h", "24h", "72h"),
			yaqaza.P4: row("30m", "4h", "24h", "72h", "168h"),
		},
		EscalateAfter: d("15m"),
	}
}

// State is what planning an incident's follow-up depends on.
type State struct {
	Priority  yaqaza.Priority
	Status    yaqaza.Status
	CreatedAt time.Time
	Informed  bool // its reporters have been told how it ended
	// Stage and Level are the deadline and escalation level planned last.
	Stage yaqaza.Stage
	Level int
}

// Plan is an incident's next deadline and when its timer fires.
type Plan struct {
	// Stage is the next stage the incident must reach; "" when nothing is owed.
	Stage yaqaza.Stage
	Due   time.Time
	Level int
	// Timer is when the follow-up worker must act (escalate); nil when it
	// has nothing more to do for this stage (at the top of the chain).
	Timer *time.Time
}

// Followed reports whether an incident in this state still owes something:
// it is open, or it is over but its reporters have not been told.
func Followed(st yaqaza.Status, informed bool) bool {
	if st.Open() && st != yaqaza.StatusResolved {
		return true
	}
	return !informed
}

// Next plans an incident's follow-up: the first stage it has not reached,
// due as the policy says from its opening; the escalation level stays while
// the stage stays, and starts again at the desk for a new stage.
func Next(p *yaqaza.SLAPolicy, s State) Plan {
	if !Followed(s.Status, s.Informed) {
		return Plan{}
	}
	stage := yaqaza.StageInformed
	for _, st := range yaqaza.Stages {
		if st == yaqaza.StageInformed {
			break
		}
		if s.Status.Final() {
			break // cancelled, referred, merged: only telling is owed
		}
		if !yaqaza.Reached(s.Status, st) {
			stage = st
			break
		}
	}
	pr := s.Priority
	if !pr.Valid() {
		pr = yaqaza.P4
	}
	plan := Plan{Stage: stage, Due: p.Due(pr, stage, s.CreatedAt)}
	if stage == s.Stage {
		plan.Level = s.Level
	}
	plan.Timer = timer(p, plan)
	return plan
}

// timer is when the plan's deadline next calls for escalation.
func timer(p *yaqaza.SLAPolicy, plan Plan) *time.Time {
	var t time.Time
	switch plan.Level {
	case yaqaza.LevelDesk:
		t = plan.Due
	case yaqaza.LevelDistrictHead:
		t = plan.Due.Add(time.Duration(p.EscalateAfter))
	default:
		return nil
	}
	return &t
}

// Escalate climbs one level when the timer has passed, and returns the new
// plan and whether it climbed.
func Escalate(p *yaqaza.SLAPolicy, plan Plan, now time.Time) (Plan, bool) {
	if plan.Timer == nil || now.Before(*plan.Timer) {
		return plan, false
	}
	plan.Level++
	plan.Timer = timer(p, plan)
	return plan, true
}

// RecipientRole is who is told at an escalation level.
func RecipientRole(level int) yaqaza.Role {
	if level >= yaqaza.LevelCommand {
		return yaqaza.RoleCommand
	}
	return yaqaza.RoleDistrictHead
}
