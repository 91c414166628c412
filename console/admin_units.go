package console

import (
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The fleet as the administration sees it. Units come from the
// jurisdiction pack (`yaqaza pack load` adds or updates them by call
// sign); here they are listed, and moved by those whose role may
// (unit.update: the service refuses anyone else).

func (c *Console) adminUnitRoutes() {
	c.page("GET /admin/units", c.adminUnits)
	c.page("POST /admin/units/{id}/status", c.adminUnitStatus)
	c.page("POST /admin/units/{id}/position", c.adminUnitPosition)
}

// unitForm is what was typed for one unit, kept to show beside its row.
type unitForm struct {
	ID       int64
	Lat, Lon string
}

func (c *Console) adminUnits(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	return c.renderUnits(w, r, p, http.StatusOK, unitForm{})
}

// renderUnits shows the fleet: a prefecture has a few hundred units at most.
func (c *Console) renderUnits(w http.ResponseWriter, r *http.Request, p *Page, status int, f unitForm) error {
	units, err := c.Units.FindUnits(r.Context(), yaqaza.UnitFilter{})
	if err != nil {
		return err
	}
	ops, err := c.opsPack(r.Context())
	if err != nil {
		return err
	}
	zones := map[string]string{}
	for _, u := range units {
		if u.HomeZone != "" {
			zones[u.HomeZone] = ops.zone(u.HomeZone, p.Lang)
		}
	}
	p.Title = p.T("admin.units.title")
	p.Data = map[string]any{"Nav": adminNav(p, "units"), "Units": units, "Zones": zones, "Form": f,
		"Statuses": yaqaza.UnitStatuses, "Notice": adminNotice(r, p), "Watches": c.watches(ops.pack, units, p.Now)}
	c.render(w, p, status, "admin_units")
	return nil
}

// watchView is where a unit's watch stands, as the fleet page says it.
type watchView struct {
	Name  string
	On    bool
	Until string // the local time it changes
}

// watches says, for each unit that works a watch of the pack's rota,
// whether the watch is on and until when.
func (c *Console) watches(pack *yaqaza.Pack, units []*yaqaza.Unit, now time.Time) map[int64]*watchView {
	out := map[int64]*watchView{}
	if pack.Watches == nil {
		return out
	}
	loc := c.loc
	if loc == nil {
		loc = time.UTC
	}
	for _, u := range units {
		if st, ok := pack.Watches.State(u.Shift, now, loc); ok {
			out[u.ID] = &watchView{Name: u.Shift, On: st.On, Until: st.Until.In(loc).Format("15:04")}
		}
	}
	return out
}

func unitID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, yaqaza.Errorf(yaqaza.ENOTFOUND, "no unit %q", r.PathValue("id"))
	}
	return id, nil
}

func (c *Console) adminUnitStatus(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	id, err := unitID(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	st := yaqaza.UnitStatus(r.PostFormValue("status"))
	key := fmt.Sprintf("status-%d", id)
	if !st.Valid() {
		p.Errors[key] = p.T("admin.units.status.invalid")
		return c.renderUnits(w, r, p, http.StatusBadRequest, unitForm{ID: id})
	}
	if _, err := c.Units.SetUnitStatus(r.Context(), id, st); err != nil {
		// A transition the unit cannot make (ECONFLICT) belongs beside the field.
		if yaqaza.ErrorCode(err) != yaqaza.ECONFLICT && yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			return err
		}
		p.Errors[key] = p.T("admin.units.status.refused")
		return c.renderUnits(w, r, p, http.StatusConflict, unitForm{ID: id})
	}
	adminRedirect(w, r, "/admin/units", "status")
	return nil
}

func (c *Console) adminUnitPosition(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	id, err := unitID(r)
	if err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	f := unitForm{ID: id, Lat: formText(r, "lat"), Lon: formText(r, "lon")}
	pt, latErr, lonErr := parsePoint(p, f.Lat, f.Lon, true)
	latKey, lonKey := fmt.Sprintf("lat-%d", id), fmt.Sprintf("lon-%d", id)
	if latErr != "" || lonErr != "" {
		p.Errors[latKey], p.Errors[lonKey] = latErr, lonErr
		return c.renderUnits(w, r, p, http.StatusBadRequest, f)
	}
	if _, err := c.Units.SetUnitPosition(r.Context(), id, *pt); err != nil {
		if yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			return err
		}
		p.Errors[latKey] = p.T("admin.form.point.outside")
		return c.renderUnits(w, r, p, http.StatusBadRequest, f)
	}
	adminRedirect(w, r, "/admin/units", "position")
	return nil
}

// parsePoint reads a latitude and longitude as typed, returning localized
// errors for each; with required, both must be given, otherwise both or
// neither. Dots and commas are both decimal separators.
func parsePoint(p *Page, lat, lon string, required bool) (pt *yaqaza.Point, latErr, lonErr string) {
	if lat == "" && lon == "" && !required {
		return nil, "", ""
	}
	la, err := strconv.ParseFloat(decimalDot(lat), 64)
	if err != nil || math.IsNaN(la) || la < -90 || la > 90 {
		latErr = p.T("admin.form.lat.invalid")
	}
	lo, err := strconv.ParseFloat(decimalDot(lon), 64)
	if err != nil || math.IsNaN(lo) || lo < -180 || lo > 180 {
		lonErr = p.T("admin.form.lon.invalid")
	}
	if latErr != "" || lonErr != "" {
		return nil, latErr, lonErr
	}
	return &yaqaza.Point{Lat: la, Lon: lo}, "", ""
}

// decimalDot accepts "34,06" as French keyboards type it.
func decimalDot(s string) string {
	b := []byte(s)
	for i, ch := range b {
		if ch == ',' {
			b[i] = '.'
		}
	}
	return string(b)
}
