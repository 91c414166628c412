package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

func testLifecycle(t *testing.T, s *services) {
	r := mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "سرقة بالعنف قرب محطة القطار", Location: inAgdal})
	path := []yaqaza.Status{yaqaza.StatusTriaged, yaqaza.StatusDispatched, yaqaza.StatusEnRoute, yaqaza.StatusOnScene, yaqaza.StatusResolved, yaqaza.StatusClosed}
	for i, to := range path {
		s.tick(3 * time.Minute)
		inc := mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: to, Version: int64(i + 1)})
		if inc.Status != to || inc.Version != int64(i+2) || !inc.UpdatedAt.Equal(s.now) {
			t.Fatalf("after → %s: status %s version %d updated %v", to, inc.Status, inc.Version, inc.UpdatedAt)
		}
	}
	inc := mustIncident(t, s, r.IncidentID)
	changes := statusChanges(inc.Timeline)
	if len(changes) != len(path) {
		t.Fatalf("timeline has %d status changes, want %d", len(changes), len(path))
	}
	prev := yaqaza.StatusNew
	for i, e := range changes {
		if e.Kind != yaqaza.EventStatusChanged || e.FromStatus != prev || e.ToStatus != path[i] || e.ActorID != dispatcher.ID || e.ActorName != dispatcher.Name {
			t.Errorf("event %d = %+v", i+1, e)
		}
		prev = path[i]
	}
	if !inc.Status.Final() {
		t.Error("closed should be final")
	}
	// Resolving told the reporter (who left no contact: the tracking page
	// does), and nothing more is owed.
	if inc.InformedAt == nil || inc.Deadline != nil {
		t.Errorf("closed incident: informed %v, deadline %+v", inc.InformedAt, inc.Deadline)
	}
}

func statusChanges(events []*yaqaza.TimelineEvent) []*yaqaza.TimelineEvent {
	var out []*yaqaza.TimelineEvent
	for _, e := range events {
		if e.Kind == yaqaza.EventStatusChanged {
			out = append(out, e)
		}
	}
	return out
}

func testIllegalTransitionChangesNothing(t *testing.T, s *services) {
	r := mustSubmit(t, anonymous, s, web("Tapage et bagarre devant un café, rue Talaa Kebira"))
	before := mustIncident(t, s, r.IncidentID)
	for _, to := range []yaqaza.Status{yaqaza.StatusEnRoute, yaqaza.StatusOnScene, yaqaza.StatusResolved, yaqaza.StatusClosed, yaqaza.StatusNew} {
		_, err := s.incidents.TransitionIncident(as(dispatcher), r.IncidentID, yaqaza.Transition{To: to})
		wantCode(t, err, yaqaza.ECONFLICT)
		if !strings.Contains(yaqaza.ErrorMessage(err), "allowed next") {
			t.Errorf("new → %s: message %q does not say what is allowed", to, yaqaza.ErrorMessage(err))
		}
	}
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "prank call"})
	_, err := s.incidents.TransitionIncident(as(dispatcher), r.IncidentID, yaqaza.Transition{To: yaqaza.StatusTriaged})
	wantCode(t, err, yaqaza.ECONFLICT)
	if !strings.Contains(yaqaza.ErrorMessage(err), "final") {
		t.Errorf("message %q should say cancelled is final", yaqaza.ErrorMessage(err))
	}
	after := mustIncident(t, s, r.IncidentID)
	if after.Version != before.Version+1 || len(statusChanges(after.Timeline)) != 1 {
		t.Fatalf("refused transitions changed the incident: version %d → %d, %d status changes",
			before.Version, after.Version, len(statusChanges(after.Timeline)))
	}
	_, err = s.incidents.TransitionIncident(as(dispatcher), 999999, yaqaza.Transition{To: yaqaza.StatusTriaged})
	wantCode(t, err, yaqaza.ENOTFOUND)
}

func testTransitionRules(t *testing.T, s *services) {
	r := mustSubmit(t, anonymous, s, web("Un homme menace des passants avec un couteau à Bensouda"))
	id := r.IncidentID
	cases := []struct {
		name string
		tr   yaqaza.Transition
		code string
	}{
		{"cancel without reason", yaqaza.Transition{To: yaqaza.StatusCancelled}, yaqaza.EINVALID},
		{"refer without reason", yaqaza.Transition{To: yaqaza.StatusReferred, Reason: "  "}, yaqaza.EINVALID},
		{"merge without target", yaqaza.Transition{To: yaqaza.StatusMerged}, yaqaza.EINVALID},
		{"merge into itself", yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: id}, yaqaza.EINVALID},
		{"merge into nothing", yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: 424242}, yaqaza.EINVALID},
		{"target on non-merge", yaqaza.Transition{To: yaqaza.StatusTriaged, MergeInto: 3}, yaqaza.EINVALID},
		{"unknown status", yaqaza.Transition{To: "solved"}, yaqaza.EINVALID},
		{"no status", yaqaza.Transition{}, yaqaza.EINVALID},
		{"stale version", yaqaza.Transition{To: yaqaza.StatusTriaged, Version: 7}, yaqaza.ECONFLICT},
	}
	for _, c := range cases {
		_, err := s.incidents.TransitionIncident(as(dispatcher), id, c.tr)
		if yaqaza.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	_, err := s.incidents.TransitionIncident(anonymous, id, yaqaza.Transition{To: yaqaza.StatusTriaged})
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
	if inc := mustIncident(t, s, id); inc.Version != 1 || len(inc.Timeline) != 1 {
		t.Fatalf("refused transitions changed the incident: version %d", inc.Version)
	}
	// Reopening needs a reason; with one it goes back to triaged.
	for _, to := range []yaqaza.Status{yaqaza.StatusDispatched, yaqaza.StatusOnScene, yaqaza.StatusResolved} {
		mustTransition(t, s, id, yaqaza.Transition{To: to})
	}
	_, err = s.incidents.TransitionIncident(as(dispatcher), id, yaqaza.Transition{To: yaqaza.StatusTriaged})
	wantCode(t, err, yaqaza.EINVALID)
	inc := mustTransition(t, s, id, yaqaza.Transition{To: yaqaza.StatusTriaged, Reason: "the suspect came back"})
	if inc.Status != yaqaza.StatusTriaged || inc.Reason != "the suspect came back" {
		t.Fatalf("reopened incident = %s %q", inc.Status, inc.Reason)
	}
}

func testMerge(t *testing.T, s *services) {
	a := mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "Bagarre générale au souk", Location: inMedina})
	b := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "مضاربة كبيرة فالسوق", Location: inMedina})
	c := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Rixe au souk, plusieurs blessés", Location: inMedina})
	// b and c into a: a survives with three reports.
	mustTransition(t, s, b.IncidentID, yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: a.IncidentID})
	merged := mustTransition(t, s, c.IncidentID, yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: a.IncidentID})
	if merged.Status != yaqaza.StatusMerged || merged.MergedInto != a.IncidentID {
		t.Fatalf("merged incident = %s into %d", merged.Status, merged.MergedInto)
	}
	survivor := mustIncident(t, s, a.IncidentID)
	if survivor.ReportCount != 3 || len(survivor.Reports) != 3 {
		t.Fatalf("survivor has %d reports (count %d), want 3", len(survivor.Reports), survivor.ReportCount)
	}
	var mergeEvents int
	for _, e := range survivor.Timeline {
		if e.Kind == yaqaza.EventIncidentMerged {
			mergeEvents++
		}
	}
	if mergeEvents != 2 {
		t.Errorf("survivor timeline has %d merge events, want 2", mergeEvents)
	}
	gone := mustIncident(t, s, b.IncidentID)
	if len(gone.Reports) != 0 || gone.ReportCount != 0 {
		t.Errorf("merged incident still holds %d reports", len(gone.Reports))
	}
	last := gone.Timeline[len(gone.Timeline)-1]
	if last.ToStatus != yaqaza.StatusMerged || last.OtherIncidentID != a.IncidentID {
		t.Errorf("merged incident's last event = %+v", last)
	}
	// No merging into a closed or merged incident.
	_, err := s.incidents.TransitionIncident(as(dispatcher), a.IncidentID, yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: b.IncidentID})
	wantCode(t, err, yaqaza.ECONFLICT)
}

func testListFiltersAndPages(t *testing.T, s *services) {
	places := []*yaqaza.Point{inMedina, inAgdal, inZouagha, inMariniyine}
	var ids []int64
	for i := 0; i < 23; i++ {
		s.tick(time.Minute)
		r := mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "signalement numéro " + seq(i), Location: places[i%4]})
		ids = append(ids, r.IncidentID)
	}
	mustTransition(t, s, ids[0], yaqaza.Transition{To: yaqaza.StatusTriaged})
	mustTransition(t, s, ids[4], yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "doublon"})

	// Pages of 5 walk every incident exactly once, newest first.
	var seen []int64
	f := yaqaza.IncidentFilter{Limit: 5}
	for pages := 0; ; pages++ {
		page, err := s.incidents.FindIncidents(as(dispatcher), f)
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Incidents) > 5 || pages > 10 {
			t.Fatalf("page of %d", len(page.Incidents))
		}
		for _, inc := range page.Incidents {
			seen = append(seen, inc.ID)
		}
		if page.NextCursor == "" {
			break
		}
		f.Cursor = page.NextCursor
	}
	if len(seen) != len(ids) {
		t.Fatalf("pagination saw %d incidents, want %d", len(seen), len(ids))
	}
	for i := range seen {
		if seen[i] != ids[len(ids)-1-i] {
			t.Fatalf("pagination order broken at %d: %v", i, seen)
		}
	}
	count := func(f yaqaza.IncidentFilter) int {
		t.Helper()
		f.Limit = 500
		page, err := s.incidents.FindIncidents(as(dispatcher), f)
		if err != nil {
			t.Fatal(err)
		}
		return len(page.Incidents)
	}
	from, to := s.now.Add(-10*time.Minute), s.now.Add(-4*time.Minute)
	checks := []struct {
		name string
		f    yaqaza.IncidentFilter
		want int
	}{
		{"zone", yaqaza.IncidentFilter{Zones: []string{zoneAgdal}}, 6},
		{"two zones", yaqaza.IncidentFilter{Zones: []string{zoneAgdal, zoneMedina}}, 12},
		{"status", yaqaza.IncidentFilter{Statuses: []yaqaza.Status{yaqaza.StatusTriaged}}, 1},
		{"open statuses", yaqaza.IncidentFilter{Statuses: yaqaza.OpenStatuses()}, 22},
		{"priority", yaqaza.IncidentFilter{Priorities: []yaqaza.Priority{yaqaza.P3}}, 23},
		{"other priority", yaqaza.IncidentFilter{Priorities: []yaqaza.Priority{yaqaza.P1}}, 0},
		{"time range", yaqaza.IncidentFilter{From: &from, To: &to}, 6},
		{"text", yaqaza.IncidentFilter{Text: "numéro 0012"}, 1},
		{"text is not a pattern", yaqaza.IncidentFilter{Text: "%"}, 0},
		{"text and zone", yaqaza.IncidentFilter{Text: "SIGNALEMENT", Zones: []string{zoneMedina}}, 6},
	}
	for _, c := range checks {
		if got := count(c.f); got != c.want {
			t.Errorf("%s: %d incidents, want %d", c.name, got, c.want)
		}
	}
	for _, bad := range []yaqaza.IncidentFilter{{Cursor: "not-a-cursor"}, {Limit: 100000}, {Statuses: []yaqaza.Status{"lost"}}} {
		_, err := s.incidents.FindIncidents(as(dispatcher), bad)
		wantCode(t, err, yaqaza.EINVALID)
	}
	_, err := s.incidents.FindIncidents(anonymous, yaqaza.IncidentFilter{})
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
}
