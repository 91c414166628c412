package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yaqaza/yaqaza"
)

// runBenchEvents measures the live event stream end to end: a "yaqaza
// serve" child process, --clients SSE subscribers on loopback, and reports
// posted at --rate per second, each of which writes one event. The figure
// is the time from posting a report to each subscriber reading its event;
// the baseline, measured in the same run, is the time to have the report
// acknowledged. The server's CPU is read from the kernel's account of the
// child process, so the clients' own work is not counted.
func runBenchEvents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench events")
	clients := fs.Int("clients", 1000, "live event subscribers")
	rate := fs.Int("rate", 100, "events per second")
	d := fs.Duration("duration", 10*time.Second, "how long to publish")
	procs := fs.Int("server-procs", 1, "GOMAXPROCS of the server: how many cores it may run on at once (0: all)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *rate < 1 || *d <= 0 {
		return usageError{"bench events needs positive --clients, --rate and --duration"}
	}
	dir, err := os.MkdirTemp("", "yaqaza-bench-events-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	data := filepath.Join(dir, "data")
	var tok bytes.Buffer
	if err := run(ctx, []string{"token", "create", "--data", data, "--role", "dispatcher", "--name", "bench"}, &tok, stderr); err != nil {
		return err
	}
	token := strings.TrimSpace(tok.String())
	var env []string
	if *procs > 0 {
		env = append(env, "GOMAXPROCS="+strconv.Itoa(*procs))
	}
	srv, err := startChild(ctx, env, "serve", "--data", data, "--addr", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer srv.stop()

	fmt.Fprintf(stderr, "connecting %d subscribers to %s\n", *clients, srv.url)
	subs, err := subscribe(ctx, srv.url, token, *clients)
	if err != nil {
		return err
	}
	defer subs.close()
	fmt.Fprintf(stderr, "posting %d reports/s for %s\n", *rate, *d)
	cpu0, _ := processCPU(srv.cmd.Process.Pid)
	wall0 := time.Now()
	sent, acks, err := publish(ctx, srv.url, token, *rate, *d)
	if err != nil {
		return err
	}
	// Wait for the last events to arrive, or give up after 10 s.
	want := len(sent) * *clients
	for deadline := time.Now().Add(10 * time.Second); subs.received() < want && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	cpu1, cpuErr := processCPU(srv.cmd.Process.Pid)
	wall := time.Since(wall0)
	lat, e2e := subs.latencies(sent)
	slices.Sort(lat)
	slices.Sort(e2e)
	slices.Sort(acks)
	res := map[string]any{
		"clients": *clients, "rate": *rate, "events": len(sent), "deliveries": len(lat), "lost": want - len(lat),
		"p50_ms": percentileMS(lat, 0.5), "p99_ms": percentileMS(lat, 0.99), "max_ms": percentileMS(lat, 1),
		"end_to_end_p50_ms": percentileMS(e2e, 0.5), "end_to_end_p99_ms": percentileMS(e2e, 0.99),
		"baseline_ack_p50_ms": percentileMS(acks, 0.5), "baseline_ack_p99_ms": percentileMS(acks, 0.99),
		"server_cpu_cores": nil, "server_gomaxprocs": *procs, "dropped_streams": subs.dropped.Load(),
	}
	if cpuErr == nil {
		res["server_cpu_cores"] = round((cpu1 - cpu0).Seconds() / wall.Seconds())
	}
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

// child is a yaqaza process the bench runs.
type childProcess struct {
	cmd  *exec.Cmd
	url  string
	done chan struct{}
}

var listeningLine = regexp.MustCompile(`msg="yaqaza listening" addr=(\S+)`)

// selfCommand runs this program with args; tests replace it to run their
// own binary.
var selfCommand = func(args ...string) *exec.Cmd {
	exe, err := os.Executable()
	if err != nil {
		exe = os.Args[0]
	}
	return exec.Command(exe, args...)
}

func startChild(ctx context.Context, env []string, args ...string) (*childProcess, error) {
	c := &childProcess{cmd: selfCommand(args...), done: make(chan struct{})}
	if c.cmd.Env == nil {
		c.cmd.Env = os.Environ()
	}
	c.cmd.Env = append(c.cmd.Env, env...)
	if p := os.Getenv("YAQAZA_CPUPROFILE"); p != "" { // the server's profile beside the bench's
		c.cmd.Env = append(c.cmd.Env, "YAQAZA_CPUPROFILE="+p+".server")
	}
	stderr, err := c.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := c.cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := listeningLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	go func() { c.cmd.Wait(); close(c.done) }()
	select {
	case a := <-addr:
		c.url = "http://" + a
		return c, nil
	case <-c.done:
		return nil, errors.New("yaqaza serve exited before listening")
	case <-time.After(60 * time.Second):
	case <-ctx.Done():
	}
	c.stop()
	return nil, errors.New("yaqaza serve did not start listening")
}

func (c *childProcess) stop() {
	c.cmd.Process.Signal(os.Interrupt)
	select {
	case <-c.done:
	case <-time.After(20 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
}

// processCPU is the CPU time a process has used, from /proc (Linux).
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// Fields after the command name, which is in parentheses and may hold spaces.
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	const ticksPerSecond = 100 // USER_HZ on Linux
	return time.Duration(utime+stime) * time.Second / ticksPerSecond, nil
}

// subscribers are the SSE clients; each keeps when it read each report's event.
type subscribers struct {
	cancel  context.CancelFunc
	wg      sync.WaitGroup
	count   atomic.Int64
	dropped atomic.Int64
	mu      sync.Mutex
	seen    [][]receipt
}

type receipt struct {
	report   int64
	recorded time.Time // when the server wrote the event (millisecond precision)
	at       time.Time // when the subscriber read it
}

func subscribe(ctx context.Context, url, token string, n int) (*subscribers, error) {
	ctx, cancel := context.WithCancel(ctx)
	s := &subscribers{cancel: cancel, seen: make([][]receipt, n)}
	client := &http.Client{Transport: &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: -1}}
	ready := make(chan error, n)
	for i := range n {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.listen(ctx, client, url, token, i, ready)
		}()
	}
	for range n {
		if err := <-ready; err != nil {
			s.close()
			return nil, err
		}
	}
	return s, nil
}

func (s *subscribers) listen(ctx context.Context, client *http.Client, url, token string, i int, ready chan<- error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", url+"/api/v1/events", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET /api/v1/events: %s", resp.Status)
	}
	ready <- err
	if err != nil {
		return
	}
	defer resp.Body.Close()
	r := bufio.NewReaderSize(resp.Body, 16<<10)
	var mine []receipt
	defer func() {
		s.mu.Lock()
		s.seen[i] = mine
		s.mu.Unlock()
	}()
	for {
		line, err := r.ReadSlice('\n')
		if err != nil {
			if ctx.Err() == nil {
				s.dropped.Add(1)
			}
			return
		}
		data, ok := bytes.CutPrefix(line, []byte("data: "))
		if !ok {
			continue
		}
		at := time.Now()
		var e struct {
			Kind     string    `json:"kind"`
			ReportID int64     `json:"report_id"`
			At       time.Time `json:"at"`
		}
		if json.Unmarshal(data, &e) != nil || e.ReportID == 0 {
			continue
		}
		if e.Kind == yaqaza.EventIncidentCreated || e.Kind == yaqaza.EventReportAttached {
			mine = append(mine, receipt{e.ReportID, e.At, at})
			s.count.Add(1)
		}
	}
}

func (s *subscribers) received() int { return int(s.count.Load()) }

func (s *subscribers) close() {
	s.cancel()
	s.wg.Wait()
}

// latencies stops the subscribers and returns, for every event read, the
// time from when the server wrote it (published) and from when its report
// was posted (end to end).
func (s *subscribers) latencies(sent map[int64]time.Time) (published, endToEnd []time.Duration) {
	s.close()
	for _, list := range s.seen {
		for _, r := range list {
			if t, ok := sent[r.report]; ok {
				published = append(published, r.at.Sub(r.recorded))
				endToEnd = append(endToEnd, r.at.Sub(t))
			}
		}
	}
	return published, endToEnd
}

// publish posts rate reports a second for d, each on its own schedule so
// that a slow answer does not delay the next, and returns when each was
// posted (by report id) and how long each took to be acknowledged.
func publish(ctx context.Context, url, token string, rate int, d time.Duration) (map[int64]time.Time, []time.Duration, error) {
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	rng := rand.New(rand.NewPCG(7, 7))
	var (
		mu    sync.Mutex
		sent  = map[int64]time.Time{}
		acks  []time.Duration
		errs  []error
		wg    sync.WaitGroup
		every = time.Second / time.Duration(rate)
	)
	start := time.Now()
	for i := 0; time.Since(start) < d; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * every)); wait > 0 {
			time.Sleep(wait)
		}
		body, _ := json.Marshal(yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: fmt.Sprintf("tapage nocturne, rue %d", i),
			Location: &yaqaza.Point{Lat: 34.02 + rng.Float64()*0.04, Lon: -5.03 + rng.Float64()*0.05}})
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			id, err := postReport(ctx, client, url, token, body)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			sent[id] = t0
			acks = append(acks, time.Since(t0))
		}()
	}
	wg.Wait()
	if len(errs) > 0 {
		return nil, nil, fmt.Errorf("%d of the reports failed; the first: %w", len(errs), errs[0])
	}
	return sent, acks, nil
}

func postReport(ctx context.Context, client *http.Client, url, token string, body []byte) (int64, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", url+"/api/v1/reports", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return 0, fmt.Errorf("POST /api/v1/reports: %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	var rec yaqaza.Receipt
	if err := json.Unmarshal(b, &rec); err != nil {
		return 0, err
	}
	return rec.ReportID, nil
}

func percentileMS(ds []time.Duration, q float64) float64 {
	if len(ds) == 0 {
		return 0
	}
	return round(float64(ds[min(int(float64(len(ds))*q), len(ds)-1)].Microseconds()) / 1000)
}
