package console

import (
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/followup"
)

// The SLA policy as a grid of priority × stage. Durations are typed as
// people say them ("45" minutes, "1h30", "2h", "3d"); the whole grid is
// checked in the admin's language before Config.UpdateSLA, which replans
// every open incident and audits the change.

func (c *Console) adminSLARoutes() {
	c.page("GET /admin/sla", c.adminSLA)
	c.page("POST /admin/sla", c.adminSaveSLA)
}

var slaPriorities = []yaqaza.Priority{yaqaza.P1, yaqaza.P2, yaqaza.P3, yaqaza.P4}

// slaCell is one field of the grid as typed, named "P1.acknowledged".
type slaCell struct {
	Name, Stage, Value string
}

// slaRow is one priority's line of the grid.
type slaRow struct {
	Priority yaqaza.Priority
	Cells    []slaCell
}

// slaGrid is the form: the deadlines and how long before escalation climbs.
type slaGrid struct {
	Rows     []slaRow
	Escalate string
}

func (c *Console) adminSLA(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	policy := pack.SLA
	if policy == nil {
		policy = followup.DefaultSLA() // what the store plans with when the pack sets none
	}
	g := slaGrid{Escalate: formatSpan(time.Duration(policy.EscalateAfter))}
	for _, pr := range slaPriorities {
		row := slaRow{Priority: pr}
		for _, st := range yaqaza.Stages {
			row.Cells = append(row.Cells, slaCell{Name: slaField(pr, st), Stage: string(st),
				Value: formatSpan(time.Duration(policy.Deadlines[pr][st]))})
		}
		g.Rows = append(g.Rows, row)
	}
	c.renderSLA(w, r, p, http.StatusOK, g)
	return nil
}

func (c *Console) renderSLA(w http.ResponseWriter, r *http.Request, p *Page, status int, g slaGrid) {
	p.Title = p.T("admin.sla.title")
	p.Data = map[string]any{"Nav": adminNav(p, "sla"), "Grid": g, "Stages": yaqaza.Stages, "Notice": adminNotice(r, p)}
	c.render(w, p, status, "admin_sla")
}

func slaField(pr yaqaza.Priority, st yaqaza.Stage) string { return pr.String() + "." + string(st) }

// adminSaveSLA reads the grid, puts a message beside every cell that is
// wrong (unreadable, not positive, before the previous stage), and saves
// only a grid without any.
func (c *Console) adminSaveSLA(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActConfigure); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	policy := &yaqaza.SLAPolicy{Deadlines: map[yaqaza.Priority]map[yaqaza.Stage]yaqaza.Duration{}}
	g := slaGrid{Escalate: formText(r, "escalate_after")}
	for _, pr := range slaPriorities {
		row := slaRow{Priority: pr}
		policy.Deadlines[pr] = map[yaqaza.Stage]yaqaza.Duration{}
		var prev time.Duration
		var prevStage yaqaza.Stage
		for _, st := range yaqaza.Stages {
			name := slaField(pr, st)
			cell := slaCell{Name: name, Stage: string(st), Value: formText(r, name)}
			row.Cells = append(row.Cells, cell)
			d, ok := parseSpan(cell.Value)
			switch {
			case !ok:
				p.Errors[name] = p.T("admin.sla.unreadable")
			case d <= 0:
				p.Errors[name] = p.T("admin.sla.positive")
			case prevStage != "" && d < prev:
				p.Errors[name] = p.T("admin.sla.order", p.T("admin.stage."+string(prevStage)))
			}
			if ok && d > 0 {
				prev, prevStage = d, st
			}
			policy.Deadlines[pr][st] = yaqaza.Duration(d)
		}
		g.Rows = append(g.Rows, row)
	}
	switch d, ok := parseSpan(g.Escalate); {
	case !ok:
		p.Errors["escalate_after"] = p.T("admin.sla.unreadable")
	case d <= 0:
		p.Errors["escalate_after"] = p.T("admin.sla.positive")
	default:
		policy.EscalateAfter = yaqaza.Duration(d)
	}
	if len(p.Errors) == 0 {
		err := c.Config.UpdateSLA(r.Context(), policy)
		if err == nil {
			adminRedirect(w, r, "/admin/sla", "sla")
			return nil
		}
		if yaqaza.ErrorCode(err) != yaqaza.EINVALID {
			return err
		}
		p.Errors["sla"] = p.T("admin.sla.refused")
	}
	c.renderSLA(w, r, p, http.StatusBadRequest, g)
	return nil
}

// spanPattern reads "3d", "2h", "1h30", "1h30m", "90m", "90min" or "90"
// (minutes), in any combination of days, hours and minutes, in order.
var spanPattern = regexp.MustCompile(`^(?:(\d{1,4})\s*[dj])?\s*(?:(\d{1,5})\s*h)?\s*(?:(\d{1,6})\s*(?:m|min|mn)?)?$`)

// maxSpan keeps deadlines to something a policy can mean (a year).
const maxSpan = 366 * 24 * time.Hour

// parseSpan reads a duration as typed; false when it cannot be read.
func parseSpan(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if rest, neg := strings.CutPrefix(s, "-"); neg {
		d, ok := parseSpan(rest) // read, so that it is refused as negative rather than unreadable
		return -d, ok && !strings.HasPrefix(strings.TrimSpace(rest), "-")
	}
	m := spanPattern.FindStringSubmatch(s)
	if s == "" || m == nil {
		return 0, false
	}
	var d time.Duration
	for i, unit := range []time.Duration{24 * time.Hour, time.Hour, time.Minute} {
		if m[i+1] == "" {
			continue
		}
		n, err := strconv.Atoi(m[i+1])
		if err != nil {
			return 0, false
		}
		d += time.Duration(n) * unit
	}
	if d > maxSpan {
		return 0, false
	}
	return d, true
}

// formatSpan writes a duration the way parseSpan reads it: "45m", "2h", "1h30".
func formatSpan(d time.Duration) string {
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%dm", m)
	case m == 0:
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%02d", h, m)
}
