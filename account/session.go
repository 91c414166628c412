package account

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"net/http"
	"time"
)

// Session cookie settings. HttpOnly keeps the secret from scripts, and
// SameSite=Strict keeps browsers from sending it on requests started by other
// sites, on top of the CSRF token.
const (
	SessionCookieName  = "yaqaza_session"
	SessionCookiePath  = "/"
	SessionSameSite    = http.SameSiteStrictMode
	SessionIdleTimeout = 30 * time.Minute // since the last request of the session
	SessionLifetime    = 12 * time.Hour   // since sign-in, however active: one shift
)

// NewSecret returns a session secret for the cookie (32 random bytes,
// base64url) and its hash for the store. Only the hash is stored, so a copy of
// the database cannot be replayed as cookies.
func NewSecret() (secret, hash string) {
	raw := make([]byte, 32)
	rand.Read(raw) // never fails since Go 1.24: it crashes the program instead
	secret = base64.RawURLEncoding.EncodeToString(raw)
	return secret, HashSecret(secret)
}

// HashSecret returns the stored form of a session secret: SHA-256 in hex. A
// fast hash is enough because the secret is random and long.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// SessionCookie returns the cookie that carries secret. It is a browser
// session cookie (no Max-Age), so closing the browser on a shared station
// ends it; the server enforces SessionIdleTimeout and SessionLifetime.
//
// secure must be true whenever the server is reached over TLS, including
// behind a TLS-terminating proxy; pass false only for plain-HTTP development
// on localhost, since browsers drop Secure cookies sent over plain HTTP.
func SessionCookie(secret string, secure bool) *http.Cookie {
	return &http.Cookie{
		Name:     SessionCookieName,
		Value:    secret,
		Path:     SessionCookiePath,
		HttpOnly: true,
		Secure:   secure,
		SameSite: SessionSameSite,
	}
}

// ClearSessionCookie returns the cookie that makes the browser forget the
// session cookie, for sign-out.
func ClearSessionCookie(secure bool) *http.Cookie {
	c := SessionCookie("", secure)
	c.MaxAge = -1
	return c
}

// SessionExpired reports whether a session signed in at created and last used
// at lastSeen has run out at now, by idle timeout or by absolute lifetime.
func SessionExpired(created, lastSeen, now time.Time) bool {
	return now.Sub(lastSeen) >= SessionIdleTimeout || now.Sub(created) >= SessionLifetime
}

// csrfLabel separates CSRF tokens from any other HMAC made with the same key.
const csrfLabel = "yaqaza csrf v1\x00"

// CSRFToken returns the synchronizer token of a session: an HMAC-SHA256 of
// the session's hash under the server's key (32 random bytes, kept secret),
// in base64url. Pages embed it in forms and the server checks it on every
// state-changing request; another site can neither read nor forge it.
func CSRFToken(key []byte, sessionHash string) string {
	return base64.RawURLEncoding.EncodeToString(csrfMAC(key, sessionHash))
}

// CheckCSRF reports, in constant time, whether token is the CSRF token of the
// session. An empty key, session or token never passes.
func CheckCSRF(key []byte, sessionHash, token string) bool {
	if len(key) == 0 || sessionHash == "" || token == "" {
		return false
	}
	got, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, csrfMAC(key, sessionHash)) == 1
}

func csrfMAC(key []byte, sessionHash string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(csrfLabel))
	mac.Write([]byte(sessionHash))
	return mac.Sum(nil)
}
