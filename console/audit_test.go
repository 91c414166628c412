package console_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

var (
	auditRowAction = regexp.MustCompile(`<tr data-action="([^"]*)">\s*<td class="num">(\d+)</td>`)
	auditNextLink  = regexp.MustCompile(`<a class="button" href="([^"]*)" rel="next">`)
)

// auditRows are the (id, action) of the entries a page lists.
func auditRows(body string) (ids []int64, actions []string) {
	for _, m := range auditRowAction.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(m[2], 10, 64)
		ids, actions = append(ids, id), append(actions, m[1])
	}
	return ids, actions
}

// TestAuditPage: the auditor finds the sign-ins, filters by action, pages
// back through the trail and verifies the chain; other roles and posts
// without the CSRF token are refused.
func TestAuditPage(t *testing.T) {
	site := startBrowserSite(t)
	site.staff(t, "disp-audit", yaqaza.RoleDispatcher)
	auditor := site.staff(t, "aud1", yaqaza.RoleAuditor)

	st, body := auditor.get("/audit?lang=en")
	if st != http.StatusOK {
		t.Fatalf("audit page: %d\n%s", st, body)
	}
	if _, actions := auditRows(body); !strings.Contains(strings.Join(actions, " "), "session.signin") ||
		!strings.Contains(body, "disp-audit") || !strings.Contains(body, "Audit trail") {
		t.Fatalf("the auditor does not see the sign-ins: %v", actions)
	}

	// Filtered by action: only sign-ins, one each for the two people (with
	// their roles, localized).
	st, body = auditor.get("/audit?lang=fr&action=session.signin")
	_, actions := auditRows(body)
	if st != http.StatusOK || len(actions) < 2 {
		t.Fatalf("sign-ins: %d, %v", st, actions)
	}
	for _, a := range actions {
		if a != "session.signin" {
			t.Errorf("filtered by session.signin, the page lists %s", a)
		}
	}
	if !strings.Contains(body, "Auditeur") || !strings.Contains(body, "Journal d&#39;audit") {
		t.Errorf("the French page does not name the auditor's role")
	}
	if st, body := auditor.get("/audit?lang=en&action=session.signin&from=2026-02-30"); st != http.StatusBadRequest ||
		!regexp.MustCompile(`id="e-from" role="alert">Not a valid date`).MatchString(body) {
		t.Errorf("a bad date: %d, no message beside the field", st)
	}

	// Every search is itself an entry: enough of them make two pages, the
	// second older than the first.
	for range 55 {
		auditor.get("/audit?action=audit.search")
	}
	_, body = auditor.get("/audit?lang=en&action=audit.search")
	first, _ := auditRows(body)
	next := auditNextLink.FindStringSubmatch(body)
	if len(first) != 50 || next == nil {
		t.Fatalf("first page of searches: %d rows, next link %v", len(first), next)
	}
	u := html.UnescapeString(next[1])
	if q, _ := url.Parse(u); q.Query().Get("action") != "audit.search" || q.Query().Get("cursor") == "" {
		t.Fatalf("the next link %s loses the search or the cursor", u)
	}
	_, body = auditor.get(u)
	second, actions := auditRows(body)
	if len(second) == 0 || second[0] >= first[len(first)-1] || actions[0] != "audit.search" {
		t.Fatalf("second page %v after %v", second, first)
	}

	// The chain holds.
	st, body = auditor.post("/audit/verify?lang=en", url.Values{})
	if st != http.StatusOK || !strings.Contains(body, `data-ok="true"`) || !strings.Contains(body, "The chain is intact.") {
		t.Fatalf("verify: %d\n%s", st, body)
	}
	if st, _ := auditor.postForm("/audit/verify", url.Values{}); st != http.StatusForbidden {
		t.Errorf("verify without the CSRF token: %d, want 403", st)
	}

	// Someone with the database lifts the guard and edits entry 2: the
	// page names it.
	raw := site.DB.Handle()
	for _, q := range []string{`DROP TRIGGER audit_log_no_update`, `UPDATE audit_log SET detail = 'nothing happened' WHERE id = 2`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	st, body = auditor.post("/audit/verify?lang=fr", url.Values{})
	if st != http.StatusOK || !strings.Contains(body, `data-ok="false"`) || !strings.Contains(body, "La chaîne est rompue à l&#39;entrée n° 2.") {
		t.Errorf("verify after an edit: %d\n%s", st, body)
	}

	dispatcher := site.staff(t, "disp2", yaqaza.RoleDispatcher)
	if st, body := dispatcher.get("/audit?lang=en"); st != http.StatusForbidden || !strings.Contains(body, "Not allowed") {
		t.Errorf("a dispatcher's audit page: %d", st)
	}
	if st, _ := dispatcher.post("/audit/verify", url.Values{}); st != http.StatusForbidden {
		t.Errorf("a dispatcher's verify: %d, want 403", st)
	}
}
