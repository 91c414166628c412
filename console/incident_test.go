package console_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// incidentCatalogText is a message of the incident page's catalog in a language,
// up to its first verb, so that formatted ones match too.
func incidentCatalogText(t *testing.T, key, lang string) string {
	t.Helper()
	b, err := os.ReadFile("i18n/incident.json")
	if err != nil {
		t.Fatal(err)
	}
	var cat map[string]map[string]string
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	s, ok := cat[key][lang]
	if !ok {
		t.Fatalf("no %s text for %s", lang, key)
	}
	s, _, _ = strings.Cut(s, "%")
	return s
}

func TestIncidentPage(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Un homme menace les passants avec un bâton", inMedina, yaqaza.P3)
	c := site.staff(t, "disp-page", yaqaza.RoleDispatcher)
	st, body := c.get(fmt.Sprintf("/incidents/%d?lang=en", id))
	if st != http.StatusOK {
		t.Fatalf("incident page: %d\n%s", st, body)
	}
	for _, want := range []string{fmt.Sprintf("<h1>Incident #%d</h1>", id), `data-status="new"`, "menace les passants",
		`class="map" dir="ltr"`, `data-due="`, `action="/incidents/` + fmt.Sprint(id) + `/transition"`, `data-action="assign"`, "Incident opened"} {
		if !strings.Contains(body, want) {
			t.Errorf("the incident page lacks %s", want)
		}
	}
	if strings.Contains(body, "⟦") {
		t.Errorf("the incident page shows a missing catalog key")
	}
	if st, _ := c.get("/incidents/987654"); st != http.StatusNotFound {
		t.Errorf("an unknown incident answered %d, want 404", st)
	}
}

// TestIncidentActions: each form does what it says, and the page shows it.
func TestIncidentActions(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "disp-actions", yaqaza.RoleDispatcher)
	c.get("/lang/en?back=/password") // the redirects after each form keep to English
	a := openIncident(t, site, "Vitrine brisée à la pharmacie du boulevard", inAgdal, yaqaza.P3)
	b := openIncident(t, site, "Des enfants jettent des pierres sur les voitures", inMedina, yaqaza.P3)
	post := func(id int64, action string, form url.Values) string {
		t.Helper()
		st, body := c.post(fmt.Sprintf("/incidents/%d/%s?lang=en", id, action), form)
		if st != http.StatusOK || !strings.Contains(body, fmt.Sprintf("<h1>Incident #%d</h1>", id)) {
			t.Fatalf("%s on %d: %d, not back on the incident page:\n%s", action, id, st, body)
		}
		return body
	}

	body := post(a, "note", url.Values{"note": {"Le gérant rappellera demain"}})
	if !strings.Contains(body, "Le gérant rappellera demain") {
		t.Errorf("the note is not on the timeline")
	}
	post(a, "triage", url.Values{"category": {"vandalism"}, "priority": {"P2"}, "triage_reason": {"vu sur place"}})
	if inc := mustIncident(t, site, a); inc.Category != "vandalism" || inc.Priority != yaqaza.P2 {
		t.Errorf("triage not corrected: %s %s", inc.Category, inc.Priority)
	}
	post(a, "transition", url.Values{"to": {"triaged"}, "version": {fmt.Sprint(mustIncident(t, site, a).Version)}})
	post(a, "transition", url.Values{"to": {"resolved"}, "outcome": {"report_filed"}})
	post(a, "transition", url.Values{"to": {"closed"}, "outcome": {"report_filed"}})
	if inc := mustIncident(t, site, a); inc.Status != yaqaza.StatusClosed || inc.Outcome != "report_filed" {
		t.Errorf("not closed with its outcome: %s %q", inc.Status, inc.Outcome)
	}

	// Merge b into a third incident, then split b's report back out.
	target := openIncident(t, site, "Scooter volé devant la mosquée ce matin", inAgdal, yaqaza.P3)
	post(b, "transition", url.Values{"to": {"merged"}, "merge_into": {fmt.Sprint(target)}, "reason": {"même affaire"}})
	if inc := mustIncident(t, site, b); inc.Status != yaqaza.StatusMerged || inc.MergedInto != target {
		t.Fatalf("not merged: %s into %d", inc.Status, inc.MergedInto)
	}
	merged := mustIncident(t, site, target)
	if merged.ReportCount != 2 {
		t.Fatalf("the survivor has %d reports, want 2", merged.ReportCount)
	}
	post(target, "split", url.Values{"report": {fmt.Sprint(merged.Reports[1].ID)}, "split_reason": {"pas le même événement"}})
	if inc := mustIncident(t, site, target); inc.ReportCount != 1 {
		t.Errorf("split: the survivor still has %d reports", inc.ReportCount)
	}

	cancel := openIncident(t, site, "Chien errant agressif dans le jardin public", inMedina, yaqaza.P4)
	post(cancel, "transition", url.Values{"to": {"cancelled"}, "reason": {"signalé à la commune"}})
	if inc := mustIncident(t, site, cancel); inc.Status != yaqaza.StatusCancelled {
		t.Errorf("not cancelled: %s", inc.Status)
	}
}

// TestIncidentBadInput: every wrong form is answered beside its field, in
// the reader's language, and changes nothing.
func TestIncidentBadInput(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "disp-bad", yaqaza.RoleDispatcher)
	open := openIncident(t, site, "Rixe entre supporters après le match", inAgdal, yaqaza.P3)
	if _, err := site.Incidents.TransitionIncident(site.system(), open, yaqaza.Transition{To: yaqaza.StatusTriaged}); err != nil {
		t.Fatal(err)
	}
	resolved := openIncident(t, site, "Un homme ivre insulte les passants au marché", inMedina, yaqaza.P4)
	for _, to := range []yaqaza.Status{yaqaza.StatusTriaged, yaqaza.StatusResolved} {
		if _, err := site.Incidents.TransitionIncident(site.system(), resolved, yaqaza.Transition{To: to}); err != nil {
			t.Fatal(err)
		}
	}
	closed := openIncident(t, site, "Vol de câbles électriques sur le chantier", inAgdal, yaqaza.P3)
	if _, err := site.Incidents.TransitionIncident(site.system(), closed, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "test"}); err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name, lang, action string
		id                 int64
		form               url.Values
		field, key         string
	}{
		{"unknown status", "fr", "transition", open, url.Values{"to": {"flying"}}, "to", "incident.err.to"},
		{"illegal status", "en", "transition", open, url.Values{"to": {"closed"}, "outcome": {"arrest"}}, "to", "incident.err.to"},
		{"no status", "ar", "transition", open, url.Values{"to": {""}}, "to", "incident.err.to.required"},
		{"cancel without reason", "ar", "transition", open, url.Values{"to": {"cancelled"}, "reason": {"  "}}, "reason", "incident.err.reason.required"},
		{"refer without reason", "fr", "transition", open, url.Values{"to": {"referred"}}, "reason", "incident.err.reason.required"},
		{"unknown outcome", "en", "transition", open, url.Values{"to": {"resolved"}, "outcome": {"lucky"}}, "outcome", "incident.err.outcome.unknown"},
		{"close without outcome", "fr", "transition", resolved, url.Values{"to": {"closed"}}, "outcome", "incident.err.outcome.required"},
		{"merge target not a number", "en", "transition", open, url.Values{"to": {"merged"}, "merge_into": {"douze"}}, "merge_into", "incident.err.merge.number"},
		{"merge into itself", "fr", "transition", open, url.Values{"to": {"merged"}, "merge_into": {fmt.Sprint(open)}}, "merge_into", "incident.err.merge.self"},
		{"merge into a missing incident", "ar", "transition", open, url.Values{"to": {"merged"}, "merge_into": {"987654"}}, "merge_into", "incident.err.merge.target"},
		{"merge into a closed incident", "en", "transition", open, url.Values{"to": {"merged"}, "merge_into": {fmt.Sprint(closed)}}, "merge_into", "incident.err.merge.target"},
		{"stale version", "fr", "transition", open, url.Values{"to": {"dispatched"}, "version": {"1"}}, "to", "incident.err.conflict"},
		{"empty note", "fr", "note", open, url.Values{"note": {"   "}}, "note", "incident.err.note.required"},
		{"unknown category", "en", "triage", open, url.Values{"category": {"ufo"}}, "category", "incident.err.category"},
		{"unknown priority", "ar", "triage", open, url.Values{"priority": {"P9"}}, "priority", "incident.err.priority"},
		{"no correction", "en", "triage", open, url.Values{}, "category", "incident.err.triage.nothing"},
		{"split the only report", "fr", "split", open, url.Values{"report": {"1"}, "split_reason": {"x"}}, "report", "incident.err.split.only"},
		{"split another incident's report", "en", "split", open, url.Values{"report": {"2"}, "split_reason": {"x"}}, "report", "incident.err.split.report"},
		{"split without reason", "ar", "split", open, url.Values{"report": {"1"}}, "split_reason", "incident.err.reason.required"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := mustIncident(t, site, tc.id)
			st, body := c.post(fmt.Sprintf("/incidents/%d/%s?lang=%s", tc.id, tc.action, tc.lang), tc.form)
			if st != http.StatusBadRequest {
				t.Fatalf("answered %d, want 400:\n%s", st, body)
			}
			// The message is beside the field, in the page's language.
			beside := fmt.Sprintf(`<p class="error" id="e-%s" role="alert">`, tc.field)
			i := strings.Index(body, beside)
			if i < 0 {
				t.Fatalf("no error beside %s:\n%s", tc.field, body)
			}
			msg, _, _ := strings.Cut(html.UnescapeString(body[i+len(beside):]), "</p>")
			if want := incidentCatalogText(t, tc.key, tc.lang); !strings.HasPrefix(msg, want) {
				t.Errorf("beside %s: %q, want the %s text %q", tc.field, msg, tc.lang, want)
			}
			after := mustIncident(t, site, tc.id)
			if after.Version != before.Version || len(after.Timeline) != len(before.Timeline) || after.Status != before.Status {
				t.Errorf("the incident changed: version %d → %d, timeline %d → %d", before.Version, after.Version,
					len(before.Timeline), len(after.Timeline))
			}
		})
	}
}

// TestIncidentRefusals: no CSRF token, or a role without the right,
// and nothing is written.
func TestIncidentRefusals(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Colis suspect abandonné à l'arrêt de bus", inAgdal, yaqaza.P3)
	before := mustIncident(t, site, id)

	disp := site.staff(t, "disp-refuse", yaqaza.RoleDispatcher)
	disp.get(fmt.Sprintf("/incidents/%d", id))
	if st, _ := disp.postForm(fmt.Sprintf("/incidents/%d/note", id), url.Values{"note": {"sans jeton"}}); st != http.StatusForbidden {
		t.Errorf("a note without the CSRF token answered %d, want 403", st)
	}

	analyst := site.staff(t, "analyst-refuse", yaqaza.RoleAnalyst)
	st, body := analyst.get(fmt.Sprintf("/incidents/%d", id))
	if st != http.StatusOK {
		t.Fatalf("the analyst's incident page: %d", st)
	}
	if strings.Contains(body, `/note"`) || strings.Contains(body, `/transition"`) || strings.Contains(body, `data-action="assign"`) {
		t.Errorf("the analyst is offered actions")
	}
	for action, form := range map[string]url.Values{
		"note":       {"note": {"une note"}},
		"transition": {"to": {"triaged"}},
		"triage":     {"priority": {"P1"}},
	} {
		if st, _ := analyst.post(fmt.Sprintf("/incidents/%d/%s", id, action), form); st != http.StatusForbidden {
			t.Errorf("the analyst's %s answered %d, want 403", action, st)
		}
	}
	after := mustIncident(t, site, id)
	if after.Version != before.Version || len(after.Timeline) != len(before.Timeline) {
		t.Errorf("refused posts changed the incident")
	}
}
