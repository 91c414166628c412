package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// ModelService implements yaqaza.ModelService.
type ModelService struct {
	db *DB
}

var _ yaqaza.ModelService = (*ModelService)(nil)

// NewModelService returns the model service.
func NewModelService(db *DB) *ModelService { return &ModelService{db: db} }

// requireConfigure lets through who may change the configuration.
func requireConfigure(ctx context.Context) (*yaqaza.Actor, error) {
	return yaqaza.Authorize(ctx, yaqaza.ActConfigure)
}

// SaveModel implements yaqaza.ModelService.
func (s *ModelService) SaveModel(ctx context.Context, name string, data []byte, metrics map[string]any) (*yaqaza.ModelInfo, error) {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(name) == "" || len(name) > 50 {
		return nil, yaqaza.Invalidf("name", "a model needs a name of 1 to 50 bytes")
	}
	m, err := json.Marshal(metrics)
	if err != nil {
		return nil, yaqaza.Invalidf("metrics", "metrics are not JSON: %v", err)
	}
	info := &yaqaza.ModelInfo{Name: name, CreatedAt: fromMillis(toMillis(s.db.Now())), CreatedBy: actor.ID, Metrics: metrics}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, s.db.q(`SELECT coalesce(max(version), 0) + 1 FROM models WHERE name = ?`), name).Scan(&info.Version); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`INSERT INTO models (name, version, created_at, created_by, metrics, data) VALUES (?, ?, ?, ?, ?, ?)`),
			name, info.Version, toMillis(info.CreatedAt), actor.ID, string(m), data); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, info.CreatedAt, auditOf(ctx, actor, "config.model", "model:"+name, "",
			"version "+strconv.Itoa(info.Version)))
	})
	if err != nil {
		return nil, err
	}
	return info, nil
}

// LatestModel implements yaqaza.ModelService. Triage loads models at start,
// as the system; no credential is checked here.
func (s *ModelService) LatestModel(ctx context.Context, name string) (*yaqaza.ModelInfo, []byte, error) {
	info := &yaqaza.ModelInfo{Name: name}
	var at int64
	var metrics string
	var data []byte
	err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT version, created_at, created_by, metrics, data FROM models
		WHERE name = ? ORDER BY version DESC LIMIT 1`), name).Scan(&info.Version, &at, &info.CreatedBy, &metrics, &data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "no model %q has been trained", name)
	} else if err != nil {
		return nil, nil, err
	}
	info.CreatedAt = fromMillis(at)
	json.Unmarshal([]byte(metrics), &info.Metrics)
	return info, data, nil
}

// LabelledTexts implements yaqaza.ModelService.
func (s *ModelService) LabelledTexts(ctx context.Context, model string) ([]yaqaza.LabelledText, error) {
	if _, err := requireConfigure(ctx); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT label, text, source, report_id, actor_id, created_at
		FROM labelled_examples WHERE model = ? ORDER BY id`), model)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []yaqaza.LabelledText
	for rows.Next() {
		t := yaqaza.LabelledText{Model: model}
		var report sql.NullInt64
		var at int64
		if err := rows.Scan(&t.Label, &t.Text, &t.Source, &report, &t.ActorID, &at); err != nil {
			return nil, err
		}
		t.ReportID, t.At = report.Int64, fromMillis(at)
		out = append(out, t)
	}
	return out, rows.Err()
}

// AddLabelledTexts implements yaqaza.ModelService.
func (s *ModelService) AddLabelledTexts(ctx context.Context, texts []yaqaza.LabelledText) error {
	actor, err := requireConfigure(ctx)
	if err != nil {
		return err
	}
	for i, t := range texts {
		if t.Model == "" || t.Label == "" || strings.TrimSpace(t.Text) == "" {
			return yaqaza.Invalidf("texts", "text %d needs a model, a label and a text", i+1)
		}
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		for _, t := range texts {
			if t.Source == "" {
				t.Source = "import"
			}
			if err := s.db.addLabelled(ctx, tx, t, actor.ID); err != nil {
				return err
			}
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "config.training", "", "", strconv.Itoa(len(texts))+" labelled texts added"))
	})
}

func (db *DB) addLabelled(ctx context.Context, tx *sql.Tx, t yaqaza.LabelledText, actorID string) error {
	_, err := tx.ExecContext(ctx, db.q(`INSERT INTO labelled_examples (model, label, text, source, report_id, actor_id, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`), t.Model, t.Label, t.Text, t.Source, nullInt(t.ReportID), actorID, toMillis(db.Now()))
	return err
}
