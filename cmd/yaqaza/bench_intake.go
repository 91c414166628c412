package main

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// runBenchIntake measures durable intake through real HTTP on loopback, and
// in the same run the two ceilings it cannot beat: a bare handler that only
// reads the body (HTTP and JSON clients alone), driven in turns with Yaqaza,
// and batched inserts into a bare SQLite table on the same disk with the
// same sync settings.
func runBenchIntake(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench intake")
	duration := fs.Duration("duration", 10*time.Second, "how long to drive the real server")
	clients := fs.Int("clients", 64, "concurrent HTTP clients")
	dir := fs.String("data", "./data", "folder on the disk to measure (a temporary subfolder is used and removed)")
	texts := fs.String("texts", "../shared/data/text/mac-sentiment.train.tsv", "label<TAB>text file to take report texts from (built-in texts if absent)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured turns (the bare handler's too) to this file")
	memProfile := fs.String("memprofile", "", "write an allocation profile of the whole run to this file")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *clients < 1 || *duration <= 0 {
		return usageError{"bench intake: --clients and --duration must be positive"}
	}
	if err := os.MkdirAll(*dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(*dir, "bench-intake-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	corpus := loadTexts(*texts)
	side := max(*duration/2, 2*time.Second)

	fmt.Fprintf(stderr, "baseline: batched inserts into a bare SQLite table, %s\n", side)
	rows, err := bareInsertRate(ctx, filepath.Join(tmp, "bare.db"), corpus, side)
	if err != nil {
		return err
	}

	bare, err := serveLoopback("bare", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"report_id":1,"tracking_code":"7KQM-9XPR-A3TD","incident_id":1,"received_at":"2026-01-01T00:00:00Z"}` + "\n"))
	}))
	if err != nil {
		return err
	}
	defer bare.close()
	db, err := sqlite.Open(ctx, filepath.Join(tmp, "store"), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		return err
	}
	defer db.Close()
	var batches, batched, commitNanos atomic.Int64
	app, err := newApp(ctx, db)
	if err != nil {
		return err
	}
	observe := db.OnCommit
	db.OnCommit = func(n int, d time.Duration) {
		batches.Add(1)
		batched.Add(int64(n))
		commitNanos.Add(int64(d))
		observe(n, d)
	}
	_, token, err := app.tokens.CreateToken(yaqaza.NewContextWithActor(ctx, yaqaza.System("bench")),
		yaqaza.TokenInput{Name: "bench", Role: yaqaza.RoleCallTaker})
	if err != nil {
		return err
	}
	srv, err := serveLoopback("yaqaza", app.handler)
	if err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
	}
	// The bare handler and Yaqaza take turns, so that a machine whose speed
	// drifts during the run (a shared one does) weighs on both alike.
	rounds := max(1, int(*duration/(2*time.Second)))
	fmt.Fprintf(stderr, "yaqaza: durable intake through the API, %d clients, %s, in %d turns with the bare HTTP handler (%s)\n",
		*clients, *duration, rounds, side)
	base, real := &load{}, &load{}
	for i := 0; i < rounds && ctx.Err() == nil; i++ {
		base.add(drive(ctx, bare.url, "", corpus, *clients, side/time.Duration(rounds), i))
		real.add(drive(ctx, srv.url+"/api/v1/reports", token, corpus, *clients, *duration/time.Duration(rounds), i))
	}
	if *cpuProfile != "" {
		pprof.StopCPUProfile()
	}
	if *memProfile != "" {
		if err := writeAllocProfile(*memProfile); err != nil {
			return err
		}
	}
	srv.close()
	if real.failed > 0 {
		return fmt.Errorf("bench intake: %d requests failed (first: %s)", real.failed, real.firstErr)
	}
	serverMean := meanIntake(app)
	stored, err := countStored(ctx, filepath.Join(tmp, "store"))
	if err != nil {
		return err
	}
	if stored != real.ok {
		return fmt.Errorf("bench intake: %d reports acknowledged but %d stored", real.ok, stored)
	}

	res := map[string]any{
		"reports_per_s":               round(real.rate()),
		"p50_ms":                      round(real.percentile(0.50)),
		"p99_ms":                      round(real.percentile(0.99)),
		"baseline_http_per_s":         round(base.rate()),
		"baseline_rows_per_s":         round(rows),
		"ratio":                       round(real.rate() / base.rate()),
		"reports":                     real.ok,
		"server_mean_ms":              round(serverMean),
		"clients":                     *clients,
		"duration_s":                  duration.Seconds(),
		"mean_commit_batch":           round(float64(batched.Load()) / float64(max(batches.Load(), 1))),
		"mean_commit_ms":              round(float64(commitNanos.Load()) / 1e6 / float64(max(batches.Load(), 1))),
		"writer_busy":                 round(float64(commitNanos.Load()) / float64(real.elapsed)),
		"baseline_http_p99_ms":        round(base.percentile(0.99)),
		"cpu_us_per_report":           round(real.cpuPerRequest()),
		"baseline_cpu_us_per_request": round(base.cpuPerRequest()),
	}
	fmt.Fprintf(stderr, "%d reports acknowledged and all %d found in the store; %d group commits\n", real.ok, stored, batches.Load())
	b, _ := json.Marshal(res)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func round(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

type loopback struct {
	url   string
	srv   *http.Server
	close func()
}

func serveLoopback(name string, h http.Handler) (*loopback, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	// The label goes to every connection's goroutine, so that a CPU
	// profile tells the two servers apart (-tagfocus=server=yaqaza).
	go pprof.Do(context.Background(), pprof.Labels("server", name), func(context.Context) { srv.Serve(ln) })
	return &loopback{url: "http://" + ln.Addr().String(), srv: srv, close: func() { srv.Close() }}, nil
}

// load is what the clients saw.
type load struct {
	ok, failed int
	firstErr   string
	elapsed    time.Duration
	cpu        time.Duration // the process's CPU time (user and system) over the run
	latencies  []time.Duration
}

// cpuPerRequest is the process's CPU time per acknowledged request, in µs:
// on a machine the load saturates, the figure that rates follow.
func (l *load) cpuPerRequest() float64 {
	return float64(l.cpu.Microseconds()) / float64(max(l.ok, 1))
}

// ownCPU is the CPU time this process has used so far (0 if unknown).
func ownCPU() time.Duration {
	d, _ := processCPU(os.Getpid())
	return d
}

func (l *load) rate() float64 { return float64(l.ok) / l.elapsed.Seconds() }

// add counts another stretch of the same load in.
func (l *load) add(o *load) {
	l.ok += o.ok
	l.failed += o.failed
	if l.firstErr == "" {
		l.firstErr = o.firstErr
	}
	l.elapsed += o.elapsed
	l.cpu += o.cpu
	l.latencies = append(l.latencies, o.latencies...)
}

func (l *load) percentile(p float64) float64 {
	if len(l.latencies) == 0 {
		return 0
	}
	slices.Sort(l.latencies)
	i := min(int(float64(len(l.latencies))*p), len(l.latencies)-1)
	return float64(l.latencies[i].Microseconds()) / 1000
}

// drive posts reports from n clients for d, each request a new report with
// its own idempotency key (turn keeps them apart from an earlier turn's),
// and collects every latency.
func drive(ctx context.Context, url, token string, corpus []string, n int, d time.Duration, turn int) *load {
	tr := &http.Transport{MaxIdleConns: n, MaxIdleConnsPerHost: n, MaxConnsPerHost: n, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var mu sync.Mutex
	total := &load{}
	var wg sync.WaitGroup
	start, cpu := time.Now(), ownCPU()
	deadline := start.Add(d)
	for c := 0; c < n; c++ {
		wg.Add(1)
		go pprof.Do(ctx, pprof.Labels("client", url), func(context.Context) {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(c), uint64(turn)))
			var lat []time.Duration
			ok, failed, firstErr := 0, 0, ""
			for i := 0; time.Now().Before(deadline) && ctx.Err() == nil; i++ {
				body := benchReport(rng, corpus)
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d-%d-%d", turn, c, i))
				if token != "" {
					req.Header.Set("Authorization", "Bearer "+token)
				}
				t0 := time.Now()
				resp, err := client.Do(req)
				if err == nil {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusCreated {
						err = fmt.Errorf("status %d", resp.StatusCode)
					}
				}
				if err != nil {
					failed++
					if firstErr == "" {
						firstErr = err.Error()
					}
					continue
				}
				lat = append(lat, time.Since(t0))
				ok++
			}
			mu.Lock()
			total.ok += ok
			total.failed += failed
			total.latencies = append(total.latencies, lat...)
			if total.firstErr == "" {
				total.firstErr = firstErr
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	total.elapsed, total.cpu = time.Since(start), ownCPU()-cpu
	return total
}

// benchReport is a call-taker's report: a real text, a point in Fès.
func benchReport(rng *rand.Rand, corpus []string) []byte {
	in := yaqaza.ReportInput{
		Channel:  yaqaza.ChannelCall,
		Text:     corpus[rng.IntN(len(corpus))],
		Location: &yaqaza.Point{Lat: 33.98 + rng.Float64()*0.09, Lon: -5.07 + rng.Float64()*0.13},
		Reporter: &yaqaza.Contact{Phone: fmt.Sprintf("+2126%08d", rng.IntN(100000000))},
	}
	b, _ := json.Marshal(in)
	return b
}

var builtinTexts = []string{
	"شجار بالسكاكين قرب باب بوجلود، شخص مصاب",
	"كاين واحد شاد جنوية فالزنقة وكيهدد الناس",
	"Vol à l'arraché d'un téléphone, avenue Hassan II, le suspect est parti à moto",
	"Rixe devant un café à Zouagha, plusieurs personnes impliquées",
	"سرقة سيارة من أمام المنزل في حي بنسودة",
	"Accident entre une voiture et un scooter au rond-point de la gare",
	"A man is threatening passers-by with a knife near the Medina gate",
}

// loadTexts reads report texts from a label<TAB>text file, or the built-in ones.
func loadTexts(path string) []string {
	f, err := os.Open(path)
	if err != nil {
		return builtinTexts
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() && len(out) < 20000 {
		if _, text, ok := strings.Cut(sc.Text(), "\t"); ok && strings.TrimSpace(text) != "" {
			out = append(out, text)
		}
	}
	if len(out) == 0 {
		return builtinTexts
	}
	return out
}

// bareInsertRate inserts rows of report-sized text into a one-table SQLite
// database, a thousand rows a transaction, with the store's sync settings.
func bareInsertRate(ctx context.Context, path string, corpus []string, d time.Duration) (float64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE bare (id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, text TEXT NOT NULL)`); err != nil {
		return 0, err
	}
	stmt, err := db.PrepareContext(ctx, `INSERT INTO bare (received_at, text) VALUES (?, ?)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	start := time.Now()
	rows := 0
	for time.Since(start) < d && ctx.Err() == nil {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		st := tx.StmtContext(ctx, stmt)
		for i := 0; i < 1000; i++ {
			if _, err := st.ExecContext(ctx, time.Now().UnixMilli(), corpus[(rows+i)%len(corpus)]); err != nil {
				tx.Rollback()
				return 0, err
			}
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
		rows += 1000
	}
	return float64(rows) / time.Since(start).Seconds(), nil
}

// countStored reopens the store's file and counts reports, to check that
// every acknowledged report is there.
func countStored(ctx context.Context, dir string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlite.FileName)+"?_pragma=query_only(1)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	var n int
	err = db.QueryRowContext(ctx, `SELECT count(*) FROM reports`).Scan(&n)
	return n, err
}

// meanIntake is the mean time the server spent on a report, from reading
// its request to answering it, as its own metrics saw it.
func meanIntake(a *app) float64 {
	families, err := a.metrics.Registry.Gather()
	if err != nil {
		return 0
	}
	for _, f := range families {
		if f.GetName() != "yaqaza_intake_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			if h := m.GetHistogram(); h.GetSampleCount() > 0 {
				return h.GetSampleSum() / float64(h.GetSampleCount()) * 1000
			}
		}
	}
	return 0
}

// writeAllocProfile writes the allocations sampled since the start.
func writeAllocProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
