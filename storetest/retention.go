package storetest

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// testRetention: the daily job erases contact details of long-ended
// incidents and dismissed public posts, keeps what is still within its
// time, runs once a day however many nodes ask, and leaves an audit line.
func testRetention(t *testing.T, s *services) {
	old := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "cambriolage",
		Location: inMedina, Reporter: &yaqaza.Contact{Phone: "0611111111"}})
	mustTransition(t, s, old.IncidentID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "false alarm"})
	post := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:77",
		Text: "bagarre au souk, on voit le visage de Hamid", Location: inAgdal,
		Source: &yaqaza.Source{Platform: "facebook", URL: "https://facebook.example/p/77", Author: "hamid.fes"}})
	mustTransition(t, s, post.IncidentID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "a film scene"})
	s.tick(200 * 24 * time.Hour)
	recent := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "vol",
		Location: inMedina, Reporter: &yaqaza.Contact{Phone: "0622222222"}})
	mustTransition(t, s, recent.IncidentID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "found"})

	system := as(yaqaza.System("retention"))
	run, err := s.db.RetentionIfDue(system, yaqaza.DefaultRetention, s.now, "node-a")
	if err != nil {
		t.Fatal(err)
	}
	if run == nil || run.Contacts != 1 || run.SocialPosts != 1 {
		t.Fatalf("run: %+v", run)
	}
	if again, err := s.db.RetentionIfDue(system, yaqaza.DefaultRetention, s.now.Add(time.Hour), "node-a"); err != nil || again != nil {
		t.Fatalf("a second run the same day: %+v %v", again, err)
	}
	r, err := s.reports.FindReportByID(as(dispatcher), old.ReportID)
	if err != nil || r.Reporter != nil {
		t.Fatalf("old contact kept: %+v %v", r, err)
	}
	p, _ := s.reports.FindReportByID(as(dispatcher), post.ReportID)
	if p.Text != yaqaza.ErasedText || p.Source != nil {
		t.Fatalf("dismissed post kept: %q %+v", p.Text, p.Source)
	}
	if r, _ := s.reports.FindReportByID(as(dispatcher), recent.ReportID); r.Reporter == nil || r.Reporter.Phone != "0622222222" {
		t.Fatalf("a recent contact was erased: %+v", r.Reporter)
	}
	page, err := sqlstore.NewAuditService(s.db).FindAudit(as(auditor), yaqaza.AuditFilter{Action: "retention.run"})
	if err != nil || len(page.Entries) != 1 {
		t.Fatalf("audit of the run: %+v %v", page, err)
	}
	_, err = s.db.ApplyRetention(as(dispatcher), yaqaza.DefaultRetention, s.now)
	wantCode(t, err, yaqaza.EFORBIDDEN)
}

// testPackRetention: a pack's retention periods replace the defaults it
// names: with contact details kept a week, a case ended ten days ago loses
// them, which the defaults (six months) would keep.
func testPackRetention(t *testing.T, s *services) {
	if r, err := s.db.PackRetention(context.Background()); err != nil || r != yaqaza.DefaultRetention {
		t.Fatalf("without a pack: %+v %v", r, err)
	}
	pack := geo.DefaultPack()
	pack.Retention = &yaqaza.Retention{ContactsAfterClosed: yaqaza.Duration(7 * 24 * time.Hour)}
	if err := s.packs.LoadPack(as(admin), pack); err != nil {
		t.Fatal(err)
	}
	rules, err := s.db.PackRetention(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rules.ContactsAfterClosed != pack.Retention.ContactsAfterClosed || rules.OutboxAfterSent != yaqaza.DefaultRetention.OutboxAfterSent {
		t.Fatalf("the pack's retention: %+v", rules)
	}
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "vol",
		Location: inMedina, Reporter: &yaqaza.Contact{Phone: "0633333333"}})
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "found"})
	s.tick(10 * 24 * time.Hour)
	system := as(yaqaza.System("retention"))
	if run, err := s.db.ApplyRetention(system, yaqaza.DefaultRetention, s.now); err != nil || run.Contacts != 0 {
		t.Fatalf("the defaults erased a ten-day-old contact: %+v %v", run, err)
	}
	run, err := s.db.ApplyRetention(system, rules, s.now)
	if err != nil || run.Contacts != 1 {
		t.Fatalf("the pack's week: %+v %v", run, err)
	}
	page, err := sqlstore.NewAuditService(s.db).FindAudit(as(auditor), yaqaza.AuditFilter{Action: "retention.run"})
	if err != nil || len(page.Entries) != 2 || !strings.Contains(page.Entries[0].Detail, "contacts 168h0m0s after the case ended") {
		t.Fatalf("the run's audit line does not name its periods: %+v %v", page, err)
	}
	bad := geo.DefaultPack()
	bad.Retention = &yaqaza.Retention{SocialAfterDismissed: yaqaza.Duration(time.Hour)}
	wantCode(t, s.packs.LoadPack(as(admin), bad), yaqaza.EINVALID)
	if again, _ := s.db.PackRetention(context.Background()); again != rules {
		t.Fatalf("a refused pack changed the retention: %+v", again)
	}
}
