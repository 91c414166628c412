package console

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Two clicks to dispatch: the board's recommend button shows the best
// units for an incident; each has an assign button.

// recommendCount is how many units a recommendation lists.
const recommendCount = 5

// recView is a recommended unit with its figures written for people.
type recView struct {
	yaqaza.Recommendation
	KindName, ZoneName, Distance, ETA string
}

// pathIncidentID reads the {id} of the path; a malformed one is not found.
func pathIncidentID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yaqaza.Errorf(yaqaza.ENOTFOUND, "no incident %q", r.PathValue("id"))
	}
	return id, nil
}

// recommendations lists the units to send, in the page's language.
func (c *Console) recommendations(r *http.Request, p *Page, id int64) ([]recView, error) {
	recs, err := c.Dispatch.Recommend(r.Context(), id, recommendCount)
	if err != nil {
		return nil, err
	}
	pack, err := c.opsPack(r.Context())
	if err != nil {
		return nil, err
	}
	out := make([]recView, len(recs))
	for i, rec := range recs {
		out[i] = recView{Recommendation: rec, KindName: p.boardLabel("board.kind."+rec.Unit.Kind, rec.Unit.Kind),
			ZoneName: pack.zone(rec.Unit.HomeZone, p.Lang),
			Distance: printers[p.Lang].Sprintf("%.1f", rec.DistanceM/1000),
			ETA:      p.Span(time.Duration(rec.ETASeconds) * time.Second)}
	}
	return out, nil
}

// recommend is the fragment the board's recommend button swaps in. A
// refusal is shown in the panel, with its status.
func (c *Console) recommend(w http.ResponseWriter, r *http.Request, p *Page) error {
	id, err := pathIncidentID(r)
	if err != nil {
		return err
	}
	status := http.StatusOK
	recs, err := c.recommendations(r, p, id)
	if err != nil {
		if !panelError(p, err) {
			return err
		}
		status = errorStatus(err)
	}
	p.Data = map[string]any{"ID": id, "Recs": recs}
	return c.fragmentStatus(w, p, status, "board", "recommend")
}

// panelError puts a refusal the dispatcher can act on beside the unit
// choice, in the page's language; it reports whether it was one.
func panelError(p *Page, err error) bool {
	switch yaqaza.ErrorCode(err) {
	case yaqaza.ECONFLICT:
		p.Errors["unit"] = p.T("board.assign.conflict")
	case yaqaza.ENOTFOUND:
		p.Errors["unit"] = p.T("board.assign.notfound")
	case yaqaza.EINVALID:
		p.Errors["unit"] = p.T("board.assign.unit")
	case yaqaza.EFORBIDDEN:
		p.Errors["unit"] = p.T("board.assign.forbidden")
	default:
		return false
	}
	return true
}

// assign sends a unit. From the board (htmx) it answers with a
// confirmation in the panel and the refreshed queue; from a plain form it
// goes back to the incident page.
func (c *Console) assign(w http.ResponseWriter, r *http.Request, p *Page) error {
	if !p.Can(string(yaqaza.ActDispatch)) {
		return yaqaza.Errorf(yaqaza.EFORBIDDEN, "the %s role may not dispatch units", p.Actor.Role)
	}
	id, err := pathIncidentID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	sign, assignStatus := "", http.StatusBadRequest
	unit, err := strconv.ParseInt(strings.TrimSpace(r.PostFormValue("unit")), 10, 64)
	if err != nil || unit <= 0 {
		p.Errors["unit"] = p.T("board.assign.unit")
	} else {
		in := yaqaza.AssignInput{Units: []int64{unit}, Reassign: r.PostFormValue("reassign") == "1"}
		inc, err := c.Dispatch.Assign(r.Context(), id, in)
		switch {
		case err == nil:
			for _, a := range inc.Assignments {
				if a.UnitID == unit {
					sign = a.CallSign
				}
			}
		case !panelError(p, err):
			return err
		default:
			assignStatus = errorStatus(err)
		}
	}
	if !isFragment(r) {
		if len(p.Errors) > 0 {
			return c.renderIncident(w, r, p, id, http.StatusConflict)
		}
		http.Redirect(w, r, "/incidents/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return nil
	}
	data := map[string]any{"ID": id}
	if len(p.Errors) > 0 {
		recs, err := c.recommendations(r, p, id)
		if err != nil && !panelError(p, err) {
			return err
		}
		data["Recs"] = recs
		p.Data = data
		return c.fragmentStatus(w, p, assignStatus, "board", "recommend")
	}
	q, err := c.loadQueue(r.Context(), p)
	if err != nil {
		return err
	}
	data["Queue"] = q
	data["CallSign"] = sign
	p.Data = data
	return c.fragment(w, p, "board", "assigned")
}
