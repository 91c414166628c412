package followup

import (
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

var t0 = time.Date(2026, 3, 14, 21, 0, 0, 0, time.UTC)

func TestDefaultSLAIsValid(t *testing.T) {
	if err := DefaultSLA().Validate(); err != nil {
		t.Fatal(err)
	}
}

func TestPlanWalksTheStages(t *testing.T) {
	p := DefaultSLA()
	s := State{Priority: yaqaza.P1, Status: yaqaza.StatusNew, CreatedAt: t0}
	cases := []struct {
		status   yaqaza.Status
		informed bool
		stage    yaqaza.Stage
		due      time.Duration
	}{
		{yaqaza.StatusNew, false, yaqaza.StageAcknowledged, time.Minute},
		{yaqaza.StatusTriaged, false, yaqaza.StageDispatched, 3 * time.Minute},
		{yaqaza.StatusDispatched, false, yaqaza.StageOnScene, 15 * time.Minute},
		{yaqaza.StatusEnRoute, false, yaqaza.StageOnScene, 15 * time.Minute},
		{yaqaza.StatusOnScene, false, yaqaza.StageResolved, 2 * time.Hour},
		{yaqaza.StatusResolved, false, yaqaza.StageInformed, 24 * time.Hour},
		{yaqaza.StatusCancelled, false, yaqaza.StageInformed, 24 * time.Hour},
		{yaqaza.StatusResolved, true, "", 0},
		{yaqaza.StatusClosed, true, "", 0},
	}
	for _, c := range cases {
		s.Status, s.Informed = c.status, c.informed
		plan := Next(p, s)
		if plan.Stage != c.stage || c.stage != "" && !plan.Due.Equal(t0.Add(c.due)) {
			t.Errorf("%s informed=%v: %+v, want %s due +%s", c.status, c.informed, plan, c.stage, c.due)
		}
		if c.stage == "" && plan.Timer != nil {
			t.Errorf("%s: a timer although nothing is owed", c.status)
		}
	}
}

func TestEscalationClimbsOnceAPerLevel(t *testing.T) {
	p := DefaultSLA()
	plan := Next(p, State{Priority: yaqaza.P2, Status: yaqaza.StatusTriaged, CreatedAt: t0})
	if plan.Stage != yaqaza.StageDispatched || !plan.Timer.Equal(t0.Add(10*time.Minute)) {
		t.Fatalf("plan %+v", plan)
	}
	if _, up := Escalate(p, plan, t0.Add(9*time.Minute)); up {
		t.Fatal("escalated before the deadline")
	}
	plan, up := Escalate(p, plan, t0.Add(10*time.Minute))
	if !up || plan.Level != yaqaza.LevelDistrictHead || !plan.Timer.Equal(t0.Add(25*time.Minute)) {
		t.Fatalf("first escalation: %+v %v", plan, up)
	}
	if _, up := Escalate(p, plan, t0.Add(20*time.Minute)); up {
		t.Fatal("climbed to the command before escalate_after")
	}
	plan, up = Escalate(p, plan, t0.Add(40*time.Minute))
	if !up || plan.Level != yaqaza.LevelCommand || plan.Timer != nil {
		t.Fatalf("second escalation: %+v %v", plan, up)
	}
	if _, up := Escalate(p, plan, t0.Add(5*time.Hour)); up {
		t.Fatal("climbed past the command")
	}
	// Reaching the stage starts the next one at the desk.
	next := Next(p, State{Priority: yaqaza.P2, Status: yaqaza.StatusDispatched, CreatedAt: t0, Stage: plan.Stage, Level: plan.Level})
	if next.Stage != yaqaza.StageOnScene || next.Level != yaqaza.LevelDesk {
		t.Fatalf("after dispatch: %+v", next)
	}
	// The same stage keeps its level when planned again (a priority change).
	same := Next(p, State{Priority: yaqaza.P1, Status: yaqaza.StatusTriaged, CreatedAt: t0, Stage: yaqaza.StageDispatched, Level: 1})
	if same.Level != 1 || !same.Due.Equal(t0.Add(3*time.Minute)) {
		t.Fatalf("replanned: %+v", same)
	}
}

func TestSLAPolicyValidation(t *testing.T) {
	bad := []func(p *yaqaza.SLAPolicy){
		func(p *yaqaza.SLAPolicy) { p.Deadlines[yaqaza.P1][yaqaza.StageOnScene] = yaqaza.Duration(-time.Minute) },
		func(p *yaqaza.SLAPolicy) { delete(p.Deadlines, yaqaza.P3) },
		func(p *yaqaza.SLAPolicy) { delete(p.Deadlines[yaqaza.P2], yaqaza.StageInformed) },
		func(p *yaqaza.SLAPolicy) {
			p.Deadlines[yaqaza.P1][yaqaza.StageDispatched] = yaqaza.Duration(time.Hour * 5)
		},
		func(p *yaqaza.SLAPolicy) { p.Deadlines[yaqaza.P1]["lunch"] = yaqaza.Duration(time.Hour) },
		func(p *yaqaza.SLAPolicy) { p.EscalateAfter = 0 },
	}
	for i, f := range bad {
		p := DefaultSLA()
		f(p)
		if err := p.Validate(); yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			t.Errorf("case %d: %v", i, err)
		}
	}
}
