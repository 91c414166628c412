package dispatch

import (
	"strings"

	"github.com/yaqaza/yaqaza"
)

// A unit's status moves as follows.
//
//	available ⇄ busy, available ⇄ off_duty, busy → off_duty
//	dispatched → en_route → on_scene, and dispatched → on_scene
//	dispatched, en_route, on_scene → available: the unit cleared (or was
//	    released); the caller closes the assignment
//	available → en_route, on_scene: only for an assigned unit whose status
//	    did not pass through dispatched (an officer who takes on an incident
//	    met in the street, or an assignment made while the device was off)
//
// en_route and on_scene always need an assignment. No call makes a unit
// dispatched: assigning it to an incident does, in the same step. A unit
// busy or off duty must become available before it can move with an
// incident, and a unit with an incident must clear before it goes busy or
// off duty. Setting the status a unit already has changes nothing and is
// allowed (devices repeat themselves).
type unitMove int8

const (
	moveRefused unitMove = iota
	moveAllowed
	moveIfAssigned
)

var unitMoves = map[yaqaza.UnitStatus]map[yaqaza.UnitStatus]unitMove{
	yaqaza.UnitAvailable: {
		yaqaza.UnitBusy: moveAllowed, yaqaza.UnitOffDuty: moveAllowed,
		yaqaza.UnitEnRoute: moveIfAssigned, yaqaza.UnitOnScene: moveIfAssigned,
	},
	yaqaza.UnitBusy:    {yaqaza.UnitAvailable: moveAllowed, yaqaza.UnitOffDuty: moveAllowed},
	yaqaza.UnitOffDuty: {yaqaza.UnitAvailable: moveAllowed},
	yaqaza.UnitDispatched: {
		yaqaza.UnitEnRoute: moveIfAssigned, yaqaza.UnitOnScene: moveIfAssigned, yaqaza.UnitAvailable: moveAllowed,
	},
	yaqaza.UnitEnRoute: {yaqaza.UnitOnScene: moveIfAssigned, yaqaza.UnitAvailable: moveAllowed},
	yaqaza.UnitOnScene: {yaqaza.UnitAvailable: moveAllowed},
}

// NextUnitStatuses returns the statuses a unit in from may move to through
// CheckUnitTransition, in the order of yaqaza.UnitStatuses, not counting
// from itself.
func NextUnitStatuses(from yaqaza.UnitStatus, assigned bool) []yaqaza.UnitStatus {
	var next []yaqaza.UnitStatus
	for _, to := range yaqaza.UnitStatuses {
		if m := unitMoves[from][to]; m == moveAllowed || (m == moveIfAssigned && assigned) {
			next = append(next, to)
		}
	}
	return next
}

// CheckUnitTransition returns nil when a unit in status from may move to
// status to; assigned says whether it has an open assignment. A move the
// rules refuse is ECONFLICT naming the allowed next statuses; an unknown
// status is EINVALID.
func CheckUnitTransition(from, to yaqaza.UnitStatus, assigned bool) error {
	if !from.Valid() {
		return yaqaza.Invalidf("status", "unknown unit status %q", from)
	}
	if !to.Valid() {
		return yaqaza.Invalidf("status", "unknown unit status %q", to)
	}
	if from == to {
		return nil
	}
	allowed := "allowed next: " + statusList(NextUnitStatuses(from, assigned))
	switch m := unitMoves[from][to]; {
	case to == yaqaza.UnitDispatched:
		return yaqaza.Errorf(yaqaza.ECONFLICT, "a unit becomes dispatched only by being assigned to an incident; from %s, %s", from, allowed)
	case m == moveIfAssigned && !assigned:
		return yaqaza.Errorf(yaqaza.ECONFLICT, "a unit cannot move from %s to %s without an assignment; %s", from, to, allowed)
	case m == moveRefused:
		return yaqaza.Errorf(yaqaza.ECONFLICT, "a unit cannot move from %s to %s; %s", from, to, allowed)
	}
	return nil
}

func statusList(ss []yaqaza.UnitStatus) string {
	if len(ss) == 0 {
		return "none"
	}
	names := make([]string, len(ss))
	for i, s := range ss {
		names[i] = string(s)
	}
	return strings.Join(names, ", ")
}
