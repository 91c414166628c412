package account

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza/account/oidctest"
)

func newTestOIDC(t *testing.T, p *oidctest.Provider, edit ...func(*OIDCConfig)) *OIDC {
	t.Helper()
	cfg := OIDCConfig{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret, RedirectURL: p.RedirectURL}
	for _, e := range edit {
		e(&cfg)
	}
	o, err := NewOIDC(t.Context(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOIDCSignIn(t *testing.T) {
	p := oidctest.NewProvider(t)
	o := newTestOIDC(t, p)
	authURL, pending := o.Start()

	u, _ := url.Parse(authURL)
	q := u.Query()
	if !strings.HasPrefix(authURL, p.Issuer+"/authorize?") || q.Get("scope") != "openid email profile" ||
		q.Get("state") != pending.State || q.Get("nonce") != pending.Nonce || q.Get("code_challenge_method") != "S256" {
		t.Errorf("authURL = %s", authURL)
	}
	if q.Get("code_challenge") == "" || strings.Contains(authURL, pending.Verifier) {
		t.Error("authURL carries no PKCE challenge, or leaks the verifier")
	}

	state, code := oidctest.SignInAtProvider(t, authURL)
	id, err := o.Finish(t.Context(), pending, state, code)
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{Issuer: p.Issuer, Subject: "agent-4711", Email: "k.benali@police.example", EmailVerified: true, Name: "Karim Benali"}
	if id != want {
		t.Errorf("identity = %+v, want %+v", id, want)
	}

	// The same callback a second time: the provider has consumed the code.
	if _, err := o.Finish(t.Context(), pending, state, code); !errors.Is(err, ErrCodeExchange) {
		t.Errorf("replayed code: err = %v, want ErrCodeExchange", err)
	}
}

func TestOIDCStartIsFreshEachTime(t *testing.T) {
	o := newTestOIDC(t, oidctest.NewProvider(t))
	_, a := o.Start()
	_, b := o.Start()
	if a.State == b.State || a.Nonce == b.Nonce || a.Verifier == b.Verifier {
		t.Errorf("two sign-ins share values: %+v and %+v", a, b)
	}
}

func TestOIDCFinishFailures(t *testing.T) {
	tests := []struct {
		name     string
		provider func(*oidctest.Provider)
		config   func(*OIDCConfig)
		// callback spoils what the browser brings back, or what the caller kept.
		callback      func(pending *Pending, state, code *string)
		want          error
		wantInMessage string
		noTokenCall   bool
	}{
		{name: "forged state", callback: func(_ *Pending, state, _ *string) { *state = "forged" },
			want: ErrStateMismatch, noTokenCall: true},
		{name: "no pending sign-in", callback: func(pending *Pending, state, _ *string) { *pending, *state = Pending{}, "" },
			want: ErrStateMismatch, noTokenCall: true},
		{name: "unknown code", callback: func(_ *Pending, _, code *string) { *code = "no-such-code" },
			want: ErrCodeExchange, wantInMessage: "invalid_grant"},
		{name: "no code", callback: func(_ *Pending, _, code *string) { *code = "" },
			want: ErrCodeExchange, noTokenCall: true},
		{name: "wrong PKCE verifier", callback: func(pending *Pending, _, _ *string) { pending.Verifier = strings.Repeat("v", 43) },
			want: ErrCodeExchange, wantInMessage: "invalid_grant"},
		{name: "wrong client secret", config: func(c *OIDCConfig) { c.ClientSecret = "guessed" },
			want: ErrCodeExchange, wantInMessage: "invalid_client"},
		{name: "wrong nonce", provider: editClaims(func(c map[string]any) { c["nonce"] = "another sign-in" }),
			want: ErrNonceMismatch},
		{name: "no nonce", provider: editClaims(func(c map[string]any) { delete(c, "nonce") }),
			want: ErrNonceMismatch},
		{name: "wrong audience", provider: editClaims(func(c map[string]any) { c["aud"] = "another-client" }),
			want: ErrIDTokenInvalid, wantInMessage: "audience"},
		{name: "several audiences, authorized for another", provider: editClaims(func(c map[string]any) {
			c["aud"], c["azp"] = []string{"yaqaza-console", "another-client"}, "another-client"
		}), want: ErrIDTokenInvalid, wantInMessage: "several audiences"},
		{name: "wrong issuer", provider: editClaims(func(c map[string]any) { c["iss"] = "https://evil.example" }),
			want: ErrIDTokenInvalid, wantInMessage: "different provider"},
		{name: "expired", provider: editClaims(func(c map[string]any) { c["exp"] = time.Now().Add(-time.Minute).Unix() }),
			want: ErrIDTokenExpired},
		{name: "no subject", provider: editClaims(func(c map[string]any) { delete(c, "sub") }),
			want: ErrIDTokenInvalid, wantInMessage: "no subject"},
		{name: "signed by another key", provider: func(p *oidctest.Provider) { p.SignKey = oidctest.ForeignKey() },
			want: ErrIDTokenInvalid, wantInMessage: "signature"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var options []func(*oidctest.Provider)
			if tt.provider != nil {
				options = append(options, tt.provider)
			}
			p := oidctest.NewProvider(t, options...)
			var configs []func(*OIDCConfig)
			if tt.config != nil {
				configs = append(configs, tt.config)
			}
			o := newTestOIDC(t, p, configs...)
			authURL, pending := o.Start()
			state, code := oidctest.SignInAtProvider(t, authURL)
			if tt.callback != nil {
				tt.callback(&pending, &state, &code)
			}
			id, err := o.Finish(t.Context(), pending, state, code)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Finish = %+v, %v; want error %v", id, err, tt.want)
			}
			if id != (Identity{}) {
				t.Errorf("an identity came back with the error: %+v", id)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("error %q does not mention %q", err, tt.wantInMessage)
			}
			if calls := p.TokenCalls.Load(); tt.noTokenCall && calls != 0 {
				t.Errorf("the token endpoint was called %d times; want the callback refused first", calls)
			}
		})
	}
}

func editClaims(edit func(map[string]any)) func(*oidctest.Provider) {
	return func(p *oidctest.Provider) { p.EditClaims = edit }
}

func TestOIDCEmailVerifiedAsString(t *testing.T) {
	p := oidctest.NewProvider(t, editClaims(func(c map[string]any) { c["email_verified"] = "true" }))
	o := newTestOIDC(t, p)
	authURL, pending := o.Start()
	state, code := oidctest.SignInAtProvider(t, authURL)
	id, err := o.Finish(t.Context(), pending, state, code)
	if err != nil || !id.EmailVerified {
		t.Errorf("Finish = %+v, %v; want EmailVerified", id, err)
	}
}

func TestNewOIDCFailures(t *testing.T) {
	p := oidctest.NewProvider(t)
	tests := []struct {
		name          string
		cfg           OIDCConfig
		wantInMessage string
	}{
		{"no issuer", OIDCConfig{ClientID: "c", RedirectURL: "https://x/cb"}, "needs an issuer"},
		{"no client ID", OIDCConfig{Issuer: p.Issuer, RedirectURL: "https://x/cb"}, "client ID"},
		{"issuer differs from discovery", OIDCConfig{Issuer: p.Issuer + "/", ClientID: "c", RedirectURL: "https://x/cb"}, "issuer"},
		{"no provider there", OIDCConfig{Issuer: p.Issuer + "/nowhere", ClientID: "c", RedirectURL: "https://x/cb"}, "404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
			defer cancel()
			if _, err := NewOIDC(ctx, tt.cfg); err == nil || !strings.Contains(err.Error(), tt.wantInMessage) {
				t.Errorf("NewOIDC: err = %v, want one mentioning %q", err, tt.wantInMessage)
			}
		})
	}
}
