package console_test

// The browser tests: pages as people use them, in a real Chromium, with
// every tab watched for script errors and requests off the node (see
// browser_harness_test.go). The citizen's side is here; the staff pages
// are in browser_staff_test.go.

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/yaqaza/yaqaza"
)

// A burglary is P3 in the Fès pack, by day and by night (night raises
// offences against persons only): it opens an incident that waits on the
// dispatcher's queue, whenever the test runs (P1 incidents are dispatched
// automatically).
const (
	theftAR = "شفرو الحانوت ديالي قرب باب بوجلود، هرسو الباب وداو السلعة"
	placeAR = "باب بوجلود"
)

// trackingCodeForm is how the tracked page shows a code: 7KQM-9XPR-A3TD.
var trackingCodeForm = regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`)

// TestBrowserCitizenReport: a citizen reports a burglary in Arabic, right to
// left, and gets a tracking code that leads to the report; an empty text
// is refused in Arabic beside the field, and nothing is saved.
func TestBrowserCitizenReport(t *testing.T) {
	site := startBrowserSite(t)
	b := newBrowser(t, site)
	tab := b.tab(t)

	// An empty text first: refused beside the field, nothing saved.
	tab.language("ar", "/")
	tab.do("leave a place only", chromedp.SendKeys(chromedp.ID("f-place"), placeAR))
	if st := tab.submitReport(); st != http.StatusBadRequest {
		tab.fail("submit an empty text", fmt.Errorf("answered %d, want 400", st))
	}
	tab.checkDirection("ar")
	if got, want := tab.text("#e-text"), catalogText(t, "form.text.required", "ar"); got != want {
		tab.fail("read the error beside the text", fmt.Errorf("got %q, want %q", got, want))
	}
	if got := value(tab, "read the place typed", chromedp.Value(chromedp.ID("f-place"))); got != placeAR {
		t.Errorf("the refused form lost the place: got %q, want %q", got, placeAR)
	}
	if n := len(site.incidents(t, "")); n != 0 {
		t.Fatalf("an empty report saved %d incidents", n)
	}

	// The report as it should be: text, place, and a point on the map.
	tab.open("/")
	tab.checkDirection("ar")
	tab.settle()
	tab.do("type the report", chromedp.SendKeys(chromedp.ID("f-text"), theftAR),
		chromedp.SendKeys(chromedp.ID("f-place"), placeAR), chromedp.Click(chromedp.ID("pick-map")))
	if got := value(tab, "read the text typed", chromedp.Value(chromedp.ID("f-text"))); got != theftAR {
		tab.fail("type Arabic", fmt.Errorf("the text field holds %q", got))
	}
	if lat := value(tab, "read the point", chromedp.Value(chromedp.ID("f-lat"))); lat == "" {
		tab.fail("pick a point on the map", fmt.Errorf("a click on the map left no latitude"))
	}
	tab.screenshot("citizen-ar")
	if st := tab.submitReport(); st != http.StatusOK {
		tab.fail("submit the report", fmt.Errorf("answered %d, want 200", st))
	}
	code := tab.trackingCode()
	tab.checkDirection("ar")
	shown := tab.text("#track-status")
	tab.screenshot("tracked-ar")
	tab.open("/track")
	tab.checkDirection("ar")
	tab.screenshot("track-ar")

	incs := site.incidents(t, "")
	if len(incs) != 1 {
		t.Fatalf("after one report the store holds %d incidents, want 1", len(incs))
	}
	inc, err := site.Incidents.FindIncidentByID(site.system(), incs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(inc.Reports) != 1 || inc.Reports[0].Text != theftAR || inc.Reports[0].Channel != yaqaza.ChannelWeb || inc.Reports[0].Location == nil {
		t.Errorf("the stored report is not what was typed (text, web channel, point): %+v", inc.Reports)
	}
	view, err := site.Tracking.TrackReport(site.system(), code, "ar")
	if err != nil {
		t.Fatalf("the code %s shown to the citizen does not track the report: %v", code, err)
	}
	if shown != view.Label {
		t.Errorf("the tracked page showed %q, the store says %q", shown, view.Label)
	}

	// The same pages in French, left to right; the report found again
	// through the tracking form.
	tab.language("fr", "/")
	tab.screenshot("citizen-fr")
	tab.open("/track")
	tab.checkDirection("fr")
	tab.screenshot("track-fr")
	tab.do("type the code", chromedp.SendKeys(chromedp.ID("f-code"), code))
	if st := tab.load("look the code up", chromedp.Click(chromedp.CSS(`form[action="/track"] button[type="submit"]`))); st != http.StatusOK {
		tab.fail("look the code up", fmt.Errorf("answered %d", st))
	}
	if p := tab.path(); p != "/track/"+code {
		tab.fail("look the code up", fmt.Errorf("landed on %s, want /track/%s", p, code))
	}
	tab.checkDirection("fr")
	if got, want := tab.text("#track-status"), yaqaza.PublicStatusOf(inc.Status).Label("fr"); got != want {
		t.Errorf("the tracked page in French shows %q, want %q", got, want)
	}
	tab.screenshot("tracked-fr")
}

// submitReport sends the citizen's form and returns the answer's status.
func (tb *browserTab) submitReport() int64 {
	tb.t.Helper()
	return tb.load("send the report", chromedp.Click(chromedp.CSS(`form[action="/report"] button[type="submit"]`)))
}

// trackingCode reads the code the page gives after a report, and checks
// that the page is that code's.
func (tb *browserTab) trackingCode() string {
	tb.t.Helper()
	code := tb.text(".notice .code-big")
	if !trackingCodeForm.MatchString(code) {
		tb.fail("read the tracking code", fmt.Errorf("%q is not a tracking code", code))
	}
	if p := tb.path(); p != "/track/"+code {
		tb.fail("land on the tracking page", fmt.Errorf("on %s, want /track/%s", p, code))
	}
	return code
}

// signedIn opens a tab in lang for a new staff account of the role,
// signed in through the sign-in page as a person does: the one-time
// password, then the new password a first sign-in demands. It ends on
// the page the console sends staff to after that (the board).
func (b *browser) signedIn(t *testing.T, username string, role yaqaza.Role, lang string) *browserTab {
	t.Helper()
	otp := b.site.createUser(t, username, username, role)
	tb := b.tab(t)
	tb.language(lang, "/signin")
	// Typed as a password manager fills them: key by key costs seconds.
	tb.do("fill in the one-time password", chromedp.SetValue(chromedp.ID("f-username"), username),
		chromedp.SetValue(chromedp.ID("f-password"), otp))
	tb.load("sign in", chromedp.Click(chromedp.CSS(`form[action="/signin"] button[type="submit"]`)))
	if p := tb.path(); p != "/password" {
		tb.fail("sign in for the first time", fmt.Errorf("landed on %s, want /password", p))
	}
	tb.checkDirection(lang)
	tb.do("choose a password", chromedp.SetValue(chromedp.ID("f-current"), otp),
		chromedp.SetValue(chromedp.ID("f-new"), staffPassword), chromedp.SetValue(chromedp.ID("f-again"), staffPassword))
	tb.load("set the password", chromedp.Click(chromedp.CSS(`form[action="/password"] button[type="submit"]`)))
	if p := tb.path(); p == "/password" || p == "/signin" {
		tb.fail("set the password", fmt.Errorf("still on %s", p))
	}
	return tb
}

// catalogText is a label as the console's catalog has it, read from the
// files themselves so that a test checks the text a person reads.
func catalogText(t *testing.T, key, lang string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("i18n", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalog files in console/i18n: %v", err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cat map[string]map[string]string
		if err := json.Unmarshal(b, &cat); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if s, ok := cat[key][lang]; ok {
			return strings.TrimSpace(s)
		}
	}
	t.Fatalf("the catalog has no %s text for %q", lang, key)
	return ""
}
