package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/console"
	"github.com/yaqaza/yaqaza/followup"
	"github.com/yaqaza/yaqaza/geo"
	yhttp "github.com/yaqaza/yaqaza/http"
	"github.com/yaqaza/yaqaza/notify"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/triage"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("serve")
	var sf storeFlags
	sf.register(fs)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	var ff followupFlags
	ff.register(fs)
	var tf tlsFlags
	tf.register(fs)
	var oidc account.OIDCConfig
	fs.StringVar(&oidc.Issuer, "oidc-issuer", os.Getenv("YAQAZA_OIDC_ISSUER"), "OpenID Connect issuer URL of the identity provider (optional)")
	fs.StringVar(&oidc.ClientID, "oidc-client-id", os.Getenv("YAQAZA_OIDC_CLIENT_ID"), "client ID registered with the identity provider")
	fs.StringVar(&oidc.RedirectURL, "oidc-redirect-url", os.Getenv("YAQAZA_OIDC_REDIRECT_URL"), "this server's callback, https://HOST/auth/oidc/callback")
	oidc.ClientSecret = os.Getenv("YAQAZA_OIDC_CLIENT_SECRET")
	trustedProxies := fs.String("trusted-proxy", "", "reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For names the client")
	limits := yhttp.NewRateLimits()
	fs.IntVar(&limits.Public.PerMinute, "rate-public", limits.Public.PerMinute, "citizen reports per minute per address (0: no limit)")
	fs.IntVar(&limits.Tracking.PerMinute, "rate-tracking", limits.Tracking.PerMinute, "tracking lookups per minute per address (0: no limit)")
	fs.IntVar(&limits.SignIn.PerMinute, "rate-signin", limits.SignIn.PerMinute, "sign-in attempts per minute per address (0: no limit)")
	fs.IntVar(&limits.Authenticated.PerMinute, "rate-token", limits.Authenticated.PerMinute, "requests per minute per token or person (0: no limit)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	setupLogging(stderr, *logFormat)
	proxies, err := yhttp.ParseTrustedProxies(*trustedProxies)
	if err != nil {
		return usageError{"--trusted-proxy: " + message(err)}
	}
	tlsConfig, acmeHandler, err := tf.config(sf.data)
	if err != nil {
		return err
	}

	db, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if d, err := db.Durability(ctx); err == nil {
		slog.Info("store open", "store", sf.where(), "engine", db.Dialect.String(), "durability", d)
	}
	app, err := newApp(ctx, db)
	if err != nil {
		return err
	}
	app.server.TLS = tlsConfig != nil
	// Session cookies go over HTTPS only, unless this is a developer's
	// plain-HTTP server on loopback.
	app.server.SecureCookies = tlsConfig != nil || !onLoopback(*addr)
	limits.TrustedProxies = proxies
	app.server.RateLimits = limits
	app.metrics.WatchRateLimits(limits)
	app.server.Sealer = db.Keys()
	if err := app.mountConsole(oidc.Issuer != ""); err != nil {
		return err
	}
	if oidc.Issuer != "" {
		if app.server.OIDC, err = account.NewOIDC(ctx, oidc); err != nil {
			return fmt.Errorf("identity provider %s: %w", oidc.Issuer, err)
		}
		slog.Info("sign-in through the identity provider", "issuer", oidc.Issuer)
	}
	app.handler = app.server.Handler()
	go app.indicators.KeepTrendsWarm(ctx)
	if err := app.ensureAdmin(ctx, stdout, *addr); err != nil {
		return err
	}
	go app.triage.watchChanges(ctx, time.Minute)
	host, _ := os.Hostname()
	hub, stopFollowup, err := startFollowup(ctx, db, sf.data, &ff, fmt.Sprintf("%s:%d", host, os.Getpid()))
	if err != nil {
		return fmt.Errorf("starting the event bus: %w", err)
	}
	defer stopFollowup()
	app.server.Hub = hub
	go app.watchOrphans(ctx, time.Minute)
	go followup.RunRota(ctx, app.units, db.Now, 30*time.Second)

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %w", *addr, err)
	}
	srv := &http.Server{
		Handler:           app.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(slog.Default().Handler(), slog.LevelWarn),
		TLSConfig:         tlsConfig,
	}
	scheme := "http"
	if tlsConfig != nil {
		scheme = "https"
	}
	slog.Info("yaqaza listening", "addr", ln.Addr().String(), "url", scheme+"://"+ln.Addr().String()+"/", "version", version)
	errc := make(chan error, 1)
	go func() {
		if tlsConfig != nil {
			errc <- srv.ServeTLS(ln, "", "") // the certificates come from TLSConfig
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	if acmeHandler != nil {
		// http-01 challenges arrive on port 80; without it, TLS-ALPN
		// challenges on the HTTPS port still work.
		challenges := &http.Server{Addr: ":80", Handler: acmeHandler, ReadHeaderTimeout: 10 * time.Second}
		go func() {
			if err := challenges.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
				slog.Warn("ACME http-01 listener not running; relying on TLS-ALPN", "err", err)
			}
		}()
		defer challenges.Close()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down: finishing requests in flight")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// onLoopback reports whether addr listens on the loopback interface only.
func onLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func setupLogging(w io.Writer, format string) {
	var h slog.Handler = slog.NewTextHandler(w, nil)
	if format == "json" {
		h = slog.NewJSONHandler(w, nil)
	}
	slog.SetDefault(slog.New(h))
}

// app is a node: the store's services behind the HTTP handler.
type app struct {
	db      *sqlstore.DB
	pack    *yaqaza.Pack
	zones   *geo.ZoneIndex
	metrics *yhttp.Metrics
	handler http.Handler

	reports *sqlstore.ReportService
	tokens  *sqlstore.TokenService
	triage  *liveTriage
	server  *yhttp.Server
	units   *sqlstore.UnitService
	// indicators feed the console's dashboard.
	indicators *sqlstore.IndicatorService
}

// ensurePack returns the jurisdiction pack, loading the built-in Fès pack
// into a store that has none yet.
func ensurePack(ctx context.Context, packs *sqlstore.PackService) (*yaqaza.Pack, error) {
	p, err := packs.CurrentPack(ctx)
	if yaqaza.ErrorCode(err) != yaqaza.ENOTFOUND {
		return p, err
	}
	p = geo.DefaultPack()
	if err := packs.LoadPack(yaqaza.NewContextWithActor(ctx, yaqaza.System("setup")), p); err != nil {
		return nil, err
	}
	slog.Info("first start: loaded the built-in jurisdiction pack", "pack", p.ID, "zones", len(p.Zones))
	return p, nil
}

// newApp loads the jurisdiction (the built-in Fès pack on first start) and
// wires the services.
func newApp(ctx context.Context, db *sqlstore.DB) (*app, error) {
	a := &app{db: db, metrics: yhttp.NewMetrics()}
	packs := sqlstore.NewPackService(db)
	p, err := ensurePack(ctx, packs)
	if err != nil {
		return nil, err
	}
	a.pack = p
	if a.zones, err = geo.NewZoneIndex(p.Zones); err != nil {
		return nil, err
	}
	if p.SLA != nil {
		db.SetSLA(p.SLA)
	}
	db.OnCommit = a.metrics.ObserveCommit
	if a.triage, err = newLiveTriage(ctx, p, a.zones, sqlstore.NewModelService(db), packs); err != nil {
		return nil, err
	}
	// Reports about the same event join one incident; after a restart the
	// open incidents of the last two days are clustered again.
	clusterer := triage.NewClusterer(a.triage.current.Load(), triage.DefaultDupOptions)
	db.SetClusterer(clusterer)
	start := time.Now()
	n, err := db.RestoreClusters(ctx, triage.DefaultDupOptions.TextWindow)
	if err != nil {
		return nil, err
	}
	slog.Info("duplicate clusters restored", "reports", n, "fingerprints", clusterer.Len(), "took", time.Since(start).Round(time.Millisecond))
	a.reports = sqlstore.NewReportService(db, a.triage)
	a.reports.OnDrop = a.metrics.CountDropped
	if a.units, err = sqlstore.NewUnitService(ctx, db, a.zones, p.Dispatch); err != nil {
		return nil, err
	}
	go a.units.Watch(ctx, 2*time.Second)
	a.tokens = sqlstore.NewTokenService(db)
	if a.indicators, err = sqlstore.NewIndicatorService(db, p); err != nil {
		return nil, err
	}
	db.Messages = notify.Texts{}
	a.server = &yhttp.Server{
		Reports:    autoDispatch{ReportService: a.reports, units: a.units, ctx: ctx},
		Units:      a.units,
		Dispatch:   a.units,
		Followup:   followupAPI{PackService: packs, DB: db},
		Incidents:  sqlstore.NewIncidentService(db),
		Tracking:   sqlstore.NewTrackingService(db),
		Tokens:     a.tokens,
		Packs:      packs,
		Places:     packs,
		Ready:      db.Ping,
		Metrics:    a.metrics,
		EventLog:   db,
		Users:      sqlstore.NewUserService(db),
		Audit:      sqlstore.NewAuditService(db),
		Indicators: a.indicators,
		Plans:      sqlstore.NewPlanService(db, a.zones),
	}
	a.handler = a.server.Handler()
	return a, nil
}

// ensureAdmin creates and prints a first admin token when the store has no
// usable token, so that a fresh install can be used at once.
func (a *app) ensureAdmin(ctx context.Context, stdout io.Writer, addr string) error {
	setup := yaqaza.NewContextWithActor(ctx, yaqaza.System("setup"))
	if err := a.ensureAdminAccount(setup, stdout, addr); err != nil {
		return err
	}
	n, err := a.tokens.CountTokens(ctx)
	if err != nil || n > 0 {
		return err
	}
	_, secret, err := a.tokens.CreateToken(setup, yaqaza.TokenInput{Name: "first-admin", Role: yaqaza.RoleAdmin})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
  First start: an admin API token was created. It is shown only this once:

      %s

  Try it:  curl -H "Authorization: Bearer %s" http://%s/api/v1/incidents
  More tokens:  yaqaza token create --role dispatcher --name desk-1

`, secret, secret, addr)
	return nil
}

// ensureAdminAccount creates the console's first account, an admin named
// "admin", when the store has none, and prints its one-time password: the
// admin signs in, chooses a password and creates the staff's accounts.
func (a *app) ensureAdminAccount(setup context.Context, stdout io.Writer, addr string) error {
	users, err := a.server.Users.FindUsers(setup)
	if err != nil || len(users) > 0 {
		return err
	}
	_, once, err := a.server.Users.CreateUser(setup, yaqaza.UserInput{Username: "admin", DisplayName: "Administrator", Role: yaqaza.RoleAdmin})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `
  First start: the console's admin account was created.

      http://%s/signin    user: admin    one-time password: %s

  The first sign-in asks for a password of your own. Staff accounts are made
  under Admin → Accounts (or: yaqaza user add --username … --role dispatcher).

`, addr, once)
	return nil
}

// watchOrphans keeps the orphans metric true: open incidents without an
// owner or a deadline, reports linked to no incident.
func (a *app) watchOrphans(ctx context.Context, every time.Duration) {
	for {
		if o, err := a.db.FindOrphans(ctx); err == nil {
			a.metrics.Orphans.Set(float64(o.Count()))
			if o.Count() > 0 {
				slog.Warn("orphans found: run yaqaza check orphans", "count", o.Count())
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// mountConsole puts the web console in front of the same services.
func (a *app) mountConsole(oidc bool) error {
	s := a.server
	c, err := console.New(console.Services{Reports: s.Reports, Incidents: s.Incidents, Tracking: s.Tracking, Units: s.Units,
		Dispatch: s.Dispatch, Packs: s.Packs, Users: s.Users, Tokens: s.Tokens, Audit: s.Audit,
		Suggest: sqlstore.NewSuggestService(a.db, a.triage), Indicators: a.indicators, Config: sqlstore.NewPackService(a.db),
		Plans: a.server.Plans})
	if err != nil {
		return err
	}
	c.SecureCookies, c.OIDC = s.SecureCookies, oidc
	if loc, err := time.LoadLocation(a.pack.Timezone); err == nil {
		c.SetTimezone(loc)
	}
	s.Console = c
	return nil
}
