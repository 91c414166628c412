// Package console is the web application staff and citizens use:
// server-rendered pages (html/template) in Arabic, French and English,
// made interactive with htmx and live with server-sent events. It calls
// the same services as the JSON API, so that what a role may see and do
// is the same in both.
package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	yhttp "github.com/yaqaza/yaqaza/http"
)

//go:embed all:templates
var templateFiles embed.FS

// Static holds the console's own CSS, scripts and images, and, once
// `make assets` has run, the npm packages under static/vendor.
//
//go:embed static
var staticFiles embed.FS

// Services are what the console calls; every rule lives in them.
type Services struct {
	Reports   yaqaza.ReportService
	Incidents yaqaza.IncidentService
	Tracking  yaqaza.TrackingService
	Units     yaqaza.UnitService
	Dispatch  yaqaza.DispatchService
	Packs     yaqaza.PackService
	Users     yaqaza.UserService
	Tokens    yaqaza.TokenService
	Audit     yaqaza.AuditService
	// Suggest finds incidents a call may be about; Indicators feed the dashboard.
	Suggest    yaqaza.SuggestService
	Indicators yaqaza.IndicatorService
	// Plans keeps the field plan the dashboard adds to and the board shows.
	Plans yaqaza.PlanService
	// Config changes the jurisdiction's settings from the admin pages
	// (sqlstore.PackService); zones and categories come with a pack.
	Config Config
}

// Config is what the admin pages change beyond accounts and tokens.
type Config interface {
	UpdateSLA(ctx context.Context, p *yaqaza.SLAPolicy) error
	AddPlace(ctx context.Context, p yaqaza.Place) error
}

// Console serves the pages.
type Console struct {
	Services
	// SecureCookies marks the language and session cookies Secure.
	SecureCookies bool
	// OIDC says whether to offer signing in through the identity provider.
	OIDC bool

	cat       catalog
	ops       opsPackCache // the pack's lookups, for the operations pages
	templates map[string]*template.Template
	mux       *http.ServeMux
	loc       *time.Location
}

// New loads the console's catalogs and templates.
func New(s Services) (*Console, error) {
	cat, err := loadCatalog()
	if err != nil {
		return nil, err
	}
	c := &Console{Services: s, cat: cat, loc: time.UTC}
	if err := c.parseTemplates(); err != nil {
		return nil, err
	}
	c.routes()
	return c, nil
}

// SetTimezone sets the zone dates are shown in (the pack's).
func (c *Console) SetTimezone(loc *time.Location) { c.loc = loc }

func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) { c.mux.ServeHTTP(w, r) }

func (c *Console) routes() {
	c.mux = http.NewServeMux()
	static, _ := fs.Sub(staticFiles, "static")
	c.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	c.mux.HandleFunc("GET /lang/{lang}", c.setLanguage)
	c.page("GET /{$}", c.citizenHome)
	c.page("POST /report", c.citizenSubmit)
	c.page("GET /track", c.trackForm)
	c.page("GET /track/{code}", c.trackPage)
	c.page("GET /signin", c.signinForm)
	c.page("POST /signin", c.signin)
	c.page("POST /signout", c.signout)
	c.page("GET /password", c.passwordForm)
	c.page("POST /password", c.changePassword)
	c.extraRoutes()
	c.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, yaqaza.Errorf(yaqaza.ENOTFOUND, "no page %s", r.URL.Path))
	})
}

// extraRoutes are the staff pages, registered by their own files.
var staffRoutes []func(c *Console)

func (c *Console) extraRoutes() {
	for _, add := range staffRoutes {
		add(c)
	}
}

// handler is a page: it renders, or returns an error the console shows.
type handler func(w http.ResponseWriter, r *http.Request, p *Page) error

func (c *Console) page(pattern string, h handler) {
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		p := c.newPage(r)
		if err := h(w, r, p); err != nil {
			c.fail(w, r, err)
		}
	})
}

// cacheForever: static files are embedded, so they change only with the binary.
func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=86400")
		h.ServeHTTP(w, r)
	})
}

func (c *Console) setLanguage(w http.ResponseWriter, r *http.Request) {
	l := r.PathValue("lang")
	if !valid(l) {
		l = "ar"
	}
	http.SetCookie(w, &http.Cookie{Name: "lang", Value: l, Path: "/", MaxAge: 365 * 24 * 3600, Secure: c.SecureCookies,
		HttpOnly: true, SameSite: http.SameSiteLaxMode})
	back := r.URL.Query().Get("back")
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// fail shows an error as a page in the user's language: sign-in when a
// credential is needed, the message otherwise.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := yaqaza.ErrorCode(err)
	if code == yaqaza.EUNAUTHORIZED && r.Method == http.MethodGet && !isFragment(r) {
		http.Redirect(w, r, "/signin?next="+pathOnly(r), http.StatusSeeOther)
		return
	}
	status := errorStatus(err)
	msg := yaqaza.ErrorMessage(err)
	if status == http.StatusInternalServerError {
		status = http.StatusInternalServerError
		slog.Error("console", "path", r.URL.Path, "err", err)
		msg = ""
	}
	p := c.newPage(r)
	p.Title = p.T("error.title")
	p.Data = map[string]any{"Status": status, "Message": msg, "Code": code}
	c.render(w, p, status, "error")
}

// errorStatus is the HTTP status of a service's error, as the API maps it.
func errorStatus(err error) int { return yhttp.StatusOf(err) }

func isFragment(r *http.Request) bool { return r.Header.Get("HX-Request") == "true" }

func pathOnly(r *http.Request) string { return path.Clean("/" + strings.TrimPrefix(r.URL.Path, "/")) }

// Page is what every template gets: the language and its texts, the
// signed-in person and what they may do, and the page's own data.
type Page struct {
	c     *Console
	Lang  string
	Dir   string
	Title string
	Actor *yaqaza.Actor
	CSRF  string
	Path  string
	Data  any
	Now   time.Time
	// Errors are the form's field errors, shown beside each field.
	Errors map[string]string
}

func (c *Console) newPage(r *http.Request) *Page {
	lang := langOf(r)
	a := yaqaza.ActorFromContext(r.Context())
	p := &Page{c: c, Lang: lang, Dir: dir(lang), Actor: a, Path: pathOnly(r), Now: time.Now(), Errors: map[string]string{}}
	if a.Authenticated() && c.Users != nil {
		if ck, err := r.Cookie(account.SessionCookieName); err == nil {
			if _, csrf, err := c.Users.Authenticate(r.Context(), ck.Value); err == nil {
				p.CSRF = csrf
			}
		}
	}
	return p
}

// T is a label in the page's language.
func (p *Page) T(key string, args ...any) string { return p.c.cat.text(p.Lang, key, args...) }

// When is a time in the jurisdiction's zone.
func (p *Page) When(t time.Time) string { return p.c.cat.when(p.Lang, p.c.loc, t) }

// Span is a duration for people; negative reads "late by …".
func (p *Page) Span(d time.Duration) string { return p.c.cat.span(p.Lang, d) }

// Num is a number with the language's grouping.
func (p *Page) Num(n any) string { return number(p.Lang, n) }

// Can reports whether the signed-in person may do an action.
func (p *Page) Can(action string) bool { return p.Actor.Can(yaqaza.Action(action)) }

// Staff reports whether someone is signed in.
func (p *Page) Staff() bool { return p.Actor.Authenticated() }

// Languages are the choices of the language switcher.
func (p *Page) Languages() []string { return Languages }

// Names picks a name in the page's language from a {ar, fr, en} map.
func (p *Page) Names(m map[string]string) string {
	if n := m[p.Lang]; n != "" {
		return n
	}
	for _, l := range Languages {
		if m[l] != "" {
			return m[l]
		}
	}
	return ""
}

func (c *Console) parseTemplates() error {
	layouts, err := fs.Glob(templateFiles, "templates/_*.html")
	if err != nil {
		return err
	}
	pages, err := fs.Glob(templateFiles, "templates/[a-z]*.html")
	if err != nil {
		return err
	}
	c.templates = map[string]*template.Template{}
	for _, page := range pages {
		name := strings.TrimSuffix(path.Base(page), ".html")
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, append(layouts, page)...)
		if err != nil {
			return err
		}
		c.templates[name] = t
	}
	return nil
}

var funcs = template.FuncMap{
	"join":  strings.Join,
	"lower": strings.ToLower,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	},
}

// render writes a page, or, for an htmx request, the page's "content"
// block only. Templates are executed into a buffer first, so that an
// error never leaves half a page.
func (c *Console) render(w http.ResponseWriter, p *Page, status int, name string) {
	t, ok := c.templates[name]
	if !ok {
		slog.Error("console: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		slog.Error("console: template", "name", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", p.Lang)
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fragment writes one named template of a page, for htmx to swap in.
func (c *Console) fragment(w http.ResponseWriter, p *Page, page, block string) error {
	return c.fragmentStatus(w, p, http.StatusOK, page, block)
}

// fragmentStatus writes a fragment with a status: a refusal shown in a
// panel still answers 403 or 409, and the layout has htmx swap those in.
func (c *Console) fragmentStatus(w http.ResponseWriter, p *Page, status int, page, block string) error {
	t, ok := c.templates[page]
	if !ok {
		return errors.New("console: no template " + page)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, block, p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
	return nil
}
