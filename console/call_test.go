package console_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/yaqaza/yaqaza"
)

// The call-taker's form, over HTTP as a browser without scripts sends it
// (the htmx requests as htmx sends them): what is saved, what is shown,
// what is refused.

var (
	callFormToken = regexp.MustCompile(`name="form_token" value="([0-9a-f]{32})"`)
	callDoneRe    = regexp.MustCompile(`data-report-id="(\d+)" data-incident-id="(\d+)"`)
	callMedina    = "03.231.01.07"
	callZouagha   = "03.231.01.13"
	callCatalog   map[string]map[string]string
	callTextPlus  = "Vol de portefeuille à l'arraché, le voleur est parti en scooter"
)

// callText is a message of the call page's catalog, as the page shows it.
func callText(t *testing.T, key, lang string, args ...any) string {
	t.Helper()
	if callCatalog == nil {
		b, err := os.ReadFile("i18n/call.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &callCatalog); err != nil {
			t.Fatal(err)
		}
	}
	s, ok := callCatalog[key][lang]
	if !ok {
		t.Fatalf("no %s text for %s", lang, key)
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// callBeside is the error shown beside a field (the element id="e-<field>").
func callBeside(body, field string) string {
	m := regexp.MustCompile(`id="e-` + regexp.QuoteMeta(field) + `" role="alert">([^<]*)</p>`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// callNew opens the form and returns its fields with the form's token.
func callNew(t *testing.T, c *staffClient, fields url.Values) url.Values {
	t.Helper()
	st, body := c.get("/call")
	if st != http.StatusOK {
		t.Fatalf("GET /call: %d", st)
	}
	m := callFormToken.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the call form has no form token:\n%s", body)
	}
	fields.Set("form_token", m[1])
	return fields
}

// callSaved reads the confirmation: the report id and its incident.
func callSaved(t *testing.T, body string) (report, incident int64) {
	t.Helper()
	m := callDoneRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no confirmation of a saved call on the page:\n%s", body)
	}
	report, _ = strconv.ParseInt(m[1], 10, 64)
	incident, _ = strconv.ParseInt(m[2], 10, 64)
	return report, incident
}

// callReportCount is how many reports the store holds (incidents merged away
// have handed theirs to the survivor).
func callReportCount(t *testing.T, site *browserSite) int {
	t.Helper()
	n := 0
	for _, inc := range site.incidents(t, "") {
		if inc.Status != yaqaza.StatusMerged {
			n += inc.ReportCount
		}
	}
	return n
}

func callSeed(t *testing.T, site *browserSite, in *yaqaza.ReportInput) *yaqaza.Incident {
	t.Helper()
	if in.Channel == "" {
		in.Channel = yaqaza.ChannelCall
	}
	rec, err := site.Reports.SubmitReport(site.system(), in)
	if err != nil {
		t.Fatal(err)
	}
	inc, err := site.Incidents.FindIncidentByID(site.system(), rec.IncidentID)
	if err != nil {
		t.Fatal(err)
	}
	return inc
}

func TestCallSavedWithGazetteerPlace(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	c.get("/lang/fr?back=/call")
	st, body := c.get("/call")
	if st != http.StatusOK || !strings.Contains(body, `<textarea id="f-text" name="text"`) || !strings.Contains(body, "autofocus") ||
		!strings.Contains(body, `data-pick="true"`) || !strings.Contains(body, `id="f-lat"`) || !strings.Contains(body, `dir="ltr"`) {
		t.Fatalf("GET /call: %d, not the call form:\n%s", st, body)
	}

	before := callReportCount(t, site)
	form := callNew(t, c, url.Values{"text": {callTextPlus}, "place": {"Bab Boujloud"},
		"phone": {"٠٦٦١ ٢٣ ٤٥ ٦٧"}, "name": {"Karim B."}})
	// The answer is a redirect that names the report, nothing the caller said.
	noFollow := &http.Client{Jar: c.http.Jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form.Set("csrf_token", c.csrf)
	resp, err := noFollow.PostForm(site.URL+"/call", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusSeeOther || !regexp.MustCompile(`^/call\?done=\d+$`).MatchString(loc) {
		t.Fatalf("POST /call: %d to %q, want 303 to /call?done=<report id>", resp.StatusCode, loc)
	}
	st, body = c.get(loc)
	if st != http.StatusOK {
		t.Fatalf("confirmation: %d", st)
	}
	reportID, incidentID := callSaved(t, body)
	if n := callReportCount(t, site); n != before+1 {
		t.Errorf("%d reports after one call, want %d", n, before+1)
	}
	rep, err := site.Reports.FindReportByID(site.system(), reportID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Channel != yaqaza.ChannelCall || rep.Place != "Bab Boujloud" || rep.Text != callTextPlus || rep.Language != "fr" {
		t.Errorf("stored report: channel %s, place %q, language %q, text %q", rep.Channel, rep.Place, rep.Language, rep.Text)
	}
	if rep.Reporter == nil || rep.Reporter.Phone != "0661 23 45 67" || rep.Reporter.Name != "Karim B." {
		t.Errorf("stored caller: %+v, want the phone in ASCII digits and the name", rep.Reporter)
	}
	if rep.IncidentID != incidentID {
		t.Errorf("the page shows incident %d, the report is on %d", incidentID, rep.IncidentID)
	}
	inc, err := site.Incidents.FindIncidentByID(site.system(), incidentID)
	if err != nil {
		t.Fatal(err)
	}
	if !inc.Status.Open() || inc.ZoneCode != callMedina {
		t.Errorf("incident %d: %s in zone %q, want open in Fès-Médina (%s)", inc.ID, inc.Status, inc.ZoneCode, callMedina)
	}
	// The code to read out, group by group; the incident linked; a fresh form.
	for _, g := range strings.Split(rep.TrackingCode, "-") {
		if !strings.Contains(body, `<span class="call-code-group">`+g+`</span>`) {
			t.Errorf("tracking code group %s of %s not shown", g, rep.TrackingCode)
		}
	}
	if !strings.Contains(body, `href="/incidents/`+strconv.FormatInt(incidentID, 10)+`"`) ||
		!strings.Contains(body, html.EscapeString(callText(t, "call.done.title", "fr"))) {
		t.Errorf("the confirmation lacks the incident link or its title")
	}
	if strings.Contains(body, callTextPlus) || strings.Contains(body, "0661") || callFormToken.FindStringSubmatch(body)[1] == form.Get("form_token") {
		t.Errorf("the form after a saved call is not fresh")
	}
}

func TestCallPlaceSearch(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	for _, tc := range []struct{ lang, typed, want string }{
		{"fr", "boujl", `data-place="Bab Boujloud"`},          // the start of a word
		{"en", "bab bouj", `data-place="Bab Boujloud"`},       // each word's start
		{"fr", "fes medina", `data-place="Fès-Médina"`},       // no accents, no dash
		{"fr", "SEFFAR", `data-place="Seffarine"`},            // any case
		{"ar", "بوجلود", `data-place="باب بوجلود"`},           // Arabic
		{"ar", "بنسود", `data-place="بنسودة"`},                // Arabic, partial
		{"fr", "zzqx", callText(t, "call.places.none", "fr")}, // nothing known
	} {
		st, body := c.fragment("GET", "/call/places?lang="+tc.lang+"&q="+url.QueryEscape(tc.typed), nil)
		if st != http.StatusOK || !strings.Contains(html.UnescapeString(body), tc.want) {
			t.Errorf("place search %q (%s): %d, want %s in:\n%s", tc.typed, tc.lang, st, tc.want, body)
		}
	}
	// The box sends itself as place=…, as htmx does; the zone is named.
	if _, body := c.fragment("GET", "/call/places?lang=fr&place=seffarine", nil); !strings.Contains(body, "Fès-Médina") ||
		!strings.Contains(body, `type="button" class="call-place-pick"`) {
		t.Errorf("place search by the box's own field: no button naming the zone:\n%s", body)
	}
}

func TestCallSuggestions(t *testing.T) {
	site := startBrowserSite(t)
	// Opened 6 min 20 s ago (an import keeps its time), 255 m north of the caller.
	opened := time.Now().Add(-6*time.Minute - 20*time.Second)
	near := callSeed(t, site, &yaqaza.ReportInput{Channel: yaqaza.ChannelImport, ReceivedAt: &opened,
		Text: "Bagarre au couteau devant le café, deux blessés", Location: &yaqaza.Point{Lat: 34.0640, Lon: -4.9836}})
	c := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	form := url.Values{"text": {"bagarre couteau café blessés"}, "lat": {"34.0617"}, "lon": {"-4.9836"}}
	id := strconv.FormatInt(near.ID, 10)
	for _, lang := range []string{"ar", "fr", "en"} {
		st, body := c.fragment("POST", "/call/suggest?lang="+lang, form)
		text := html.UnescapeString(body)
		if st != http.StatusOK || !strings.Contains(body, `data-incident-id="`+id+`"`) || !strings.Contains(body, `href="/incidents/`+id+`"`) {
			t.Fatalf("suggestions (%s): %d, incident %d not suggested:\n%s", lang, st, near.ID, body)
		}
		distance := callText(t, "call.suggest.distance", lang, callText(t, "call.unit.m", lang, "260"))
		age := callText(t, "call.suggest.age", lang, map[string]string{"ar": "6 د", "fr": "6 min", "en": "6 min"}[lang])
		for _, want := range []string{distance, age, callText(t, "call.incident", lang, near.ID),
			callText(t, "call.attach.to", lang, near.ID), `name="attach" id="attach-` + id + `" value="` + id + `"`} {
			if !strings.Contains(text, want) {
				t.Errorf("suggestions (%s) lack %q:\n%s", lang, want, body)
			}
		}
	}

	// A district head sees only the district's incidents among them.
	here := callSeed(t, site, &yaqaza.ReportInput{Text: "Vol de voiture avec violence à Bab Boujloud"})
	there := callSeed(t, site, &yaqaza.ReportInput{Text: "Vol de voiture avec violence à Bensouda"})
	if here.ID == there.ID || here.ZoneCode != callMedina || there.ZoneCode != callZouagha {
		t.Fatalf("set-up: incidents %d (%s) and %d (%s), want two, in %s and %s", here.ID, here.ZoneCode, there.ID, there.ZoneCode, callMedina, callZouagha)
	}
	typed := url.Values{"text": {"vol de voiture avec violence"}}
	_, all := c.fragment("POST", "/call/suggest", typed)
	head := site.staff(t, "head7", yaqaza.RoleDistrictHead, callMedina)
	st, mine := head.fragment("POST", "/call/suggest", typed)
	for _, inc := range []*yaqaza.Incident{here, there} {
		if !strings.Contains(all, `data-incident-id="`+strconv.FormatInt(inc.ID, 10)+`"`) {
			t.Errorf("the prefecture's call-taker is not shown incident %d", inc.ID)
		}
	}
	if st != http.StatusOK || !strings.Contains(mine, `data-incident-id="`+strconv.FormatInt(here.ID, 10)+`"`) {
		t.Errorf("the Médina head is not shown the Médina incident: %d\n%s", st, mine)
	}
	if strings.Contains(mine, `data-incident-id="`+strconv.FormatInt(there.ID, 10)+`"`) {
		t.Errorf("the Médina head is shown incident %d of Zouagha", there.ID)
	}
}

func TestCallAttach(t *testing.T) {
	site := startBrowserSite(t)
	target := callSeed(t, site, &yaqaza.ReportInput{Text: "Cambriolage d'un appartement à Saïss, la porte a été forcée"})
	c := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	c.get("/lang/en?back=/call")
	text := "Loud music and shouting at the neighbours' flat in Narjiss since midnight"
	st, body := c.post("/call", callNew(t, c, url.Values{"text": {text}, "attach": {strconv.FormatInt(target.ID, 10)}}))
	if st != http.StatusOK {
		t.Fatalf("POST /call attached: %d\n%s", st, body)
	}
	reportID, shown := callSaved(t, body)
	rep, err := site.Reports.FindReportByID(site.system(), reportID)
	if err != nil {
		t.Fatal(err)
	}
	if rep.IncidentID != target.ID || shown != target.ID {
		t.Fatalf("the call is on incident %d (page says %d), want %d", rep.IncidentID, shown, target.ID)
	}
	if want := callText(t, "call.done.attached", "en"); !strings.Contains(html.UnescapeString(body), want) {
		t.Errorf("the page does not say %q", want)
	}
	// The call's reports moved; the incident it opened stays, merged.
	merged := 0
	for _, inc := range site.incidents(t, "") {
		if inc.Status == yaqaza.StatusMerged && inc.MergedInto == target.ID {
			merged++
		}
	}
	if merged != 1 {
		t.Errorf("%d incidents merged into %d, want the one the call opened", merged, target.ID)
	}

	// An incident that is over cannot take it, one that does not exist
	// neither: the call is kept all the same, and the page says why.
	over := callSeed(t, site, &yaqaza.ReportInput{Text: "Vol à l'étalage au marché de Bab Ftouh"})
	if _, err := site.Incidents.TransitionIncident(site.system(), over.ID, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "test"}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		attach int64
		why    string
		text   string
	}{
		{over.ID, "closed", "Graffiti sprayed on the school wall in Zouagha"},
		{99999, "notfound", "A car alarm has been ringing for an hour in Agdal, nobody comes"},
	} {
		before := callReportCount(t, site)
		text := tc.text
		st, body := c.post("/call", callNew(t, c, url.Values{"text": {text}, "attach": {strconv.FormatInt(tc.attach, 10)}}))
		if st != http.StatusOK {
			t.Fatalf("attach to %d: %d", tc.attach, st)
		}
		reportID, incidentID := callSaved(t, body)
		if n := callReportCount(t, site); n != before+1 {
			t.Errorf("attach to %d: %d reports, want %d: the call must be kept", tc.attach, n, before+1)
		}
		if rep, err := site.Reports.FindReportByID(site.system(), reportID); err != nil || rep.IncidentID != incidentID || rep.Text != text {
			t.Errorf("attach to %d: report %d not kept on incident %d: %v", tc.attach, reportID, incidentID, err)
		}
		want := callText(t, "call.attach.err."+tc.why, "en", tc.attach, incidentID)
		if got := callBeside(body, "attach-done"); got != want {
			t.Errorf("attach to %d: message %q, want %q", tc.attach, got, want)
		}
	}
}

func TestCallBadInputSavesNothing(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	ok := url.Values{"text": {callTextPlus}, "place": {"Batha"}, "phone": {"0661234567"}}
	with := func(k, v string, more ...string) url.Values {
		f := url.Values{}
		for key, vs := range ok {
			f[key] = append([]string(nil), vs...)
		}
		f.Set(k, v)
		for i := 0; i+1 < len(more); i += 2 {
			f.Set(more[i], more[i+1])
		}
		return f
	}
	long := strings.Repeat("سرقة ", yaqaza.MaxTextRunes/5+1)
	before := callReportCount(t, site)
	for _, lang := range []string{"ar", "fr", "en"} {
		c.get("/lang/" + lang + "?back=/call")
		for _, tc := range []struct {
			name, field string
			form        url.Values
			key         string
		}{
			{"no text", "text", with("text", "  "), "call.err.text.required"},
			{"text too long", "text", with("text", long), "call.err.text.long"},
			{"latitude out of range", "point", with("lat", "91", "lon", "-4.98"), "call.err.point"},
			{"latitude not a number", "point", with("lat", "NaN", "lon", "-4.98"), "call.err.point"},
			{"longitude alone", "point", with("lon", "-4.98"), "call.err.point"},
			{"phone with letters", "phone", with("phone", "06 61 ab 45"), "call.err.phone"},
			{"phone too short", "phone", with("phone", "12 34"), "call.err.phone"},
			{"attach not a number", "attach", with("attach", "quatre"), "call.err.attach"},
			{"attach not positive", "attach", with("attach", "-3"), "call.err.attach"},
		} {
			st, body := c.post("/call", callNew(t, c, tc.form))
			want := callText(t, tc.key, lang)
			got := callBeside(body, tc.field)
			if before, after, cut := strings.Cut(want, "%s"); cut {
				if !strings.HasPrefix(got, before) || !strings.HasSuffix(got, after) {
					want = got + " ≠ " + want
				} else {
					want = got
				}
			}
			if st != http.StatusBadRequest || got != want || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s (%s): %d, beside %s: %q, want 400 and %q", tc.name, lang, st, tc.field, got, want)
			}
			if tc.field != "text" && !strings.Contains(html.UnescapeString(body), callTextPlus) {
				t.Errorf("%s (%s): the text typed is not kept on the form", tc.name, lang)
			}
			if tc.field == "phone" && !strings.Contains(body, `value="`+tc.form.Get("phone")+`"`) {
				t.Errorf("%s (%s): the phone typed is not kept on the form", tc.name, lang)
			}
		}
	}
	if n := callReportCount(t, site); n != before {
		t.Errorf("%d reports after refused forms, want %d: nothing may be saved", n, before)
	}
}

func TestCallDoubleSubmitSavesOnce(t *testing.T) {
	site := startBrowserSite(t)
	c := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	before := callReportCount(t, site)
	form := callNew(t, c, url.Values{"text": {callTextPlus}, "place": {"Batha"}})
	_, first := c.post("/call", form)
	_, second := c.post("/call", form)
	r1, i1 := callSaved(t, first)
	r2, i2 := callSaved(t, second)
	if r1 != r2 || i1 != i2 {
		t.Errorf("a double submit saved reports %d and %d", r1, r2)
	}
	if n := callReportCount(t, site); n != before+1 {
		t.Errorf("%d reports after a double submit, want %d", n, before+1)
	}
	// A new form is a new call.
	_, third := c.post("/call", callNew(t, c, url.Values{"text": {callTextPlus}, "place": {"Batha"}}))
	if r3, _ := callSaved(t, third); r3 == r1 {
		t.Errorf("a second call on a fresh form replayed report %d", r1)
	}
}

func TestCallRefused(t *testing.T) {
	site := startBrowserSite(t)
	if st := site.status(t, "/call"); st != http.StatusSeeOther {
		t.Errorf("GET /call signed out: %d, want 303 to sign in", st)
	}
	before := callReportCount(t, site)
	for _, role := range []yaqaza.Role{yaqaza.RoleAnalyst, yaqaza.RoleAuditor} {
		c := site.staff(t, "u-"+string(role), role)
		if st, _ := c.get("/call"); st != http.StatusForbidden {
			t.Errorf("GET /call as %s: %d, want 403", role, st)
		}
		if st, _ := c.fragment("GET", "/call/places?q=batha", nil); st != http.StatusForbidden {
			t.Errorf("place search as %s: %d, want 403", role, st)
		}
		st, _ := c.post("/call", url.Values{"text": {callTextPlus}, "form_token": {strings.Repeat("ab", 16)}})
		if st != http.StatusForbidden {
			t.Errorf("POST /call as %s: %d, want 403", role, st)
		}
	}
	ct := site.staff(t, "ct1", yaqaza.RoleCallTaker)
	form := callNew(t, ct, url.Values{"text": {callTextPlus}})
	if st, _ := ct.postForm("/call", form); st != http.StatusForbidden {
		t.Errorf("POST /call without the CSRF token: %d, want 403", st)
	}
	if n := callReportCount(t, site); n != before {
		t.Errorf("%d reports after refused posts, want %d", n, before)
	}
}

// TestBrowserCallKeyboard: a call typed with the keyboard alone — the
// text, a place chosen from the gazetteer with ↓ and Enter, the nearby
// incident suggested as it is typed and chosen, Ctrl+Enter to save — ends
// on that incident, with a fresh form focused for the next call.
func TestBrowserCallKeyboard(t *testing.T) {
	site := startBrowserSite(t)
	site.requireAssets(t)
	// A theft, not a P1: the node dispatches a P1 at once, and an incident
	// already dispatched is not merged away.
	target := callSeed(t, site, &yaqaza.ReportInput{Text: "Vol de portefeuille à l'arraché à Bab Boujloud, le voleur est en scooter", Place: "Bab Boujloud"})
	b := newBrowser(t, site)
	tab := b.signedIn(t, "ct1", yaqaza.RoleCallTaker, "fr")
	if st := tab.open("/call"); st != http.StatusOK {
		tab.fail("open /call", fmt.Errorf("answered %d", st))
	}
	tab.settle()
	if id := value(tab, "read the focus", chromedp.Evaluate[string](`document.activeElement.id`)); id != "f-text" {
		tab.fail("find the focus", fmt.Errorf("the focus is on %q, want the text", id))
	}
	tab.do("type the call", chromedp.SendKeys(chromedp.ID("f-text"), "vol portefeuille scooter"),
		chromedp.SendKeys(chromedp.ID("f-place"), "boujl"))
	tab.waitFor("the place matches", `document.querySelector("#place-results .call-place-pick") !== null`)
	tab.do("choose the first match with the keyboard", chromedp.KeyEvent(kb.ArrowDown), chromedp.KeyEvent(kb.Enter))
	if got := value(tab, "read the place", chromedp.Value(chromedp.ID("f-place"))); got != "Bab Boujloud" {
		tab.fail("choose the place", fmt.Errorf("the place box holds %q", got))
	}
	radio := fmt.Sprintf(`#attach-%d`, target.ID)
	tab.waitFor("the incident to be suggested", fmt.Sprintf(`document.querySelector(%q) !== null`, radio))
	tab.do("choose to attach", chromedp.Click(chromedp.CSS(radio)))
	tab.screenshot("call-keyboard-fr")
	tab.load("save with Ctrl+Enter", chromedp.Focus(chromedp.ID("f-text")),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	if p := tab.path(); p != "/call" {
		tab.fail("save the call", fmt.Errorf("landed on %s", p))
	}
	id := value(tab, "read the confirmation", chromedp.AttributeValue(chromedp.CSS(".call-done"), "data-report-id"))
	reportID, _ := strconv.ParseInt(id.Value, 10, 64)
	rep, err := site.Reports.FindReportByID(site.system(), reportID)
	if err != nil {
		t.Fatalf("report %q: %v", id.Value, err)
	}
	if rep.IncidentID != target.ID || rep.Place != "Bab Boujloud" {
		t.Errorf("the call is on incident %d at %q, want %d at Bab Boujloud", rep.IncidentID, rep.Place, target.ID)
	}
	tab.waitFor("an empty text, focused for the next call",
		`document.activeElement.id === "f-text" && document.activeElement.value === ""`)
	tab.language("ar", "/call?done="+id.Value)
	tab.screenshot("call-done-ar")
}
