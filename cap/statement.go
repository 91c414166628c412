package cap

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// AlertLifetime is how long after publication an alert about a statement
// expires: long enough for the public to have read it, after which
// aggregators stop showing an old incident as news.
const AlertLifetime = 7 * 24 * time.Hour

// Issuer is who publishes the alerts: a stable sender address (CAP's
// <sender>, unique in the world) and the jurisdiction pack, which names
// the prefecture, its zones and its categories.
type Issuer struct {
	Sender string
	Pack   *yaqaza.Pack
}

// Identifier is the alert identifier of a statement: unique for the
// sender, the same for as long as the statement exists.
func (is Issuer) Identifier(statementID int64) string {
	return is.Pack.ID + "-statement-" + strconv.FormatInt(statementID, 10)
}

// location is the jurisdiction's local time, in which alerts give their
// times (UTC when the pack names none, or one this machine does not know).
func (is Issuer) location() *time.Location {
	loc, err := time.LoadLocation(is.Pack.Timezone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// NewAlert is the public alert for a published statement. earlier are the
// statements published before it about the same incident: when there are
// any, the alert is an Update that references them.
//
// What a statement becomes, and why:
//   - status Actual, scope Public: it is the prefecture's public word;
//   - category: Security for police matters, Transport for traffic, Rescue
//     for a missing person (a search the public may help with);
//   - urgency Past: a statement reports on an incident the police have
//     handled or are handling; it never asks the public to act now (a
//     warning to act would be written as one, not as a statement);
//   - severity from the category's default priority: P1 Severe, P2
//     Moderate, P3 and P4 Minor (never Extreme: that is for catastrophes);
//   - certainty Observed: the police know the incident happened;
//   - the area is the incident's zone outline, never its exact point, and
//     nothing of who reported it: the description is the statement text,
//     which was redacted of personal data when it was published.
func (is Issuer) NewAlert(st *yaqaza.Statement, earlier []*yaqaza.Statement) (*Alert, error) {
	loc := is.location()
	sent := st.PublishedAt.In(loc)
	a := &Alert{
		Identifier: is.Identifier(st.ID),
		Sender:     is.Sender,
		Sent:       FormatTime(sent),
		Status:     StatusActual,
		MsgType:    MsgAlert,
		Scope:      ScopePublic,
		Incidents:  is.Pack.ID + "-incident-" + strconv.FormatInt(st.IncidentID, 10),
	}
	var refs []string
	for _, e := range earlier {
		refs = append(refs, is.Sender+","+is.Identifier(e.ID)+","+FormatTime(e.PublishedAt.In(loc)))
	}
	if len(refs) > 0 {
		a.MsgType, a.References = MsgUpdate, strings.Join(refs, " ")
	}
	event, severity := is.event(st.Category, st.Language)
	area, err := is.area(st.ZoneCode, st.Language)
	if err != nil {
		return nil, err
	}
	a.Infos = []Info{{
		Language:    is.languageTag(st.Language),
		Categories:  []string{categoryFor(st.Category)},
		Event:       event,
		Urgency:     UrgencyPast,
		Severity:    severity,
		Certainty:   CertaintyObserved,
		Expires:     FormatTime(sent.Add(AlertLifetime)),
		SenderName:  is.Pack.Names.In(st.Language),
		Headline:    headline(event, area.Desc),
		Description: st.Text,
		Areas:       []Area{area},
	}}
	return a, nil
}

// categoryFor maps an incident category to CAP's.
func categoryFor(category string) string {
	switch category {
	case "traffic":
		return CategoryTransport
	case "missing_person":
		return CategoryRescue
	}
	return CategorySecurity
}

// policeStatement names the event of a statement whose category the pack
// does not know.
var policeStatement = yaqaza.Names{AR: "بلاغ أمني", FR: "Communiqué de police", EN: "Police statement"}

func (is Issuer) event(category, lang string) (string, string) {
	for _, c := range is.Pack.Categories {
		if c.Code != category {
			continue
		}
		severity := SeverityMinor
		switch c.Priority {
		case yaqaza.P1:
			severity = SeveritySevere
		case yaqaza.P2:
			severity = SeverityModerate
		}
		return c.Names.In(lang), severity
	}
	return policeStatement.In(lang), SeverityUnknown
}

// area is the zone's outline; a statement whose zone is not known covers
// the whole jurisdiction (the union of its zones).
func (is Issuer) area(zone, lang string) (Area, error) {
	if z := is.Pack.Zone(zone); z != nil {
		polys, err := ZonePolygons(z.Geometry)
		return Area{Desc: z.Names.In(lang), Polygons: polys}, err
	}
	a := Area{Desc: is.Pack.Names.In(lang)}
	for _, z := range is.Pack.Zones {
		polys, err := ZonePolygons(z.Geometry)
		if err != nil {
			return Area{}, err
		}
		a.Polygons = append(a.Polygons, polys...)
	}
	return a, nil
}

// regionByTimezone gives the country a jurisdiction's languages are
// tagged with (ar-MA, fr-MA); English is untagged, as it is not a
// language of the country.
var regionByTimezone = map[string]string{"Africa/Casablanca": "MA", "Africa/El_Aaiun": "MA"}

func (is Issuer) languageTag(lang string) string {
	if region := regionByTimezone[is.Pack.Timezone]; region != "" && lang != "" && lang != "en" {
		return lang + "-" + region
	}
	return lang
}

// headline is "event — zone", within the 160 characters CAP recommends.
func headline(event, zone string) string {
	h := event
	if zone != "" {
		h += " — " + zone
	}
	if utf8.RuneCountInString(h) > 160 {
		h = string([]rune(h)[:159]) + "…"
	}
	return h
}
