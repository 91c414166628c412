package http

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
)

// Signing in through the prefecture's identity provider (OpenID Connect):
// /auth/oidc/start sends the browser to the provider with a fresh state,
// nonce and PKCE verifier, kept sealed in a short-lived cookie;
// /auth/oidc/callback checks them, opens a session and goes to the console.

const (
	oidcCookie = "yaqaza_oidc"
	oidcTTL    = 10 * time.Minute
)

// Sealer seals and opens small values for the browser to carry.
type Sealer interface {
	Seal(plain, aad []byte) (string, error)
	Open(value string, aad []byte) ([]byte, error)
}

var oidcAAD = []byte("oidc.pending")

type oidcPending struct {
	account.Pending
	Expires time.Time `json:"exp"`
}

func (s *Server) handleOIDCStart(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "sign-in through an identity provider is not configured")
	}
	authURL, pending := s.OIDC.Start()
	plain, _ := json.Marshal(oidcPending{Pending: pending, Expires: time.Now().Add(oidcTTL)})
	sealed, err := s.Sealer.Seal(plain, oidcAAD)
	if err != nil {
		return err
	}
	// Lax, not Strict: the provider's redirect back is a cross-site
	// navigation, and the cookie must come with it.
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Value: sealed, Path: "/auth/oidc/", MaxAge: int(oidcTTL.Seconds()),
		HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, authURL, http.StatusFound)
	return nil
}

func (s *Server) handleOIDCCallback(w http.ResponseWriter, r *http.Request) error {
	if s.OIDC == nil {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "sign-in through an identity provider is not configured")
	}
	http.SetCookie(w, &http.Cookie{Name: oidcCookie, Path: "/auth/oidc/", MaxAge: -1, HttpOnly: true, Secure: s.SecureCookies})
	if e := r.URL.Query().Get("error"); e != "" {
		return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the identity provider refused the sign-in: %s", e)
	}
	c, err := r.Cookie(oidcCookie)
	if err != nil {
		return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the sign-in took too long or began in another browser: start again")
	}
	plain, err := s.Sealer.Open(c.Value, oidcAAD)
	var p oidcPending
	if err != nil || json.Unmarshal(plain, &p) != nil || time.Now().After(p.Expires) {
		return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the sign-in took too long or began in another browser: start again")
	}
	id, err := s.OIDC.Finish(r.Context(), p.Pending, r.URL.Query().Get("state"), r.URL.Query().Get("code"))
	if err != nil {
		return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the identity provider's answer does not hold: %v", err)
	}
	_, secret, err := s.Users.SignInWith(r.Context(), yaqaza.Identity{Issuer: id.Issuer, Subject: id.Subject, Email: id.Email,
		Name: id.Name, EmailVerified: id.EmailVerified})
	if err != nil {
		return err
	}
	http.SetCookie(w, account.SessionCookie(secret, s.SecureCookies))
	http.Redirect(w, r, "/", http.StatusFound)
	return nil
}
