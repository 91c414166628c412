package yaqaza

import (
	"context"
	"slices"
	"strings"
)

// Action is something an actor may be allowed to do. Services check the
// action, and the zone of what it touches, before doing anything: every
// interface (API, console, Open311, exports, live events) goes through them.
type Action string

const (
	ActSubmitReport   Action = "report.submit"   // on a staff channel (the public web form needs no right)
	ActReadIncidents  Action = "incident.read"   // read, list and stream incidents
	ActChangeIncident Action = "incident.change" // move through the lifecycle, merge, cancel, close
	ActTriage         Action = "incident.triage" // correct category, zone, priority; split reports
	ActReadPersonal   Action = "personal.read"   // reporters' contact details and media references
	ActDispatch       Action = "unit.dispatch"   // recommendations and assignments
	ActUpdateUnit     Action = "unit.update"     // a unit's status and position
	ActReadUnits      Action = "unit.read"       // the fleet
	ActClearPublish   Action = "incident.clear"  // clear an incident for publication
	ActPublish        Action = "statement.write" // write public statements on cleared incidents
	ActReadStats      Action = "stats.read"      // indicators and aggregates
	ActExport         Action = "data.export"     // exports (pseudonymised unless personal.read)
	ActReadAudit      Action = "audit.read"      // search the audit trail
	ActManageUsers    Action = "users.manage"    // accounts and API tokens
	ActConfigure      Action = "config.manage"   // pack, SLA, places, models, subscribers
	ActReadFollowup   Action = "followup.read"   // the SLA policy and the notification outbox
	ActPlanField      Action = "plan.write"      // set and withdraw the field plan's directives
	ActManageOwnLogin Action = "session.self"    // one's own password and second factor
)

// View is how much of an incident and its reports a role sees.
type View int

const (
	// ViewNone: no incident data at all.
	ViewNone View = iota
	// ViewPublished: only incidents cleared for publication, their texts
	// redacted of personal data, nothing internal.
	ViewPublished
	// ViewPseudonymised: every incident in scope, texts redacted, internal
	// notes redacted, no contact details or media, authors as pseudonyms.
	ViewPseudonymised
	// ViewOperational: every incident in scope as the officers need it;
	// contact details and media only with ActReadPersonal.
	ViewOperational
)

// grant is one role's line of the permission table.
type grant struct {
	view    View
	actions []Action
}

// permissions is the one table of who may do what. Zone scope is on top of
// it: an actor with zones acts only on incidents and units of those zones.
var permissions = map[Role]grant{
	RoleCallTaker: {ViewOperational, []Action{ActSubmitReport, ActReadIncidents, ActChangeIncident, ActTriage,
		ActReadPersonal, ActReadUnits, ActManageOwnLogin}},
	RoleDispatcher: {ViewOperational, []Action{ActSubmitReport, ActReadIncidents, ActChangeIncident, ActTriage,
		ActReadPersonal, ActDispatch, ActUpdateUnit, ActReadUnits, ActReadFollowup, ActManageOwnLogin}},
	RoleFieldUnit: {ViewOperational, []Action{ActSubmitReport, ActReadIncidents, ActChangeIncident,
		ActReadPersonal, ActUpdateUnit, ActReadUnits, ActManageOwnLogin}},
	RoleDistrictHead: {ViewOperational, []Action{ActReadIncidents, ActChangeIncident, ActTriage, ActReadPersonal,
		ActDispatch, ActUpdateUnit, ActReadUnits, ActClearPublish, ActReadStats, ActExport, ActReadFollowup, ActPlanField, ActManageOwnLogin}},
	RoleCommand: {ViewOperational, []Action{ActReadIncidents, ActChangeIncident, ActTriage, ActReadPersonal,
		ActDispatch, ActUpdateUnit, ActReadUnits, ActClearPublish, ActReadStats, ActExport, ActReadFollowup, ActPlanField, ActManageOwnLogin}},
	RoleAnalyst:       {ViewPseudonymised, []Action{ActReadIncidents, ActReadUnits, ActReadStats, ActExport, ActManageOwnLogin}},
	RoleCommunication: {ViewPublished, []Action{ActReadIncidents, ActPublish, ActReadStats, ActManageOwnLogin}},
	RoleAuditor: {ViewPseudonymised, []Action{ActReadIncidents, ActReadUnits, ActReadStats, ActReadAudit,
		ActReadFollowup, ActManageOwnLogin}},
	RoleAdmin: {ViewPseudonymised, []Action{ActReadIncidents, ActReadUnits, ActReadStats, ActManageUsers,
		ActConfigure, ActReadFollowup, ActManageOwnLogin}},
}

// Actions lists every action, in the order of the permission table's columns.
var Actions = []Action{ActSubmitReport, ActReadIncidents, ActChangeIncident, ActTriage, ActReadPersonal,
	ActDispatch, ActUpdateUnit, ActReadUnits, ActClearPublish, ActPublish, ActReadStats, ActExport,
	ActReadAudit, ActManageUsers, ActConfigure, ActReadFollowup, ActPlanField, ActManageOwnLogin}

// ZoneBound reports whether an action applies to something in a zone (an
// incident), so that the actor's zone scope limits it. Units are not
// zone-bound: they help across districts.
func (a Action) ZoneBound() bool {
	switch a {
	case ActReadIncidents, ActChangeIncident, ActTriage, ActReadPersonal, ActDispatch, ActClearPublish, ActPublish, ActPlanField:
		return true
	}
	return false
}

// Can reports whether the actor's role allows the action at all (zone
// scope aside). The platform itself may do everything.
func (a *Actor) Can(act Action) bool {
	if a == nil {
		return false
	}
	if a.Kind == ActorSystem {
		return true
	}
	if !a.Authenticated() {
		return false
	}
	return slices.Contains(permissions[a.Role].actions, act)
}

// View is how much incident data the actor sees.
func (a *Actor) View() View {
	if a == nil {
		return ViewNone
	}
	if a.Kind == ActorSystem {
		return ViewOperational
	}
	if !a.Authenticated() {
		return ViewNone
	}
	return permissions[a.Role].view
}

// Prefecture reports whether the actor's scope is the whole jurisdiction.
func (a *Actor) Prefecture() bool { return a != nil && len(a.Zones) == 0 }

// InScope reports whether something in zone is within the actor's zones.
// Something whose zone is not known yet is for the prefecture-wide desks.
func (a *Actor) InScope(zone string) bool {
	if a.Prefecture() {
		return true
	}
	return zone != "" && slices.Contains(a.Zones, zone)
}

// Authorize checks that the actor in ctx may do act at all, and returns
// it. Lists then keep to the actor's zones; one thing in a zone is checked
// with AuthorizeIn.
func Authorize(ctx context.Context, act Action) (*Actor, error) {
	a := ActorFromContext(ctx)
	if !a.Authenticated() {
		return nil, Errorf(EUNAUTHORIZED, "this needs a credential: sign in or send Authorization: Bearer <token>")
	}
	if !a.Can(act) {
		return nil, Errorf(EFORBIDDEN, "the %s role may not %s", a.Role, act.describe())
	}
	if a.MustChangePassword && act != ActManageOwnLogin {
		return nil, Errorf(EFORBIDDEN, "choose your own password first: the one you signed in with was for one use")
	}
	return a, nil
}

// AuthorizeIn checks that the actor in ctx may do act on something in
// zone. Something not yet placed in a zone ("") is for the prefecture-wide
// desks. The error says who may not do what where, and nothing more.
func AuthorizeIn(ctx context.Context, act Action, zone string) (*Actor, error) {
	a, err := Authorize(ctx, act)
	if err != nil {
		return nil, err
	}
	if a.Kind == ActorSystem || a.InScope(zone) {
		return a, nil
	}
	where := "in zone " + zone
	if zone == "" {
		where = "outside them"
	}
	return nil, Errorf(EFORBIDDEN, "%s is limited to zones %s and may not %s %s",
		a.Name, strings.Join(a.Zones, ", "), act.describe(), where)
}

func (a Action) describe() string {
	switch a {
	case ActSubmitReport:
		return "submit reports on this channel"
	case ActReadIncidents:
		return "read incidents"
	case ActChangeIncident:
		return "change incidents"
	case ActTriage:
		return "correct triage"
	case ActReadPersonal:
		return "read reporters' personal data"
	case ActDispatch:
		return "dispatch units"
	case ActUpdateUnit:
		return "update units"
	case ActReadUnits:
		return "read the fleet"
	case ActClearPublish:
		return "clear incidents for publication"
	case ActPublish:
		return "write public statements"
	case ActReadStats:
		return "read indicators"
	case ActExport:
		return "export data"
	case ActReadAudit:
		return "read the audit trail"
	case ActManageUsers:
		return "manage accounts and tokens"
	case ActConfigure:
		return "change the configuration"
	case ActReadFollowup:
		return "read the SLA policy and notifications"
	case ActPlanField:
		return "set the field plan"
	case ActManageOwnLogin:
		return "manage their sign-in"
	}
	return string(a)
}
