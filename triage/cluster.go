package triage

import (
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Clusterer implements yaqaza.Clusterer over a DupIndex: the open
// incidents' fingerprints, their public attention and their priority.
type Clusterer struct {
	t *Triage

	mu       sync.Mutex
	index    *DupIndex
	clusters map[int64]*cluster
	assigns  int
}

// cluster is what the clusterer keeps of one open incident.
type cluster struct {
	attention Attention
	category  string
	zone      string
	cues      map[string]bool
	priority  yaqaza.Priority
	why       string
	first     time.Time
}

var _ yaqaza.Clusterer = (*Clusterer)(nil)

// NewClusterer returns an empty clusterer for triage t's jurisdiction.
func NewClusterer(t *Triage, opts DupOptions) *Clusterer {
	return &Clusterer{t: t, index: NewDupIndex(opts), clusters: map[int64]*cluster{}}
}

// Len is the number of fingerprints held.
func (c *Clusterer) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.index.Len()
}

// Begin implements yaqaza.Clusterer.
func (c *Clusterer) Begin() yaqaza.ClusterBatch { return &clusterBatch{c: c} }

// Forget implements yaqaza.Clusterer.
func (c *Clusterer) Forget(id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index.Forget(id)
	delete(c.clusters, id)
}

// Correct implements yaqaza.Clusterer: later reports match the corrected
// category and zone.
func (c *Clusterer) Correct(id int64, category, zone string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.index.Add(Fingerprint{}, Candidate{IncidentID: id, Category: category, Zone: zone})
	if cl := c.clusters[id]; cl != nil {
		cl.category, cl.zone = category, zone
	}
}

// Restore implements yaqaza.Clusterer.
func (c *Clusterer) Restore(id int64, r yaqaza.ClusterInput) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.add(id, r)
}

func fingerprint(r yaqaza.ClusterInput) Fingerprint {
	if fp, ok := r.Assessment.Fingerprint.(Fingerprint); ok {
		return fp
	}
	url := ""
	if r.Source != nil {
		url = r.Source.URL
	}
	return FingerprintOf(Normalise(r.Text), r.Media, url)
}

// candidateOf describes a report to the index. An approximate point (a
// zone's centre) says nothing of distances: the nearby rule then goes by the
// zone alone.
func candidateOf(id int64, a *yaqaza.Assessment, at time.Time) Candidate {
	c := Candidate{IncidentID: id, Zone: a.ZoneCode, Category: a.Category, At: at}
	if !a.LocationApprox {
		c.Point = a.Location
	}
	return c
}

// add records a report of incident id, and returns its cluster.
func (c *Clusterer) add(id int64, r yaqaza.ClusterInput) *cluster {
	a := r.Assessment
	c.index.Add(fingerprint(r), candidateOf(id, a, r.At))
	cl := c.clusters[id]
	if cl == nil {
		cl = &cluster{category: a.Category, zone: a.ZoneCode, cues: map[string]bool{}, priority: a.Priority, why: a.PriorityWhy, first: r.At}
		c.clusters[id] = cl
	}
	for _, cue := range a.Cues {
		cl.cues[cue] = true
	}
	cl.attention.Add(r.Channel, r.Source, r.At)
	return cl
}

// reprioritise raises a cluster's priority when what it now holds (its
// cues, its attention) calls for more urgency. It never lowers it: that
// is an operator's call.
func (c *Clusterer) reprioritise(cl *cluster) bool {
	cues := make([]string, 0, len(cl.cues))
	for cue := range cl.cues {
		cues = append(cues, cue)
	}
	p, why := Prioritise(PriorityInput{Base: c.t.severity(cl.category), Category: cl.category, Cues: cues,
		Attention: cl.attention.Score(), AttentOf: cl.attention.Summary(), At: cl.first, Location: c.t.location})
	if p < cl.priority {
		cl.priority, cl.why = p, why
		return true
	}
	return false
}

// clusterBatch is one batch of the intake writer. It changes the index as
// it goes; Abort takes the batch back out.
type clusterBatch struct {
	c       *Clusterer
	opened  []int64
	touched map[int64]bool
}

// Assign implements yaqaza.ClusterBatch.
func (b *clusterBatch) Assign(r yaqaza.ClusterInput, newID int64) yaqaza.ClusterOutcome {
	c := b.c
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.assigns++; c.assigns%1024 == 0 {
		c.index.Expire(r.At)
	}
	fp := fingerprint(r)
	m, ok := c.index.Match(fp, candidateOf(newID, r.Assessment, r.At))
	if !ok {
		cl := c.add(newID, r)
		b.opened = append(b.opened, newID)
		return yaqaza.ClusterOutcome{IncidentID: newID, Zone: cl.zone, Attention: cl.attention.Score(), AttentionOf: cl.attention.Summary(),
			Priority: cl.priority, PriorityWhy: cl.why}
	}
	if b.touched == nil {
		b.touched = map[int64]bool{}
	}
	if !b.isNew(m.IncidentID) {
		b.touched[m.IncidentID] = true
	}
	// The report joins: the incident keeps its category and place.
	a := *r.Assessment
	a.Fingerprint = fp
	if cl := c.clusters[m.IncidentID]; cl != nil {
		a.Category = cl.category
	}
	r.Assessment = &a
	cl := c.add(m.IncidentID, r)
	raised := c.reprioritise(cl)
	return yaqaza.ClusterOutcome{IncidentID: m.IncidentID, Zone: cl.zone, Join: &yaqaza.Join{IncidentID: m.IncidentID, Rule: m.Rule, Reason: m.Reason},
		Attention: cl.attention.Score(), AttentionOf: cl.attention.Summary(), Priority: cl.priority, PriorityWhy: cl.why, Raised: raised}
}

func (b *clusterBatch) isNew(id int64) bool {
	for _, o := range b.opened {
		if o == id {
			return true
		}
	}
	return false
}

// Abort implements yaqaza.ClusterBatch: incidents the batch opened are
// forgotten; those it joined are returned, for the store to restore.
func (b *clusterBatch) Abort() []int64 {
	c := b.c
	c.mu.Lock()
	for _, id := range b.opened {
		c.index.Forget(id)
		delete(c.clusters, id)
	}
	c.mu.Unlock()
	var ids []int64
	for id := range b.touched {
		ids = append(ids, id)
	}
	return ids
}
