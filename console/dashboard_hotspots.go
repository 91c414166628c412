package console

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// hotspotRow is a hotspot as the dashboard lists it.
type hotspotRow struct {
	Rank                   int
	Where, Zone            string
	Value                  string // the plan form's name for it
	Count, Previous, Delta string
	Rising                 bool
	Categories             string // the three largest, "Assault 2 · Theft 1"
}

// hotspotCell is what the map draws of a hotspot.
type hotspotCell struct {
	SW    [2]float64 `json:"sw"`
	NE    [2]float64 `json:"ne"`
	Count int        `json:"count"`
	Label string     `json:"label"`
}

// hotspots lists the period's hotspots and the cells for the map (JSON).
func (c *Console) hotspots(ctx context.Context, p *Page, pack *opsPack, from, to time.Time) ([]hotspotRow, string, error) {
	hs, err := c.Indicators.Hotspots(ctx, yaqaza.HotspotQuery{From: from, To: to})
	if err != nil {
		return nil, "", err
	}
	rows := make([]hotspotRow, 0, len(hs))
	cells := make([]hotspotCell, 0, len(hs))
	for i, h := range hs {
		where := nameIn(h.PlaceNames, p.Lang, h.Place)
		row := hotspotRow{Rank: i + 1, Where: where, Zone: pack.zone(h.Zone, p.Lang), Count: p.Num(h.Count),
			Previous: p.Num(h.Previous), Rising: h.Count > h.Previous}
		if h.Zone == "" {
			row.Zone = p.T("dashboard.nozone")
		}
		if row.Where == "" {
			row.Where = row.Zone
		}
		switch d := h.Count - h.Previous; {
		case !h.Compared:
			row.Previous, row.Delta, row.Rising = "—", "—", false
		case d > 0:
			row.Delta = "+" + p.Num(d)
		case d < 0:
			row.Delta = "−" + p.Num(-d)
		default:
			row.Delta = "="
		}
		row.Categories = topCategories(p, pack, h.ByCategory, 3)
		row.Value = hotspotValue(h, row.Where)
		rows = append(rows, row)
		cells = append(cells, hotspotCell{SW: [2]float64{h.SW.Lat, h.SW.Lon}, NE: [2]float64{h.NE.Lat, h.NE.Lon}, Count: h.Count,
			Label: p.T("dashboard.hotspots.label", i+1, row.Where, h.Count)})
	}
	b, err := json.Marshal(cells)
	return rows, string(b), err
}

// topCategories names the n largest categories of a count, largest first.
func topCategories(p *Page, pack *opsPack, by map[string]int, n int) string {
	codes := make([]string, 0, len(by))
	for code := range by {
		codes = append(codes, code)
	}
	slices.SortFunc(codes, func(a, b string) int { return cmp.Or(cmp.Compare(by[b], by[a]), strings.Compare(a, b)) })
	var parts []string
	for _, code := range codes[:min(n, len(codes))] {
		name := pack.category(code, p.Lang)
		if code == "" {
			name = p.T("dashboard.nocategory")
		}
		parts = append(parts, name+" "+p.Num(by[code]))
	}
	return strings.Join(parts, " · ")
}

// nameIn is the name in lang exactly, else the usual one: a place's
// French name is no better than its usual name for an English reader.
func nameIn(n yaqaza.Names, lang, usual string) string {
	if v := map[string]string{"ar": n.AR, "fr": n.FR, "en": n.EN}[lang]; v != "" {
		return v
	}
	return usual
}
