package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/triage"
)

// withTriage gives the services the real triage pipeline and clusterer.
func withTriage(t testing.TB, s *services) *triage.Clusterer {
	t.Helper()
	p := geo.DefaultPack()
	if err := s.packs.LoadPack(as(admin), p); err != nil {
		t.Fatal(err)
	}
	tr, err := triage.New(p, fesZones, triage.Models{})
	if err != nil {
		t.Fatal(err)
	}
	c := triage.NewClusterer(tr, triage.DefaultDupOptions)
	s.db.SetClusterer(c)
	s.reports = sqlstore.NewReportService(s.db, tr)
	return c
}

const videoText = "فيديو: شجار بالسكاكين بين شباب فحي بنسودة قرب السوق، واحد طايح كيسيل الدم"

func testJoinThroughIntake(t *testing.T, s *services) {
	withTriage(t, s)
	first := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:1", Text: videoText,
		Source: &yaqaza.Source{Platform: "facebook", Author: "@witness", Reposts: 80, Views: 20000}})
	if first.Triage == nil || first.Triage.Joined || first.Triage.Category != "armed" || first.Triage.Zone != zoneZouagha {
		t.Fatalf("first post: %+v", first.Triage)
	}
	// Re-posts arrive together: some in one batch.
	var ins []*yaqaza.ReportInput
	for i := 0; i < 20; i++ {
		ins = append(ins, &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "x:" + seq(i), Text: "RT @a: " + videoText + " 😱",
			Source: &yaqaza.Source{Platform: "x", Author: "@u" + seq(i), Reposts: 10}})
	}
	items, err := s.reports.SubmitReports(as(dispatcher), ins, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if it.Err != nil || it.Receipt.IncidentID != first.IncidentID || !it.Receipt.Triage.Joined {
			t.Fatalf("re-post %d: %+v %v", i, it.Receipt, it.Err)
		}
	}
	s.tick(5 * time.Minute)
	call := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Appel: rixe au couteau à Bensouda, près du souk, un blessé"})
	if call.IncidentID != first.IncidentID || !strings.Contains(call.Triage.Reason, "incident") {
		t.Fatalf("the call did not join: %+v", call.Triage)
	}
	inc := mustIncident(t, s, first.IncidentID)
	if inc.ReportCount != 22 || len(inc.Reports) != 22 || inc.Category != "armed" || inc.Priority != yaqaza.P1 || inc.ZoneCode != zoneZouagha {
		t.Fatalf("incident: %d reports, %s %s %s", inc.ReportCount, inc.Category, inc.Priority, inc.ZoneCode)
	}
	if inc.Attention < 50 || inc.AttentionSummary == "" {
		t.Fatalf("attention %.1f %q", inc.Attention, inc.AttentionSummary)
	}
	attached := 0
	for _, e := range inc.Timeline {
		if e.Kind == yaqaza.EventReportAttached && strings.HasPrefix(e.Detail, "joined: ") {
			attached++
		}
	}
	if attached != 21 {
		t.Fatalf("%d report.attached events, want 21", attached)
	}
	// Every report keeps its own assessment, the joins with their reason.
	for _, r := range inc.Reports[1:] {
		if r.Assessment == nil || r.Assessment.Join == nil || r.Assessment.Join.IncidentID != first.IncidentID {
			t.Fatalf("report %d assessment: %+v", r.ID, r.Assessment)
		}
	}
	// A retried re-post gets its first answer back, triage included.
	again := *ins[3]
	again.Source = &yaqaza.Source{Platform: "x", Author: "@u0003", Reposts: 10}
	r, err := s.reports.SubmitReport(as(dispatcher), &again)
	if err != nil || !r.Replayed || r.Triage == nil || !r.Triage.Joined || r.IncidentID != first.IncidentID {
		t.Fatalf("replay: %+v %v", r, err)
	}
	// Once the incident is closed, a new post about it opens a new one.
	for _, to := range []yaqaza.Status{yaqaza.StatusDispatched, yaqaza.StatusOnScene, yaqaza.StatusResolved, yaqaza.StatusClosed} {
		mustTransition(t, s, first.IncidentID, yaqaza.Transition{To: to})
	}
	late := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:late", Text: "RT @z: " + videoText})
	if late.IncidentID == first.IncidentID {
		t.Fatal("a report joined a closed incident")
	}
}

func testDropAndNotPolice(t *testing.T, s *services) {
	withTriage(t, s)
	r, err := s.reports.SubmitReport(as(dispatcher), &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:9",
		Text: "صباح الخير فاس، الجو زوين اليوم ☀️", Source: &yaqaza.Source{Platform: "facebook", Author: "@someone"}})
	if err != nil || !r.Dropped || r.ReportID != 0 || r.DropReason == "" {
		t.Fatalf("an off-topic post: %+v %v", r, err)
	}
	if n := countReports(t, s); n != 0 {
		t.Fatalf("a dropped post was stored (%d reports)", n)
	}
	day := s.now
	counts, err := s.db.DroppedPosts(as(admin), day, day)
	if err != nil || counts[day.Format(time.DateOnly)][yaqaza.ChannelSocial] != 1 {
		t.Fatalf("dropped counts %v, %v", counts, err)
	}
	// The same text addressed to the police is kept and answered.
	np := mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "الضو مقطوع فالزنقة ديالنا من البارح والأزبال عامرة", Language: "ar"})
	inc := mustIncident(t, s, np.IncidentID)
	if inc.Status != yaqaza.StatusCancelled || !strings.Contains(inc.Reason, "not a police matter") {
		t.Fatalf("not-police report: %s %q", inc.Status, inc.Reason)
	}
	v, err := s.tracking.TrackReport(anonymous, np.TrackingCode, "ar")
	if err != nil || v.Status != yaqaza.PublicNotAnswered || !strings.Contains(v.Message, "الجماعة") {
		t.Fatalf("the reporter reads %+v, %v", v, err)
	}
	// A report addressed to the police that triage cannot read is kept, flagged.
	odd := mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "عافاكم جيو بزربة"})
	if inc := mustIncident(t, s, odd.IncidentID); inc.Status != yaqaza.StatusNew || !containsFlag(inc.Flags, yaqaza.FlagCategoryUnsure) {
		t.Fatalf("an unclear call: %s %v", inc.Status, inc.Flags)
	}
}

func containsFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

func testCorrectAndSplit(t *testing.T, s *services) {
	withTriage(t, s)
	a := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "عافاكم جيو بزربة كاين مشكل كبير"})
	cat, zone, prio := "public_disorder", zoneMedina, yaqaza.P2
	_, err := s.incidents.CorrectTriage(as(dispatcher), a.IncidentID, yaqaza.Correction{Category: ptr("nonsense")})
	wantCode(t, err, yaqaza.EINVALID)
	_, err = s.incidents.CorrectTriage(as(dispatcher), a.IncidentID, yaqaza.Correction{Zone: ptr("99.999")})
	wantCode(t, err, yaqaza.EINVALID)
	_, err = s.incidents.CorrectTriage(as(dispatcher), a.IncidentID, yaqaza.Correction{})
	wantCode(t, err, yaqaza.EINVALID)
	inc, err := s.incidents.CorrectTriage(as(dispatcher), a.IncidentID, yaqaza.Correction{Category: &cat, Zone: &zone, Priority: &prio, Reason: "caller called back"})
	if err != nil {
		t.Fatal(err)
	}
	if inc.Category != cat || inc.ZoneCode != zone || inc.Priority != prio || inc.Owner != "desk:"+zone || len(inc.Flags) != 0 {
		t.Fatalf("corrected incident: %+v", inc)
	}
	full := mustIncident(t, s, a.IncidentID)
	last := full.Timeline[len(full.Timeline)-1]
	if last.Kind != yaqaza.EventTriageCorrected || !strings.Contains(last.Detail, "category other → public_disorder") || !strings.Contains(last.Detail, "caller called back") {
		t.Fatalf("timeline: %+v", last)
	}
	texts, err := sqlstore.NewModelService(s.db).LabelledTexts(as(admin), yaqaza.ModelCategory)
	if err != nil || len(texts) != 1 || texts[0].Label != cat || texts[0].Source != "operator" || texts[0].ReportID != a.ReportID {
		t.Fatalf("labelled texts after a correction: %+v %v", texts, err)
	}

	// Split: a report wrongly joined goes to an incident of its own.
	b := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:s1", Text: videoText})
	c := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:s2", Text: "RT @x: " + videoText})
	if c.IncidentID != b.IncidentID {
		t.Fatalf("the re-post did not join")
	}
	_, err = s.incidents.SplitReport(as(dispatcher), a.ReportID, "")
	wantCode(t, err, yaqaza.ECONFLICT) // the only report of its incident
	split, err := s.incidents.SplitReport(as(dispatcher), c.ReportID, "a different fight, filmed the day before")
	if err != nil {
		t.Fatal(err)
	}
	if split.ID == b.IncidentID || split.ReportCount != 1 {
		t.Fatalf("split incident %+v", split)
	}
	if orig := mustIncident(t, s, b.IncidentID); orig.ReportCount != 1 || len(orig.Reports) != 1 ||
		orig.Timeline[len(orig.Timeline)-1].Kind != yaqaza.EventReportMoved {
		t.Fatalf("incident after the split: %d reports, last event %s", orig.ReportCount, orig.Timeline[len(orig.Timeline)-1].Kind)
	}
	// The reporter of the split report follows the new incident.
	mustTransition(t, s, split.ID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "old video", PublicMessage: "Cette vidéo date d'hier."})
	if v, _ := s.tracking.TrackReport(anonymous, c.TrackingCode, "fr"); v.Message != "Cette vidéo date d'hier." {
		t.Fatalf("tracking after split: %+v", v)
	}
	_, err = s.incidents.SplitReport(as(dispatcher), 999999, "")
	wantCode(t, err, yaqaza.ENOTFOUND)
}

func ptr[T any](v T) *T { return &v }

func testModels(t *testing.T, s *services) {
	m := sqlstore.NewModelService(s.db)
	_, _, err := m.LatestModel(anonymous, yaqaza.ModelCategory)
	wantCode(t, err, yaqaza.ENOTFOUND)
	_, err = m.SaveModel(as(dispatcher), yaqaza.ModelCategory, []byte("x"), nil)
	wantCode(t, err, yaqaza.EFORBIDDEN)
	for v := 1; v <= 2; v++ {
		info, err := m.SaveModel(as(admin), yaqaza.ModelCategory, []byte{byte(v), 0, 255}, map[string]any{"accuracy": 0.9})
		if err != nil || info.Version != v {
			t.Fatalf("save %d: %+v %v", v, info, err)
		}
	}
	info, data, err := m.LatestModel(anonymous, yaqaza.ModelCategory)
	if err != nil || info.Version != 2 || len(data) != 3 || data[0] != 2 || data[2] != 255 || info.Metrics["accuracy"] != 0.9 {
		t.Fatalf("latest: %+v %v %v", info, data, err)
	}
	err = m.AddLabelledTexts(as(admin), []yaqaza.LabelledText{{Model: yaqaza.ModelRelevance, Label: "incident", Text: "شجار"}, {Model: yaqaza.ModelRelevance, Label: "none", Text: " "}})
	wantCode(t, err, yaqaza.EINVALID)
	if texts, _ := m.LabelledTexts(as(admin), yaqaza.ModelRelevance); len(texts) != 0 {
		t.Fatal("a refused batch of texts was partly stored")
	}
}

func testPlaces(t *testing.T, s *services) {
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	p := yaqaza.Place{Name: "Marché Zouagha Haut", Aliases: []string{"سوق زواغة العليا"}, Zone: zoneZouagha, Point: &yaqaza.Point{Lat: 34.02, Lon: -5.04}}
	wantCode(t, s.packs.AddPlace(as(dispatcher), p), yaqaza.EFORBIDDEN)
	wantCode(t, s.packs.AddPlace(as(admin), yaqaza.Place{Name: "X", Zone: "nowhere"}), yaqaza.EINVALID)
	wantCode(t, s.packs.AddPlace(as(admin), yaqaza.Place{Name: " "}), yaqaza.EINVALID)
	if err := s.packs.AddPlace(as(admin), p); err != nil {
		t.Fatal(err)
	}
	before := len(geo.DefaultPack().Gazetteer)
	pack, _ := s.packs.CurrentPack(anonymous)
	if len(pack.Gazetteer) != before+1 {
		t.Fatalf("gazetteer has %d places, want %d", len(pack.Gazetteer), before+1)
	}
	// Reloading the pack keeps what admins added.
	s.packs.LoadPack(as(admin), geo.DefaultPack())
	pack, _ = s.packs.CurrentPack(anonymous)
	found := false
	for _, pl := range pack.Gazetteer {
		found = found || pl.Name == p.Name && pl.Point != nil && pl.Zone == zoneZouagha
	}
	if !found || len(pack.Gazetteer) != before+1 {
		t.Fatalf("after reloading the pack: %d places, admin's found %v", len(pack.Gazetteer), found)
	}
	if pack.Lexicon == nil || pack.Timezone != "Africa/Casablanca" {
		t.Fatal("the pack's lexicon or timezone was not stored")
	}
}
