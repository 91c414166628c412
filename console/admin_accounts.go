package console

import (
	"net/http"
	"net/mail"
	"regexp"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// Staff accounts. Creating or resetting one answers a one-time password,
// shown once, that the person must change at first sign-in.

func (c *Console) adminAccountRoutes() {
	c.page("GET /admin/accounts", c.adminAccounts)
	c.page("POST /admin/accounts", c.adminCreateAccount)
	c.page("POST /admin/accounts/{username}/disable", c.adminDisableAccount)
	c.page("POST /admin/accounts/{username}/reset", c.adminResetAccount)
}

// userRow is an account as listed.
type userRow struct {
	*yaqaza.User
	Created string
}

// accountForm is the new account as typed.
type accountForm struct {
	Username, DisplayName, Email, Role string
	Zones                              []string
}

// usernameRule is yaqaza.UserInput's, checked here to say so in the
// admin's language beside the field; the service checks it again.
var usernameRule = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,39}$`)

func (c *Console) adminAccounts(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	users, err := c.Users.FindUsers(r.Context())
	if err != nil {
		return err
	}
	return c.renderAccounts(w, r, p, http.StatusOK, users, accountForm{Role: string(yaqaza.RoleDispatcher)})
}

func (c *Console) renderAccounts(w http.ResponseWriter, r *http.Request, p *Page, status int, users []*yaqaza.User, f accountForm) error {
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	rows := make([]userRow, 0, min(len(users), adminListLimit))
	for _, u := range users[:min(len(users), adminListLimit)] {
		rows = append(rows, userRow{User: u, Created: c.adminDate(p, u.CreatedAt)})
	}
	p.Title = p.T("admin.accounts.title")
	p.Data = map[string]any{"Nav": adminNav(p, "accounts"), "Users": rows, "Total": len(users),
		"Form": f, "Roles": roleChoices(f.Role), "ZoneChoices": zoneChoices(pack, p.Lang, f.Zones), "ZoneNames": zoneNames(pack, p.Lang),
		"Notice": adminNotice(r, p)}
	c.render(w, p, status, "admin_accounts")
	return nil
}

// adminCreateAccount checks every field first, in the admin's language,
// and creates the account only when all are right.
func (c *Console) adminCreateAccount(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	f := accountForm{Username: strings.ToLower(formText(r, "username")), DisplayName: formText(r, "display_name"),
		Email: formText(r, "email"), Role: formText(r, "role"), Zones: r.PostForm["zones"]}
	users, err := c.Users.FindUsers(r.Context())
	if err != nil {
		return err
	}
	pack, err := c.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	if !usernameRule.MatchString(f.Username) {
		p.Errors["username"] = p.T("admin.accounts.username.invalid")
	} else {
		for _, u := range users {
			if u.Username == f.Username {
				p.Errors["username"] = p.T("admin.form.taken")
			}
		}
	}
	if f.DisplayName == "" || len(f.DisplayName) > 100 {
		p.Errors["display_name"] = p.T("admin.accounts.name.required")
	}
	if f.Email != "" {
		if a, err := mail.ParseAddress(f.Email); err != nil || a.Address != f.Email || len(f.Email) > 254 {
			p.Errors["email"] = p.T("form.email.invalid")
		}
	}
	if !yaqaza.Role(f.Role).Valid() {
		p.Errors["role"] = p.T("admin.form.role.unknown")
	}
	if msg := checkZones(p, pack, f.Zones); msg != "" {
		p.Errors["zones"] = msg
	}
	if len(p.Errors) == 0 {
		u, otp, err := c.Users.CreateUser(r.Context(), yaqaza.UserInput{Username: f.Username, DisplayName: f.DisplayName,
			Email: f.Email, Role: yaqaza.Role(f.Role), Zones: f.Zones})
		if err == nil {
			c.adminSecret(w, p, "accounts", p.T("admin.accounts.created", u.Username), p.T("admin.accounts.secret.lead"), otp, "/admin/accounts")
			return nil
		}
		if !adminFieldError(p, err, "username") {
			return err
		}
	}
	return c.renderAccounts(w, r, p, http.StatusBadRequest, users, f)
}

func (c *Console) adminDisableAccount(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	if err := c.Users.DisableUser(r.Context(), r.PathValue("username")); err != nil {
		return err
	}
	adminRedirect(w, r, "/admin/accounts", "disabled")
	return nil
}

// adminResetAccount gives a new one-time password (which also lifts a
// lock-out and re-enables a disabled account), and, when ticked, removes
// the second factor so that the person can enrol a new one.
func (c *Console) adminResetAccount(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := adminGate(r, yaqaza.ActManageUsers); err != nil {
		return err
	}
	if err := parseAdminForm(w, r); err != nil {
		return err
	}
	name := r.PathValue("username")
	otp, err := c.Users.ResetUser(r.Context(), name, r.PostFormValue("totp") == "on")
	if err != nil {
		return err
	}
	c.adminSecret(w, p, "accounts", p.T("admin.accounts.reset.done", strings.ToLower(name)), p.T("admin.accounts.secret.lead"), otp, "/admin/accounts")
	return nil
}
