package http_test

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	yhttp "github.com/yaqaza/yaqaza/http"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// open311TestServer is a test server; it serves Open311 like production.
func open311TestServer(t *testing.T) *testServer {
	t.Helper()
	return newTestServer(t)
}

// open311Post sends a form-encoded request, as GeoReport v2 clients do.
func open311Post(t *testing.T, ts *testServer, format string, form url.Values, headers ...string) (int, string) {
	t.Helper()
	headers = append([]string{"Content-Type", "application/x-www-form-urlencoded"}, headers...)
	status, body, _ := ts.call(t, "POST", "/open311/v2/requests."+format, "", form.Encode(), headers...)
	return status, body
}

type open311Req struct {
	ID          string  `json:"service_request_id"`
	Status      string  `json:"status"`
	StatusNotes string  `json:"status_notes"`
	ServiceCode string  `json:"service_code"`
	ServiceName string  `json:"service_name"`
	Address     string  `json:"address"`
	Notice      string  `json:"service_notice"`
	AccountID   *string `json:"account_id"`
	Requested   string  `json:"requested_datetime"`
	Updated     string  `json:"updated_datetime"`
}

type open311Err struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

var trackingCode = regexp.MustCompile(`^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$`)

// A citizen's report through an app, with personal data planted everywhere
// it can go.
var planted = url.Values{
	"service_code":   {"theft_robbery"},
	"lat":            {"34.06171"},
	"long":           {"-4.98362"},
	"address_string": {"Derb Samira, Bab Boujloud"},
	"description":    {"On m'a volé mon sac à Bab Boujloud, appelez-moi au 0699887766"},
	"media_url":      {"https://media.example.ma/uploads/sac-vole-8841.jpg"},
	"email":          {"samira.test@example.ma"},
	"first_name":     {"Samira"},
	"last_name":      {"Alaoui"},
	"phone":          {"0612345678"},
	"device_id":      {"device-7f3a9c"},
	"account_id":     {"acct-55120"},
}

var plantedValues = []string{"0612345678", "samira.test@example.ma", "Samira", "Alaoui", "0699887766",
	"appelez-moi", "https://media.example.ma/uploads/sac-vole-8841.jpg", "sac-vole-8841", "34.0617", "4.9836",
	"Derb", "device-7f3a9c", "acct-55120"}

func assertNoPersonalData(t *testing.T, where, body string) {
	t.Helper()
	for _, v := range plantedValues {
		if strings.Contains(body, v) {
			t.Errorf("%s shows %q:\n%s", where, v, body)
		}
	}
}

func TestOpen311Discovery(t *testing.T) {
	ts := open311TestServer(t)
	status, body, h := ts.call(t, "GET", "/open311/v2/discovery.json?lang=fr", "", "")
	d := decode[struct {
		Contact   string `json:"contact"`
		Endpoints []struct {
			Specification string   `json:"specification"`
			URL           string   `json:"url"`
			Type          string   `json:"type"`
			Formats       []string `json:"formats"`
		} `json:"endpoints"`
	}](t, body)
	if status != 200 || len(d.Endpoints) != 1 || d.Contact != "Préfecture de police de Fès" || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("discovery: %d %s", status, body)
	}
	e := d.Endpoints[0]
	if e.Specification != "http://wiki.open311.org/GeoReport_v2" || e.URL != ts.URL+"/open311/v2" || e.Type != "production" ||
		strings.Join(e.Formats, ",") != "application/json,text/xml" {
		t.Errorf("endpoint: %+v", e)
	}
	status, body, h = ts.call(t, "GET", "/open311/v2/discovery.xml", "", "")
	if status != 200 || !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) || h.Get("Content-Type") != "text/xml; charset=utf-8" ||
		!strings.Contains(body, "<formats>\n        <format>application/json</format>") {
		t.Errorf("discovery.xml: %d %s", status, body)
	}
}

func TestOpen311Services(t *testing.T) {
	ts := open311TestServer(t)
	type service struct {
		Code     string `json:"service_code"`
		Name     string `json:"service_name"`
		Metadata *bool  `json:"metadata"`
		Type     string `json:"type"`
		Keywords string `json:"keywords"`
		Group    string `json:"group"`
	}
	byCode := func(body string) map[string]service {
		out := map[string]service{}
		for _, s := range decode[[]service](t, body) {
			if s.Metadata == nil || *s.Metadata || s.Type != "realtime" {
				t.Errorf("service %s: metadata and type are %v %q", s.Code, s.Metadata, s.Type)
			}
			out[s.Code] = s
		}
		return out
	}
	status, body, _ := ts.call(t, "GET", "/open311/v2/services.json?lang=fr", "", "")
	fr := byCode(body)
	armed := fr["armed"]
	if status != 200 || len(fr) != len(geo.DefaultPack().Categories) || armed.Name != "Arme blanche ou à feu" ||
		armed.Group != "Danger immédiat" || armed.Keywords == "" || strings.ContainsAny(armed.Keywords, "ابتثجحخ") {
		t.Fatalf("services in French: %d %s", status, body)
	}
	for _, h := range []string{"?lang=ar", ""} {
		status, body, _ = ts.call(t, "GET", "/open311/v2/services.json"+h, "", "", "Accept-Language", "ar-MA,ar;q=0.9")
		ar := byCode(body)["armed"]
		if status != 200 || ar.Name != "حمل السلاح الأبيض أو الناري" || ar.Group != "خطر فوري" || !strings.ContainsAny(ar.Keywords, "ابتثجحخ") {
			t.Errorf("services in Arabic (%q): %d %+v", h, status, ar)
		}
	}
	status, body, _ = ts.call(t, "GET", "/open311/v2/services.xml?lang=en", "", "")
	var x struct {
		Services []struct {
			Code     string `xml:"service_code"`
			Name     string `xml:"service_name"`
			Metadata bool   `xml:"metadata"`
		} `xml:"service"`
	}
	if err := xml.Unmarshal([]byte(body), &x); status != 200 || err != nil || len(x.Services) != len(fr) ||
		!strings.Contains(body, "<services>") || x.Services[1].Code != "armed" || x.Services[1].Name != "Armed (bladed weapon or firearm)" {
		t.Fatalf("services.xml: %d %v %s", status, err, body)
	}

	status, body, _ = ts.call(t, "GET", "/open311/v2/services/armed.json", "", "")
	if status != 200 || strings.TrimSpace(body) != `{"service_code":"armed","attributes":[]}` {
		t.Errorf("definition: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "GET", "/open311/v2/services/armed.xml", "", "")
	if status != 200 || !strings.Contains(body, "<service_definition>\n  <service_code>armed</service_code>") {
		t.Errorf("definition.xml: %d %s", status, body)
	}
}

// TestOpen311RequestKeepsPersonalDataPrivate follows one request from its
// submission to its resolution and checks at every step that nothing the
// citizen gave or wrote shows in the public answers.
func TestOpen311RequestKeepsPersonalDataPrivate(t *testing.T) {
	ts := open311TestServer(t)
	form := url.Values{"api_key": {ts.taker}}
	for k, v := range planted {
		form[k] = v
	}
	status, body := open311Post(t, ts, "json", form, "Accept-Language", "fr")
	created := decode[[]open311Req](t, body)
	if status != 201 || len(created) != 1 || !trackingCode.MatchString(created[0].ID) || created[0].AccountID != nil ||
		!strings.Contains(body, `"account_id":null`) || !strings.Contains(created[0].Notice, created[0].ID) {
		t.Fatalf("create: %d %s", status, body)
	}
	assertNoPersonalData(t, "the create answer", body)
	code := created[0].ID

	// Staff see what was given: the contact, the media, the point.
	status, body, _ = ts.call(t, "GET", "/api/v1/incidents", ts.dispatcher, "")
	page := decode[yaqaza.IncidentPage](t, body)
	if status != 200 || len(page.Incidents) != 1 {
		t.Fatalf("incidents: %d %s", status, body)
	}
	inc := page.Incidents[0]
	status, body, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", inc.ID), ts.dispatcher, "")
	if status != 200 || !strings.Contains(body, "0612345678") || !strings.Contains(body, "sac-vole-8841") || !strings.Contains(body, `"channel":"open311"`) {
		t.Fatalf("the incident as staff see it lacks the report's data: %d %s", status, body)
	}

	public := func(step, wantStatus string) open311Req {
		t.Helper()
		status, body, _ := ts.call(t, "GET", "/open311/v2/requests/"+code+".json?lang=fr", "", "")
		reqs := decode[[]open311Req](t, body)
		if status != 200 || len(reqs) != 1 || reqs[0].ID != code || reqs[0].Status != wantStatus || reqs[0].Requested == "" || reqs[0].Updated == "" {
			t.Fatalf("%s: %d %s", step, status, body)
		}
		assertNoPersonalData(t, step+" (JSON)", body)
		status, xbody, _ := ts.call(t, "GET", "/open311/v2/requests/"+code+".xml?lang=fr", "", "")
		if status != 200 || !strings.Contains(xbody, "<service_requests>") || !strings.Contains(xbody, "<status>"+wantStatus+"</status>") {
			t.Fatalf("%s (XML): %d %s", step, status, xbody)
		}
		assertNoPersonalData(t, step+" (XML)", xbody)
		status, lbody, _ := ts.call(t, "GET", "/open311/v2/requests.json?service_request_id="+code, "", "")
		if status != 200 || !strings.Contains(lbody, `"service_request_id":"`+code+`"`) {
			t.Fatalf("%s (list): %d %s", step, status, lbody)
		}
		assertNoPersonalData(t, step+" (list)", lbody)
		return reqs[0]
	}
	if r := public("new request", "open"); r.StatusNotes != "Signalement reçu" {
		t.Errorf("status_notes of a new request: %q", r.StatusNotes)
	}

	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", inc.ID)
	for _, step := range []string{
		`{"to":"triaged"}`,
		`{"to":"resolved","public_message":"Le sac a été retrouvé. Renseignements : 0677889900 ou agent.benali@police.example.ma"}`,
	} {
		if status, body, _ := ts.call(t, "POST", path, ts.dispatcher, step); status != 200 {
			t.Fatalf("transition %s: %d %s", step, status, body)
		}
	}
	r := public("resolved request", "closed")
	if !strings.HasPrefix(r.StatusNotes, "Le sac a été retrouvé.") || strings.Contains(r.StatusNotes, "0677889900") ||
		strings.Contains(r.StatusNotes, "agent.benali") {
		t.Errorf("status_notes are not the redacted public message: %q", r.StatusNotes)
	}
}

func TestOpen311SeveralRequests(t *testing.T) {
	ts := open311TestServer(t)
	var codes []string
	for _, desc := range []string{"Bagarre devant le lycée à Zouagha", "Voiture qui roule à contresens sur l'avenue Hassan II"} {
		form := url.Values{"api_key": {ts.taker}, "service_code": {"other"}, "address_string": {"Fès"}, "description": {desc}}
		status, body := open311Post(t, ts, "xml", form)
		var x struct {
			Requests []struct {
				ID        string  `xml:"service_request_id"`
				AccountID *string `xml:"account_id"`
			} `xml:"request"`
		}
		if err := xml.Unmarshal([]byte(body), &x); status != 201 || err != nil || len(x.Requests) != 1 ||
			!trackingCode.MatchString(x.Requests[0].ID) || x.Requests[0].AccountID == nil || *x.Requests[0].AccountID != "" {
			t.Fatalf("create in XML: %d %v %s", status, err, body)
		}
		codes = append(codes, x.Requests[0].ID)
	}
	// A mistyped code and a repeated one are left out; the order is kept.
	q := url.QueryEscape(codes[1] + ", " + strings.ToLower(codes[0]) + ",ZZZZ-ZZZZ-ZZZZ," + codes[1])
	status, body, _ := ts.call(t, "GET", "/open311/v2/requests.json?service_request_id="+q, "", "")
	reqs := decode[[]open311Req](t, body)
	if status != 200 || len(reqs) != 2 || reqs[0].ID != codes[1] || reqs[1].ID != codes[0] {
		t.Fatalf("several: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "GET", "/open311/v2/requests.xml?service_request_id="+codes[0]+"&service_request_id="+codes[1], "", "")
	if status != 200 || strings.Count(body, "<request>") != 2 {
		t.Fatalf("several in XML: %d %s", status, body)
	}
}

// TestOpen311Anonymous: a request without api_key is a citizen's own. It is
// taken when the open311 channel is public, and refused, saying why, when
// it is not.
func TestOpen311Anonymous(t *testing.T) {
	ts := open311TestServer(t)
	form := url.Values{"service_code": {"vandalism"}, "lat": {"34.0331"}, "long": {"-5.0003"}, "description": {"Abribus cassé cette nuit"}}
	status, body := open311Post(t, ts, "json", form)
	if yaqaza.ChannelOpen311.Public() {
		if status != 201 || !strings.Contains(body, `"service_request_id"`) {
			t.Fatalf("anonymous request on a public channel: %d %s", status, body)
		}
		return
	}
	errs := decode[[]open311Err](t, body)
	if status != 401 || len(errs) != 1 || errs[0].Code != 401 || !strings.Contains(errs[0].Description, "api_key") {
		t.Fatalf("anonymous request: %d %s", status, body)
	}
}

func TestOpen311Errors(t *testing.T) {
	ts := open311TestServer(t)
	good := func(change map[string]string) url.Values {
		f := url.Values{"api_key": {ts.taker}, "service_code": {"assault"}, "lat": {"34.06"}, "long": {"-4.98"}, "description": {"Agression rue Talaa"}}
		for k, v := range change {
			if v == "" {
				f.Del(k)
			} else {
				f.Set(k, v)
			}
		}
		return f
	}
	posts := []struct {
		name    string
		form    url.Values
		status  int
		mention string
	}{
		{"lat not a number", good(map[string]string{"lat": "north"}), 400, "lat must be a latitude"},
		{"lat out of range", good(map[string]string{"lat": "95"}), 400, "lat must be a latitude"},
		{"lat NaN", good(map[string]string{"lat": "NaN"}), 400, "lat must be a latitude"},
		{"long out of range", good(map[string]string{"long": "-200"}), 400, "long must be a longitude"},
		{"lat without long", good(map[string]string{"long": ""}), 400, "lat and long go together"},
		{"no location", good(map[string]string{"lat": "", "long": ""}), 400, "a location is required"},
		{"no description", good(map[string]string{"description": ""}), 400, "description is required"},
		{"blank description", good(map[string]string{"description": "  \n "}), 400, "description is required"},
		{"no service_code", good(map[string]string{"service_code": ""}), 400, "service_code is required"},
		{"unknown service_code", good(map[string]string{"service_code": "potholes"}), 400, `unknown service_code "potholes"`},
		{"unknown field", good(map[string]string{"descripton": "x"}), 400, `unknown field "descripton"`},
		{"bad phone", good(map[string]string{"phone": "call me"}), 400, "phone may hold only digits"},
		{"bad media_url", good(map[string]string{"media_url": "file:///etc/passwd"}), 400, "media_url"},
		{"other jurisdiction", good(map[string]string{"jurisdiction_id": "rabat"}), 404, "unknown jurisdiction_id"},
		{"unknown api_key", good(map[string]string{"api_key": "yqz_nope"}), 401, "not known"},
	}
	for _, c := range posts {
		status, body := open311Post(t, ts, "json", c.form)
		checkOpen311Error(t, c.name, status, body, c.status, c.mention)
	}
	if n := ts.countReports(t); n != 0 {
		t.Errorf("%d reports stored from refused requests", n)
	}

	status, body, _ := ts.call(t, "POST", "/open311/v2/requests.json", "", `{"service_code":"assault"}`, "Content-Type", "application/json")
	checkOpen311Error(t, "JSON body", status, body, 400, "application/x-www-form-urlencoded")

	gets := []struct{ path, mention string }{
		{"/open311/v2/requests/7KQM-9XPR-A3TD.json", "code"},
		{"/open311/v2/requests/ZZZZ.json", "12 characters"},
		{"/open311/v2/requests/7KQM-9XPR-A3TD", "requests/{service_request_id}.json"},
		{"/open311/v2/services/potholes.json", `no service has service_code "potholes"`},
		{"/open311/v2/services.json?jurisdiction_id=rabat", "unknown jurisdiction_id"},
		{"/open311/v2/tokens/abc.json", "no Open311 endpoint GET /open311/v2/tokens/abc.json"},
		{"/open311/v2/services.csv", "no Open311 endpoint"},
	}
	for _, c := range gets {
		status, body, _ := ts.call(t, "GET", c.path, "", "")
		checkOpen311Error(t, c.path, status, body, 404, c.mention)
	}
	status, body, _ = ts.call(t, "GET", "/open311/v2/requests.json", "", "")
	checkOpen311Error(t, "listing", status, body, 400, "Listing all requests is not offered")
	status, body, _ = ts.call(t, "GET", "/open311/v2/requests.json?status=open&service_code=armed", "", "")
	checkOpen311Error(t, "listing by filters", status, body, 400, "service_request_id is required")
	status, body, _ = ts.call(t, "GET", "/open311/v2/requests.json?service_request_id="+strings.Repeat("7KQM-9XPR-A3TD,", 51), "", "")
	checkOpen311Error(t, "too many codes", status, body, 400, "at most 50")

	status, body, _ = ts.call(t, "GET", "/open311/v2/requests/7KQM-9XPR-A3TD.xml", "", "")
	var x struct {
		Errors []open311Err `xml:"error"`
	}
	if err := xml.Unmarshal([]byte(body), &x); status != 404 || err != nil || !strings.Contains(body, "<errors>") ||
		len(x.Errors) != 1 || x.Errors[0].Code != 404 {
		t.Errorf("error in XML: %d %v %s", status, err, body)
	}
}

func checkOpen311Error(t *testing.T, name string, status int, body string, wantStatus int, mention string) {
	t.Helper()
	var errs []open311Err
	if err := json.Unmarshal([]byte(body), &errs); err != nil || status != wantStatus || len(errs) != 1 ||
		errs[0].Code != wantStatus || !strings.Contains(errs[0].Description, mention) {
		t.Errorf("%s: %d %s (want %d and %q in an Open311 error)", name, status, body, wantStatus, mention)
	}
}

// factsTracking is a tracking service that also knows incidents' category
// and zone, as IncidentFacts asks.
type factsTracking struct {
	yaqaza.TrackingService
	category, zone string
}

func (f factsTracking) TrackFacts(ctx context.Context, code string) (string, string, error) {
	if _, err := f.TrackReport(ctx, code, "fr"); err != nil {
		return "", "", err
	}
	return f.category, f.zone, nil
}

var _ yhttp.IncidentFacts = factsTracking{}

// TestOpen311IncidentFacts: with a tracking service that knows the
// incident's category and zone, a request shows them, by name, and the zone
// stands for the address.
func TestOpen311IncidentFacts(t *testing.T) {
	ts := open311TestServer(t)
	status, body := open311Post(t, ts, "json", url.Values{"api_key": {ts.taker}, "service_code": {"armed"},
		"lat": {"34.0617"}, "long": {"-4.9836"}, "description": {"Un homme menace les passants avec un couteau"}})
	if status != 201 {
		t.Fatalf("create: %d %s", status, body)
	}
	code := decode[[]open311Req](t, body)[0].ID
	srv := &yhttp.Server{
		Packs:    sqlstore.NewPackService(ts.db),
		Tokens:   ts.tokens(),
		Tracking: factsTracking{TrackingService: sqlstore.NewTrackingService(ts.db), category: "armed", zone: "03.231.01.07"},
	}
	facts := httptest.NewServer(srv.Handler())
	defer facts.Close()
	node := &testServer{Server: facts}
	status, body, _ = node.call(t, "GET", "/open311/v2/requests/"+code+".json?lang=fr", "", "")
	r := decode[[]open311Req](t, body)
	if status != 200 || len(r) != 1 || r[0].ServiceCode != "armed" || r[0].ServiceName != "Arme blanche ou à feu" || r[0].Address != "Fès-Médina" {
		t.Fatalf("request with facts: %d %s", status, body)
	}
	assertNoPersonalData(t, "the request with facts", body)
	status, body, _ = node.call(t, "GET", "/open311/v2/requests/ZZZZ-ZZZZ-ZZZZ.json", "", "")
	checkOpen311Error(t, "facts of an unknown code", status, body, 404, "code")
}

// TestOpen311LookupsCountAgainstTrackingBudget: looking up many codes at
// once spends the anonymous tracking budget as many single lookups would,
// so it is no faster a way to guess codes.
func TestOpen311LookupsCountAgainstTrackingBudget(t *testing.T) {
	ts := open311TestServer(t)
	limits := yhttp.NewRateLimits()
	limits.Tracking = yhttp.Rule{PerMinute: 1, Burst: 20}
	srv := &yhttp.Server{Packs: sqlstore.NewPackService(ts.db), Tokens: ts.tokens(), Tracking: sqlstore.NewTrackingService(ts.db), RateLimits: limits}
	limited := httptest.NewServer(srv.Handler())
	defer limited.Close()
	node := &testServer{Server: limited}
	path := "/open311/v2/requests.json?service_request_id=" + strings.TrimSuffix(strings.Repeat("7KQM-9XPR-A3TD,", 15), ",")
	if status, body, _ := node.call(t, "GET", path, "", ""); status != 200 || strings.TrimSpace(body) != "[]" {
		t.Fatalf("15 lookups within a budget of 20: %d %s", status, body)
	}
	status, body, h := node.call(t, "GET", path, "", "")
	checkOpen311Error(t, "15 more lookups", status, body, 429, "too many lookups")
	if h.Get("Retry-After") == "" {
		t.Error("no Retry-After")
	}
	// Staff are counted per actor by the middleware, not here.
	if status, body, _ := node.call(t, "GET", path, ts.dispatcher, ""); status != 200 {
		t.Errorf("staff lookups: %d %s", status, body)
	}
}
