package yaqaza

import "context"

// Placement is what is decided about a report before it is written: where it
// happened and, once triage runs, what it is and how urgent. The store
// writes it on the incident the report opens.
type Placement struct {
	ZoneCode       string
	Location       *Point
	Category       string
	Priority       Priority
	PriorityReason string
}

// Placer decides the placement of a report before it is written. It must be
// safe for concurrent use and must not write anything.
type Placer interface {
	Place(ctx context.Context, in *ReportInput) Placement
}
