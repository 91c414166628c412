package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// staffClient is a person signed in to the console over plain HTTP, as a
// browser without scripts would be: a cookie jar, and the CSRF token the
// pages carry, sent back in every form.
type staffClient struct {
	t    *testing.T
	site *browserSite
	http *http.Client
	csrf string
}

// staffPassword is what every test account's password becomes.
const staffPassword = "Vigilance-in-Fes-2026"

var csrfField = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// staff creates an account with the role (scoped to zones, or to the whole
// prefecture when none are given), signs it in through the console, sets
// its password as a first sign-in demands, and returns the session.
func (s *browserSite) staff(t *testing.T, username string, role yaqaza.Role, zones ...string) *staffClient {
	t.Helper()
	_, otp, err := s.Users.CreateUser(s.system(), yaqaza.UserInput{Username: username, DisplayName: username, Role: role, Zones: zones})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	c := &staffClient{t: t, site: s, http: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	st, body := c.postForm("/signin", url.Values{"username": {username}, "password": {otp}, "next": {"/board"}})
	if st != http.StatusOK || !strings.Contains(body, `action="/password"`) {
		t.Fatalf("first sign-in of %s: %d, not the password page:\n%s", username, st, body)
	}
	c.takeCSRF(body)
	form := url.Values{"current": {otp}, "new": {staffPassword}, "again": {staffPassword}, "csrf_token": {c.csrf}}
	noFollow := &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(s.URL+"/password", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setting %s's password: %d, want 303 to the board", username, resp.StatusCode)
	}
	return c
}

// get fetches a page and keeps its CSRF token.
func (c *staffClient) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.http.Get(c.site.URL + path)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.read(resp)
}

// post sends a form with the session's CSRF token, following redirects.
func (c *staffClient) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/password") // any staff page carries the token
	}
	form.Set("csrf_token", c.csrf)
	return c.postForm(path, form)
}

// postForm sends a form as it is, without adding the CSRF token.
func (c *staffClient) postForm(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.http.PostForm(c.site.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.read(resp)
}

// fragment fetches path as htmx does (HX-Request), for partial updates.
func (c *staffClient) fragment(method, path string, form url.Values) (int, string) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf_token", c.csrf)
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.site.URL+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("HX-Request", "true")
	req.Header.Set("X-CSRF-Token", c.csrf)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.read(resp)
}

func (c *staffClient) read(resp *http.Response) (int, string) {
	c.t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	c.takeCSRF(string(b))
	return resp.StatusCode, string(b)
}

func (c *staffClient) takeCSRF(body string) {
	if m := csrfField.FindStringSubmatch(body); m != nil {
		c.csrf = m[1]
	}
}

// send posts a form with the CSRF token without following a redirect: a
// change that worked answers 303 (Post/Redirect/Get), a refused one 403,
// a form with errors 400.
func (c *staffClient) send(path string, form url.Values) (int, string) {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/password")
	}
	form.Set("csrf_token", c.csrf)
	noFollow := *c.http
	noFollow.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := noFollow.PostForm(c.site.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	return c.read(resp)
}
