package sqlstore

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"time"

	"github.com/yaqaza/yaqaza"
)

// Hotspots implements yaqaza.IndicatorService: one pass over the facts of
// the period and of the one before it, counted per cell in Go.
func (s *IndicatorService) Hotspots(ctx context.Context, q yaqaza.HotspotQuery) ([]yaqaza.Hotspot, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadStats)
	if err != nil {
		return nil, err
	}
	if err := checkPeriod(q.From, q.To); err != nil {
		return nil, err
	}
	switch {
	case q.Limit == 0:
		q.Limit = yaqaza.DefaultHotspots
	case q.Limit < 0 || q.Limit > yaqaza.MaxHotspots:
		return nil, yaqaza.Invalidf("limit", "limit must be between 1 and %d", yaqaza.MaxHotspots)
	}
	// The facts of the period come from the dashboard's memory of closed
	// incidents; the period before is compared when that memory holds it
	// too (a year against the year before would read two years afresh).
	sc := scopeOf(actor)
	from, to := toMillis(q.From), toMillis(q.To)
	before := from - (to - from)
	compared := before >= toMillis(s.db.Now().Add(-closedHeld))+int64(time.Hour/time.Millisecond)
	start := from
	if compared {
		start = before
	}
	facts, err := s.periodFacts(ctx, actor, sc, start, to)
	if err != nil {
		return nil, err
	}
	cells := map[yaqaza.Point]*cellCount{}
	for _, f := range facts {
		if !f.located || f.status == yaqaza.StatusCancelled || (q.Category != "" && f.category != q.Category) {
			continue
		}
		sw, ne := yaqaza.HotspotCell(f.point)
		c := cells[sw]
		if c == nil {
			c = &cellCount{h: yaqaza.Hotspot{SW: sw, NE: ne, Compared: compared, ByCategory: map[string]int{}}, zones: map[string]int{}}
			cells[sw] = c
		}
		if f.created < from {
			c.h.Previous++
			continue
		}
		c.h.Count++
		c.h.ByCategory[f.category]++
		c.zones[f.zone]++
	}
	var out []yaqaza.Hotspot
	for _, c := range cells {
		if c.h.Count >= yaqaza.MinHotspotCount {
			out = append(out, c.finish())
		}
	}
	slices.SortFunc(out, func(a, b yaqaza.Hotspot) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(b.Count-b.Previous, a.Count-a.Previous),
			cmp.Compare(a.SW.Lat, b.SW.Lat), cmp.Compare(a.SW.Lon, b.SW.Lon))
	})
	if len(out) > q.Limit {
		out = out[:q.Limit]
	}
	return out, s.namePlaces(ctx, out)
}

// cellCount is a cell being counted, with the zones of its incidents.
type cellCount struct {
	h     yaqaza.Hotspot
	zones map[string]int
}

func (c *cellCount) finish() yaqaza.Hotspot {
	h := c.h
	h.Center = yaqaza.Point{Lat: (h.SW.Lat + h.NE.Lat) / 2, Lon: (h.SW.Lon + h.NE.Lon) / 2}
	best := 0
	for z, n := range c.zones {
		if n > best || (n == best && z < h.Zone) {
			h.Zone, best = z, n
		}
	}
	return h
}

// namePlaces names each hotspot after the gazetteer's place nearest its
// middle, if one is within a cell's width of it: a place just across the
// cell's edge names it as well as one inside.
func (s *IndicatorService) namePlaces(ctx context.Context, hs []yaqaza.Hotspot) error {
	if len(hs) == 0 {
		return nil
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT name, names, lat, lon FROM places WHERE lat IS NOT NULL AND NOT common_word`)
	if err != nil {
		return err
	}
	defer rows.Close()
	best := make([]float64, len(hs))
	for i := range best {
		best[i] = yaqaza.HotspotCellM
	}
	for rows.Next() {
		var name, names string
		var p yaqaza.Point
		if err := rows.Scan(&name, &names, &p.Lat, &p.Lon); err != nil {
			return err
		}
		var localized yaqaza.Names
		if err := json.Unmarshal([]byte(names), &localized); err != nil {
			return err
		}
		for i := range hs {
			if d := metresBetween(p, hs[i].Center); d <= best[i] {
				best[i], hs[i].Place, hs[i].PlaceNames = d, name, localized
			}
		}
	}
	return rows.Err()
}

// metresBetween is the distance between two points of one city, on the
// plane tangent to it (exact enough over a few kilometres).
func metresBetween(a, b yaqaza.Point) float64 {
	const metresPerDegree = 111_320.0
	dy := (a.Lat - b.Lat) * metresPerDegree
	dx := (a.Lon - b.Lon) * metresPerDegree * math.Cos((a.Lat+b.Lat)/2*math.Pi/180)
	return math.Hypot(dx, dy)
}

// checkPeriod bounds a request for figures of [from, to).
func checkPeriod(from, to time.Time) error {
	switch {
	case from.IsZero() || to.IsZero():
		return yaqaza.Invalidf("from", "a period needs a start and an end")
	case !to.After(from):
		return yaqaza.Invalidf("to", "the period must end after it starts")
	case to.Sub(from) > yaqaza.MaxIndicatorPeriod:
		return yaqaza.Invalidf("from", "a period is at most %d days", int(yaqaza.MaxIndicatorPeriod.Hours()/24))
	}
	return nil
}
