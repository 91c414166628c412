// Package dispatch proposes units for incidents and keeps the rules of how a
// unit's status may change. It holds the units' last known positions in a
// spatial index that field devices update every few seconds while
// dispatchers read it.
package dispatch

import (
	"math"
	"slices"
	"sync"

	"github.com/yaqaza/yaqaza"
)

// DefaultCellM is the side of a grid cell when NewIndex is given none: small
// enough that a search in a dense district looks at few units, large enough
// that a search across a sparse one crosses few empty cells.
const DefaultCellM = 500

// maxCells caps a grid's cells (per unit kind); a larger box gets larger cells.
const maxCells = 1 << 18

const earthRadiusM = 6371008.8

// Box is a latitude/longitude rectangle in WGS84 degrees, usually the
// jurisdiction's bounding box.
type Box struct {
	MinLat, MinLon, MaxLat, MaxLon float64
}

// Contains reports whether p is inside b, edges included.
func (b Box) Contains(p yaqaza.Point) bool {
	return p.Lat >= b.MinLat && p.Lat <= b.MaxLat && p.Lon >= b.MinLon && p.Lon <= b.MaxLon
}

func (b Box) validate() error {
	for _, v := range []float64{b.MinLat, b.MinLon, b.MaxLat, b.MaxLon} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return yaqaza.Invalidf("box", "the index's box must have finite corners")
		}
	}
	if b.MinLat >= b.MaxLat || b.MinLon >= b.MaxLon {
		return yaqaza.Invalidf("box", "the index's box is empty: its minimum corner must be south-west of its maximum")
	}
	if b.MinLat < -85 || b.MaxLat > 85 || b.MinLon < -180 || b.MaxLon > 180 {
		return yaqaza.Invalidf("box", "the index's box must lie within latitudes ±85 and longitudes ±180")
	}
	return nil
}

// Index holds units by position so that "the nearest units that qualify" is
// answered by looking at a few cells around a point instead of every unit.
//
// Each unit kind has its own uniform grid over the box (cells of about
// DefaultCellM), because kinds travel at different speeds and answer
// different incidents: a search widens ring by ring in each kind's grid and
// stops a kind as soon as nothing farther out could rank among the best found.
// Units outside the box are kept in a list searched every time, and units
// without a position in another, considered after all positioned units.
//
// An Index is safe for concurrent use: searches share a read lock, and
// Upsert and Remove take the write lock briefly. Stored units are copies and
// are never changed in place, so a *yaqaza.Unit a search returns stays as it
// was even when the unit moves afterwards; do not modify it.
type Index struct {
	box       Box
	zonePoint func(zone string) (yaqaza.Point, bool)

	// The grid lives in an equirectangular projection in metres, scaled by
	// the smallest cosine of latitude in the box so that a distance between
	// cells never exceeds the great-circle distance between their points.
	cosRef       float64
	x0, y0       float64
	cell         float64
	cols, rows   int
	boundScale   float64
	boundMarginM float64

	mu       sync.RWMutex
	byID     map[int64]*entry
	all      bucket // every unit, for visiting them all
	kinds    []*kindGrid
	byKind   map[string]*kindGrid
	outside  bucket // positioned outside the box
	unplaced bucket // no position
}

// entry is a unit in the index with its position precomputed.
type entry struct {
	unit     *yaqaza.Unit
	lat, lon float64 // radians
	cosLat   float64
	where    *bucket // the cell or list the entry is in, at pos
	pos      int
	allPos   int // position in Index.all
	grid     *kindGrid
}

type bucket struct{ entries []*entry }

func (b *bucket) add(e *entry) {
	e.where, e.pos = b, len(b.entries)
	b.entries = append(b.entries, e)
}

func (b *bucket) remove(e *entry) {
	last := len(b.entries) - 1
	moved := b.entries[last]
	b.entries[e.pos], moved.pos = moved, e.pos
	b.entries[last] = nil
	b.entries = b.entries[:last]
	e.where = nil
}

// kindGrid is the grid of one unit kind, with how many of its units have
// each capability so that a search can skip a kind that cannot qualify.
type kindGrid struct {
	kind  string
	cells []bucket // rows × cols, row-major
	n     int
	caps  map[string]int
}

func (g *kindGrid) hasAll(caps []string) bool {
	for _, c := range caps {
		if g.caps[c] == 0 {
			return false
		}
	}
	return true
}

// NewIndex returns an empty index over box with square cells of cellM metres
// (DefaultCellM when 0). zonePoint, when not nil, gives a zone's
// representative point: the recommender uses it for units without a
// position (their home zone) and incidents without a location (their zone).
func NewIndex(box Box, cellM float64, zonePoint func(zone string) (yaqaza.Point, bool)) (*Index, error) {
	if err := box.validate(); err != nil {
		return nil, err
	}
	if math.IsNaN(cellM) || math.IsInf(cellM, 0) || cellM < 0 {
		return nil, yaqaza.Invalidf("cell", "the cell size must be a positive number of metres")
	}
	if cellM == 0 {
		cellM = DefaultCellM
	}
	x := &Index{box: box, zonePoint: zonePoint, byID: map[int64]*entry{}, byKind: map[string]*kindGrid{}}
	x.cosRef = min(math.Cos(rad(box.MinLat)), math.Cos(rad(box.MaxLat)))
	x.x0, x.y0 = x.project(rad(box.MinLat), rad(box.MinLon))
	x1, y1 := x.project(rad(box.MaxLat), rad(box.MaxLon))
	width, height := x1-x.x0, y1-x.y0
	if cells := (width / cellM) * (height / cellM); cells > maxCells {
		cellM *= math.Sqrt(cells / maxCells)
	}
	for {
		x.cols = max(1, int(math.Ceil(width/cellM)))
		x.rows = max(1, int(math.Ceil(height/cellM)))
		if x.cols*x.rows <= maxCells {
			break
		}
		cellM *= 1.01
	}
	x.cell = cellM
	// Between two points of the box, the great-circle distance is at least
	// their latitude difference, and at least cosRef × their longitude
	// difference × (1 − Δλ²/24). The scale and margin make the ring bounds
	// below hold with room for rounding.
	span := rad(box.MaxLon - box.MinLon)
	x.boundScale = (1 - span*span/24) * (1 - 1e-9)
	x.boundMarginM = 1e-3
	return x, nil
}

func rad(deg float64) float64 { return deg * math.Pi / 180 }

func (x *Index) project(latRad, lonRad float64) (float64, float64) {
	return earthRadiusM * x.cosRef * lonRad, earthRadiusM * latRad
}

// cellOf returns the column and row of a projected point, clamped to the grid.
func (x *Index) cellOf(px, py float64) (int, int) {
	cx := int((px - x.x0) / x.cell)
	cy := int((py - x.y0) / x.cell)
	return min(max(cx, 0), x.cols-1), min(max(cy, 0), x.rows-1)
}

// Len returns how many units the index holds.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.byID)
}

// Get returns the stored copy of a unit.
func (x *Index) Get(id int64) (*yaqaza.Unit, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	if e, ok := x.byID[id]; ok {
		return e.unit, true
	}
	return nil, false
}

// Upsert adds a unit or replaces what the index knows of it (position,
// status, capabilities…). The index keeps a copy. EINVALID for a unit
// without a positive ID or with a position off the globe.
func (x *Index) Upsert(u *yaqaza.Unit) error {
	if u == nil || u.ID <= 0 {
		return yaqaza.Invalidf("id", "a unit needs a positive id to be indexed")
	}
	if u.Position != nil {
		if err := u.Position.Validate("position"); err != nil {
			return err
		}
	}
	e := &entry{unit: cloneUnit(u)}
	if p := e.unit.Position; p != nil {
		e.lat, e.lon = rad(p.Lat), rad(p.Lon)
		e.cosLat = math.Cos(e.lat)
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	if old, ok := x.byID[u.ID]; ok {
		x.removeLocked(old)
	}
	x.byID[u.ID] = e
	e.allPos = len(x.all.entries)
	x.all.entries = append(x.all.entries, e)
	switch p := e.unit.Position; {
	case p == nil:
		x.unplaced.add(e)
	case !x.box.Contains(*p):
		x.outside.add(e)
	default:
		g := x.byKind[e.unit.Kind]
		if g == nil {
			g = &kindGrid{kind: e.unit.Kind, cells: make([]bucket, x.cols*x.rows), caps: map[string]int{}}
			x.byKind[g.kind] = g
			x.kinds = append(x.kinds, g)
		}
		cx, cy := x.cellOf(x.project(e.lat, e.lon))
		g.cells[cy*x.cols+cx].add(e)
		g.n++
		for _, c := range e.unit.Capabilities {
			g.caps[c]++
		}
		e.grid = g
	}
	return nil
}

// Remove takes a unit out of the index and reports whether it was there.
func (x *Index) Remove(id int64) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	e, ok := x.byID[id]
	if ok {
		x.removeLocked(e)
		delete(x.byID, id)
	}
	return ok
}

func (x *Index) removeLocked(e *entry) {
	e.where.remove(e)
	last := len(x.all.entries) - 1
	moved := x.all.entries[last]
	x.all.entries[e.allPos], moved.allPos = moved, e.allPos
	x.all.entries[last] = nil
	x.all.entries = x.all.entries[:last]
	if g := e.grid; g != nil {
		g.n--
		for _, c := range e.unit.Capabilities {
			if g.caps[c]--; g.caps[c] == 0 {
				delete(g.caps, c)
			}
		}
		e.grid = nil
	}
}

func cloneUnit(u *yaqaza.Unit) *yaqaza.Unit {
	c := *u
	c.Capabilities = slices.Clone(u.Capabilities)
	if u.Position != nil {
		p := *u.Position
		c.Position = &p
	}
	if u.PositionAt != nil {
		t := *u.PositionAt
		c.PositionAt = &t
	}
	return &c
}
