package storetest

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

func testSubmitOpensIncidentInZone(t *testing.T, s *services) {
	in := &yaqaza.ReportInput{
		Channel:  yaqaza.ChannelWeb,
		Text:     "شجار بالسكاكين قرب باب بوجلود، شخص مصاب",
		Language: "ar",
		Location: inMedina,
		Reporter: &yaqaza.Contact{Name: "Salma", Phone: "+212 661 23 45 67"},
		Media:    []yaqaza.Media{{URL: "https://example.org/v/1.mp4", SHA256: strings.Repeat("ab", 32), Kind: "video"}},
	}
	r := mustSubmit(t, anonymous, s, in)
	if r.ReportID == 0 || r.IncidentID == 0 || r.Replayed {
		t.Fatalf("receipt = %+v", r)
	}
	if r.TrackingCode != s.db.TrackingCode(r.ReportID) {
		t.Fatalf("receipt carries tracking code %q, but report %d's is %q", r.TrackingCode, r.ReportID, s.db.TrackingCode(r.ReportID))
	}
	if !r.ReceivedAt.Equal(s.now) {
		t.Errorf("received_at = %v, want %v", r.ReceivedAt, s.now)
	}
	inc := mustIncident(t, s, r.IncidentID)
	if inc.Status != yaqaza.StatusNew || inc.ZoneCode != zoneMedina || inc.ReportCount != 1 || inc.Version != 1 {
		t.Errorf("incident = status %s zone %q reports %d version %d", inc.Status, inc.ZoneCode, inc.ReportCount, inc.Version)
	}
	if inc.Owner != "desk:"+zoneMedina {
		t.Errorf("owner = %q, want the Médina desk", inc.Owner)
	}
	if inc.Location == nil || *inc.Location != *inMedina {
		t.Errorf("location = %v", inc.Location)
	}
	if len(inc.Reports) != 1 {
		t.Fatalf("incident has %d reports", len(inc.Reports))
	}
	got := inc.Reports[0]
	if got.Text != in.Text || got.Channel != yaqaza.ChannelWeb || got.TrackingCode != r.TrackingCode ||
		got.Reporter == nil || got.Reporter.Phone != in.Reporter.Phone || len(got.Media) != 1 || got.Media[0].SHA256 != in.Media[0].SHA256 {
		t.Errorf("stored report differs from the input: %+v", got)
	}
	if got.SubmittedBy != "anonymous" {
		t.Errorf("submitted_by = %q", got.SubmittedBy)
	}
	if len(inc.Timeline) != 1 || inc.Timeline[0].Kind != yaqaza.EventIncidentCreated || inc.Timeline[0].ReportID != r.ReportID {
		t.Errorf("timeline = %+v", inc.Timeline)
	}
	if _, err := s.incidents.FindIncidentByID(anonymous, r.IncidentID); yaqaza.ErrorCode(err) != yaqaza.EUNAUTHORIZED {
		t.Errorf("anonymous read of an incident: %v", err)
	}
	rep, err := s.reports.FindReportByID(as(dispatcher), r.ReportID)
	if err != nil || rep.Text != in.Text {
		t.Errorf("FindReportByID = %v, %v", rep, err)
	}
	_, err = s.reports.FindReportByID(as(dispatcher), r.ReportID+1000)
	wantCode(t, err, yaqaza.ENOTFOUND)
}

func testSubmitOutsideJurisdiction(t *testing.T, s *services) {
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Vol à l'arraché, avenue Mohammed V", Location: inRabat})
	inc := mustIncident(t, s, r.IncidentID)
	if inc.ZoneCode != "" || inc.Owner != "desk:prefecture" {
		t.Errorf("a point outside every zone gave zone %q owner %q", inc.ZoneCode, inc.Owner)
	}
	r = mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Accident sans localisation"})
	if inc := mustIncident(t, s, r.IncidentID); inc.ZoneCode != "" || inc.Location != nil {
		t.Errorf("a report without a point got zone %q location %v", inc.ZoneCode, inc.Location)
	}
}

func testIdempotencyKeyReplays(t *testing.T, s *services) {
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "كاين واحد شاد جنوية فالزنقة", Location: inZouagha, IdempotencyKey: "call-7781"}
	first := mustSubmit(t, as(dispatcher), s, in)
	s.tick(time.Minute)
	again := *in
	second := mustSubmit(t, as(dispatcher), s, &again)
	if !second.Replayed || second.ReportID != first.ReportID || second.TrackingCode != first.TrackingCode ||
		second.IncidentID != first.IncidentID || !second.ReceivedAt.Equal(first.ReceivedAt) {
		t.Fatalf("retry got %+v, first was %+v", second, first)
	}
	other := *in
	other.Text = "a different report under the same key"
	_, err := s.reports.SubmitReport(as(dispatcher), &other)
	wantCode(t, err, yaqaza.ECONFLICT)
	if n := countReports(t, s); n != 1 {
		t.Fatalf("%d reports stored, want 1", n)
	}
}

func testExternalIDReplays(t *testing.T, s *services) {
	post := &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: "fb:1029384756", Text: "فيديو: سرقة هاتف بالقوة في حي بنسودة",
		Source: &yaqaza.Source{Platform: "facebook", URL: "https://facebook.com/watch/1029384756", Views: 1200}}
	first := mustSubmit(t, as(dispatcher), s, post)
	// The same post seen again later, with more views: still one report.
	again := *post
	again.Source = &yaqaza.Source{Platform: "facebook", URL: post.Source.URL, Views: 5400}
	second := mustSubmit(t, as(dispatcher), s, &again)
	if !second.Replayed || second.ReportID != first.ReportID {
		t.Fatalf("same (channel, external_id) gave a new report: %+v vs %+v", second, first)
	}
	// A key that is new does not hide a known external id.
	keyed := *post
	keyed.IdempotencyKey = "feed-batch-17-line-3"
	third := mustSubmit(t, as(dispatcher), s, &keyed)
	if third.ReportID != first.ReportID {
		t.Fatalf("a new idempotency key on a known post created report %d", third.ReportID)
	}
	// The same external id on another channel is another report.
	field := &yaqaza.ReportInput{Channel: yaqaza.ChannelField, ExternalID: "fb:1029384756", Text: "Patrouille: vol de téléphone constaté"}
	if r := mustSubmit(t, as(dispatcher), s, field); r.Replayed || r.ReportID == first.ReportID {
		t.Fatalf("external ids of different channels collided: %+v", r)
	}
	if n := countReports(t, s); n != 2 {
		t.Fatalf("%d reports stored, want 2", n)
	}
}

func testConcurrentRetriesWriteOnce(t *testing.T, s *services) {
	const clients, keys = 16, 25
	receipts := make([][]*yaqaza.Receipt, clients)
	var wg sync.WaitGroup
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for k := 0; k < keys; k++ {
				in := &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "Rixe devant le stade, report " + seq(k), IdempotencyKey: "retry-" + seq(k)}
				r, err := s.reports.SubmitReport(anonymous, in)
				if err != nil {
					t.Errorf("client %d key %d: %v", c, k, err)
					return
				}
				receipts[c] = append(receipts[c], r)
			}
		}(c)
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	for k := 0; k < keys; k++ {
		for c := 1; c < clients; c++ {
			if receipts[c][k].ReportID != receipts[0][k].ReportID {
				t.Fatalf("key %d: client %d got report %d, client 0 got %d", k, c, receipts[c][k].ReportID, receipts[0][k].ReportID)
			}
		}
	}
	if n := countReports(t, s); n != keys {
		t.Fatalf("%d reports stored for %d keys", n, keys)
	}
}

func testChannelNeedsCredential(t *testing.T, s *services) {
	for _, ch := range yaqaza.Channels {
		_, err := s.reports.SubmitReport(anonymous, &yaqaza.ReportInput{Channel: ch, Text: "test " + string(ch)})
		if ch.Public() {
			if err != nil {
				t.Errorf("public channel %s refused an anonymous report: %v", ch, err)
			}
			continue
		}
		wantCode(t, err, yaqaza.EUNAUTHORIZED)
	}
	public := 0
	for _, ch := range yaqaza.Channels {
		if ch.Public() {
			public++
		}
	}
	if n := countReports(t, s); n != public {
		t.Fatalf("%d reports stored, want only the %d of the public channels", n, public)
	}
}

func testBadInputWritesNothing(t *testing.T, s *services) {
	future := s.now.Add(time.Hour)
	cases := map[string]*yaqaza.ReportInput{
		"empty text":         web("   \n\t "),
		"text too long":      web(strings.Repeat("ق", yaqaza.MaxTextRunes+1)),
		"invalid utf-8":      web("vol \xff\xfe"),
		"unknown channel":    {Channel: "pigeon", Text: "x"},
		"missing channel":    {Text: "x"},
		"latitude":           {Channel: yaqaza.ChannelWeb, Text: "x", Location: &yaqaza.Point{Lat: 91, Lon: -5}},
		"longitude":          {Channel: yaqaza.ChannelWeb, Text: "x", Location: &yaqaza.Point{Lat: 34, Lon: -181}},
		"bad sha256":         {Channel: yaqaza.ChannelWeb, Text: "x", Media: []yaqaza.Media{{URL: "https://a.b/c", SHA256: "abc"}}},
		"media url scheme":   {Channel: yaqaza.ChannelWeb, Text: "x", Media: []yaqaza.Media{{URL: "javascript:alert(1)"}}},
		"phone letters":      {Channel: yaqaza.ChannelWeb, Text: "x", Reporter: &yaqaza.Contact{Phone: "call me"}},
		"email":              {Channel: yaqaza.ChannelWeb, Text: "x", Reporter: &yaqaza.Contact{Email: "nobody"}},
		"negative views":     {Channel: yaqaza.ChannelWeb, Text: "x", Source: &yaqaza.Source{Views: -1}},
		"future occurrence":  {Channel: yaqaza.ChannelWeb, Text: "x", OccurredAt: &future},
		"received_at on web": {Channel: yaqaza.ChannelWeb, Text: "x", ReceivedAt: &s.now},
		"language":           {Channel: yaqaza.ChannelWeb, Text: "x", Language: "klingon"},
	}
	for name, in := range cases {
		_, err := s.reports.SubmitReport(anonymous, in)
		var e *yaqaza.Error
		if !errors.As(err, &e) || e.Code != yaqaza.EINVALID || e.Message == "" {
			t.Errorf("%s: error = %v, want EINVALID with a message", name, err)
		}
	}
	if n := countReports(t, s); n != 0 {
		t.Fatalf("bad input wrote %d reports", n)
	}
}

func batchOf(texts ...string) []*yaqaza.ReportInput {
	var ins []*yaqaza.ReportInput
	for i, text := range texts {
		ins = append(ins, &yaqaza.ReportInput{Channel: yaqaza.ChannelAgency, Text: text, ExternalID: "agency-" + seq(i)})
	}
	return ins
}

func testBatchAllOrNothing(t *testing.T, s *services) {
	ins := batchOf("Vol de voiture signalé par la gendarmerie", "", "Disparition d'un mineur, 14 ans", strings.Repeat("x", yaqaza.MaxTextRunes+1))
	_, err := s.reports.SubmitReports(as(dispatcher), ins, false)
	var be *yaqaza.BatchError
	if !errors.As(err, &be) {
		t.Fatalf("batch with bad lines: error %v, want *BatchError", err)
	}
	if len(be.Lines) != 2 || be.Lines[0].Line != 2 || be.Lines[1].Line != 4 || be.Total != 4 {
		t.Fatalf("bad lines = %+v", be.Lines)
	}
	wantCode(t, err, yaqaza.EINVALID)
	if n := countReports(t, s); n != 0 {
		t.Fatalf("a refused batch wrote %d reports", n)
	}
	good := batchOf("Vol de voiture signalé par la gendarmerie", "Disparition d'un mineur, 14 ans", "سرقة دراجة نارية")
	items, err := s.reports.SubmitReports(as(dispatcher), good, false)
	if err != nil {
		t.Fatal(err)
	}
	for i, it := range items {
		if it.Err != nil || it.Receipt == nil || it.Receipt.ReportID == 0 {
			t.Fatalf("line %d: %+v", i+1, it)
		}
	}
	// Sending the same batch again writes nothing new.
	again, err := s.reports.SubmitReports(as(dispatcher), batchOf("Vol de voiture signalé par la gendarmerie", "Disparition d'un mineur, 14 ans", "سرقة دراجة نارية"), false)
	if err != nil {
		t.Fatal(err)
	}
	for i := range again {
		if !again[i].Receipt.Replayed || again[i].Receipt.ReportID != items[i].Receipt.ReportID {
			t.Fatalf("replayed line %d = %+v", i+1, again[i].Receipt)
		}
	}
	if n := countReports(t, s); n != 3 {
		t.Fatalf("%d reports, want 3", n)
	}
}

func testBatchPartial(t *testing.T, s *services) {
	ins := batchOf("Agression près de la gare", "", "Cambriolage d'un commerce à Zouagha")
	items, err := s.reports.SubmitReports(as(dispatcher), ins, true)
	if err != nil {
		t.Fatal(err)
	}
	if items[0].Receipt == nil || items[2].Receipt == nil || items[1].Err == nil || yaqaza.ErrorCode(items[1].Err) != yaqaza.EINVALID {
		t.Fatalf("partial batch = %+v", items)
	}
	if n := countReports(t, s); n != 2 {
		t.Fatalf("%d reports, want 2", n)
	}
	_, err = s.reports.SubmitReports(anonymous, ins, true)
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
}

func testAuthorIsPseudonymised(t *testing.T, s *services) {
	post := func(id string) *yaqaza.ReportInput {
		return &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, ExternalID: id, Text: "Vidéo d'une bagarre au boulevard Allal Ben Abdellah",
			Source: &yaqaza.Source{Platform: "x", Author: "@Some_Citizen_Fes", Reposts: 214}}
	}
	a := mustSubmit(t, as(dispatcher), s, post("x:1"))
	b := mustSubmit(t, as(dispatcher), s, post("x:2"))
	ra, _ := s.reports.FindReportByID(as(dispatcher), a.ReportID)
	rb, _ := s.reports.FindReportByID(as(dispatcher), b.ReportID)
	raw, _ := json.Marshal(ra)
	if strings.Contains(strings.ToLower(string(raw)), "some_citizen_fes") {
		t.Fatalf("the author's handle was stored: %s", raw)
	}
	if ra.Source.AuthorPseudonym == "" || ra.Source.AuthorPseudonym != rb.Source.AuthorPseudonym {
		t.Fatalf("pseudonyms %q and %q should be equal and set", ra.Source.AuthorPseudonym, rb.Source.AuthorPseudonym)
	}
	if ra.Source.Reposts != 214 {
		t.Errorf("engagement lost: %+v", ra.Source)
	}
}
