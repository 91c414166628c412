package eido_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/eido"
)

// sharedSample reads one of NENA's EIDO samples in the project's shared
// data, or skips.
func sharedSample(t *testing.T, name string) []byte {
	t.Helper()
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = filepath.Join("..", "..", "shared", "data")
	}
	p := filepath.Join(dir, "eido", "samples", name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Skipf("shared data %s not found (set YAQAZA_SHARED_DATA): skipping NENA's samples", p)
	}
	return b
}

// NENA's current sample, a call one PSAP transfers to another before any
// incident exists, becomes a report of the call; the 2020 sample, written
// to an outdated structure, is refused and says where.
func TestNENASamples(t *testing.T) {
	d, err := eido.Decode(sharedSample(t, "Sample_call_transfer_EIDO.json"))
	if err != nil {
		t.Fatalf("NENA's current sample: %v", err)
	}
	in, err := d.Report(time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	if in.Channel != yaqaza.ChannelAgency || in.ExternalID != "eido:urn:emergency:uid:incidentid:a56e556d871:bcf.state.pa.us" ||
		in.Text != "Call transferred by state.pa.us (emergency call)" || !strings.Contains(in.Place, "Wilmington") ||
		in.OccurredAt == nil || !in.OccurredAt.Equal(time.Date(2021, 4, 30, 18, 40, 0, 0, time.UTC)) || in.Reporter != nil {
		t.Errorf("the transferred call as a report: %+v", in)
	}
	_, err = eido.Decode(sharedSample(t, "Sample_EIDO_2020-11_outdated.json"))
	if yaqaza.ErrorCode(err) != yaqaza.EINVALID || !strings.Contains(err.Error(), "agencyType must be an array") {
		t.Errorf("the outdated sample: %v", err)
	}
}
