package storetest

import (
	"context"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

var auditor = &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:902", Name: "inspection", Role: yaqaza.RoleAuditor}

// testAuditTrail: changes, reads of personal data and exports are in the
// trail, chained; the trail refuses edits, and any edit made behind its
// back — changed, deleted, reordered, cut at the end — is found and named.
func testAuditTrail(t *testing.T, s *services) {
	ctx := context.Background()
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "vol à l'arraché",
		Location: inMedina, Reporter: &yaqaza.Contact{Phone: "0611223344"}})
	mustTransition(t, s, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusTriaged})
	if _, err := s.incidents.FindIncidentByID(as(dispatcher), r.IncidentID); err != nil {
		t.Fatal(err)
	}
	command := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:903", Name: "cmd", Role: yaqaza.RoleCommand}
	if _, err := s.incidents.ExportIncidents(as(command), yaqaza.IncidentFilter{}); err != nil {
		t.Fatal(err)
	}
	audit := sqlstore.NewAuditService(s.db)
	page, err := audit.FindAudit(as(auditor), yaqaza.AuditFilter{Object: "incident:" + itoa(r.IncidentID)})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range page.Entries {
		actions = append(actions, e.Action)
	}
	for _, want := range []string{yaqaza.EventIncidentCreated, yaqaza.EventStatusChanged, "personal.read"} {
		if !strings.Contains(strings.Join(actions, " "), want) {
			t.Errorf("the trail of incident %d lacks %s: %v", r.IncidentID, want, actions)
		}
	}
	exports, _ := audit.FindAudit(as(auditor), yaqaza.AuditFilter{Action: "data.export"})
	if len(exports.Entries) != 1 || exports.Entries[0].ActorID != "token:903" {
		t.Errorf("the export is not in the trail: %+v", exports.Entries)
	}
	_, err = audit.FindAudit(as(dispatcher), yaqaza.AuditFilter{})
	wantCode(t, err, yaqaza.EFORBIDDEN)

	check := func() *yaqaza.AuditCheck {
		t.Helper()
		c, err := audit.VerifyAudit(as(auditor))
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	if c := check(); !c.OK || c.Entries < 5 {
		t.Fatalf("an untouched trail: %+v", c)
	}

	raw := s.db.Handle()
	if _, err := raw.ExecContext(ctx, s.db.Rebind(`UPDATE audit_log SET detail = 'x' WHERE id = 2`)); err == nil {
		t.Fatal("the store let the audit log be changed")
	}
	// What someone with the database can do: lift the guard and edit.
	allowEdits(t, s)
	type row struct{ detail, hash string }
	read := func(id int) row {
		var r row
		if err := raw.QueryRowContext(ctx, s.db.Rebind(`SELECT detail, hash FROM audit_log WHERE id = ?`), id).Scan(&r.detail, &r.hash); err != nil {
			t.Fatal(err)
		}
		return r
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.ExecContext(ctx, s.db.Rebind(q), args...); err != nil {
			t.Fatal(err)
		}
	}
	// Changed.
	orig := read(3)
	exec(`UPDATE audit_log SET detail = ? WHERE id = 3`, "nothing happened")
	if c := check(); c.OK || c.FirstBroken != 3 || !strings.Contains(c.Problem, "changed") {
		t.Errorf("a changed entry: %+v", c)
	}
	exec(`UPDATE audit_log SET detail = ? WHERE id = 3`, orig.detail)
	if c := check(); !c.OK {
		t.Fatalf("restored: %+v", c)
	}
	// Reordered: entries 2 and 3 swap their contents.
	swap := func() {
		exec(`UPDATE audit_log SET id = -2 WHERE id = 2`)
		exec(`UPDATE audit_log SET id = 2 WHERE id = 3`)
		exec(`UPDATE audit_log SET id = 3 WHERE id = -2`)
	}
	swap()
	if c := check(); c.OK || c.FirstBroken != 2 {
		t.Errorf("reordered entries: %+v", c)
	}
	swap()
	// Deleted in the middle, and at the end.
	exec(`UPDATE audit_log SET id = -4 WHERE id = 4`)
	if c := check(); c.OK || c.FirstBroken != 4 || !strings.Contains(c.Problem, "missing") {
		t.Errorf("a deleted entry: %+v", c)
	}
	exec(`UPDATE audit_log SET id = 4 WHERE id = -4`)
	var last int
	if err := raw.QueryRowContext(ctx, `SELECT max(id) FROM audit_log`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	exec(`UPDATE audit_log SET id = ? WHERE id = ?`, -last, last)
	if c := check(); c.OK || c.FirstBroken != int64(last) || !strings.Contains(c.Problem, "end") {
		t.Errorf("the last entry deleted: %+v", c)
	}
}

// allowEdits lifts the append-only guard, as an intruder with the database
// could.
func allowEdits(t *testing.T, s *services) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_log_no_update`, `DROP TRIGGER audit_log_no_delete`}
	if s.db.Dialect == sqlstore.Postgres {
		stmts = []string{`ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only`}
	}
	for _, q := range stmts {
		if _, err := s.db.Handle().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}
