package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The admin pages: one file per section (admin_units.go, admin_zones.go,
// admin_categories.go, admin_sla.go, admin_tokens.go, admin_accounts.go).
// Each section is behind the right it changes (config.manage or
// users.manage); the services check it again and audit every change.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("GET /admin", c.adminHome)
		c.adminUnitRoutes()
		c.adminZoneRoutes()
		c.adminCategoryRoutes()
		c.adminSLARoutes()
		c.adminTokenRoutes()
		c.adminAccountRoutes()
	})
}

// adminSection is one entry of the admin pages' own navigation.
type adminSection struct {
	Key     string
	Href    string
	Label   string // catalog key
	Lead    string // catalog key
	Current bool
	act     yaqaza.Action
}

var adminSections = []adminSection{
	{Key: "units", Href: "/admin/units", Label: "admin.units.title", Lead: "admin.units.lead", act: yaqaza.ActConfigure},
	{Key: "zones", Href: "/admin/zones", Label: "admin.zones.title", Lead: "admin.zones.lead", act: yaqaza.ActConfigure},
	{Key: "categories", Href: "/admin/categories", Label: "admin.categories.title", Lead: "admin.categories.lead", act: yaqaza.ActConfigure},
	{Key: "sla", Href: "/admin/sla", Label: "admin.sla.title", Lead: "admin.sla.lead", act: yaqaza.ActConfigure},
	{Key: "tokens", Href: "/admin/tokens", Label: "admin.tokens.title", Lead: "admin.tokens.lead", act: yaqaza.ActManageUsers},
	{Key: "accounts", Href: "/admin/accounts", Label: "admin.accounts.title", Lead: "admin.accounts.lead", act: yaqaza.ActManageUsers},
}

// adminNav lists the sections the person may open, marking the current one.
func adminNav(p *Page, current string) []adminSection {
	var out []adminSection
	for _, s := range adminSections {
		if p.Actor.Can(s.act) {
			s.Current = s.Key == current
			out = append(out, s)
		}
	}
	return out
}

// adminGate lets a request into a section only with the section's right:
// EUNAUTHORIZED sends a visitor to sign in, EFORBIDDEN shows "not allowed".
func adminGate(r *http.Request, act yaqaza.Action) error {
	_, err := yaqaza.Authorize(r.Context(), act)
	return err
}

func (c *Console) adminHome(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		if err2 := adminGate(r, yaqaza.ActConfigure); err2 != nil {
			return err
		}
	}
	p.Title = p.T("admin.title")
	p.Data = map[string]any{"Nav": adminNav(p, "")}
	c.render(w, p, http.StatusOK, "admin")
	return nil
}

// adminDone are the confirmations a section shows after Post/Redirect/Get
// (?done=…); anything else in the parameter is ignored.
var adminDone = []string{"status", "position", "place", "sla", "revoked", "disabled", "category"}

// adminNotice is the localized confirmation named by ?done=, or "".
func adminNotice(r *http.Request, p *Page) string {
	d := r.URL.Query().Get("done")
	if !slices.Contains(adminDone, d) {
		return ""
	}
	return p.T("admin.done." + d)
}

// adminRedirect ends a successful change: back to the section, with the
// confirmation to show.
func adminRedirect(w http.ResponseWriter, r *http.Request, section, done string) {
	http.Redirect(w, r, section+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

// parseAdminForm reads a posted form of bounded size.
func parseAdminForm(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	return nil
}

// formText is a posted field without surrounding spaces.
func formText(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

// noStore marks a page that shows a secret once: no cache, no back-button copy.
func noStore(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Pragma", "no-cache")
}

// adminSecret shows a secret (a token, a one-time password) once, directly
// as the answer to the POST that made it: it is never stored where a
// redirect could fetch it again.
func (c *Console) adminSecret(w http.ResponseWriter, p *Page, section, title, lead, secret, back string) {
	noStore(w)
	p.Title = title
	p.Data = map[string]any{"Nav": adminNav(p, section), "Lead": lead, "Secret": secret, "Back": back}
	c.render(w, p, http.StatusOK, "admin_secret")
}

// zoneChoice is a zone as a form offers it, ticked or not.
type zoneChoice struct {
	Code, Name string
	Checked    bool
}

// zoneChoices lists the pack's zones for a form, ticking the chosen ones.
func zoneChoices(pack *yaqaza.Pack, lang string, chosen []string) []zoneChoice {
	out := make([]zoneChoice, 0, len(pack.Zones))
	for _, z := range pack.Zones {
		out = append(out, zoneChoice{Code: z.Code, Name: z.Names.In(lang), Checked: slices.Contains(chosen, z.Code)})
	}
	return out
}

// checkZones returns the localized error for chosen zones the pack does
// not have, or "".
func checkZones(p *Page, pack *yaqaza.Pack, chosen []string) string {
	for _, z := range chosen {
		if pack.Zone(z) == nil {
			return p.T("admin.form.zone.unknown", z)
		}
	}
	return ""
}

// roleChoice is a role as a form's select offers it.
type roleChoice struct {
	Code     yaqaza.Role
	Selected bool
}

func roleChoices(chosen string) []roleChoice {
	out := make([]roleChoice, 0, len(yaqaza.Roles))
	for _, r := range yaqaza.Roles {
		out = append(out, roleChoice{Code: r, Selected: string(r) == chosen})
	}
	return out
}

// adminDate is a day with its year in the jurisdiction's zone ("28 nov.
// 2027"), for dates far from today: expiries, account creations.
func (c *Console) adminDate(p *Page, t time.Time) string {
	t = t.In(c.loc)
	return fmt.Sprintf("%d %s %d", t.Day(), p.T("month."+monthKeys[t.Month()-1]), t.Year())
}
