package triage

import (
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Categories against persons: weapons, injuries, night and attention raise
// them faster than offences against property.
var personCategories = map[string]bool{
	"assault": true, "armed": true, "gang": true, "domestic_violence": true,
	"public_disorder": true, "harassment": true, "missing_person": true, "theft_robbery": true,
}

// PriorityInput is what priority depends on.
type PriorityInput struct {
	Base      yaqaza.Priority // the category's priority in the pack
	Category  string
	Cues      []string // non-negated cues
	Attention float64
	AttentOf  string // the attention summary, for the explanation
	At        time.Time
	Location  *time.Location
}

// Prioritise sets P1–P4 from the category's severity, raised by weapons,
// injuries, a child involved, an offence still going on, night, and public
// attention, and explains it in one line: "P1: bladed weapon mentioned;
// 214 reposts in 20 min".
func Prioritise(in PriorityInput) (yaqaza.Priority, string) {
	p := in.Base
	if !p.Valid() {
		p = yaqaza.P4
	}
	var why []string
	raise := func(to yaqaza.Priority, reason string) {
		if to < p {
			p = to
		}
		why = append(why, reason)
	}
	has := func(c string) bool {
		for _, x := range in.Cues {
			if x == c {
				return true
			}
		}
		return false
	}
	person := personCategories[in.Category]
	switch {
	case has(yaqaza.CueFirearm):
		raise(yaqaza.P1, "firearm mentioned")
	case has(yaqaza.CueBlade):
		raise(yaqaza.P1, "bladed weapon mentioned")
	}
	if has(yaqaza.CueInjury) {
		raise(min(p, yaqaza.P2), "injury mentioned")
		if p > yaqaza.P1 && person {
			raise(p-1, "")
		}
	}
	if has(yaqaza.CueChild) && person {
		raise(max(yaqaza.P1, p-1), "a child is involved")
	}
	if has(yaqaza.CueInProgress) && p > yaqaza.P2 {
		raise(p-1, "happening now")
	}
	if in.Location != nil && !in.At.IsZero() && person && p > yaqaza.P1 {
		if h := in.At.In(in.Location).Hour(); h >= 22 || h < 6 {
			raise(p-1, "at night")
		}
	}
	switch {
	case in.Attention >= 85 && p > yaqaza.P1:
		raise(yaqaza.P1, in.AttentOf)
	case in.Attention >= 60 && p > yaqaza.P1:
		raise(p-1, in.AttentOf)
	case in.Attention >= 60:
		why = append(why, in.AttentOf)
	}
	return p, explain(p, in.Category, why)
}

func explain(p yaqaza.Priority, category string, why []string) string {
	var parts []string
	for _, w := range why {
		if w != "" {
			parts = append(parts, w)
		}
	}
	if len(parts) == 0 {
		if category == "" {
			return p.String() + ": no category"
		}
		return p.String() + ": category " + category
	}
	return p.String() + ": " + strings.Join(parts, "; ")
}
