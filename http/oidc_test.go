package http_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/account/oidctest"
	yhttp "github.com/yaqaza/yaqaza/http"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// TestSignInThroughIdentityProvider runs the whole browser flow against a
// real provider on loopback: start, the provider, the callback, a session
// for the account an admin made with the same e-mail; then the same person
// again by the provider's subject; and a stranger is refused.
func TestSignInThroughIdentityProvider(t *testing.T) {
	var provider *oidctest.Provider
	ts := newTestServer(t, func(srv *yhttp.Server, url string) {
		provider = oidctest.NewProvider(t, func(p *oidctest.Provider) { p.RedirectURL = url + "/auth/oidc/callback" })
		o, err := account.NewOIDC(t.Context(), account.OIDCConfig{Issuer: provider.Issuer, ClientID: provider.ClientID,
			ClientSecret: provider.ClientSecret, RedirectURL: provider.RedirectURL})
		if err != nil {
			t.Fatal(err)
		}
		srv.OIDC, srv.Sealer = o, sqlstore.EphemeralKeys()
	})
	users := sqlstore.NewUserService(ts.db)
	if _, _, err := users.CreateUser(system, yaqaza.UserInput{Username: "k.benali", DisplayName: "Karim Benali",
		Email: "K.Benali@police.example", Role: yaqaza.RoleDispatcher}); err != nil {
		t.Fatal(err)
	}
	browser := func() *http.Client {
		jar, _ := cookiejar.New(nil)
		return &http.Client{Jar: jar}
	}
	signIn := func(c *http.Client) *http.Response {
		resp, err := c.Get(ts.URL + "/auth/oidc/start")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	for round := 0; round < 2; round++ { // by e-mail the first time, by subject the second
		c := browser()
		if resp := signIn(c); resp.Request.URL.Path != "/" {
			t.Fatalf("round %d ended at %s (%s)", round, resp.Request.URL, resp.Status)
		}
		resp, err := c.Get(ts.URL + "/api/v1/session")
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, resp)
		sess := decode[struct {
			User struct {
				Username string `json:"username"`
				OIDC     bool   `json:"oidc"`
			} `json:"user"`
		}](t, body)
		if resp.StatusCode != 200 || sess.User.Username != "k.benali" || !sess.User.OIDC {
			t.Fatalf("round %d session: %d %s", round, resp.StatusCode, body)
		}
	}
	// Someone the provider knows but the prefecture gave no account.
	provider.SetPerson("agent-999", "stranger@police.example", "Someone Else")
	c := browser()
	resp := signIn(c)
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("a stranger: %s", resp.Status)
	}
	// A callback without the start's cookie is refused.
	resp, err := http.Get(ts.URL + "/auth/oidc/callback?state=x&code=y")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, resp); resp.StatusCode != 401 || !strings.Contains(body, "start again") {
		t.Fatalf("a forged callback: %d %s", resp.StatusCode, body)
	}
}

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
