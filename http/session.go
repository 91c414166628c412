package http

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
)

// CSRFHeader carries the session's CSRF token on every change a
// cookie-authenticated client makes; forms send the csrf_token field.
const CSRFHeader = "X-CSRF-Token"

// authenticate puts the request's actor in its context: the token's actor
// for a valid bearer token, the person's for a valid session cookie,
// Anonymous for none. A credential that is presented but not valid is
// refused outright, even on public endpoints, so that a client with a
// broken credential learns it at once. A change made with a cookie must
// carry the session's CSRF token: another site can make a browser send
// the cookie, but cannot read the token.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := yaqaza.NewContextWithRemote(r.Context(), clientAddr(r))
		r = r.WithContext(ctx)
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, secret, ok := strings.Cut(h, " ")
			if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
				writeError(w, r, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\""))
				return
			}
			actor, err := s.Tokens.Authenticate(ctx, strings.TrimSpace(secret))
			if err != nil {
				writeError(w, r, err)
				return
			}
			next.ServeHTTP(w, r.WithContext(yaqaza.NewContextWithActor(ctx, actor)))
			return
		}
		c, err := r.Cookie(account.SessionCookieName)
		if err != nil || s.Users == nil || isSignIn(r) {
			next.ServeHTTP(w, r)
			return
		}
		actor, csrf, err := s.Users.Authenticate(ctx, c.Value)
		if err != nil {
			http.SetCookie(w, account.ClearSessionCookie(s.SecureCookies))
			writeError(w, r, err)
			return
		}
		if !safeMethod(r.Method) && !validCSRF(r, csrf) {
			writeError(w, r, yaqaza.Errorf(yaqaza.EFORBIDDEN, "this change lacks the session's CSRF token (header %s): reload the page", CSRFHeader))
			return
		}
		next.ServeHTTP(w, r.WithContext(yaqaza.NewContextWithActor(ctx, actor)))
	})
}

// isSignIn: signing in again over an old cookie must not need the old
// session's token.
func isSignIn(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == "/api/v1/session"
}

func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}

func validCSRF(r *http.Request, want string) bool {
	got := r.Header.Get(CSRFHeader)
	if got == "" && strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		got = r.PostFormValue("csrf_token")
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// clientAddr is the client's address as the connection shows it. Behind a
// trusted proxy the rate limiter's view of X-Forwarded-For is the one to
// trust; the audit trail keeps the peer.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) handleSignIn(w http.ResponseWriter, r *http.Request) error {
	var in yaqaza.SignIn
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	sess, secret, err := s.Users.SignIn(r.Context(), in)
	if err != nil {
		return err
	}
	http.SetCookie(w, account.SessionCookie(secret, s.SecureCookies))
	writeJSON(w, http.StatusOK, sess)
	return nil
}

func (s *Server) handleSession(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(account.SessionCookieName)
	if err != nil {
		return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "not signed in")
	}
	sess, err := s.Users.CurrentSession(r.Context(), c.Value)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, sess)
	return nil
}

func (s *Server) handleSignOut(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(account.SessionCookieName); err == nil {
		if err := s.Users.SignOut(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, account.ClearSessionCookie(s.SecureCookies))
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleChangePassword(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Current string `json:"current"`
		New     string `json:"new"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.Users.ChangePassword(r.Context(), in.Current, in.New); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleStartTOTP(w http.ResponseWriter, r *http.Request) error {
	url, err := s.Users.StartTOTP(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"otpauth_url": url})
	return nil
}

func (s *Server) handleConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Code string `json:"code"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.Users.ConfirmTOTP(r.Context(), in.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
