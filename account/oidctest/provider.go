// Package oidctest is a small OpenID Connect provider for tests: discovery,
// a JWKS with one RSA key, an authorize endpoint that signs the user in at
// once, and a token endpoint that checks the code, the client secret and
// the PKCE verifier. It is real HTTP on loopback, not a mock of a library.
package oidctest

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Provider is the test provider. Options set its fields before it serves.
type Provider struct {
	srv          *httptest.Server
	Issuer       string
	ClientID     string
	ClientSecret string
	RedirectURL  string
	PublicKey    *rsa.PrivateKey // published in the JWKS
	SignKey      *rsa.PrivateKey // signs ID tokens; PublicKey unless a test forges
	// Claims are the signed-in person's: subject, email, name.
	Subject, Email, Name string
	// EditClaims lets a test spoil the ID token before it is signed.
	EditClaims func(claims map[string]any)
	TokenCalls atomic.Int32

	mu    sync.Mutex
	codes map[string]grant
}

type grant struct{ nonce, challenge, redirectURI string }

const testKeyID = "test-key-1"

var (
	providerKey = sync.OnceValue(func() *rsa.PrivateKey { return newRSAKey() })
	// ForeignKey is a key the provider does not publish, to forge tokens with.
	ForeignKey = sync.OnceValue(func() *rsa.PrivateKey { return newRSAKey() })
)

func newRSAKey() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

// NewProvider starts a provider; options run before it serves, so its
// handlers read them without races.
func NewProvider(t testing.TB, options ...func(*Provider)) *Provider {
	t.Helper()
	p := &Provider{
		ClientID:     "yaqaza-console",
		ClientSecret: "client-secret",
		RedirectURL:  "https://yaqaza.example/auth/callback",
		PublicKey:    providerKey(),
		SignKey:      providerKey(),
		Subject:      "agent-4711",
		Email:        "k.benali@police.example",
		Name:         "Karim Benali",
		codes:        make(map[string]grant),
	}
	for _, o := range options {
		o(p)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", p.discovery)
	mux.HandleFunc("GET /jwks", p.jwks)
	mux.HandleFunc("GET /authorize", p.authorize)
	mux.HandleFunc("POST /token", p.token)
	p.srv = httptest.NewUnstartedServer(mux)
	p.Issuer = "http://" + p.srv.Listener.Addr().String()
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	return p
}

// SetPerson changes who signs in at the provider from now on.
func (p *Provider) SetPerson(subject, email, name string) {
	p.mu.Lock()
	p.Subject, p.Email, p.Name = subject, email, name
	p.mu.Unlock()
}

func (p *Provider) discovery(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.Issuer,
		"authorization_endpoint":                p.Issuer + "/authorize",
		"token_endpoint":                        p.Issuer + "/token",
		"jwks_uri":                              p.Issuer + "/jwks",
		"response_types_supported":              []string{"code"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"code_challenge_methods_supported":      []string{"S256"},
	})
}

func (p *Provider) jwks(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{
		Key: &p.PublicKey.PublicKey, KeyID: testKeyID, Algorithm: "RS256", Use: "sig",
	}}})
}

// authorize stands for the user signing in at the provider: it grants a code
// and redirects to the client with it.
func (p *Provider) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != p.ClientID ||
		q.Get("redirect_uri") != p.RedirectURL || q.Get("code_challenge_method") != "S256" ||
		q.Get("code_challenge") == "" || q.Get("state") == "" || q.Get("nonce") == "" {
		http.Error(w, "bad authorization request", http.StatusBadRequest)
		return
	}
	code := rand.Text()
	p.mu.Lock()
	p.codes[code] = grant{nonce: q.Get("nonce"), challenge: q.Get("code_challenge"), redirectURI: q.Get("redirect_uri")}
	p.mu.Unlock()
	back, _ := url.Parse(p.RedirectURL)
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	p.TokenCalls.Add(1)
	id, secret, ok := r.BasicAuth()
	if !ok {
		id, secret = r.PostFormValue("client_id"), r.PostFormValue("client_secret")
	}
	if id != p.ClientID || subtle.ConstantTimeCompare([]byte(secret), []byte(p.ClientSecret)) != 1 {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "invalid_client"})
		return
	}
	// A code is consumed by its first use, right or wrong, as RFC 6749 asks.
	p.mu.Lock()
	g, found := p.codes[r.PostFormValue("code")]
	delete(p.codes, r.PostFormValue("code"))
	p.mu.Unlock()
	sum := sha256.Sum256([]byte(r.PostFormValue("code_verifier")))
	if r.PostFormValue("grant_type") != "authorization_code" || !found ||
		r.PostFormValue("redirect_uri") != g.redirectURI ||
		base64.RawURLEncoding.EncodeToString(sum[:]) != g.challenge {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant"})
		return
	}
	now := time.Now()
	p.mu.Lock()
	subject, email, name := p.Subject, p.Email, p.Name
	p.mu.Unlock()
	claims := map[string]any{
		"iss": p.Issuer, "sub": subject, "aud": p.ClientID,
		"iat": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "nonce": g.nonce,
		"email": email, "email_verified": true, "name": name,
	}
	if p.EditClaims != nil {
		p.EditClaims(claims)
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"access_token": rand.Text(), "token_type": "Bearer", "expires_in": 300,
		"id_token": p.sign(claims),
	})
}

func (p *Provider) sign(claims map[string]any) string {
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: p.SignKey, KeyID: testKeyID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		panic(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := signer.Sign(payload)
	if err != nil {
		panic(err)
	}
	raw, err := jws.CompactSerialize()
	if err != nil {
		panic(err)
	}
	return raw
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// SignInAtProvider follows authURL as a browser would, with the user signing
// in, and returns the state and code of the redirect back to the client.
func SignInAtProvider(t testing.TB, authURL string) (state, code string) {
	t.Helper()
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Get(authURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize answered %s", resp.Status)
	}
	back, err := url.Parse(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return back.Query().Get("state"), back.Query().Get("code")
}
