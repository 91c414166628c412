package http_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The hotspots come out as GeoJSON a GIS reads: a closed square per cell,
// busiest first, with counts, zone and categories; bad parameters are
// refused, and roles without indicators too.
func TestHotspotsAsGeoJSON(t *testing.T) {
	ts := newTestServer(t)
	for i := 0; i < 3; i++ {
		submit(t, ts, fmt.Sprintf(`{"channel":"call","text":"rixe %d","location":{"lat":%.5f,"lon":-4.9836}}`, i, 34.0617+float64(i)*0.00005))
	}
	submit(t, ts, `{"channel":"call","text":"vol","location":`+agdalPoint+`}`)
	_, command, err := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "cmd", Role: yaqaza.RoleCommand})
	if err != nil {
		t.Fatal(err)
	}
	status, body, h := ts.call(t, "GET", "/api/v1/hotspots", command, "")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		t.Fatalf("hotspots: %d %s", status, body)
	}
	var fc struct {
		Type     string `json:"type"`
		CellM    int    `json:"cell_m"`
		Features []struct {
			Geometry struct {
				Type        string         `json:"type"`
				Coordinates [][][2]float64 `json:"coordinates"`
			} `json:"geometry"`
			Properties struct {
				Rank       int            `json:"rank"`
				Count      int            `json:"count"`
				Zone       string         `json:"zone"`
				ByCategory map[string]int `json:"by_category"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil {
		t.Fatal(err)
	}
	if fc.Type != "FeatureCollection" || fc.CellM != yaqaza.HotspotCellM || len(fc.Features) != 1 {
		t.Fatalf("the week's hotspots: %s", body)
	}
	f := fc.Features[0]
	ring := f.Geometry.Coordinates[0]
	if f.Geometry.Type != "Polygon" || len(ring) != 5 || ring[0] != ring[4] || f.Properties.Rank != 1 || f.Properties.Count != 3 ||
		f.Properties.Zone != "03.231.01.07" || !(ring[0][0] <= -4.9836 && -4.9836 < ring[2][0] && ring[0][1] <= 34.0617 && 34.0617 < ring[2][1]) {
		t.Errorf("the Médina's hotspot: %+v", f)
	}
	for _, c := range []struct {
		query   string
		status  int
		mention string
	}{
		{"from=yesterday", 400, "from \"yesterday\" is not an RFC 3339 time"},
		{"limit=ten", 400, "limit \"ten\" is not a whole number"},
		{"limit=0&from=" + url.QueryEscape(time.Now().Format(time.RFC3339)) + "&to=" + url.QueryEscape(time.Now().Add(-time.Hour).Format(time.RFC3339)), 400, "must end after it starts"},
	} {
		status, body, _ := ts.call(t, "GET", "/api/v1/hotspots?"+c.query, command, "")
		if e := decode[apiError](t, body); status != c.status || !strings.Contains(e.Error.Message, c.mention) {
			t.Errorf("?%s: %d %s, want %d mentioning %q", c.query, status, body, c.status, c.mention)
		}
	}
	if status, body, _ := ts.call(t, "GET", "/api/v1/hotspots", ts.dispatcher, ""); status != 403 {
		t.Errorf("a dispatcher: %d %s", status, body)
	}
}
