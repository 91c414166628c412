package yaqaza

import (
	"encoding/json"
	"fmt"
	"time"
)

// Stage is a step of an incident's handling that has a deadline.
type Stage string

const (
	StageAcknowledged Stage = "acknowledged" // an operator has taken it in (triaged or further)
	StageDispatched   Stage = "dispatched"   // a unit is assigned
	StageOnScene      Stage = "on_scene"     // a unit is there
	StageResolved     Stage = "resolved"     // the event is dealt with
	StageInformed     Stage = "informed"     // the reporters have been told
)

// Stages lists the stages in the order they are reached.
var Stages = []Stage{StageAcknowledged, StageDispatched, StageOnScene, StageResolved, StageInformed}

// Duration is a time.Duration written "15m" in JSON.
type Duration time.Duration

func (d Duration) MarshalJSON() ([]byte, error) { return json.Marshal(time.Duration(d).String()) }

func (d *Duration) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Invalidf("sla", "a duration is a string such as \"15m\" or \"2h30m\"")
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return Invalidf("sla", "%q is not a duration such as \"15m\" or \"2h30m\"", s)
	}
	*d = Duration(v)
	return nil
}

// SLAPolicy sets, for each priority, how long after an incident is opened
// each stage must be reached, and how escalation climbs when one is not.
type SLAPolicy struct {
	Deadlines map[Priority]map[Stage]Duration `json:"deadlines"`
	// EscalateAfter is how long a missed deadline stays with the district
	// head before it goes up to the prefecture command.
	EscalateAfter Duration `json:"escalate_after"`
}

// Validate checks that every priority has a positive deadline for every
// stage, in the order stages are reached.
func (p *SLAPolicy) Validate() error {
	if p == nil {
		return Invalidf("sla", "an SLA policy is required")
	}
	for _, pr := range []Priority{P1, P2, P3, P4} {
		d, ok := p.Deadlines[pr]
		if !ok {
			return Invalidf("sla", "the SLA policy has no deadlines for %s", pr)
		}
		prev := Duration(0)
		for _, st := range Stages {
			v, ok := d[st]
			if !ok {
				return Invalidf("sla", "%s has no deadline for the stage %s", pr, st)
			}
			if v <= 0 {
				return Invalidf("sla", "%s %s: a deadline must be positive, got %s", pr, st, time.Duration(v))
			}
			if v < prev {
				return Invalidf("sla", "%s %s: the deadline (%s) comes before the previous stage's (%s)", pr, st, time.Duration(v), time.Duration(prev))
			}
			prev = v
		}
		for st := range d {
			if !st.Valid() {
				return Invalidf("sla", "%s: unknown stage %q", pr, st)
			}
		}
	}
	for pr := range p.Deadlines {
		if !pr.Valid() {
			return Invalidf("sla", "unknown priority %v", pr)
		}
	}
	if p.EscalateAfter <= 0 {
		return Invalidf("sla", "escalate_after must be positive")
	}
	return nil
}

// Valid reports whether s is a known stage.
func (s Stage) Valid() bool {
	for _, k := range Stages {
		if s == k {
			return true
		}
	}
	return false
}

// Due returns when stage s of an incident of priority p opened at opened is due.
func (p *SLAPolicy) Due(pr Priority, s Stage, opened time.Time) time.Time {
	return opened.Add(time.Duration(p.Deadlines[pr][s]))
}

// Reached reports the stages an incident in status st has reached. informed
// is reported by the caller, who knows whether the reporters were told.
func Reached(st Status, s Stage) bool {
	order := map[Status]int{StatusNew: 0, StatusTriaged: 1, StatusDispatched: 2, StatusEnRoute: 2, StatusOnScene: 3,
		StatusResolved: 4, StatusClosed: 4}
	need := map[Stage]int{StageAcknowledged: 1, StageDispatched: 2, StageOnScene: 3, StageResolved: 4, StageInformed: 5}
	if st.Final() && st != StatusClosed {
		return true // merged, referred, cancelled: nothing more is owed but telling
	}
	return order[st] >= need[s]
}

// Escalation levels.
const (
	LevelDesk         = 0 // the dispatcher desk that owns it
	LevelDistrictHead = 1
	LevelCommand      = 2
)

// LevelName names an escalation level.
func LevelName(l int) string {
	switch l {
	case LevelDistrictHead:
		return "district head"
	case LevelCommand:
		return "prefecture command"
	}
	return "dispatcher desk"
}

// MarshalText lets priorities be JSON object keys ("P1").
func (p Priority) MarshalText() ([]byte, error) {
	if !p.Valid() {
		return nil, fmt.Errorf("invalid priority %d", int(p))
	}
	return []byte(p.String()), nil
}

// UnmarshalText reads "P1".."P4".
func (p *Priority) UnmarshalText(b []byte) error {
	v, err := ParsePriority(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}
