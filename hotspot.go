package yaqaza

import (
	"math"
	"time"
)

// Hotspots are where incidents gathered over a period: the map the command
// and the district heads read at their daily meeting to decide where
// patrols go. The jurisdiction is cut into cells of about HotspotCellM
// metres a side; a cell with at least MinHotspotCount incidents of the
// period is a hotspot. Merged incidents (counted in the incident they
// joined) and cancelled ones (not a police matter, a false alarm) are left
// out, as are incidents without a point.
type Hotspot struct {
	// SW and NE are the cell's corners, Center its middle.
	SW     Point `json:"sw"`
	NE     Point `json:"ne"`
	Center Point `json:"center"`
	// Zone is the zone most of the cell's incidents are in.
	Zone string `json:"zone,omitempty"`
	// Place names the cell: the gazetteer's place (with a point) nearest
	// its middle, within HotspotCellM of it.
	Place string `json:"place,omitempty"`
	// PlaceNames are the place's names in the console languages, when
	// the gazetteer has them.
	PlaceNames Names `json:"place_names,omitzero"`
	// Count is the period's incidents in the cell; Previous those of the
	// period of the same length just before, for the trend, when Compared
	// (a period longer than half a year is not compared: the figures keep
	// little more than a year at hand).
	Count      int            `json:"count"`
	Previous   int            `json:"previous"`
	Compared   bool           `json:"compared"`
	ByCategory map[string]int `json:"by_category"`
}

// HotspotQuery asks for the hotspots of [From, To), of one category when
// Category is set, at most Limit of them (DefaultHotspots when 0).
type HotspotQuery struct {
	From, To time.Time
	Category string
	Limit    int
}

const (
	HotspotCellM    = 400 // a few streets of the Médina, a block of the new town
	MinHotspotCount = 2
	DefaultHotspots = 10
	MaxHotspots     = 50
)

// HotspotCell is the cell that holds p: rows of HotspotCellM of latitude
// from the equator, each cut into cells HotspotCellM wide at the row's
// middle, so cells stay square wherever the jurisdiction lies.
func HotspotCell(p Point) (sw, ne Point) {
	const metresPerDegree = 111_320.0
	dLat := HotspotCellM / metresPerDegree
	row := math.Floor(p.Lat / dLat)
	mid := (row + 0.5) * dLat
	dLon := HotspotCellM / (metresPerDegree * math.Cos(mid*math.Pi/180))
	col := math.Floor(p.Lon / dLon)
	return Point{Lat: row * dLat, Lon: col * dLon}, Point{Lat: (row + 1) * dLat, Lon: (col + 1) * dLon}
}
