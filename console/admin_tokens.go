package console

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// API tokens for machine clients. The secret is shown once, on the page
// that answers the creation; only its hash is kept.

func (c *Console) adminTokenRoutes() {
	c.page("GET /admin/tokens", c.adminTokens)
	c.page("POST /admin/tokens", c.adminCreateToken)
	c.page("POST /admin/tokens/{id}/revoke", c.adminRevokeToken)
}

// adminListLimit bounds the token and account tables; a prefecture has
// hundreds of each, not tens of thousands.
const adminListLimit = 500

// tokenRow is a token as listed: its expiry is a date a year or more
// ahead, so it is written with the year.
type tokenRow struct {
	*yaqaza.Token
	Expires string
	Expired bool
}

// tokenForm is the new token as typed.
type tokenForm struct {
	Name, Role, Expires string
	Zones               []string
}

func (c *Console) adminTokens(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	return c.renderTokens(w, r, p, http.StatusOK, tokenForm{Role: string(yaqaza.RoleDispatcher)})
}

func (c *Console) renderTokens(w http.ResponseWriter, r *http.Request, p *Page, status int, f tokenForm) error {
	tokens, err := c.Tokens.FindTokens(r.Context())
	if err != nil {
		return err
	}
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	total := len(tokens)
	// Newest first, so that the one just made or revoked is at the top.
	shown := make([]tokenRow, 0, min(total, adminListLimit))
	for i := total - 1; i >= 0 && len(shown) < adminListLimit; i-- {
		t := tokens[i]
		row := tokenRow{Token: t}
		if t.ExpiresAt != nil {
			row.Expires, row.Expired = c.adminDate(p, *t.ExpiresAt), !t.ExpiresAt.After(p.Now)
		}
		shown = append(shown, row)
	}
	p.Title = p.T("admin.tokens.title")
	p.Data = map[string]any{"Nav": adminNav(p, "tokens"), "Tokens": shown, "Total": total, "Form": f,
		"Roles": roleChoices(f.Role), "ZoneChoices": zoneChoices(pack, p.Lang, f.Zones), "ZoneNames": zoneNames(pack, p.Lang),
		"Notice": adminNotice(r, p), "MinDate": p.Now.In(c.loc).AddDate(0, 0, 1).Format(time.DateOnly)}
	c.render(w, p, status, "admin_tokens")
	return nil
}

func (c *Console) adminCreateToken(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	f := tokenForm{Name: formText(r, "name"), Role: formText(r, "role"), Expires: formText(r, "expires"), Zones: r.PostForm["zones"]}
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	in := yaqaza.TokenInput{Name: f.Name, Role: yaqaza.Role(f.Role), Zones: f.Zones}
	switch {
	case f.Name == "":
		p.Errors["name"] = p.T("admin.tokens.name.required")
	case len(f.Name) > 100:
		p.Errors["name"] = p.T("admin.tokens.name.long")
	}
	if !in.Role.Valid() {
		p.Errors["role"] = p.T("admin.form.role.unknown")
	}
	if msg := checkZones(p, pack, f.Zones); msg != "" {
		p.Errors["zones"] = msg
	}
	if f.Expires != "" {
		// Valid through the whole day chosen, in the jurisdiction's time.
		day, err := time.ParseInLocation(time.DateOnly, f.Expires, c.loc)
		if err != nil {
			p.Errors["expires"] = p.T("admin.tokens.expires.invalid")
		} else if end := day.AddDate(0, 0, 1); !end.After(p.Now) {
			p.Errors["expires"] = p.T("admin.tokens.expires.past")
		} else {
			end = end.UTC()
			in.ExpiresAt = &end
		}
	}
	if len(p.Errors) == 0 {
		t, secret, err := c.Tokens.CreateToken(r.Context(), in)
		if err == nil {
			c.adminSecret(w, p, "tokens", p.T("admin.tokens.created", t.Name), p.T("admin.tokens.secret.lead"), secret, "/admin/tokens")
			return nil
		}
		if !adminFieldError(p, err, "") {
			return err
		}
	}
	return c.renderTokens(w, r, p, http.StatusBadRequest, f)
}

func (c *Console) adminRevokeToken(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no token %q", r.PathValue("id"))
	}
	if err := c.Tokens.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	adminRedirect(w, r, "/admin/tokens", "revoked")
	return nil
}

// adminFieldError puts a service's refusal of a field beside that field,
// in the page's language: EINVALID names its field; ECONFLICT (a name
// already taken) goes beside conflictField. It reports whether the error
// was of either kind.
func adminFieldError(p *Page, err error, conflictField string) bool {
	var e *yaqaza.Error
	if !errors.As(err, &e) {
		return false
	}
	switch {
	case e.Code == yaqaza.ECONFLICT && conflictField != "":
		p.Errors[conflictField] = p.T("admin.form.taken")
	case e.Code == yaqaza.EINVALID:
		field, _, _ := strings.Cut(e.Field, ".")
		if field == "" {
			field = "name"
		}
		p.Errors[field] = p.T("form.invalid")
	default:
		return false
	}
	return true
}
