package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/yaqaza/yaqaza"
)

// IndicatorService implements yaqaza.IndicatorService. The store keeps
// raw facts (incidents, their timelines, assignments); the figures are
// computed in Go from one pass over each, so that the same code gives the
// same numbers on SQLite and PostgreSQL (no engine's percentile or date
// functions), and the queries only walk indexes that exist.
type IndicatorService struct {
	db *DB
	// zones are the pack's, without geometry: their codes, names and
	// population. A new pack takes a restart, as for the rest of the node.
	zones []yaqaza.Zone
	loc   *time.Location
	// history keeps the trends' past days, counted at most trendHistoryTTL ago.
	history trendHistory
	// closed keeps what closed incidents add to the figures.
	closed closedFacts
}

var _ yaqaza.IndicatorService = (*IndicatorService)(nil)

// NewIndicatorService computes indicators for the jurisdiction of p: its
// zones' population and its time zone, in which trends are bucketed.
func NewIndicatorService(db *DB, p *yaqaza.Pack) (*IndicatorService, error) {
	loc := time.UTC
	if p.Timezone != "" {
		var err error
		if loc, err = time.LoadLocation(p.Timezone); err != nil {
			return nil, fmt.Errorf("sqlstore: indicators: pack time zone: %w", err)
		}
	}
	s := &IndicatorService{db: db, loc: loc}
	for _, z := range p.Zones {
		s.zones = append(s.zones, yaqaza.Zone{Code: z.Code, Names: z.Names, Population: z.Population})
	}
	return s, nil
}

// workingStatuses are the open statuses before resolution: what the
// dashboard calls open (a resolved incident waits only to be closed).
var workingStatuses = []yaqaza.Status{yaqaza.StatusNew, yaqaza.StatusTriaged, yaqaza.StatusDispatched,
	yaqaza.StatusEnRoute, yaqaza.StatusOnScene}

// incidentFacts is what the indicators need of one incident of the period.
type incidentFacts struct {
	id       int64
	zone     string
	priority yaqaza.Priority
	status   yaqaza.Status
	created  int64
	// reached is when each response stage was first reached (ms), 0 if not.
	reached  [4]int64
	category string
	// cleared: resolved or closed with an outcome.
	cleared bool
	// zi is the zone's index in the pack, -1 for none: a year of facts is
	// counted per zone without hashing its code ninety thousand times.
	zi int
	// point is where it happened, when located (for the hotspots).
	point   yaqaza.Point
	located bool
}

// zoneIndex is a zone's index in the pack, -1 when it is not one of its.
func (s *IndicatorService) zoneIndex(code string) int {
	for i, z := range s.zones {
		if z.Code == code {
			return i
		}
	}
	return -1
}

// scope is the SQL condition that keeps an actor to its zones.
type scope struct {
	cond string // "" or " AND zone_code IN (…)"
	args []any
}

func scopeOf(actor *yaqaza.Actor) scope {
	if actor.Prefecture() {
		return scope{}
	}
	sc := scope{cond: " AND zone_code IN (" + placeholders(len(actor.Zones)) + ")"}
	for _, z := range actor.Zones {
		sc.args = append(sc.args, z)
	}
	return sc
}

// Indicators implements yaqaza.IndicatorService.
func (s *IndicatorService) Indicators(ctx context.Context, from, to time.Time) (*yaqaza.Indicators, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadStats)
	if err != nil {
		return nil, err
	}
	if err := checkPeriod(from, to); err != nil {
		return nil, err
	}
	now := s.db.Now()
	sc := scopeOf(actor)
	out := &yaqaza.Indicators{From: from.UTC(), To: to.UTC(), At: now.UTC()}
	agg := s.newAggregates(actor)
	trends := newTrendSet(now, s.loc)
	facts, err := s.periodFacts(ctx, actor, sc, toMillis(from), toMillis(to))
	if err != nil {
		return nil, err
	}
	agg.addIncidents(facts)
	if err := s.scanTrends(ctx, sc, trends, now); err != nil {
		return nil, err
	}
	agg.addResponses(facts, s.db.SLA(), toMillis(now))
	if err := s.countOpen(ctx, sc, toMillis(now), agg); err != nil {
		return nil, err
	}
	if out.Late, err = s.lateIncidents(ctx, actor, sc, toMillis(now)); err != nil {
		return nil, err
	}
	out.Prefecture, out.Zones = agg.finish()
	out.Trends = trends.finish()
	return out, nil
}

// incidentColumnsForFacts are what scanFacts reads.
const incidentColumnsForFacts = `id, status, category, priority, coalesce(zone_code, ''), created_at, coalesce(outcome, ''),
	coalesce(acknowledged_at, 0), coalesce(dispatched_at, 0), coalesce(on_scene_at, 0), coalesce(resolved_at, 0),
	coalesce(lat, 0), coalesce(lon, 0), CASE WHEN lat IS NULL THEN 0 ELSE 1 END`

// scanFacts reads incidents' facts from rows of incidentColumnsForFacts.
func (s *IndicatorService) scanFacts(rows *sql.Rows, add func(f *incidentFacts)) error {
	defer rows.Close()
	for rows.Next() {
		var priority, located int
		var outcome string
		f := &incidentFacts{}
		if err := rows.Scan(&f.id, &f.status, &f.category, &priority, &f.zone, &f.created, &outcome,
			&f.reached[0], &f.reached[1], &f.reached[2], &f.reached[3], &f.point.Lat, &f.point.Lon, &located); err != nil {
			return err
		}
		f.located = located == 1
		f.priority = yaqaza.Priority(priority)
		f.zi = s.zoneIndex(f.zone)
		f.cleared = (f.status == yaqaza.StatusResolved || f.status == yaqaza.StatusClosed) && outcome != ""
		add(f)
	}
	return rows.Err()
}

// countOpen counts the open and the late incidents of each zone, now.
func (s *IndicatorService) countOpen(ctx context.Context, sc scope, now int64, agg *aggregates) error {
	args := []any{now}
	for _, st := range workingStatuses {
		args = append(args, st)
	}
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT coalesce(zone_code, ''), count(*),
		sum(CASE WHEN deadline_at IS NOT NULL AND deadline_at < ? THEN 1 ELSE 0 END)
		FROM incidents WHERE status IN (`+placeholders(len(workingStatuses))+`)`+sc.cond+` GROUP BY zone_code`),
		append(args, sc.args...)...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var zone string
		var open, late int
		if err := rows.Scan(&zone, &open, &late); err != nil {
			return err
		}
		agg.addOpen(s.zoneIndex(zone), open, late)
	}
	return rows.Err()
}

// lateIncidents lists the open incidents past their deadline, most
// overdue first, as the actor may see them.
func (s *IndicatorService) lateIncidents(ctx context.Context, actor *yaqaza.Actor, sc scope, now int64) ([]*yaqaza.Incident, error) {
	args := []any{}
	for _, st := range workingStatuses {
		args = append(args, st)
	}
	args = append(append(args, now), sc.args...)
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT `+incidentColumns+` FROM incidents i
		WHERE i.status IN (`+placeholders(len(workingStatuses))+`) AND i.deadline_at < ?`+sc.cond+`
		ORDER BY i.deadline_at, i.id LIMIT `+itoa(yaqaza.MaxLateListed)), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*yaqaza.Incident{}
	for rows.Next() {
		inc, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		if shaped := yaqaza.ShapeIncident(actor, inc); shaped != nil {
			out = append(out, shaped)
		}
	}
	return out, rows.Err()
}

// percentile interpolates between the ranks of sorted values (type 7 of
// Hyndman and Fan, spreadsheets' PERCENTILE.INC), so that analysts can
// check a figure by hand.
func percentile(values []float64, p float64) float64 {
	if len(values) == 0 {
		return 0
	}
	pos := p * float64(len(values)-1)
	i := int(math.Floor(pos))
	lo := selectNth(values, i)
	if i >= len(values)-1 {
		return lo
	}
	// After the selection everything right of i is at least lo: the next
	// rank is the smallest of them.
	hi := slices.Min(values[i+1:])
	return lo + (pos-float64(i))*(hi-lo)
}

// selectNth reorders values so that values[n] is the value of rank n, the
// smaller ones before it and the others after (Hoare's selection): a
// year's response times are ninety thousand values, and two ranks of them
// do not need them all sorted.
func selectNth(values []float64, n int) float64 {
	lo, hi := 0, len(values)-1
	for lo < hi {
		pivot := values[lo+(hi-lo)/2]
		i, j := lo, hi
		for i <= j {
			for values[i] < pivot {
				i++
			}
			for values[j] > pivot {
				j--
			}
			if i <= j {
				values[i], values[j] = values[j], values[i]
				i++
				j--
			}
		}
		switch {
		case n <= j:
			hi = j
		case n >= i:
			lo = i
		default:
			return values[n]
		}
	}
	return values[n]
}

// zoneAggregate accumulates one zone's figures (or the prefecture's).
type zoneAggregate struct {
	out   yaqaza.ZoneIndicators
	times [4][]float64 // seconds to reach each stage
	due   [4]int
	kept  [4]int // reached within the deadline
}

// aggregates are the zones in the actor's scope, in the pack's order, and
// their total.
type aggregates struct {
	prefecture *zoneAggregate
	zones      []*zoneAggregate
	// byIndex holds the zones by their index in the pack, nil when out of scope.
	byIndex []*zoneAggregate
}

func (s *IndicatorService) newAggregates(actor *yaqaza.Actor) *aggregates {
	a := &aggregates{prefecture: newZoneAggregate(yaqaza.Zone{}),
		byIndex: make([]*zoneAggregate, len(s.zones))}
	for i, z := range s.zones {
		if !actor.Prefecture() && !slices.Contains(actor.Zones, z.Code) {
			continue
		}
		za := newZoneAggregate(z)
		a.zones = append(a.zones, za)
		a.byIndex[i] = za
		a.prefecture.out.Population += z.Population
	}
	return a
}

func newZoneAggregate(z yaqaza.Zone) *zoneAggregate {
	return &zoneAggregate{out: yaqaza.ZoneIndicators{Zone: z.Code, Names: z.Names, Population: z.Population,
		ByCategory: map[string]int{}, Response: map[yaqaza.Stage]yaqaza.StageTimes{}}}
}

// targets are the aggregates an incident of the zone of index zi counts
// in: the prefecture's, and the zone's when it is one of the pack's in scope.
func (a *aggregates) targets(zi int, buf *[2]*zoneAggregate) []*zoneAggregate {
	buf[0] = a.prefecture
	if zi < 0 {
		return buf[:1]
	}
	if z := a.byIndex[zi]; z != nil {
		buf[1] = z
		return buf[:2]
	}
	return buf[:1]
}

// addIncidents counts the period's incidents, by zone, clearance and
// category first: a year is ninety thousand incidents and a few hundred
// such groups.
func (a *aggregates) addIncidents(facts []*incidentFacts) {
	// groups[zi+1][cleared] counts by category; zi is -1 for no zone.
	groups := make([][2]map[string]int, len(a.byIndex)+1)
	for _, f := range facts {
		c := 0
		if f.cleared {
			c = 1
		}
		m := groups[f.zi+1][c]
		if m == nil {
			m = map[string]int{}
			groups[f.zi+1][c] = m
		}
		m[f.category]++
	}
	var buf [2]*zoneAggregate
	for zi, byCleared := range groups {
		for c, byCategory := range byCleared {
			for category, n := range byCategory {
				for _, z := range a.targets(zi-1, &buf) {
					z.out.Incidents += n
					z.out.ByCategory[category] += n
					if c == 1 {
						z.out.Cleared += n
					}
				}
			}
		}
	}
}

func (a *aggregates) addOpen(zi int, open, late int) {
	var buf [2]*zoneAggregate
	for _, z := range a.targets(zi, &buf) {
		z.out.Open += open
		z.out.Late += late
	}
}

// addResponses adds every incident's stage times, and whether each stage
// owed by now was reached within its deadline.
func (a *aggregates) addResponses(facts []*incidentFacts, sla *yaqaza.SLAPolicy, now int64) {
	// The deadlines in ms by priority and stage, -1 where there is none,
	// looked up once rather than for each of a year's incidents.
	var limits [yaqaza.P4 + 1][len(stageColumns)]int64
	for pr := range limits {
		for i, stage := range yaqaza.ResponseStages {
			limits[pr][i] = -1
			if d, ok := sla.Deadlines[yaqaza.Priority(pr)][stage]; ok {
				limits[pr][i] = time.Duration(d).Milliseconds()
			}
		}
	}
	// Room for every incident's times at once: a year is ninety thousand.
	perZone := make([]int, len(a.byIndex))
	for _, f := range facts {
		if f.zi >= 0 {
			perZone[f.zi]++
		}
	}
	for i := range a.prefecture.times {
		a.prefecture.times[i] = slices.Grow(a.prefecture.times[i], len(facts))
		for zi, z := range a.byIndex {
			if z != nil {
				z.times[i] = slices.Grow(z.times[i], perZone[zi])
			}
		}
	}
	var buf [2]*zoneAggregate
	for _, f := range facts {
		var limit *[len(stageColumns)]int64
		if f.priority >= 0 && int(f.priority) < len(limits) {
			limit = &limits[f.priority]
		}
		targets := a.targets(f.zi, &buf)
		for i, stage := range yaqaza.ResponseStages {
			hasLimit := limit != nil && limit[i] >= 0
			took := f.reached[i] - f.created
			switch {
			case f.reached[i] != 0:
				kept := hasLimit && took <= limit[i]
				for _, z := range targets {
					z.times[i] = append(z.times[i], float64(max(took, 0))/1000)
					if hasLimit {
						z.due[i]++
					}
					if kept {
						z.kept[i]++
					}
				}
			case hasLimit && now > f.created+limit[i] && !yaqaza.Reached(f.status, stage):
				for _, z := range targets {
					z.due[i]++
				}
			}
		}
	}
}

func (a *aggregates) finish() (yaqaza.ZoneIndicators, []yaqaza.ZoneIndicators) {
	zones := make([]yaqaza.ZoneIndicators, len(a.zones))
	for i, z := range a.zones {
		zones[i] = z.finish()
	}
	return a.prefecture.finish(), zones
}

func (z *zoneAggregate) finish() yaqaza.ZoneIndicators {
	out := z.out
	if out.Population > 0 {
		out.Per100k = float64(out.Incidents) * 100000 / float64(out.Population)
	}
	if out.Incidents > 0 {
		out.Clearance = float64(out.Cleared) / float64(out.Incidents)
	}
	for i, stage := range yaqaza.ResponseStages {
		times := z.times[i]
		st := yaqaza.StageTimes{N: len(times), Due: z.due[i], MedianS: percentile(times, 0.5), P90S: percentile(times, 0.9)}
		if st.Due > 0 {
			st.WithinSLA = float64(z.kept[i]) / float64(st.Due)
		}
		out.Response[stage] = st
	}
	return out
}

// trend counts incidents into buckets of local time.
type trend struct {
	period string
	starts []time.Time
	bounds []int64 // starts in ms, ascending
	end    int64   // the end of the last bucket
	counts []map[string]int
}

// trendSet holds the day, week and month trends, and the span of time
// they cover together.
type trendSet struct {
	trends     []*trend
	start, end int64
}

// newTrendSet lays out the buckets ending with the one holding now: local
// days, weeks from Monday (as in Morocco and ISO 8601) and calendar months.
// Bounds are computed with time.Date in loc, so a day of a clock change
// is 23 or 25 hours long, as it was lived.
func newTrendSet(now time.Time, loc *time.Location) *trendSet {
	local := now.In(loc)
	y, m, d := local.Date()
	date := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, loc) }
	monday := d - (int(local.Weekday())+6)%7
	set := &trendSet{trends: []*trend{
		newTrend(yaqaza.TrendDay, 30, func(i int) time.Time { return date(y, m, d-i) }),
		newTrend(yaqaza.TrendWeek, 12, func(i int) time.Time { return date(y, m, monday-7*i) }),
		newTrend(yaqaza.TrendMonth, 12, func(i int) time.Time { return date(y, m-time.Month(i), 1) }),
	}}
	set.start, set.end = set.trends[0].bounds[0], set.trends[0].end
	for _, t := range set.trends {
		set.start, set.end = min(set.start, t.bounds[0]), max(set.end, t.end)
	}
	return set
}

// newTrend makes n buckets; start(i) is the start of the bucket i before
// the current one, and start(-1) the end of the current one.
func newTrend(period string, n int, start func(i int) time.Time) *trend {
	t := &trend{period: period, end: toMillis(start(-1))}
	for i := n - 1; i >= 0; i-- {
		s := start(i)
		t.starts = append(t.starts, s)
		t.bounds = append(t.bounds, toMillis(s))
		t.counts = append(t.counts, map[string]int{})
	}
	return t
}

// add counts n incidents created at created (ms) in zone.
func (s *trendSet) add(created int64, zone string, n int) {
	for _, t := range s.trends {
		if created < t.bounds[0] || created >= t.end {
			continue
		}
		i, found := slices.BinarySearch(t.bounds, created)
		if !found {
			i--
		}
		t.counts[i][zone] += n
	}
}

func (s *trendSet) finish() []yaqaza.Trend {
	out := make([]yaqaza.Trend, len(s.trends))
	for k, t := range s.trends {
		out[k] = yaqaza.Trend{Period: t.period, Buckets: make([]yaqaza.TrendBucket, len(t.starts))}
		for i, start := range t.starts {
			n := 0
			for _, c := range t.counts[i] {
				n += c
			}
			out[k].Buckets[i] = yaqaza.TrendBucket{Start: start, Count: n, ByZone: t.counts[i]}
		}
	}
	return out
}
