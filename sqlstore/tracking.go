package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/redact"
)

// TrackingService implements yaqaza.TrackingService.
type TrackingService struct {
	db *DB
}

var _ yaqaza.TrackingService = (*TrackingService)(nil)

// NewTrackingService returns the public tracking service.
func NewTrackingService(db *DB) *TrackingService { return &TrackingService{db: db} }

// TrackReport implements yaqaza.TrackingService. It reads only what a
// reporter may see: the report's own receipt time and the public steps of
// its incident from then on. Nothing about other reports, no internal notes.
func (s *TrackingService) TrackReport(ctx context.Context, code, lang string) (*yaqaza.TrackingView, error) {
	reportID, code, err := s.db.codes.ReportID(code)
	if err != nil {
		return nil, err
	}
	var incidentID, received int64
	err = s.db.read.QueryRowContext(ctx, s.db.q(`SELECT incident_id, received_at FROM reports WHERE id = ?`), reportID).
		Scan(&incidentID, &received)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "no report has tracking code %s: it is well formed, but unknown here", code)
	} else if err != nil {
		return nil, err
	}
	inc, err := s.db.findIncident(ctx, s.db.read, incidentID, false)
	if err != nil {
		return nil, err
	}
	events, err := s.publicSteps(ctx, incidentID, received)
	if err != nil {
		return nil, err
	}
	v := &yaqaza.TrackingView{
		Code:       code,
		ReceivedAt: fromMillis(received),
		UpdatedAt:  fromMillis(received),
	}
	add := func(at int64, st yaqaza.PublicStatus, msg string) {
		// Whatever staff wrote, a public page never shows a phone number,
		// an e-mail address or an identity number.
		msg = redact.Text(msg)
		if n := len(v.History); n > 0 && v.History[n-1].Status == st {
			if msg != "" {
				v.History[n-1].Message = msg
			}
			return
		}
		v.History = append(v.History, yaqaza.TrackingStep{At: fromMillis(at), Status: st, Label: st.Label(lang), Message: msg})
		v.UpdatedAt = fromMillis(at)
	}
	add(received, yaqaza.PublicReceived, "")
	// A report that joins an incident already under way starts at its stage.
	add(received, yaqaza.PublicStatusOf(statusBefore(events, inc.Status)), inc.PublicMessage)
	for _, e := range events {
		if e.to == yaqaza.StatusMerged {
			continue // the report now follows the incident it was merged into
		}
		add(e.at, yaqaza.PublicStatusOf(e.to), e.public)
	}
	last := v.History[len(v.History)-1]
	v.Status, v.Label, v.Message = last.Status, last.Label, last.Message
	return v, nil
}

type publicStep struct {
	at       int64
	from, to yaqaza.Status
	public   string
}

// publicSteps returns the status changes of an incident at or after since.
func (s *TrackingService) publicSteps(ctx context.Context, incidentID, since int64) ([]publicStep, error) {
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT at, from_status, to_status, public_message FROM timeline
		WHERE incident_id = ? AND kind = ? AND at >= ? ORDER BY id`), incidentID, yaqaza.EventStatusChanged, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []publicStep
	for rows.Next() {
		var e publicStep
		var from, to, public sql.NullString
		if err := rows.Scan(&e.at, &from, &to, &public); err != nil {
			return nil, err
		}
		e.from, e.to, e.public = yaqaza.Status(from.String), yaqaza.Status(to.String), public.String
		out = append(out, e)
	}
	return out, rows.Err()
}

// statusBefore is the incident's status when the first of events happened,
// or its current status when nothing happened since.
func statusBefore(events []publicStep, current yaqaza.Status) yaqaza.Status {
	if len(events) > 0 {
		return events[0].from
	}
	return current
}

// TrackFacts implements http.IncidentFacts: the category and zone of the
// incident the report with this code belongs to, for Open311's public view.
func (s *TrackingService) TrackFacts(ctx context.Context, code string) (category, zone string, err error) {
	reportID, code, err := s.db.codes.ReportID(code)
	if err != nil {
		return "", "", err
	}
	var incidentID int64
	err = s.db.read.QueryRowContext(ctx, s.db.q(`SELECT incident_id FROM reports WHERE id = ?`), reportID).Scan(&incidentID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", "", yaqaza.Errorf(yaqaza.ENOTFOUND, "no report has tracking code %s: it is well formed, but unknown here", code)
	} else if err != nil {
		return "", "", err
	}
	inc, err := s.db.findIncident(ctx, s.db.read, incidentID, false)
	if err != nil {
		return "", "", err
	}
	return inc.Category, inc.ZoneCode, nil
}
