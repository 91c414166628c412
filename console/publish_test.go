package console_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
)

const publishAgdal = "03.231.01.01" // a district that is not the Médina

// publishCatalogText is a message of publish.json in a language, up to its
// first verb, so that formatted ones match too.
func publishCatalogText(t *testing.T, key, lang string) string {
	t.Helper()
	b, err := os.ReadFile("i18n/publish.json")
	if err != nil {
		t.Fatal(err)
	}
	var cat map[string]map[string]string
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	s, ok := cat[key][lang]
	if !ok {
		t.Fatalf("no %s text for %s", lang, key)
	}
	s, _, _ = strings.Cut(s, "%")
	return html.EscapeString(s)
}

// anonymousGet fetches a page as a visitor without an account.
func anonymousGet(t *testing.T, site *browserSite, path string) (int, string) {
	t.Helper()
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Get(site.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func clearedAt(t *testing.T, site *browserSite, id int64) *time.Time {
	t.Helper()
	return mustIncident(t, site, id).ClearedAt
}

// TestPublicationClearance: the command clears an incident on its page and
// withdraws it; a district head of another zone, a dispatcher and a post
// without the CSRF token change nothing.
func TestPublicationClearance(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Bagarre devant le café, deux blessés légers", inMedina, yaqaza.P3)
	page := fmt.Sprintf("/incidents/%d", id)
	action := page + "/publication"

	cmd := site.staff(t, "pub-command", yaqaza.RoleCommand)
	cmd.get("/lang/en?back=/password") // the redirect after the form keeps to English
	st, body := cmd.get(page + "?lang=en")
	if st != http.StatusOK || !strings.Contains(body, `data-publication="not-cleared"`) || !strings.Contains(body, `action="`+action+`"`) {
		t.Fatalf("incident page for the command: %d, no publication block with a clear button:\n%s", st, body)
	}
	st, body = cmd.post(action+"?lang=en", url.Values{"cleared": {"true"}})
	if st != http.StatusOK || !strings.Contains(body, `data-publication="cleared"`) || !strings.Contains(body, "Cleared for publication") {
		t.Fatalf("clearing: %d, the page does not show it cleared:\n%s", st, body)
	}
	if clearedAt(t, site, id) == nil {
		t.Fatal("clearing: ClearedAt not stored")
	}
	if !strings.Contains(body, `data-action="withdraw-publication"`) {
		t.Error("a cleared incident offers no withdrawal")
	}

	head := site.staff(t, "pub-head-agdal", yaqaza.RoleDistrictHead, publishAgdal)
	if st, _ := head.post(action, url.Values{"cleared": {"false"}}); st != http.StatusForbidden {
		t.Errorf("a district head of another zone withdrawing: %d, want 403", st)
	}
	disp := site.staff(t, "pub-dispatcher", yaqaza.RoleDispatcher)
	if st, _ := disp.post(action, url.Values{"cleared": {"false"}}); st != http.StatusForbidden {
		t.Errorf("a dispatcher withdrawing: %d, want 403", st)
	}
	if _, body := disp.get(page); strings.Contains(body, `action="`+action+`"`) {
		t.Error("the dispatcher is offered the clearance button")
	}
	if st, _ := cmd.postForm(action, url.Values{"cleared": {"false"}}); st != http.StatusForbidden {
		t.Errorf("withdrawing without the CSRF token: %d, want 403", st)
	}
	if clearedAt(t, site, id) == nil {
		t.Fatal("a refused withdrawal changed the clearance")
	}

	st, body = cmd.post(action, url.Values{"cleared": {"false"}})
	if st != http.StatusOK || !strings.Contains(body, `data-publication="not-cleared"`) {
		t.Fatalf("withdrawing: %d, the page does not show it withdrawn", st)
	}
	if clearedAt(t, site, id) != nil {
		t.Fatal("withdrawing: ClearedAt still set")
	}
	// The other district's head may not clear it either.
	if st, _ := head.post(action, url.Values{"cleared": {"true"}}); st != http.StatusForbidden || clearedAt(t, site, id) != nil {
		t.Errorf("a district head of another zone clearing: %d, cleared=%v; want 403 and nothing changed", st, clearedAt(t, site, id) != nil)
	}
}

// TestPublicationStatements: the communications office sees cleared
// incidents only, publishes a statement that is kept and shown redacted,
// and the public reads it on /news.
func TestPublicationStatements(t *testing.T) {
	site := startBrowserSite(t)
	cleared := openIncident(t, site, "Incendie d'un véhicule près de Bab Boujloud", inMedina, yaqaza.P2)
	hidden := openIncident(t, site, "Vol à l'arraché sur l'avenue, la victime est choquée", inAgdal, yaqaza.P3)
	if _, err := site.Incidents.ClearForPublication(site.system(), cleared, true); err != nil {
		t.Fatal(err)
	}
	comm := site.staff(t, "pub-comm", yaqaza.RoleCommunication)
	comm.get("/lang/en?back=/password")
	st, body := comm.get("/publications?lang=en")
	if st != http.StatusOK {
		t.Fatalf("/publications: %d\n%s", st, body)
	}
	if !strings.Contains(body, fmt.Sprintf(`id="incident-%d"`, cleared)) || strings.Contains(body, fmt.Sprintf(`id="incident-%d"`, hidden)) {
		t.Errorf("/publications should list %d and not %d", cleared, hidden)
	}
	if !strings.Contains(body, "Phone numbers, e-mail addresses and ID card numbers are removed automatically") {
		t.Error("/publications does not say what is removed from statements")
	}

	const phone, email = "0612345678", "temoin.fes@example.ma"
	text := "Un véhicule a pris feu, aucun blessé. Témoin : " + phone + ", " + email + "."
	path := fmt.Sprintf("/publications/%d/statement?lang=en", cleared)
	st, body = comm.post(path, url.Values{"language": {"fr"}, "text": {text}})
	if st != http.StatusOK || !strings.Contains(body, fmt.Sprintf(`data-done="%d"`, cleared)) {
		t.Fatalf("publishing: %d, no confirmation:\n%s", st, body)
	}
	stored := mustIncident(t, site, cleared).Statements
	if len(stored) != 1 || stored[0].Language != "fr" || !strings.Contains(stored[0].Text, "aucun blessé") {
		t.Fatalf("stored statements: %+v", stored)
	}
	kept := stored[0].Text
	if strings.Contains(kept, phone) || strings.Contains(kept, email) {
		t.Fatalf("the stored statement keeps personal data: %q", kept)
	}
	if !strings.Contains(body, html.EscapeString(kept)) || strings.Contains(body, phone) || strings.Contains(body, email) {
		t.Errorf("/publications does not show the statement as stored (redacted)")
	}

	// The incident page shows what was published, and leads the office to the form.
	st, body = comm.get(fmt.Sprintf("/incidents/%d", cleared))
	if st != http.StatusOK || !strings.Contains(body, html.EscapeString(kept)) ||
		!strings.Contains(body, fmt.Sprintf(`href="/publications#incident-%d"`, cleared)) {
		t.Errorf("the incident page for the communications office: %d, no statement or no link to publish", st)
	}

	st, body = anonymousGet(t, site, "/news?lang=en")
	if st != http.StatusOK || !strings.Contains(body, html.EscapeString(kept)) {
		t.Fatalf("/news: %d, the statement is not shown:\n%s", st, body)
	}
	if strings.Contains(body, phone) || strings.Contains(body, email) || strings.Contains(body, "pub-comm") {
		t.Error("/news shows personal data")
	}
	pack, err := sqlstore.NewPackService(site.DB).CurrentPack(site.system())
	if err != nil {
		t.Fatal(err)
	}
	inc := mustIncident(t, site, cleared)
	for _, z := range pack.Zones {
		if z.Code == inc.ZoneCode && !strings.Contains(body, html.EscapeString(z.Names.In("en"))) {
			t.Errorf("/news does not name the zone %s", z.Names.In("en"))
		}
	}
	for _, c := range pack.Categories {
		if c.Code == inc.Category && !strings.Contains(body, html.EscapeString(c.Names.In("en"))) {
			t.Errorf("/news does not name the category %s", c.Names.In("en"))
		}
	}

	// Refusals save nothing.
	disp := site.staff(t, "pub-disp", yaqaza.RoleDispatcher)
	if st, _ := disp.post(path, url.Values{"language": {"fr"}, "text": {"Communiqué"}}); st != http.StatusForbidden {
		t.Errorf("a dispatcher publishing: %d, want 403", st)
	}
	if st, _ := disp.get("/publications"); st != http.StatusForbidden {
		t.Errorf("a dispatcher on /publications: %d, want 403", st)
	}
	if st, _ := comm.postForm(path, url.Values{"language": {"fr"}, "text": {"Communiqué"}}); st != http.StatusForbidden {
		t.Errorf("publishing without the CSRF token: %d, want 403", st)
	}
	if st, _ := comm.post(fmt.Sprintf("/publications/%d/statement?lang=en", hidden), url.Values{"language": {"fr"}, "text": {"Communiqué"}}); st != http.StatusConflict {
		t.Errorf("publishing on an incident not cleared: %d, want 409", st)
	}
	if n := len(mustIncident(t, site, cleared).Statements) + len(mustIncident(t, site, hidden).Statements); n != 1 {
		t.Errorf("refused statements were saved: %d statements, want 1", n)
	}
}

// TestPublicationStatementErrors: wrong input is told beside its field in
// the writer's language, and nothing is published.
func TestPublicationStatementErrors(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Accident entre un bus et une moto au carrefour", inMedina, yaqaza.P2)
	if _, err := site.Incidents.ClearForPublication(site.system(), id, true); err != nil {
		t.Fatal(err)
	}
	comm := site.staff(t, "pub-comm-err", yaqaza.RoleCommunication)
	cases := []struct {
		name, field, key string
		form             url.Values
	}{
		{"empty text", "text", "publish.err.text.required", url.Values{"language": {"ar"}, "text": {"   "}}},
		{"unknown language", "language", "publish.err.language", url.Values{"language": {"de"}, "text": {"Communiqué"}}},
		{"too long", "text", "publish.err.text.long", url.Values{"language": {"fr"}, "text": {strings.Repeat("é", 2001)}}},
	}
	for _, lang := range []string{"ar", "fr", "en"} {
		for _, tc := range cases {
			st, body := comm.post(fmt.Sprintf("/publications/%d/statement?lang=%s", id, lang), tc.form)
			if st != http.StatusBadRequest {
				t.Errorf("%s in %s: %d, want 400", tc.name, lang, st)
				continue
			}
			beside := fmt.Sprintf(`<p class="error" id="e-%s-%d" role="alert">%s`, tc.field, id, publishCatalogText(t, tc.key, lang))
			if !strings.Contains(body, beside) {
				t.Errorf("%s in %s: no message beside the %s field (want %q)", tc.name, lang, tc.field, beside)
			}
		}
	}
	if n := len(mustIncident(t, site, id).Statements); n != 0 {
		t.Errorf("refused statements were saved: %d", n)
	}
}

// TestNewsLanguageFirst: of an incident's statements, the visitor's
// language comes first.
func TestNewsLanguageFirst(t *testing.T) {
	site := startBrowserSite(t)
	id := openIncident(t, site, "Inondation de la chaussée près de la médina", inMedina, yaqaza.P3)
	if _, err := site.Incidents.ClearForPublication(site.system(), id, true); err != nil {
		t.Fatal(err)
	}
	comm := site.staff(t, "pub-comm-news", yaqaza.RoleCommunication)
	for lang, text := range map[string]string{"fr": "La chaussée est fermée.", "en": "The road is closed."} {
		if st, body := comm.post(fmt.Sprintf("/publications/%d/statement", id), url.Values{"language": {lang}, "text": {text}}); st != http.StatusOK {
			t.Fatalf("publishing in %s: %d\n%s", lang, st, body)
		}
	}
	for lang, first := range map[string]string{"fr": "La chaussée est fermée.", "en": "The road is closed."} {
		other := "The road is closed."
		if lang == "en" {
			other = "La chaussée est fermée."
		}
		_, body := anonymousGet(t, site, "/news?lang="+lang)
		a, b := strings.Index(body, html.EscapeString(first)), strings.Index(body, html.EscapeString(other))
		if a < 0 || b < 0 || a > b {
			t.Errorf("/news in %s: %q at %d, %q at %d; want the %s statement first", lang, first, a, other, b, lang)
		}
	}
	if _, body := anonymousGet(t, site, "/news?lang=ar"); strings.Contains(body, "⟦") {
		t.Error("/news shows a missing catalog key")
	}
}
