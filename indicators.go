package yaqaza

import (
	"context"
	"time"
)

// Indicators are what the command reads at its daily meeting with the
// district heads: per zone and for the prefecture, over a period.
//
// What counts: an incident belongs to the period it was opened in. Merged
// incidents are left out everywhere: they were the same event as the
// incident they joined, which is counted once. Open and Late, the late
// list and the trends describe the store at At, whatever the period.
type Indicators struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	// At is when the figures were computed.
	At time.Time `json:"at"`
	// Prefecture totals the caller's zones: the whole jurisdiction (with
	// incidents not yet placed in a zone) for the prefecture's roles, the
	// sum of its zones for a scoped actor.
	Prefecture ZoneIndicators   `json:"prefecture"`
	Zones      []ZoneIndicators `json:"zones"`
	// Late are open incidents past their deadline, most overdue first, at
	// most MaxLateListed, shaped to the caller's view.
	Late   []*Incident `json:"late"`
	Trends []Trend     `json:"trends"`
}

// MaxLateListed caps the late list: beyond it, the counts tell the size.
const MaxLateListed = 50

// ZoneIndicators are one zone's figures (Zone "" for the prefecture).
type ZoneIndicators struct {
	Zone       string `json:"zone"`
	Names      Names  `json:"names"`
	Population int64  `json:"population"`
	// Incidents opened in the period, and per 100,000 residents (0 when
	// the population is not known).
	Incidents  int            `json:"incidents"`
	Per100k    float64        `json:"per_100k"`
	ByCategory map[string]int `json:"by_category"`
	// Response gives, per stage, how long the period's incidents took to
	// reach it from their opening, and how many did so within the SLA.
	Response map[Stage]StageTimes `json:"response"`
	// Cleared counts the period's incidents now resolved or closed with an
	// outcome; Clearance is their share of Incidents.
	Cleared   int     `json:"cleared"`
	Clearance float64 `json:"clearance"`
	// Open incidents (not yet resolved) and, of them, those past their deadline, now.
	Open int `json:"open"`
	Late int `json:"late"`
}

// StageTimes are the times the period's incidents took to reach a stage.
//
// N incidents reached it; Median and P90 are over them (interpolated
// between ranks, as spreadsheets' PERCENTILE.INC does). Due counts the
// incidents that owed the stage by now: those that reached it, and those
// still short of it with their deadline passed. WithinSLA is the share of
// Due that reached it by the deadline, so an incident left waiting counts
// against the SLA before it is handled, not only after.
type StageTimes struct {
	N         int     `json:"n"`
	MedianS   float64 `json:"median_s"`
	P90S      float64 `json:"p90_s"`
	Due       int     `json:"due"`
	WithinSLA float64 `json:"within_sla"`
}

// Median is the median as a duration.
func (s StageTimes) Median() time.Duration { return seconds(s.MedianS) }

// P90 is the 90th percentile as a duration.
func (s StageTimes) P90() time.Duration { return seconds(s.P90S) }

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// ResponseStages are the stages indicators time: reporters being informed
// is a matter of the follow-up, not of the response.
var ResponseStages = []Stage{StageAcknowledged, StageDispatched, StageOnScene, StageResolved}

// Trend periods.
const (
	TrendDay   = "day"   // the last 30 days, today included
	TrendWeek  = "week"  // the last 12 weeks, Monday to Sunday, this one included
	TrendMonth = "month" // the last 12 months, this one included
)

// Trend counts incidents per bucket of local time, oldest bucket first.
type Trend struct {
	Period  string        `json:"period"`
	Buckets []TrendBucket `json:"buckets"`
}

// TrendBucket is one bucket of a trend. Start is local midnight in the
// jurisdiction's time zone; ByZone counts incidents in a zone ("" for
// those not yet placed).
type TrendBucket struct {
	Start  time.Time      `json:"start"`
	Count  int            `json:"count"`
	ByZone map[string]int `json:"by_zone"`
}

// MaxIndicatorPeriod bounds a request, so that one page stays fast.
const MaxIndicatorPeriod = 400 * 24 * time.Hour

// IndicatorService computes indicators for the caller's zones.
type IndicatorService interface {
	// Indicators computes the figures of [from, to). It needs ActReadStats;
	// a scoped actor gets only its zones. EINVALID when to is not after
	// from or the period is longer than MaxIndicatorPeriod.
	Indicators(ctx context.Context, from, to time.Time) (*Indicators, error)
	// Hotspots lists the cells where the period's incidents gathered, the
	// busiest first, in the caller's zones. The same rights and period
	// bounds as Indicators.
	Hotspots(ctx context.Context, q HotspotQuery) ([]Hotspot, error)
}
