package http

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// MaxInteropBody bounds a CAP alert or an EIDO taken in: their own text is
// at most a report's, but they carry markup, several languages and
// components Yaqaza passes over.
const MaxInteropBody = 1 << 20

// agencySuffix makes the prefecture's identifier for interchange (CAP's
// sender, EIDO's agency identifier) from its pack id when the pack names
// no domain: "fes" gives "fes.yaqaza.invalid", under .invalid (RFC 2606):
// stable, unique per pack, visibly not a real domain, and unable to
// collide with one.
const agencySuffix = ".yaqaza.invalid"

// agencyID is the prefecture's identifier for interchange: its domain.
func agencyID(p *yaqaza.Pack) string {
	if p.Domain != "" {
		return p.Domain
	}
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '.' {
			return r
		}
		if r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return '-'
	}, p.ID)
	return id + agencySuffix
}

// authorizeSubmit refuses, before the body is read, a caller who may not
// submit on the agency channel; the report service checks again.
func authorizeSubmit(r *http.Request) error {
	_, err := yaqaza.Authorize(r.Context(), yaqaza.ActSubmitReport)
	return err
}

// takeDocument reads another agency's document (a CAP alert, an EIDO),
// makes it a report with toReport and records it. A caller who may not
// submit on the agency channel is refused before the body is read.
func (s *Server) takeDocument(w http.ResponseWriter, r *http.Request, endpoint string,
	toReport func(body []byte, now time.Time) (*yaqaza.ReportInput, error)) error {
	start := time.Now()
	if err := authorizeSubmit(r); err != nil {
		return s.refuseInterop(err)
	}
	body, err := readBody(w, r, MaxInteropBody)
	if err != nil {
		return s.refuseInterop(err)
	}
	in, err := toReport(body, time.Now())
	if err != nil {
		return s.refuseInterop(err)
	}
	return s.submitInterop(w, r, endpoint, in, start)
}

// submitInterop records a report made from another agency's document and
// answers as POST /api/v1/reports does: 201 with the receipt, and for a
// document already taken the first receipt again, marked
// Idempotent-Replayed, having written nothing.
func (s *Server) submitInterop(w http.ResponseWriter, r *http.Request, endpoint string, in *yaqaza.ReportInput, start time.Time) error {
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	receipt, err := s.Reports.SubmitReport(r.Context(), in)
	if err != nil {
		s.Metrics.reportsReceived.WithLabelValues(string(yaqaza.ChannelAgency), "refused").Inc()
		return err
	}
	outcome := "created"
	if receipt.Replayed {
		outcome = "replayed"
		w.Header().Set("Idempotent-Replayed", "true")
	}
	s.Metrics.reportsReceived.WithLabelValues(string(yaqaza.ChannelAgency), outcome).Inc()
	s.Metrics.intakeDuration.WithLabelValues(endpoint).Observe(time.Since(start).Seconds())
	w.Header().Set("Location", "/api/v1/reports/"+strconv.FormatInt(receipt.ReportID, 10))
	writeJSON(w, http.StatusCreated, newReceiptBody(receipt))
	return nil
}

// refuseInterop counts a document refused before it reached the service.
func (s *Server) refuseInterop(err error) error {
	s.Metrics.reportsReceived.WithLabelValues(string(yaqaza.ChannelAgency), "refused").Inc()
	return err
}
