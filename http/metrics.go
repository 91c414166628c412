package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/yaqaza/yaqaza"
)

// Metrics are the Prometheus series a node exports. Each server has its own
// registry so that tests can run several servers in one process.
type Metrics struct {
	Registry        *prometheus.Registry
	reportsReceived *prometheus.CounterVec
	intakeDuration  *prometheus.HistogramVec
	requests        *prometheus.CounterVec
	commitBatch     prometheus.Histogram
	commitDuration  prometheus.Histogram
	dropped         *prometheus.CounterVec
	// Orphans is the number of open incidents without owner or deadline
	// and of reports linked to no incident, as last checked.
	Orphans prometheus.Gauge
}

// NewMetrics registers the series.
func NewMetrics() *Metrics {
	m := &Metrics{Registry: prometheus.NewRegistry()}
	m.reportsReceived = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yaqaza_reports_received_total",
		Help: "Reports answered by intake, by channel and outcome (created, replayed, refused).",
	}, []string{"channel", "outcome"})
	m.intakeDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "yaqaza_intake_duration_seconds",
		Help:    "Time from request to durable acknowledgement, by endpoint.",
		Buckets: []float64{.001, .002, .005, .01, .02, .05, .1, .2, .5, 1, 2, 5},
	}, []string{"endpoint"})
	m.requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yaqaza_http_requests_total",
		Help: "HTTP requests by route and status.",
	}, []string{"route", "status"})
	m.commitBatch = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "yaqaza_commit_batch_size",
		Help:    "Reports written per group commit (one sync to disk each).",
		Buckets: []float64{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000},
	})
	m.commitDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "yaqaza_commit_duration_seconds",
		Help:    "Duration of a group commit, sync included.",
		Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .2, .5},
	})
	m.dropped = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "yaqaza_posts_dropped_total",
		Help: "Public posts not about a public-safety incident: counted, never stored.",
	}, []string{"channel"})
	m.Orphans = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "yaqaza_orphans",
		Help: "Open incidents without an owner or a next deadline, and reports linked to no incident (0 when healthy).",
	})
	m.Registry.MustRegister(m.Orphans, m.dropped, m.reportsReceived, m.intakeDuration, m.requests, m.commitBatch, m.commitDuration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// ObserveCommit records one group commit; the store calls it.
func (m *Metrics) ObserveCommit(reports int, d time.Duration) {
	m.commitBatch.Observe(float64(reports))
	m.commitDuration.Observe(d.Seconds())
}

// CountDropped counts a public post dropped by triage.
func (m *Metrics) CountDropped(ch yaqaza.Channel) { m.dropped.WithLabelValues(string(ch)).Inc() }

// Handler serves the registry in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.Registry, promhttp.HandlerOpts{Registry: m.Registry})
}

func (m *Metrics) instrument(route string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		m.requests.WithLabelValues(route, strconv.Itoa(sw.status)).Inc()
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// WatchRateLimits exposes how many requests each rate-limit rule refused.
func (m *Metrics) WatchRateLimits(rl *RateLimits) {
	for _, rule := range []string{RulePublic, RuleTracking, RuleSignIn, RuleAuthenticated} {
		m.Registry.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name:        "yaqaza_rate_limited_total",
			Help:        "Requests refused by a rate limit, by rule.",
			ConstLabels: prometheus.Labels{"rule": rule},
		}, func() float64 { return float64(rl.Limiter(rule).Limited()) }))
	}
}
