package main

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// An admin's change to a category reaches triage on its next reload: the
// category's default priority is what a plain report of it gets.
func TestTriageTakesCategoryChanges(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "store"), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	packs := sqlstore.NewPackService(db)
	p, err := ensurePack(ctx, packs)
	if err != nil {
		t.Fatal(err)
	}
	zones, err := geo.NewZoneIndex(p.Zones)
	if err != nil {
		t.Fatal(err)
	}
	l, err := newLiveTriage(ctx, p, zones, sqlstore.NewModelService(db), packs)
	if err != nil {
		t.Fatal(err)
	}
	report := &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "Escroquerie en ligne : un faux site m'a pris de l'argent",
		Location: &yaqaza.Point{Lat: 34.03, Lon: -5.0}}
	before := l.Assess(ctx, report)
	if before.Category != "fraud_cyber" || before.Priority != yaqaza.P4 {
		t.Fatalf("before the change: %s %s (%s)", before.Category, before.Priority, before.PriorityWhy)
	}
	if changed, err := l.reload(ctx); err != nil || changed {
		t.Fatalf("a reload with nothing new: changed=%v %v", changed, err)
	}
	admin := yaqaza.NewContextWithActor(ctx, yaqaza.System("test"))
	if _, err := packs.SaveCategory(admin, yaqaza.Category{Code: "fraud_cyber", Priority: yaqaza.P3,
		Names: yaqaza.Names{AR: "احتيال", FR: "Escroquerie", EN: "Fraud"}}); err != nil {
		t.Fatal(err)
	}
	if changed, err := l.reload(ctx); err != nil || !changed {
		t.Fatalf("the reload after the change: changed=%v %v", changed, err)
	}
	if after := l.Assess(ctx, report); after.Category != "fraud_cyber" || after.Priority != yaqaza.P3 {
		t.Fatalf("after the change: %s %s (%s)", after.Category, after.Priority, after.PriorityWhy)
	}
}
