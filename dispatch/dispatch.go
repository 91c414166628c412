package dispatch

import (
	"fmt"
	"math"
	"slices"

	"github.com/yaqaza/yaqaza"
)

// FallbackSpeedKmh is the speed assumed for a kind of unit the policy gives
// no speed for.
const FallbackSpeedKmh = 30

// exhaustiveAbove is the k above which ranking every unit and sorting once is
// cheaper than keeping a sorted top k during the search.
const exhaustiveAbove = 64

// Recommender proposes units for incidents from an Index, under a
// jurisdiction's dispatch policy. It is safe for concurrent use. To change
// the policy, make a new Recommender over the same Index.
type Recommender struct {
	idx        *Index
	roadFactor float64
	speedMS    map[string]float64 // metres per second, by kind
	needs      map[string][]string
	prefers    map[string]map[string]int // category → kind → rank
}

// NewRecommender ranks the units of idx under policy (DefaultPolicy when
// nil). The policy is copied; check it first with ValidatePolicy. A road
// factor below 1 counts as 1 and a speed that is not positive as
// FallbackSpeedKmh, so that a bad policy cannot break recommendations.
func NewRecommender(idx *Index, policy *yaqaza.DispatchPolicy) *Recommender {
	if policy == nil {
		policy = DefaultPolicy()
	}
	r := &Recommender{
		idx:        idx,
		roadFactor: policy.RoadFactor,
		speedMS:    map[string]float64{},
		needs:      map[string][]string{},
		prefers:    map[string]map[string]int{},
	}
	if !(r.roadFactor >= 1) || math.IsInf(r.roadFactor, 0) {
		r.roadFactor = 1
	}
	for kind, v := range policy.SpeedKmh {
		if v > 0 && !math.IsInf(v, 0) {
			r.speedMS[kind] = v / 3.6
		}
	}
	for cat, caps := range policy.Needs {
		r.needs[cat] = slices.Clone(caps)
	}
	for cat, kinds := range policy.Prefers {
		m := map[string]int{}
		for i, k := range kinds {
			if _, dup := m[k]; !dup {
				m[k] = i
			}
		}
		r.prefers[cat] = m
	}
	return r
}

func (r *Recommender) speed(kind string) float64 {
	if v, ok := r.speedMS[kind]; ok {
		return v
	}
	return FallbackSpeedKmh / 3.6
}

// Recommend returns up to k available units that have every capability the
// incident's category needs, best first (see the ranking at the top of
// rank.go), each with its distance, travel time and reasons. Distance is
// measured from the incident's location, else from its zone's representative
// point; when neither is known the units are ranked by kind and zone alone,
// and DistanceM and ETASeconds are -1, as they are for a unit whose position
// is unknown.
func (r *Recommender) Recommend(inc *yaqaza.Incident, k int) []yaqaza.Recommendation {
	if inc == nil || k <= 0 {
		return nil
	}
	if k > exhaustiveAbove {
		return r.RecommendExhaustive(inc, k)
	}
	q := r.query(inc)
	top := newTopK(k)
	r.idx.mu.RLock()
	if q.located {
		r.idx.searchLocked(q.point, top, q)
		if !top.full() {
			var c candidate
			for _, e := range r.idx.unplaced.entries {
				if q.qualifies(e.unit) {
					q.rankUnplaced(e.unit, &c)
					top.push(&c)
				}
			}
		}
	} else {
		var c candidate
		r.idx.eachLocked(func(e *entry) {
			if q.qualifies(e.unit) {
				q.rankUnlocated(e.unit, &c)
				top.push(&c)
			}
		})
	}
	r.idx.mu.RUnlock()
	return q.recommendations(top.c)
}

// RecommendExhaustive answers as Recommend does by ranking every unit in the
// index and sorting them: the reference the indexed search is tested and
// measured against.
func (r *Recommender) RecommendExhaustive(inc *yaqaza.Incident, k int) []yaqaza.Recommendation {
	if inc == nil || k <= 0 {
		return nil
	}
	q := r.query(inc)
	qlat, qlon := rad(q.point.Lat), rad(q.point.Lon)
	cosQ := math.Cos(qlat)
	var all []candidate
	r.idx.mu.RLock()
	r.idx.eachLocked(func(e *entry) {
		if !q.qualifies(e.unit) {
			return
		}
		var c candidate
		switch {
		case !q.located:
			q.rankUnlocated(e.unit, &c)
		case e.unit.Position == nil:
			q.rankUnplaced(e.unit, &c)
		default:
			q.rank(e.unit, haversine(qlat, qlon, cosQ, e), &c)
		}
		all = append(all, c)
	})
	r.idx.mu.RUnlock()
	slices.SortFunc(all, func(a, b candidate) int { return compare(&a, &b) })
	return q.recommendations(all[:min(k, len(all))])
}

// query is one incident's search: what qualifies, from where, and how it ranks.
type query struct {
	r        *Recommender
	needs    []string
	prefers  map[string]int
	zone     string
	point    yaqaza.Point
	located  bool
	fromZone bool // point is the zone's representative point
}

func (r *Recommender) query(inc *yaqaza.Incident) *query {
	q := &query{r: r, needs: r.needs[inc.Category], prefers: r.prefers[inc.Category], zone: inc.ZoneCode}
	switch {
	case inc.Location != nil && inc.Location.Validate("location") == nil:
		q.point, q.located = *inc.Location, true
	case inc.ZoneCode != "" && r.idx.zonePoint != nil:
		if p, ok := r.idx.zonePoint(inc.ZoneCode); ok && p.Validate("zone") == nil {
			q.point, q.located, q.fromZone = p, true, true
		}
	}
	return q
}

// qualifies: available, with every capability the category needs.
func (q *query) qualifies(u *yaqaza.Unit) bool {
	if u.Status != yaqaza.UnitAvailable {
		return false
	}
	for _, need := range q.needs {
		if !slices.Contains(u.Capabilities, need) {
			return false
		}
	}
	return true
}

func (q *query) pref(kind string) int {
	if i, ok := q.prefers[kind]; ok {
		return i
	}
	return notPreferred
}

// rank implements ranker: u, which qualifies, is d metres from the incident.
func (q *query) rank(u *yaqaza.Unit, d float64, c *candidate) {
	*c = candidate{unit: u, tier: tierPosition, pref: q.pref(u.Kind), home: q.zone != "" && u.HomeZone == q.zone, dist: d}
	c.eta = d * q.r.roadFactor / q.r.speed(u.Kind)
	c.key = c.eta
	if c.preferred() {
		c.key = relax(c.eta)
	}
	if c.home {
		c.key -= HomeZoneBonus
	}
}

func (q *query) bound(g *kindGrid, d float64) float64 {
	t := d * q.r.roadFactor / q.r.speed(g.kind)
	if _, ok := q.prefers[g.kind]; ok {
		t = relax(t)
	}
	if q.zone != "" {
		t -= HomeZoneBonus
	}
	return t
}

func (q *query) skip(g *kindGrid) bool { return !g.hasAll(q.needs) }

// rankUnplaced ranks a unit without a position, which qualifies, from its
// home zone's point, or last of all when that is unknown too.
func (q *query) rankUnplaced(u *yaqaza.Unit, c *candidate) {
	if zp := q.r.idx.zonePoint; zp != nil && u.HomeZone != "" {
		if p, ok := zp(u.HomeZone); ok && p.Validate("zone") == nil {
			q.rank(u, HaversineM(q.point, p), c)
			c.tier = tierHomeZone
			return
		}
	}
	*c = candidate{unit: u, tier: tierUnknown, pref: q.pref(u.Kind), home: q.zone != "" && u.HomeZone == q.zone, dist: -1, eta: -1}
}

// rankUnlocated ranks a unit, which qualifies, for an incident whose place is unknown.
func (q *query) rankUnlocated(u *yaqaza.Unit, c *candidate) {
	*c = candidate{unit: u, tier: tierPosition, pref: q.pref(u.Kind), home: q.zone != "" && u.HomeZone == q.zone, dist: -1, eta: -1}
}

func (q *query) recommendations(cs []candidate) []yaqaza.Recommendation {
	if len(cs) == 0 {
		return nil
	}
	out := make([]yaqaza.Recommendation, len(cs))
	for i := range cs {
		c := &cs[i]
		out[i] = yaqaza.Recommendation{Unit: c.unit, DistanceM: c.dist, ETASeconds: c.eta, Reasons: q.reasons(c)}
	}
	return out
}

// reasons says in short English why a unit is proposed.
func (q *query) reasons(c *candidate) []string {
	rs := make([]string, 0, len(q.needs)+4)
	for _, need := range q.needs {
		rs = append(rs, "capability "+need)
	}
	if c.preferred() {
		rs = append(rs, "preferred kind "+c.unit.Kind)
	}
	if c.home {
		rs = append(rs, "home zone")
	}
	switch {
	case !q.located:
		rs = append(rs, "no location: by kind and zone")
	case c.tier == tierUnknown:
		rs = append(rs, "no position")
	default:
		if c.tier == tierHomeZone {
			rs = append(rs, "no position: measured from its home zone")
		}
		if q.fromZone {
			rs = append(rs, "no incident location: measured from its zone")
		}
		rs = append(rs, distanceText(c.dist)+", "+etaText(c.eta))
	}
	return rs
}

func distanceText(m float64) string {
	if m < 995 {
		return fmt.Sprintf("%.0f m", math.Round(m/10)*10)
	}
	return fmt.Sprintf("%.1f km", m/1000)
}

func etaText(s float64) string {
	if s < 60 {
		return "under 1 min"
	}
	return fmt.Sprintf("about %.0f min", math.Round(s/60))
}
