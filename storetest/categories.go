package storetest

import (
	"errors"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// An admin adds a category and renames another; bad input and other roles
// change nothing; dispatchers can then use the new category at once.
func testSaveCategory(t *testing.T, s *services) {
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	before, err := s.packs.Categories(as(admin))
	if err != nil {
		t.Fatal(err)
	}
	stray := yaqaza.Category{Code: "stray_animals", Priority: yaqaza.P4,
		Names: yaqaza.Names{AR: "حيوانات ضالة", FR: " Animaux errants ", EN: "Stray animals"}}
	created, err := s.packs.SaveCategory(as(admin), stray)
	if err != nil || !created {
		t.Fatalf("adding: created=%v %v", created, err)
	}
	renamed := before[0]
	renamed.Names.EN, renamed.Priority = "Assault and violence", yaqaza.P1
	if created, err := s.packs.SaveCategory(as(admin), renamed); err != nil || created {
		t.Fatalf("renaming: created=%v %v", created, err)
	}
	after, err := s.packs.Categories(as(admin))
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before)+1 || after[len(after)-1].Code != "stray_animals" || after[len(after)-1].Names.FR != "Animaux errants" {
		t.Fatalf("the new category is not last, or its name untrimmed: %+v", after[len(after)-1])
	}
	if after[0] != renamed {
		t.Fatalf("renamed: %+v, want %+v", after[0], renamed)
	}

	bad := []struct {
		c     yaqaza.Category
		field string
	}{
		{yaqaza.Category{Code: "Stray Animals", Priority: yaqaza.P4, Names: stray.Names}, "code"},
		{yaqaza.Category{Code: "x", Priority: yaqaza.P4, Names: stray.Names}, "code"},
		{yaqaza.Category{Code: "noise", Priority: yaqaza.P4, Names: yaqaza.Names{AR: "ضجيج", FR: "Bruit"}}, "names.en"},
		{yaqaza.Category{Code: "noise", Priority: yaqaza.P4, Names: yaqaza.Names{AR: "ضجيج", FR: strings.Repeat("b", 81), EN: "Noise"}}, "names.fr"},
		{yaqaza.Category{Code: "noise", Priority: 0, Names: yaqaza.Names{AR: "ضجيج", FR: "Bruit", EN: "Noise"}}, "priority"},
	}
	for _, b := range bad {
		_, err := s.packs.SaveCategory(as(admin), b.c)
		wantCode(t, err, yaqaza.EINVALID)
		var ye *yaqaza.Error
		if !errors.As(err, &ye) || ye.Field != b.field {
			t.Errorf("%+v: the error does not name %q: %v", b.c, b.field, err)
		}
	}
	_, err = s.packs.SaveCategory(as(dispatcher), yaqaza.Category{Code: "noise", Priority: yaqaza.P4,
		Names: yaqaza.Names{AR: "ضجيج", FR: "Bruit", EN: "Noise"}})
	wantCode(t, err, yaqaza.EFORBIDDEN)
	if again, _ := s.packs.Categories(as(admin)); len(again) != len(after) {
		t.Fatalf("refused saves changed the list: %d categories, want %d", len(again), len(after))
	}

	// A dispatcher files an incident under the new category.
	r := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "chiens errants agressifs", Location: inAgdal})
	code := "stray_animals"
	if _, err := s.incidents.CorrectTriage(as(dispatcher), r.IncidentID, yaqaza.Correction{Category: &code}); err != nil {
		t.Fatalf("filing under the new category: %v", err)
	}
	page, err := sqlstore.NewAuditService(s.db).FindAudit(as(auditor), yaqaza.AuditFilter{Object: "category:stray_animals"})
	if err != nil || len(page.Entries) != 1 || page.Entries[0].Action != "config.category.add" {
		t.Fatalf("audit of the new category: %+v %v", page, err)
	}
}
