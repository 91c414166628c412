package triage

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The three rules by which a report joins an open incident, and what they
// tell the operator.

func (x *DupIndex) matchMedia(fp Fingerprint, at int64) (Match, bool) {
	var best *dupIncident
	var why dupMediaKey
	for _, m := range fp.media {
		ii, ok := x.media[m.key]
		if !ok {
			continue
		}
		inc := &x.incs[ii]
		if dupWithin(inc.at, at, x.opts.TextWindow) && (best == nil || dupBefore(inc, best)) {
			best, why = inc, m
		}
	}
	if best == nil {
		return Match{}, false
	}
	what, evidence := why.describe()
	return Match{
		IncidentID: best.id,
		Rule:       DupRuleMedia,
		Reason:     what + " as incident " + strconv.FormatInt(best.id, 10) + " (" + evidence + ")",
		Score:      1,
	}, true
}

// matchText finds the incidents that hold at least MinShared of the
// report's distinctive shingles, then compares the report with each of
// their fingerprints. When the report and an incident have categories that
// cannot be the same event (an accident and a fight "devant le stade après
// le match"), sharing words is not enough: the texts must be nearly the same.
func (x *DupIndex) matchText(fp Fingerprint, at int64, category string) (Match, bool) {
	o := &x.opts
	if len(fp.shingles) < o.MinShared {
		return Match{}, false
	}
	x.qdf, x.hits, x.vals = x.qdf[:0], x.hits[:0], x.vals[:0]
	for _, h := range fp.shingles {
		v := x.postings[h]
		df := x.postingDF(v)
		x.vals = append(x.vals, v)
		x.qdf = append(x.qdf, int32(df))
		if df == 0 || df >= o.CommonShingle {
			continue
		}
		x.hits = append(x.hits, x.postingEntries(v)...)
	}
	x.cached, x.cachedN, x.cachedAtVer = &fp.shingles[0], len(fp.shingles), x.version
	if len(x.hits) < o.MinShared {
		return Match{}, false
	}
	slices.Sort(x.hits)
	var best *dupIncident
	var bestScore float64
	for i := 0; i < len(x.hits); {
		ii := uint32(x.hits[i] >> 32)
		j := i + 1
		for j < len(x.hits) && uint32(x.hits[j]>>32) == ii {
			j++
		}
		inc := &x.incs[ii]
		if j-i >= o.MinShared && dupWithin(inc.at, at, o.TextWindow) {
			score, prev, n := 0.0, ^uint32(0), 0
			for k := i; k < j && n < dupMaxVerify; k++ {
				if s := uint32(x.hits[k]); s != prev {
					prev, n = s, n+1
					score = max(score, x.textScore(fp, &x.slots[s]))
				}
			}
			if score > 0 && score < dupSameTextScore && dupIncompatible(category, inc.category) {
				score = 0
			}
			if score > 0 && (best == nil || score > bestScore || score == bestScore && dupBefore(inc, best)) {
				best, bestScore = inc, score
			}
		}
		i = j
	}
	if best == nil {
		return Match{}, false
	}
	pct := int(bestScore*100 + 0.5)
	return Match{
		IncidentID: best.id,
		Rule:       DupRuleText,
		Reason:     "same text as incident " + strconv.FormatInt(best.id, 10) + " (" + strconv.Itoa(pct) + "% of words shared)",
		Score:      bestScore,
	}, true
}

// textScore compares a report's shingles with a fingerprint's: the share of
// the shorter text's distinctive shingles found in the other (0 when the
// two do not qualify as the same text). Distinctive shingles are those
// held by fewer than CommonShingle open incidents. For texts longer than
// the sketch, only hashes below both sketches' largest are compared: below
// it, both sketches hold every shingle of their text, so the shares there
// estimate the shares overall.
func (x *DupIndex) textScore(fp Fingerprint, sl *dupSlot) float64 {
	o := &x.opts
	q, f := fp.shingles, sl.shingles
	tau := uint32(math.MaxUint32)
	if int(fp.total) > len(q) {
		tau = q[len(q)-1]
	}
	if int(sl.total) > len(f) {
		tau = min(tau, f[len(f)-1])
	}
	var qn, fn, shared, commonShared, commonQ int
	j := 0
	for i := 0; i < len(q) && q[i] <= tau; i++ {
		for j < len(f) && f[j] < q[i] {
			j++
		}
		common := int(x.qdf[i]) >= o.CommonShingle
		if common {
			commonQ++
		}
		if j < len(f) && f[j] == q[i] {
			shared++
			if common {
				commonShared++
			}
		}
		qn++
	}
	commonF := 0 // the fingerprint's unshared common shingles
	for i := 0; fn < len(f) && f[fn] <= tau; fn++ {
		for i < qn && q[i] < f[fn] {
			i++
		}
		if (i == qn || q[i] != f[fn]) && x.postingDF(x.postings[f[fn]]) >= o.CommonShingle {
			commonF++
		}
	}
	rare := shared - commonShared
	if rare < o.MinShared {
		return 0
	}
	small, large := qn-commonQ, fn-commonShared-commonF
	if small > large {
		small, large = large, small
	}
	// The first MinShared shared shingles are the entry fee; of the rest of
	// the shorter text, TextThreshold must be shared. A short text must
	// thus be nearly all in the other (with the defaults, 4 shingles: all
	// of them; 8: 5; 30: 14), a long one tends to TextThreshold. Templates
	// that differ in a word ("weather for Tuesday", "… for Wednesday") and
	// stock phrases are short: they need all but nothing.
	need := float64(o.MinShared) + o.TextThreshold*float64(small-o.MinShared)
	if float64(rare) < need-1e-9 || float64(rare) < o.MinCoverage*float64(large) {
		return 0
	}
	return float64(rare) / float64(small)
}

func (x *DupIndex) matchNearby(c Candidate, at int64) (Match, bool) {
	o := &x.opts
	g := dupGroup(c.Category)
	if c.Zone == "" || g == "" || at == 0 {
		return Match{}, false
	}
	k := dupNearKey{c.Zone, g}
	l := x.nearby[k]
	if l == nil {
		return Match{}, false
	}
	es := l.entries
	from, _ := slices.BinarySearchFunc(es, at-int64(o.NearbyWindow), func(e dupNearEntry, t int64) int { return cmp.Compare(e.at, t) })
	var best *dupIncident
	var bestScore, bestDist float64
	for _, e := range es[from:] {
		if e.at > at+int64(o.NearbyWindow) {
			break
		}
		if !x.nearValid(k, e) {
			continue
		}
		inc := &x.incs[e.inc]
		dt := time.Duration(dupAbs(at - inc.at))
		if dt > o.NearbyWindow {
			continue
		}
		dist := -1.0
		closeness := 0.0
		if dupPointKnown(c.Point) && inc.hasPoint {
			dist = dupHaversine(*c.Point, inc.point)
			if dist > o.Radius {
				continue
			}
			closeness = 1 - dist/o.Radius
		}
		score := 0.5*closeness + 0.5*(1-float64(dt)/float64(o.NearbyWindow))
		if best == nil || score > bestScore || score == bestScore && dupBefore(inc, best) {
			best, bestScore, bestDist = inc, score, dist
		}
	}
	if best == nil {
		return Match{}, false
	}
	var why string
	if best.category == c.Category {
		why = "same category (" + c.Category + ")"
	} else {
		why = "related category (" + c.Category + " / " + best.category + ")"
	}
	why += " as incident " + strconv.FormatInt(best.id, 10) + ", "
	if bestDist >= 0 {
		why += dupDistance(bestDist) + " away, "
	} else {
		why += "same zone, "
	}
	why += dupGap(time.Duration(dupAbs(at-best.at))) + " apart"
	return Match{IncidentID: best.id, Rule: DupRuleNearby, Reason: why, Score: bestScore}, true
}

// nearValid reports whether a nearby entry still describes its incident.
func (x *DupIndex) nearValid(k dupNearKey, e dupNearEntry) bool {
	inc := &x.incs[e.inc]
	return inc.alive && inc.gen == e.gen && inc.at == e.at && inc.zone == k.zone && dupGroup(inc.category) == k.group
}

// dupGroup is the group of categories that may be the same event, "" for
// none (no category, or "other": they never join on category).
func dupGroup(category string) string {
	switch category {
	case "", "other":
		return ""
	case "assault", "public_disorder", "armed":
		return "\x00violence"
	case "theft_robbery", "burglary":
		return "\x00theft"
	}
	return category
}

// dupSameTextScore is the share of words above which two texts are the
// same text whatever their categories say (triage may have misread one).
const dupSameTextScore = 0.7

// dupIncompatible reports two known categories that cannot be one event.
func dupIncompatible(a, b string) bool {
	ga, gb := dupGroup(a), dupGroup(b)
	return ga != "" && gb != "" && ga != gb
}

// dupBefore orders incidents for ties: the most recent first, then the lowest id.
func dupBefore(a, b *dupIncident) bool {
	if a.at != b.at {
		return a.at > b.at
	}
	return a.id < b.id
}

func dupWithin(a, b int64, w time.Duration) bool {
	return a == 0 || b == 0 || dupAbs(a-b) <= int64(w)
}

func dupNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func dupAbs(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

// dupPointKnown reports whether p is a point to measure from: intake
// validates points, but the index must not join on a NaN distance.
func dupPointKnown(p *yaqaza.Point) bool {
	return p != nil && p.Lat >= -90 && p.Lat <= 90 && p.Lon >= -180 && p.Lon <= 180
}

// dupHaversine is the great-circle distance in metres.
func dupHaversine(a, b yaqaza.Point) float64 {
	const r = 6371000
	rad := math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLon := (b.Lon - a.Lon) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLon/2)*math.Sin(dLon/2)
	return 2 * r * math.Asin(math.Sqrt(min(1, s)))
}

func dupDistance(m float64) string {
	if m < 1000 {
		return strconv.Itoa(int(m+0.5)) + " m"
	}
	return strconv.FormatFloat(m/1000, 'f', 1, 64) + " km"
}

func dupGap(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + " s"
	case d < time.Hour:
		return strconv.Itoa(int((d+30*time.Second)/time.Minute)) + " min"
	}
	h := int(d / time.Hour)
	return strconv.Itoa(h) + " h " + strconv.Itoa(int((d-time.Duration(h)*time.Hour)/time.Minute)) + " min"
}
