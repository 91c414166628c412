package dispatch

import (
	"math"
	"slices"

	"github.com/yaqaza/yaqaza"
)

// Neighbour is a unit and its straight-line distance from a point.
type Neighbour struct {
	Unit      *yaqaza.Unit
	DistanceM float64
}

// Nearest returns up to k positioned units for which keep (nil keeps all)
// is true, nearest to p first by great-circle distance, ties by unit ID.
// Units without a position are not considered. keep runs under the index's
// read lock: it must not call the index.
func (x *Index) Nearest(p yaqaza.Point, k int, keep func(*yaqaza.Unit) bool) []Neighbour {
	if k <= 0 || p.Validate("point") != nil {
		return nil
	}
	top := newTopK(k)
	x.mu.RLock()
	x.searchLocked(p, top, nearestRanker{keep})
	x.mu.RUnlock()
	out := make([]Neighbour, len(top.c))
	for i, c := range top.c {
		out[i] = Neighbour{Unit: c.unit, DistanceM: c.dist}
	}
	return out
}

type nearestRanker struct{ keep func(*yaqaza.Unit) bool }

func (r nearestRanker) skip(*kindGrid) bool { return false }

func (r nearestRanker) bound(_ *kindGrid, d float64) float64 { return d }

func (r nearestRanker) qualifies(u *yaqaza.Unit) bool { return r.keep == nil || r.keep(u) }

func (r nearestRanker) rank(u *yaqaza.Unit, d float64, c *candidate) {
	*c = candidate{unit: u, key: d, dist: d, eta: d}
}

// ranker decides which positioned units qualify and how they rank.
type ranker interface {
	// qualifies reports whether u may be proposed at all, wherever it is.
	qualifies(u *yaqaza.Unit) bool
	// rank fills c for a unit that qualifies, at distance d (metres).
	rank(u *yaqaza.Unit, d float64, c *candidate)
	// bound is a lower bound of the key of any unit of g at distance ≥ d;
	// it must not decrease as d grows.
	bound(g *kindGrid, d float64) float64
	// skip reports that no unit of g can qualify.
	skip(g *kindGrid) bool
}

// searchLocked puts the best positioned units for q into top. The caller
// holds the read lock. The answer is exactly what ranking every positioned
// unit would give: a kind's search stops only when the bound of its next
// ring is above the key of the worst unit kept, so nothing unseen can enter.
func (x *Index) searchLocked(q yaqaza.Point, top *topK, rk ranker) {
	qlat, qlon := rad(q.Lat), rad(q.Lon)
	cosQ := math.Cos(qlat)
	var c candidate
	consider := func(e *entry) {
		if rk.qualifies(e.unit) {
			rk.rank(e.unit, haversine(qlat, qlon, cosQ, e), &c)
			top.push(&c)
		}
	}
	for _, e := range x.outside.entries {
		consider(e)
	}
	if !x.box.Contains(q) {
		// Rare (an incident outside the jurisdiction): look at everything.
		for _, g := range x.kinds {
			if g.n == 0 || rk.skip(g) {
				continue
			}
			for i := range g.cells {
				for _, e := range g.cells[i].entries {
					consider(e)
				}
			}
		}
		return
	}
	qx, qy := x.project(qlat, qlon)
	cx, cy := x.cellOf(qx, qy)
	maxR := max(cx, x.cols-1-cx, cy, x.rows-1-cy)
	type ring struct {
		g  *kindGrid
		r  int
		lb float64
	}
	var buf [8]ring
	rings := buf[:0]
	for _, g := range x.kinds {
		if g.n > 0 && !rk.skip(g) {
			rings = append(rings, ring{g: g, lb: rk.bound(g, 0)})
		}
	}
	for len(rings) > 0 {
		i := 0
		for j := 1; j < len(rings); j++ {
			if rings[j].lb < rings[i].lb {
				i = j
			}
		}
		s := &rings[i]
		if top.full() && top.worst().key < s.lb {
			return
		}
		x.scanRing(s.g, cx, cy, s.r, consider)
		s.r++
		if s.r > maxR {
			rings = slices.Delete(rings, i, i+1)
			continue
		}
		s.lb = rk.bound(s.g, x.ringBound(qx, qy, cx, cy, s.r))
	}
}

// scanRing visits the cells of g at Chebyshev distance r from (cx, cy).
func (x *Index) scanRing(g *kindGrid, cx, cy, r int, visit func(*entry)) {
	cellRow := func(row, from, to int) {
		if row < 0 || row >= x.rows {
			return
		}
		from, to = max(from, 0), min(to, x.cols-1)
		for col := from; col <= to; col++ {
			for _, e := range g.cells[row*x.cols+col].entries {
				visit(e)
			}
		}
	}
	if r == 0 {
		cellRow(cy, cx, cx)
		return
	}
	cellRow(cy-r, cx-r, cx+r)
	cellRow(cy+r, cx-r, cx+r)
	for row := max(cy-r+1, 0); row <= min(cy+r-1, x.rows-1); row++ {
		for _, col := range [2]int{cx - r, cx + r} {
			if col >= 0 && col < x.cols {
				for _, e := range g.cells[row*x.cols+col].entries {
					visit(e)
				}
			}
		}
	}
}

// ringBound is a lower bound, in metres, of the great-circle distance from
// the projected point (qx, qy) in cell (cx, cy) to any point in a cell at
// Chebyshev distance r or more: those cells lie outside the block of cells
// within r−1, so the point must cross the nearest side of that block.
func (x *Index) ringBound(qx, qy float64, cx, cy, r int) float64 {
	if r <= 0 {
		return 0
	}
	left := qx - (x.x0 + float64(cx-r+1)*x.cell)
	right := x.x0 + float64(cx+r)*x.cell - qx
	down := qy - (x.y0 + float64(cy-r+1)*x.cell)
	up := x.y0 + float64(cy+r)*x.cell - qy
	b := min(left, right, down, up)*x.boundScale - x.boundMarginM
	return max(b, 0)
}

// haversine is the great-circle distance in metres from (lat, lon) in
// radians, whose cosine of latitude is cosLat, to a positioned entry.
func haversine(lat, lon, cosLat float64, e *entry) float64 {
	return haversineRad(lat, lon, cosLat, e.lat, e.lon, e.cosLat)
}

func haversineRad(lat1, lon1, cos1, lat2, lon2, cos2 float64) float64 {
	s1 := math.Sin((lat2 - lat1) / 2)
	s2 := math.Sin((lon2 - lon1) / 2)
	h := s1*s1 + cos1*cos2*s2*s2
	return 2 * earthRadiusM * math.Asin(math.Sqrt(min(h, 1)))
}

// HaversineM is the great-circle distance between two points in metres.
func HaversineM(a, b yaqaza.Point) float64 {
	la, lb := rad(a.Lat), rad(b.Lat)
	return haversineRad(la, rad(a.Lon), math.Cos(la), lb, rad(b.Lon), math.Cos(lb))
}

// eachLocked visits every unit. The caller holds a lock.
func (x *Index) eachLocked(visit func(*entry)) {
	for _, e := range x.all.entries {
		visit(e)
	}
}
