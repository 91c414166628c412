package storetest

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

func testTracking(t *testing.T, s *services) {
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "Mon fils a été agressé devant le lycée, appelez-moi au 0661234567",
		Language: "fr", Location: inMariniyine,
		Reporter: &yaqaza.Contact{Name: "Fatima Zahra El Idrissi", Phone: "0661234567", Email: "fz.idrissi@example.ma"}}
	r := mustSubmit(t, anonymous, s, in)

	v, err := s.tracking.TrackReport(anonymous, r.TrackingCode, "fr")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != yaqaza.PublicReceived || v.Label != "Signalement reçu" || len(v.History) != 1 {
		t.Fatalf("fresh report: %+v", v)
	}
	s.tick(2 * time.Minute)
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusTriaged})
	s.tick(time.Minute)
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusDispatched})
	s.tick(time.Minute)
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusEnRoute})
	s.tick(6 * time.Minute)
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusOnScene})
	s.tick(20 * time.Minute)
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusResolved, Reason: "suspect identified, PV 1182/26 (internal)",
		PublicMessage: "Les policiers sont intervenus; une plainte a été enregistrée."})

	v, err = s.tracking.TrackReport(anonymous, strings.ToLower(strings.ReplaceAll(r.TrackingCode, "-", " ")), "ar")
	if err != nil {
		t.Fatalf("a code typed in lower case with spaces: %v", err)
	}
	want := []yaqaza.PublicStatus{yaqaza.PublicReceived, yaqaza.PublicInReview, yaqaza.PublicDispatched, yaqaza.PublicOnScene, yaqaza.PublicResolved}
	if len(v.History) != len(want) {
		t.Fatalf("history = %+v", v.History)
	}
	for i, st := range want {
		if v.History[i].Status != st {
			t.Errorf("step %d = %s, want %s", i, v.History[i].Status, st)
		}
	}
	if v.Status != yaqaza.PublicResolved || v.Label != "تمت معالجة البلاغ" || !v.UpdatedAt.Equal(s.now) {
		t.Errorf("resolved view = %s %q updated %v", v.Status, v.Label, v.UpdatedAt)
	}
	if v.Message != "Les policiers sont intervenus; une plainte a été enregistrée." {
		t.Errorf("public message = %q", v.Message)
	}
	raw, _ := json.Marshal(v)
	for _, secret := range []string{"Fatima", "0661234567", "idrissi", "PV 1182", "agressé", "lycée"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("tracking view leaks %q: %s", secret, raw)
		}
	}

	// A mistyped code and an unknown one are both 404, told apart.
	typo := []byte(r.TrackingCode)
	typo[0] = map[bool]byte{true: 'A', false: 'B'}[typo[0] != 'A']
	_, err = s.tracking.TrackReport(anonymous, string(typo), "fr")
	wantCode(t, err, yaqaza.ENOTFOUND)
	if !strings.Contains(yaqaza.ErrorMessage(err), "mistyped") {
		t.Errorf("mistyped code message: %q", yaqaza.ErrorMessage(err))
	}
	_, err = s.tracking.TrackReport(anonymous, s.db.TrackingCode(r.ReportID+1000), "fr")
	wantCode(t, err, yaqaza.ENOTFOUND)
	if !strings.Contains(yaqaza.ErrorMessage(err), "unknown") {
		t.Errorf("unknown code message: %q", yaqaza.ErrorMessage(err))
	}
	_, err = s.tracking.TrackReport(anonymous, "hello", "fr")
	wantCode(t, err, yaqaza.ENOTFOUND)
}

func testTrackingFollowsMerge(t *testing.T, s *services) {
	first := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Vol avec violence à la sortie de la banque", Location: inAgdal})
	mustTransition(t, s, first.IncidentID, yaqaza.Transition{To: yaqaza.StatusDispatched})
	s.tick(time.Minute)
	late := mustSubmit(t, anonymous, s, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "شفت واحد كيسرق شي سيدة قدام البنك", Location: inAgdal})
	s.tick(time.Minute)
	mustTransition(t, s, late.IncidentID, yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: first.IncidentID})
	v, err := s.tracking.TrackReport(anonymous, late.TrackingCode, "en")
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != yaqaza.PublicDispatched {
		t.Fatalf("after merging into a dispatched incident the reporter sees %s (%+v)", v.Status, v.History)
	}
	s.tick(5 * time.Minute)
	mustTransition(t, s, first.IncidentID, yaqaza.Transition{To: yaqaza.StatusOnScene})
	if v, _ = s.tracking.TrackReport(anonymous, late.TrackingCode, "en"); v.Status != yaqaza.PublicOnScene || v.Label != "Officers on scene" {
		t.Fatalf("reporter of a merged report does not follow the survivor: %+v", v)
	}
}
