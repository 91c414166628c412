package yaqaza

import (
	"context"
	"time"
)

// UnitStatus is what a unit is doing.
type UnitStatus string

const (
	UnitAvailable  UnitStatus = "available"
	UnitDispatched UnitStatus = "dispatched" // assigned, not yet moving
	UnitEnRoute    UnitStatus = "en_route"
	UnitOnScene    UnitStatus = "on_scene"
	UnitBusy       UnitStatus = "busy" // unavailable for another reason (a report to write, a break)
	UnitOffDuty    UnitStatus = "off_duty"
)

// UnitStatuses lists every unit status.
var UnitStatuses = []UnitStatus{UnitAvailable, UnitDispatched, UnitEnRoute, UnitOnScene, UnitBusy, UnitOffDuty}

// Valid reports whether s is a known unit status.
func (s UnitStatus) Valid() bool {
	for _, k := range UnitStatuses {
		if s == k {
			return true
		}
	}
	return false
}

// Unit is a team that can be sent: a patrol car, a motorbike unit, an
// anti-gang brigade team, judicial police, traffic, community police.
type Unit struct {
	ID           int64    `json:"id"`
	CallSign     string   `json:"call_sign"`
	Kind         string   `json:"kind"`
	Capabilities []string `json:"capabilities,omitempty"`
	HomeZone     string   `json:"home_zone,omitempty"`
	// Shift names the watch the unit works ("A", "B", "C", "D"), if any.
	Shift string `json:"shift,omitempty"`

	Status      UnitStatus `json:"status,omitempty"`
	StatusSince time.Time  `json:"status_since,omitempty"`
	Position    *Point     `json:"position,omitempty"`
	PositionAt  *time.Time `json:"position_at,omitempty"`
	// IncidentID is the incident the unit is assigned to, if any.
	IncidentID int64 `json:"incident_id,omitempty"`
}

// DispatchPolicy is how a jurisdiction picks and moves units.
type DispatchPolicy struct {
	// RoadFactor turns straight-line distance into road distance (about 1.3
	// in a dense old city).
	RoadFactor float64 `json:"road_factor"`
	// SpeedKmh is the average speed of each kind of unit in town.
	SpeedKmh map[string]float64 `json:"speed_kmh"`
	// Needs gives, by category, the capabilities a unit must have (all of
	// them), and Prefers the unit kinds that answer it best, best first.
	Needs   map[string][]string `json:"needs,omitempty"`
	Prefers map[string][]string `json:"prefers,omitempty"`
	// AutoDispatch lists the priorities whose incidents get the first
	// recommended unit without waiting for a dispatcher ("P1").
	AutoDispatch []Priority `json:"auto_dispatch,omitempty"`
}

// Recommendation is a unit proposed for an incident, with why.
type Recommendation struct {
	Unit       *Unit    `json:"unit"`
	DistanceM  float64  `json:"distance_m"`
	ETASeconds float64  `json:"eta_s"`
	Reasons    []string `json:"reasons"`
}

// Assignment is a unit sent to an incident and the times of its stages.
type Assignment struct {
	ID         int64      `json:"id"`
	IncidentID int64      `json:"incident_id"`
	UnitID     int64      `json:"unit_id"`
	CallSign   string     `json:"call_sign"`
	AssignedAt time.Time  `json:"assigned_at"`
	AssignedBy string     `json:"assigned_by"`
	EnRouteAt  *time.Time `json:"en_route_at,omitempty"`
	OnSceneAt  *time.Time `json:"on_scene_at,omitempty"`
	ClearedAt  *time.Time `json:"cleared_at,omitempty"`
	// Released is set when the unit was taken off the incident before it
	// cleared it (reassigned elsewhere, or the incident cancelled).
	Released bool `json:"released,omitempty"`
}

// Outcomes an incident closes with.
const (
	OutcomeArrest          = "arrest"
	OutcomeResolvedOnScene = "resolved_on_scene"
	OutcomeReportFiled     = "report_filed"
	OutcomeReferred        = "referred"
	OutcomeUnfounded       = "unfounded"
	OutcomeDuplicate       = "duplicate"
)

// Outcomes lists every outcome.
var Outcomes = []string{OutcomeArrest, OutcomeResolvedOnScene, OutcomeReportFiled, OutcomeReferred, OutcomeUnfounded, OutcomeDuplicate}

// UnitService reads and moves units.
type UnitService interface {
	FindUnits(ctx context.Context, f UnitFilter) ([]*Unit, error)
	FindUnitByID(ctx context.Context, id int64) (*Unit, error)
	// SetUnitPosition records where a unit is. EINVALID outside the jurisdiction.
	SetUnitPosition(ctx context.Context, id int64, p Point) (*Unit, error)
	// SetUnitStatus moves a unit; the status of an assigned unit follows
	// its assignment (en route, on scene) and the incident's timeline
	// records it. A transition the unit cannot make is ECONFLICT.
	SetUnitStatus(ctx context.Context, id int64, s UnitStatus) (*Unit, error)
}

// UnitFilter selects units. Zero fields do not filter.
type UnitFilter struct {
	Statuses []UnitStatus
	Zone     string
	Kind     string
}

// DispatchService proposes and sends units.
type DispatchService interface {
	// Recommend lists the nearest capable available units for an incident.
	Recommend(ctx context.Context, incidentID int64, k int) ([]Recommendation, error)
	// Assign sends units to an incident: each becomes dispatched, the
	// incident dispatched and theirs. A unit that is not available is
	// ECONFLICT, unless reassign takes it off its current incident.
	Assign(ctx context.Context, incidentID int64, a AssignInput) (*Incident, error)
}

// AssignInput names the units to send.
type AssignInput struct {
	Units    []int64 `json:"units"`
	Reassign bool    `json:"reassign,omitempty"`
}
