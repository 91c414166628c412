package account

import (
	"encoding/base64"
	"net/http"
	"regexp"
	"testing"
	"time"
)

func TestNewSecret(t *testing.T) {
	secret, hash := NewSecret()
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(raw) != 32 {
		t.Errorf("secret %q is not base64url of 32 bytes (%v)", secret, err)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(hash) {
		t.Errorf("hash %q is not SHA-256 in hex", hash)
	}
	if HashSecret(secret) != hash {
		t.Error("HashSecret(secret) differs from the hash NewSecret returned")
	}
	if other, _ := NewSecret(); other == secret {
		t.Error("two secrets are equal")
	}
	// SHA-256 of "abc", to pin the algorithm.
	if got := HashSecret("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Errorf("HashSecret(abc) = %s", got)
	}
}

func TestCSRF(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	_, session := NewSecret()
	_, otherSession := NewSecret()
	token := CSRFToken(key, session)
	tests := []struct {
		name    string
		key     []byte
		session string
		token   string
		ok      bool
	}{
		{"own token", key, session, token, true},
		{"other session's token", key, session, CSRFToken(key, otherSession), false},
		{"token under another key", key, session, CSRFToken([]byte("another key of 32 bytes length!!"), session), false},
		{"truncated token", key, session, token[:len(token)-1], false},
		{"padded token", key, session, token + "=", false},
		{"empty token", key, session, "", false},
		{"empty session", key, "", CSRFToken(key, ""), false},
		{"empty key", nil, session, CSRFToken(nil, session), false},
		{"the session hash itself", key, session, session, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := CheckCSRF(tt.key, tt.session, tt.token); got != tt.ok {
				t.Errorf("CheckCSRF = %v, want %v", got, tt.ok)
			}
		})
	}
}

func TestSessionCookie(t *testing.T) {
	c := SessionCookie("s3cret", true)
	if c.Name != "yaqaza_session" || c.Value != "s3cret" || c.Path != "/" ||
		!c.HttpOnly || !c.Secure || c.SameSite != http.SameSiteStrictMode || c.MaxAge != 0 {
		t.Errorf("cookie = %+v", c)
	}
	if c := SessionCookie("s3cret", false); c.Secure {
		t.Error("Secure set though the caller asked for plain HTTP")
	}
	if c := ClearSessionCookie(true); c.MaxAge >= 0 || c.Value != "" || c.Name != SessionCookieName {
		t.Errorf("clearing cookie = %+v", c)
	}
}

func TestSessionExpired(t *testing.T) {
	signIn := t0
	tests := []struct {
		name          string
		lastSeen, now time.Time
		expired       bool
	}{
		{"fresh", signIn, signIn.Add(time.Minute), false},
		{"idle 29 minutes", signIn, signIn.Add(29 * time.Minute), false},
		{"idle 30 minutes", signIn, signIn.Add(30 * time.Minute), true},
		{"active for 11 hours", signIn.Add(11 * time.Hour), signIn.Add(11*time.Hour + time.Minute), false},
		{"active for 12 hours", signIn.Add(12*time.Hour - time.Minute), signIn.Add(12 * time.Hour), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SessionExpired(signIn, tt.lastSeen, tt.now); got != tt.expired {
				t.Errorf("SessionExpired = %v, want %v", got, tt.expired)
			}
		})
	}
	if SessionIdleTimeout != 30*time.Minute || SessionLifetime != 12*time.Hour {
		t.Errorf("timeouts %v and %v, want 30m and 12h", SessionIdleTimeout, SessionLifetime)
	}
}
