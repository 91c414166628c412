package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
)

func (s *Server) handleListUsers(w http.ResponseWriter, r *http.Request) error {
	users, err := s.Users.FindUsers(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"users": users})
	return nil
}

func (s *Server) handleCreateUser(w http.ResponseWriter, r *http.Request) error {
	var in yaqaza.UserInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	u, pw, err := s.Users.CreateUser(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"user": u, "one_time_password": pw})
	return nil
}

func (s *Server) handleDisableUser(w http.ResponseWriter, r *http.Request) error {
	if err := s.Users.DisableUser(r.Context(), r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) handleResetUser(w http.ResponseWriter, r *http.Request) error {
	totp, _ := strconv.ParseBool(r.URL.Query().Get("totp"))
	pw, err := s.Users.ResetUser(r.Context(), r.PathValue("username"), totp)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"one_time_password": pw})
	return nil
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in yaqaza.TokenInput
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	t, secret, err := s.Tokens.CreateToken(r.Context(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": t, "secret": secret})
	return nil
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := s.Tokens.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// handleAudit searches the audit trail: ?actor=&action=&object=&zone=&from=&to=&cursor=&limit=.
func (s *Server) handleAudit(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := yaqaza.AuditFilter{ActorID: q.Get("actor"), Action: q.Get("action"), Object: q.Get("object"), Zone: q.Get("zone")}
	for _, t := range []struct {
		name string
		dst  **time.Time
	}{{"from", &f.From}, {"to", &f.To}} {
		if v := q.Get(t.name); v != "" {
			at, err := time.Parse(time.RFC3339, v)
			if err != nil {
				return yaqaza.Invalidf(t.name, "%s must be an RFC 3339 time such as 2026-11-28T08:00:00Z", t.name)
			}
			*t.dst = &at
		}
	}
	for _, n := range []struct {
		name string
		dst  *int64
	}{{"cursor", &f.Before}} {
		if v := q.Get(n.name); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return yaqaza.Invalidf(n.name, "cursor must be the next_cursor of a previous page")
			}
			*n.dst = id
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return yaqaza.Invalidf("limit", "limit must be between 1 and 500")
		}
		f.Limit = n
	}
	page, err := s.Audit.FindAudit(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, page)
	return nil
}

func (s *Server) handleAuditVerify(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Audit.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) handlePublication(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Cleared bool `json:"cleared"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	inc, err := s.Incidents.ClearForPublication(r.Context(), id, in.Cleared)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, inc)
	return nil
}

func (s *Server) handlePublishStatement(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Language string `json:"language"`
		Text     string `json:"text"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.Incidents.PublishStatement(r.Context(), id, in.Language, in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, st)
	return nil
}

func (s *Server) handlePublicStatements(w http.ResponseWriter, r *http.Request) error {
	list, err := s.Incidents.PublicStatements(r.Context(), 50)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*yaqaza.Statement{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"statements": list})
	return nil
}

func (s *Server) handleAddNote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := readJSON(w, r, &in); err != nil {
		return err
	}
	ev, err := s.Incidents.AddNote(r.Context(), id, in.Text)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, ev)
	return nil
}
