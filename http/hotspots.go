package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"github.com/yaqaza/yaqaza"
)

// handleHotspots answers the period's hotspots as GeoJSON: a square
// polygon per cell, with its counts, zone and place as properties, so that
// an analyst's GIS reads it as it is. from and to are RFC 3339 (the last
// seven days when both are absent); category and limit are optional.
func (s *Server) handleHotspots(w http.ResponseWriter, r *http.Request) error {
	if s.Indicators == nil {
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "this node computes no indicators")
	}
	q, err := hotspotQuery(r, time.Now())
	if err != nil {
		return err
	}
	hs, err := s.Indicators.Hotspots(r.Context(), q)
	if err != nil {
		return err
	}
	fc := geojson.NewFeatureCollection()
	for i, h := range hs {
		ring := orb.Ring{{h.SW.Lon, h.SW.Lat}, {h.NE.Lon, h.SW.Lat}, {h.NE.Lon, h.NE.Lat}, {h.SW.Lon, h.NE.Lat}, {h.SW.Lon, h.SW.Lat}}
		f := geojson.NewFeature(orb.Polygon{ring})
		f.Properties = geojson.Properties{"rank": i + 1, "count": h.Count, "previous": h.Previous, "compared": h.Compared, "zone": h.Zone,
			"place": h.Place, "by_category": h.ByCategory, "center": h.Center}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"from": q.From.UTC(), "to": q.To.UTC(), "cell_m": yaqaza.HotspotCellM}
	writeJSON(w, http.StatusOK, fc)
	return nil
}

// hotspotQuery reads the query string; the last seven days by default.
func hotspotQuery(r *http.Request, now time.Time) (yaqaza.HotspotQuery, error) {
	v := r.URL.Query()
	q := yaqaza.HotspotQuery{From: now.Add(-7 * 24 * time.Hour), To: now, Category: v.Get("category")}
	for _, f := range []struct {
		name string
		dst  *time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		if s := v.Get(f.name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return q, yaqaza.Invalidf(f.name, "%s %q is not an RFC 3339 time such as 2026-03-14T00:00:00+01:00", f.name, short(s))
			}
			*f.dst = t
		}
	}
	if s := v.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return q, yaqaza.Invalidf("limit", "limit %q is not a whole number", short(s))
		}
		q.Limit = n
	}
	return q, nil
}
