package eido

import (
	"encoding/json"
	"fmt"
	"html"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/redact"
)

// Issuer is the agency that issues EIDOs: its identifier (a domain name,
// as NENA-STA-010 has agency identifiers) and its jurisdiction pack, which
// names it, its zones and its categories.
type Issuer struct {
	ID   string
	Pack *yaqaza.Pack
}

// TrackingID is the incident tracking identifier of an incident
// (NENA-STA-010: urn:emergency:uid:incidentid:<id>:<agency>).
func (is Issuer) TrackingID(incidentID int64) string {
	return "urn:emergency:uid:incidentid:" + strconv.FormatInt(incidentID, 10) + ":" + is.ID
}

// FromIncident is the EIDO of an incident as the caller was allowed to
// read it (the service's read applies the access and personal-data rules;
// this only shapes what it returned). Names are in lang.
//
// Reporters' contact details never go into an EIDO, whatever the reader
// may see: an EIDO is made to be passed on to another agency, where the
// prefecture no longer controls who reads it. For the same reason the
// reports' texts are redacted of phone numbers, e-mail addresses and
// identity numbers, and the reports' own positions and media are left
// out: the partner gets the incident's point, its zone, what was
// reported, and the units sent.
func (is Issuer) FromIncident(inc *yaqaza.Incident, lang string) *Document {
	base := is.TrackingID(inc.ID)
	self := &Ref{Ref: is.ID}
	prologue := func(id string, at time.Time) Prologue {
		return Prologue{ID: id, LastUpdate: stamp(at), UpdatedBy: self}
	}
	owning := true
	d := &Document{
		Prologue:       prologue(base, inc.UpdatedAt),
		Version:        Version,
		IssuingElement: "yaqaza." + is.ID,
		Agencies: []Agency{{
			Prologue: prologue(is.ID, inc.UpdatedAt),
			Jcard:    jcard(is.Pack.Names.In(lang)),
			Roles:    agencyRoles, Types: agencyTypes, Owning: &owning,
		}},
	}
	in := &Incident{
		Prologue:         prologue(base+":incident", inc.UpdatedAt),
		TypeCommon:       is.incidentType(inc.Category),
		TypeInternalCode: inc.Category,
		TypeInternalText: is.categoryName(inc.Category, lang),
		StatusCommon:     []string{statusCommon(inc.Status)},
		StatusInternal:   []string{string(inc.Status)},
		InternalID:       strconv.FormatInt(inc.ID, 10),
		PriorityCommon:   priorityCommon(inc.Priority),
		DispatchGroup:    inc.ZoneCode,
	}
	if inc.Priority.Valid() {
		in.PriorityInternal = inc.Priority.String()
	}
	if loc := is.location(base+":location", inc, lang); loc != nil {
		loc.Prologue = prologue(loc.ID, inc.UpdatedAt)
		d.Locations = append(d.Locations, *loc)
		in.LocationRefs = []Ref{{Ref: loc.ID}}
	}
	for i, r := range inc.Reports {
		note := Note{Prologue: prologue(fmt.Sprintf("%s:note:%d", base, i+1), r.ReceivedAt),
			Comments: html.EscapeString(redact.Text(r.Text))}
		d.Notes = append(d.Notes, note)
		in.NotesRefs = append(in.NotesRefs, Ref{Ref: note.ID})
		d.Calls = append(d.Calls, Call{
			Prologue:        prologue("urn:emergency:uid:callid:"+strconv.FormatInt(r.ID, 10)+":"+is.ID, r.ReceivedAt),
			PrimaryCallType: callPrimaryType, LocalCallType: string(r.Channel), Direction: callDirection,
			Start: stamp(r.ReceivedAt), State: callState, NotesRefs: []Ref{{Ref: note.ID}},
		})
	}
	d.Incident = in
	is.addUnits(d, base, inc, prologue)
	if inc.Status == yaqaza.StatusMerged && inc.MergedInto > 0 {
		d.Merges = []Merge{{Prologue: prologue(base+":merge", inc.UpdatedAt), TrackingID: is.TrackingID(inc.MergedInto), Direction: mergedInto}}
	}
	return d
}

// addUnits lists the units assigned to the incident and the dispatch
// that sent them.
func (is Issuer) addUnits(d *Document, base string, inc *yaqaza.Incident, prologue func(string, time.Time) Prologue) {
	if len(inc.Assignments) == 0 {
		return
	}
	dispatch := Dispatch{Prologue: prologue(base+":dispatch", inc.UpdatedAt), AgencyRef: &Ref{Ref: is.ID}}
	for _, a := range inc.Assignments {
		common, internal := unitStatus(a)
		at := a.AssignedAt
		for _, t := range []*time.Time{a.EnRouteAt, a.OnSceneAt, a.ClearedAt} {
			if t != nil && t.After(at) {
				at = *t
			}
		}
		r := Resource{
			Prologue:   prologue(fmt.Sprintf("%s:resource:%d", base, a.UnitID), at),
			TypeCommon: resourceType, Name: a.CallSign, PrimaryStatus: common,
			SecondaryStatus: []string{}, Attributes: []string{}, StatusInternal: []string{internal}, AgentRefs: []Ref{},
		}
		d.Resources = append(d.Resources, r)
		dispatch.ResourceRefs = append(dispatch.ResourceRefs, Ref{Ref: r.ID})
	}
	d.Dispatches = []Dispatch{dispatch}
}

// location is the incident's point and its zone's name; nil when neither
// is known.
func (is Issuer) location(id string, inc *yaqaza.Incident, lang string) *Location {
	zone := ""
	if z := is.Pack.Zone(inc.ZoneCode); z != nil {
		zone = z.Names.In(lang) + ", " + is.Pack.Names.In(lang)
	}
	if inc.Location == nil && zone == "" {
		return nil
	}
	loc := &Location{Prologue: Prologue{ID: id}, Type: incidentLocationType, Description: zone}
	if inc.Location != nil {
		loc.ByValue = pointPIDF("pres:incident-"+strconv.FormatInt(inc.ID, 10)+"@"+is.ID, *inc.Location)
	}
	return loc
}

func (is Issuer) incidentType(category string) string {
	if t := incidentTypes[category]; t != "" {
		return t
	}
	if name := is.categoryName(category, "en"); name != "" {
		return name
	}
	return incidentTypes["other"]
}

func (is Issuer) categoryName(code, lang string) string {
	for _, c := range is.Pack.Categories {
		if c.Code == code {
			return c.Names.In(lang)
		}
	}
	return ""
}

// jcard is a minimal jCard (RFC 7095) naming the agency.
func jcard(name string) string {
	b, _ := json.Marshal([]any{"vcard", []any{
		[]any{"version", map[string]any{}, "text", "4.0"},
		[]any{"kind", map[string]any{}, "text", "org"},
		[]any{"fn", map[string]any{}, "text", name},
	}}) // cannot fail: strings and maps of strings
	return string(b)
}

// stamp writes a time as EIDO's date-time (RFC 3339), in UTC.
func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }
