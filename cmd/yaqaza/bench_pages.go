package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/triage"
)

// runBenchPages measures how long the console takes to render each page
// with a year of a prefecture's incidents in the store: the server's time
// from the request's arrival to the last byte of the handler, as each
// page's users meet it (signed in with the role that uses it). The
// baseline, in the same run, is the sign-in page: a template and no data.
func runBenchPages(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench pages")
	nIncidents := fs.Int("incidents", 100000, "incidents in the store, spread over the last year")
	nOpen := fs.Int("open", 1000, "of them, the newest still open")
	rounds := fs.Int("rounds", 30, "requests per page")
	dir := fs.String("data", "./data", "folder on the disk to use (a temporary subfolder is used and removed)")
	seed := fs.Uint64("seed", 1, "seed of the generated incidents")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *nIncidents < 1 || *nOpen < 1 || *nOpen > *nIncidents || *rounds < 1 {
		return usageError{"bench pages: --incidents, --open and --rounds must be positive, --open at most --incidents"}
	}
	if err := os.MkdirAll(*dir, 0o750); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(*dir, "bench-pages-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	db, err := sqlite.Open(ctx, filepath.Join(tmp, "store"), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		return err
	}
	defer db.Close()
	app, err := newApp(ctx, db)
	if err != nil {
		return err
	}
	app.server.Sealer = db.Keys()
	if err := app.mountConsole(false); err != nil {
		return err
	}
	app.handler = app.server.Handler()

	start := time.Now()
	fmt.Fprintf(stderr, "seeding %d incidents over a year, %d open\n", *nIncidents, *nOpen)
	sample, err := seedYear(ctx, app, *nIncidents, *nOpen, rand.New(rand.NewPCG(*seed, 3)))
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "seeded in %s\n", time.Since(start).Round(time.Second))
	runtime.GC() // the seeding's garbage is not the pages'
	// yaqaza serve counts the dashboard's trend history at start and keeps
	// it fresh in the background; the bench does it once, and times it.
	warm := time.Now()
	if err := app.indicators.WarmTrends(ctx); err != nil {
		return err
	}
	warmTook := time.Since(warm)
	fmt.Fprintf(stderr, "trend history (a year, in the background in yaqaza serve): %s\n", warmTook.Round(time.Millisecond))

	timer := &serverTimer{next: app.handler, took: map[string][]time.Duration{}}
	srv, err := serveLoopback("yaqaza", timer)
	if err != nil {
		return err
	}
	defer srv.close()

	roles := map[yaqaza.Role]*http.Client{}
	for _, role := range []yaqaza.Role{yaqaza.RoleDispatcher, yaqaza.RoleCallTaker, yaqaza.RoleCommand, yaqaza.RoleAuditor, yaqaza.RoleAdmin, yaqaza.RoleCommunication} {
		if roles[role], err = benchSignIn(ctx, app, srv.url, role); err != nil {
			return err
		}
	}
	pages := []struct {
		path string
		role yaqaza.Role
	}{
		{"/signin", ""}, // the baseline
		{"/", ""},
		{"/track/" + sample.code, ""},
		{"/news", ""},
		{"/board", yaqaza.RoleDispatcher},
		{"/board/queue", yaqaza.RoleDispatcher},
		{fmt.Sprintf("/incidents/%d", sample.open), yaqaza.RoleDispatcher},
		{fmt.Sprintf("/incidents/%d", sample.closed), yaqaza.RoleDispatcher},
		{"/call", yaqaza.RoleCallTaker},
		{"/dashboard", yaqaza.RoleCommand},
		{"/dashboard?period=30d", yaqaza.RoleCommand},
		{"/dashboard?period=year", yaqaza.RoleCommand},
		{"/audit", yaqaza.RoleAuditor},
		{"/publications", yaqaza.RoleCommunication},
		{"/admin", yaqaza.RoleAdmin},
		{"/admin/units", yaqaza.RoleAdmin},
		{"/admin/zones", yaqaza.RoleAdmin},
		{"/admin/categories", yaqaza.RoleAdmin},
		{"/admin/sla", yaqaza.RoleAdmin},
		{"/admin/tokens", yaqaza.RoleAdmin},
		{"/admin/accounts", yaqaza.RoleAdmin},
	}
	type result struct {
		Page   string `json:"page"`
		Status int    `json:"status"`
		// FirstMs is the first request's time, before any cache is warm.
		FirstMs float64 `json:"first_ms"`
		P50ms   float64 `json:"p50_ms"`
		P99ms   float64 `json:"p99_ms"`
		MaxMs   float64 `json:"max_ms"`
		Bytes   int     `json:"bytes"`
		Missing bool    `json:"missing,omitempty"`
	}
	var results []result
	slowest, slowestFirst, baseline := 0.0, 0.0, 0.0
	for _, pg := range pages {
		client := roles[pg.role]
		if client == nil {
			client = &http.Client{CheckRedirect: noRedirect}
		}
		var status, size int
		for range *rounds + 3 { // the first requests warm caches
			status, size, err = benchGet(ctx, client, srv.url+pg.path)
			if err != nil {
				return err
			}
		}
		all := timer.take(pg.path)
		took := all[3:]
		slices.Sort(took)
		r := result{Page: pg.path, Status: status, Bytes: size, FirstMs: ms(all[0]),
			P50ms: ms(took[len(took)/2]), P99ms: ms(took[(len(took)*99)/100]), MaxMs: ms(took[len(took)-1])}
		switch {
		case status == http.StatusNotFound:
			r.Missing = true
		case status != http.StatusOK:
			return fmt.Errorf("bench pages: %s answered %d to a %s", pg.path, status, orAnonymous(pg.role))
		case pg.path == "/signin":
			baseline = r.P50ms
		default:
			slowest, slowestFirst = max(slowest, r.P99ms), max(slowestFirst, r.FirstMs)
		}
		results = append(results, r)
		fmt.Fprintf(stderr, "%-28s %3d  first %7.2f ms  p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  %7d bytes\n",
			pg.path, status, r.FirstMs, r.P50ms, r.P99ms, r.MaxMs, size)
	}
	out := map[string]any{
		"incidents":             *nIncidents,
		"open":                  *nOpen,
		"rounds":                *rounds,
		"baseline_signin_ms":    baseline,
		"slowest_page_p99_ms":   slowest,
		"slowest_page_first_ms": slowestFirst,
		"all_under_100ms":       slowest < 100 && slowestFirst < 100,
		"pages":                 results,
	}
	b, _ := json.Marshal(out)
	fmt.Fprintln(stdout, string(b))
	return nil
}

func ms(d time.Duration) float64 { return round(float64(d) / 1e6) }

func orAnonymous(r yaqaza.Role) string {
	if r == "" {
		return "visitor"
	}
	return string(r)
}

func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

// serverTimer records how long the handler took for each GET, by
// path and query: the server's side of a page, without the client's.
type serverTimer struct {
	next http.Handler
	mu   sync.Mutex
	took map[string][]time.Duration
}

func (s *serverTimer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	s.next.ServeHTTP(w, r)
	d := time.Since(start)
	s.mu.Lock()
	if r.Method == http.MethodGet { // the sign-ins' posts are not pages
		s.took[r.URL.RequestURI()] = append(s.took[r.URL.RequestURI()], d)
	}
	s.mu.Unlock()
}

func (s *serverTimer) take(uri string) []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.took[uri]
	delete(s.took, uri)
	return d
}

func benchGet(ctx context.Context, c *http.Client, u string) (int, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, 0, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, int(n), err
}

var benchCSRF = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// benchSignIn makes an account with the role and signs it in through the
// console's own pages, first password change included.
func benchSignIn(ctx context.Context, app *app, base string, role yaqaza.Role) (*http.Client, error) {
	name := "bench-" + string(role)
	name = regexp.MustCompile(`[^a-z0-9-]`).ReplaceAllString(name, "-")
	_, otp, err := app.server.Users.CreateUser(yaqaza.NewContextWithActor(ctx, yaqaza.System("bench")),
		yaqaza.UserInput{Username: name, DisplayName: name, Role: role})
	if err != nil {
		return nil, err
	}
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: noRedirect}
	post := func(path string, form url.Values) (*http.Response, error) {
		resp, err := c.PostForm(base+path, form)
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return resp, nil
	}
	if resp, err := post("/signin", url.Values{"username": {name}, "password": {otp}}); err != nil {
		return nil, err
	} else if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("bench pages: signing in as %s answered %d", role, resp.StatusCode)
	}
	resp, err := c.Get(base + "/password")
	if err != nil {
		return nil, err
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := benchCSRF.FindSubmatch(body)
	if m == nil {
		return nil, fmt.Errorf("bench pages: no CSRF token on the password page of %s", role)
	}
	const password = "Vigilance-Fes-Seven-2026"
	if resp, err := post("/password", url.Values{"current": {otp}, "new": {password}, "again": {password}, "csrf_token": {string(m[1])}}); err != nil {
		return nil, err
	} else if resp.StatusCode != http.StatusSeeOther {
		return nil, fmt.Errorf("bench pages: setting the password of %s answered %d", role, resp.StatusCode)
	}
	return c, nil
}

// benchSample names incidents and a report the per-item pages show.
type benchSample struct {
	open, closed int64
	code         string
}

// seedYear fills the store with n incidents from calls placed across the
// city, then moves time as a year would have: creation dates spread over
// the last 365 days, and all but the newest open ones taken through
// triage, dispatch, arrival and resolution to closed, with those stages on
// their timelines, so that the dashboard's figures read real histories.
// The reports go through intake (triage, the single writer) as in
// production; the year is then written in SQL, because replaying a year
// through the services would take the benchmark an hour.
func seedYear(ctx context.Context, app *app, n, open int, rng *rand.Rand) (*benchSample, error) {
	// A year arrives here in a minute: the clusterer would join reports
	// that in the year were days apart. It is back for the pages.
	app.db.SetClusterer(nil)
	defer app.db.SetClusterer(triage.NewClusterer(app.triage.current.Load(), triage.DefaultDupOptions))

	sys := yaqaza.NewContextWithActor(ctx, yaqaza.System("bench"))
	sample := &benchSample{}
	const batch = 5000
	for done := 0; done < n; {
		ins := make([]*yaqaza.ReportInput, 0, min(batch, n-done))
		for range cap(ins) {
			ins = append(ins, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: builtinTexts[rng.IntN(len(builtinTexts))],
				Location: app.randomPoint(rng), Reporter: &yaqaza.Contact{Phone: fmt.Sprintf("+2126%08d", rng.IntN(1e8))}})
		}
		items, err := app.reports.SubmitReports(sys, ins, false)
		if err != nil {
			return nil, err
		}
		for _, it := range items {
			if it.Receipt == nil {
				return nil, fmt.Errorf("bench pages: a seed report was refused: %v", it.Err)
			}
			sample.code = it.Receipt.TrackingCode
		}
		done += len(items)
	}
	return sample, ageYear(ctx, app.db, open, time.Now(), sample)
}

// randomPoint is a point inside one of the jurisdiction's zones.
func (a *app) randomPoint(rng *rand.Rand) *yaqaza.Point {
	sw, ne := a.zones.Bound()
	for {
		p := yaqaza.Point{Lat: sw.Lat + rng.Float64()*(ne.Lat-sw.Lat), Lon: sw.Lon + rng.Float64()*(ne.Lon-sw.Lon)}
		if a.zones.Covers(p) {
			return &p
		}
	}
}

// ageYear spreads the incidents over the year before now, newest ids
// newest, and closes all but the open newest ones with a plausible
// history: triaged after 1–10 minutes, dispatched after 3–30, on scene
// 10–60 minutes after dispatch, resolved 30 minutes to 4 hours after
// opening, closed an hour later. Deadlines go with the closing.
func ageYear(ctx context.Context, db *sqlstore.DB, open int, now time.Time, sample *benchSample) error {
	h := db.Handle()
	var lo, hi int64
	if err := h.QueryRowContext(ctx, `SELECT MIN(id), MAX(id) FROM incidents`).Scan(&lo, &hi); err != nil {
		return err
	}
	const year = int64(365 * 24 * time.Hour / time.Millisecond)
	end := now.Add(-10 * time.Minute).UnixMilli()
	cut := hi - int64(open) // ids above it stay open
	// Pseudo-random but reproducible offsets (minutes) from the id.
	steps := []string{
		`UPDATE incidents SET created_at = ? - (? - id) * ? / (? - ? + 1), updated_at = ? - (? - id) * ? / (? - ? + 1)`,
		`UPDATE timeline SET at = (SELECT created_at FROM incidents i WHERE i.id = timeline.incident_id) WHERE incident_id IS NOT NULL`,
		`UPDATE reports SET received_at = (SELECT created_at FROM incidents i WHERE i.id = reports.incident_id)`,
		`INSERT INTO timeline (incident_id, zone_code, at, actor_id, actor_name, kind, from_status, to_status)
		 SELECT id, zone_code, created_at + (1 + id % 10) * 60000, 'user:1', 'bench', 'status.changed', 'new', 'triaged' FROM incidents WHERE id <= ?`,
		`INSERT INTO timeline (incident_id, zone_code, at, actor_id, actor_name, kind, from_status, to_status)
		 SELECT id, zone_code, created_at + (3 + id % 28) * 60000, 'user:1', 'bench', 'status.changed', 'triaged', 'dispatched' FROM incidents WHERE id <= ?`,
		`INSERT INTO timeline (incident_id, zone_code, at, actor_id, actor_name, kind, from_status, to_status)
		 SELECT id, zone_code, created_at + (13 + id % 28 + id % 51) * 60000, 'user:1', 'bench', 'status.changed', 'dispatched', 'on_scene' FROM incidents WHERE id <= ?`,
		`INSERT INTO timeline (incident_id, zone_code, at, actor_id, actor_name, kind, from_status, to_status)
		 SELECT id, zone_code, created_at + (64 + id % 28 + id % 51 + id % 180) * 60000, 'user:1', 'bench', 'status.changed', 'on_scene', 'resolved' FROM incidents WHERE id <= ?`,
		`INSERT INTO timeline (incident_id, zone_code, at, actor_id, actor_name, kind, from_status, to_status)
		 SELECT id, zone_code, created_at + (124 + id % 28 + id % 51 + id % 180) * 60000, 'user:1', 'bench', 'status.changed', 'resolved', 'closed' FROM incidents WHERE id <= ?`,
		`UPDATE incidents SET status = 'closed', outcome = CASE id % 4 WHEN 0 THEN 'arrest' WHEN 1 THEN 'report_filed' WHEN 2 THEN 'resolved_on_scene' ELSE 'unfounded' END,
		 deadline_stage = NULL, deadline_at = NULL, timer_at = NULL, escalation_level = 0, version = version + 5,
		 acknowledged_at = created_at + (1 + id % 10) * 60000, dispatched_at = created_at + (3 + id % 28) * 60000,
		 on_scene_at = created_at + (13 + id % 28 + id % 51) * 60000, resolved_at = created_at + (64 + id % 28 + id % 51 + id % 180) * 60000,
		 updated_at = created_at + (124 + id % 28 + id % 51 + id % 180) * 60000 WHERE id <= ?`,
	}
	args := [][]any{
		{end, hi, year, hi, lo, end, hi, year, hi, lo},
		nil, nil, {cut}, {cut}, {cut}, {cut}, {cut}, {cut},
	}
	tx, err := h.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, q := range steps {
		if _, err := tx.ExecContext(ctx, db.Rebind(q), args[i]...); err != nil {
			return fmt.Errorf("bench pages: ageing the year (step %d): %w", i+1, err)
		}
	}
	// Open incidents keep their deadlines, planned at intake; moved back
	// in time with their creation, the oldest of them are now late.
	if _, err := tx.ExecContext(ctx, db.Rebind(`UPDATE incidents SET deadline_at = deadline_at - ? + updated_at, timer_at = NULL WHERE id > ? AND deadline_at IS NOT NULL`), now.UnixMilli(), cut); err != nil {
		return err
	}
	sample.open, sample.closed = hi, cut
	return tx.Commit()
}
