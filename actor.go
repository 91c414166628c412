package yaqaza

import (
	"context"
	"slices"
)

// Role is what an actor is allowed to do. The full permission table arrives with
// accounts; the names are fixed now because tokens already carry one.
type Role string

const (
	RoleCallTaker     Role = "call_taker"
	RoleDispatcher    Role = "dispatcher"
	RoleFieldUnit     Role = "field_unit"
	RoleDistrictHead  Role = "district_head"
	RoleCommand       Role = "command"
	RoleAnalyst       Role = "analyst"
	RoleCommunication Role = "communications"
	RoleAuditor       Role = "auditor"
	RoleAdmin         Role = "admin"
)

// Roles lists every role, in the order they are shown.
var Roles = []Role{
	RoleCallTaker, RoleDispatcher, RoleFieldUnit, RoleDistrictHead, RoleCommand,
	RoleAnalyst, RoleCommunication, RoleAuditor, RoleAdmin,
}

// Valid reports whether r is one of Roles.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// ActorKind tells how the actor authenticated.
type ActorKind string

const (
	ActorAnonymous ActorKind = "anonymous" // a citizen on a public endpoint
	ActorToken     ActorKind = "token"     // an API token
	ActorUser      ActorKind = "user"      // a signed-in account
	ActorSystem    ActorKind = "system"    // the platform itself (timers, imports)
)

// Actor is who performs a service call. Every service method reads it from the
// context, so that every change can say who made it.
type Actor struct {
	Kind ActorKind `json:"kind"`
	// ID is stable for the actor's kind: "token:12", "user:7", "system:sla".
	ID   string `json:"id"`
	Name string `json:"name"`
	Role Role   `json:"role,omitempty"`
	// Zones scopes the actor to these zone codes; empty means the whole jurisdiction.
	Zones []string `json:"zones,omitempty"`
	// MustChangePassword: a person signed in with a one-time password may
	// do nothing but choose their own.
	MustChangePassword bool `json:"-"`
}

// Authenticated reports whether the actor presented a credential or is the system.
func (a *Actor) Authenticated() bool {
	return a != nil && a.Kind != ActorAnonymous && a.Kind != ""
}

// Anonymous is the actor of public requests.
var Anonymous = &Actor{Kind: ActorAnonymous, ID: "anonymous", Name: "anonymous"}

// System returns the platform acting on its own, named by purpose ("sla", "import").
func System(purpose string) *Actor {
	return &Actor{Kind: ActorSystem, ID: "system:" + purpose, Name: purpose, Role: RoleAdmin}
}

type actorKey struct{}

// NewContextWithActor returns a context that carries the acting actor.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or Anonymous when there is none.
func ActorFromContext(ctx context.Context) *Actor {
	if a, ok := ctx.Value(actorKey{}).(*Actor); ok && a != nil {
		return a
	}
	return Anonymous
}
