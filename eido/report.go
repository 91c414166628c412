package eido

import (
	"html"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// externalPrefix marks the external ids of reports taken from EIDOs.
const externalPrefix = "eido:"

// Report turns an EIDO from another agency into a report on the agency
// channel. Its external id is "eido:" and the EIDO's $id, the incident
// tracking identifier, unique in the world: the same EIDO sent again, or
// a later EIDO about the same incident, is answered with the first
// receipt and writes nothing (updates from the partner are read by an
// operator, not merged into the report). now bounds the call times taken
// as the time of the events.
func (d *Document) Report(now time.Time) (*yaqaza.ReportInput, error) {
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelAgency, ExternalID: externalPrefix + d.ID}
	lines := []string{d.typeLine()}
	for _, n := range d.incidentNotes() {
		if t := plainText(n.Comments); t != "" {
			lines = append(lines, t)
		}
	}
	in.Text = strings.Join(lines, "\n")
	if n := utf8.RuneCountInString(in.Text); n > yaqaza.MaxTextRunes {
		return nil, yaqaza.Invalidf("notesComponent", "the incident type and notes together have %d characters, over the limit of %d", n, yaqaza.MaxTextRunes)
	}
	if loc := d.incidentLocation(); loc != nil {
		var civic string
		if loc.ByValue != "" {
			point, text, err := readPIDF("locationByValue", loc.ByValue)
			if err != nil {
				return nil, err
			}
			in.Location, civic = point, text
		}
		place := strings.TrimSpace(loc.Description)
		if place == "" {
			place = civic
		}
		in.Place = yaqaza.ClipRunes(place, yaqaza.MaxPlaceRunes)
	}
	limit := now.Add(5 * time.Minute)
	for _, c := range d.Calls {
		t, err := parseStamp("callStartTimestamp", c.Start, false)
		if err != nil {
			return nil, err
		}
		if !t.IsZero() && !t.After(limit) && (in.OccurredAt == nil || t.Before(*in.OccurredAt)) {
			in.OccurredAt = &t
		}
	}
	return in, nil
}

// typeLine names the incident type: the sender's own words, then the
// registry's, each once. A transferred call without an incident yet is
// named as such.
func (d *Document) typeLine() string {
	inc := d.Incident
	if inc == nil {
		return d.callLine()
	}
	parts := []string{strings.TrimSpace(inc.TypeInternalText)}
	if common := strings.TrimSpace(inc.TypeCommon); !strings.EqualFold(common, parts[0]) {
		parts = append(parts, common)
	}
	if parts[0] == "" {
		parts = parts[1:]
	}
	return strings.Join(parts, " — ")
}

// callLine says what a transferred call is: its type and who sent it.
func (d *Document) callLine() string {
	kind := "emergency"
	if t := strings.TrimSpace(d.Calls[0].PrimaryCallType); t != "" {
		kind = t
	}
	from := strings.TrimSpace(d.IssuingElement)
	if len(d.Agencies) > 0 && d.Agencies[0].ID != "" {
		from = d.Agencies[0].ID
	}
	return "Call transferred by " + from + " (" + kind + " call)"
}

// incidentNotes are the notes the incident component refers to, then
// every other note, each once, in the EIDO's order.
func (d *Document) incidentNotes() []Note {
	byID := map[string]int{}
	for i, n := range d.Notes {
		byID[n.ID] = i
	}
	seen := map[int]bool{}
	var out []Note
	var refs []Ref
	if d.Incident != nil {
		refs = d.Incident.NotesRefs
	}
	for _, r := range refs {
		if i, ok := byID[r.Ref]; ok && !seen[i] {
			seen[i] = true
			out = append(out, d.Notes[i])
		}
	}
	for i, n := range d.Notes {
		if !seen[i] {
			out = append(out, n)
		}
	}
	return out
}

// incidentLocation is the location the incident component (or, without
// one, the first call) refers to first, else the first location of the
// EIDO.
func (d *Document) incidentLocation() *Location {
	var refs []Ref
	if d.Incident != nil {
		refs = d.Incident.LocationRefs
	} else if len(d.Calls) > 0 {
		refs = d.Calls[0].LocationRefs
	}
	for _, r := range refs {
		for i := range d.Locations {
			if d.Locations[i].ID == r.Ref {
				return &d.Locations[i]
			}
		}
	}
	if len(d.Locations) > 0 {
		return &d.Locations[0]
	}
	return nil
}

// plainText is the text of a note in HTML5: tags dropped (a line break
// for those that end a line), character references decoded, white space
// trimmed.
func plainText(s string) string {
	var b strings.Builder
	for {
		open := strings.IndexByte(s, '<')
		if open < 0 {
			b.WriteString(s)
			break
		}
		b.WriteString(s[:open])
		end := strings.IndexByte(s[open:], '>')
		if end < 0 {
			b.WriteString(s[open:])
			break
		}
		tag := strings.ToLower(strings.Trim(s[open+1:open+end], "/ "))
		if name, _, _ := strings.Cut(tag, " "); name == "br" || name == "p" || name == "div" || name == "li" {
			b.WriteByte('\n')
		}
		s = s[open+end+1:]
	}
	lines := strings.Split(html.UnescapeString(b.String()), "\n")
	var out []string
	for _, l := range lines {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
