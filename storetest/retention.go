package storetest

import (
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
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
