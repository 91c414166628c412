package yaqaza

import (
	"context"
	"time"
)

// Indicators are what the command reads at its daily meeting with the
// district heads: per zone and for the prefecture, over a period.
type Indicators struct {
	From, To   time.Time        `json:"-"`
	Prefecture ZoneIndicators   `json:"prefecture"`
	Zones      []ZoneIndicators `json:"zones"`
	// Late are open incidents past their deadline, most overdue first, with their owners.
	Late   []*Incident `json:"late"`
	Trends []Trend     `json:"trends"`
}

// ZoneIndicators are one zone's figures (Zone "" for the prefecture).
type ZoneIndicators struct {
	Zone       string         `json:"zone"`
	Population int64          `json:"population"`
	Incidents  int            `json:"incidents"`
	Per100k    float64        `json:"per_100k"`
	ByCategory map[string]int `json:"by_category"`
	// Response gives, per stage, how long incidents took to reach it from
	// their opening, and the share that did so within the SLA.
	Response map[Stage]StageTimes `json:"response"`
	// Clearance is the share of the period's incidents that were resolved.
	Clearance float64 `json:"clearance"`
	Open      int     `json:"open"`
	Late      int     `json:"late"`
}

// StageTimes are the times to reach a stage.
type StageTimes struct {
	N         int     `json:"n"`
	MedianS   float64 `json:"median_s"`
	P90S      float64 `json:"p90_s"`
	WithinSLA float64 `json:"within_sla"`
}

// Trend counts incidents per bucket: "day" (30 days), "week" (12 weeks), "month" (12 months).
type Trend struct {
	Period  string        `json:"period"`
	Buckets []TrendBucket `json:"buckets"`
}

// TrendBucket is one bucket of a trend.
type TrendBucket struct {
	Start time.Time `json:"start"`
	Count int       `json:"count"`
}

// IndicatorService computes indicators for the caller's zones.
type IndicatorService interface {
	Indicators(ctx context.Context, from, to time.Time) (*Indicators, error)
}
