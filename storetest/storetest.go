// Package storetest is the conformance suite every store passes: the same
// tests, run by the sqlite and postgres packages against a real database.
package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// Opener returns a fresh, empty, migrated store; it registers its own cleanup.
type Opener func(t testing.TB) *sqlstore.DB

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s *services)
	}{
		{"SubmitOpensIncidentInZone", testSubmitOpensIncidentInZone},
		{"SubmitOutsideJurisdiction", testSubmitOutsideJurisdiction},
		{"IdempotencyKeyReplays", testIdempotencyKeyReplays},
		{"ExternalIDReplays", testExternalIDReplays},
		{"ConcurrentRetriesWriteOnce", testConcurrentRetriesWriteOnce},
		{"ChannelNeedsCredential", testChannelNeedsCredential},
		{"BadInputWritesNothing", testBadInputWritesNothing},
		{"BatchAllOrNothing", testBatchAllOrNothing},
		{"BatchPartial", testBatchPartial},
		{"AuthorIsPseudonymised", testAuthorIsPseudonymised},
		{"Lifecycle", testLifecycle},
		{"IllegalTransitionChangesNothing", testIllegalTransitionChangesNothing},
		{"TransitionRules", testTransitionRules},
		{"Merge", testMerge},
		{"ListFiltersAndPages", testListFiltersAndPages},
		{"UrgencyOrder", testUrgencyOrder},
		{"Tracking", testTracking},
		{"TrackingFollowsMerge", testTrackingFollowsMerge},
		{"Tokens", testTokens},
		{"Pack", testPack},
		{"SaveCategory", testSaveCategory},
		{"PublicStatementThread", testPublicStatementThread},
		{"JoinThroughIntake", testJoinThroughIntake},
		{"DropAndNotPolice", testDropAndNotPolice},
		{"CorrectAndSplit", testCorrectAndSplit},
		{"Models", testModels},
		{"Places", testPlaces},
		{"DeadlinesAndEscalation", testDeadlinesAndEscalation},
		{"DispatchFlow", testDispatchFlow},
		{"ReassignAndBadUnitInput", testReassignAndBadUnitInput},
		{"WatchRota", testWatchRota},
		{"PermissionMatrix", testPermissionMatrix},
		{"AuditTrail", testAuditTrail},
		{"SignIn", testSignIn},
		{"PersonalDataSealed", testPersonalDataSealed},
		{"Retention", testRetention},
		{"PackRetention", testPackRetention},
		{"Suggest", testSuggest},
		{"Indicators", testIndicators},
		{"Hotspots", testHotspots},
		{"FieldPlan", testFieldPlan},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newServices(t, open(t)))
		})
	}
}

// services bundles the services of one store, with a clock the test moves.
type services struct {
	db        *sqlstore.DB
	reports   *sqlstore.ReportService
	incidents *sqlstore.IncidentService
	tracking  *sqlstore.TrackingService
	tokens    *sqlstore.TokenService
	packs     *sqlstore.PackService
	now       time.Time
}

var fesZones *geo.ZoneIndex

func init() {
	var err error
	if fesZones, err = geo.NewZoneIndex(geo.DefaultPack().Zones); err != nil {
		panic(err)
	}
}

func newServices(t testing.TB, db *sqlstore.DB) *services {
	s := &services{db: db, now: time.Date(2026, 3, 14, 21, 30, 0, 0, time.UTC)}
	db.Now = func() time.Time { return s.now }
	s.reports = sqlstore.NewReportService(db, geo.PointAssessor{Zones: fesZones})
	s.incidents = sqlstore.NewIncidentService(db)
	s.tracking = sqlstore.NewTrackingService(db)
	s.tokens = sqlstore.NewTokenService(db)
	s.packs = sqlstore.NewPackService(db)
	return s
}

func (s *services) tick(d time.Duration) { s.now = s.now.Add(d) }

// Actors used across the suite.
var (
	dispatcher = &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:901", Name: "desk-1", Role: yaqaza.RoleDispatcher}
	admin      = &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:900", Name: "admin", Role: yaqaza.RoleAdmin}
)

func as(a *yaqaza.Actor) context.Context {
	return yaqaza.NewContextWithActor(context.Background(), a)
}

var anonymous = context.Background()

// Real places in Fès, checked against the pack's polygons.
var (
	inMedina     = &yaqaza.Point{Lat: 34.0617, Lon: -4.9836} // Bab Boujloud
	inAgdal      = &yaqaza.Point{Lat: 34.03, Lon: -5.0}
	inZouagha    = &yaqaza.Point{Lat: 34.02, Lon: -5.04}
	inMariniyine = &yaqaza.Point{Lat: 34.065, Lon: -5.01}
	inRabat      = &yaqaza.Point{Lat: 34.02, Lon: -6.84}
)

const (
	zoneMedina     = "03.231.01.07"
	zoneAgdal      = "03.231.01.01"
	zoneZouagha    = "03.231.01.13"
	zoneMariniyine = "03.231.01.11"
)

func mustSubmit(t testing.TB, ctx context.Context, s *services, in *yaqaza.ReportInput) *yaqaza.Receipt {
	t.Helper()
	r, err := s.reports.SubmitReport(ctx, in)
	if err != nil {
		t.Fatalf("SubmitReport(%q): %v", in.Text, err)
	}
	return r
}

func mustIncident(t testing.TB, s *services, id int64) *yaqaza.Incident {
	t.Helper()
	inc, err := s.incidents.FindIncidentByID(as(dispatcher), id)
	if err != nil {
		t.Fatalf("FindIncidentByID(%d): %v", id, err)
	}
	return inc
}

func mustTransition(t testing.TB, s *services, id int64, tr yaqaza.Transition) *yaqaza.Incident {
	t.Helper()
	inc, err := s.incidents.TransitionIncident(as(dispatcher), id, tr)
	if err != nil {
		t.Fatalf("TransitionIncident(%d → %s): %v", id, tr.To, err)
	}
	return inc
}

// countReports counts every stored report, through the list API.
func countReports(t testing.TB, s *services) int {
	t.Helper()
	n := 0
	f := yaqaza.IncidentFilter{Limit: 500}
	for {
		page, err := s.incidents.FindIncidents(as(dispatcher), f)
		if err != nil {
			t.Fatal(err)
		}
		for _, inc := range page.Incidents {
			n += inc.ReportCount
		}
		if page.NextCursor == "" {
			return n
		}
		f.Cursor = page.NextCursor
	}
}

func wantCode(t testing.TB, err error, code string) {
	t.Helper()
	if got := yaqaza.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func web(text string) *yaqaza.ReportInput {
	return &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: text}
}

func seq(i int) string { return fmt.Sprintf("%04d", i) }
