package http_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/geo"
	yhttp "github.com/yaqaza/yaqaza/http"
	"github.com/yaqaza/yaqaza/live"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// testServer is a node on loopback over a real SQLite store, with the Fès pack.
type testServer struct {
	*httptest.Server
	db         *sqlstore.DB
	admin      string // an admin token
	taker      string // a call-taker token
	dispatcher string // a dispatcher token
	units      *sqlstore.UnitService
}

// newTestServer serves the API of a fresh store on loopback. configure,
// when given, sets up the server knowing its URL before it serves.
func newTestServer(t testing.TB, configure ...func(srv *yhttp.Server, url string)) *testServer {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir(), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	system := yaqaza.NewContextWithActor(ctx, yaqaza.System("test"))
	pack := geo.DefaultPack()
	packs := sqlstore.NewPackService(db)
	if err := packs.LoadPack(system, pack); err != nil {
		t.Fatal(err)
	}
	zones, err := geo.NewZoneIndex(pack.Zones)
	if err != nil {
		t.Fatal(err)
	}
	tokens := sqlstore.NewTokenService(db)
	metrics := yhttp.NewMetrics()
	db.OnCommit = metrics.ObserveCommit
	srv := &yhttp.Server{
		Metrics:   metrics,
		Reports:   sqlstore.NewReportService(db, geo.PointAssessor{Zones: zones}),
		Incidents: sqlstore.NewIncidentService(db),
		Tracking:  sqlstore.NewTrackingService(db),
		Tokens:    tokens,
		Packs:     packs,
		Places:    packs,
		Ready:     db.Ping,
		Users:     sqlstore.NewUserService(db),
		Audit:     sqlstore.NewAuditService(db),
	}
	db.PasswordParams = account.Params{Memory: 64, Time: 1, Threads: 1} // cheap: the account package tests the real costs
	units, err := sqlstore.NewUnitService(ctx, db, zones, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv.Units, srv.Dispatch = units, units
	srv.Followup = followup{packs, db}
	if srv.Indicators, err = sqlstore.NewIndicatorService(db, pack); err != nil {
		t.Fatal(err)
	}
	srv.Plans = sqlstore.NewPlanService(db, zones)
	srv.Hub, srv.EventLog = live.NewHub(), db
	relayCtx, stopRelay := context.WithCancel(ctx)
	go (&live.Relay{Source: db, Hub: srv.Hub, Owner: "test"}).Run(relayCtx)
	t.Cleanup(stopRelay)
	hs := httptest.NewUnstartedServer(nil)
	for _, c := range configure {
		c(srv, "http://"+hs.Listener.Addr().String())
	}
	hs.Config.Handler = srv.Handler()
	hs.Start()
	ts := &testServer{Server: hs, db: db, units: units}
	t.Cleanup(ts.Close)
	_, ts.admin, _ = tokens.CreateToken(system, yaqaza.TokenInput{Name: "admin", Role: yaqaza.RoleAdmin})
	_, ts.taker, _ = tokens.CreateToken(system, yaqaza.TokenInput{Name: "desk-3", Role: yaqaza.RoleCallTaker})
	_, ts.dispatcher, _ = tokens.CreateToken(system, yaqaza.TokenInput{Name: "dispatch-1", Role: yaqaza.RoleDispatcher})
	return ts
}

func (ts *testServer) tokens() *sqlstore.TokenService { return sqlstore.NewTokenService(ts.db) }

// call sends a request and returns the status and body.
func (ts *testServer) call(t testing.TB, method, path, token, body string, headers ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, ts.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func decode[T any](t testing.TB, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("response is not the expected JSON: %v\n%s", err, body)
	}
	return v
}

type receipt struct {
	ReportID     int64  `json:"report_id"`
	TrackingCode string `json:"tracking_code"`
	IncidentID   int64  `json:"incident_id"`
	TrackURL     string `json:"track_url"`
}

type apiError struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Field   string `json:"field"`
		Lines   []struct {
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"lines"`
	} `json:"error"`
}

// countReports counts stored reports through the API.
func (ts *testServer) countReports(t *testing.T) int {
	t.Helper()
	n, cursor := 0, ""
	for {
		status, body, _ := ts.call(t, "GET", "/api/v1/incidents?limit=500&cursor="+cursor, ts.admin, "")
		if status != 200 {
			t.Fatalf("list: %d %s", status, body)
		}
		page := decode[yaqaza.IncidentPage](t, body)
		for _, inc := range page.Incidents {
			n += inc.ReportCount
		}
		if page.NextCursor == "" {
			return n
		}
		cursor = page.NextCursor
	}
}

// followup gathers the follow-up services, as the command does.
type followup struct {
	*sqlstore.PackService
	*sqlstore.DB
}
