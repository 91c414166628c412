package http

// NENA EIDO. An incident goes out as an EIDO for a partner agency or PSAP
// through the same service read as GET /api/v1/incidents/{id}, so that the
// same caller is refused or shown the same incident; EIDOs from partners
// come in on POST /api/v1/reports/eido as reports on the agency channel.

import (
	"net/http"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/eido"
)

// handleIncidentEIDO answers an incident as an EIDO, names in ?lang=; the
// trail records it as an export.
func (s *Server) handleIncidentEIDO(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	inc, err := s.Incidents.ExportIncident(r.Context(), id, "EIDO")
	if err != nil {
		return err
	}
	p, err := s.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, eido.Issuer{ID: agencyID(p), Pack: p}.FromIncident(inc, language(r)))
	return nil
}

// handleSubmitEIDO takes an EIDO from another agency as a report.
func (s *Server) handleSubmitEIDO(w http.ResponseWriter, r *http.Request) error {
	return s.takeDocument(w, r, "eido", func(body []byte, now time.Time) (*yaqaza.ReportInput, error) {
		doc, err := eido.Decode(body)
		if err != nil {
			return nil, err
		}
		return doc.Report(now)
	})
}
