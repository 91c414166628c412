package yaqaza

import (
	"context"
	"time"
)

// Suggestion is an open incident a report being typed may be about: the
// call-taker sees it before saving and may attach the call to it.
type Suggestion struct {
	Incident  *Incident     `json:"incident"`
	DistanceM float64       `json:"distance_m"` // from the report's point; -1 when either has none
	Age       time.Duration `json:"age_ns"`     // since the incident opened
	Score     float64       `json:"score"`      // 0..1, best first
	Why       string        `json:"why"`        // "same words, 300 m, 6 min"
}

// SuggestService finds open incidents a report may be about, without
// storing anything; what the caller may not see is not suggested.
type SuggestService interface {
	SuggestIncidents(ctx context.Context, in *ReportInput, k int) ([]Suggestion, error)
}
