package console

import (
	"net/http"
	"strconv"

	"github.com/yaqaza/yaqaza"
)

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("POST /units/{id}/status", c.setUnitStatus)
	})
}

// setUnitStatus moves a unit from the unit board: a crew on a break, back
// on duty, off shift. Moves that follow an assignment (en route, on
// scene) are the crew's, from the field; the service refuses a move the
// unit cannot make, and the board says so beside the unit.
func (c *Console) setUnitStatus(w http.ResponseWriter, r *http.Request, p *Page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no unit %q", r.PathValue("id"))
	}
	to := yaqaza.UnitStatus(r.PostFormValue("status"))
	switch {
	case !to.Valid():
		p.Errors["unit_status"] = p.T("board.unit.err.status")
	default:
		_, err := c.Units.SetUnitStatus(r.Context(), id, to)
		switch yaqaza.ErrorCode(err) {
		case "":
		case yaqaza.ECONFLICT, yaqaza.EINVALID:
			p.Errors["unit_status"] = p.T("board.unit.err.conflict", p.BoardStatus(to))
		default:
			return err
		}
	}
	if !isFragment(r) {
		if len(p.Errors) > 0 {
			return yaqaza.Invalidf("status", "%s", p.Errors["unit_status"])
		}
		http.Redirect(w, r, "/board", http.StatusSeeOther)
		return nil
	}
	units, err := c.loadUnits(r.Context(), p)
	if err != nil {
		return err
	}
	// A refused change answers 200 with the message beside the unit: the
	// units panel is swapped whole, the refusal is one line of it.
	p.Data = map[string]any{"Units": units, "UnitError": p.Errors["unit_status"], "UnitErrorID": id}
	return c.fragment(w, p, "board", "units")
}

// UnitStatuses are the statuses a unit can be set to from the board.
func (p *Page) UnitStatuses() []yaqaza.UnitStatus {
	return []yaqaza.UnitStatus{yaqaza.UnitAvailable, yaqaza.UnitBusy, yaqaza.UnitOffDuty}
}
