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

// SecurityHeaders sets the browser hardening headers on every response. The
// headers are set before next runs, so a handler may still override one.
// HSTS is sent only when the node serves TLS itself; behind a proxy that
// ends TLS, the proxy is the one to promise HTTPS for the whole domain.
func SecurityHeaders(tls bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			h := w.Header()
			h.Set("Content-Security-Policy", ContentSecurityPolicy)
			h.Set("X-Frame-Options", "DENY")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Referrer-Policy", "no-referrer")
			h.Set("Permissions-Policy", "geolocation=(self), camera=(), microphone=()")
			h.Set("Cross-Origin-Opener-Policy", "same-origin")
			if strings.HasPrefix(r.URL.Path, "/api/") {
				// API answers carry personal data: no shared or disk cache.
				h.Set("Cache-Control", "no-store")
			}
			if tls {
				h.Set("Strict-Transport-Security", StrictTransportSecurity)
			}
			next.ServeHTTP(w, r)
		})
	}
}
