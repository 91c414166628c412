package console

import (
	"errors"
	"net/http"
	"strings"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
)

// safeNext keeps a redirect after sign-in on this site; "" when there is
// none, and the person goes to their role's home.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return ""
	}
	return s
}

// roleHomes are the pages each role starts its day on; the others start
// on the dispatcher board (scoped to their districts).
var roleHomes = map[yaqaza.Role]string{
	yaqaza.RoleCallTaker:     "/call",
	yaqaza.RoleCommand:       "/dashboard",
	yaqaza.RoleAnalyst:       "/dashboard",
	yaqaza.RoleCommunication: "/publications",
	yaqaza.RoleAuditor:       "/audit",
	yaqaza.RoleAdmin:         "/admin",
}

// Home is the page a role starts from.
func Home(role yaqaza.Role) string {
	if h, ok := roleHomes[role]; ok {
		return h
	}
	return "/board"
}

// Home is the signed-in person's start page.
func (p *Page) Home() string { return Home(p.Actor.Role) }

func (c *Console) signinForm(w http.ResponseWriter, r *http.Request, p *Page) error {
	p.Title = p.T("signin.title")
	p.Data = map[string]any{"Next": safeNext(r.URL.Query().Get("next")), "OIDC": c.OIDC}
	c.render(w, p, http.StatusOK, "signin")
	return nil
}

func (c *Console) signin(w http.ResponseWriter, r *http.Request, p *Page) error {
	r.Body = http.MaxBytesReader(w, r.Body, 8<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	next := safeNext(r.PostFormValue("next"))
	in := yaqaza.SignIn{Username: r.PostFormValue("username"), Password: r.PostFormValue("password"), Code: r.PostFormValue("code")}
	sess, secret, err := c.Users.SignIn(r.Context(), in)
	if err != nil {
		if yaqaza.ErrorCode(err) != yaqaza.EUNAUTHORIZED {
			return err
		}
		msg := yaqaza.ErrorMessage(err)
		switch {
		case strings.Contains(msg, "locked"):
			p.Errors["password"] = p.T("signin.locked")
		case strings.Contains(msg, "second factor"):
			p.Errors["code"] = p.T("signin.code")
		default:
			p.Errors["password"] = p.T("signin.wrong")
		}
		p.Title = p.T("signin.title")
		p.Data = map[string]any{"Next": next, "OIDC": c.OIDC, "Username": in.Username, "NeedCode": p.Errors["code"] != ""}
		c.render(w, p, http.StatusUnauthorized, "signin")
		return nil
	}
	http.SetCookie(w, account.SessionCookie(secret, c.SecureCookies))
	if next == "" {
		next = Home(sess.User.Role)
	}
	if sess.User.MustChange {
		next = "/password"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

func (c *Console) signout(w http.ResponseWriter, r *http.Request, p *Page) error {
	if ck, err := r.Cookie(account.SessionCookieName); err == nil {
		if err := c.Users.SignOut(r.Context(), ck.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, account.ClearSessionCookie(c.SecureCookies))
	http.Redirect(w, r, "/signin", http.StatusSeeOther)
	return nil
}

func (c *Console) passwordForm(w http.ResponseWriter, r *http.Request, p *Page) error {
	if !p.Staff() {
		return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "sign in first")
	}
	p.Title = p.T("password.title")
	c.render(w, p, http.StatusOK, "password")
	return nil
}

func (c *Console) changePassword(w http.ResponseWriter, r *http.Request, p *Page) error {
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.EINVALID, "the form cannot be read")
	}
	cur, fresh := r.PostFormValue("current"), r.PostFormValue("new")
	var rule *account.PolicyError
	switch {
	case fresh != r.PostFormValue("again"):
		p.Errors["again"] = p.T("password.mismatch")
	case errors.As(account.CheckPasswordPolicy(fresh, p.Actor.Name), &rule):
		p.Errors["new"] = p.T("password.rule." + rule.Rule)
	default:
		err := c.Users.ChangePassword(r.Context(), cur, fresh)
		switch yaqaza.ErrorCode(err) {
		case "":
			http.Redirect(w, r, p.Home(), http.StatusSeeOther)
			return nil
		case yaqaza.EFORBIDDEN:
			p.Errors["current"] = p.T("password.wrong")
		case yaqaza.EINVALID:
			// The policy's own sentence is precise; the label says which rule family.
			p.Errors["new"] = p.T("password.weak") + " " + yaqaza.ErrorMessage(err)
		default:
			return err
		}
	}
	p.Title = p.T("password.title")
	c.render(w, p, http.StatusBadRequest, "password")
	return nil
}
