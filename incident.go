package yaqaza

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// Status is where an incident is in its lifecycle.
type Status string

const (
	StatusNew        Status = "new"
	StatusTriaged    Status = "triaged"
	StatusDispatched Status = "dispatched"
	StatusEnRoute    Status = "en_route"
	StatusOnScene    Status = "on_scene"
	StatusResolved   Status = "resolved"
	StatusClosed     Status = "closed"
	StatusMerged     Status = "merged"
	StatusReferred   Status = "referred"
	StatusCancelled  Status = "cancelled"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{
	StatusNew, StatusTriaged, StatusDispatched, StatusEnRoute, StatusOnScene,
	StatusResolved, StatusClosed, StatusMerged, StatusReferred, StatusCancelled,
}

// transitions is the lifecycle: from each status, the statuses it may move to.
// Anything not listed is refused. Resolved may reopen to triaged; an incident
// whose units were recalled before they got there goes back to triaged;
// closed, merged, referred and cancelled are final.
var transitions = map[Status][]Status{
	StatusNew:        {StatusTriaged, StatusDispatched, StatusMerged, StatusReferred, StatusCancelled},
	StatusTriaged:    {StatusDispatched, StatusResolved, StatusMerged, StatusReferred, StatusCancelled},
	StatusDispatched: {StatusEnRoute, StatusOnScene, StatusResolved, StatusReferred, StatusCancelled, StatusTriaged},
	StatusEnRoute:    {StatusOnScene, StatusResolved, StatusCancelled, StatusTriaged},
	StatusOnScene:    {StatusResolved, StatusReferred},
	StatusResolved:   {StatusClosed, StatusTriaged},
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	for _, k := range Statuses {
		if s == k {
			return true
		}
	}
	return false
}

// Final reports whether no transition leaves s.
func (s Status) Final() bool { return s.Valid() && len(transitions[s]) == 0 }

// Open reports whether the incident still needs work: anything not final.
func (s Status) Open() bool { return s.Valid() && !s.Final() }

// NextStatuses returns the statuses s may move to.
func (s Status) NextStatuses() []Status { return transitions[s] }

// CanTransition reports whether the lifecycle allows from → to.
func CanTransition(from, to Status) bool {
	for _, s := range transitions[from] {
		if s == to {
			return true
		}
	}
	return false
}

// OpenStatuses lists the statuses of incidents that still need work.
func OpenStatuses() []Status {
	var open []Status
	for _, s := range Statuses {
		if s.Open() {
			open = append(open, s)
		}
	}
	return open
}

// Priority is P1 (most urgent) to P4.
type Priority int

const (
	P1 Priority = 1
	P2 Priority = 2
	P3 Priority = 3
	P4 Priority = 4
)

// Valid reports whether p is P1..P4.
func (p Priority) Valid() bool { return p >= P1 && p <= P4 }

func (p Priority) String() string {
	if !p.Valid() {
		return fmt.Sprintf("P?(%d)", int(p))
	}
	return fmt.Sprintf("P%d", int(p))
}

// ParsePriority reads "P1".."P4" (or "1".."4").
func ParsePriority(s string) (Priority, error) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "P")
	if len(t) == 1 && t[0] >= '1' && t[0] <= '4' {
		return Priority(t[0] - '0'), nil
	}
	return 0, Invalidf("priority", "priority %q is not one of P1, P2, P3, P4", truncate(s, 20))
}

func (p Priority) MarshalJSON() ([]byte, error) {
	if !p.Valid() {
		return []byte("null"), nil
	}
	return json.Marshal(p.String())
}

func (p *Priority) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return Invalidf("priority", "priority must be a string such as \"P2\"")
	}
	v, err := ParsePriority(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Incident is one real-world event, with every report about it.
type Incident struct {
	ID       int64    `json:"id"`
	Status   Status   `json:"status"`
	Category string   `json:"category"`
	Priority Priority `json:"priority"`
	// PriorityReason explains the priority in one line.
	PriorityReason string `json:"priority_reason,omitempty"`
	// CategoryReason says which words or model chose the category.
	CategoryReason string `json:"category_reason,omitempty"`
	// Attention is the public attention score, 0–100, and its summary
	// ("214 reposts in 20 min, 12 sources").
	Attention        float64 `json:"attention"`
	AttentionSummary string  `json:"attention_summary,omitempty"`
	// Flags ask an operator to look (FlagZoneUnknown, FlagCategoryUnsure).
	Flags    []string `json:"flags,omitempty"`
	ZoneCode string   `json:"zone,omitempty"`
	Location *Point   `json:"location,omitempty"`
	Summary  string   `json:"summary"`
	// Owner is who must move the incident on next: a desk ("desk:032310101"),
	// a unit or a person. Every open incident has one.
	Owner       string `json:"owner"`
	ReportCount int    `json:"report_count"`
	// MergedInto is set when Status is merged.
	MergedInto int64 `json:"merged_into,omitempty"`
	// Reason is the internal reason for the last cancel, referral, reopening or close.
	Reason string `json:"reason,omitempty"`
	// PublicMessage is what reporters see on their tracking page for the last
	// status change, when staff wrote one.
	PublicMessage string `json:"public_message,omitempty"`
	// Outcome is how the incident ended (OutcomeArrest…), once it has.
	Outcome string `json:"outcome,omitempty"`
	// Deadline is the next stage the incident must reach and by when, with
	// how far up the escalation chain it has gone; nil when nothing is owed.
	Deadline *Deadline `json:"deadline,omitempty"`
	// InformedAt is when its reporters were told how it ended.
	InformedAt *time.Time `json:"informed_at,omitempty"`
	// ClearedAt is when a district head or the command cleared the incident
	// for publication: from then the communications office sees it.
	ClearedAt *time.Time `json:"cleared_at,omitempty"`
	Version   int64      `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`

	// Filled by FindIncidentByID.
	Reports     []*Report        `json:"reports,omitempty"`
	Timeline    []*TimelineEvent `json:"timeline,omitempty"`
	Assignments []*Assignment    `json:"assignments,omitempty"`
	Statements  []*Statement     `json:"statements,omitempty"`
}

// Statement is what the communications office published about an
// incident, in one language, redacted of personal data.
type Statement struct {
	ID          int64     `json:"id"`
	IncidentID  int64     `json:"incident_id"`
	Language    string    `json:"language"`
	Text        string    `json:"text"`
	PublishedAt time.Time `json:"published_at"`
	PublishedBy string    `json:"published_by"`
	// Category and ZoneCode are the incident's, as the public may see them,
	// so that a list of statements names what and where without a read
	// of each incident.
	Category string `json:"category,omitempty"`
	ZoneCode string `json:"zone,omitempty"`
}

// Deadline is an incident's next deadline.
type Deadline struct {
	Stage Stage     `json:"stage"`
	Due   time.Time `json:"due"`
	// Level is how far the missed deadline has been escalated: LevelDesk,
	// LevelDistrictHead, LevelCommand.
	Level int `json:"level"`
}

// Transition asks to move an incident to another status.
type Transition struct {
	To     Status `json:"to"`
	Reason string `json:"reason,omitempty"`
	// PublicMessage, when set, is shown to the incident's reporters.
	PublicMessage string `json:"public_message,omitempty"`
	// MergeInto names the surviving incident when To is merged.
	MergeInto int64 `json:"merge_into,omitempty"`
	// Version, when not zero, must equal the incident's current version:
	// the change is refused if someone else changed it in between.
	Version int64 `json:"version,omitempty"`
	// Outcome records how the incident ended, when resolving or closing it.
	Outcome string `json:"outcome,omitempty"`
}

// Validate checks the rules that do not depend on the incident's state.
func (t *Transition) Validate() error {
	if t.To == "" {
		return Invalidf("to", "to is required (the status to move to)")
	}
	if !t.To.Valid() {
		return Invalidf("to", "unknown status %q", truncate(string(t.To), 40))
	}
	if len(t.Reason) > 2000 || len(t.PublicMessage) > 2000 {
		return Invalidf("reason", "reason and public_message are limited to 2000 bytes")
	}
	switch t.To {
	case StatusCancelled, StatusReferred:
		if strings.TrimSpace(t.Reason) == "" {
			return Invalidf("reason", "a reason is required to move an incident to %s", t.To)
		}
	case StatusMerged:
		if t.MergeInto <= 0 {
			return Invalidf("merge_into", "merge_into (the incident to merge into) is required")
		}
	}
	if t.To != StatusMerged && t.MergeInto != 0 {
		return Invalidf("merge_into", "merge_into is only allowed with to=merged")
	}
	if t.Outcome != "" {
		if t.To != StatusResolved && t.To != StatusClosed {
			return Invalidf("outcome", "an outcome is given when resolving or closing")
		}
		known := false
		for _, o := range Outcomes {
			known = known || o == t.Outcome
		}
		if !known {
			return Invalidf("outcome", "unknown outcome %q (expected one of %s)", truncate(t.Outcome, 40), strings.Join(Outcomes, ", "))
		}
	}
	return nil
}

// CheckTransition returns a conflict error that names the allowed next
// statuses when from → to breaks the lifecycle, and requires a reason to reopen.
func CheckTransition(id int64, from Status, t *Transition) error {
	if !CanTransition(from, t.To) {
		next := from.NextStatuses()
		if len(next) == 0 {
			return Errorf(ECONFLICT, "incident %d is %s, a final status: it cannot move to %s", id, from, t.To)
		}
		names := make([]string, len(next))
		for i, s := range next {
			names[i] = string(s)
		}
		return Errorf(ECONFLICT, "incident %d cannot move from %s to %s; allowed next: %s",
			id, from, t.To, strings.Join(names, ", "))
	}
	if from == StatusResolved && t.To == StatusTriaged && strings.TrimSpace(t.Reason) == "" {
		return Invalidf("reason", "a reason is required to reopen incident %d", id)
	}
	return nil
}

// IncidentFilter selects incidents. Zero fields do not filter.
type IncidentFilter struct {
	Statuses   []Status
	Zones      []string
	Priorities []Priority
	Category   string
	From, To   *time.Time // created_at range, To exclusive
	Text       string     // a substring of any attached report's text
	// Cursor continues a previous page; Limit caps the page (default 50, max 500).
	Cursor string
	Limit  int
	// Order is "" for newest first, or OrderUrgency. An ordered list is
	// one page: it takes no cursor and gives none, but counts the rest.
	Order string
}

// OrderUrgency lists the most urgent incidents first: by priority, then
// the next deadline, soonest first (none last), then the oldest — a
// dispatcher's queue.
const OrderUrgency = "urgency"

// IncidentPage is a page of incidents, newest first.
type IncidentPage struct {
	Incidents  []*Incident `json:"incidents"`
	NextCursor string      `json:"next_cursor,omitempty"`
	// Total is how many incidents the filter matches in all; it is
	// counted for ordered lists only (IncidentFilter.Order).
	Total int `json:"total,omitempty"`
}

// IncidentService reads and changes incidents.
type IncidentService interface {
	// FindIncidentByID returns an incident with its reports and timeline.
	// ENOTFOUND if it does not exist, EFORBIDDEN if the actor may not see it.
	FindIncidentByID(ctx context.Context, id int64) (*Incident, error)
	// ExportIncident is FindIncidentByID for a document that leaves the
	// prefecture (an EIDO for a partner agency): the same rules, and an
	// audit line saying it was exported, in which format.
	ExportIncident(ctx context.Context, id int64, format string) (*Incident, error)

	// FindIncidents lists incidents matching the filter, newest first.
	FindIncidents(ctx context.Context, f IncidentFilter) (*IncidentPage, error)

	// TransitionIncident moves an incident along its lifecycle and records
	// the change on its timeline. An illegal transition is ECONFLICT and
	// changes nothing.
	TransitionIncident(ctx context.Context, id int64, t Transition) (*Incident, error)

	// CorrectTriage sets an open incident's category, zone or priority as
	// an operator decided, records it on the timeline, and keeps the
	// reports' texts as labelled examples for the category model.
	CorrectTriage(ctx context.Context, id int64, c Correction) (*Incident, error)

	// SplitReport takes a wrongly joined report out of its incident into a
	// new one; both timelines record it. ECONFLICT when it is the
	// incident's only report.
	SplitReport(ctx context.Context, reportID int64, reason string) (*Incident, error)

	// AddNote writes an internal note on an incident's timeline.
	AddNote(ctx context.Context, id int64, text string) (*TimelineEvent, error)

	// ClearForPublication lets the communications office see an incident,
	// or takes that back.
	ClearForPublication(ctx context.Context, id int64, cleared bool) (*Incident, error)

	// PublishStatement publishes a statement on a cleared incident,
	// redacted of personal data.
	PublishStatement(ctx context.Context, id int64, language, text string) (*Statement, error)

	// PublicStatements lists what was published, newest first; public.
	PublicStatements(ctx context.Context, limit int) ([]*Statement, error)
	// PublicStatement is one published statement and those published
	// before it about the same incident, oldest first; public. ENOTFOUND
	// when no statement has the id.
	PublicStatement(ctx context.Context, id int64) (st *Statement, earlier []*Statement, err error)

	// Stats are the indicators of the caller's zones.
	Stats(ctx context.Context) (*Stats, error)

	// ExportIncidents returns every incident the filter matches, shaped to
	// the caller's view; the export is audited.
	ExportIncidents(ctx context.Context, f IncidentFilter) ([]*Incident, error)
}

// Stats are the indicators of a set of zones at a moment.
type Stats struct {
	At             time.Time      `json:"at"`
	Open           int            `json:"open"`
	Late           int            `json:"late"` // open incidents past their deadline
	ByStatus       map[Status]int `json:"by_status"`
	OpenByZone     map[string]int `json:"open_by_zone"`
	OpenByPriority map[string]int `json:"open_by_priority"`
	DroppedPosts7d int64          `json:"dropped_posts_7d"`
}

// Correction is an operator's correction of triage. Nil fields stay.
type Correction struct {
	Category *string   `json:"category,omitempty"`
	Zone     *string   `json:"zone,omitempty"`
	Priority *Priority `json:"priority,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Version  int64     `json:"version,omitempty"`
}

// Validate checks what does not depend on the incident.
func (c *Correction) Validate() error {
	if c.Category == nil && c.Zone == nil && c.Priority == nil {
		return Invalidf("category", "a correction sets at least one of category, zone and priority")
	}
	if c.Priority != nil && !c.Priority.Valid() {
		return Invalidf("priority", "priority must be P1..P4")
	}
	if len(c.Reason) > 2000 {
		return Invalidf("reason", "reason is limited to 2000 bytes")
	}
	return nil
}
