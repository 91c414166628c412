package yaqaza

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Names holds a label in each console language.
type Names struct {
	AR string `json:"ar"`
	FR string `json:"fr"`
	EN string `json:"en"`
}

// In returns the name in lang, falling back to French, then English, then Arabic.
func (n Names) In(lang string) string {
	switch lang {
	case "ar":
		if n.AR != "" {
			return n.AR
		}
	case "en":
		if n.EN != "" {
			return n.EN
		}
	}
	for _, s := range []string{n.FR, n.EN, n.AR} {
		if s != "" {
			return s
		}
	}
	return ""
}

// Zone is a district of the jurisdiction (in Fès, an arrondissement).
type Zone struct {
	Code       string `json:"code"`
	Names      Names  `json:"names"`
	Population int64  `json:"population"`
	// Geometry is the zone's GeoJSON geometry (Polygon or MultiPolygon, WGS84).
	Geometry json.RawMessage `json:"geometry,omitempty"`
}

// Category is a kind of incident, with its default severity.
type Category struct {
	Code  string `json:"code"`
	Names Names  `json:"names"`
	// Priority is the priority an incident of this category gets before other cues.
	Priority Priority `json:"priority"`
}

// categoryCode is how a category code is written: it is stored on every
// incident and named in the pack's policies, so it stays plain.
var categoryCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// domainName is a lower-case DNS name of two labels or more.
var domainName = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)

// ValidCategoryCode reports whether s is written as a category code.
func ValidCategoryCode(s string) bool { return categoryCode.MatchString(s) }

// MaxNameRunes bounds a name shown in the console.
const MaxNameRunes = 80

// Validate checks a category as an admin saves it: a plain code, a name in
// each console language, a priority.
func (c *Category) Validate() error {
	if !ValidCategoryCode(c.Code) {
		return Invalidf("code", "category code %q must be 2 to 32 lower-case letters, digits or _, starting with a letter", truncate(c.Code, 40))
	}
	for _, n := range []struct{ field, lang, v string }{{"names.ar", "Arabic", c.Names.AR}, {"names.fr", "French", c.Names.FR},
		{"names.en", "English", c.Names.EN}} {
		switch v := strings.TrimSpace(n.v); {
		case v == "":
			return Invalidf(n.field, "the category's %s name is empty", n.lang)
		case utf8.RuneCountInString(v) > MaxNameRunes:
			return Invalidf(n.field, "the category's %s name is over %d characters", n.lang, MaxNameRunes)
		}
	}
	if !c.Priority.Valid() {
		return Invalidf("priority", "the category needs a priority from P1 to P4")
	}
	return nil
}

// Pack is a jurisdiction: everything that is specific to one city.
type Pack struct {
	ID          string     `json:"id"`
	Names       Names      `json:"names"`
	Attribution string     `json:"attribution,omitempty"`
	Zones       []Zone     `json:"zones"`
	Categories  []Category `json:"categories"`
	Units       []Unit     `json:"units,omitempty"`
	// Gazetteer lists the places people name, for finding where a report
	// happened from its words.
	Gazetteer []Place `json:"gazetteer,omitempty"`
	// Timezone is the IANA name of the jurisdiction's local time ("Africa/Casablanca").
	Timezone string `json:"timezone,omitempty"`
	// Lexicon is the triage vocabulary.
	Lexicon *Lexicon `json:"lexicon,omitempty"`
	// Dispatch sets how units are chosen and how fast they travel.
	Dispatch *DispatchPolicy `json:"dispatch,omitempty"`
	// SLA sets the deadlines of every stage of an incident, by priority.
	SLA *SLAPolicy `json:"sla,omitempty"`
	// Watches is the fleet's rota: when each watch named in Unit.Shift
	// works. Without it, shifts are labels only.
	Watches *WatchRota `json:"watches,omitempty"`
	// Retention overrides DefaultRetention's periods, each it names.
	Retention *Retention `json:"retention,omitempty"`
	// Domain is the prefecture's internet domain ("police-fes.example.ma"),
	// which names it to other agencies: the sender of its CAP alerts, its
	// agency identifier in EIDOs.
	Domain string `json:"domain,omitempty"`
}

// Validate checks the pack's internal consistency. Geometry is checked by the
// geo package, which parses it.
func (p *Pack) Validate() error {
	if strings.TrimSpace(p.ID) == "" {
		return Invalidf("id", "pack id is required")
	}
	if len(p.Zones) == 0 {
		return Invalidf("zones", "pack %s has no zones", p.ID)
	}
	zones := map[string]bool{}
	for _, z := range p.Zones {
		if z.Code == "" {
			return Invalidf("zones", "pack %s has a zone without a code", p.ID)
		}
		if zones[z.Code] {
			return Invalidf("zones", "zone code %s appears twice", z.Code)
		}
		if z.Population < 0 {
			return Invalidf("zones", "zone %s has a negative population", z.Code)
		}
		if len(z.Geometry) == 0 {
			return Invalidf("zones", "zone %s has no geometry", z.Code)
		}
		zones[z.Code] = true
	}
	cats := map[string]bool{}
	for _, c := range p.Categories {
		if c.Code == "" || cats[c.Code] {
			return Invalidf("categories", "category code %q is empty or appears twice", c.Code)
		}
		if !c.Priority.Valid() {
			return Invalidf("categories", "category %s has no valid priority (P1..P4)", c.Code)
		}
		cats[c.Code] = true
	}
	if p.Watches != nil {
		if err := p.Watches.Validate(); err != nil {
			return err
		}
	}
	if p.Retention != nil {
		if err := p.Retention.Validate(); err != nil {
			return err
		}
	}
	if p.Domain != "" && !domainName.MatchString(p.Domain) {
		return Invalidf("domain", "domain %q is not a domain name such as police-fes.example.ma", truncate(p.Domain, 60))
	}
	signs := map[string]bool{}
	for _, u := range p.Units {
		if u.Shift != "" && p.Watches != nil && !p.Watches.Has(u.Shift) {
			return Invalidf("units", "unit %s works watch %s, which the rota does not name", u.CallSign, u.Shift)
		}
		if u.CallSign == "" || signs[u.CallSign] {
			return Invalidf("units", "unit call sign %q is empty or appears twice", u.CallSign)
		}
		if u.HomeZone != "" && !zones[u.HomeZone] {
			return Invalidf("units", "unit %s has home zone %s, which is not in the pack", u.CallSign, u.HomeZone)
		}
		signs[u.CallSign] = true
	}
	return nil
}

// Zone returns the zone with the given code, or nil.
func (p *Pack) Zone(code string) *Zone {
	for i := range p.Zones {
		if p.Zones[i].Code == code {
			return &p.Zones[i]
		}
	}
	return nil
}

// PackService stores the jurisdiction pack.
type PackService interface {
	// LoadPack replaces zones and categories with the pack's and adds or
	// updates its units by call sign. The pack must be valid.
	LoadPack(ctx context.Context, p *Pack) error
	// CurrentPack returns the loaded pack, or ENOTFOUND when none is loaded.
	CurrentPack(ctx context.Context) (*Pack, error)
	// SaveCategory adds a category or changes the names and priority of
	// one; created says which. Triage takes the change within a minute.
	SaveCategory(ctx context.Context, c Category) (created bool, err error)
}
