package console

import (
	"encoding/csv"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// dashboardCSV is the per-zone figures of the period, for a spreadsheet.
func (c *Console) dashboardCSV(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActReadStats); err != nil {
		return err
	}
	_, from, to := c.readPeriod(p, r.URL.Query())
	if len(p.Errors) > 0 {
		return yaqaza.Errorf(yaqaza.EINVALID, "%s", strings.Join(slices.Sorted(maps.Values(p.Errors)), " "))
	}
	ind, err := c.Indicators.Indicators(r.Context(), from, to)
	if err != nil {
		return err
	}
	pack, err := c.opsPack(r.Context())
	if err != nil {
		return err
	}
	head := []string{"zone", "name", "population", "incidents", "per_100k", "cleared", "clearance", "open", "late"}
	for _, st := range yaqaza.ResponseStages {
		s := string(st)
		head = append(head, s+"_n", s+"_median_s", s+"_p90_s", s+"_due", s+"_within_sla")
	}
	ff := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	line := func(z yaqaza.ZoneIndicators, name string) []string {
		out := []string{z.Zone, name, strconv.FormatInt(z.Population, 10), strconv.Itoa(z.Incidents), ff(z.Per100k),
			strconv.Itoa(z.Cleared), ff(z.Clearance), strconv.Itoa(z.Open), strconv.Itoa(z.Late)}
		for _, st := range yaqaza.ResponseStages {
			t := z.Response[st]
			out = append(out, strconv.Itoa(t.N), ff(t.MedianS), ff(t.P90S), strconv.Itoa(t.Due), ff(t.WithinSLA))
		}
		return out
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="yaqaza-`+from.Format(dateLayout)+`.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(head)
	for _, z := range ind.Zones {
		cw.Write(line(z, pack.zone(z.Zone, p.Lang)))
	}
	cw.Write(line(ind.Prefecture, p.T("dashboard.prefecture")))
	cw.Flush()
	return cw.Error()
}

// trendView is one trend: a Chart.js configuration for app.js to draw,
// and the same figures as a table for those who cannot see the chart.
type trendView struct {
	Period, Title string
	Chart         string // Chart.js configuration, JSON
	Zones         []string
	Rows          []trendRow
}

type trendRow struct {
	Label, Total string
	ByZone       []string
}

// chartColours tell the zones apart on a white background (3:1 or more).
var chartColours = []string{"#0b5d44", "#1f4e8c", "#a1001a", "#9a3b00", "#6b21a8", "#0e7490", "#4b5563"}

func newTrendView(p *Page, zones []yaqaza.ZoneIndicators, pack *opsPack, t yaqaza.Trend) trendView {
	v := trendView{Period: t.Period, Title: p.T("dashboard.trend." + t.Period)}
	codes := make([]string, 0, len(zones)+1)
	for _, z := range zones {
		codes = append(codes, z.Zone)
	}
	// Incidents not yet placed in a zone count for the prefecture only.
	for _, b := range t.Buckets {
		if b.ByZone[""] > 0 {
			codes = append(codes, "")
			break
		}
	}
	for _, code := range codes {
		name := pack.zone(code, p.Lang)
		if code == "" {
			name = p.T("dashboard.nozone")
		}
		v.Zones = append(v.Zones, name)
	}
	labels := make([]string, len(t.Buckets))
	data := make([][]int, len(codes))
	for i, b := range t.Buckets {
		labels[i] = trendLabel(p, t.Period, b.Start)
		row := trendRow{Label: labels[i], Total: p.Num(b.Count)}
		for j, code := range codes {
			data[j] = append(data[j], b.ByZone[code])
			row.ByZone = append(row.ByZone, p.Num(b.ByZone[code]))
		}
		v.Rows = append(v.Rows, row)
	}
	type dataset struct {
		Label           string `json:"label"`
		Data            []int  `json:"data"`
		BackgroundColor string `json:"backgroundColor"`
	}
	sets := make([]dataset, len(codes))
	for j := range codes {
		sets[j] = dataset{Label: v.Zones[j], Data: data[j], BackgroundColor: chartColours[j%len(chartColours)]}
	}
	axis := map[string]any{"stacked": true}
	cfg := map[string]any{
		"type": "bar",
		"data": map[string]any{"labels": labels, "datasets": sets},
		"options": map[string]any{
			"locale":              map[string]string{"ar": "ar-MA", "fr": "fr-MA", "en": "en-GB"}[p.Lang],
			"animation":           false,
			"maintainAspectRatio": false,
			"plugins":             map[string]any{"legend": map[string]any{"position": "bottom"}},
			"scales": map[string]any{"x": axis,
				"y": map[string]any{"stacked": true, "beginAtZero": true, "ticks": map[string]any{"precision": 0}}},
		},
	}
	b, err := json.Marshal(cfg)
	if err == nil {
		v.Chart = string(b)
	}
	return v
}

// trendLabel names a bucket: a day, the Monday a week starts, a month.
func trendLabel(p *Page, period string, start time.Time) string {
	t := start.In(p.c.loc)
	month := p.T("month." + monthKeys[t.Month()-1])
	switch period {
	case yaqaza.TrendWeek:
		return p.T("dashboard.bucket.week", t.Day(), month)
	case yaqaza.TrendMonth:
		return p.T("dashboard.bucket.month", month, t.Year())
	}
	return p.T("dashboard.bucket.day", t.Day(), month)
}
