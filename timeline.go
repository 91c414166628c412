package yaqaza

import "time"

// Kinds of timeline events.
const (
	EventIncidentCreated = "incident.created"
	EventReportAttached  = "report.attached"
	EventReportMoved     = "report.moved"
	EventStatusChanged   = "status.changed"
	EventIncidentMerged  = "incident.merged"
	EventNoteAdded       = "note.added"
	EventPriorityChanged = "priority.changed"
	EventTriageCorrected = "triage.corrected"
	EventUnitAssigned    = "unit.assigned"
	EventUnitReleased    = "unit.released"
	EventUnitStatus      = "unit.status"
	EventEscalated       = "escalation.raised"
	EventReportersTold   = "reporters.informed"
	EventPublication     = "publication.changed"
	EventStatement       = "statement.published"
)

// TimelineEvent is one change on an incident: who, when, what.
type TimelineEvent struct {
	ID         int64     `json:"id"`
	IncidentID int64     `json:"incident_id,omitempty"`
	UnitID     int64     `json:"unit_id,omitempty"`
	ZoneCode   string    `json:"zone,omitempty"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorName  string    `json:"actor_name"`
	Kind       string    `json:"kind"`
	FromStatus Status    `json:"from_status,omitempty"`
	ToStatus   Status    `json:"to_status,omitempty"`
	ReportID   int64     `json:"report_id,omitempty"`
	// OtherIncidentID is the other side of a merge or a report move.
	OtherIncidentID int64 `json:"other_incident_id,omitempty"`
	// Detail is internal text (a reason, a note). It is never public.
	Detail string `json:"detail,omitempty"`
	// PublicMessage is the text reporters may see for this event.
	PublicMessage string `json:"public_message,omitempty"`
}
