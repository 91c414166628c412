package console_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// The admin pages over HTTP, as a browser without scripts uses them: what
// an admin sees, what each form stores, what bad input shows (and does
// not store), and who is turned away.

const adminMedina = "03.231.01.07" // Fès-Médina

// adminPages are every section, with something each must show.
var adminPages = map[string]string{
	"/admin":            `href="/admin/accounts"`,
	"/admin/units":      "AGD-1",
	"/admin/zones":      `class="map tall" id="zones-map" dir="ltr"`,
	"/admin/categories": `data-category="assault"`,
	"/admin/sla":        `name="P1.acknowledged"`,
	"/admin/tokens":     `action="/admin/tokens"`,
	"/admin/accounts":   `action="/admin/accounts"`,
}

// adminAnswer is a page as answered, headers included.
type adminAnswer struct {
	status int
	header http.Header
	body   string
}

// adminSend posts a form with the session's CSRF token, without following
// a redirect, so that Post/Redirect/Get and no-store can be checked.
func adminSend(c *staffClient, path string, form url.Values) adminAnswer {
	c.t.Helper()
	if c.csrf == "" {
		c.get("/admin")
	}
	form.Set("csrf_token", c.csrf)
	client := &http.Client{Jar: c.http.Jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(c.site.URL+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	c.takeCSRF(string(b))
	return adminAnswer{resp.StatusCode, resp.Header, string(b)}
}

// fieldError is the message shown beside a form field (id e-<field>).
func fieldError(body, field string) string {
	m := regexp.MustCompile(`id="e-` + regexp.QuoteMeta(field) + `" role="alert">([^<]*)<`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}

func adminPack(t *testing.T, site *browserSite) *yaqaza.Pack {
	t.Helper()
	p, err := sqlstore.NewPackService(site.DB).CurrentPack(site.system())
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func adminTokens(t *testing.T, site *browserSite) []*yaqaza.Token {
	t.Helper()
	ts, err := sqlstore.NewTokenService(site.DB).FindTokens(site.system())
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func adminUser(t *testing.T, site *browserSite, name string) *yaqaza.User {
	t.Helper()
	us, err := site.Users.FindUsers(site.system())
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		if u.Username == name {
			return u
		}
	}
	return nil
}

// bearerStatus is the API's answer to a request with an API token.
func bearerStatus(t *testing.T, site *browserSite, secret string) int {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, site.URL+"/api/v1/units", nil)
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAdminSections(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	for path, want := range adminPages {
		st, body := admin.get(path)
		if st != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d, want 200 showing %q", path, st, want)
		}
		if !strings.Contains(body, `dir="rtl"`) || strings.Contains(body, "⟦") {
			t.Errorf("GET %s: not a complete Arabic page (missing dir=rtl or a catalog key)", path)
		}
	}
	// Units come with the pack, and the admin may not move them: the page says both.
	_, body := admin.get("/admin/units?lang=en")
	for _, want := range []string{"yaqaza pack load", "your role may view them", `data-unit-id=`} {
		if !strings.Contains(body, want) {
			t.Errorf("units page lacks %q", want)
		}
	}
	if strings.Contains(body, `/position"`) {
		t.Error("units page offers to move units to a role that may not")
	}
	// The Fès community police work the day watch (08:00–20:00, local time):
	// the page says whether it is on and until when; patrols have no watch.
	loc, _ := time.LoadLocation("Africa/Casablanca")
	want := "day: off duty until 08:00"
	if h := time.Now().In(loc).Hour(); h >= 8 && h < 20 {
		want = "day: on duty until 20:00"
	}
	if row := tableRow(body, "AGD-C1"); !strings.Contains(row, `<td class="watch">`+want+`</td>`) {
		t.Errorf("AGD-C1's watch: want %q in %s", want, row)
	}
	if row := tableRow(body, "AGD-1<"); !strings.Contains(row, `<td class="watch"></td>`) {
		t.Errorf("AGD-1 works no watch: %s", row)
	}
	_, body = admin.get("/admin/categories?lang=fr")
	if !strings.Contains(body, "yaqaza pack load") || !strings.Contains(body, "Agression, violences") {
		t.Error("categories page: no names or no note that they change with the pack")
	}
	// The SLA grid is filled from the pack: P1 acknowledged within a minute.
	_, body = admin.get("/admin/sla")
	if !strings.Contains(body, `name="P1.acknowledged" type="text" dir="ltr" size="6" value="1m"`) {
		t.Error("SLA grid not prefilled from the pack")
	}
	// The admin still may not move units: the service refuses, nothing moves.
	units, _ := site.Units.FindUnits(site.system(), yaqaza.UnitFilter{})
	if a := adminSend(admin, fmt.Sprintf("/admin/units/%d/status", units[0].ID), url.Values{"status": {"off_duty"}}); a.status != http.StatusForbidden {
		t.Errorf("admin changing a unit's status: %d, want 403 (no unit.update)", a.status)
	}
	if u, _ := site.Units.FindUnitByID(site.system(), units[0].ID); u.Status != units[0].Status {
		t.Errorf("unit status changed to %s", u.Status)
	}
}

func TestAdminTokens(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	a := adminSend(admin, "/admin/tokens", url.Values{"name": {"Centre 19"}, "role": {"dispatcher"}, "zones": {adminMedina}})
	secret := regexp.MustCompile(`yqz_[a-z0-9]+`).FindString(a.body)
	if a.status != http.StatusOK || secret == "" {
		t.Fatalf("creating a token: %d, no secret shown", a.status)
	}
	if a.header.Get("Cache-Control") != "no-store" {
		t.Errorf("secret page Cache-Control %q, want no-store", a.header.Get("Cache-Control"))
	}
	ts := adminTokens(t, site)
	if len(ts) != 1 || ts[0].Name != "Centre 19" || ts[0].Role != yaqaza.RoleDispatcher || !slices.Equal(ts[0].Zones, []string{adminMedina}) {
		t.Fatalf("stored tokens: %+v", ts)
	}
	if bearerStatus(t, site, secret) != http.StatusOK {
		t.Fatal("the new token does not open the API")
	}
	st, body := admin.get("/admin/tokens?lang=en")
	if st != http.StatusOK || !strings.Contains(body, "Centre 19") || strings.Contains(body, secret) {
		t.Errorf("token list: %d; listed=%v, secret shown again=%v", st, strings.Contains(body, "Centre 19"), strings.Contains(body, secret))
	}
	row := body[strings.Index(body, fmt.Sprintf(`data-token-id="%d"`, ts[0].ID)):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, `class="last-used"`) || strings.Contains(row, "Never used") {
		t.Errorf("the list does not show the token's use just made: %s", row)
	}
	a = adminSend(admin, fmt.Sprintf("/admin/tokens/%d/revoke", ts[0].ID), url.Values{})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/admin/tokens?done=revoked" {
		t.Fatalf("revoking: %d to %q, want 303 back to the list", a.status, a.header.Get("Location"))
	}
	if ts = adminTokens(t, site); ts[0].RevokedAt == nil {
		t.Error("token not revoked in the store")
	}
	if bearerStatus(t, site, secret) != http.StatusUnauthorized {
		t.Error("a revoked token still opens the API")
	}
	if _, body = admin.get("/admin/tokens?done=revoked&lang=en"); !strings.Contains(body, "The token was revoked.") || !strings.Contains(body, `data-state="revoked"`) {
		t.Error("list after revoking: no confirmation or not shown revoked")
	}
}

func TestAdminAccounts(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	a := adminSend(admin, "/admin/accounts", url.Values{"username": {"h.benali"}, "display_name": {"Hassan Benali"},
		"email": {"h.benali@example.ma"}, "role": {"district_head"}, "zones": {adminMedina}})
	otp := regexp.MustCompile(`id="secret"[^>]*value="([^"]+)"`).FindStringSubmatch(a.body)
	if a.status != http.StatusOK || otp == nil || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("creating an account: %d, password shown=%v, Cache-Control %q", a.status, otp != nil, a.header.Get("Cache-Control"))
	}
	u := adminUser(t, site, "h.benali")
	if u == nil || u.Role != yaqaza.RoleDistrictHead || !slices.Equal(u.Zones, []string{adminMedina}) || !u.MustChange {
		t.Fatalf("stored account: %+v", u)
	}
	// The one-time password is the person's first sign-in.
	if _, _, err := site.Users.SignIn(site.system(), yaqaza.SignIn{Username: "h.benali", Password: otp[1]}); err != nil {
		t.Fatalf("signing in with the one-time password: %v", err)
	}
	if _, body := admin.get("/admin/accounts"); !strings.Contains(body, `data-username="h.benali" data-state="active"`) || strings.Contains(body, otp[1]) {
		t.Error("account list: not listed as active, or the password shown again")
	}
	if a = adminSend(admin, "/admin/accounts/h.benali/disable", url.Values{}); a.status != http.StatusSeeOther {
		t.Fatalf("disabling: %d, want 303", a.status)
	}
	if u = adminUser(t, site, "h.benali"); !u.Disabled {
		t.Error("account not disabled in the store")
	}
	a = adminSend(admin, "/admin/accounts/h.benali/reset", url.Values{"totp": {"on"}})
	again := regexp.MustCompile(`id="secret"[^>]*value="([^"]+)"`).FindStringSubmatch(a.body)
	if a.status != http.StatusOK || again == nil || again[1] == otp[1] || a.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("resetting: %d, a new password shown=%v", a.status, again != nil)
	}
	if u = adminUser(t, site, "h.benali"); u.Disabled || !u.MustChange {
		t.Errorf("after reset: disabled=%v must change=%v", u.Disabled, u.MustChange)
	}
}

func TestAdminPlaceAndSLA(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	before := len(adminPack(t, site).Gazetteer)
	a := adminSend(admin, "/admin/places", url.Values{"name": {"Derb Yaqaza Test"}, "name_ar": {"درب يقظة"},
		"aliases": {"Derb Yaqaza, درب اليقظة"}, "lat": {"34,0617"}, "lon": {"-4.9836"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/admin/zones?done=place" {
		t.Fatalf("adding a place: %d to %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	pack := adminPack(t, site)
	if len(pack.Gazetteer) != before+1 {
		t.Fatalf("gazetteer has %d places, want %d", len(pack.Gazetteer), before+1)
	}
	pl := pack.Gazetteer[len(pack.Gazetteer)-1]
	if pl.Name != "Derb Yaqaza Test" || pl.Names.AR != "درب يقظة" || len(pl.Aliases) != 2 || pl.Point == nil || pl.Point.Lat != 34.0617 || pl.Zone == "" {
		t.Errorf("stored place: %+v", pl)
	}
	if _, body := admin.get("/admin/zones?q=" + url.QueryEscape("derb yaqaza")); !strings.Contains(body, "Derb Yaqaza Test") {
		t.Error("the gazetteer search does not find the new place")
	}

	form := url.Values{"escalate_after": {"20"}}
	for _, pr := range []string{"P1", "P2", "P3", "P4"} {
		for i, st := range yaqaza.Stages {
			form.Set(pr+"."+string(st), []string{"2", "5", "20", "1h30", "3d"}[i])
		}
	}
	if a = adminSend(admin, "/admin/sla", form); a.status != http.StatusSeeOther {
		t.Fatalf("saving the SLA: %d\n%s", a.status, a.body)
	}
	sla := adminPack(t, site).SLA
	if got := time.Duration(sla.Deadlines[yaqaza.P2][yaqaza.StageResolved]); got != 90*time.Minute {
		t.Errorf("P2 resolved is %s, want 1h30m", got)
	}
	if got := time.Duration(sla.Deadlines[yaqaza.P4][yaqaza.StageInformed]); got != 72*time.Hour {
		t.Errorf("P4 informed is %s, want 72h", got)
	}
	if time.Duration(sla.EscalateAfter) != 20*time.Minute {
		t.Errorf("escalate after %s, want 20m", time.Duration(sla.EscalateAfter))
	}
	if _, body := admin.get("/admin/sla"); !strings.Contains(body, `name="P3.resolved" type="text" dir="ltr" size="6" value="1h30"`) {
		t.Error("the SLA page does not show the saved policy")
	}
}

// TestAdminCategories: the admin adds a category and changes another's
// names and default priority; both show on the page, and the English page
// gets the Arabic refusal when the language is Arabic.
func TestAdminCategories(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	a := adminSend(admin, "/admin/categories", url.Values{"code": {"stray_animals"}, "name_ar": {"حيوانات ضالة"},
		"name_fr": {"Animaux errants"}, "name_en": {"Stray animals"}, "priority": {"P4"}})
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/admin/categories?done=category" {
		t.Fatalf("adding a category: %d to %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	_, body := admin.get("/admin/categories?edit=vandalism&lang=en")
	if !strings.Contains(body, `<h2 id="category-form">Change category vandalism</h2>`) || !strings.Contains(body, `name="code" value="vandalism"`) {
		t.Fatalf("the edit form is not filled with vandalism:\n%s", body)
	}
	a = adminSend(admin, "/admin/categories", url.Values{"code": {"vandalism"}, "editing": {"true"}, "name_ar": {"تخريب الممتلكات"},
		"name_fr": {"Dégradations"}, "name_en": {"Vandalism"}, "priority": {"P2"}})
	if a.status != http.StatusSeeOther {
		t.Fatalf("changing a category: %d\n%s", a.status, a.body)
	}
	cats := adminPack(t, site).Categories
	last := cats[len(cats)-1]
	if last.Code != "stray_animals" || last.Names.AR != "حيوانات ضالة" || last.Priority != yaqaza.P4 {
		t.Errorf("the new category: %+v", last)
	}
	for _, c := range cats {
		if c.Code == "vandalism" && (c.Names.FR != "Dégradations" || c.Priority != yaqaza.P2) {
			t.Errorf("the changed category: %+v", c)
		}
	}
	_, body = admin.get("/admin/categories?done=category&lang=fr")
	if !strings.Contains(body, "La catégorie a été enregistrée.") || !strings.Contains(body, `<td lang="fr">Animaux errants</td>`) {
		t.Error("the categories page does not confirm the save or list the new category")
	}
	admin.get("/lang/ar?back=/admin")
	a = adminSend(admin, "/admin/categories", url.Values{"code": {"x"}, "name_ar": {"س"}, "name_fr": {"X"}, "name_en": {"X"}, "priority": {"P4"}})
	if got := fieldError(a.body, "code"); a.status != http.StatusBadRequest || !strings.HasPrefix(got, "يجب أن يتكون الرمز") {
		t.Errorf("Arabic refusal of a bad code: %d %q", a.status, got)
	}
}

// TestAdminBadInput: every wrong field gets its message beside it, in the
// page's language, with 400, and the store is unchanged.
func TestAdminBadInput(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	admin.get("/lang/fr?back=/admin")
	slaBefore := adminPack(t, site).SLA
	placesBefore := len(adminPack(t, site).Gazetteer)

	form := url.Values{"escalate_after": {"15m"}}
	for _, pr := range []string{"P1", "P2", "P3", "P4"} {
		for _, st := range yaqaza.Stages {
			form.Set(pr+"."+string(st), "1h")
		}
	}
	form.Set("P1.acknowledged", "5")
	form.Set("P2.dispatched", "bientôt")
	form.Set("P3.on_scene", "-10")
	form.Set("P4.resolved", "30") // before P4 on scene (1h)
	a := adminSend(admin, "/admin/sla", form)
	for field, want := range map[string]string{"P2.dispatched": "Durée illisible", "P3.on_scene": "supérieure à zéro",
		"P4.resolved": "Ne peut pas précéder le délai de l&#39;étape « Sur place »"} {
		if got := fieldError(a.body, field); !strings.Contains(got, want) {
			t.Errorf("SLA %s: message %q, want %q", field, got, want)
		}
	}
	if a.status != http.StatusBadRequest || fieldError(a.body, "P1.acknowledged") != "" || !strings.Contains(a.body, `value="bientôt"`) {
		t.Errorf("SLA with bad cells: %d, or a good cell flagged, or the typed values lost", a.status)
	}
	if sla := adminPack(t, site).SLA; sla.Deadlines[yaqaza.P1][yaqaza.StageAcknowledged] != slaBefore.Deadlines[yaqaza.P1][yaqaza.StageAcknowledged] {
		t.Error("a refused SLA changed the policy")
	}

	for _, c := range []struct{ lat, lon, field, want string }{
		{"95", "-4.98", "lat", "La latitude est un nombre entre -90 et 90."},
		{"34.06", "abc", "lon", "La longitude est un nombre entre -180 et 180."},
		{"33.5731", "-7.5898", "lat", "Ce point est hors du ressort de la préfecture."}, // Casablanca
	} {
		a = adminSend(admin, "/admin/places", url.Values{"name": {"Nulle part"}, "lat": {c.lat}, "lon": {c.lon}})
		if got := fieldError(a.body, c.field); a.status != http.StatusBadRequest || got != c.want {
			t.Errorf("place at %s,%s: %d, %s message %q, want %q", c.lat, c.lon, a.status, c.field, got, c.want)
		}
	}
	if n := len(adminPack(t, site).Gazetteer); n != placesBefore {
		t.Errorf("refused places were saved: %d places, want %d", n, placesBefore)
	}

	catsBefore := len(adminPack(t, site).Categories)
	for _, c := range []struct {
		form        url.Values
		field, want string
	}{
		{url.Values{"code": {"Chiens errants"}, "name_ar": {"كلاب"}, "name_fr": {"Chiens"}, "name_en": {"Dogs"}, "priority": {"P4"}},
			"code", "Le code doit compter de 2 à 32 lettres minuscules"},
		{url.Values{"code": {"stray_dogs"}, "name_ar": {"كلاب"}, "name_fr": {""}, "name_en": {"Dogs"}, "priority": {"P4"}},
			"name_fr", "Le nom dans cette langue est obligatoire."},
		{url.Values{"code": {"stray_dogs"}, "name_ar": {"كلاب"}, "name_fr": {"Chiens"}, "name_en": {strings.Repeat("d", 81)}, "priority": {"P4"}},
			"name_en", "Le nom dépasse 80 caractères."},
		{url.Values{"code": {"stray_dogs"}, "name_ar": {"كلاب"}, "name_fr": {"Chiens"}, "name_en": {"Dogs"}, "priority": {"P9"}},
			"priority", "Choisissez une priorité de P1 à P4."},
	} {
		a = adminSend(admin, "/admin/categories", c.form)
		if got := fieldError(a.body, c.field); a.status != http.StatusBadRequest || !strings.HasPrefix(got, c.want) {
			t.Errorf("category %v: %d, %s message %q, want %q", c.form, a.status, c.field, got, c.want)
		}
	}
	if n := len(adminPack(t, site).Categories); n != catsBefore {
		t.Errorf("refused categories were saved: %d, want %d", n, catsBefore)
	}

	site.staff(t, "taken", yaqaza.RoleDispatcher)
	for _, c := range []struct {
		form        url.Values
		field, want string
	}{
		{url.Values{"username": {"Bad User!"}, "display_name": {"X"}, "role": {"dispatcher"}}, "username", "De 2 à 40 caractères"},
		{url.Values{"username": {"taken"}, "display_name": {"X"}, "role": {"dispatcher"}}, "username", "Ce nom est déjà pris."},
		{url.Values{"username": {"newbie"}, "display_name": {"X"}, "role": {"superuser"}}, "role", "Choisissez un rôle de la liste."},
		{url.Values{"username": {"newbie"}, "display_name": {"X"}, "role": {"dispatcher"}, "zones": {"99.999"}}, "zones", "La zone 99.999 n&#39;existe pas"},
	} {
		a = adminSend(admin, "/admin/accounts", c.form)
		if got := fieldError(a.body, c.field); a.status != http.StatusBadRequest || !strings.HasPrefix(got, c.want) {
			t.Errorf("account %v: %d, %s message %q, want %q", c.form, a.status, c.field, got, c.want)
		}
	}
	if adminUser(t, site, "newbie") != nil || adminUser(t, site, "bad user!") != nil {
		t.Error("a refused account was created")
	}
	a = adminSend(admin, "/admin/tokens", url.Values{"name": {"X"}, "role": {"superuser"}})
	if got := fieldError(a.body, "role"); a.status != http.StatusBadRequest || got != "Choisissez un rôle de la liste." {
		t.Errorf("token with an unknown role: %d, %q", a.status, got)
	}
	a = adminSend(admin, "/admin/tokens", url.Values{"name": {""}, "role": {"dispatcher"}, "expires": {"2001-01-01"}})
	if fieldError(a.body, "name") == "" || fieldError(a.body, "expires") != "Choisissez une date à venir." {
		t.Errorf("token without a name and with a past expiry: name %q, expires %q", fieldError(a.body, "name"), fieldError(a.body, "expires"))
	}
	if n := len(adminTokens(t, site)); n != 0 {
		t.Errorf("%d tokens stored from refused forms", n)
	}

	// In Arabic, the same refusal reads in Arabic.
	admin.get("/lang/ar?back=/admin")
	a = adminSend(admin, "/admin/accounts", url.Values{"username": {"newbie"}, "display_name": {"X"}, "role": {"superuser"}})
	if got := fieldError(a.body, "role"); got != "اختر دورا من القائمة." || !strings.Contains(a.body, `dir="rtl"`) {
		t.Errorf("Arabic page: role message %q", got)
	}
}

// TestAdminForbidden: the operational roles reach no admin page and no
// admin change, even with a valid CSRF token; nothing posted without the
// token is accepted, even from the admin.
func TestAdminForbidden(t *testing.T) {
	site := startBrowserSite(t)
	admin := site.staff(t, "root", yaqaza.RoleAdmin)
	units, _ := site.Units.FindUnits(site.system(), yaqaza.UnitFilter{})
	posts := map[string]url.Values{
		"/admin/places":                {"name": {"Intrus"}},
		"/admin/categories":            {"code": {"intrus"}, "name_ar": {"د"}, "name_fr": {"I"}, "name_en": {"I"}, "priority": {"P1"}},
		"/admin/sla":                   {"P1.acknowledged": {"1"}},
		"/admin/tokens":                {"name": {"intrus"}, "role": {"admin"}},
		"/admin/tokens/1/revoke":       {},
		"/admin/accounts":              {"username": {"intrus"}, "display_name": {"I"}, "role": {"admin"}},
		"/admin/accounts/root/disable": {},
		"/admin/accounts/root/reset":   {},
		fmt.Sprintf("/admin/units/%d/status", units[0].ID):   {"status": {"off_duty"}},
		fmt.Sprintf("/admin/units/%d/position", units[0].ID): {"lat": {"34.05"}, "lon": {"-5.0"}},
	}
	_, secret, err := sqlstore.NewTokenService(site.DB).CreateToken(site.system(), yaqaza.TokenInput{Name: "existing", Role: yaqaza.RoleAnalyst})
	if err != nil {
		t.Fatal(err)
	}
	for _, who := range []*staffClient{
		site.staff(t, "disp", yaqaza.RoleDispatcher),
		site.staff(t, "head", yaqaza.RoleDistrictHead, adminMedina),
	} {
		for path := range adminPages {
			if st, _ := who.get(path); st != http.StatusForbidden {
				t.Errorf("GET %s as a non-admin: %d, want 403", path, st)
			}
		}
		for path, form := range posts {
			if a := adminSend(who, path, form); a.status != http.StatusForbidden {
				t.Errorf("POST %s as a non-admin: %d, want 403", path, a.status)
			}
		}
	}
	for path, form := range posts {
		if st, _ := admin.postForm(path, form); st != http.StatusForbidden {
			t.Errorf("POST %s without the CSRF token: %d, want 403", path, st)
		}
	}
	// Nothing of it reached the store.
	if adminUser(t, site, "intrus") != nil || adminUser(t, site, "root").Disabled {
		t.Error("a refused post changed accounts")
	}
	if ts := adminTokens(t, site); len(ts) != 1 || ts[0].RevokedAt != nil || bearerStatus(t, site, secret) != http.StatusOK {
		t.Error("a refused post changed tokens")
	}
	if pack := adminPack(t, site); slices.ContainsFunc(pack.Gazetteer, func(p yaqaza.Place) bool { return p.Name == "Intrus" }) ||
		pack.SLA.Deadlines[yaqaza.P1][yaqaza.StageAcknowledged] != yaqaza.Duration(time.Minute) {
		t.Error("a refused post changed the configuration")
	}
	// Signed out, an admin page asks to sign in.
	if st := site.status(t, "/admin/sla"); st != http.StatusSeeOther {
		t.Errorf("GET /admin/sla signed out: %d, want 303 to sign in", st)
	}
}

// TestAdminInBrowser: every admin page loads in Chromium, in Arabic, with
// no script error, CSP violation or outside request; the zones map draws
// the districts, and a click on it fills the new place's point.
func TestAdminInBrowser(t *testing.T) {
	site := startBrowserSite(t)
	b := newBrowser(t, site)
	tb := b.signedIn(t, "root", yaqaza.RoleAdmin, "ar")
	for path := range adminPages {
		if st := tb.open(path); st != http.StatusOK {
			tb.fail("open "+path, fmt.Errorf("status %d", st))
		}
		tb.checkDirection("ar")
	}
	tb.open("/admin/zones")
	tb.settle()
	if d := value(tb, "read the map's direction", chromedp.Evaluate[string](`getComputedStyle(document.getElementById("zones-map")).direction`)); d != "ltr" {
		tb.fail("check the map", fmt.Errorf("direction %q, want ltr", d))
	}
	tb.do("pick a point and name the place", chromedp.Click(chromedp.ID("zones-map")),
		chromedp.SendKeys(chromedp.ID("f-name"), "Derb Navigateur"))
	if lat := value(tb, "read the latitude", chromedp.Evaluate[string](`document.getElementById("f-lat").value`)); lat == "" {
		tb.fail("fill the point from the map", fmt.Errorf("latitude still empty"))
	}
	tb.load("add the place", chromedp.Click(chromedp.CSS(`form[action="/admin/places"] button[type="submit"]`)))
	if got := tb.text(".notice"); got != catalogText(t, "admin.done.place", "ar") {
		tb.fail("see the confirmation", fmt.Errorf("notice %q", got))
	}
	pack := adminPack(t, site)
	if pl := pack.Gazetteer[len(pack.Gazetteer)-1]; pl.Name != "Derb Navigateur" || pl.Point == nil {
		t.Errorf("stored place %+v, want Derb Navigateur with the clicked point", pl)
	}
}

// tableRow is the <tr> of body that holds text.
func tableRow(body, text string) string {
	i := strings.Index(body, text)
	if i < 0 {
		return ""
	}
	start := strings.LastIndex(body[:i], "<tr")
	end := strings.Index(body[i:], "</tr>")
	if start < 0 || end < 0 {
		return ""
	}
	return body[start : i+end]
}
