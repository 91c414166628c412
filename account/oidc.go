package account

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// OIDCConfig names the identity provider and this application's registration
// with it. Scopes defaults to openid, email and profile; openid is always
// requested.
type OIDCConfig struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	Scopes       []string
}

// OIDC signs users in with an OpenID Connect provider using the authorization
// code flow with PKCE. It is safe for concurrent use.
type OIDC struct {
	oauth    oauth2.Config
	verifier *oidc.IDTokenVerifier
	client   *http.Client
}

// Pending is the state of one sign-in between Start and Finish. The caller
// keeps it on the server side or in a short-lived (minutes), HttpOnly,
// SameSite=Lax cookie (Strict would not be sent on the provider's redirect
// back), and uses it once.
type Pending struct {
	State    string // ties the callback to this browser
	Nonce    string // ties the ID token to this sign-in
	Verifier string // PKCE: ties the code exchange to this sign-in
}

// Identity is who the provider says signed in. Issuer and Subject together
// are the stable key of the person; Email may change and is trustworthy only
// when EmailVerified.
type Identity struct {
	Issuer        string
	Subject       string
	Email         string
	EmailVerified bool
	Name          string
}

// Errors of Finish, wrapped with details; match them with errors.Is.
var (
	ErrStateMismatch  = errors.New("the sign-in callback does not match the sign-in this browser started")
	ErrCodeExchange   = errors.New("the identity provider refused the authorization code")
	ErrNoIDToken      = errors.New("the identity provider returned no ID token")
	ErrIDTokenInvalid = errors.New("the identity provider's ID token is not valid")
	ErrIDTokenExpired = errors.New("the identity provider's ID token has expired")
	ErrNonceMismatch  = errors.New("the ID token was not issued for this sign-in (nonce mismatch)")
)

// httpTimeout bounds calls to the provider when the context has no client of
// its own: http.DefaultClient would wait forever on a provider that hangs.
const httpTimeout = 10 * time.Second

// NewOIDC discovers the provider at cfg.Issuer. The HTTP client put in ctx
// with oidc.ClientContext, if any, is used for every call to the provider.
func NewOIDC(ctx context.Context, cfg OIDCConfig) (*OIDC, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.RedirectURL == "" {
		return nil, errors.New("OpenID Connect needs an issuer, a client ID and a redirect URL")
	}
	client, ok := ctx.Value(oauth2.HTTPClient).(*http.Client)
	if !ok {
		client = &http.Client{Timeout: httpTimeout}
	}
	provider, err := oidc.NewProvider(oidc.ClientContext(ctx, client), cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering the OpenID provider %s: %w", cfg.Issuer, err)
	}
	scopes := cfg.Scopes
	if len(scopes) == 0 {
		scopes = []string{"email", "profile"}
	}
	if !slices.Contains(scopes, oidc.ScopeOpenID) {
		scopes = append([]string{oidc.ScopeOpenID}, scopes...)
	}
	return &OIDC{
		oauth: oauth2.Config{
			ClientID:     cfg.ClientID,
			ClientSecret: cfg.ClientSecret,
			Endpoint:     provider.Endpoint(),
			RedirectURL:  cfg.RedirectURL,
			Scopes:       scopes,
		},
		verifier: provider.Verifier(&oidc.Config{ClientID: cfg.ClientID}),
		client:   client,
	}, nil
}

// Start begins a sign-in: the caller keeps pending and redirects the browser
// to authURL.
func (o *OIDC) Start() (authURL string, pending Pending) {
	pending = Pending{State: randomToken(), Nonce: randomToken(), Verifier: oauth2.GenerateVerifier()}
	authURL = o.oauth.AuthCodeURL(pending.State,
		oidc.Nonce(pending.Nonce), oauth2.S256ChallengeOption(pending.Verifier))
	return authURL, pending
}

// Finish completes a sign-in from the state and code of the provider's
// redirect. It checks state against pending, exchanges the code with the
// PKCE verifier, verifies the ID token (signature, issuer, audience, expiry,
// nonce) and returns who signed in.
func (o *OIDC) Finish(ctx context.Context, pending Pending, state, code string) (Identity, error) {
	if pending.State == "" || subtle.ConstantTimeCompare([]byte(state), []byte(pending.State)) != 1 {
		return Identity{}, ErrStateMismatch
	}
	if code == "" {
		return Identity{}, fmt.Errorf("%w: the callback carries no code", ErrCodeExchange)
	}
	ctx = oidc.ClientContext(ctx, o.client)
	tok, err := o.oauth.Exchange(ctx, code, oauth2.VerifierOption(pending.Verifier))
	if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrCodeExchange, err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return Identity{}, ErrNoIDToken
	}
	idToken, err := o.verifier.Verify(ctx, raw)
	if _, expired := errors.AsType[*oidc.TokenExpiredError](err); expired {
		return Identity{}, fmt.Errorf("%w: %v", ErrIDTokenExpired, err)
	} else if err != nil {
		return Identity{}, fmt.Errorf("%w: %v", ErrIDTokenInvalid, err)
	}
	if pending.Nonce == "" || subtle.ConstantTimeCompare([]byte(idToken.Nonce), []byte(pending.Nonce)) != 1 {
		return Identity{}, ErrNonceMismatch
	}
	return o.identity(idToken)
}

func (o *OIDC) identity(idToken *oidc.IDToken) (Identity, error) {
	var claims struct {
		Email         string   `json:"email"`
		EmailVerified flexBool `json:"email_verified"`
		Name          string   `json:"name"`
		AZP           string   `json:"azp"`
	}
	if err := idToken.Claims(&claims); err != nil {
		return Identity{}, fmt.Errorf("%w: reading claims: %v", ErrIDTokenInvalid, err)
	}
	if idToken.Subject == "" {
		return Identity{}, fmt.Errorf("%w: it names no subject", ErrIDTokenInvalid)
	}
	// OpenID Connect Core §3.1.3.7: with several audiences, the authorized
	// party must be this client, or the token was meant for another one.
	if len(idToken.Audience) > 1 && claims.AZP != o.oauth.ClientID {
		return Identity{}, fmt.Errorf("%w: it has several audiences and is authorized for %q, not this client", ErrIDTokenInvalid, claims.AZP)
	}
	return Identity{
		Issuer:        idToken.Issuer,
		Subject:       idToken.Subject,
		Email:         claims.Email,
		EmailVerified: bool(claims.EmailVerified),
		Name:          claims.Name,
	}, nil
}

// flexBool reads a JSON boolean, or the strings "true" and "false" that some
// providers send for email_verified.
type flexBool bool

func (b *flexBool) UnmarshalJSON(data []byte) error {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	switch v := v.(type) {
	case bool:
		*b = flexBool(v)
	case string:
		*b = v == "true"
	default:
		*b = false
	}
	return nil
}

// randomToken returns 256 random bits in base64url, for state and nonce.
func randomToken() string {
	raw := make([]byte, 32)
	rand.Read(raw) // never fails since Go 1.24: it crashes the program instead
	return base64.RawURLEncoding.EncodeToString(raw)
}
