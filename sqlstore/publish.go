package sqlstore

import (
	"context"
	"database/sql"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/redact"
)

// ClearForPublication implements yaqaza.IncidentService: a district head
// or the command lets the communications office see an incident (or takes
// it back).
func (s *IncidentService) ClearForPublication(ctx context.Context, id int64, cleared bool) (*yaqaza.Incident, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActClearPublish); err != nil {
		return nil, err
	}
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		inc, err := s.db.findIncident(ctx, tx, id, true)
		if err != nil {
			return err
		}
		actor, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActClearPublish, inc.ZoneCode)
		if err != nil {
			return err
		}
		if (inc.ClearedAt != nil) == cleared {
			return nil // already so: nothing to record
		}
		now := toMillis(s.db.Now())
		at, by, what := sql.NullInt64{Int64: now, Valid: cleared}, nullString(actor.ID), "cleared for publication"
		if !cleared {
			by, what = sql.NullString{}, "publication clearance withdrawn"
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE incidents SET cleared_at = ?, cleared_by = ?, version = version + 1,
			updated_at = ? WHERE id = ?`), at, by, now, id); err != nil {
			return err
		}
		return s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: id, zone: inc.ZoneCode, kind: yaqaza.EventPublication, detail: what})
	})
	if err != nil {
		return nil, err
	}
	return s.FindIncidentByID(ctx, id)
}

// PublishStatement implements yaqaza.IncidentService: the communications
// office informs the public about a cleared incident. The text is
// redacted of phone numbers, e-mail addresses and identity numbers before
// it is kept, so that nothing personal can be published by mistake.
func (s *IncidentService) PublishStatement(ctx context.Context, id int64, language, text string) (*yaqaza.Statement, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActPublish); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	switch {
	case language != "ar" && language != "fr" && language != "en":
		return nil, yaqaza.Invalidf("language", "language must be ar, fr or en")
	case text == "":
		return nil, yaqaza.Invalidf("text", "the statement is empty")
	case !utf8.ValidString(text) || utf8.RuneCountInString(text) > 5000:
		return nil, yaqaza.Invalidf("text", "a statement is valid UTF-8 of at most 5,000 characters")
	}
	st := &yaqaza.Statement{IncidentID: id, Language: language, Text: redact.Text(text)}
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		inc, err := s.db.findIncident(ctx, tx, id, true)
		if err != nil {
			return err
		}
		actor, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActPublish, inc.ZoneCode)
		if err != nil {
			return err
		}
		if inc.ClearedAt == nil {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "incident %d is not cleared for publication: a district head or the command must clear it first", id)
		}
		now := s.db.Now()
		st.PublishedAt, st.PublishedBy = fromMillis(toMillis(now)), actor.Name
		st.Category, st.ZoneCode = inc.Category, inc.ZoneCode
		if err := tx.QueryRowContext(ctx, s.db.q(`INSERT INTO statements (incident_id, language, text, published_at, published_by)
			VALUES (?, ?, ?, ?, ?) RETURNING id`), id, language, st.Text, toMillis(now), actor.Name).Scan(&st.ID); err != nil {
			return err
		}
		return s.db.addTimeline(ctx, tx, actor, toMillis(now), timelineEntry{incidentID: id, zone: inc.ZoneCode,
			kind: yaqaza.EventStatement, detail: "statement published (" + language + ")", public: st.Text})
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// PublicStatements implements yaqaza.IncidentService: what the prefecture
// has published, newest first. It needs no credential.
func (s *IncidentService) PublicStatements(ctx context.Context, limit int) ([]*yaqaza.Statement, error) {
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	return s.db.findStatements(ctx, s.db.read, `1 = 1 ORDER BY s.id DESC LIMIT ?`, limit)
}

// PublicStatement implements yaqaza.IncidentService. It needs no credential.
func (s *IncidentService) PublicStatement(ctx context.Context, id int64) (*yaqaza.Statement, []*yaqaza.Statement, error) {
	thread, err := s.db.findStatements(ctx, s.db.read,
		`s.incident_id = (SELECT incident_id FROM statements WHERE id = ?) AND s.id <= ? ORDER BY s.id`, id, id)
	if err != nil {
		return nil, nil, err
	}
	if len(thread) == 0 || thread[len(thread)-1].ID != id {
		return nil, nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "no statement %d was published", id)
	}
	return thread[len(thread)-1], thread[:len(thread)-1], nil
}

func (db *DB) findStatements(ctx context.Context, q querier, where string, args ...any) ([]*yaqaza.Statement, error) {
	rows, err := q.QueryContext(ctx, db.q(`SELECT s.id, s.incident_id, s.language, s.text, s.published_at, s.published_by,
		COALESCE(i.category, ''), COALESCE(i.zone_code, '')
		FROM statements s LEFT JOIN incidents i ON i.id = s.incident_id WHERE `+where), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*yaqaza.Statement
	for rows.Next() {
		var st yaqaza.Statement
		var at int64
		if err := rows.Scan(&st.ID, &st.IncidentID, &st.Language, &st.Text, &at, &st.PublishedBy, &st.Category, &st.ZoneCode); err != nil {
			return nil, err
		}
		st.PublishedAt = fromMillis(at)
		out = append(out, &st)
	}
	return out, rows.Err()
}

// AddNote implements yaqaza.IncidentService: an internal note on the
// timeline, never shown to the public.
func (s *IncidentService) AddNote(ctx context.Context, id int64, text string) (*yaqaza.TimelineEvent, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActChangeIncident); err != nil {
		return nil, err
	}
	text = strings.TrimSpace(text)
	if text == "" || !utf8.ValidString(text) || utf8.RuneCountInString(text) > 2000 {
		return nil, yaqaza.Invalidf("text", "a note is 1 to 2,000 characters")
	}
	var ev *yaqaza.TimelineEvent
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		inc, err := s.db.findIncident(ctx, tx, id, true)
		if err != nil {
			return err
		}
		actor, err := yaqaza.AuthorizeIn(ctx, yaqaza.ActChangeIncident, inc.ZoneCode)
		if err != nil {
			return err
		}
		now := toMillis(s.db.Now())
		if err := s.db.addTimeline(ctx, tx, actor, now, timelineEntry{incidentID: id, zone: inc.ZoneCode, kind: yaqaza.EventNoteAdded, detail: text}); err != nil {
			return err
		}
		ev = &yaqaza.TimelineEvent{IncidentID: id, ZoneCode: inc.ZoneCode, At: fromMillis(now), ActorID: actor.ID, ActorName: actor.Name,
			Kind: yaqaza.EventNoteAdded, Detail: text}
		return nil
	})
	return ev, err
}
