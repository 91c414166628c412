package yaqaza

import (
	"context"
	"time"
)

// Trained text models triage uses, by name.
const (
	ModelCategory  = "category"  // labels: the pack's category codes, and "none"
	ModelRelevance = "relevance" // labels: "incident", "none"
	ModelDialect   = "dialect"   // labels: "standard", "dialectal"
)

// LabelledText is a text with the label it should have: imported training
// data, or an operator's correction of triage.
type LabelledText struct {
	Model    string    `json:"model"`
	Label    string    `json:"label"`
	Text     string    `json:"text"`
	Source   string    `json:"source"` // "operator", "import"
	ReportID int64     `json:"report_id,omitempty"`
	ActorID  string    `json:"actor_id"`
	At       time.Time `json:"at"`
}

// ModelInfo describes a saved model version.
type ModelInfo struct {
	Name      string         `json:"name"`
	Version   int            `json:"version"`
	CreatedAt time.Time      `json:"created_at"`
	CreatedBy string         `json:"created_by"`
	Metrics   map[string]any `json:"metrics,omitempty"`
}

// ModelService keeps trained models, versioned, and the labelled texts
// they learn from.
type ModelService interface {
	// SaveModel stores a new version of a model and returns it. Admins only.
	SaveModel(ctx context.Context, name string, data []byte, metrics map[string]any) (*ModelInfo, error)
	// LatestModel returns the newest version of a model. ENOTFOUND if none.
	LatestModel(ctx context.Context, name string) (*ModelInfo, []byte, error)
	// LabelledTexts returns the labelled texts of a model, oldest first.
	LabelledTexts(ctx context.Context, model string) ([]LabelledText, error)
	// AddLabelledTexts stores labelled texts for a model. Admins only (the
	// incident service adds operators' corrections itself).
	AddLabelledTexts(ctx context.Context, texts []LabelledText) error
}
