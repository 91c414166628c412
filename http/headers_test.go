package http_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	yhttp "github.com/yaqaza/yaqaza/http"
)

func serveWithSecurityHeaders(t *testing.T, tls bool, path string) http.Header {
	t.Helper()
	h := yhttp.SecurityHeaders(tls)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status %d, want the handler's 204", rec.Code)
	}
	return rec.Header()
}

func TestSecurityHeaders(t *testing.T) {
	got := serveWithSecurityHeaders(t, false, "/api/v1/incidents")
	want := map[string]string{
		"Content-Security-Policy":    yhttp.ContentSecurityPolicy,
		"X-Frame-Options":            "DENY",
		"X-Content-Type-Options":     "nosniff",
		"Referrer-Policy":            "no-referrer",
		"Permissions-Policy":         "geolocation=(self), camera=(), microphone=()",
		"Cross-Origin-Opener-Policy": "same-origin",
		"Cache-Control":              "no-store",
	}
	for name, v := range want {
		if g := got.Get(name); g != v {
			t.Errorf("%s = %q, want %q", name, g, v)
		}
	}
	if g := got.Get("Strict-Transport-Security"); g != "" {
		t.Errorf("HSTS sent without TLS: %q", g)
	}
}

// The console is built against this exact policy: a change here is a change
// there, so it must be deliberate.
func TestSecurityHeadersCSP(t *testing.T) {
	if strings.Contains(yhttp.ContentSecurityPolicy, "unsafe") {
		t.Errorf("the CSP allows inline or eval'd code: %s", yhttp.ContentSecurityPolicy)
	}
	const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: https://*.tile.openstreetmap.org; connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
	if yhttp.ContentSecurityPolicy != csp {
		t.Fatalf("CSP changed:\n got %s\nwant %s", yhttp.ContentSecurityPolicy, csp)
	}
}

func TestSecurityHeadersHSTSOnlyWithTLS(t *testing.T) {
	for _, tls := range []bool{false, true} {
		got := serveWithSecurityHeaders(t, tls, "/").Get("Strict-Transport-Security")
		want := ""
		if tls {
			want = "max-age=31536000; includeSubDomains"
		}
		if got != want {
			t.Errorf("tls=%v: Strict-Transport-Security = %q, want %q", tls, got, want)
		}
	}
}

func TestSecurityHeadersCacheOnlyForAPI(t *testing.T) {
	if got := serveWithSecurityHeaders(t, true, "/console/app.js").Get("Cache-Control"); got != "" {
		t.Errorf("Cache-Control = %q on a static asset, want none", got)
	}
	if got := serveWithSecurityHeaders(t, true, "/console/").Get("Content-Security-Policy"); got != yhttp.ContentSecurityPolicy {
		t.Errorf("the console page has CSP %q", got)
	}
}
