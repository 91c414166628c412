package console

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	textnum "golang.org/x/text/number"

	"github.com/yaqaza/yaqaza"
)

// The command dashboard: the indicators of a period, per zone and for the
// prefecture (or the district head's own zones: the service scopes them),
// with the late list and the trends. Every figure is formatted here, in
// the page's language, so that the template only lays them out.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("GET /dashboard", c.dashboard)
		c.page("GET /dashboard.csv", c.dashboardCSV)
	})
}

// dashboardPeriods are the choices of the period chooser: each ends with
// today, in the jurisdiction's time zone.
var dashboardPeriods = []string{"today", "7d", "30d", "year"}

// periodForm is the period as asked, kept to show again with its errors.
type periodForm struct {
	Period, From, To string
	Custom           bool
}

// query is the period as a query string, for the refresh and the CSV link.
func (f periodForm) query() string {
	v := url.Values{}
	if f.Custom {
		v.Set("from", f.From)
		v.Set("to", f.To)
	} else {
		v.Set("period", f.Period)
	}
	return v.Encode()
}

const dateLayout = "2006-01-02"

// readPeriod turns the query into [from, to): a named period, or two
// dates, both days included. Problems go in p.Errors beside their field.
// periodRefused reports whether the period asked for was refused (the plan
// form's errors, on the same page, are not the period's).
func periodRefused(p *Page) bool {
	return p.Errors["period"] != "" || p.Errors["from"] != "" || p.Errors["to"] != ""
}

func (c *Console) readPeriod(p *Page, q url.Values) (f periodForm, from, to time.Time) {
	now := p.Now.In(c.loc)
	day := func(t time.Time, add int) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day()+add, 0, 0, 0, 0, c.loc)
	}
	f = periodForm{Period: q.Get("period"), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	if f.From == "" && f.To == "" {
		if f.Period == "" {
			f.Period = "7d"
		}
		to = day(now, 1)
		switch f.Period {
		case "today":
			from = day(now, 0)
		case "7d":
			from = day(now, -6)
		case "30d":
			from = day(now, -29)
		case "year":
			from = time.Date(now.Year(), 1, 1, 0, 0, 0, 0, c.loc)
		default:
			p.Errors["period"] = p.T("dashboard.period.unknown")
		}
		return f, from, to
	}
	f.Custom, f.Period = true, ""
	parse := func(field, s string) time.Time {
		if s == "" {
			p.Errors[field] = p.T("dashboard.date.required")
			return time.Time{}
		}
		t, err := time.ParseInLocation(dateLayout, s, c.loc)
		if err != nil {
			p.Errors[field] = p.T("dashboard.date.invalid")
		}
		return t
	}
	from, last := parse("from", f.From), parse("to", f.To)
	if periodRefused(p) {
		return f, from, to
	}
	to = day(last, 1)
	switch {
	case last.Before(from):
		p.Errors["to"] = p.T("dashboard.period.order")
	case to.Sub(from) > yaqaza.MaxIndicatorPeriod:
		p.Errors["from"] = p.T("dashboard.period.long", p.Num(int(yaqaza.MaxIndicatorPeriod.Hours()/24)))
	}
	return f, from, to
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request, p *Page) error {
	return c.renderDashboard(w, r, p, http.StatusOK, &planForm{Hours: "12"})
}

// renderDashboard shows the period the query asks for, with the plan form
// as typed (and its errors, when status says it was refused).
func (c *Console) renderDashboard(w http.ResponseWriter, r *http.Request, p *Page, status int, plan *planForm) error {
	// The service decides; asking first gives other roles the forbidden
	// page rather than a period chooser they cannot use.
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActReadStats); err != nil {
		return err
	}
	p.Title = p.T("dashboard.title")
	f, from, to := c.readPeriod(p, r.URL.Query())
	data := map[string]any{"Form": f, "Periods": dashboardPeriods, "Plan": plan, "PlanHours": planHours,
		"Query": r.URL.RawQuery, "CanPlan": c.Plans != nil && p.Actor.Can(yaqaza.ActPlanField)}
	p.Data = data
	if periodRefused(p) {
		c.render(w, p, http.StatusBadRequest, "dashboard")
		return nil
	}
	ind, err := c.Indicators.Indicators(r.Context(), from, to)
	if err != nil {
		if c.fieldError(p, err) {
			c.render(w, p, http.StatusBadRequest, "dashboard")
			return nil
		}
		return err
	}
	pack, err := c.opsPack(r.Context())
	if err != nil {
		return err
	}
	view := newDashboardView(p, pack, ind, to)
	if view.Hotspots, view.HotspotCells, err = c.hotspots(r.Context(), p, pack, from, to); err != nil {
		return err
	}
	data["View"] = view
	data["Refresh"], data["CSV"] = "/dashboard?"+f.query(), "/dashboard.csv?"+f.query()
	if isFragment(r) {
		// The wall screen's periodic refresh swaps the figures only.
		return c.fragment(w, p, "dashboard", "dash")
	}
	c.render(w, p, status, "dashboard")
	return nil
}

// dashboardView is the indicators as the page shows them.
type dashboardView struct {
	From, To, At string
	Total        zoneRow
	Zones        []zoneRow
	Stages       []string
	Categories   []categoryRow
	Late         []lateRow
	LateMore     bool
	Trends       []trendView
	Hotspots     []hotspotRow
	HotspotCells string // JSON for the map
	CellM        int
}

type zoneRow struct {
	Code, Name                                    string
	Population, Incidents, Per100k, Cleared, Rate string
	Open, Late                                    string
	HasLate                                       bool
	Response                                      []stageCell
}

type stageCell struct {
	// Reached: some incidents reached the stage; Owed: some owed it by now.
	Reached, Owed       bool
	Median, P90, Within string
	Due                 string
}

type categoryRow struct {
	Name   string
	Total  string
	ByZone []string
	n      int
}

type lateRow struct {
	ID                          int64
	Priority                    int
	Category, Zone, Owner       string
	Stage, Due, DueISO, Overdue string
}

func newDashboardView(p *Page, pack *opsPack, ind *yaqaza.Indicators, to time.Time) *dashboardView {
	v := &dashboardView{From: dashDate(p, ind.From), To: dashDate(p, to.Add(-time.Hour)), At: p.When(ind.At), CellM: yaqaza.HotspotCellM}
	for _, st := range yaqaza.ResponseStages {
		v.Stages = append(v.Stages, p.T("dashboard.stage."+string(st)))
	}
	v.Total = newZoneRow(p, ind.Prefecture)
	v.Total.Name = p.T("dashboard.prefecture")
	if !p.Actor.Prefecture() {
		v.Total.Name = p.T("dashboard.ownzones")
	}
	for _, z := range ind.Zones {
		row := newZoneRow(p, z)
		row.Name = pack.zone(z.Zone, p.Lang)
		v.Zones = append(v.Zones, row)
	}
	for code, n := range ind.Prefecture.ByCategory {
		row := categoryRow{Name: pack.category(code, p.Lang), Total: p.Num(n), n: n}
		for _, z := range ind.Zones {
			row.ByZone = append(row.ByZone, p.Num(z.ByCategory[code]))
		}
		v.Categories = append(v.Categories, row)
	}
	slices.SortFunc(v.Categories, func(a, b categoryRow) int {
		if a.n != b.n {
			return b.n - a.n
		}
		return strings.Compare(a.Name, b.Name)
	})
	for _, inc := range ind.Late {
		row := lateRow{ID: inc.ID, Priority: int(inc.Priority), Category: pack.category(inc.Category, p.Lang),
			Zone: pack.zone(inc.ZoneCode, p.Lang), Owner: inc.Owner}
		if inc.ZoneCode == "" {
			row.Zone = p.T("dashboard.nozone")
		}
		if d := inc.Deadline; d != nil {
			row.Stage = p.T("dashboard.stage." + string(d.Stage))
			row.Due, row.DueISO = p.When(d.Due), d.Due.UTC().Format(time.RFC3339)
			row.Overdue = p.Span(d.Due.Sub(ind.At))
		}
		v.Late = append(v.Late, row)
	}
	v.LateMore = ind.Prefecture.Late > len(ind.Late)
	for _, t := range ind.Trends {
		v.Trends = append(v.Trends, newTrendView(p, ind.Zones, pack, t))
	}
	return v
}

func newZoneRow(p *Page, z yaqaza.ZoneIndicators) zoneRow {
	row := zoneRow{Code: z.Zone, Population: p.Num(z.Population), Incidents: p.Num(z.Incidents),
		Per100k: "—", Cleared: p.Num(z.Cleared), Rate: "—", Open: p.Num(z.Open), Late: p.Num(z.Late), HasLate: z.Late > 0}
	if z.Population > 0 {
		row.Per100k = p.Num(textnum.Decimal(z.Per100k, textnum.MaxFractionDigits(1)))
	}
	if z.Incidents > 0 {
		row.Rate = dashPercent(p, z.Clearance)
	}
	for _, st := range yaqaza.ResponseStages {
		t := z.Response[st]
		cell := stageCell{Reached: t.N > 0, Owed: t.Due > 0, Due: p.Num(t.Due), Within: "—"}
		if t.N > 0 {
			cell.Median, cell.P90 = p.Span(t.Median()), p.Span(t.P90())
		}
		if t.Due > 0 {
			cell.Within = dashPercent(p, t.WithinSLA)
		}
		row.Response = append(row.Response, cell)
	}
	return row
}

// dashPercent writes a share (0–1) as a percentage in the page's language.
func dashPercent(p *Page, share float64) string { return p.Num(textnum.Percent(share)) }

// dashDate writes a day in the jurisdiction's zone: "28 Nov 2026".
func dashDate(p *Page, t time.Time) string {
	t = t.In(p.c.loc)
	return p.T("dashboard.date", t.Day(), p.T("month."+monthKeys[t.Month()-1]), t.Year())
}
