package console_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

const (
	dashAgdal  = "03.231.01.01"
	dashMedina = "03.231.01.07"
)

var (
	dashPointMedina = &yaqaza.Point{Lat: 34.0617, Lon: -4.9836} // Bab Boujloud
	dashPointAgdal  = &yaqaza.Point{Lat: 34.03, Lon: -5.0}
)

// dashboardScene is the store the dashboard tests read: four incidents in
// the Médina (one opened three hours ago and never touched, so late; one
// resolved with an arrest) and two in Agdal (one cancelled).
type dashboardScene struct {
	medina, agdal []int64
	late          int64 // the Médina incident past its deadline
}

func newDashboardScene(t *testing.T, site *browserSite) dashboardScene {
	t.Helper()
	var sc dashboardScene
	submit := func(text string, at *yaqaza.Point, ago time.Duration) int64 {
		t.Helper()
		in := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: text, Location: at, Language: "fr"}
		if ago > 0 {
			when := time.Now().Add(-ago)
			in.Channel, in.ReceivedAt = yaqaza.ChannelImport, &when
		}
		r, err := site.Reports.SubmitReport(site.system(), in)
		if err != nil {
			t.Fatalf("SubmitReport(%q): %v", text, err)
		}
		if r.IncidentID == 0 || (r.Triage != nil && r.Triage.Joined) {
			t.Fatalf("%q did not open an incident of its own: %+v", text, r)
		}
		return r.IncidentID
	}
	sc.late = submit("Cambriolage d'un magasin de tapis, porte forcée", dashPointMedina, 3*time.Hour)
	sc.medina = []int64{sc.late,
		submit("Vol de sac à main près de Bab Boujloud", dashPointMedina, 0),
		submit("Graffitis et vitrines cassées dans la ruelle", dashPointMedina, 0),
		submit("Voiture qui roule à contresens à grande vitesse", dashPointMedina, 0)}
	sc.agdal = []int64{submit("Escroquerie par téléphone, faux virement", dashPointAgdal, 0),
		submit("Tapage nocturne et bagarre devant un café", dashPointAgdal, 0)}
	for _, id := range append(append([]int64{}, sc.medina...), sc.agdal...) {
		inc, err := site.Incidents.FindIncidentByID(site.system(), id)
		if err != nil {
			t.Fatal(err)
		}
		want := dashMedina
		if id == sc.agdal[0] || id == sc.agdal[1] {
			want = dashAgdal
		}
		if inc.ZoneCode != want {
			t.Fatalf("incident %d was placed in %q, want %q", id, inc.ZoneCode, want)
		}
	}
	move := func(id int64, tr yaqaza.Transition) {
		t.Helper()
		if _, err := site.Incidents.TransitionIncident(site.system(), id, tr); err != nil {
			t.Fatalf("incident %d → %s: %v", id, tr.To, err)
		}
	}
	resolved := sc.medina[1]
	if inc, _ := site.Incidents.FindIncidentByID(site.system(), resolved); inc.Status == yaqaza.StatusNew {
		move(resolved, yaqaza.Transition{To: yaqaza.StatusTriaged})
	}
	move(resolved, yaqaza.Transition{To: yaqaza.StatusResolved, Outcome: yaqaza.OutcomeArrest})
	move(sc.agdal[0], yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "test: not a police matter"})
	return sc
}

// figure is the text of the element carrying data-figure="name" inside
// the first element matching scope (a zone's row, or the page's cards).
func dashFigure(t *testing.T, body, scope, name string) string {
	t.Helper()
	i := strings.Index(body, scope)
	if i < 0 {
		t.Fatalf("no %s on the page", scope)
	}
	m := regexp.MustCompile(`data-figure="` + name + `">([^<]*)<`).FindStringSubmatch(body[i:])
	if m == nil {
		t.Fatalf("no figure %s after %s", name, scope)
	}
	return html.UnescapeString(m[1])
}

func dashZoneRow(zone string) string { return `<tr data-zone="` + zone + `">` }

func TestDashboardFigures(t *testing.T) {
	site := startBrowserSite(t)
	sc := newDashboardScene(t, site)
	command := site.staff(t, "cmd1", yaqaza.RoleCommand)
	pack := geo.DefaultPack()

	st, body := command.get("/dashboard?lang=en")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", st, body)
	}
	for _, c := range []struct{ scope, name, want string }{
		{`class="cards dash-cards"`, "incidents", "6"},
		{`class="cards dash-cards"`, "open", "4"},
		{dashZoneRow(dashMedina), "incidents", "4"},
		{dashZoneRow(dashMedina), "open", "3"},
		{dashZoneRow(dashAgdal), "incidents", "2"},
		{dashZoneRow(dashAgdal), "open", "1"},
	} {
		if got := dashFigure(t, body, c.scope, c.name); got != c.want {
			t.Errorf("%s %s: %q, want %q", c.scope, c.name, got, c.want)
		}
	}
	if got := dashFigure(t, body, dashZoneRow(dashMedina), "late"); got == "0" {
		t.Errorf("the Médina shows no late incident")
	}
	// Late list: the untouched incident, linked, with its owner.
	row := regexp.MustCompile(`(?s)<tr class="is-late" data-incident="` + strconv.FormatInt(sc.late, 10) + `">(.*?)</tr>`).FindStringSubmatch(body)
	if row == nil || !strings.Contains(row[1], fmt.Sprintf(`href="/incidents/%d"`, sc.late)) || !strings.Contains(row[1], "late by") {
		t.Fatalf("the late incident %d is not listed with its link and delay:\n%v", sc.late, row)
	}
	// Categories by their pack names; the Médina clearance is one in four.
	inc, _ := site.Incidents.FindIncidentByID(site.system(), sc.late)
	if name := dashCategoryName(pack, inc.Category, "en"); !strings.Contains(body, html.EscapeString(name)) {
		t.Errorf("the category %s is not shown as %q", inc.Category, name)
	}
	if !strings.Contains(body[strings.Index(body, dashZoneRow(dashMedina)):], ">25%<") {
		t.Errorf("the Médina's clearance rate is not 25%%")
	}

	// The same figures in French and Arabic, with their labels and decimals
	// (6 incidents for 1,167,842 residents: 0.5 per 100,000).
	for _, c := range []struct{ lang, label, per100k, population string }{
		{"en", "Per 100,000 residents", "0.5", "1,167,842"},
		{"fr", "Taux d&#39;élucidation", "0,5", ""},
		{"ar", "نسبة الحل", "0,5", "1.167.842"},
	} {
		st, body := command.get("/dashboard?lang=" + c.lang)
		if st != http.StatusOK || !strings.Contains(body, c.label) {
			t.Errorf("%s: %d, label %q missing", c.lang, st, c.label)
			continue
		}
		if got := dashFigure(t, body, `class="cards dash-cards"`, "per100k"); got != c.per100k {
			t.Errorf("%s: per 100,000 %q, want %q", c.lang, got, c.per100k)
		}
		if got := dashFigure(t, body, `class="cards dash-cards"`, "incidents"); got != "6" {
			t.Errorf("%s: %s incidents, want 6", c.lang, got)
		}
		if c.population != "" && !strings.Contains(body, ">"+c.population+"<") {
			t.Errorf("%s: the prefecture's population is not written %s", c.lang, c.population)
		}
		if name := dashCategoryName(pack, inc.Category, c.lang); !strings.Contains(body, html.EscapeString(name)) {
			t.Errorf("%s: the category is not named %q", c.lang, name)
		}
	}

	// The charts: valid Chart.js configurations, one bucket per day of the
	// last 30, per week and month of the last 12; the days hold all six.
	for _, c := range []struct {
		period  string
		buckets int
	}{{yaqaza.TrendDay, 30}, {yaqaza.TrendWeek, 12}, {yaqaza.TrendMonth, 12}} {
		cfg := dashChart(t, body, c.period)
		if len(cfg.Data.Labels) != c.buckets {
			t.Errorf("%s chart: %d labels, want %d", c.period, len(cfg.Data.Labels), c.buckets)
		}
		if len(cfg.Data.Datasets) != len(pack.Zones) {
			t.Errorf("%s chart: %d datasets, want one per zone (%d)", c.period, len(cfg.Data.Datasets), len(pack.Zones))
		}
		total := 0
		for _, ds := range cfg.Data.Datasets {
			if len(ds.Data) != c.buckets {
				t.Errorf("%s chart: dataset %s has %d values", c.period, ds.Label, len(ds.Data))
			}
			for _, n := range ds.Data {
				total += n
			}
		}
		if c.period == yaqaza.TrendDay && total != 6 {
			t.Errorf("the daily chart counts %d incidents, want 6", total)
		}
	}
	if !strings.Contains(body, `<div class="chart" dir="ltr">`) || !strings.Contains(body, "<details>") {
		t.Errorf("charts are not in a left-to-right container with a table beside them")
	}

	// The wall screen's refresh gets the figures alone.
	st, frag := command.fragment(http.MethodGet, "/dashboard?period=7d&lang=en", nil)
	if st != http.StatusOK || !strings.HasPrefix(strings.TrimSpace(frag), `<div id="dash"`) || strings.Contains(frag, "<html") {
		t.Errorf("refresh: %d, not the figures alone:\n%.300s", st, frag)
	}
	if got := dashFigure(t, frag, `class="cards dash-cards"`, "incidents"); got != "6" {
		t.Errorf("refresh: %s incidents, want 6", got)
	}

	// The CSV of the same figures.
	st, csv := command.get("/dashboard.csv?period=30d&lang=en")
	if st != http.StatusOK || !strings.Contains(csv, dashMedina+",Fès Medina,49775,4,") {
		t.Errorf("dashboard.csv: %d\n%s", st, csv)
	}
}

// TestDashboardDistrictHead: a district head sees their own district's
// figures and late incidents, and nothing of another district.
func TestDashboardDistrictHead(t *testing.T) {
	site := startBrowserSite(t)
	sc := newDashboardScene(t, site)
	// The command opens the same period first: its figures, computed for
	// the whole prefecture, are not what the district head is shown.
	command := site.staff(t, "cmd1", yaqaza.RoleCommand)
	if _, body := command.get("/dashboard?lang=fr"); !strings.Contains(body, dashZoneRow(dashMedina)) {
		t.Fatalf("the command does not see the Médina")
	}
	head := site.staff(t, "chef-agdal", yaqaza.RoleDistrictHead, dashAgdal)
	st, body := head.get("/dashboard?lang=fr")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d\n%s", st, body)
	}
	if got := dashFigure(t, body, `class="cards dash-cards"`, "incidents"); got != "2" {
		t.Errorf("Agdal's head counts %s incidents, want Agdal's 2", got)
	}
	if !strings.Contains(body, "Mes zones") || !strings.Contains(body, dashZoneRow(dashAgdal)) {
		t.Errorf("Agdal's own figures are missing")
	}
	for _, leak := range []string{dashZoneRow(dashMedina), "Fès-Médina", fmt.Sprintf(`data-incident="%d"`, sc.late),
		fmt.Sprintf(`/incidents/%d"`, sc.late)} {
		if strings.Contains(body, leak) {
			t.Errorf("Agdal's head sees %s", leak)
		}
	}
	cfg := dashChart(t, body, yaqaza.TrendDay)
	if len(cfg.Data.Datasets) != 1 || cfg.Data.Datasets[0].Label != "Agdal" {
		t.Errorf("Agdal's head's chart has datasets %+v", cfg.Data.Datasets)
	}
}

// TestDashboardPeriod: a period that is not one is refused beside its
// field, in the reader's language, and nothing is computed.
func TestDashboardPeriod(t *testing.T) {
	site := startBrowserSite(t)
	analyst := site.staff(t, "analyst1", yaqaza.RoleAnalyst)
	for _, c := range []struct{ path, field, want string }{
		{"/dashboard?lang=fr&from=2026-13-45&to=2026-11-28", "from", "Date invalide"},
		{"/dashboard?lang=en&from=2024-01-01&to=2026-11-28", "from", "A period is at most 400 days"},
		{"/dashboard?lang=ar&from=2026-11-28&to=2026-11-01", "to", "يجب ألا يسبق تاريخ النهاية تاريخ البداية"},
		{"/dashboard?lang=en&period=decade", "period", "Choose a period from the list"},
	} {
		st, body := analyst.get(c.path)
		if st != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", c.path, st)
			continue
		}
		m := regexp.MustCompile(`<p class="error" id="e-` + c.field + `" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
		if m == nil || !strings.Contains(html.UnescapeString(m[1]), c.want) {
			t.Errorf("%s: no %q beside the %s field: %v", c.path, c.want, c.field, m)
		}
		if strings.Contains(body, `id="dash"`) {
			t.Errorf("%s: figures shown for a refused period", c.path)
		}
	}
	if st, body := analyst.get("/dashboard?lang=en&from=2026-01-01&to=2026-01-31"); st != http.StatusOK || !strings.Contains(body, "From 1 Jan 2026 to 31 Jan 2026") {
		t.Errorf("a month by its dates: %d", st)
	}
	dispatcher := site.staff(t, "disp1", yaqaza.RoleDispatcher)
	if st, _ := dispatcher.get("/dashboard"); st != http.StatusForbidden {
		t.Errorf("a dispatcher's dashboard: %d, want 403", st)
	}
}

// dashChartJS is the part of a Chart.js configuration the tests read.
type dashChartJS struct {
	Type string `json:"type"`
	Data struct {
		Labels   []string `json:"labels"`
		Datasets []struct {
			Label string `json:"label"`
			Data  []int  `json:"data"`
		} `json:"datasets"`
	} `json:"data"`
}

func dashChart(t *testing.T, body, period string) dashChartJS {
	t.Helper()
	i := strings.Index(body, `data-trend="`+period+`"`)
	if i < 0 {
		t.Fatalf("no %s trend", period)
	}
	m := regexp.MustCompile(`<canvas data-chart="([^"]*)"`).FindStringSubmatch(body[i:])
	if m == nil {
		t.Fatalf("no chart in the %s trend", period)
	}
	var cfg dashChartJS
	if err := json.Unmarshal([]byte(html.UnescapeString(m[1])), &cfg); err != nil {
		t.Fatalf("the %s chart's configuration is not JSON: %v\n%s", period, err, m[1])
	}
	if cfg.Type != "bar" {
		t.Errorf("%s chart type %q", period, cfg.Type)
	}
	return cfg
}

func dashCategoryName(p *yaqaza.Pack, code, lang string) string {
	for _, c := range p.Categories {
		if c.Code == code {
			return c.Names.In(lang)
		}
	}
	return code
}
