// Package http serves Yaqaza over HTTP: the JSON API under /api/v1/, the
// operational endpoints (/healthz, /readyz, /metrics), and, as they arrive,
// Open311 and the console. Handlers decode, call a service and encode; the
// rules live in the services.
package http

import (
	"context"
	"fmt"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/live"
)

// Limits on request bodies.
const (
	MaxReportBody = 256 << 10 // one report: 10,000 characters of Arabic is 20 KB
	MaxBatchBody  = 32 << 20
	MaxBatchLines = 10000
	maxSmallBody  = 64 << 10
)

// Server holds the services the API calls.
type Server struct {
	Reports   yaqaza.ReportService
	Incidents yaqaza.IncidentService
	Tracking  yaqaza.TrackingService
	Tokens    yaqaza.TokenService
	Packs     yaqaza.PackService
	// Places extends the gazetteer.
	Places interface {
		AddPlace(ctx context.Context, p yaqaza.Place) error
	}
	Units    yaqaza.UnitService
	Dispatch yaqaza.DispatchService
	Followup Followup
	// Hub and EventLog serve live events.
	Hub      *live.Hub
	EventLog EventLog
	// Ready reports whether the node can take traffic (the store answers).
	Ready func(ctx context.Context) error
	// Users signs people in; Audit searches the trail.
	Users yaqaza.UserService
	Audit yaqaza.AuditService
	// Indicators computes the command's figures and hotspots.
	Indicators yaqaza.IndicatorService
	// Plans keeps the field plan.
	Plans yaqaza.PlanService
	// SecureCookies marks session cookies Secure: on, unless serving plain
	// HTTP on loopback for development.
	SecureCookies bool
	// OIDC, when set, signs people in through the identity provider; Sealer
	// keeps the sign-in's pending state in the browser.
	OIDC   *account.OIDC
	Sealer Sealer
	// Console serves the web pages: every path that is not the API's.
	Console http.Handler

	Metrics *Metrics
	// RateLimits bounds requests per client; nil serves without limits, as
	// tests and benchmarks want. yaqaza serve sets NewRateLimits().
	RateLimits *RateLimits
	// TLS says the node itself serves HTTPS, so browsers are told to keep to it.
	TLS bool
}

// Handler returns the routed, authenticated handler.
func (s *Server) Handler() http.Handler {
	if s.Metrics == nil {
		s.Metrics = NewMetrics()
	}
	mux := http.NewServeMux()
	route := func(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(pattern, s.Metrics.instrument(pattern, handlerFunc(h)))
	}
	route("POST /api/v1/reports", s.handleSubmitReport)
	route("POST /api/v1/reports/batch", s.handleSubmitBatch)
	route("GET /api/v1/reports/{id}", s.handleGetReport)
	route("GET /api/v1/incidents", s.handleListIncidents)
	route("GET /api/v1/incidents/{id}", s.handleGetIncident)
	route("POST /api/v1/incidents/{id}/transitions", s.handleTransition)
	route("POST /api/v1/incidents/{id}/triage", s.handleCorrectTriage)
	route("POST /api/v1/reports/{id}/split", s.handleSplitReport)
	route("POST /api/v1/places", s.handleAddPlace)
	route("GET /api/v1/track/{code}", s.handleTrack)
	route("GET /api/v1/events", s.handleEvents)
	route("GET /api/v1/units", s.handleListUnits)
	route("GET /api/v1/units/{id}", s.handleGetUnit)
	route("POST /api/v1/units/{id}/position", s.handleUnitPosition)
	route("POST /api/v1/units/{id}/status", s.handleUnitStatus)
	route("GET /api/v1/incidents/{id}/recommendations", s.handleRecommendations)
	route("POST /api/v1/incidents/{id}/assignments", s.handleAssign)
	route("GET /api/v1/sla", s.handleGetSLA)
	route("PUT /api/v1/sla", s.handleUpdateSLA)
	route("POST /api/v1/subscribers", s.handleAddSubscriber)
	route("GET /api/v1/notifications", s.handleNotifications)
	route("GET /api/v1/zones", s.handleZones)
	route("GET /api/v1/categories", s.handleCategories)
	route("PUT /api/v1/categories/{code}", s.handleSaveCategory)
	s.registerOpen311(route)
	route("POST /api/v1/incidents/{id}/notes", s.handleAddNote)
	route("POST /api/v1/incidents/{id}/publication", s.handlePublication)
	route("POST /api/v1/incidents/{id}/statements", s.handlePublishStatement)
	route("GET /api/v1/statements", s.handlePublicStatements)
	route("GET /cap/v1/alerts.atom", s.handleCAPFeed)
	route("GET /cap/v1/alerts/{file}", s.handleCAPAlert)
	route("/cap/", s.handleCAPUnknown)
	route("POST /api/v1/reports/cap", s.handleSubmitCAP)
	route("GET /api/v1/incidents/{id}/eido", s.handleIncidentEIDO)
	route("POST /api/v1/reports/eido", s.handleSubmitEIDO)
	route("GET /api/v1/stats", s.handleStats)
	route("GET /api/v1/hotspots", s.handleHotspots)
	route("GET /api/v1/plan", s.handleFieldPlan)
	route("POST /api/v1/plan", s.handleAddDirective)
	route("POST /api/v1/plan/{id}/withdraw", s.handleWithdrawDirective)
	route("GET /api/v1/export/incidents.csv", s.handleExportIncidents)
	route("POST /api/v1/session", s.handleSignIn)
	route("GET /api/v1/session", s.handleSession)
	route("DELETE /api/v1/session", s.handleSignOut)
	route("POST /api/v1/session/password", s.handleChangePassword)
	route("POST /api/v1/session/totp", s.handleStartTOTP)
	route("POST /api/v1/session/totp/confirm", s.handleConfirmTOTP)
	route("GET /api/v1/users", s.handleListUsers)
	route("POST /api/v1/users", s.handleCreateUser)
	route("POST /api/v1/users/{username}/disable", s.handleDisableUser)
	route("POST /api/v1/users/{username}/reset", s.handleResetUser)
	route("POST /api/v1/tokens", s.handleCreateToken)
	route("DELETE /api/v1/tokens/{id}", s.handleRevokeToken)
	route("GET /api/v1/audit", s.handleAudit)
	route("GET /api/v1/audit/verify", s.handleAuditVerify)
	route("GET /auth/oidc/start", s.handleOIDCStart)
	route("GET /auth/oidc/callback", s.handleOIDCCallback)
	route("GET /healthz", s.handleHealth)
	route("GET /readyz", s.handleReady)
	mux.Handle("GET /metrics", s.Metrics.Handler())
	if s.Console != nil {
		mux.Handle("/", s.Console)
	}
	mux.Handle("/api/", handlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no API endpoint %s %s", r.Method, r.URL.Path)
	}))
	var h http.Handler = mux
	if s.RateLimits != nil {
		// Inside authenticate, so that a credential is limited per actor.
		h = s.RateLimits.Middleware(nil)(h)
	}
	return recoverPanics(SecurityHeaders(s.TLS)(s.authenticate(h)))
}

// recoverPanics answers a request whose handler panicked with the one error
// format, logs the panic, and keeps the server up.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				writeError(w, r, fmt.Errorf("panic: %v\n%s", v, debug.Stack()))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// handlerFunc adapts handlers that return an error: the error is written in
// the one error format.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (h handlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		writeError(w, r, err)
	}
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
	return nil
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if s.Ready != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.Ready(ctx); err != nil {
			return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "not ready: %s", yaqaza.ErrorMessage(err))
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ready\n"))
	return nil
}
