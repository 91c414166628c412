package console

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The incident page: what happened, every report with where it came
// from, the timeline, the units, the deadline, and the actions the
// reader's role allows (incident_actions.go).

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("GET /incidents/{id}", c.incidentPage)
		c.page("POST /incidents/{id}/transition", c.incidentPost(yaqaza.ActChangeIncident, c.transition))
		c.page("POST /incidents/{id}/triage", c.incidentPost(yaqaza.ActTriage, c.correctTriage))
		c.page("POST /incidents/{id}/split", c.incidentPost(yaqaza.ActTriage, c.splitReport))
		c.page("POST /incidents/{id}/note", c.incidentPost(yaqaza.ActChangeIncident, c.addNote))
	})
}

// Bounds of what the page lists: a viral incident can gather thousands
// of reposts, and the page must stay quick to render and to read.
const (
	pageReports  = 100
	pageTimeline = 300
)

// incidentView is the incident as the page shows it.
type incidentView struct {
	Inc                               *yaqaza.Incident
	CategoryName, ZoneName, OwnerName string
	Reports                           []reportView
	MoreReports                       int
	Timeline                          []timelineView
	MoreEvents                        int
	Points                            string
	// What the forms offer.
	Next       []yaqaza.Status
	Outcomes   []string
	Priorities []yaqaza.Priority
	Categories []yaqaza.Category
	Zones      []yaqaza.Zone
	Recs       []recView
	// Form holds what was typed, to show again beside the errors.
	Form url.Values
}

type reportView struct {
	*yaqaza.Report
	ChannelName string
}

type timelineView struct {
	*yaqaza.TimelineEvent
	KindName string
	// Note is what a person wrote on the event (a note, a reason); the
	// store's own wording of automatic events is replaced by Unit and
	// Channel, in the page's language.
	Note    string
	Unit    string
	Channel string
}

func (c *Console) incidentPage(w http.ResponseWriter, r *http.Request, p *Page) error {
	id, err := pathIncidentID(r)
	if err != nil {
		return err
	}
	return c.renderIncident(w, r, p, id, http.StatusOK)
}

// renderIncident reads the incident as the reader may see it and shows
// it, with p.Errors beside the fields when status says a form failed.
func (c *Console) renderIncident(w http.ResponseWriter, r *http.Request, p *Page, id int64, status int) error {
	inc, err := c.Incidents.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	return c.showIncident(w, r, p, inc, status)
}

func (c *Console) showIncident(w http.ResponseWriter, r *http.Request, p *Page, inc *yaqaza.Incident, status int) error {
	pack, err := c.opsPack(r.Context())
	if err != nil {
		return err
	}
	v := &incidentView{Inc: inc, CategoryName: pack.category(inc.Category, p.Lang), ZoneName: pack.zone(inc.ZoneCode, p.Lang),
		OwnerName: ownerName(p, pack, inc.Owner), Next: inc.Status.NextStatuses(), Outcomes: yaqaza.Outcomes,
		Priorities: []yaqaza.Priority{yaqaza.P1, yaqaza.P2, yaqaza.P3, yaqaza.P4},
		Categories: pack.pack.Categories, Zones: pack.pack.Zones, Form: r.PostForm}
	if v.Form == nil {
		v.Form = url.Values{}
	}
	pts := []boardMapPoint{}
	if inc.Location != nil {
		pts = append(pts, boardMapPoint{Lat: inc.Location.Lat, Lon: inc.Location.Lon, Kind: "incident", Label: p.T("board.incident", inc.ID)})
	}
	for i, rep := range inc.Reports {
		if i == pageReports {
			v.MoreReports = len(inc.Reports) - pageReports
			break
		}
		v.Reports = append(v.Reports, reportView{Report: rep, ChannelName: p.T("incident.channel." + string(rep.Channel))})
	}
	// Newest first: what just happened is what the reader looks for.
	channels := map[int64]yaqaza.Channel{}
	for _, r := range inc.Reports {
		channels[r.ID] = r.Channel
	}
	// A status a unit's move caused is written at the same instant as the
	// unit's event: its wording is the store's, not a person's reason.
	unitMoves := map[time.Time]bool{}
	for _, e := range inc.Timeline {
		if e.UnitID != 0 {
			unitMoves[e.At] = true
		}
	}
	for i := len(inc.Timeline) - 1; i >= 0; i-- {
		if len(v.Timeline) == pageTimeline {
			v.MoreEvents = i + 1
			break
		}
		e := inc.Timeline[i]
		v.Timeline = append(v.Timeline, timelineLine(p, e, channels, unitMoves[e.At]))
	}
	if p.Can(string(yaqaza.ActDispatch)) && inc.Status.Open() && inc.Status != yaqaza.StatusResolved {
		// Units the reader may not send are not offered; that refusal is
		// not news on this page, a failure is.
		recs, err := c.recommendations(r, p, inc.ID)
		if code := yaqaza.ErrorCode(err); code == yaqaza.EINTERNAL || code == yaqaza.EUNAVAILABLE {
			return err
		}
		v.Recs = recs
	}
	b, _ := json.Marshal(pts)
	v.Points = string(b)
	p.Title = p.T("board.incident", inc.ID)
	p.Data = v
	c.render(w, p, status, "incident")
	return nil
}

// incidentURL is where a form goes back to.
func incidentURL(id int64) string { return fmt.Sprintf("/incidents/%d", id) }

// incidentOption is one choice of a select on the incident page.
type incidentOption struct{ Value, Label string }

// IncidentStatusOptions are the statuses the incident may move to.
func (p *Page) IncidentStatusOptions(next []yaqaza.Status) []incidentOption {
	out := []incidentOption{{"", p.T("incident.choose")}}
	for _, s := range next {
		out = append(out, incidentOption{string(s), p.BoardStatus(s)})
	}
	return out
}

// IncidentOutcomeOptions are the ways an incident ends.
func (p *Page) IncidentOutcomeOptions(outcomes []string) []incidentOption {
	out := []incidentOption{{"", p.T("incident.outcome.none")}}
	for _, o := range outcomes {
		out = append(out, incidentOption{o, p.T("incident.outcome." + o)})
	}
	return out
}

// IncidentCategoryOptions are the pack's categories; the first keeps the current one.
func (p *Page) IncidentCategoryOptions(cats []yaqaza.Category, current string) []incidentOption {
	out := []incidentOption{{"", p.T("incident.keep")}}
	for _, c := range cats {
		label := c.Names.In(p.Lang)
		if c.Code == current {
			label = p.T("incident.current", label)
		}
		out = append(out, incidentOption{c.Code, label})
	}
	return out
}

// IncidentPriorityOptions are P1..P4; the first keeps the current one.
func (p *Page) IncidentPriorityOptions(prios []yaqaza.Priority, current yaqaza.Priority) []incidentOption {
	out := []incidentOption{{"", p.T("incident.keep")}}
	for _, pr := range prios {
		label := pr.String()
		if pr == current {
			label = p.T("incident.current", label)
		}
		out = append(out, incidentOption{pr.String(), label})
	}
	return out
}

// IncidentZoneOptions are the pack's zones; the first keeps the current one.
func (p *Page) IncidentZoneOptions(zones []yaqaza.Zone, current string) []incidentOption {
	out := []incidentOption{{"", p.T("incident.keep")}}
	for _, z := range zones {
		label := z.Names.In(p.Lang)
		if z.Code == current {
			label = p.T("incident.current", label)
		}
		out = append(out, incidentOption{z.Code, label})
	}
	return out
}

// IncidentReportOptions are the reports that may be split off.
func (p *Page) IncidentReportOptions(reports []reportView) []incidentOption {
	out := []incidentOption{{"", p.T("incident.choose")}}
	for _, r := range reports {
		out = append(out, incidentOption{fmt.Sprint(r.ID), p.T("incident.report", r.ID) + " · " + r.ChannelName})
	}
	return out
}

// timelineLine is an event as the page shows it. What people wrote is
// shown as written; what the store wrote of its own accord ("MED-1
// assigned", "opened from a web report") is English, so the page says it
// from the event's fields instead: the unit's call sign, the report's
// channel.
func timelineLine(p *Page, e *yaqaza.TimelineEvent, channels map[int64]yaqaza.Channel, byUnit bool) timelineView {
	v := timelineView{TimelineEvent: e, KindName: p.boardLabel("incident.event."+e.Kind, e.Kind)}
	automatic := strings.HasPrefix(e.ActorID, "system:")
	switch e.Kind {
	case yaqaza.EventNoteAdded, yaqaza.EventTriageCorrected:
		v.Note = e.Detail
	case yaqaza.EventStatusChanged:
		if !automatic && !byUnit {
			v.Note = e.Detail // the reason someone gave
		}
	case yaqaza.EventUnitAssigned, yaqaza.EventUnitReleased, yaqaza.EventUnitStatus:
		v.Unit, _, _ = strings.Cut(e.Detail, " ") // the details start with the call sign
	case yaqaza.EventIncidentCreated, yaqaza.EventReportAttached:
		if ch, ok := channels[e.ReportID]; ok {
			v.Channel = p.boardLabel("incident.channel."+string(ch), string(ch))
		}
	}
	return v
}
