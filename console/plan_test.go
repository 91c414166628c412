package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/yaqaza/yaqaza"
)

// TestFieldPlanInConsole: the command adds a directive at the week's
// hotspot from the dashboard (the form checked in the reader's language
// first); the dispatcher sees it on the board and its map, and may not
// withdraw it; the command withdraws it from the board.
func TestFieldPlanInConsole(t *testing.T) {
	site := startBrowserSite(t)
	newDashboardScene(t, site)
	command := site.staff(t, "cmd1", yaqaza.RoleCommand)
	st, body := command.get("/dashboard?period=7d&lang=en")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	m := regexp.MustCompile(`(?s)id="f-hotspot".*?<option value="([^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no plan form with the hotspot:\n%s", body)
	}
	hotspot := m[1]
	for _, c := range []struct {
		form        url.Values
		field, want string
	}{
		{url.Values{"hotspot": {hotspot}, "instruction": {""}, "hours": {"12"}}, "instruction", "Write the directive."},
		{url.Values{"hotspot": {hotspot}, "instruction": {"x"}, "hours": {"5"}}, "hours", "Choose a length from the list."},
		{url.Values{"hotspot": {"nowhere"}, "instruction": {"x"}, "hours": {"12"}}, "hotspot", "Choose a hotspot from the list."},
		// Well formed, but Casablanca: the service refuses it, beside the field.
		{url.Values{"hotspot": {"33.573100|-7.589800|Casablanca"}, "instruction": {"x"}, "hours": {"12"}}, "hotspot", "Invalid value"},
	} {
		a := adminSend(command, "/dashboard/plan?period=7d&lang=en", c.form)
		if got := fieldError(a.body, c.field); a.status != http.StatusBadRequest || got != c.want {
			t.Errorf("%v: %d, %s message %q, want %q", c.form, a.status, c.field, got, c.want)
		}
	}
	instruction := "Présence visible à pied de 18 h à 22 h : vols à l'arraché"
	a := adminSend(command, "/dashboard/plan?period=7d", url.Values{"hotspot": {hotspot}, "instruction": {instruction}, "hours": {"12"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/dashboard?period=7d#h-hotspots" {
		t.Fatalf("adding the directive: %d to %q\n%s", a.status, a.header.Get("Location"), alerts(a.body))
	}
	list, err := site.Plans.FieldPlan(site.system(), time.Now())
	if err != nil || len(list) != 1 || list[0].Zone != dashMedina || list[0].Instruction != instruction ||
		list[0].Until.Sub(time.Now()) < 11*time.Hour {
		t.Fatalf("the plan after the form: %+v %v", list, err)
	}

	disp := site.staff(t, "disp1", yaqaza.RoleDispatcher)
	_, board := disp.get("/board?lang=fr")
	if !strings.Contains(board, "Plan de terrain") || !strings.Contains(board, "Présence visible à pied") {
		t.Errorf("the dispatcher's board does not show the plan")
	}
	if strings.Contains(board, `action="/board/plan/`) {
		t.Errorf("the dispatcher is offered to withdraw a directive")
	}
	// The panel's and the map's refreshes carry it too.
	if st, frag := disp.fragment(http.MethodGet, "/board/plan?lang=fr", nil); st != http.StatusOK || !strings.Contains(frag, "Présence visible à pied") || strings.Contains(frag, "<html") {
		t.Errorf("the plan panel's refresh: %d\n%.300s", st, frag)
	}
	if _, frag := disp.fragment(http.MethodGet, "/board/map", nil); !strings.Contains(html.UnescapeString(frag), `data-circles='[{"center":[`) {
		t.Errorf("the map's refresh does not carry the directive's circle:\n%.600s", frag)
	}
	if st, _ := disp.send("/board/plan/"+strconv.FormatInt(list[0].ID, 10)+"/withdraw", url.Values{}); st != http.StatusForbidden {
		t.Errorf("the dispatcher withdrawing: %d, want 403", st)
	}

	b := newBrowser(t, site)
	tab := b.signedIn(t, "disp2", yaqaza.RoleDispatcher, "fr")
	tab.open("/board")
	tab.waitFor("the directive on the map", `document.querySelectorAll("path.directive").length === 1`)
	// A second directive reaches the open board with the map's next refresh.
	if _, err := site.Plans.AddDirective(site.system(), yaqaza.DirectiveInput{Center: &yaqaza.Point{Lat: 34.03, Lon: -5.0},
		RadiusM: 500, Until: time.Now().Add(4 * time.Hour), Instruction: "Contrôles routiers"}); err != nil {
		t.Fatal(err)
	}
	tab.do("refresh the map", chromedp.Evaluate[chromedp.Void](`document.getElementById("board-map").dispatchEvent(new Event("board:refresh"))`))
	tab.waitFor("both directives on the map", `document.querySelectorAll("path.directive").length === 2`)

	head := site.staff(t, "head-agdal", yaqaza.RoleDistrictHead, "03.231.01.01")
	if a := adminSend(head, "/dashboard/plan?period=7d", url.Values{"hotspot": {hotspot}, "instruction": {"x"}, "hours": {"4"}}); a.status != http.StatusForbidden {
		t.Errorf("Agdal's head planning in the Médina: %d, want 403", a.status)
	}

	if st, _ := command.send("/board/plan/"+strconv.FormatInt(list[0].ID, 10)+"/withdraw", url.Values{}); st != http.StatusSeeOther {
		t.Fatalf("the command withdrawing: %d", st)
	}
	if _, board = disp.get("/board?lang=fr"); strings.Contains(board, "Présence visible à pied") || !strings.Contains(board, "Contrôles routiers") {
		t.Errorf("a withdrawn directive is still on the board, or the other is gone")
	}
	// A district with no directive says so.
	jnan := site.staff(t, "disp-jnan", yaqaza.RoleDispatcher, "03.231.01.09")
	if _, board = jnan.get("/board?lang=fr"); !strings.Contains(board, "Aucune consigne en vigueur dans vos zones.") {
		t.Errorf("an empty plan is not said so")
	}
}
