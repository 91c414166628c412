package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// PermissionMatrix is the policy as the prefecture states it, written out
// here independently of the table in the code: what each role may do.
var PermissionMatrix = map[yaqaza.Role]string{
	yaqaza.RoleCallTaker:     "submit read change triage personal units self",
	yaqaza.RoleDispatcher:    "submit read change triage personal dispatch unit units followup self",
	yaqaza.RoleFieldUnit:     "submit read change personal unit units self",
	yaqaza.RoleDistrictHead:  "read change triage personal dispatch unit units clear stats export followup plan self",
	yaqaza.RoleCommand:       "read change triage personal dispatch unit units clear stats export followup plan self",
	yaqaza.RoleAnalyst:       "read units stats export self",
	yaqaza.RoleCommunication: "read publish stats self",
	yaqaza.RoleAuditor:       "read units stats audit followup self",
	yaqaza.RoleAdmin:         "read units stats users config followup self",
}

// ZoneBound are the actions a district-scoped person may do in their own
// district only.
var ZoneBound = map[string]bool{"read": true, "change": true, "triage": true, "personal": true, "dispatch": true,
	"clear": true, "publish": true, "export": true, "plan": true}

// matrixWorld is what the probes act on, in an own zone and another.
type matrixWorld struct {
	s     *services
	units *sqlstore.UnitService
	unit  int64
	users *sqlstore.UserService
	seq   int
}

var system = yaqaza.NewContextWithActor(context.Background(), yaqaza.System("test"))

// incident opens an incident in the zone, with a reporter's contact, as the
// platform; cleared makes it visible to the communications office.
func (w *matrixWorld) incident(t *testing.T, zone *yaqaza.Point, cleared bool) *yaqaza.Receipt {
	t.Helper()
	w.seq++
	r := mustSubmit(t, system, w.s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: fmt.Sprintf("bagarre numéro %d", w.seq),
		Location: zone, Reporter: &yaqaza.Contact{Name: "Samira", Phone: "0612345678"}})
	if cleared {
		if _, err := w.s.incidents.ClearForPublication(system, r.IncidentID, true); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// probes try each action; an action is allowed when the probe returns nil.
func (w *matrixWorld) probes() map[string]func(t *testing.T, ctx context.Context, zone *yaqaza.Point, zoneCode string) error {
	s := w.s
	return map[string]func(t *testing.T, ctx context.Context, zone *yaqaza.Point, zoneCode string) error{
		"submit": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := s.reports.SubmitReport(ctx, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "appel", Location: zone})
			return err
		},
		"read": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := s.incidents.FindIncidentByID(ctx, w.incident(t, zone, true).IncidentID)
			return err
		},
		"change": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := s.incidents.TransitionIncident(ctx, w.incident(t, zone, false).IncidentID, yaqaza.Transition{To: yaqaza.StatusTriaged})
			return err
		},
		"triage": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			p := yaqaza.P3
			_, err := s.incidents.CorrectTriage(ctx, w.incident(t, zone, false).IncidentID, yaqaza.Correction{Priority: &p})
			return err
		},
		"personal": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			r, err := s.reports.FindReportByID(ctx, w.incident(t, zone, true).ReportID)
			if err == nil && r.Reporter == nil {
				return yaqaza.Errorf(yaqaza.EFORBIDDEN, "read without the contact")
			}
			return err
		},
		"dispatch": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := w.units.Recommend(ctx, w.incident(t, zone, false).IncidentID, 3)
			return err
		},
		"unit": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := w.units.SetUnitStatus(ctx, w.unit, yaqaza.UnitBusy)
			if err == nil {
				_, err = w.units.SetUnitStatus(system, w.unit, yaqaza.UnitAvailable)
				if err != nil {
					t.Fatal(err)
				}
			}
			return err
		},
		"units": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := w.units.FindUnits(ctx, yaqaza.UnitFilter{})
			return err
		},
		"clear": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := s.incidents.ClearForPublication(ctx, w.incident(t, zone, false).IncidentID, true)
			return err
		},
		"publish": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := s.incidents.PublishStatement(ctx, w.incident(t, zone, true).IncidentID, "fr", "La police est intervenue.")
			return err
		},
		"stats": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := s.incidents.Stats(ctx)
			return err
		},
		"export": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, zoneCode string) error {
			_, err := s.incidents.ExportIncidents(ctx, yaqaza.IncidentFilter{Zones: []string{zoneCode}})
			return err
		},
		"audit": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := sqlstore.NewAuditService(s.db).FindAudit(ctx, yaqaza.AuditFilter{Limit: 5})
			return err
		},
		"users": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := w.users.FindUsers(ctx)
			return err
		},
		"config": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, zoneCode string) error {
			w.seq++
			return s.packs.AddPlace(ctx, yaqaza.Place{Name: fmt.Sprintf("Place d'essai %d", w.seq), Zone: zoneCode, Point: zone})
		},
		"followup": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := s.db.FindNotifications(ctx, 0)
			return err
		},
		"plan": func(t *testing.T, ctx context.Context, zone *yaqaza.Point, _ string) error {
			_, err := sqlstore.NewPlanService(s.db, fesZones).AddDirective(ctx, yaqaza.DirectiveInput{Center: zone, RadiusM: 300,
				Until: s.now.Add(8 * time.Hour), Instruction: "présence visible"})
			return err
		},
		"self": func(t *testing.T, ctx context.Context, _ *yaqaza.Point, _ string) error {
			_, err := w.users.StartTOTP(ctx)
			return err
		},
	}
}

// testPermissionMatrix checks every role × action × own zone / other zone
// through the services, which every interface calls.
func testPermissionMatrix(t *testing.T, s *services) {
	us, units := fleet(t, s)
	s.db.PasswordParams = cheapPasswords
	w := &matrixWorld{s: s, units: us, unit: units["MED-2"].ID, users: sqlstore.NewUserService(s.db)}
	probes := w.probes()
	for _, role := range yaqaza.Roles {
		u, _, err := w.users.CreateUser(as(admin), yaqaza.UserInput{Username: "u-" + string(role), DisplayName: string(role),
			Role: role, Zones: []string{zoneMedina}})
		if err != nil {
			t.Fatal(err)
		}
		actor := &yaqaza.Actor{Kind: yaqaza.ActorUser, ID: fmt.Sprintf("user:%d", u.ID), Name: u.Username, Role: role, Zones: u.Zones}
		allowed := map[string]bool{}
		for _, a := range strings.Fields(PermissionMatrix[role]) {
			allowed[a] = true
		}
		for name, probe := range probes {
			for _, side := range []struct {
				own   bool
				point *yaqaza.Point
				code  string
			}{{true, inMedina, zoneMedina}, {false, inAgdal, zoneAgdal}} {
				want := allowed[name] && (side.own || !ZoneBound[name])
				err := probe(t, as(actor), side.point, side.code)
				got := err == nil
				if got != want {
					t.Errorf("%s %s in %s zone: allowed=%v, want %v (%v)", role, name, map[bool]string{true: "own", false: "other"}[side.own], got, want, err)
				}
				if !got && want == false && err != nil {
					if c := yaqaza.ErrorCode(err); c != yaqaza.EFORBIDDEN {
						t.Errorf("%s %s: refused with %s, want forbidden (%v)", role, name, c, err)
					}
				}
			}
		}
	}
	// Every action of the code's table has a probe, so none goes untested.
	for _, a := range yaqaza.Actions {
		if !probedAction[a] {
			t.Errorf("action %s has no probe in the matrix", a)
		}
	}
}

var probedAction = map[yaqaza.Action]bool{yaqaza.ActSubmitReport: true, yaqaza.ActReadIncidents: true, yaqaza.ActChangeIncident: true,
	yaqaza.ActTriage: true, yaqaza.ActReadPersonal: true, yaqaza.ActDispatch: true, yaqaza.ActUpdateUnit: true, yaqaza.ActReadUnits: true,
	yaqaza.ActClearPublish: true, yaqaza.ActPublish: true, yaqaza.ActReadStats: true, yaqaza.ActExport: true, yaqaza.ActReadAudit: true,
	yaqaza.ActManageUsers: true, yaqaza.ActConfigure: true, yaqaza.ActReadFollowup: true, yaqaza.ActPlanField: true,
	yaqaza.ActManageOwnLogin: true}

// cheapPasswords keep the suite fast; the account package tests the real costs.
var cheapPasswords = account.Params{Memory: 64, Time: 1, Threads: 1}
