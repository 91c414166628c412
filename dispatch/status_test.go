package dispatch

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// Every from × to × assigned, against the rules written out by hand.
func TestCheckUnitTransitionEveryPair(t *testing.T) {
	const (
		no       = ""
		yes      = "yes"
		assigned = "assigned" // only with an assignment
	)
	A, D, E, O, B, F := yaqaza.UnitAvailable, yaqaza.UnitDispatched, yaqaza.UnitEnRoute, yaqaza.UnitOnScene, yaqaza.UnitBusy, yaqaza.UnitOffDuty
	rules := map[[2]yaqaza.UnitStatus]string{
		{A, B}: yes, {A, F}: yes, {A, E}: assigned, {A, O}: assigned,
		{B, A}: yes, {B, F}: yes,
		{F, A}: yes,
		{D, E}: assigned, {D, O}: assigned, {D, A}: yes,
		{E, O}: assigned, {E, A}: yes,
		{O, A}: yes,
	}
	for _, from := range yaqaza.UnitStatuses {
		for _, to := range yaqaza.UnitStatuses {
			for _, withAssignment := range []bool{false, true} {
				name := fmt.Sprintf("%s→%s assigned=%v", from, to, withAssignment)
				rule := rules[[2]yaqaza.UnitStatus{from, to}]
				allowed := from == to || rule == yes || (rule == assigned && withAssignment)
				err := CheckUnitTransition(from, to, withAssignment)
				if allowed {
					if err != nil {
						t.Errorf("%s: refused: %v", name, err)
					}
					continue
				}
				if yaqaza.ErrorCode(err) != yaqaza.ECONFLICT {
					t.Errorf("%s: %v, want ECONFLICT", name, err)
					continue
				}
				msg := yaqaza.ErrorMessage(err)
				var next []string
				for _, s := range yaqaza.UnitStatuses {
					if r := rules[[2]yaqaza.UnitStatus{from, s}]; r == yes || (r == assigned && withAssignment) {
						next = append(next, string(s))
					}
				}
				if want := "allowed next: " + strings.Join(next, ", "); !strings.Contains(msg, want) {
					t.Errorf("%s: message %q lacks %q", name, msg, want)
				}
				if to == D && !strings.Contains(msg, "assigned to an incident") {
					t.Errorf("%s: message %q should say assignment makes a unit dispatched", name, msg)
				}
				if rule == assigned && !strings.Contains(msg, "without an assignment") {
					t.Errorf("%s: message %q should say an assignment is needed", name, msg)
				}
			}
		}
	}
}

func TestCheckUnitTransitionUnknownStatus(t *testing.T) {
	for _, tc := range [][2]yaqaza.UnitStatus{{"parked", yaqaza.UnitAvailable}, {yaqaza.UnitAvailable, "lunch"}, {"", ""}} {
		if err := CheckUnitTransition(tc[0], tc[1], false); yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			t.Errorf("%q→%q: %v, want EINVALID", tc[0], tc[1], err)
		}
	}
}

func TestNextUnitStatuses(t *testing.T) {
	for _, tc := range []struct {
		from     yaqaza.UnitStatus
		assigned bool
		want     string
	}{
		{yaqaza.UnitAvailable, false, "[busy off_duty]"},
		{yaqaza.UnitAvailable, true, "[en_route on_scene busy off_duty]"},
		{yaqaza.UnitDispatched, true, "[available en_route on_scene]"},
		{yaqaza.UnitDispatched, false, "[available]"},
		{yaqaza.UnitOnScene, true, "[available]"},
		{yaqaza.UnitOffDuty, false, "[available]"},
	} {
		if got := fmt.Sprint(NextUnitStatuses(tc.from, tc.assigned)); got != tc.want {
			t.Errorf("%s assigned=%v: %s, want %s", tc.from, tc.assigned, got, tc.want)
		}
	}
	if err := CheckUnitTransition(yaqaza.UnitOnScene, yaqaza.UnitBusy, true); !strings.Contains(yaqaza.ErrorMessage(err), "from on_scene to busy; allowed next: available") {
		t.Errorf("message: %v", err)
	}
}
