package console

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// The field plan in the console: the command and the district heads add a
// directive at a hotspot from the dashboard; the board lists the plan in
// force and draws it on its map, and those who plan may withdraw a line.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("POST /dashboard/plan", c.dashboardPlan)
		c.page("GET /board/plan", c.boardPlan)
		c.page("POST /board/plan/{id}/withdraw", c.boardWithdrawDirective)
	})
}

// planHours are the lengths a directive may be given from the dashboard.
var planHours = []int{4, 8, 12, 24, 48, 72}

// planForm is a directive as typed under the hotspots.
type planForm struct {
	Hotspot, Instruction, Hours string
}

// planRow is a directive as the board lists it.
type planRow struct {
	ID                                  int64
	Where, Zone, Until, Instruction, By string
}

// planCircle is what the board's map draws of a directive.
type planCircle struct {
	Center  [2]float64 `json:"center"`
	RadiusM int        `json:"radius_m"`
	Label   string     `json:"label"`
}

// loadPlan reads the directives in force in the actor's zones, for the
// board's list and its map (JSON).
func (c *Console) loadPlan(ctx context.Context, p *Page) ([]planRow, string, error) {
	if c.Plans == nil || !p.Actor.Can(yaqaza.ActReadUnits) {
		return nil, "[]", nil
	}
	pack, err := c.opsPack(ctx)
	if err != nil {
		return nil, "", err
	}
	list, err := c.Plans.FieldPlan(ctx, time.Now())
	if err != nil {
		return nil, "", err
	}
	rows := make([]planRow, 0, len(list))
	circles := make([]planCircle, 0, len(list))
	for _, d := range list {
		row := planRow{ID: d.ID, Where: d.Place, Zone: pack.zone(d.Zone, p.Lang), Until: p.When(d.Until),
			Instruction: d.Instruction, By: d.CreatedBy}
		if row.Where == "" {
			row.Where = row.Zone
		}
		rows = append(rows, row)
		circles = append(circles, planCircle{Center: [2]float64{d.Center.Lat, d.Center.Lon}, RadiusM: d.RadiusM,
			Label: row.Where + ": " + d.Instruction})
	}
	b, err := json.Marshal(circles)
	return rows, string(b), err
}

// hotspotValue is how the plan form names a hotspot: its middle and place.
func hotspotValue(h yaqaza.Hotspot, where string) string {
	return fmt.Sprintf("%.6f|%.6f|%s", h.Center.Lat, h.Center.Lon, where)
}

// dashboardPlan adds a directive at one of the listed hotspots. The form
// is checked in the reader's language first; the service decides the rest
// (the zone, the reader's right to plan there).
func (c *Console) dashboardPlan(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActPlanField); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	f := &planForm{Hotspot: formText(r, "hotspot"), Instruction: formText(r, "instruction"), Hours: formText(r, "hours")}
	in := yaqaza.DirectiveInput{RadiusM: yaqaza.HotspotCellM * 3 / 4, Instruction: f.Instruction}
	parts := strings.SplitN(f.Hotspot, "|", 3)
	if len(parts) == 3 {
		lat, err1 := strconv.ParseFloat(parts[0], 64)
		lon, err2 := strconv.ParseFloat(parts[1], 64)
		if err1 == nil && err2 == nil {
			in.Center, in.Place = &yaqaza.Point{Lat: lat, Lon: lon}, parts[2]
		}
	}
	if in.Center == nil {
		p.Errors["hotspot"] = p.T("dashboard.plan.err.hotspot")
	}
	switch n := utf8.RuneCountInString(f.Instruction); {
	case n == 0:
		p.Errors["instruction"] = p.T("dashboard.plan.err.instruction")
	case n > yaqaza.MaxDirectiveText:
		p.Errors["instruction"] = p.T("dashboard.plan.err.long", yaqaza.MaxDirectiveText)
	}
	hours, err := strconv.Atoi(f.Hours)
	if err != nil || !slices.Contains(planHours, hours) {
		p.Errors["hours"] = p.T("dashboard.plan.err.hours")
	}
	if len(p.Errors) == 0 {
		in.Until = time.Now().Add(time.Duration(hours) * time.Hour)
		_, err := c.Plans.AddDirective(r.Context(), in)
		if err == nil {
			http.Redirect(w, r, "/dashboard?"+r.URL.RawQuery+"#h-hotspots", http.StatusSeeOther)
			return nil
		}
		var e *yaqaza.Error
		if !errors.As(err, &e) || e.Code != yaqaza.EINVALID {
			return err
		}
		// The service's refusal goes beside the field the form has for it.
		field := map[string]string{"instruction": "instruction", "until": "hours"}[e.Field]
		if field == "" {
			field = "hotspot" // center, radius, place: what the hotspot gave
		}
		p.Errors[field] = p.T("form.invalid")
	}
	return c.renderDashboard(w, r, p, http.StatusBadRequest, f)
}

// boardPlan is the board's plan panel alone, for its periodic refresh.
func (c *Console) boardPlan(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := boardReader(r.Context()); err != nil {
		return err
	}
	plan, _, err := c.loadPlan(r.Context(), p)
	if err != nil {
		return err
	}
	p.Data = map[string]any{"Plan": plan}
	return c.fragment(w, p, "board", "plan")
}

// boardWithdrawDirective ends a directive from the board.
func (c *Console) boardWithdrawDirective(w http.ResponseWriter, r *http.Request, p *Page) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no directive %q", r.PathValue("id"))
	}
	if _, err := c.Plans.WithdrawDirective(r.Context(), id); err != nil {
		return err
	}
	http.Redirect(w, r, "/board#plan-h", http.StatusSeeOther)
	return nil
}
