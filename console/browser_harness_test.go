package console_test

// The harness of the browser tests: a complete Yaqaza node on loopback,
// wired as `yaqaza serve` wires it, and a real headless Chromium driven
// through the DevTools protocol. See browser_test.go (citizens) and
// browser_staff_test.go (staff) for the tests.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/console"
	"github.com/yaqaza/yaqaza/followup"
	"github.com/yaqaza/yaqaza/geo"
	yhttp "github.com/yaqaza/yaqaza/http"
	"github.com/yaqaza/yaqaza/live"
	"github.com/yaqaza/yaqaza/notify"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/triage"
)

// requireBrowserEnv names the variable that turns a missing browser or
// missing assets from a skip into a failure: CI sets it, so that the
// browser tests cannot silently stop running there.
const requireBrowserEnv = "YAQAZA_REQUIRE_BROWSER"

// skipOrFail skips the test for a reason the developer can fix locally,
// unless the environment demands the browser tests run.
func skipOrFail(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv(requireBrowserEnv) == "1" {
		t.Fatalf("%s (%s=1, so this is a failure, not a skip)", reason, requireBrowserEnv)
	}
	t.Skip(reason)
}

// chromiumPath finds the browser: YAQAZA_CHROMIUM, else chromium on PATH.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("YAQAZA_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			skipOrFail(t, "YAQAZA_CHROMIUM="+p+" does not exist: "+err.Error())
		}
		return p
	}
	p, err := exec.LookPath("chromium")
	if err != nil {
		skipOrFail(t, "no chromium on PATH, so the browser tests cannot run: install it (apt-get install chromium) or set YAQAZA_CHROMIUM to a Chromium or Chrome binary")
	}
	return p
}

// browserSite is a Yaqaza node serving the API and the console on loopback.
type browserSite struct {
	URL  string
	Host string // host:port, the only host a page may load anything from

	DB      *sqlstore.DB
	Reports yaqaza.ReportService // as the console calls it, auto-dispatch included
	// Ledger takes reports without auto-dispatch, for tests that set an
	// incident's priority themselves: triage raises some at night, and a
	// P1 would be dispatched before the test could say otherwise.
	Ledger    yaqaza.ReportService
	Plans     *sqlstore.PlanService
	Incidents *sqlstore.IncidentService
	Tracking  *sqlstore.TrackingService
	Users     *sqlstore.UserService
	Units     *sqlstore.UnitService
}

// startBrowserSite builds the node as cmd/yaqaza's newApp and mountConsole
// do (that package is main, so the wiring is repeated here): SQLite in a
// temporary directory, the Fès pack, the live triage, the fleet, rate
// limits, the console, and the live events path (relay → hub → SSE). What
// is left out does nothing a page can see in a test: trained models (a
// fresh store has none), NATS (the relay feeds the hub directly, as in the
// http package's tests), notification delivery (no subscribers), retention
// and the orphan watch.
func startBrowserSite(t *testing.T) *browserSite {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	var workers sync.WaitGroup
	db, err := sqlite.Open(ctx, t.TempDir(), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		stop()
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The workers write to the store: stop them before closing it.
		stop()
		workers.Wait()
		db.Close()
	})
	// Cheap hashing: the account package tests the real costs, and a
	// sign-in must not cost a browser test a second.
	db.PasswordParams = account.Params{Memory: 64, Time: 1, Threads: 1}
	system := yaqaza.NewContextWithActor(ctx, yaqaza.System("test"))

	packs := sqlstore.NewPackService(db)
	pack := geo.DefaultPack()
	if err := packs.LoadPack(system, pack); err != nil {
		t.Fatal(err)
	}
	zones, err := geo.NewZoneIndex(pack.Zones)
	if err != nil {
		t.Fatal(err)
	}
	if pack.SLA != nil {
		db.SetSLA(pack.SLA)
	}
	metrics := yhttp.NewMetrics()
	db.OnCommit = metrics.ObserveCommit
	tri, err := triage.New(pack, zones, triage.Models{})
	if err != nil {
		t.Fatal(err)
	}
	db.SetClusterer(triage.NewClusterer(tri, triage.DefaultDupOptions))
	reports := sqlstore.NewReportService(db, tri)
	reports.OnDrop = metrics.CountDropped
	units, err := sqlstore.NewUnitService(ctx, db, zones, pack.Dispatch)
	if err != nil {
		t.Fatal(err)
	}
	db.Messages = notify.Texts{}
	srv := &yhttp.Server{
		Reports:   &autoDispatchReports{ReportService: reports, units: units, ctx: ctx, running: &workers},
		Units:     units,
		Dispatch:  units,
		Followup:  browserFollowup{packs, db},
		Incidents: sqlstore.NewIncidentService(db),
		Tracking:  sqlstore.NewTrackingService(db),
		Tokens:    sqlstore.NewTokenService(db),
		Packs:     packs,
		Places:    packs,
		Ready:     db.Ping,
		Metrics:   metrics,
		EventLog:  db,
		Users:     sqlstore.NewUserService(db),
		Audit:     sqlstore.NewAuditService(db),
		Sealer:    db.Keys(),
		Hub:       live.NewHub(),
		// Plain HTTP on loopback: yaqaza serve leaves cookies non-Secure there too.
		SecureCookies: false,
		RateLimits:    yhttp.NewRateLimits(),
	}
	metrics.WatchRateLimits(srv.RateLimits)

	plans := sqlstore.NewPlanService(db, zones)
	indicators, err := sqlstore.NewIndicatorService(db, pack)
	if err != nil {
		t.Fatal(err)
	}
	services := console.Services{Reports: srv.Reports, Incidents: srv.Incidents, Tracking: srv.Tracking, Units: srv.Units,
		Dispatch: srv.Dispatch, Packs: srv.Packs, Users: srv.Users, Tokens: srv.Tokens, Audit: srv.Audit,
		Suggest: sqlstore.NewSuggestService(db, tri), Indicators: indicators, Config: packs, Plans: plans}
	c, err := console.New(services)
	if err != nil {
		t.Fatal(err)
	}
	c.SecureCookies = srv.SecureCookies
	if loc, err := time.LoadLocation(pack.Timezone); err == nil {
		c.SetTimezone(loc)
	}
	srv.Console = c

	workers.Add(3)
	go func() { defer workers.Done(); units.Watch(ctx, 2*time.Second) }()
	go func() { defer workers.Done(); (&live.Relay{Source: db, Hub: srv.Hub, Owner: "browser-test"}).Run(ctx) }()
	go func() { defer workers.Done(); followup.RunEscalations(ctx, db, db.Now, time.Second) }()

	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		// Event streams stay open until their client goes: cut them, or
		// Close waits for ever on a tab that did not close cleanly.
		hs.CloseClientConnections()
		hs.Close()
	})
	u, _ := url.Parse(hs.URL)
	site := &browserSite{URL: hs.URL, Host: u.Host, DB: db, Reports: srv.Reports, Ledger: reports, Plans: plans,
		Incidents: srv.Incidents.(*sqlstore.IncidentService), Tracking: srv.Tracking.(*sqlstore.TrackingService),
		Users: srv.Users.(*sqlstore.UserService), Units: units}
	return site
}

// requireAssets checks that the binary embeds the npm packages: without
// them every page logs errors and maps are blank, which would read as a
// console bug rather than a missing build step.
func (s *browserSite) requireAssets(t *testing.T) {
	t.Helper()
	for _, p := range []string{"/static/vendor/htmx.min.js", "/static/vendor/leaflet.js"} {
		if s.status(t, p) != http.StatusOK {
			skipOrFail(t, "console/static/vendor is missing ("+p+" is not served): run `make assets` before the browser tests")
		}
	}
}

// status is the answer to an anonymous GET, without following redirects:
// 404 means the console has no such page; a staff page that exists sends
// an anonymous visitor to sign in instead.
func (s *browserSite) status(t *testing.T, path string) int {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(s.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// system is a context acting as the platform itself, for set-up and checks.
func (s *browserSite) system() context.Context {
	return yaqaza.NewContextWithActor(context.Background(), yaqaza.System("test"))
}

// createUser makes an account and returns its one-time password.
func (s *browserSite) createUser(t *testing.T, username, name string, role yaqaza.Role) string {
	t.Helper()
	_, otp, err := s.Users.CreateUser(s.system(), yaqaza.UserInput{Username: username, DisplayName: name, Role: role})
	if err != nil {
		t.Fatal(err)
	}
	return otp
}

// incidents lists every incident (up to 500), newest first.
func (s *browserSite) incidents(t *testing.T, text string) []*yaqaza.Incident {
	t.Helper()
	page, err := s.Incidents.FindIncidents(s.system(), yaqaza.IncidentFilter{Text: text, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	return page.Incidents
}

// waitForIncident polls the store until the incident satisfies ok: status
// changes made through the board are checked where they are kept.
func (s *browserSite) waitForIncident(t *testing.T, id int64, what string, ok func(*yaqaza.Incident) bool) *yaqaza.Incident {
	t.Helper()
	deadline := time.Now().Add(stepTimeout)
	for {
		inc, err := s.Incidents.FindIncidentByID(s.system(), id)
		if err != nil {
			t.Fatal(err)
		}
		if ok(inc) {
			return inc
		}
		if time.Now().After(deadline) {
			t.Fatalf("incident %d: %s did not happen within %s (status %s)", id, what, stepTimeout, inc.Status)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browserFollowup is what the API needs of the follow-up side (cmd/yaqaza's followupAPI).
type browserFollowup struct {
	*sqlstore.PackService
	*sqlstore.DB
}

// autoDispatchReports repeats cmd/yaqaza's autoDispatch: an incident opened
// at a priority the policy names gets its nearest unit at once, so a P1
// report reaches the board already dispatched, as in production. running
// lets the harness wait for these assignments before closing the store.
type autoDispatchReports struct {
	yaqaza.ReportService
	units   *sqlstore.UnitService
	ctx     context.Context
	running *sync.WaitGroup
}

func (a *autoDispatchReports) SubmitReport(ctx context.Context, in *yaqaza.ReportInput) (*yaqaza.Receipt, error) {
	r, err := a.ReportService.SubmitReport(ctx, in)
	if err == nil {
		a.maybe(r)
	}
	return r, err
}

func (a *autoDispatchReports) SubmitReports(ctx context.Context, ins []*yaqaza.ReportInput, partial bool) ([]yaqaza.BatchItem, error) {
	items, err := a.ReportService.SubmitReports(ctx, ins, partial)
	for _, it := range items {
		if it.Receipt != nil {
			a.maybe(it.Receipt)
		}
	}
	return items, err
}

func (a *autoDispatchReports) maybe(r *yaqaza.Receipt) {
	if r.Opened == 0 || r.Replayed || !slices.Contains(a.units.Policy().AutoDispatch, r.Opened) {
		return
	}
	a.running.Go(func() {
		ctx := yaqaza.NewContextWithActor(a.ctx, yaqaza.System("auto-dispatch"))
		recs, err := a.units.Recommend(ctx, r.IncidentID, 1)
		if err != nil || len(recs) == 0 {
			return // the dispatcher's queue takes over, as in production
		}
		a.units.Assign(ctx, r.IncidentID, yaqaza.AssignInput{Units: []int64{recs[0].Unit.ID}})
	})
}

// repoRoot is the module's root, found upwards from the test's directory,
// so that screenshots land in <root>/test-output wherever go test runs.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			t.Fatal(errors.New("no go.mod above " + dir))
		}
	}
}

// stepTimeout bounds every wait, so that a broken page fails the test
// with a message instead of hanging it.
const stepTimeout = 20 * time.Second

// browser is one headless Chromium process for one test function; its
// subtests get tabs in separate browser contexts (separate cookie jars).
type browser struct {
	ctx  context.Context
	site *browserSite
}

// newBrowser starts Chromium; it is closed when the test ends.
func newBrowser(t *testing.T, site *browserSite) *browser {
	t.Helper()
	site.requireAssets(t)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], // headless, no first run
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.DisableGPU,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	if os.Geteuid() == 0 {
		// Chromium refuses to start its sandbox as root (CI containers).
		opts = append(opts, chromedp.NoSandbox)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	// The first Do starts the process; it must not carry a timeout (the
	// browser would die with it), so the start is bounded from outside.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("starting Chromium: %v", err)
		}
	case <-time.After(stepTimeout):
		cancel()
		t.Fatalf("Chromium did not start within %s", stepTimeout)
	}
	return &browser{ctx: ctx, site: site}
}

// browserTab is a tab that records what must never happen on a console
// page: JavaScript errors and exceptions, error entries of the browser's
// log (CSP violations, failed sub-resources), and requests to any host
// but the node's own. Each is reported as a test failure when the test
// that opened the tab ends.
type browserTab struct {
	t    *testing.T
	ctx  context.Context
	site *browserSite

	mu        sync.Mutex
	problems  []string
	documents map[network.RequestID]bool
}

// tab opens a tab with its own cookies and a 1280×900 viewport.
func (b *browser) tab(t *testing.T) *browserTab {
	t.Helper()
	tb := &browserTab{t: t, site: b.site, documents: map[network.RequestID]bool{}}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext(), chromedp.WithListener(tb.observe))
	t.Cleanup(func() {
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, p := range tb.problems {
			t.Errorf("in the browser: %s", p)
		}
	})
	tb.ctx = ctx
	// As with the browser, the first Do creates the tab and ties the tab's
	// life to the context it is given: a context with a timeout would
	// close the tab as soon as that step returned, and every later step
	// would hang. So the tab is created without one, bounded from outside.
	opened := make(chan error, 1)
	go func() { opened <- chromedp.Do(ctx) }()
	select {
	case err := <-opened:
		if err != nil {
			t.Fatalf("opening a tab: %v", err)
		}
	case <-time.After(stepTimeout):
		cancel()
		t.Fatalf("a tab did not open within %s", stepTimeout)
	}
	tb.do("set the viewport", chromedp.EmulateViewport(1280, 900))
	return tb
}

// observe runs on chromedp's reading goroutine: it only records.
func (tb *browserTab) observe(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError || ev.Type == runtime.ConsoleAPICalledTypeAssert {
			msg := "console." + string(ev.Type) + ":"
			for _, a := range ev.Args {
				if a.Description != "" {
					msg += " " + a.Description
				} else {
					msg += " " + string(a.Value)
				}
			}
			tb.problems = append(tb.problems, msg)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := "uncaught exception: " + d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.problems = append(tb.problems, msg+" at "+d.URL)
	case *log.EventEntryAdded:
		e := ev.Entry
		// A page may answer 400 or 404 on purpose (a form with errors, an
		// unknown tracking code): only a failing sub-resource is a bug.
		if e.Level != log.EntryLevelError || (e.Source == log.EntrySourceNetwork && tb.documents[e.NetworkRequestID]) {
			return
		}
		tb.problems = append(tb.problems, "browser log ("+string(e.Source)+"): "+e.Text+" "+e.URL)
	case *network.EventRequestWillBeSent:
		if ev.Type == network.ResourceTypeDocument {
			tb.documents[ev.RequestID] = true
		}
		u, err := url.Parse(ev.Request.URL)
		if err != nil || (u.Scheme != "data" && u.Host != tb.site.Host) {
			tb.problems = append(tb.problems, "request to another host: "+ev.Request.URL)
		}
	}
}

// problemsSoFar is appended to a failure, as the likely cause.
func (tb *browserTab) problemsSoFar() string {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	if len(tb.problems) == 0 {
		return ""
	}
	return "\nthe page reported:\n  " + strings.Join(tb.problems, "\n  ")
}

// fail ends the test, leaving a screenshot of what the browser showed.
func (tb *browserTab) fail(what string, err error) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	shot := ""
	if png, serr := chromedp.Run(ctx, wholePage()); serr == nil {
		name := "FAILED-" + strings.NewReplacer("/", "-", " ", "_").Replace(tb.t.Name())
		if p, werr := writeScreenshot(tb.t, name, png); werr == nil {
			shot = " (the page is in " + p + ")"
		}
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	tb.t.Fatalf("%s, on %s: %v%s%s", what, loc, err, shot, tb.problemsSoFar())
}

// do runs steps within stepTimeout.
func (tb *browserTab) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.fail(what, err)
	}
}

// value runs one action that returns a value, within stepTimeout.
func value[T any](tb *browserTab, what string, a chromedp.Action[T]) T {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		tb.fail(what, err)
	}
	return v
}

// load runs steps that navigate (open a URL, submit a form) and waits for
// the new page; it returns the status of the final document.
func (tb *browserTab) load(what string, steps ...chromedp.Action[chromedp.Void]) int64 {
	tb.t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, stepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, steps...)
	if err != nil {
		tb.fail(what, err)
	}
	if resp == nil {
		tb.fail(what, errors.New("no document was loaded"))
	}
	return resp.Status
}

// open navigates to a path of the site and returns the document's status.
func (tb *browserTab) open(path string) int64 {
	tb.t.Helper()
	return tb.load("open "+path, chromedp.Navigate(tb.site.URL+path))
}

// language chooses the console's language as a visitor does, through
// /lang/{lang}, and lands on path.
func (tb *browserTab) language(lang, path string) {
	tb.t.Helper()
	if st := tb.open("/lang/" + lang + "?back=" + url.QueryEscape(path)); st != http.StatusOK {
		tb.fail("choose "+lang, fmt.Errorf("%s answered %d", path, st))
	}
	tb.checkDirection(lang)
}

// checkDirection checks <html lang dir>: Arabic pages read right to left.
func (tb *browserTab) checkDirection(lang string) {
	tb.t.Helper()
	want := map[bool]string{true: "rtl", false: "ltr"}[lang == "ar"]
	got := value(tb, "read <html>", chromedp.Evaluate[[]string](`[document.documentElement.lang, document.documentElement.dir]`))
	if len(got) != 2 || got[0] != lang || got[1] != want {
		tb.fail("check <html lang dir>", fmt.Errorf("got %q, want [%s %s]", got, lang, want))
	}
}

// path is the current page's path.
func (tb *browserTab) path() string {
	tb.t.Helper()
	u, err := url.Parse(value(tb, "read the location", chromedp.Location()))
	if err != nil {
		tb.t.Fatal(err)
	}
	return u.Path
}

// text is the trimmed text of the first element sel matches, once visible.
func (tb *browserTab) text(sel string) string {
	tb.t.Helper()
	tb.do("wait for "+sel, chromedp.WaitVisible(chromedp.CSS(sel)))
	return strings.TrimSpace(value(tb, "read "+sel, chromedp.TextContent(chromedp.CSS(sel))))
}

// settle waits until the page is fully drawn: loaded, fonts ready, and
// every map showing its zones (they arrive by fetch after the load).
func (tb *browserTab) settle() {
	tb.t.Helper()
	tb.do("wait for the page to settle", chromedp.Poll[chromedp.Void](`document.readyState === "complete" &&
		document.fonts.status === "loaded" &&
		Array.from(document.querySelectorAll(".map")).every(m => m.querySelector("path.zone"))`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(stepTimeout)))
}

// screenshot writes the whole page to <repo>/test-output/<name>.png.
func (tb *browserTab) screenshot(name string) {
	tb.t.Helper()
	tb.settle()
	png := value(tb, "screenshot "+name, wholePage())
	if _, err := writeScreenshot(tb.t, name, png); err != nil {
		tb.t.Fatal(err)
	}
}

// wholePage captures the page from top to bottom as a PNG. Chromium's
// capture beyond the viewport (chromedp.FullScreenshot) draws a short
// right-to-left page shifted sideways, so the viewport is made as tall as
// the page instead, captured as is, and set back.
func wholePage() chromedp.Action[[]byte] {
	return func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		h, err := chromedp.Evaluate[int64](`document.documentElement.scrollHeight`)(ctx, tg)
		if err != nil {
			return nil, err
		}
		if _, err := chromedp.EmulateViewport(1280, max(h, 900))(ctx, tg); err != nil {
			return nil, err
		}
		png, err := chromedp.CaptureScreenshot()(ctx, tg)
		_, rerr := chromedp.EmulateViewport(1280, 900)(ctx, tg)
		if err := errors.Join(err, rerr); err != nil {
			return nil, err
		}
		return png, nil
	}
}

func writeScreenshot(t *testing.T, name string, png []byte) (string, error) {
	dir := filepath.Join(repoRoot(t), "test-output")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	p := filepath.Join(dir, name+".png")
	return p, os.WriteFile(p, png, 0o644)
}
