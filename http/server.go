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
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
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

	Metrics *Metrics
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
	route("GET /healthz", s.handleHealth)
	route("GET /readyz", s.handleReady)
	mux.Handle("GET /metrics", s.Metrics.Handler())
	mux.Handle("/api/", handlerFunc(func(w http.ResponseWriter, r *http.Request) error {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no API endpoint %s %s", r.Method, r.URL.Path)
	}))
	return recoverPanics(s.authenticate(secureHeaders(mux)))
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

// authenticate puts the request's actor in its context: the token's actor
// for a valid bearer token, Anonymous for none. A token that is presented
// but not valid is refused outright, even on public endpoints, so that a
// client with a broken credential learns it at once.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := r.Header.Get("Authorization")
		if h == "" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, secret, ok := strings.Cut(h, " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") || secret == "" {
			writeError(w, r, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the Authorization header must be \"Bearer <token>\""))
			return
		}
		actor, err := s.Tokens.Authenticate(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			writeError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(yaqaza.NewContextWithActor(r.Context(), actor)))
	})
}

func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		if strings.HasPrefix(r.URL.Path, "/api/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
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
