package http

import (
	"encoding/json"
	"net/http"
	"strings"
)

// handleTrack is public: a citizen with a tracking code sees what became of
// their report, in their language (?lang=ar|fr|en, else Accept-Language).
func (s *Server) handleTrack(w http.ResponseWriter, r *http.Request) error {
	v, err := s.Tracking.TrackReport(r.Context(), r.PathValue("code"), language(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, v)
	return nil
}

// language picks ar, fr or en for a request; Arabic when nothing says otherwise.
func language(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); l == "ar" || l == "fr" || l == "en" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		switch base {
		case "ar", "fr", "en":
			return base
		}
	}
	return "ar"
}

// handleZones answers the jurisdiction's zones as a GeoJSON FeatureCollection
// with their names and population. It is public: the citizen form draws them.
func (s *Server) handleZones(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	type feature struct {
		Type       string          `json:"type"`
		Properties map[string]any  `json:"properties"`
		Geometry   json.RawMessage `json:"geometry"`
	}
	fc := struct {
		Type        string    `json:"type"`
		Attribution string    `json:"attribution,omitempty"`
		Features    []feature `json:"features"`
	}{Type: "FeatureCollection", Attribution: p.Attribution}
	for _, z := range p.Zones {
		fc.Features = append(fc.Features, feature{Type: "Feature", Geometry: json.RawMessage(z.Geometry),
			Properties: map[string]any{"code": z.Code, "names": z.Names, "population": z.Population}})
	}
	writeJSON(w, http.StatusOK, fc)
	return nil
}
