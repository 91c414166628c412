package yaqaza

import (
	"context"
	"time"
)

// Assessment is what triage concluded about a report, each conclusion with
// the evidence for it, so that an operator can see why. It is stored with
// the report.
type Assessment struct {
	Language    string `json:"language"`
	LanguageWhy string `json:"language_why,omitempty"`

	// Relevant is whether the report is about a public-safety incident.
	// A public post that is not is dropped; a report addressed to the
	// police that is not is closed as not a police matter (NotPolice).
	Relevant     bool   `json:"relevant"`
	RelevanceWhy string `json:"relevance_why,omitempty"`
	NotPolice    bool   `json:"not_police,omitempty"`

	Category    string `json:"category"`
	CategoryWhy string `json:"category_why,omitempty"`

	ZoneCode string `json:"zone,omitempty"`
	ZoneWhy  string `json:"zone_why,omitempty"`
	Location *Point `json:"location,omitempty"`
	// LocationApprox is set when Location only stands for the zone (its
	// centre), not for where the event happened.
	LocationApprox bool `json:"location_approx,omitempty"`
	// Place is the gazetteer place the text named, when it named one.
	Place string `json:"place,omitempty"`

	// Cues found in the text: weapon_blade, weapon_firearm, injury, child, in_progress.
	Cues []string `json:"cues,omitempty"`

	Priority    Priority `json:"priority"`
	PriorityWhy string   `json:"priority_why,omitempty"`

	// Flags ask an operator to look: "zone_unknown", "category_unsure".
	Flags []string `json:"flags,omitempty"`

	// Join is set when the report joined an open incident.
	Join *Join `json:"join,omitempty"`

	// Fingerprint is what duplicate detection keeps of the report; only the
	// triage implementation reads it.
	Fingerprint any `json:"-"`
}

// Join says which open incident a report joined, and why.
type Join struct {
	IncidentID int64  `json:"incident_id"`
	Rule       string `json:"rule"` // "text", "media", "nearby"
	Reason     string `json:"reason"`
}

// Flag values.
const (
	FlagZoneUnknown    = "zone_unknown"
	FlagCategoryUnsure = "category_unsure"
)

// Assessor triages a report before it is written. It must be safe for
// concurrent use and must not write anything.
type Assessor interface {
	Assess(ctx context.Context, in *ReportInput) *Assessment
}

// ClusterInput is what the intake writer tells the clusterer of a report.
type ClusterInput struct {
	Assessment *Assessment
	Channel    Channel
	Source     *Source
	Media      []Media
	// Text is needed only when Assessment has no fingerprint (on restore).
	Text string
	At   time.Time
}

// ClusterOutcome is the clusterer's answer for one report: the incident it
// belongs to and what that incident's triage becomes.
type ClusterOutcome struct {
	IncidentID  int64
	Zone        string // the incident's zone
	Join        *Join  // nil when the report opens IncidentID
	Attention   float64
	AttentionOf string // "214 reposts in 20 min, 12 sources"
	Priority    Priority
	PriorityWhy string
	// Raised is set when joining raised the incident's priority.
	Raised bool
}

// Clusterer groups reports about the same event into one incident. The
// intake writer, which is one goroutine, uses it batch by batch: Begin, then
// an Assign per report in order; when the batch's transaction fails, Abort.
// Implementations must be safe for concurrent use: corrections and
// transitions call Forget, Restore and Correct from other goroutines.
type Clusterer interface {
	Begin() ClusterBatch
	// Forget removes an incident from clustering (closed, cancelled, merged away).
	Forget(incidentID int64)
	// Restore puts back a report of an open incident, at start or after a
	// merge or a split moved it.
	Restore(incidentID int64, r ClusterInput)
	// Correct records an operator's correction of an incident's category or zone.
	Correct(incidentID int64, category, zone string)
}

// ClusterBatch is one batch of the intake writer.
type ClusterBatch interface {
	// Assign decides the incident of a report: an open one it joins, or
	// newID, which the writer reserved for a new incident.
	Assign(r ClusterInput, newID int64) ClusterOutcome
	// Abort undoes the batch after its transaction failed. It returns the
	// incidents that existed before the batch and that the batch touched:
	// the caller restores them from the store.
	Abort() []int64
}
