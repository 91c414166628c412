package console_test

// Browser tests of the staff pages, against the board and incident page
// contract: the live board, dispatch in two clicks, and every staff page
// drawn in Arabic and French without a script error.

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/yaqaza/yaqaza"
)

// requirePage skips the test while a staff page does not exist yet: an
// anonymous visit to one that exists is sent to sign in, not answered 404.
func requirePage(t *testing.T, site *browserSite, path string) {
	t.Helper()
	if st := site.status(t, path); st == http.StatusNotFound {
		t.Skipf("the console has no %s page yet (an anonymous GET answered 404), so this test cannot run", path)
	}
}

// TestBrowserDispatch: a citizen's report appears on the dispatcher's open
// board without a reload; the dispatcher assigns the recommended unit in
// two clicks; the store has it dispatched; the citizen's tracking page
// says officers are on their way.
func TestBrowserDispatch(t *testing.T) {
	site := startBrowserSite(t)
	requirePage(t, site, "/board")
	b := newBrowser(t, site)

	disp := b.signedIn(t, "disp1", yaqaza.RoleDispatcher, "ar")
	if st := disp.open("/board"); st != http.StatusOK {
		disp.fail("open the board", fmt.Errorf("answered %d", st))
	}
	disp.waitLive()
	disp.do("mark the loaded page", chromedp.Evaluate[chromedp.Void](`window.__noReload = 1`))

	citizen := b.tab(t)
	citizen.language("ar", "/")
	citizen.do("type the report", chromedp.SendKeys(chromedp.ID("f-text"), theftAR), chromedp.SendKeys(chromedp.ID("f-place"), placeAR))
	if st := citizen.submitReport(); st != http.StatusOK {
		citizen.fail("submit the report", fmt.Errorf("answered %d", st))
	}
	code := citizen.trackingCode()
	before := citizen.text("#track-status")
	stepsBefore := citizen.count(".history li")

	incs := site.incidents(t, "")
	if len(incs) != 1 {
		t.Fatalf("after one report the store holds %d incidents, want 1", len(incs))
	}
	inc := incs[0]
	if inc.Status == yaqaza.StatusDispatched {
		t.Fatalf("incident %d was dispatched before the dispatcher acted (priority %s): the test needs a report that waits on the queue", inc.ID, inc.Priority)
	}
	row := fmt.Sprintf(`#queue tr[data-incident-id="%d"]`, inc.ID)
	disp.do("wait for the new incident on the board", chromedp.WaitVisible(chromedp.CSS(row)))
	disp.checkNoReload("the new incident appeared")
	disp.checkQueueRow(row, inc)
	disp.checkUnitBoard()

	disp.do("ask for the recommended units", chromedp.Click(chromedp.CSS(row+` button[data-action="recommend"]`)))
	assign := `button[data-action="assign"][data-unit-id]`
	disp.do("wait for the recommended units", chromedp.WaitVisible(chromedp.CSS(assign)))
	unit := value(disp, "read the first unit", chromedp.AttributeValue(chromedp.CSS(assign), "data-unit-id")).Value
	unitID, err := strconv.ParseInt(unit, 10, 64)
	if err != nil {
		disp.fail("read the first unit", fmt.Errorf("data-unit-id=%q is not a unit id", unit))
	}
	disp.do("assign the first unit", chromedp.Click(chromedp.CSS(assign)))
	disp.waitFor("the row to show the incident dispatched",
		fmt.Sprintf(`document.querySelector(%q)?.getAttribute("data-status") === "dispatched"`, row))
	disp.checkNoReload("the incident was dispatched")
	got := site.waitForIncident(t, inc.ID, "dispatch by disp1", func(i *yaqaza.Incident) bool {
		return i.Status == yaqaza.StatusDispatched && len(i.Assignments) > 0
	})
	if a, by := got.Assignments[0], site.userRef(t, "disp1"); a.UnitID != unitID || a.AssignedBy != by {
		t.Errorf("the store has unit %d assigned by %q, want unit %d (the first recommended) by disp1 (%s)", a.UnitID, a.AssignedBy, unitID, by)
	}
	disp.waitFor("the unit board to show the unit busy",
		fmt.Sprintf(`(document.querySelector('tr[data-unit-id="%d"]')?.getAttribute("data-status") || "available") !== "available"`, unitID))
	disp.screenshot("board-dispatched-ar")

	// The citizen's page, loaded again, tells them officers are coming.
	citizen.open("/track/" + code)
	after := citizen.text("#track-status")
	if want := yaqaza.PublicDispatched.Label("ar"); after != want || after == before {
		t.Errorf("the tracking page shows %q after the dispatch (before: %q), want %q", after, before, want)
	}
	if n := citizen.count(".history li"); n <= stepsBefore {
		t.Errorf("the tracking history has %d steps after the dispatch, %d before: the dispatch is not in it", n, stepsBefore)
	}
	citizen.screenshot("tracked-dispatched-ar")

	checkBurst(t, site, disp)
}

// TestBrowserStaffPages draws the board, an incident, the call-taker's
// page and the command dashboard in Arabic and French, with live events
// running, and checks each reads in its direction without an error.
func TestBrowserStaffPages(t *testing.T) {
	site := startBrowserSite(t)
	requirePage(t, site, "/board")
	ids := seedIncidents(t, site)
	b := newBrowser(t, site)

	t.Run("dispatcher", func(t *testing.T) {
		incident := fmt.Sprintf("/incidents/%d", ids[0])
		var missing []string
		for _, p := range []string{incident, "/call"} {
			if site.status(t, p) == http.StatusNotFound {
				missing = append(missing, p)
			}
		}
		inc, err := site.Incidents.FindIncidentByID(site.system(), ids[0])
		if err != nil {
			t.Fatal(err)
		}
		tab := b.signedIn(t, "disp2", yaqaza.RoleDispatcher, "ar")
		for _, lang := range []string{"ar", "fr"} {
			tab.language(lang, "/board")
			tab.waitLive()
			tab.do("wait for the queue", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#queue tr[data-incident-id="%d"]`, ids[0]))))
			if n := tab.count("#queue tr[data-incident-id]"); n != len(ids) {
				t.Errorf("the %s board shows %d incidents, want the %d open ones", lang, n, len(ids))
			}
			tab.checkUnitBoard()
			tab.screenshot("board-" + lang)

			if !slices.Contains(missing, incident) {
				tab.open(incident)
				tab.checkDirection(lang)
				if h := tab.text("h1"); !containsNumber(h, inc.ID) {
					t.Errorf("the %s incident page's h1 %q does not carry the incident number %d", lang, h, inc.ID)
				}
				st := value(tab, "read [data-status]", chromedp.AttributeValue(chromedp.CSS("[data-status]"), "data-status"))
				if st.Value != string(inc.Status) {
					t.Errorf("the %s incident page has data-status=%q, the store %q", lang, st.Value, inc.Status)
				}
				tab.screenshot("incident-" + lang)
			}
			if !slices.Contains(missing, "/call") {
				tab.open("/call")
				tab.checkDirection(lang)
				tab.screenshot("call-" + lang)
			}
		}
		if len(missing) > 0 {
			t.Skipf("the console has no %s page yet (404), so they were not tested", strings.Join(missing, ", "))
		}
	})
	t.Run("command", func(t *testing.T) {
		requirePage(t, site, "/dashboard")
		tab := b.signedIn(t, "chief1", yaqaza.RoleCommand, "ar")
		for _, lang := range []string{"ar", "fr"} {
			tab.language(lang, "/dashboard")
			tab.waitFor("the charts to be drawn", `Array.from(document.querySelectorAll("canvas[data-chart]")).every(c => c._chart)`)
			tab.screenshot("dashboard-" + lang)
		}
	})
}

// checkBurst sends nine reports in one batch (three kinds, three times
// each) and checks that they cost the board a refresh or two of its
// queue, not one per event, and no reload. A third refresh is allowed for
// events just before the burst, whose refresh may still be pending.
func checkBurst(t *testing.T, site *browserSite, disp *browserTab) {
	t.Helper()
	refreshes := `performance.getEntriesByType("resource").filter(e => new URL(e.name).pathname === "/board/queue").length`
	n0 := value(disp, "count the queue's refreshes", chromedp.Evaluate[int](refreshes))
	var burst []*yaqaza.ReportInput
	for range 3 {
		burst = append(burst, seedReports()[:3]...) // not the armed one: its auto-dispatch would come later
	}
	items, err := site.Reports.SubmitReports(site.system(), burst, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		disp.do("wait for the burst on the board", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`#queue tr[data-incident-id="%d"]`, it.Receipt.IncidentID))))
	}
	n := value(disp, "count the queue's refreshes", chromedp.Evaluate[int](refreshes)) - n0
	if n < 1 || n > 3 {
		t.Errorf("a burst of %d reports cost the board %d refreshes of its queue, want 1 to 3", len(burst), n)
	}
	t.Logf("a burst of %d reports cost the board %d refreshes of its queue", len(burst), n)
	disp.checkNoReload("a burst of reports arrived")
}

// seedReports are reports of several kinds in several districts. The
// armed one (last) is P1: the node dispatches it at once, so the board
// shows a dispatched row beside new ones.
func seedReports() []*yaqaza.ReportInput {
	return []*yaqaza.ReportInput{
		{Channel: yaqaza.ChannelWeb, Text: theftAR, Place: placeAR, Language: "ar", Location: &yaqaza.Point{Lat: 34.0617, Lon: -4.9836}},
		{Channel: yaqaza.ChannelWeb, Text: "Cambriolage d'un appartement, la porte a été forcée cette nuit", Place: "Agdal", Language: "fr"},
		{Channel: yaqaza.ChannelWeb, Text: "Vitrines cassées et voitures rayées devant un café, tags sur les murs", Place: "Saïss", Language: "fr"},
		{Channel: yaqaza.ChannelWeb, Text: "Individu armé d'un couteau qui menace les passants", Place: "Zouagha", Language: "fr"},
	}
}

// seedIncidents opens one incident per seed report, through the report
// service as the channels do, and returns their ids.
func seedIncidents(t *testing.T, site *browserSite) []int64 {
	t.Helper()
	var ids []int64
	for _, in := range seedReports() {
		rec, err := site.Reports.SubmitReport(site.system(), in)
		if err != nil {
			t.Fatalf("report %q: %v", in.Text, err)
		}
		if slices.Contains(ids, rec.IncidentID) {
			t.Fatalf("report %q joined an earlier incident: the seed needs distinct incidents", in.Text)
		}
		ids = append(ids, rec.IncidentID)
	}
	return ids
}

// waitLive waits until the page's event stream is open (htmx's SSE
// extension keeps its EventSource on the element with sse-connect), so
// that an event sent from now on reaches the page.
func (tb *browserTab) waitLive() {
	tb.t.Helper()
	if tb.count(`[sse-connect^="/api/v1/events"]`) == 0 {
		tb.fail("find the live stream", fmt.Errorf(`no element has sse-connect="/api/v1/events": the board is not live as the contract says`))
	}
	tb.waitFor("the event stream to open", `Array.from(document.querySelectorAll("[sse-connect]")).some(e => {
		const d = e["htmx-internal-data"];
		return d && d.sseEventSource && d.sseEventSource.readyState === EventSource.OPEN;
	})`)
}

// checkNoReload checks the marker set on the loaded page is still there.
func (tb *browserTab) checkNoReload(after string) {
	tb.t.Helper()
	if !value(tb, "read the marker", chromedp.Evaluate[bool](`window.__noReload === 1`)) {
		tb.fail("check the page was not reloaded", fmt.Errorf("the page was reloaded when %s", after))
	}
}

// checkQueueRow checks a queue row against the contract and the store.
func (tb *browserTab) checkQueueRow(row string, inc *yaqaza.Incident) {
	tb.t.Helper()
	missing := value(tb, "read the row", chromedp.Evaluate[[]string](fmt.Sprintf(`(() => {
		const r = document.querySelector(%q), miss = [];
		if (r.dataset.status !== %q) miss.push("data-status=%s (got " + r.dataset.status + ")");
		if (r.dataset.priority !== %q) miss.push("data-priority=%s (got " + r.dataset.priority + ")");
		if (!r.querySelector('a[href="/incidents/%d"]')) miss.push('a link a[href="/incidents/%d"]');
		if (!r.querySelector('button[data-action="recommend"]')) miss.push('a button[data-action="recommend"]');
		return miss;
	})()`, row, inc.Status, inc.Status, inc.Priority, inc.Priority, inc.ID, inc.ID)))
	for _, m := range missing {
		tb.t.Errorf("the queue row of incident %d lacks %s", inc.ID, m)
	}
	if inc.Deadline == nil {
		return
	}
	due := value(tb, "read the countdown", chromedp.AttributeValue(chromedp.CSS(row+" [data-due]"), "data-due"))
	at, err := time.Parse(time.RFC3339, due.Value)
	if !due.Exists || err != nil || at.Sub(inc.Deadline.Due).Abs() > time.Second {
		tb.t.Errorf("the queue row of incident %d has data-due=%q, want its deadline %s in RFC 3339", inc.ID, due.Value, inc.Deadline.Due.Format(time.RFC3339))
	}
}

// checkUnitBoard checks the unit board lists the fleet with each unit's status.
func (tb *browserTab) checkUnitBoard() {
	tb.t.Helper()
	units, err := tb.site.Units.FindUnits(tb.site.system(), yaqaza.UnitFilter{})
	if err != nil {
		tb.t.Fatal(err)
	}
	if len(units) == 0 {
		return
	}
	sel := fmt.Sprintf(`tr[data-unit-id="%d"]`, units[0].ID)
	if tb.count(sel) == 0 {
		tb.t.Errorf("the unit board has no row %s (the pack has %d units)", sel, len(units))
		return
	}
	if st := value(tb, "read a unit's status", chromedp.AttributeValue(chromedp.CSS(sel), "data-status")); !st.Exists || st.Value == "" {
		tb.t.Errorf("the unit row %s has no data-status", sel)
	}
}

// userRef is how the store names a person in its records: "user:<id>".
func (s *browserSite) userRef(t *testing.T, username string) string {
	t.Helper()
	users, err := s.Users.FindUsers(s.system())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		if u.Username == username {
			return "user:" + strconv.FormatInt(u.ID, 10)
		}
	}
	t.Fatalf("no user %s", username)
	return ""
}

// count is how many elements sel matches now.
func (tb *browserTab) count(sel string) int {
	tb.t.Helper()
	return value(tb, "count "+sel, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll(%q).length`, sel)))
}

// waitFor waits until a JavaScript expression is true on the page.
func (tb *browserTab) waitFor(what, expr string) {
	tb.t.Helper()
	tb.do("wait for "+what, chromedp.Poll[chromedp.Void](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
}

// containsNumber reports whether s shows n, in Latin or Arabic-Indic digits.
func containsNumber(s string, n int64) bool {
	latin := strconv.FormatInt(n, 10)
	arabic := strings.Map(func(r rune) rune { return r - '0' + '٠' }, latin)
	return strings.Contains(s, latin) || strings.Contains(s, arabic)
}
