package storetest

import (
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// testUrgencyOrder: the dispatcher's queue lists open incidents by
// priority, then the soonest deadline, counts all that match, and is one
// page.
func testUrgencyOrder(t *testing.T, s *services) {
	setPriority := func(id int64, p yaqaza.Priority) {
		t.Helper()
		if _, err := s.incidents.CorrectTriage(as(dispatcher), id, yaqaza.Correction{Priority: &p}); err != nil {
			t.Fatal(err)
		}
	}
	var ids []int64
	for i := 0; i < 5; i++ {
		s.tick(time.Minute)
		ids = append(ids, mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb,
			Text: "file d'attente " + seq(i), Location: inAgdal}).IncidentID)
	}
	setPriority(ids[0], yaqaza.P4)
	setPriority(ids[1], yaqaza.P3)
	setPriority(ids[2], yaqaza.P3)
	setPriority(ids[3], yaqaza.P1)
	setPriority(ids[4], yaqaza.P2)
	mustTransition(t, s, ids[4], yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "erreur"})

	f := yaqaza.IncidentFilter{Statuses: yaqaza.OpenStatuses(), Order: yaqaza.OrderUrgency, Limit: 3}
	page, err := s.incidents.FindIncidents(as(dispatcher), f)
	if err != nil {
		t.Fatal(err)
	}
	// P1, then the two P3s, the older (sooner deadline) first; the P4
	// waits behind, counted; the cancelled one is not there.
	want := []int64{ids[3], ids[1], ids[2]}
	if len(page.Incidents) != len(want) {
		t.Fatalf("got %d incidents, want %d", len(page.Incidents), len(want))
	}
	for i, inc := range page.Incidents {
		if inc.ID != want[i] {
			t.Fatalf("order %d: incident %d (%s), want %d", i, inc.ID, inc.Priority, want[i])
		}
	}
	if page.Total != 4 || page.NextCursor != "" {
		t.Errorf("total %d, cursor %q: want 4 and no cursor", page.Total, page.NextCursor)
	}

	f.Cursor = "aTE"
	_, err = s.incidents.FindIncidents(as(dispatcher), f)
	wantCode(t, err, yaqaza.EINVALID)
	_, err = s.incidents.FindIncidents(as(dispatcher), yaqaza.IncidentFilter{Order: "loudest"})
	wantCode(t, err, yaqaza.EINVALID)
}
