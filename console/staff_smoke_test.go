package console_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// TestStaffSignIn: a dispatcher signs in, sets a password, and reaches a
// staff page; a form posted without the CSRF token is refused.
func TestStaffSignIn(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "disp1", yaqaza.RoleDispatcher)
	st, body := c.get("/password")
	if st != http.StatusOK || !strings.Contains(body, "disp1") {
		t.Fatalf("password page after sign-in: %d", st)
	}
	if st, _ := c.postForm("/password", map[string][]string{"current": {staffPassword}, "new": {"Another-long-pass-99"}, "again": {"Another-long-pass-99"}}); st != http.StatusForbidden {
		t.Errorf("a post without the CSRF token answered %d, want 403", st)
	}
}
