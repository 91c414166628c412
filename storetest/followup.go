package storetest

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

func subscribe(t testing.TB, s *services, role yaqaza.Role, zone, address string) {
	t.Helper()
	if _, err := s.db.AddSubscriber(as(admin), yaqaza.Subscriber{Name: string(role) + " " + zone, Role: role, Zone: zone,
		Channel: yaqaza.NotifyEmail, Address: address, Language: "fr"}); err != nil {
		t.Fatal(err)
	}
}

// notifications lists the outbox.
func notifications(t testing.TB, s *services) []yaqaza.Notification {
	t.Helper()
	list, err := s.db.FindNotifications(as(admin), 0)
	if err != nil {
		t.Fatal(err)
	}
	return list
}

func escalations(inc *yaqaza.Incident) []string {
	var out []string
	for _, e := range inc.Timeline {
		if e.Kind == yaqaza.EventEscalated {
			out = append(out, e.Detail)
		}
	}
	return out
}

func testDeadlinesAndEscalation(t *testing.T, s *services) {
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	subscribe(t, s, yaqaza.RoleDistrictHead, zoneMedina, "chef.medina@police.ma")
	subscribe(t, s, yaqaza.RoleDistrictHead, zoneAgdal, "chef.agdal@police.ma")
	subscribe(t, s, yaqaza.RoleCommand, "", "commandement@police.ma")
	opened := s.now
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Rixe à Bab Boujloud", Location: inMedina})
	inc := mustIncident(t, s, r.IncidentID)
	// P3 by default: acknowledged within 10 minutes.
	if inc.Deadline == nil || inc.Deadline.Stage != yaqaza.StageAcknowledged || !inc.Deadline.Due.Equal(opened.Add(10*time.Minute)) || inc.Owner == "" {
		t.Fatalf("new incident: owner %q deadline %+v", inc.Owner, inc.Deadline)
	}
	escalate := func(at time.Time) int {
		t.Helper()
		n, err := s.db.EscalateDue(context.Background(), at)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := escalate(opened.Add(9 * time.Minute)); n != 0 {
		t.Fatalf("escalated %d before the deadline", n)
	}
	if n := escalate(opened.Add(10 * time.Minute)); n != 1 {
		t.Fatalf("escalated %d at the deadline, want 1", n)
	}
	if n := escalate(opened.Add(11 * time.Minute)); n != 0 {
		t.Fatalf("the same deadline escalated again (%d)", n)
	}
	inc = mustIncident(t, s, r.IncidentID)
	if inc.Deadline.Level != yaqaza.LevelDistrictHead || len(escalations(inc)) != 1 || !strings.Contains(escalations(inc)[0], "district head") {
		t.Fatalf("after the first escalation: %+v %v", inc.Deadline, escalations(inc))
	}
	ns := notifications(t, s)
	if len(ns) != 1 || ns[0].Recipient != "chef.medina@police.ma" || ns[0].Status != "pending" || ns[0].IncidentID != r.IncidentID {
		t.Fatalf("notifications after the first escalation: %+v", ns)
	}
	// Fifteen minutes later it goes to the command; then nowhere higher.
	if n := escalate(opened.Add(25 * time.Minute)); n != 1 {
		t.Fatalf("second escalation: %d", n)
	}
	if n := escalate(opened.Add(5 * time.Hour)); n != 0 {
		t.Fatalf("escalated past the command: %d", n)
	}
	ns = notifications(t, s)
	if len(ns) != 2 || ns[1].Recipient != "commandement@police.ma" {
		t.Fatalf("notifications after the second escalation: %+v", ns)
	}
	// Acknowledging starts the next stage at the desk.
	s.now = opened.Add(30 * time.Minute)
	inc = mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusTriaged})
	if inc.Deadline.Stage != yaqaza.StageDispatched || inc.Deadline.Level != yaqaza.LevelDesk || !inc.Deadline.Due.Equal(opened.Add(30*time.Minute)) {
		t.Fatalf("after acknowledging: %+v", inc.Deadline)
	}
	// Raising the priority brings the deadline forward, at once overdue.
	p1 := yaqaza.P1
	inc, err := s.incidents.CorrectTriage(as(dispatcher), r.IncidentID, yaqaza.Correction{Priority: &p1})
	if err != nil || !inc.Deadline.Due.Equal(opened.Add(3*time.Minute)) {
		t.Fatalf("after raising to P1: %+v %v", inc.Deadline, err)
	}
	// 27 minutes late, past escalate_after too: the district head and the
	// command are both told at once.
	if n := escalate(s.now); n != 2 {
		t.Fatalf("an overdue P1 escalated %d times, want 2", n)
	}
}

// RunShared runs the tests that need two handles on one database: two
// nodes, or a node and its restart. open returns a new handle each call.
func RunShared(t *testing.T, shared func(t testing.TB) func() *sqlstore.DB) {
	t.Run("RestartMidEscalation", func(t *testing.T) {
		open := shared(t)
		db := open()
		s := newServices(t, db)
		subscribe(t, s, yaqaza.RoleDistrictHead, "", "chefs@police.ma")
		r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "x", Location: inAgdal})
		opened := s.now
		db.Close() // the node stops before the deadline
		s2 := newServices(t, open())
		if n, err := s2.db.EscalateDue(context.Background(), opened.Add(10*time.Minute)); err != nil || n != 1 {
			t.Fatalf("after a restart the pending escalation fired %d times (%v)", n, err)
		}
		inc := mustIncident(t, s2, r.IncidentID)
		if inc.Deadline.Level != yaqaza.LevelDistrictHead || len(escalations(inc)) != 1 {
			t.Fatalf("incident after restart: %+v", inc.Deadline)
		}
	})
	t.Run("TokenUseKeptAcrossRestart", func(t *testing.T) {
		open := shared(t)
		s := newServices(t, open())
		_, secret, err := s.tokens.CreateToken(as(admin), yaqaza.TokenInput{Name: "feed", Role: yaqaza.RoleCallTaker})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.tokens.Authenticate(anonymous, secret); err != nil {
			t.Fatal(err)
		}
		used := s.now
		s.db.Close() // writes the uses noted in memory
		s2 := newServices(t, open())
		list, err := s2.tokens.FindTokens(as(admin))
		if err != nil || len(list) != 1 {
			t.Fatalf("FindTokens after restart: %d tokens, %v", len(list), err)
		}
		if got := list[0].LastUsedAt; got == nil || !got.Equal(used.Truncate(time.Millisecond)) {
			t.Errorf("after a restart the token was last used %v, want %v", got, used)
		}
	})
	t.Run("TwoNodesRaceForTimers", func(t *testing.T) {
		open := shared(t)
		a, b := newServices(t, open()), newServices(t, open())
		subscribe(t, a, yaqaza.RoleDistrictHead, "", "chefs@police.ma")
		const incidents = 40
		for i := 0; i < incidents; i++ {
			mustSubmit(t, as(dispatcher), a, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "appel " + seq(i), Location: inZouagha})
		}
		due := a.now.Add(10 * time.Minute)
		var wg sync.WaitGroup
		fired := make([]int, 4)
		for i, node := range []*services{a, b, a, b} {
			wg.Add(1)
			go func(i int, db *sqlstore.DB) {
				defer wg.Done()
				n, err := db.EscalateDue(context.Background(), due)
				if err != nil {
					t.Error(err)
				}
				fired[i] = n
			}(i, node.db)
		}
		wg.Wait()
		if total := fired[0] + fired[1] + fired[2] + fired[3]; total != incidents {
			t.Fatalf("two nodes fired %v = %d escalations for %d due timers", fired, total, incidents)
		}
		if ns := notifications(t, a); len(ns) != incidents {
			t.Fatalf("%d notifications for %d escalations", len(ns), incidents)
		}
	})
}
