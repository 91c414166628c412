package yaqaza

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"
)

// Directive is a line of the field plan: the command or a district head,
// reading the hotspots at the daily meeting, tells the units where to be
// seen and what to watch for, until when. Dispatchers and field units see
// the directives in force on the board and its map.
type Directive struct {
	ID     int64  `json:"id"`
	Zone   string `json:"zone"`
	Center Point  `json:"center"`
	// RadiusM is the area's radius around Center, in metres.
	RadiusM     int        `json:"radius_m"`
	Place       string     `json:"place,omitempty"`
	From        time.Time  `json:"from"`
	Until       time.Time  `json:"until"`
	Instruction string     `json:"instruction"`
	CreatedBy   string     `json:"created_by"`
	CreatedAt   time.Time  `json:"created_at"`
	WithdrawnAt *time.Time `json:"withdrawn_at,omitempty"`
	WithdrawnBy string     `json:"withdrawn_by,omitempty"`
}

// DirectiveInput is a directive as its author writes it; From defaults to
// now.
type DirectiveInput struct {
	Center      *Point     `json:"center"`
	RadiusM     int        `json:"radius_m"`
	Place       string     `json:"place,omitempty"`
	From        *time.Time `json:"from,omitempty"`
	Until       time.Time  `json:"until"`
	Instruction string     `json:"instruction"`
}

// Bounds of a directive.
const (
	MinDirectiveRadiusM  = 50
	MaxDirectiveRadiusM  = 3000
	MaxDirectiveText     = 500
	MaxDirectivePlace    = 120
	MaxDirectiveDuration = 31 * 24 * time.Hour
)

// Validate checks a directive's input at now; the zone is the service's
// to find.
func (in *DirectiveInput) Validate(now time.Time) error {
	if in.Center == nil {
		return Invalidf("center", "a directive needs a center point")
	}
	if err := in.Center.Validate("center"); err != nil {
		return err
	}
	if in.RadiusM < MinDirectiveRadiusM || in.RadiusM > MaxDirectiveRadiusM {
		return Invalidf("radius_m", "the radius must be between %d and %d metres", MinDirectiveRadiusM, MaxDirectiveRadiusM)
	}
	in.Instruction = strings.TrimSpace(in.Instruction)
	switch n := utf8.RuneCountInString(in.Instruction); {
	case n == 0:
		return Invalidf("instruction", "the instruction is empty")
	case n > MaxDirectiveText:
		return Invalidf("instruction", "the instruction has %d characters, over the limit of %d", n, MaxDirectiveText)
	}
	in.Place = strings.TrimSpace(in.Place)
	if utf8.RuneCountInString(in.Place) > MaxDirectivePlace {
		return Invalidf("place", "the place's name is over %d characters", MaxDirectivePlace)
	}
	from := now
	if in.From != nil {
		from = *in.From
	}
	switch {
	case !in.Until.After(from):
		return Invalidf("until", "the directive must end after it starts")
	case !in.Until.After(now):
		return Invalidf("until", "the directive would already be over")
	case in.Until.Sub(from) > MaxDirectiveDuration:
		return Invalidf("until", "a directive lasts at most %d days: plan again after", int(MaxDirectiveDuration.Hours()/24))
	}
	return nil
}

// InForce reports whether the directive applies at t.
func (d *Directive) InForce(t time.Time) bool {
	return d.WithdrawnAt == nil && !t.Before(d.From) && t.Before(d.Until)
}

// PlanService keeps the field plan.
type PlanService interface {
	// AddDirective adds a directive (ActPlanField, in the zone its center
	// falls in). EINVALID when the center is outside the jurisdiction.
	AddDirective(ctx context.Context, in DirectiveInput) (*Directive, error)
	// WithdrawDirective ends a directive before its time.
	WithdrawDirective(ctx context.Context, id int64) (*Directive, error)
	// FieldPlan lists the directives in force at t in the caller's zones,
	// the soonest to end first (ActReadUnits).
	FieldPlan(ctx context.Context, t time.Time) ([]*Directive, error)
}
