package triage

import (
	"context"
	"errors"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

// Triage is the pipeline: a jurisdiction's lexicon, gazetteer and zones,
// and the trained models when there are some. It is safe for concurrent use.
type Triage struct {
	lexicon    *Lexicon
	places     *Gazetteer
	zones      *geo.ZoneIndex
	categories map[string]yaqaza.Category
	location   *time.Location
	dialect    *Classifier // MSA against Darija, when trained
	dialectIdx int         // index of "dialectal" in dialect's labels
	category   *Classifier // category codes and "none", when trained
	relevance  *Classifier // "incident" against "none", when trained
}

// Models are the trained classifiers triage uses when it has them.
type Models struct {
	Dialect, Category, Relevance *Classifier
}

// New builds the pipeline for a jurisdiction.
func New(p *yaqaza.Pack, zones *geo.ZoneIndex, m Models) (*Triage, error) {
	t := &Triage{
		lexicon:    NewLexicon(p.Lexicon),
		places:     NewGazetteer(p.Gazetteer),
		zones:      zones,
		categories: map[string]yaqaza.Category{},
		location:   time.UTC,
		category:   m.Category,
		relevance:  m.Relevance,
	}
	for _, c := range p.Categories {
		t.categories[c.Code] = c
	}
	if p.Timezone != "" {
		loc, err := time.LoadLocation(p.Timezone)
		if err != nil {
			return nil, err
		}
		t.location = loc
	}
	if m.Dialect != nil {
		t.dialectIdx = -1
		for i, l := range m.Dialect.Labels {
			if l == "dialectal" {
				t.dialectIdx = i
			}
		}
		if t.dialectIdx < 0 {
			return nil, errors.New(`triage: a dialect model needs the label "dialectal"`)
		}
		t.dialect = m.Dialect
	}
	return t, nil
}

// Assess triages one report: language, relevance and category, place,
// cues, priority, and its fingerprint for duplicate detection. It never
// fails: a report triage cannot read is kept for an operator, flagged.
func (t *Triage) Assess(_ context.Context, in *yaqaza.ReportInput) *yaqaza.Assessment {
	n := Normalise(in.Text)
	a := &yaqaza.Assessment{}
	a.Language, a.LanguageWhy = t.Language(n)
	j := t.judge(n.Tokens, t.lexicon.Scan(n.Tokens))
	a.Relevant, a.RelevanceWhy, a.NotPolice = j.Relevant, j.RelevanceWhy, j.NotPolice
	a.Category, a.CategoryWhy, a.Cues = j.Category, j.CategoryWhy, j.Cues
	if a.Category == "" && !a.NotPolice {
		a.Category = "other"
		a.CategoryWhy = j.RelevanceWhy
		j.Unsure = true
	}
	if j.Unsure && !a.NotPolice {
		a.Flags = append(a.Flags, yaqaza.FlagCategoryUnsure)
	}
	t.place(in, n, a)

	at := time.Now()
	if in.OccurredAt != nil {
		at = *in.OccurredAt
	} else if in.ReceivedAt != nil {
		at = *in.ReceivedAt
	}
	var own Attention
	own.Add(in.Channel, in.Source, at)
	a.Priority, a.PriorityWhy = Prioritise(PriorityInput{
		Base: t.severity(a.Category), Category: a.Category, Cues: a.Cues,
		Attention: own.Score(), AttentOf: own.Summary(), At: at, Location: t.location,
	})
	sourceURL := ""
	if in.Source != nil {
		sourceURL = in.Source.URL
	}
	a.Fingerprint = FingerprintOf(n, in.Media, sourceURL)
	return a
}

// place finds where the report happened: a point inside a zone wins; then a
// place the text (or the place field) names; else the zone is unknown and
// an operator is asked.
func (t *Triage) place(in *yaqaza.ReportInput, n Normalised, a *yaqaza.Assessment) {
	if in.Location != nil {
		a.Location = in.Location
		if z := t.zones.Locate(*in.Location); z != "" {
			a.ZoneCode, a.ZoneWhy = z, "point in zone"
			return
		}
		a.ZoneWhy = "point outside every zone"
	}
	for _, src := range []string{in.Place, in.Text} {
		if src == "" {
			continue
		}
		pn := n
		if src != in.Text {
			pn = Normalise(src)
		}
		m, ok := t.places.Find(pn)
		if !ok || m.Place.Zone == "" {
			if ok && a.Place == "" {
				a.Place = m.Place.Name // a known place of the city, zone unknown
			}
			continue
		}
		a.ZoneCode, a.Place = m.Place.Zone, m.Place.Name
		a.ZoneWhy = "place named: " + m.Place.Name
		if m.Place.Point != nil {
			a.Location = m.Place.Point
		} else if a.Location == nil {
			if c, ok := t.zones.Centroid(m.Place.Zone); ok {
				a.Location, a.LocationApprox = &c, true // the zone's centre
				a.ZoneWhy += " (point approximate)"
			}
		}
		return
	}
	if a.ZoneWhy == "" {
		a.ZoneWhy = "no point and no known place"
		if a.Place != "" {
			a.ZoneWhy = "place " + a.Place + " is known only at city level"
		}
	}
	a.Flags = append(a.Flags, yaqaza.FlagZoneUnknown)
}
