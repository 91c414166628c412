package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

func (s *Server) handleListIncidents(w http.ResponseWriter, r *http.Request) error {
	f, err := parseIncidentFilter(r.URL.Query())
	if err != nil {
		return err
	}
	page, err := s.Incidents.FindIncidents(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

// parseIncidentFilter reads ?status=new,triaged&zone=…&priority=P1,P2
// &category=…&from=RFC3339&to=RFC3339&q=text&limit=50&cursor=….
func parseIncidentFilter(q url.Values) (yaqaza.IncidentFilter, error) {
	var f yaqaza.IncidentFilter
	for _, v := range list(q, "status") {
		f.Statuses = append(f.Statuses, yaqaza.Status(v))
	}
	f.Zones = list(q, "zone")
	for _, v := range list(q, "priority") {
		p, err := yaqaza.ParsePriority(v)
		if err != nil {
			return f, err
		}
		f.Priorities = append(f.Priorities, p)
	}
	f.Category = q.Get("category")
	for _, tp := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(tp.name); v != "" {
			t, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return f, yaqaza.Invalidf(tp.name, "%s must be an RFC 3339 time such as 2026-03-14T00:00:00Z", tp.name)
			}
			*tp.dst = &t
		}
	}
	f.Text = q.Get("q")
	f.Cursor = q.Get("cursor")
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return f, yaqaza.Invalidf("limit", "limit must be a positive whole number")
		}
		f.Limit = n
	}
	return f, nil
}

// list reads a parameter given as a comma list, repeated, or both.
func list(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func (s *Server) handleGetIncident(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	inc, err := s.Incidents.FindIncidentByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inc)
	return nil
}

func (s *Server) handleTransition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var t yaqaza.Transition
	if err := readJSON(w, r, &t); err != nil {
		return err
	}
	inc, err := s.Incidents.TransitionIncident(r.Context(), id, t)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inc)
	return nil
}

func (s *Server) handleCorrectTriage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c yaqaza.Correction
	if err := readJSON(w, r, &c); err != nil {
		return err
	}
	inc, err := s.Incidents.CorrectTriage(r.Context(), id, c)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inc)
	return nil
}

func (s *Server) handleSplitReport(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	body, err := readBody(w, r, maxSmallBody)
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if len(body) > 0 {
		if err := decodeJSON(body, &in); err != nil {
			return err
		}
	}
	inc, err := s.Incidents.SplitReport(r.Context(), id, in.Reason)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, inc)
	return nil
}

func (s *Server) handleAddPlace(w http.ResponseWriter, r *http.Request) error {
	if s.Places == nil {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "the gazetteer cannot be extended on this node")
	}
	var p yaqaza.Place
	if err := readJSON(w, r, &p); err != nil {
		return err
	}
	if err := s.Places.AddPlace(r.Context(), p); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, p)
	return nil
}
