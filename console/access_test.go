package console_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/storetest"
)

const (
	zoneMedina = "03.231.01.07" // zoneAgdal is in board_test.go
	// plantedPhone is a reporter's number: only roles that read personal
	// data may find it on a page.
	plantedPhone = "0612345678"
)

// TestPermissionMatrixThroughConsole checks every role × action × own zone
// / other zone through the console's pages and forms, signed in as a
// person of that role scoped to Fès-Médina, against the policy as the
// prefecture states it (storetest.PermissionMatrix, the same statement
// the services and the API are tested against). A change that is allowed
// answers 200 or 303 and is checked in the store; a refused one answers
// 403 and changes nothing. Follow-up notifications have no page of their
// own: the probe reads them through the API with the console's session,
// as the incident page's scripts would.
func TestPermissionMatrixThroughConsole(t *testing.T) {
	site := startBrowserSite(t)
	units, err := site.Units.FindUnits(site.system(), yaqaza.UnitFilter{Kind: "patrol"})
	if err != nil || len(units) == 0 {
		t.Fatalf("fleet: %v", err)
	}
	unit := units[0].ID
	seq := 0
	incident := func(p *yaqaza.Point, cleared bool) *yaqaza.Receipt {
		t.Helper()
		seq++
		// Each a separate event: received three days apart, beyond the
		// windows in which triage joins reports of the same place and words.
		received := time.Now().Add(-time.Duration(seq) * 72 * time.Hour)
		r, err := site.Ledger.SubmitReport(site.system(), &yaqaza.ReportInput{Channel: yaqaza.ChannelImport, ReceivedAt: &received,
			Text: fmt.Sprintf("Tapage nocturne numéro %d", seq), Location: p, Reporter: &yaqaza.Contact{Phone: plantedPhone}})
		if err != nil {
			t.Fatal(err)
		}
		if r.Triage != nil && r.Triage.Joined {
			t.Fatalf("report %d joined incident %d: the probes need an incident each", r.ReportID, r.IncidentID)
		}
		if cleared {
			if _, err := site.Incidents.ClearForPublication(site.system(), r.IncidentID, true); err != nil {
				t.Fatal(err)
			}
		}
		return r
	}
	statusOf := func(id int64) yaqaza.Status {
		inc, err := site.Incidents.FindIncidentByID(site.system(), id)
		if err != nil {
			t.Fatal(err)
		}
		return inc.Status
	}
	// A probe returns the answer's status and body; a probe whose change
	// the answer claims but the store does not show returns 500.
	type probe func(c *staffClient, p *yaqaza.Point, zone string) (int, string)
	probes := map[string]probe{
		"submit": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			seq++
			return c.send("/call", url.Values{"text": {"Appel pour un vol de téléphone"}, "form_token": {fmt.Sprintf("%032x", seq)},
				"lat": {fmt.Sprint(p.Lat)}, "lon": {fmt.Sprint(p.Lon)}})
		},
		"read": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			return c.get(fmt.Sprintf("/incidents/%d", incident(p, true).IncidentID))
		},
		"change": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			id := incident(p, false).IncidentID
			to := yaqaza.StatusTriaged // triage may have moved it on already: then resolve it
			if statusOf(id) != yaqaza.StatusNew {
				to = yaqaza.StatusResolved
			}
			st, body := c.send(fmt.Sprintf("/incidents/%d/transition", id), url.Values{"to": {string(to)}})
			if got := statusOf(id); (st < 400) != (got == to) {
				return 500, fmt.Sprintf("answered %d and the incident is %s", st, got)
			}
			return st, body
		},
		"triage": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			id := incident(p, false).IncidentID
			inc, err := site.Incidents.FindIncidentByID(site.system(), id)
			if err != nil {
				t.Fatal(err)
			}
			to := yaqaza.P4
			if inc.Priority == yaqaza.P4 {
				to = yaqaza.P3
			}
			st, body := c.send(fmt.Sprintf("/incidents/%d/triage", id), url.Values{"priority": {to.String()}})
			if after, _ := site.Incidents.FindIncidentByID(site.system(), id); (st < 400) != (after.Priority == to) {
				return 500, fmt.Sprintf("answered %d and the priority is %s", st, after.Priority)
			}
			return st, body
		},
		"personal": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			st, body := c.get(fmt.Sprintf("/incidents/%d", incident(p, true).IncidentID))
			if st == http.StatusOK && !strings.Contains(body, plantedPhone) {
				return http.StatusForbidden, "the page shows the incident without the reporter's contact"
			}
			return st, body
		},
		"dispatch": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			return c.get(fmt.Sprintf("/incidents/%d/recommend", incident(p, false).IncidentID))
		},
		"unit": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) {
			st, body := c.send(fmt.Sprintf("/units/%d/status", unit), url.Values{"status": {"busy"}})
			if st < 400 {
				if _, err := site.Units.SetUnitStatus(site.system(), unit, yaqaza.UnitAvailable); err != nil {
					t.Fatal(err)
				}
			}
			return st, body
		},
		"units": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) { return c.get("/board/units") },
		"clear": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			return c.send(fmt.Sprintf("/incidents/%d/publication", incident(p, false).IncidentID), url.Values{"cleared": {"true"}})
		},
		"publish": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			return c.send(fmt.Sprintf("/publications/%d/statement", incident(p, true).IncidentID),
				url.Values{"language": {"fr"}, "text": {"La police est intervenue rapidement."}})
		},
		"stats": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) { return c.get("/dashboard") },
		"export": func(c *staffClient, _ *yaqaza.Point, zone string) (int, string) {
			return c.get("/api/v1/export/incidents.csv?zone=" + zone)
		},
		"audit": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) { return c.get("/audit") },
		"users": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) { return c.get("/admin/accounts") },
		"config": func(c *staffClient, p *yaqaza.Point, zone string) (int, string) {
			seq++
			return c.send("/admin/places", url.Values{"name": {fmt.Sprintf("Place %d", seq)}, "zone": {zone},
				"lat": {fmt.Sprint(p.Lat)}, "lon": {fmt.Sprint(p.Lon)}})
		},
		"followup": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) { return c.get("/api/v1/notifications") },
		"plan": func(c *staffClient, p *yaqaza.Point, _ string) (int, string) {
			return c.send("/dashboard/plan?period=7d", url.Values{"hotspot": {fmt.Sprintf("%f|%f|Test", p.Lat, p.Lon)},
				"instruction": {"présence visible"}, "hours": {"8"}})
		},
		"self": func(c *staffClient, _ *yaqaza.Point, _ string) (int, string) { return c.get("/password") },
	}
	if len(probes) != len(yaqaza.Actions) {
		t.Fatalf("%d probes for %d actions: every action needs one", len(probes), len(yaqaza.Actions))
	}
	sides := []struct {
		own  bool
		p    *yaqaza.Point
		zone string
	}{{true, inMedina, zoneMedina}, {false, inAgdal, zoneAgdal}}
	for _, role := range yaqaza.Roles {
		c := site.staff(t, "matrix-"+strings.ReplaceAll(string(role), "_", "-"), role, zoneMedina)
		allowed := map[string]bool{}
		for _, a := range strings.Fields(storetest.PermissionMatrix[role]) {
			allowed[a] = true
		}
		for name, probe := range probes {
			for _, side := range sides {
				want := allowed[name] && (side.own || !storetest.ZoneBound[name])
				status, body := probe(c, side.p, side.zone)
				switch got := status < 400; {
				case got != want:
					t.Errorf("%s %s (own zone %v): %d, want allowed=%v\n%s", role, name, side.own, status, want, alerts(body))
				case !want && status != http.StatusForbidden:
					t.Errorf("%s %s (own zone %v): refused with %d, want 403\n%s", role, name, side.own, status, alerts(body))
				}
			}
		}
	}
}

var alertPattern = regexp.MustCompile(`(?s)role="alert"[^>]*>(.*?)<`)

// alerts are the messages a page shows beside its fields, or the start of
// the page when it shows none.
func alerts(body string) string {
	var out []string
	for _, m := range alertPattern.FindAllStringSubmatch(body, -1) {
		out = append(out, strings.TrimSpace(m[1]))
	}
	if len(out) == 0 {
		return fmt.Sprintf("%.300s", body)
	}
	return strings.Join(out, " | ")
}
