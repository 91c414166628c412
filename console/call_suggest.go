package console

import (
	"math"
	"net/http"
	"strconv"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// callPlaceLimit bounds the gazetteer matches shown while typing.
const callPlaceLimit = 8

// callSuggestLimit bounds the incidents suggested for a call.
const callSuggestLimit = 5

// callPlace is a gazetteer match as the place list shows it: Value goes
// into the place field, the point (when the gazetteer has one) into the
// hidden lat/lon.
type callPlace struct {
	Name, Value, Zone string
	Lat, Lon          string
}

// callPlaces answers the place search box: the gazetteer entries whose
// spellings (any script, accents or not) start like what was typed.
func (c *Console) callPlaces(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActSubmitReport); err != nil {
		return err
	}
	q := r.URL.Query()
	typed := q.Get("q")
	if typed == "" {
		typed = q.Get("place") // the search box itself, as htmx sends it
	}
	typed = strings.TrimSpace(typed)
	if len(typed) > 200 {
		typed = typed[:200]
	}
	o, err := c.opsPack(r.Context())
	if err != nil {
		return err
	}
	var found []callPlace
	for _, pl := range o.findPlaces(typed, callPlaceLimit) {
		cp := callPlace{Name: pl.Names.In(p.Lang), Value: pl.Name}
		if cp.Name == "" {
			cp.Name = pl.Name
		}
		if p.Lang == "ar" && pl.Names.AR != "" {
			cp.Value = pl.Names.AR // what an Arabic-speaking call-taker reads back
		}
		if pl.Zone != "" {
			cp.Zone = o.zone(pl.Zone, p.Lang)
		}
		if pl.Point != nil {
			cp.Lat = strconv.FormatFloat(pl.Point.Lat, 'f', 6, 64)
			cp.Lon = strconv.FormatFloat(pl.Point.Lon, 'f', 6, 64)
		}
		found = append(found, cp)
	}
	p.Data = map[string]any{"Places": found, "Typed": typed}
	return c.fragment(w, p, "call", "call-places")
}

// callSuggestView is the suggestion panel: the incidents the call may be
// about, and which one (if any) the call-taker chose to attach it to.
type callSuggestView struct {
	Items  []callSuggestion
	Attach string
	// Kept is a chosen incident that is no longer among the suggestions:
	// the choice stays on the form until the call-taker changes it.
	Kept int64
}

// callSuggestion is one suggested incident, in the reader's language.
type callSuggestion struct {
	ID                      int64
	Priority                int
	Category, Zone, Summary string
	Distance, Age, Why      string
	Checked                 bool
}

func (v *callSuggestView) markKept() {
	n, err := strconv.ParseInt(v.Attach, 10, 64)
	if err != nil || n <= 0 {
		return
	}
	for i := range v.Items {
		if v.Items[i].ID == n {
			v.Items[i].Checked = true
			return
		}
	}
	v.Kept = n
}

// callSuggest answers the suggestion panel as the call is typed. It needs
// no more than the suggestion service does (reading incidents): what the
// reader may not see is not suggested.
func (c *Console) callSuggest(w http.ResponseWriter, r *http.Request, p *Page) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: v("text"), Place: v("place")}
	in.Location, _ = callPoint(v("lat"), v("lon"))
	view, err := c.suggestions(r, p, in, v("attach"))
	if yaqaza.ErrorCode(err) == yaqaza.EINVALID {
		view, err = callSuggestView{Attach: v("attach")}, nil // too long to suggest from: the form says so on sending
	}
	if err != nil {
		return err
	}
	view.markKept()
	p.Data = map[string]any{"Suggest": view}
	return c.fragment(w, p, "call", "call-suggest")
}

func (c *Console) suggestions(r *http.Request, p *Page, in *yaqaza.ReportInput, attach string) (callSuggestView, error) {
	view := callSuggestView{Attach: attach}
	if in.Text == "" && in.Place == "" && in.Location == nil {
		return view, nil
	}
	found, err := c.Suggest.SuggestIncidents(r.Context(), in, callSuggestLimit)
	if err != nil {
		return view, err
	}
	o, err := c.opsPack(r.Context())
	if err != nil {
		return view, err
	}
	for _, sg := range found {
		inc := sg.Incident
		s := callSuggestion{ID: inc.ID, Priority: int(inc.Priority), Category: o.category(inc.Category, p.Lang),
			Summary: inc.Summary, Age: p.T("call.suggest.age", p.Span(sg.Age)), Why: callWhy(p, sg.Why)}
		if inc.ZoneCode != "" {
			s.Zone = o.zone(inc.ZoneCode, p.Lang)
		}
		if sg.DistanceM >= 0 {
			s.Distance = p.T("call.suggest.distance", callDistance(p, sg.DistanceM))
		}
		view.Items = append(view.Items, s)
	}
	return view, nil
}

// callDistance writes metres for people: "350 m", "1,2 km".
func callDistance(p *Page, m float64) string {
	if m < 1000 {
		return p.T("call.unit.m", p.Num(int(math.Round(m/10)*10)))
	}
	return p.T("call.unit.km", p.Num(math.Round(m/100)/10))
}

// callWhy says in the reader's language why an incident is suggested. The
// service's Why is a short English line ("same words, 300 m, 6 min");
// distance and age are written apart, so only its reasons are translated.
func callWhy(p *Page, why string) string {
	var parts []string
	for _, part := range strings.Split(why, ", ") {
		switch part {
		case "same words":
			parts = append(parts, p.T("call.why.same"))
		case "similar words":
			parts = append(parts, p.T("call.why.similar"))
		case "same category nearby":
			parts = append(parts, p.T("call.why.category"))
		case "same zone":
			parts = append(parts, p.T("call.why.zone"))
		}
	}
	return strings.Join(parts, p.T("call.why.sep"))
}
