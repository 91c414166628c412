package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/yaqaza/yaqaza"
)

// Places in Fès, checked against the pack's polygons (storetest uses the same).
var (
	inMedina = &yaqaza.Point{Lat: 34.0617, Lon: -4.9836} // Bab Boujloud, 03.231.01.07
	inAgdal  = &yaqaza.Point{Lat: 34.03, Lon: -5.0}      // 03.231.01.01
)

const zoneAgdal = "03.231.01.01"

// openIncident submits a web report and returns the incident it opened,
// set to the priority asked (a correction, so that no auto-dispatch runs).
func openIncident(t *testing.T, site *browserSite, text string, at *yaqaza.Point, pr yaqaza.Priority) int64 {
	t.Helper()
	rec, err := site.Ledger.SubmitReport(site.system(), &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: text, Location: at})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Opened == 0 {
		t.Fatalf("report %q joined incident %d instead of opening one", text, rec.IncidentID)
	}
	inc := mustIncident(t, site, rec.IncidentID)
	if inc.Priority != pr {
		if _, err := site.Incidents.CorrectTriage(site.system(), rec.IncidentID, yaqaza.Correction{Priority: &pr}); err != nil {
			t.Fatal(err)
		}
	}
	return rec.IncidentID
}

func mustIncident(t *testing.T, site *browserSite, id int64) *yaqaza.Incident {
	t.Helper()
	inc, err := site.Incidents.FindIncidentByID(site.system(), id)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

// queueRow finds an incident's row of the queue.
func queueRow(body string, id int64) string {
	m := regexp.MustCompile(`(?s)<tr data-incident-id="` + fmt.Sprint(id) + `".*?</tr>`).FindString(body)
	return m
}

func TestBoardQueue(t *testing.T) {
	site := startBrowserSite(t)
	low := openIncident(t, site, "Tapage nocturne, musique très forte depuis minuit", inAgdal, yaqaza.P4)
	high := openIncident(t, site, "Accident de la route, voiture renversée, un blessé", inMedina, yaqaza.P2)
	top := openIncident(t, site, "Vol à l'arraché d'un sac près de la gare", inAgdal, yaqaza.P1)
	closed := openIncident(t, site, "Graffiti sur le mur de l'école primaire", inMedina, yaqaza.P3)
	if _, err := site.Incidents.TransitionIncident(site.system(), closed, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "erreur"}); err != nil {
		t.Fatal(err)
	}

	c := site.staff(t, "disp-queue", yaqaza.RoleDispatcher)
	for _, path := range []string{"/board?lang=fr", "/board/queue?lang=fr"} {
		st, body := c.get(path)
		if st != http.StatusOK {
			t.Fatalf("%s: %d\n%s", path, st, body)
		}
		if queueRow(body, closed) != "" {
			t.Errorf("%s lists the cancelled incident %d", path, closed)
		}
		var at []int
		for _, id := range []int64{top, high, low} {
			row := queueRow(body, id)
			if row == "" {
				t.Fatalf("%s does not list open incident %d", path, id)
			}
			for _, want := range []string{fmt.Sprintf(`href="/incidents/%d"`, id), `data-status="new"`, `data-due="`, `data-action="recommend"`} {
				if !strings.Contains(row, want) {
					t.Errorf("%s: row of %d lacks %s:\n%s", path, id, want, row)
				}
			}
			at = append(at, strings.Index(body, row))
		}
		if !(at[0] < at[1] && at[1] < at[2]) {
			t.Errorf("%s: queue not in priority order P1, P2, P4 (positions %v)", path, at)
		}
		if !strings.Contains(queueRow(body, top), `data-priority="P1"`) {
			t.Errorf("%s: the P1 row does not say so", path)
		}
	}
	st, body := c.get("/board?lang=fr")
	if st != http.StatusOK || !strings.Contains(body, `id="queue"`) || !strings.Contains(body, `sse-connect="/api/v1/events"`) ||
		!strings.Contains(body, `class="map`) || !strings.Contains(body, "Tableau de dispatch") {
		t.Errorf("the board page lacks its queue, live stream, map or French title")
	}
	if !regexp.MustCompile(`<tr data-unit-id="\d+" data-status="available"`).MatchString(body) {
		t.Errorf("the unit board lists no available unit")
	}
}

func TestBoardDistrictScope(t *testing.T) {
	site := startBrowserSite(t)
	mine := openIncident(t, site, "Bagarre devant le café, deux hommes", inAgdal, yaqaza.P3)
	other := openIncident(t, site, "Cambriolage d'une boutique de tapis", inMedina, yaqaza.P3)
	c := site.staff(t, "head-agdal", yaqaza.RoleDistrictHead, zoneAgdal)
	st, body := c.get("/board")
	if st != http.StatusOK {
		t.Fatalf("district head's board: %d", st)
	}
	if queueRow(body, mine) == "" {
		t.Errorf("the Agdal head's board lacks the Agdal incident")
	}
	if queueRow(body, other) != "" {
		t.Errorf("the Agdal head's board shows the Médina incident")
	}
	if st, _ := c.get(fmt.Sprintf("/incidents/%d", other)); st != http.StatusForbidden && st != http.StatusNotFound {
		t.Errorf("the Agdal head opened the Médina incident: %d", st)
	}
}

func TestBoardRecommendAndAssign(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Vol de téléphone dans le bus, le voleur est parti", inAgdal, yaqaza.P3)
	c := site.staff(t, "disp-assign", yaqaza.RoleDispatcher)
	c.get("/board")

	st, panel := c.fragment("GET", fmt.Sprintf("/incidents/%d/recommend?lang=en", id), nil)
	m := regexp.MustCompile(`data-action="assign" data-unit-id="(\d+)"`).FindStringSubmatch(panel)
	if st != http.StatusOK || m == nil {
		t.Fatalf("recommendations: %d, no assign button:\n%s", st, panel)
	}
	unit := m[1]

	// A unit that is not one is refused in the panel, in the page's language.
	before := mustIncident(t, site, id)
	st, body := c.fragment("POST", fmt.Sprintf("/incidents/%d/assign?lang=en", id), url.Values{"unit": {"seven"}})
	if st != http.StatusBadRequest || !strings.Contains(body, "Choose a unit from the list.") {
		t.Errorf("a bad unit: %d, no message:\n%s", st, body)
	}
	if after := mustIncident(t, site, id); after.Version != before.Version {
		t.Errorf("a bad unit changed the incident (version %d → %d)", before.Version, after.Version)
	}

	st, body = c.fragment("POST", fmt.Sprintf("/incidents/%d/assign?lang=en", id), url.Values{"unit": {unit}})
	if st != http.StatusOK {
		t.Fatalf("assign: %d\n%s", st, body)
	}
	if !strings.Contains(body, `hx-swap-oob="innerHTML"`) || !strings.Contains(queueRow(body, id), `data-status="dispatched"`) {
		t.Errorf("the answer does not refresh the queue with the incident dispatched:\n%s", body)
	}
	inc := mustIncident(t, site, id)
	if inc.Status != yaqaza.StatusDispatched || len(inc.Assignments) != 1 || fmt.Sprint(inc.Assignments[0].UnitID) != unit {
		t.Errorf("stored: status %s, assignments %v; want dispatched with unit %s", inc.Status, inc.Assignments, unit)
	}

	// The same unit again: it is busy now, and the panel says so.
	st, body = c.fragment("POST", fmt.Sprintf("/incidents/%d/assign?lang=fr", id), url.Values{"unit": {unit}})
	if st != http.StatusConflict || !strings.Contains(body, "Impossible de dépêcher cette unité") {
		t.Errorf("a busy unit: %d, no French message:\n%s", st, body)
	}
}

func TestBoardRefusals(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Voiture garée sur le trottoir depuis trois jours", inAgdal, yaqaza.P4)

	analyst := site.staff(t, "analyst-board", yaqaza.RoleAnalyst)
	st, body := analyst.get("/board")
	if st != http.StatusOK || queueRow(body, id) == "" {
		t.Fatalf("the analyst's board: %d, incident listed: %v", st, queueRow(body, id) != "")
	}
	if strings.Contains(body, `data-action="recommend"`) {
		t.Errorf("the analyst is offered to dispatch")
	}
	units, _ := site.Units.FindUnits(site.system(), yaqaza.UnitFilter{Statuses: []yaqaza.UnitStatus{yaqaza.UnitAvailable}})
	if st, _ := analyst.post(fmt.Sprintf("/incidents/%d/assign", id), url.Values{"unit": {fmt.Sprint(units[0].ID)}}); st != http.StatusForbidden {
		t.Errorf("the analyst's assignment answered %d, want 403", st)
	}

	disp := site.staff(t, "disp-csrf", yaqaza.RoleDispatcher)
	if st, _ := disp.postForm(fmt.Sprintf("/incidents/%d/assign", id), url.Values{"unit": {fmt.Sprint(units[0].ID)}}); st != http.StatusForbidden {
		t.Errorf("an assignment without the CSRF token answered %d, want 403", st)
	}
	if inc := mustIncident(t, site, id); inc.Status != yaqaza.StatusNew || len(inc.Assignments) != 0 {
		t.Errorf("refused assignments changed the incident: %s, %d assignments", inc.Status, len(inc.Assignments))
	}

	comms := site.staff(t, "comms-board", yaqaza.RoleCommunication)
	if st, _ := comms.get("/board"); st != http.StatusForbidden {
		t.Errorf("the communications office's board answered %d, want 403", st)
	}
}

// TestBoardBrowserDispatch: in a real browser, two clicks dispatch an
// incident without a reload, and an incident opened after the page
// loaded appears by the live stream, in the queue and on the map — which
// keeps the zoom its reader chose.
func TestBoardBrowserDispatch(t *testing.T) {
	site := startBrowserSite(t)
	b := newBrowser(t, site)
	id := openIncident(t, site, "Vol de vélo devant la faculté des lettres", inAgdal, yaqaza.P3)
	tb := b.signedIn(t, "disp-browser", yaqaza.RoleDispatcher, "fr")
	tb.open("/board")
	tb.settle()
	row := fmt.Sprintf(`#queue tr[data-incident-id="%d"]`, id)
	value(tb, "mark the page", chromedp.Evaluate[bool](`window.notReloaded = true`))
	tb.do("recommend", chromedp.Click(chromedp.CSS(row+` button[data-action="recommend"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#recommend button[data-action="assign"]`)))
	tb.do("assign", chromedp.Click(chromedp.CSS(`#recommend button[data-action="assign"]`)),
		chromedp.WaitVisible(chromedp.CSS(row+`[data-status="dispatched"]`)))
	site.waitForIncident(t, id, "dispatch", func(inc *yaqaza.Incident) bool { return inc.Status == yaqaza.StatusDispatched })

	shown := value(tb, "zoom the map in", chromedp.Evaluate[int](`(() => {
		const m = document.querySelector("#board-map .map");
		m._map.setZoom(m._map.getZoom() + 1, { animate: false });
		window.chosenZoom = m._map.getZoom();
		return +m.dataset.shown;
	})()`))
	later := openIncident(t, site, "Agression verbale dans le tramway, l'homme est descendu", inMedina, yaqaza.P3)
	tb.do("wait for the live row", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#queue tr[data-incident-id="%d"]`, later))))
	tb.waitFor("the new incident on the map", fmt.Sprintf(`+document.querySelector("#board-map .map").dataset.shown > %d`, shown))
	if !value(tb, "check no reload", chromedp.Evaluate[bool](`window.notReloaded === true`)) {
		t.Errorf("the board reloaded")
	}
	if !value(tb, "check the zoom", chromedp.Evaluate[bool](`document.querySelector("#board-map .map")._map.getZoom() === window.chosenZoom`)) {
		t.Errorf("the live map lost the zoom its reader chose")
	}

	tb.open(fmt.Sprintf("/incidents/%d", id))
	tb.settle()
	if got := tb.text("main [data-status]"); got == "" || !strings.Contains(tb.text("h1"), fmt.Sprint(id)) {
		t.Errorf("the incident page: h1 %q, status %q", tb.text("h1"), got)
	}
}
