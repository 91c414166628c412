package eido

import "github.com/yaqaza/yaqaza"

// The NENA registries an EIDO's "…RegistryText" fields draw from, as far
// as Yaqaza writes them. Where NENA's schema or its sample EIDOs
// (github.com/NENA911/EIDO-JSON) show a value, it is used as shown there:
// agency types from the IANA urn:emergency:service:responder registry
// without the prefix ("police"), agency roles ("CallReceiving",
// "Dispatch"), the primary call type "emergency", call states of the
// callBegin/callAnswered/callEnd family. The registries of incident
// types, incident and unit statuses and location types were not at hand
// when this was written: those values are kept to a plain, coarse
// vocabulary, and each travels with Yaqaza's own value beside it (the
// …Internal… fields), so that a receiver loses nothing by not knowing one.

// Agency types and roles of the prefecture.
var (
	agencyTypes = []string{"police"}
	agencyRoles = []string{"CallReceiving", "Dispatch"}
)

// A report becomes a call that has ended: received by the prefecture,
// requesting police service.
const (
	callPrimaryType = "emergency"
	callDirection   = "incoming"
	callState       = "callEnd"
)

// incidentLocationType is the location type of the incident's place.
const incidentLocationType = "CurrentIncident"

// statusCommon maps the lifecycle to the two states a partner acts on:
// Active while the police still work on it, Closed once they have
// finished (resolved, closed), handed it on (referred), dropped it
// (cancelled) or folded it into another incident (merged). The exact
// status is in incidentStatusInternalText.
func statusCommon(s yaqaza.Status) string {
	switch s {
	case yaqaza.StatusResolved, yaqaza.StatusClosed, yaqaza.StatusReferred, yaqaza.StatusCancelled, yaqaza.StatusMerged:
		return "Closed"
	}
	return "Active"
}

// priorityCommon maps P1..P4 onto EIDO's 0 (lowest) to 10 (highest).
func priorityCommon(p yaqaza.Priority) *int {
	n, ok := map[yaqaza.Priority]int{yaqaza.P1: 10, yaqaza.P2: 7, yaqaza.P3: 4, yaqaza.P4: 1}[p]
	if !ok {
		return nil
	}
	return &n
}

// incidentTypes names the categories of the reference packs in English
// incident-type terms; a category not listed goes out under its pack name
// in English. The category code itself is incidentTypeInternalCode.
var incidentTypes = map[string]string{
	"assault":           "Assault",
	"armed":             "Weapons Offense",
	"theft_robbery":     "Robbery",
	"burglary":          "Burglary",
	"gang":              "Gang Activity",
	"drugs":             "Drug Offense",
	"harassment":        "Harassment",
	"domestic_violence": "Domestic Violence",
	"public_disorder":   "Disturbance",
	"traffic":           "Traffic Collision",
	"vandalism":         "Vandalism",
	"missing_person":    "Missing Person",
	"fraud_cyber":       "Fraud",
	"other":             "Law Enforcement",
}

// Unit (emergency resource) vocabulary: a police unit, and where it is in
// its assignment; unitStatusInternal carries Yaqaza's stage.
const resourceType = "Police"

func unitStatus(a *yaqaza.Assignment) (common, internal string) {
	switch {
	case a.Released:
		return "Available", "released"
	case a.ClearedAt != nil:
		return "Available", "cleared"
	case a.OnSceneAt != nil:
		return "OnScene", "on_scene"
	case a.EnRouteAt != nil:
		return "Enroute", "en_route"
	}
	return "Dispatched", "dispatched"
}

// mergedInto is the merge direction of an incident folded into another.
const mergedInto = "REPLACED"
