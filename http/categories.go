package http

import (
	"net/http"

	"github.com/yaqaza/yaqaza"
)

// handleCategories lists the categories; public (the citizen form shows them).
func (s *Server) handleCategories(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": p.Categories})
	return nil
}

// handleSaveCategory adds a category or changes the names and default
// priority of one (admins). The body's code, if any, must be the path's.
func (s *Server) handleSaveCategory(w http.ResponseWriter, r *http.Request) error {
	var c yaqaza.Category
	if err := readJSON(w, r, &c); err != nil {
		return err
	}
	code := r.PathValue("code")
	if c.Code != "" && c.Code != code {
		return yaqaza.Invalidf("code", "the body's code %q is not the path's %q", c.Code, code)
	}
	c.Code = code
	created, err := s.Packs.SaveCategory(r.Context(), c)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, c)
	return nil
}
