package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sharedFile is a file of the project's shared data, from this package.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	dir := os.Getenv("YAQAZA_SHARED_DATA")
	if dir == "" {
		dir = "../../../shared/data"
	}
	p := filepath.Join(dir, rel)
	if _, err := os.Stat(p); err != nil {
		t.Skipf("shared data %s not found (set YAQAZA_SHARED_DATA): skipping", p)
	}
	return p
}

// TestReplay replays the first day of a real CAD log and checks that every
// police call became an incident, nothing was left behind, and the summary
// compares Yaqaza with the log.
func TestReplay(t *testing.T) {
	src := sharedFile(t, "calls/week40.csv")
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var b strings.Builder
	police := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if b.Len() > 0 && !strings.Contains(line, "2025-09-28 ") {
			break // the first day only
		}
		if strings.Contains(line, ",POLICE,") {
			police++
		}
		b.WriteString(line + "\n")
	}
	if police < 20 {
		t.Fatalf("the first day of %s has %d police calls: not the log this test expects", src, police)
	}
	day := filepath.Join(t.TempDir(), "day.csv")
	if err := os.WriteFile(day, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := runCLI(t, "replay", "--calls", day, "--speed", "1e6", "--max-wait", "0")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var res struct {
		Calls, Incidents, Orphans, Escalations int
		StillWaiting                           int     `json:"still_waiting"`
		P50                                    float64 `json:"added_latency_p50_ms"`
		P99                                    float64 `json:"added_latency_p99_ms"`
		SLA                                    map[string]struct {
			Calls      int
			Dispatched map[string]float64 `json:"dispatched_within"`
		}
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line is not the summary: %v\n%s", err, out)
	}
	if res.Calls != police || res.Incidents != police {
		t.Errorf("%d police calls in the log, replay counted %d calls and %d incidents", police, res.Calls, res.Incidents)
	}
	if res.Orphans != 0 || res.StillWaiting != 0 {
		t.Errorf("left behind: %d orphans, %d calls still waiting for a unit", res.Orphans, res.StillWaiting)
	}
	if res.P50 <= 0 || res.P99 < res.P50 {
		t.Errorf("added latency p50 %v ms, p99 %v ms", res.P50, res.P99)
	}
	total := 0
	for p, s := range res.SLA {
		total += s.Calls
		if _, ok := s.Dispatched["log"]; !ok {
			t.Errorf("%s: no compliance of the log beside Yaqaza's: %+v", p, s)
		}
		if y := s.Dispatched["yaqaza"]; y < 0 || y > 1 {
			t.Errorf("%s: dispatched within the deadline %v", p, y)
		}
	}
	if total != police {
		t.Errorf("the SLA table covers %d calls of %d", total, police)
	}
}

func TestReplayRejectsOtherFiles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.csv")
	os.WriteFile(path, []byte("id,when\n1,2025-01-01\n"), 0o600)
	_, err := runCLI(t, "replay", "--calls", path)
	if err == nil || !strings.Contains(err.Error(), "column Agency is missing") {
		t.Fatalf("a file that is not a CAD log: %v", err)
	}
	if _, err := runCLI(t, "replay"); err == nil || !strings.Contains(err.Error(), "--calls") {
		t.Fatalf("no --calls: %v", err)
	}
}
