package storetest

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

func testTokens(t *testing.T, s *services) {
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil { // token zones must be the pack's
		t.Fatal(err)
	}
	_, _, err := s.tokens.CreateToken(as(admin), yaqaza.TokenInput{Name: "x", Role: yaqaza.RoleDistrictHead, Zones: []string{"99.999"}})
	wantCode(t, err, yaqaza.EINVALID)
	tok, secret, err := s.tokens.CreateToken(as(admin), yaqaza.TokenInput{Name: "feed-hespress", Role: yaqaza.RoleCallTaker, Zones: []string{zoneMedina, zoneAgdal}})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID == 0 || !strings.HasPrefix(secret, "yqz_") || len(secret) < 30 {
		t.Fatalf("token %+v secret %q", tok, secret)
	}
	a, err := s.tokens.Authenticate(anonymous, secret)
	if err != nil {
		t.Fatal(err)
	}
	if a.Kind != yaqaza.ActorToken || a.Role != yaqaza.RoleCallTaker || a.Name != "feed-hespress" || len(a.Zones) != 2 || a.Zones[1] != zoneAgdal {
		t.Fatalf("actor = %+v", a)
	}
	_, err = s.tokens.Authenticate(anonymous, secret+"x")
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
	usedAt := s.now
	s.tick(time.Minute)
	if _, err := s.tokens.Authenticate(anonymous, secret); err != nil { // from the cache this time
		t.Fatal(err)
	}

	_, _, err = s.tokens.CreateToken(as(dispatcher), yaqaza.TokenInput{Name: "x", Role: yaqaza.RoleAdmin})
	wantCode(t, err, yaqaza.EFORBIDDEN)
	_, _, err = s.tokens.CreateToken(anonymous, yaqaza.TokenInput{Name: "x", Role: yaqaza.RoleAdmin})
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
	_, _, err = s.tokens.CreateToken(as(admin), yaqaza.TokenInput{Name: "x", Role: "superuser"})
	wantCode(t, err, yaqaza.EINVALID)

	exp := s.now.Add(time.Hour)
	_, short, err := s.tokens.CreateToken(as(admin), yaqaza.TokenInput{Name: "temp", Role: yaqaza.RoleAnalyst, ExpiresAt: &exp})
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := s.tokens.CountTokens(anonymous); n != 2 {
		t.Fatalf("CountTokens = %d, want 2", n)
	}
	list, err := s.tokens.FindTokens(as(admin))
	if err != nil || len(list) != 2 {
		t.Fatalf("FindTokens: %d tokens, %v", len(list), err)
	}
	if used := list[0].LastUsedAt; used == nil || !used.Equal(usedAt.Add(time.Minute).Truncate(time.Millisecond)) {
		t.Errorf("feed-hespress last used %v, want %v (its second, cached, use)", used, usedAt.Add(time.Minute))
	}
	if list[1].LastUsedAt != nil {
		t.Errorf("a token never presented shows a last use: %v", list[1].LastUsedAt)
	}
	s.tick(2 * time.Hour)
	_, err = s.tokens.Authenticate(anonymous, short)
	wantCode(t, err, yaqaza.EUNAUTHORIZED)
	if n, _ := s.tokens.CountTokens(anonymous); n != 1 {
		t.Fatalf("CountTokens after expiry = %d, want 1", n)
	}
}

func testPack(t *testing.T, s *services) {
	_, err := s.packs.CurrentPack(anonymous)
	wantCode(t, err, yaqaza.ENOTFOUND)
	fes := geo.DefaultPack()
	wantCode(t, s.packs.LoadPack(as(dispatcher), fes), yaqaza.EFORBIDDEN)
	if err := s.packs.LoadPack(as(admin), fes); err != nil {
		t.Fatal(err)
	}
	// Loading twice replaces, it does not duplicate.
	if err := s.packs.LoadPack(as(admin), fes); err != nil {
		t.Fatal(err)
	}
	p, err := s.packs.CurrentPack(anonymous)
	if err != nil {
		t.Fatal(err)
	}
	if p.ID != "fes" || len(p.Zones) != 6 || len(p.Categories) != len(fes.Categories) || len(p.Units) != len(fes.Units) {
		t.Fatalf("pack = %s, %d zones, %d categories, %d units", p.ID, len(p.Zones), len(p.Categories), len(p.Units))
	}
	var total int64
	for _, z := range p.Zones {
		total += z.Population
	}
	if total != 1167842 {
		t.Errorf("population of the six arrondissements = %d, want 1167842 (census 2024)", total)
	}
	if z := p.Zone(zoneMedina); z == nil || z.Names.AR != "فاس المدينة" || z.Population != 49775 {
		t.Errorf("Fès-Médina = %+v", z)
	}
	idx, err := geo.NewZoneIndex(p.Zones)
	if err != nil {
		t.Fatal(err)
	}
	if got := idx.Locate(*inZouagha); got != zoneZouagha {
		t.Errorf("stored geometry places Zouagha's point in %q", got)
	}
	bad := *fes
	bad.Zones = nil
	wantCode(t, s.packs.LoadPack(as(admin), &bad), yaqaza.EINVALID)
	if p2, _ := s.packs.CurrentPack(anonymous); len(p2.Zones) != 6 {
		t.Fatal("a refused pack changed the stored one")
	}
}
