package http_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// checkCAPSchema validates an alert the server served against OASIS's
// CAP 1.2 schema with xmllint, when the shared data and xmllint are there
// (CI has both; see the cap package's tests).
func checkCAPSchema(t *testing.T, body string) {
	t.Helper()
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	xsd := filepath.Join(dir, "cap", "schema", "cap12.xsd")
	xmllint, err := exec.LookPath("xmllint")
	if _, serr := os.Stat(xsd); serr != nil || err != nil {
		t.Logf("no xmllint or no %s: the served alert is not checked against OASIS's schema", xsd)
		return
	}
	f := filepath.Join(t.TempDir(), "alert.xml")
	if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", xsd, f).CombinedOutput(); err != nil {
		t.Errorf("the served alert does not validate against CAP 1.2's schema: %v\n%s", err, out)
	}
}

// A pack that names the prefecture's domain signs its alerts with it.
func TestCAPSenderIsThePacksDomain(t *testing.T) {
	ts := newTestServer(t)
	pack := geo.DefaultPack()
	pack.Domain = "police-fes.example.ma"
	system := yaqaza.NewContextWithActor(context.Background(), yaqaza.System("test"))
	if err := sqlstore.NewPackService(ts.db).LoadPack(system, pack); err != nil {
		t.Fatal(err)
	}
	r := submit(t, ts, `{"channel":"web","text":"Rixe devant le café","location":`+medinaPoint+`}`)
	if _, err := sqlstore.NewIncidentService(ts.db).ClearForPublication(system, r.IncidentID, true); err != nil {
		t.Fatal(err)
	}
	_, comms, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "comms", Role: yaqaza.RoleCommunication})
	st := publishStatement(t, ts, comms, r.IncidentID, "fr", "Une rixe a été maîtrisée.")
	_, body, _ := ts.call(t, "GET", fmt.Sprintf("/cap/v1/alerts/%d.xml", st.ID), "", "")
	checkCAPSchema(t, body)
	if !strings.Contains(body, "<sender>police-fes.example.ma</sender>") {
		t.Errorf("the alert is not sent by the pack's domain:\n%s", body)
	}
	bad := geo.DefaultPack()
	bad.Domain = "Police Fès"
	if err := sqlstore.NewPackService(ts.db).LoadPack(system, bad); yaqaza.ErrorCode(err) != yaqaza.EINVALID {
		t.Errorf("a pack with a bad domain: %v", err)
	}
}
