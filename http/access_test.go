package http_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/storetest"
)

const (
	medina = "03.231.01.07"
	agdal  = "03.231.01.01"
)

var (
	medinaPoint = `{"lat":34.0617,"lon":-4.9836}`
	agdalPoint  = `{"lat":34.03,"lon":-5.0}`
	system      = yaqaza.NewContextWithActor(context.Background(), yaqaza.System("test"))
)

// person is a browser signed in to the console: a session cookie, and the
// CSRF token every change must carry.
type person struct {
	client *http.Client
	csrf   string
	base   string
}

// signIn makes an account of the role scoped to zones, signs in with its
// one-time password and chooses a real one, as a new colleague would.
func signIn(t *testing.T, ts *testServer, role yaqaza.Role, zones ...string) *person {
	t.Helper()
	users := sqlstore.NewUserService(ts.db)
	name := fmt.Sprintf("%s-%d", strings.ReplaceAll(string(role), "_", "-"), len(zones))
	_, once, err := users.CreateUser(system, yaqaza.UserInput{Username: name, DisplayName: name, Role: role, Zones: zones})
	if err != nil {
		t.Fatal(err)
	}
	jar, _ := cookiejar.New(nil)
	p := &person{client: &http.Client{Jar: jar}, base: ts.URL}
	status, body := p.do(t, "POST", "/api/v1/session", fmt.Sprintf(`{"username":%q,"password":%q}`, name, once))
	if status != 200 {
		t.Fatalf("sign in: %d %s", status, body)
	}
	p.csrf = decode[struct {
		CSRF string `json:"csrf_token"`
	}](t, body).CSRF
	if status, body := p.do(t, "POST", "/api/v1/session/password", fmt.Sprintf(`{"current":%q,"new":"Borj-Nord-Fes-2026!"}`, once)); status != 204 {
		t.Fatalf("choosing a password: %d %s", status, body)
	}
	return p
}

func (p *person) do(t testing.TB, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, p.base+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if p.csrf != "" {
		req.Header.Set("X-CSRF-Token", p.csrf)
	}
	resp, err := p.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// incident opens an incident through the services, as the platform, with
// a reporter's phone; cleared makes it visible to the communications office.
func incident(t *testing.T, ts *testServer, point string, cleared bool) receipt {
	t.Helper()
	r := submit(t, ts, `{"channel":"web","text":"bagarre devant le café","location":`+point+`,"reporter":{"phone":"0612345678"}}`)
	if cleared {
		if _, err := sqlstore.NewIncidentService(ts.db).ClearForPublication(system, r.IncidentID, true); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// TestPermissionMatrixOverHTTP checks every role × action × own zone /
// other zone through the API, signed in as the console is, with the same
// stated policy as the services' matrix.
func TestPermissionMatrixOverHTTP(t *testing.T) {
	ts := newTestServer(t)
	units, err := ts.units.FindUnits(system, yaqaza.UnitFilter{Kind: "patrol"})
	if err != nil || len(units) == 0 {
		t.Fatalf("fleet: %v", err)
	}
	unit := units[0].ID
	n := 0
	probes := map[string]func(p *person, point, zone string) (int, string){
		"submit": func(p *person, point, _ string) (int, string) {
			return p.do(t, "POST", "/api/v1/reports", `{"channel":"call","text":"appel","location":`+point+`}`)
		},
		"read": func(p *person, point, _ string) (int, string) {
			return p.do(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", incident(t, ts, point, true).IncidentID), "")
		},
		"change": func(p *person, point, _ string) (int, string) {
			return p.do(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/transitions", incident(t, ts, point, false).IncidentID), `{"to":"triaged"}`)
		},
		"triage": func(p *person, point, _ string) (int, string) {
			return p.do(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/triage", incident(t, ts, point, false).IncidentID), `{"priority":"P3"}`)
		},
		"personal": func(p *person, point, _ string) (int, string) {
			status, body := p.do(t, "GET", fmt.Sprintf("/api/v1/reports/%d", incident(t, ts, point, true).ReportID), "")
			if status == 200 && !strings.Contains(body, "0612345678") {
				return 403, "read without the contact: " + body
			}
			return status, body
		},
		"dispatch": func(p *person, point, _ string) (int, string) {
			return p.do(t, "GET", fmt.Sprintf("/api/v1/incidents/%d/recommendations", incident(t, ts, point, false).IncidentID), "")
		},
		"unit": func(p *person, _, _ string) (int, string) {
			status, body := p.do(t, "POST", fmt.Sprintf("/api/v1/units/%d/status", unit), `{"status":"busy"}`)
			if status == 200 {
				if _, err := ts.units.SetUnitStatus(system, unit, yaqaza.UnitAvailable); err != nil {
					t.Fatal(err)
				}
			}
			return status, body
		},
		"units": func(p *person, _, _ string) (int, string) { return p.do(t, "GET", "/api/v1/units", "") },
		"clear": func(p *person, point, _ string) (int, string) {
			return p.do(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/publication", incident(t, ts, point, false).IncidentID), `{"cleared":true}`)
		},
		"publish": func(p *person, point, _ string) (int, string) {
			return p.do(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/statements", incident(t, ts, point, true).IncidentID),
				`{"language":"fr","text":"La police est intervenue."}`)
		},
		"stats": func(p *person, _, _ string) (int, string) { return p.do(t, "GET", "/api/v1/stats", "") },
		"export": func(p *person, _, zone string) (int, string) {
			return p.do(t, "GET", "/api/v1/export/incidents.csv?zone="+zone, "")
		},
		"audit": func(p *person, _, _ string) (int, string) { return p.do(t, "GET", "/api/v1/audit?limit=5", "") },
		"users": func(p *person, _, _ string) (int, string) { return p.do(t, "GET", "/api/v1/users", "") },
		"config": func(p *person, point, zone string) (int, string) {
			n++
			return p.do(t, "POST", "/api/v1/places", fmt.Sprintf(`{"name":"Place %d","zone":%q,"point":%s}`, n, zone, point))
		},
		"followup": func(p *person, _, _ string) (int, string) { return p.do(t, "GET", "/api/v1/notifications", "") },
		"plan": func(p *person, point, _ string) (int, string) {
			return p.do(t, "POST", "/api/v1/plan", `{"center":`+point+`,"radius_m":300,"until":"`+
				time.Now().Add(8*time.Hour).UTC().Format(time.RFC3339)+`","instruction":"présence visible"}`)
		},
		"self": func(p *person, _, _ string) (int, string) { return p.do(t, "POST", "/api/v1/session/totp", "") },
	}
	if len(probes) != len(yaqaza.Actions) {
		t.Fatalf("%d probes for %d actions: every action needs one", len(probes), len(yaqaza.Actions))
	}
	for _, role := range yaqaza.Roles {
		p := signIn(t, ts, role, medina)
		allowed := map[string]bool{}
		for _, a := range strings.Fields(storetest.PermissionMatrix[role]) {
			allowed[a] = true
		}
		for name, probe := range probes {
			for _, side := range []struct {
				own         bool
				point, zone string
			}{{true, medinaPoint, medina}, {false, agdalPoint, agdal}} {
				want := allowed[name] && (side.own || !storetest.ZoneBound[name])
				status, body := probe(p, side.point, side.zone)
				if got := status < 300; got != want {
					t.Errorf("%s %s (own zone %v): %d, want allowed=%v: %s", role, name, side.own, status, want, body)
				} else if !want && status != http.StatusForbidden {
					t.Errorf("%s %s (own zone %v): refused with %d, want 403: %s", role, name, side.own, status, body)
				}
			}
		}
	}
}

// TestConsoleChangesNeedCSRF: a signed-in browser's change without the
// session's CSRF token is refused and changes nothing; reads need none.
func TestConsoleChangesNeedCSRF(t *testing.T) {
	ts := newTestServer(t)
	p := signIn(t, ts, yaqaza.RoleDispatcher)
	r := incident(t, ts, medinaPoint, false)
	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", r.IncidentID)
	csrf := p.csrf
	for _, forged := range []string{"", "not-the-token"} {
		p.csrf = forged
		status, body := p.do(t, "POST", path, `{"to":"triaged"}`)
		if status != 403 || !strings.Contains(body, "CSRF") {
			t.Fatalf("a change with CSRF token %q: %d %s", forged, status, body)
		}
	}
	status, body := p.do(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), "")
	if status != 200 || !strings.Contains(body, `"status":"new"`) {
		t.Fatalf("after the refused changes: %d %s", status, body)
	}
	p.csrf = csrf
	if status, body := p.do(t, "POST", path, `{"to":"triaged"}`); status != 200 {
		t.Fatalf("with the token: %d %s", status, body)
	}
	// Signing out ends the session for the cookie too.
	if status, _ := p.do(t, "DELETE", "/api/v1/session", ""); status != 204 {
		t.Fatalf("sign out: %d", status)
	}
	if status, _ := p.do(t, "GET", "/api/v1/incidents", ""); status != 401 {
		t.Fatalf("after signing out: %d", status)
	}
}

// TestDistrictHeadSeesOnlyTheirDistrict: read, list, export and stream.
func TestDistrictHeadSeesOnlyTheirDistrict(t *testing.T) {
	ts := newTestServer(t)
	_, head, err := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "head-agdal", Role: yaqaza.RoleDistrictHead, Zones: []string{agdal}})
	if err != nil {
		t.Fatal(err)
	}
	stream, stop := openSSE(t, ts, head, "")
	defer stop()
	other := incident(t, ts, medinaPoint, false)
	own := incident(t, ts, agdalPoint, false)
	for _, c := range []struct{ path, want string }{
		{fmt.Sprintf("/api/v1/incidents/%d", other.IncidentID), "403"},
		{fmt.Sprintf("/api/v1/reports/%d", other.ReportID), "403"},
		{"/api/v1/incidents?zone=" + medina, "403"},
		{"/api/v1/export/incidents.csv?zone=" + medina, "403"},
		{fmt.Sprintf("/api/v1/incidents/%d", own.IncidentID), "200"},
	} {
		if status, body, _ := ts.call(t, "GET", c.path, head, ""); fmt.Sprint(status) != c.want {
			t.Errorf("GET %s: %d, want %s: %s", c.path, status, c.want, body)
		}
	}
	for _, path := range []string{"/api/v1/incidents", "/api/v1/export/incidents.csv"} {
		_, body, _ := ts.call(t, "GET", path, head, "")
		if strings.Contains(body, medina) || !strings.Contains(body, agdal) {
			t.Errorf("%s lists another district's incidents or not its own:\n%s", path, body)
		}
	}
	// The stream brings the Agdal incident and never the Médina one.
	e := next(t, stream)
	if !strings.Contains(e.data, agdal) || strings.Contains(e.data, fmt.Sprintf(`"incident_id":%d,`, other.IncidentID)) {
		t.Fatalf("the Agdal stream got %+v", e)
	}
}

// TestPublicOutputsCarryNoPersonalData plants a reporter's name, phone,
// e-mail and identity number, in the contact and in the text, and searches
// every public output for them.
func TestPublicOutputsCarryNoPersonalData(t *testing.T) {
	ts := newTestServer(t)
	planted := []string{"Samira Alaoui", "0661234567", "samira.alaoui@example.ma", "AB123456", "https://cdn.example/v/9.mp4"}
	r := submit(t, ts, `{"channel":"web","text":"Mon voisin m'a agressée, appelez-moi au 0661234567 ou samira.alaoui@example.ma, CIN AB123456",
		"location":`+medinaPoint+`,"reporter":{"name":"Samira Alaoui","phone":"0661234567","email":"samira.alaoui@example.ma"},
		"media":[{"url":"https://cdn.example/v/9.mp4","kind":"video"}]}`)
	dispatcher := ts.dispatcher
	path := fmt.Sprintf("/api/v1/incidents/%d/transitions", r.IncidentID)
	ts.call(t, "POST", path, dispatcher, `{"to":"triaged","public_message":"Nous vous rappelons au 0661234567."}`)
	if _, err := sqlstore.NewIncidentService(ts.db).ClearForPublication(system, r.IncidentID, true); err != nil {
		t.Fatal(err)
	}
	_, comms, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "comms", Role: yaqaza.RoleCommunication})
	status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/statements", r.IncidentID), comms,
		`{"language":"fr","text":"Une agression signalée par Mme au 0661234567 est traitée (samira.alaoui@example.ma)."}`)
	if status != 201 {
		t.Fatalf("statement: %d %s", status, body)
	}
	outputs := map[string]string{}
	for _, lang := range []string{"ar", "fr", "en"} {
		_, outputs["tracking "+lang], _ = ts.call(t, "GET", "/api/v1/track/"+r.TrackingCode+"?lang="+lang, "", "")
	}
	_, outputs["statements"], _ = ts.call(t, "GET", "/api/v1/statements", "", "")
	_, outputs["communications view"], _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), comms, "")
	_, outputs["communications list"], _ = ts.call(t, "GET", "/api/v1/incidents", comms, "")
	_, analyst, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "analyst", Role: yaqaza.RoleAnalyst})
	_, outputs["analyst view"], _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), analyst, "")
	_, outputs["analyst export"], _ = ts.call(t, "GET", "/api/v1/export/incidents.csv", analyst, "")
	for name, out := range outputs {
		if len(out) < 20 {
			t.Fatalf("%s is empty: %q", name, out)
		}
		for _, v := range planted {
			if strings.Contains(out, v) {
				t.Errorf("%s shows %q:\n%s", name, v, out)
			}
		}
	}
	// Staff who need the contact still see it.
	if _, body, _ := ts.call(t, "GET", fmt.Sprintf("/api/v1/reports/%d", r.ReportID), dispatcher, ""); !strings.Contains(body, "0661234567") {
		t.Errorf("the dispatcher does not see the reporter's phone: %s", body)
	}
}
