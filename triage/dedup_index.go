package triage

import (
	"math"
	"slices"
	"time"

	"github.com/yaqaza/yaqaza"
)

// DupOptions are the windows and thresholds of duplicate clustering.
type DupOptions struct {
	// TextWindow is how long an incident stays joinable by text or media
	// after its latest report.
	TextWindow time.Duration
	// NearbyWindow is how far apart in time a report and an incident's
	// latest report may be to join on category and place.
	NearbyWindow time.Duration
	// Radius is how far apart, in metres, a report and an incident may be to
	// join on category and place, when both have a point.
	Radius float64
	// TextThreshold is the least share of the shorter text's distinctive
	// shingles that the other must have (containment); MinCoverage the
	// least share of the longer one's. Both are needed: a re-post with a
	// comment contains all of the original and is mostly the original; a
	// stock phrase ("لا حول ولا قوة الا بالله") quoted in a long text is
	// contained in it but is a small part of it.
	TextThreshold, MinCoverage float64
	// MinShared is the fewest distinctive shingles two texts must share.
	// With word 3-shingles, a text needs MinShared+2 words to join on text.
	MinShared int
	// CommonShingle is the number of open incidents from which a shingle
	// counts as common: it is then no evidence that two texts tell the same
	// event ("at the boston marathon", "شوفو هاد الشي"). At most PostingCap.
	CommonShingle int
	// PostingCap bounds the incidents listed under one shingle.
	PostingCap int
}

// DefaultDupOptions are the options NewDupIndex starts from.
var DefaultDupOptions = DupOptions{
	TextWindow:    48 * time.Hour,
	NearbyWindow:  30 * time.Minute,
	Radius:        400,
	TextThreshold: 0.4,
	MinCoverage:   0.25,
	MinShared:     3,
	CommonShingle: 16,
	PostingCap:    64,
}

// Candidate is what the index knows of an open incident; given to Match, it
// describes the new report.
type Candidate struct {
	IncidentID     int64
	Zone, Category string
	Point          *yaqaza.Point
	At             time.Time // time of its latest report
}

// The rules by which a report joins an incident.
const (
	DupRuleMedia  = "media"  // the same media hash or link
	DupRuleText   = "text"   // (nearly) the same text
	DupRuleNearby = "nearby" // a compatible category, close in place and time
)

// Match is the open incident a report belongs to, and why.
type Match struct {
	IncidentID int64
	Rule       string // DupRuleMedia, DupRuleText or DupRuleNearby
	// Reason is a short sentence for the operator, with the incident and
	// the evidence: "same text as incident 4521 (92% of words shared)".
	Reason string
	// Score is the strength of the evidence, from 0 to 1: 1 for media, the
	// share of words for text, closeness in place and time for nearby.
	Score float64
}

// DupIndex holds the fingerprints of open incidents. Not safe for
// concurrent use: the intake writer owns it (one goroutine). Match and Add
// cost a few map look-ups per shingle; nothing is scanned in proportion to
// the number of open incidents.
type DupIndex struct {
	opts DupOptions

	slots     []dupSlot
	freeSlots []uint32
	live      int

	incs     []dupIncident
	freeIncs []uint32
	byID     map[int64]uint32

	// postings lists, for each shingle hash, the fingerprints that hold it,
	// at most one per incident: slot+1 for one, dupListTag|i for lists[i].
	postings  map[uint32]uint32
	lists     []dupPosting
	freeLists []uint32

	media  map[uint64]uint32 // media or link key → incident
	nearby map[dupNearKey]*dupNearList
	expiry []dupExpiry // a min-heap on at

	// scratch, reused from call to call
	qdf  []int32
	vals []uint32
	hits []uint64
	one  [1]uint64

	// Add reuses the posting values Match looked up for the same shingles
	// if the postings have not changed since (version counts the changes).
	version     uint64
	cached      *uint32 // the first shingle of the fingerprint vals are for
	cachedN     int
	cachedAtVer uint64
}

const (
	dupListTag = 1 << 31
	// dupMaxVerify bounds the fingerprints of one incident compared with a
	// new report's: the oldest come first, and the original is among them.
	dupMaxVerify = 16
)

type dupSlot struct {
	shingles []uint32
	media    []uint64
	total    int32
	inc      uint32
}

type dupIncident struct {
	id              int64
	zone, category  string
	point           yaqaza.Point
	hasPoint, alive bool
	gen             uint32 // bumped each time the entry is freed
	at              int64  // Unix nanoseconds of the latest report; 0 if unknown
	slots           []uint32
}

type dupPosting struct {
	entries  []uint64 // incident<<32 | slot
	overflow int32    // incidents that came when the list was full
}

type dupNearKey struct{ zone, group string }

// dupNearList is the nearby rule's entries for a zone and a group of
// categories, in time order. An incident gets an entry each time its time
// moves; the old one is left for Expire or the next compaction to drop.
type dupNearList struct {
	entries []dupNearEntry
	live    int // entries after the last compaction
}

type dupNearEntry struct {
	at       int64
	inc, gen uint32
}

type dupExpiry struct {
	at       int64
	inc, gen uint32
}

// NewDupIndex returns an empty index. Zero options take their default.
func NewDupIndex(opts DupOptions) *DupIndex {
	d := DefaultDupOptions
	if opts.TextWindow > 0 {
		d.TextWindow = opts.TextWindow
	}
	if opts.NearbyWindow > 0 {
		d.NearbyWindow = opts.NearbyWindow
	}
	if opts.Radius > 0 {
		d.Radius = opts.Radius
	}
	if opts.TextThreshold > 0 {
		d.TextThreshold = opts.TextThreshold
	}
	if opts.MinCoverage > 0 {
		d.MinCoverage = opts.MinCoverage
	}
	if opts.MinShared > 0 {
		d.MinShared = opts.MinShared
	}
	if opts.PostingCap > 0 {
		d.PostingCap = max(opts.PostingCap, 2)
	}
	if opts.CommonShingle > 0 {
		d.CommonShingle = opts.CommonShingle
	}
	d.CommonShingle = min(d.CommonShingle, d.PostingCap)
	return &DupIndex{
		opts:     d,
		byID:     make(map[int64]uint32),
		postings: make(map[uint32]uint32),
		media:    make(map[uint64]uint32),
		nearby:   make(map[dupNearKey]*dupNearList),
	}
}

// Len is the number of fingerprints held. An Add that brings nothing new to
// its incident (an identical re-post: every shingle and media key already
// indexed for it) refreshes the incident and keeps no fingerprint.
func (x *DupIndex) Len() int { return x.live }

// Incidents is the number of open incidents held.
func (x *DupIndex) Incidents() int { return len(x.byID) }

// Match returns the open incident a report with fingerprint fp belongs to,
// and why; c describes the report (zone, category, point, time). Media is
// tried first, then text, then the nearby rule. Ties go to the most recent
// incident, then the lowest id.
func (x *DupIndex) Match(fp Fingerprint, c Candidate) (Match, bool) {
	at := dupNanos(c.At)
	if m, ok := x.matchMedia(fp, at); ok {
		return m, true
	}
	if m, ok := x.matchText(fp, at, c.Category); ok {
		return m, true
	}
	return x.matchNearby(c, at)
}

// Add records that a report with fingerprint fp now belongs to incident
// c.IncidentID, and that the incident is now as c says: a non-empty zone or
// category, a point and a later time replace what the index knew. Add with
// a zero Fingerprint only updates the incident (an operator's correction).
func (x *DupIndex) Add(fp Fingerprint, c Candidate) {
	ii := x.touch(c)
	if fp.Empty() {
		return
	}
	if !x.cachedFor(fp) {
		x.vals = x.vals[:0]
		for _, h := range fp.shingles {
			x.vals = append(x.vals, x.postings[h])
		}
	}
	novel := false
	for _, v := range x.vals {
		if novel = x.postingAccepts(v, ii); novel {
			break
		}
	}
	for _, m := range fp.media {
		cur, ok := x.media[m.key]
		novel = novel || !ok || cur != ii
	}
	if !novel {
		return
	}
	x.version++
	s := x.newSlot(fp, ii)
	for i, h := range fp.shingles {
		x.postingAdd(h, x.vals[i], s, ii)
	}
	for _, m := range fp.media {
		x.media[m.key] = ii // the latest incident with this media wins
	}
}

// Forget removes an incident (closed, merged away, cancelled). An unknown
// id is ignored.
func (x *DupIndex) Forget(incidentID int64) {
	if ii, ok := x.byID[incidentID]; ok {
		x.remove(ii)
	}
}

// Expire drops what is older than the windows, relative to now: incidents
// whose latest report is older than the longer window, and the nearby
// rule's entries older than its window. Incidents without a time never
// expire; Forget them.
func (x *DupIndex) Expire(now time.Time) {
	t := dupNanos(now)
	cut := t - int64(max(x.opts.TextWindow, x.opts.NearbyWindow))
	for len(x.expiry) > 0 && x.expiry[0].at < cut {
		e := x.popExpiry()
		if inc := &x.incs[e.inc]; inc.alive && inc.gen == e.gen && inc.at == e.at {
			x.remove(e.inc)
		}
	}
	nearCut := t - int64(x.opts.NearbyWindow)
	for k, l := range x.nearby {
		if x.compact(k, l, nearCut); len(l.entries) == 0 {
			delete(x.nearby, k)
		}
	}
}

// compact drops a nearby list's entries that are stale or older than cut.
func (x *DupIndex) compact(k dupNearKey, l *dupNearList, cut int64) {
	l.entries = slices.DeleteFunc(l.entries, func(e dupNearEntry) bool { return e.at < cut || !x.nearValid(k, e) })
	l.live = len(l.entries)
}

// touch finds or opens the incident c names and brings it up to date.
func (x *DupIndex) touch(c Candidate) uint32 {
	ii, ok := x.byID[c.IncidentID]
	if !ok {
		if n := len(x.freeIncs); n > 0 {
			ii = x.freeIncs[n-1]
			x.freeIncs = x.freeIncs[:n-1]
		} else {
			ii = uint32(len(x.incs))
			x.incs = append(x.incs, dupIncident{})
		}
		inc := &x.incs[ii]
		*inc = dupIncident{id: c.IncidentID, alive: true, gen: inc.gen, slots: inc.slots[:0]}
		x.byID[c.IncidentID] = ii
	}
	inc := &x.incs[ii]
	moved := !ok
	if c.Zone != "" && c.Zone != inc.zone {
		inc.zone, moved = c.Zone, true
	}
	if c.Category != "" && c.Category != inc.category {
		inc.category, moved = c.Category, true
	}
	if dupPointKnown(c.Point) {
		inc.point, inc.hasPoint = *c.Point, true
	}
	if at := dupNanos(c.At); at > inc.at {
		inc.at, moved = at, true
		x.pushExpiry(dupExpiry{at: at, inc: ii, gen: inc.gen})
	}
	if g := dupGroup(inc.category); moved && inc.zone != "" && g != "" && inc.at != 0 {
		// Kept in time order, so that Match looks at the window only.
		// Reports come nearly in order: the entry goes at or near the end.
		// A list that has doubled since it was last compacted is compacted:
		// a viral incident moves its time at every re-post.
		k := dupNearKey{inc.zone, g}
		l := x.nearby[k]
		if l == nil {
			l = &dupNearList{}
			x.nearby[k] = l
		}
		i := len(l.entries)
		for i > 0 && l.entries[i-1].at > inc.at {
			i--
		}
		l.entries = slices.Insert(l.entries, i, dupNearEntry{at: inc.at, inc: ii, gen: inc.gen})
		if len(l.entries) >= 32 && len(l.entries) >= 2*l.live {
			x.compact(k, l, math.MinInt64)
		}
	}
	return ii
}

func (x *DupIndex) newSlot(fp Fingerprint, ii uint32) uint32 {
	var s uint32
	if n := len(x.freeSlots); n > 0 {
		s = x.freeSlots[n-1]
		x.freeSlots = x.freeSlots[:n-1]
	} else {
		s = uint32(len(x.slots))
		x.slots = append(x.slots, dupSlot{})
	}
	sl := &x.slots[s]
	sl.shingles, sl.total, sl.inc = fp.shingles, fp.total, ii
	sl.media = sl.media[:0]
	if len(fp.media) > 0 {
		sl.media = make([]uint64, len(fp.media))
		for i, m := range fp.media {
			sl.media[i] = m.key
		}
	}
	x.incs[ii].slots = append(x.incs[ii].slots, s)
	x.live++
	return s
}

// cachedFor reports whether x.vals holds the posting values of fp's shingles.
func (x *DupIndex) cachedFor(fp Fingerprint) bool {
	return len(fp.shingles) > 0 && x.cached == &fp.shingles[0] && x.cachedN == len(fp.shingles) && x.cachedAtVer == x.version
}

// remove drops an incident, its fingerprints and their postings.
func (x *DupIndex) remove(ii uint32) {
	x.version++
	inc := &x.incs[ii]
	for _, s := range inc.slots {
		sl := &x.slots[s]
		for _, h := range sl.shingles {
			x.postingRemove(h, s)
		}
		for _, k := range sl.media {
			if cur, ok := x.media[k]; ok && cur == ii {
				delete(x.media, k)
			}
		}
		*sl = dupSlot{}
		x.freeSlots = append(x.freeSlots, s)
		x.live--
	}
	delete(x.byID, inc.id)
	*inc = dupIncident{gen: inc.gen + 1, slots: inc.slots[:0]}
	x.freeIncs = append(x.freeIncs, ii)
}

func (x *DupIndex) pushExpiry(e dupExpiry) {
	h := append(x.expiry, e)
	for i := len(h) - 1; i > 0; {
		p := (i - 1) / 2
		if h[p].at <= h[i].at {
			break
		}
		h[p], h[i] = h[i], h[p]
		i = p
	}
	x.expiry = h
}

func (x *DupIndex) popExpiry() dupExpiry {
	h := x.expiry
	top := h[0]
	n := len(h) - 1
	h[0] = h[n]
	h = h[:n]
	for i := 0; ; {
		l, small := 2*i+1, i
		if l < n && h[l].at < h[small].at {
			small = l
		}
		if r := l + 1; r < n && h[r].at < h[small].at {
			small = r
		}
		if small == i {
			break
		}
		h[i], h[small] = h[small], h[i]
		i = small
	}
	x.expiry = h
	return top
}
