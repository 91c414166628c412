package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// TestUnitStatusFromBoard: a dispatcher takes a unit off duty and back from
// the unit board; an unknown status is refused beside the unit and changes
// nothing; an analyst, who reads units, cannot move them.
func TestUnitStatusFromBoard(t *testing.T) {
	site := startBrowserSite(t)
	units, err := site.Units.FindUnits(site.system(), yaqaza.UnitFilter{Statuses: []yaqaza.UnitStatus{yaqaza.UnitAvailable}})
	if err != nil || len(units) == 0 {
		t.Fatalf("no available unit: %v", err)
	}
	u := units[0]
	path := fmt.Sprintf("/units/%d/status", u.ID)
	status := func() yaqaza.UnitStatus {
		got, err := site.Units.FindUnitByID(site.system(), u.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got.Status
	}

	d := site.staff(t, "disp-units", yaqaza.RoleDispatcher)
	d.get("/board")
	st, body := d.fragment(http.MethodPost, path, url.Values{"status": {"off_duty"}})
	if st != http.StatusOK || status() != yaqaza.UnitOffDuty || !strings.Contains(body, fmt.Sprintf(`data-unit-id="%d" data-status="off_duty"`, u.ID)) {
		t.Fatalf("off duty: %d, unit %s\n%s", st, status(), body)
	}
	st, body = d.fragment(http.MethodPost, path, url.Values{"status": {"asleep"}})
	if st != http.StatusOK || status() != yaqaza.UnitOffDuty || !strings.Contains(body, "اختر حالة من القائمة") {
		t.Fatalf("unknown status: %d, unit %s, want the Arabic message beside the unit\n%s", st, status(), body)
	}
	if st, _ := d.post(path, url.Values{"status": {"available"}}); st != http.StatusOK || status() != yaqaza.UnitAvailable {
		t.Fatalf("back on duty without htmx: %d, unit %s", st, status())
	}

	a := site.staff(t, "analyst-units", yaqaza.RoleAnalyst)
	if st, _ := a.post(path, url.Values{"status": {"busy"}}); st != http.StatusForbidden || status() != yaqaza.UnitAvailable {
		t.Fatalf("analyst: %d, unit %s; want 403 and no change", st, status())
	}
	if st, _ := d.postForm(path, url.Values{"status": {"busy"}}); st != http.StatusForbidden || status() != yaqaza.UnitAvailable {
		t.Fatalf("without CSRF: %d, unit %s; want 403 and no change", st, status())
	}
}
