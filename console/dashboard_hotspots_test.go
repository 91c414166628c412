package console_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// TestDashboardHotspots: the Médina's four incidents at Bab Boujloud make
// the week's only hotspot (Agdal has one incident left, its other was
// cancelled), named after the place the admin put on the map, listed with
// its trend and categories in the reader's language, and drawn on the map
// as one shaded cell.
func TestDashboardHotspots(t *testing.T) {
	site := startBrowserSite(t)
	newDashboardScene(t, site)
	if err := sqlstore.NewPackService(site.DB).AddPlace(site.system(), yaqaza.Place{Name: "Bab Boujloud", Zone: dashMedina,
		Names: yaqaza.Names{AR: "باب بوجلود"},
		Point: &yaqaza.Point{Lat: 34.0616, Lon: -4.9837}}); err != nil {
		t.Fatal(err)
	}
	command := site.staff(t, "cmd1", yaqaza.RoleCommand)
	st, body := command.get("/dashboard?period=7d&lang=en")
	if st != http.StatusOK {
		t.Fatalf("dashboard: %d", st)
	}
	rows := regexp.MustCompile(`(?s)<table class="dash-table" id="hotspots">.*?<tbody>(.*?)</tbody>`).FindStringSubmatch(body)
	if rows == nil {
		t.Fatalf("no hotspot table:\n%s", body)
	}
	got := regexp.MustCompile(`(?s)<tr[^>]*>(.*?)</tr>`).FindAllStringSubmatch(rows[1], -1)
	if len(got) != 1 {
		t.Fatalf("%d hotspots listed, want the Médina's alone:\n%s", len(got), rows[1])
	}
	cells := regexp.MustCompile(`(?s)<t[dh][^>]*>(.*?)</t[dh]>`).FindAllStringSubmatch(got[0][1], -1)
	var text []string
	for _, c := range cells {
		text = append(text, html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(c[1], "")))
	}
	if len(text) != 7 || text[0] != "1" || text[1] != "Bab Boujloud" || text[2] != "Fès Medina" || text[3] != "4" || text[4] != "0" || text[5] != "+4" {
		t.Errorf("the hotspot's row: %q", text)
	}
	if !strings.Contains(body, `data-cells="[{&#34;sw&#34;:[`) || !strings.Contains(body, "1. Bab Boujloud: 4 incidents") {
		t.Errorf("the map is not given the cell and its label: %s", regexp.MustCompile(`data-cells="[^"]*"`).FindString(body))
	}
	_, body = command.get("/dashboard?period=7d&lang=fr")
	if !strings.Contains(body, "Points chauds") || !strings.Contains(body, "Période précédente") {
		t.Errorf("the French dashboard does not say its hotspots in French")
	}
	// A day without two incidents in a cell says so.
	_, body = command.get("/dashboard?from=2020-01-01&to=2020-01-02&lang=en")
	if !strings.Contains(body, `id="hotspots-none"`) {
		t.Errorf("a period without hotspots does not say so")
	}

	b := newBrowser(t, site)
	tab := b.signedIn(t, "chief2", yaqaza.RoleCommand, "ar")
	tab.language("ar", "/dashboard?period=7d")
	tab.waitFor("the hotspot to be drawn", `document.querySelectorAll("#hotspot-map path.hotspot").length === 1 && `+
		`document.getElementById("hotspot-map").getAttribute("data-cells-shown") === "1"`)
	if where := tab.text("#hotspots tbody th"); where != "باب بوجلود" {
		t.Errorf("in Arabic the hotspot is at %q, want its Arabic name", where)
	}
	tab.screenshot("dashboard-hotspots-ar")
}
