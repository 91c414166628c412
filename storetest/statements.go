package storetest

import (
	"testing"

	"github.com/yaqaza/yaqaza"
)

// A published statement is found by its id with the earlier ones about
// the same incident (oldest first), whatever was published since; an
// unknown id is ENOTFOUND. No credential is needed: they are public.
func testPublicStatementThread(t *testing.T, s *services) {
	comms := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:905", Name: "comms", Role: yaqaza.RoleCommunication}
	command := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:906", Name: "cmd", Role: yaqaza.RoleCommand}
	a := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "rixe", Location: inMedina})
	b := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "vol", Location: inAgdal})
	var ids []int64
	for i, inc := range []int64{a.IncidentID, b.IncidentID, a.IncidentID, b.IncidentID, a.IncidentID} {
		if i < 2 {
			if _, err := s.incidents.ClearForPublication(as(command), inc, true); err != nil {
				t.Fatal(err)
			}
		}
		st, err := s.incidents.PublishStatement(as(comms), inc, "fr", "Communiqué "+seq(i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, st.ID)
	}
	st, earlier, err := s.incidents.PublicStatement(anonymous, ids[2])
	if err != nil {
		t.Fatal(err)
	}
	if st.ID != ids[2] || st.IncidentID != a.IncidentID || st.Text != "Communiqué 0002" || len(earlier) != 1 || earlier[0].ID != ids[0] {
		t.Fatalf("statement %d: %+v, earlier %+v", ids[2], st, earlier)
	}
	if _, earlier, _ = s.incidents.PublicStatement(anonymous, ids[4]); len(earlier) != 2 || earlier[0].ID != ids[0] || earlier[1].ID != ids[2] {
		t.Fatalf("the third statement on incident %d has earlier %+v", a.IncidentID, earlier)
	}
	_, _, err = s.incidents.PublicStatement(anonymous, ids[4]+100)
	wantCode(t, err, yaqaza.ENOTFOUND)
}
