package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// The field plan: the command sets directives where the hotspots are; the
// plan in force is what has begun, not ended and not been withdrawn, in
// the reader's zones; bad directives change nothing; every change is in
// the audit trail.
func testFieldPlan(t *testing.T, s *services) {
	plans := sqlstore.NewPlanService(s.db, fesZones)
	command := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:909", Name: "cmd", Role: yaqaza.RoleCommand}
	head := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:910", Name: "head", Role: yaqaza.RoleDistrictHead, Zones: []string{zoneAgdal}}
	fieldUnit := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:911", Name: "MED-1", Role: yaqaza.RoleFieldUnit, Zones: []string{zoneMedina}}
	t0 := s.now
	medina, err := plans.AddDirective(as(command), yaqaza.DirectiveInput{Center: inMedina, RadiusM: 300, Place: " Bab Boujloud ",
		Until: t0.Add(12 * time.Hour), Instruction: "Présence visible à pied : vols à l'arraché en soirée"})
	if err != nil {
		t.Fatal(err)
	}
	if medina.Zone != zoneMedina || medina.Place != "Bab Boujloud" || medina.CreatedBy != "cmd" || !medina.From.Equal(t0.Truncate(time.Millisecond)) {
		t.Errorf("the Médina's directive: %+v", medina)
	}
	later := t0.Add(2 * time.Hour)
	agdal, err := plans.AddDirective(as(head), yaqaza.DirectiveInput{Center: inAgdal, RadiusM: 500, From: &later,
		Until: t0.Add(6 * time.Hour), Instruction: "Contrôles routiers avenue des FAR"})
	if err != nil {
		t.Fatal(err)
	}
	ids := func(list []*yaqaza.Directive) (out []int64) {
		for _, d := range list {
			out = append(out, d.ID)
		}
		return out
	}
	if got, _ := plans.FieldPlan(as(command), t0); len(got) != 1 || got[0].ID != medina.ID {
		t.Errorf("the plan now: %v, want the Médina's alone (Agdal's starts later)", ids(got))
	}
	at := t0.Add(3 * time.Hour)
	if got, _ := plans.FieldPlan(as(command), at); len(got) != 2 || got[0].ID != agdal.ID {
		t.Errorf("the plan at +3h: %v, want Agdal's (ending first) then the Médina's", ids(got))
	}
	if got, _ := plans.FieldPlan(as(fieldUnit), at); len(got) != 1 || got[0].ID != medina.ID {
		t.Errorf("a Médina unit reads %v, want its district's directive alone", ids(got))
	}
	// Refusals: another district, outside the jurisdiction, bad fields.
	for _, c := range []struct {
		actor *yaqaza.Actor
		in    yaqaza.DirectiveInput
		code  string
		field string
	}{
		{head, yaqaza.DirectiveInput{Center: inMedina, RadiusM: 300, Until: t0.Add(time.Hour), Instruction: "x"}, yaqaza.EFORBIDDEN, ""},
		{command, yaqaza.DirectiveInput{Center: inRabat, RadiusM: 300, Until: t0.Add(time.Hour), Instruction: "x"}, yaqaza.EINVALID, "not in any zone"},
		{command, yaqaza.DirectiveInput{Center: inMedina, RadiusM: 10, Until: t0.Add(time.Hour), Instruction: "x"}, yaqaza.EINVALID, "radius"},
		{command, yaqaza.DirectiveInput{Center: inMedina, RadiusM: 300, Until: t0.Add(time.Hour), Instruction: "  "}, yaqaza.EINVALID, "instruction is empty"},
		{command, yaqaza.DirectiveInput{Center: inMedina, RadiusM: 300, Until: t0.Add(-time.Hour), Instruction: "x"}, yaqaza.EINVALID, "end after it starts"},
		{command, yaqaza.DirectiveInput{Center: inMedina, RadiusM: 300, Until: t0.Add(40 * 24 * time.Hour), Instruction: "x"}, yaqaza.EINVALID, "at most 31 days"},
		{dispatcher, yaqaza.DirectiveInput{Center: inMedina, RadiusM: 300, Until: t0.Add(time.Hour), Instruction: "x"}, yaqaza.EFORBIDDEN, ""},
	} {
		_, err := plans.AddDirective(as(c.actor), c.in)
		wantCode(t, err, c.code)
		if c.field != "" && (err == nil || !strings.Contains(err.Error(), c.field)) {
			t.Errorf("%+v: %v, want it to say %q", c.in, err, c.field)
		}
	}
	if got, _ := plans.FieldPlan(as(command), at); len(got) != 2 {
		t.Errorf("refused directives changed the plan: %v", ids(got))
	}
	// Withdrawn: out of the plan; Agdal's head may not withdraw the Médina's.
	_, err = plans.WithdrawDirective(as(head), medina.ID)
	wantCode(t, err, yaqaza.EFORBIDDEN)
	w, err := plans.WithdrawDirective(as(command), medina.ID)
	if err != nil || w.WithdrawnAt == nil || w.WithdrawnBy != "cmd" {
		t.Fatalf("withdrawing: %+v %v", w, err)
	}
	if got, _ := plans.FieldPlan(as(command), at); len(got) != 1 || got[0].ID != agdal.ID {
		t.Errorf("the plan after withdrawing: %v", ids(got))
	}
	_, err = plans.WithdrawDirective(as(command), medina.ID)
	wantCode(t, err, yaqaza.ECONFLICT)
	_, err = plans.WithdrawDirective(as(command), agdal.ID+100)
	wantCode(t, err, yaqaza.ENOTFOUND)
	page, err := sqlstore.NewAuditService(s.db).FindAudit(as(auditor), yaqaza.AuditFilter{Object: "directive:" + itoa(medina.ID)})
	if err != nil || len(page.Entries) != 2 {
		t.Fatalf("the directive's audit trail: %+v %v", page, err)
	}
}
