package http

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"
)

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Incidents.Stats(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

// handleExportIncidents writes the incidents the list filters match as
// CSV, one line each, shaped to the caller's view like every other read.
func (s *Server) handleExportIncidents(w http.ResponseWriter, r *http.Request) error {
	f, err := parseIncidentFilter(r.URL.Query())
	if err != nil {
		return err
	}
	list, err := s.Incidents.ExportIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incidents-`+time.Now().UTC().Format("20060102-1504")+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "created_at", "updated_at", "status", "category", "priority", "zone", "lat", "lon",
		"report_count", "attention", "outcome", "summary"})
	for _, inc := range list {
		lat, lon := "", ""
		if inc.Location != nil {
			lat, lon = strconv.FormatFloat(inc.Location.Lat, 'f', 5, 64), strconv.FormatFloat(inc.Location.Lon, 'f', 5, 64)
		}
		cw.Write([]string{strconv.FormatInt(inc.ID, 10), inc.CreatedAt.UTC().Format(time.RFC3339), inc.UpdatedAt.UTC().Format(time.RFC3339),
			string(inc.Status), inc.Category, inc.Priority.String(), inc.ZoneCode, lat, lon, strconv.Itoa(inc.ReportCount),
			strconv.FormatFloat(inc.Attention, 'f', 1, 64), inc.Outcome, csvSafe(inc.Summary)})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
