package console_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// TestIncidentTimelineInTheReadersLanguage: the store words its automatic
// events in English ("MED-1 assigned", "sent MED-1", "opened from a call
// report"); the French page says them from the events' fields instead —
// the unit's call sign, the report's channel — and shows what a person
// wrote (a note) as written.
func TestIncidentTimelineInTheReadersLanguage(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Vol à l'arraché d'un sac devant la poste de Bab Boujloud", inMedina, yaqaza.P2)
	recs, err := site.Units.Recommend(site.system(), id, 1)
	if err != nil || len(recs) == 0 {
		t.Fatalf("no unit to send: %v", err)
	}
	if _, err := site.Units.Assign(site.system(), id, yaqaza.AssignInput{Units: []int64{recs[0].Unit.ID}}); err != nil {
		t.Fatal(err)
	}
	if _, err := site.Incidents.AddNote(site.system(), id, "Le témoin attend devant la poste"); err != nil {
		t.Fatal(err)
	}
	c := site.staff(t, "disp-timeline", yaqaza.RoleDispatcher)
	c.get("/lang/fr?back=/password") // the language is chosen as a person does, and remembered
	st, body := c.get(fmt.Sprintf("/incidents/%d", id))
	if st != http.StatusOK || !strings.Contains(body, `lang="fr"`) {
		t.Fatalf("incident page: %d, not in French", st)
	}
	// Triage's reasons, above the timeline, are in French too.
	for _, english := range []string{"words: ", ": category ", "mentioned"} {
		if strings.Contains(body, english) {
			t.Errorf("the French page shows triage's English %q", english)
		}
	}
	timeline := body[strings.Index(body, `class="incident-timeline"`):]
	for _, english := range []string{" assigned", "sent ", "opened from"} {
		if strings.Contains(timeline, english) {
			t.Errorf("the French timeline shows the store's English %q:\n%s", english, timeline)
		}
	}
	for _, want := range []string{recs[0].Unit.CallSign, "Le témoin attend devant la poste"} {
		if !strings.Contains(timeline, want) {
			t.Errorf("the timeline does not show %q:\n%s", want, timeline)
		}
	}
}
