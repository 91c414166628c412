package http

import (
	"net/http"
	"time"

	"github.com/yaqaza/yaqaza"
)

// handleFieldPlan lists the directives in force (?at=RFC 3339, now by
// default) in the caller's zones.
func (s *Server) handleFieldPlan(w http.ResponseWriter, r *http.Request) error {
	if s.Plans == nil {
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "this node keeps no field plan")
	}
	at := time.Now()
	if v := r.URL.Query().Get("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return yaqaza.Invalidf("at", "at %q is not an RFC 3339 time such as 2026-03-14T18:00:00+01:00", short(v))
		}
		at = t
	}
	list, err := s.Plans.FieldPlan(r.Context(), at)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*yaqaza.Directive{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"at": at.UTC(), "directives": list})
	return nil
}

// handleAddDirective adds a directive to the field plan.
func (s *Server) handleAddDirective(w http.ResponseWriter, r *http.Request) error {
	if s.Plans == nil {
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "this node keeps no field plan")
	}
	var in yaqaza.DirectiveInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	d, err := s.Plans.AddDirective(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, d)
	return nil
}

// handleWithdrawDirective ends a directive before its time.
func (s *Server) handleWithdrawDirective(w http.ResponseWriter, r *http.Request) error {
	if s.Plans == nil {
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "this node keeps no field plan")
	}
	id, err := pathID(r)
	if err != nil {
		return err
	}
	d, err := s.Plans.WithdrawDirective(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}
