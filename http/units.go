package http

import (
	"context"
	"net/http"
	"strconv"

	"github.com/yaqaza/yaqaza"
)

// Followup is what the API needs of the follow-up side: the SLA policy,
// who is told of escalations, and the outbox.
type Followup interface {
	UpdateSLA(ctx context.Context, p *yaqaza.SLAPolicy) error
	AddSubscriber(ctx context.Context, s yaqaza.Subscriber) (*yaqaza.Subscriber, error)
	FindNotifications(ctx context.Context, incidentID int64) ([]yaqaza.Notification, error)
}

func (s *Server) handleListUnits(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := yaqaza.UnitFilter{Zone: q.Get("zone"), Kind: q.Get("kind")}
	for _, v := range list(q, "status") {
		f.Statuses = append(f.Statuses, yaqaza.UnitStatus(v))
	}
	units, err := s.Units.FindUnits(r.Context(), f)
	if err != nil {
		return err
	}
	if units == nil {
		units = []*yaqaza.Unit{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"units": units})
	return nil
}

func (s *Server) handleGetUnit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := s.Units.FindUnitByID(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleUnitPosition(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var p yaqaza.Point
	if err := readJSON(w, r, &p); err != nil {
		return err
	}
	u, err := s.Units.SetUnitPosition(r.Context(), id, p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleUnitStatus(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Status yaqaza.UnitStatus `json:"status"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	u, err := s.Units.SetUnitStatus(r.Context(), id, in.Status)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) handleRecommendations(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	k := 5
	if v := r.URL.Query().Get("k"); v != "" {
		if k, err = strconv.Atoi(v); err != nil {
			return yaqaza.Invalidf("k", "k must be a whole number")
		}
	}
	recs, err := s.Dispatch.Recommend(r.Context(), id, k)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident_id": id, "recommendations": recs})
	return nil
}

func (s *Server) handleAssign(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in yaqaza.AssignInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	inc, err := s.Dispatch.Assign(r.Context(), id, in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inc)
	return nil
}

func (s *Server) handleUpdateSLA(w http.ResponseWriter, r *http.Request) error {
	var p yaqaza.SLAPolicy
	if err := readJSON(w, r, &p); err != nil {
		return err
	}
	if err := s.Followup.UpdateSLA(r.Context(), &p); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (s *Server) handleGetSLA(w http.ResponseWriter, r *http.Request) error {
	p, err := s.Packs.CurrentPack(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p.SLA)
	return nil
}

func (s *Server) handleAddSubscriber(w http.ResponseWriter, r *http.Request) error {
	var sub yaqaza.Subscriber
	if err := readJSON(w, r, &sub); err != nil {
		return err
	}
	out, err := s.Followup.AddSubscriber(r.Context(), sub)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if v := r.URL.Query().Get("incident"); v != "" {
		var err error
		if id, err = strconv.ParseInt(v, 10, 64); err != nil {
			return yaqaza.Invalidf("incident", "incident must be an id")
		}
	}
	list, err := s.Followup.FindNotifications(r.Context(), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []yaqaza.Notification{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"notifications": list})
	return nil
}
