package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBenchEvents runs the live-events benchmark small: a server child
// process, a few subscribers, and every event reaches every subscriber.
func TestBenchEvents(t *testing.T) {
	old := selfCommand
	selfCommand = func(args ...string) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), "YAQAZA_TEST_ARGS="+strings.Join(args, " "))
		return cmd
	}
	t.Cleanup(func() { selfCommand = old })
	out, err := runCLI(t, "bench", "events", "--clients", "20", "--rate", "50", "--duration", "1s")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var res struct {
		Events, Deliveries, Lost, Clients int
		P99                               float64  `json:"p99_ms"`
		Cores                             *float64 `json:"server_cpu_cores"`
	}
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &res); err != nil {
		t.Fatalf("last line is not the result: %v\n%s", err, out)
	}
	if res.Events < 40 || res.Deliveries != res.Events*20 || res.Lost != 0 {
		t.Fatalf("%d events, %d deliveries to 20 subscribers, %d lost", res.Events, res.Deliveries, res.Lost)
	}
	if res.P99 <= 0 || res.Cores == nil || *res.Cores <= 0 {
		t.Fatalf("p99 %v ms, server cores %v", res.P99, res.Cores)
	}
}
