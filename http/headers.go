package http

import (
	"net/http"
	"strings"
)

// ContentSecurityPolicy allows only the node's own scripts, styles and fonts,
// and map tiles from OpenStreetMap. No inline script or style is allowed, so
// an injected report text cannot run in a dispatcher's console; the console
// is tested against this constant.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data: https://*.tile.openstreetmap.org; connect-src 'self'; font-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// StrictTransportSecurity pins browsers to HTTPS for a year once they have
// seen the node over TLS.
const StrictTransportSecurity = "max-age=31536000; includeSubDomains"

// securityHeaders are the values SecurityHeaders sets, made once: every
// response carries them, and a header map entry may share its slice
// (Header.Set and Add replace or copy it, never write into it).
var securityHeaders = [][2]string{
	{"Content-Security-Policy", ContentSecurityPolicy},
	{"X-Frame-Options", "DENY"},
	{"X-Content-Type-Options", "nosniff"},
	{"Referrer-Policy", "no-referrer"},
	{"Permissions-Policy", "geolocation=(self), camera=(), microphone=()"},
	{"Cross-Origin-Opener-Policy", "same-origin"},
}

var (
	securityValues = func() [][]string {
		out := make([][]string, len(securityHeaders))
		for i, h := range securityHeaders {
			out[i] = []string{h[1]}
		}
		return out
	}()
	noStoreValue = []string{"no-store"}
	hstsValue    = []string{StrictTransportSecurity}
)

// SecurityHeaders sets the browser hardening headers on every response. The
// headers are set before next runs, so a handler may still override one.
// HSTS is sent only when the node serves TLS itself; behind a proxy that
// ends TLS, the proxy is the one to promise HTTPS for the whole domain.
func SecurityHeaders(tls bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			for i, kv := range securityHeaders {
				h[kv[0]] = securityValues[i]
			}
			if strings.HasPrefix(r.URL.Path, "/api/") {
				// API answers carry personal data: no shared or disk cache.
				h["Cache-Control"] = noStoreValue
			}
			if tls {
				h["Strict-Transport-Security"] = hstsValue
			}
			next.ServeHTTP(w, r)
		})
	}
}
