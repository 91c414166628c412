package storetest

import (
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// testHotspots plays a week of incidents at known points and checks the
// cells the command reads: the busiest first, with the week before for
// the trend, named after the gazetteer's place in the cell; cancelled and
// merged incidents and lone ones left out; a district head sees only the
// cells of their district.
func testHotspots(t *testing.T, s *services) {
	if err := s.packs.LoadPack(as(admin), geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	boujloud := yaqaza.Point{Lat: 34.0617, Lon: -4.9836}
	if err := s.packs.AddPlace(as(admin), yaqaza.Place{Name: "Bab Boujloud", Zone: zoneMedina, Point: &boujloud}); err != nil {
		t.Fatal(err)
	}
	near := func(p yaqaza.Point, dLat, dLon float64) *yaqaza.Point {
		return &yaqaza.Point{Lat: p.Lat + dLat, Lon: p.Lon + dLon}
	}
	// Points a few metres apart, each set in one cell.
	medina := []*yaqaza.Point{near(boujloud, 0, 0), near(boujloud, 0.0001, 0), near(boujloud, 0, 0.0001), near(boujloud, 0.0001, 0.0001)}
	agdal := []*yaqaza.Point{near(*inAgdal, 0, 0), near(*inAgdal, 0.0001, 0.0001)}
	for _, set := range [][]*yaqaza.Point{medina, agdal} {
		first, _ := yaqaza.HotspotCell(*set[0])
		for _, p := range set {
			if sw, _ := yaqaza.HotspotCell(*p); sw != first {
				t.Fatalf("test points straddle a cell edge: %+v", p)
			}
		}
	}
	call := func(p *yaqaza.Point, category string) int64 {
		id := mustSubmit(t, as(dispatcher), s, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "appel " + seq(int(s.now.Unix()%1e4)), Location: p}).IncidentID
		if _, err := s.incidents.CorrectTriage(as(dispatcher), id, yaqaza.Correction{Category: &category}); err != nil {
			t.Fatal(err)
		}
		s.tick(time.Minute)
		return id
	}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	s.now = t0.Add(-3 * 24 * time.Hour) // the week before: one in the Médina cell
	call(medina[0], "theft_robbery")
	s.now = t0.Add(time.Hour)
	call(medina[0], "assault")
	call(medina[1], "assault")
	call(medina[2], "theft_robbery")
	cancelled := call(medina[3], "assault")
	mustTransition(t, s, cancelled, yaqaza.Transition{To: yaqaza.StatusCancelled, Reason: "false alarm"})
	call(agdal[0], "traffic")
	call(agdal[1], "traffic")
	call(inZouagha, "assault") // alone in its cell
	call(nil, "assault")       // no point

	svc, err := sqlstore.NewIndicatorService(s.db, geo.DefaultPack())
	if err != nil {
		t.Fatal(err)
	}
	command := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:907", Name: "cmd", Role: yaqaza.RoleCommand}
	week := yaqaza.HotspotQuery{From: t0, To: t0.Add(7 * 24 * time.Hour)}
	hs, err := svc.Hotspots(as(command), week)
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 {
		t.Fatalf("hotspots: %+v, want the Médina's and Agdal's", hs)
	}
	m, a := hs[0], hs[1]
	if m.Count != 3 || m.Previous != 1 || m.Zone != zoneMedina || m.Place != "Bab Boujloud" ||
		m.ByCategory["assault"] != 2 || m.ByCategory["theft_robbery"] != 1 {
		t.Errorf("the Médina's cell: %+v", m)
	}
	if a.Count != 2 || a.Previous != 0 || a.Zone != zoneAgdal || a.Place != "" || a.ByCategory["traffic"] != 2 {
		t.Errorf("Agdal's cell: %+v", a)
	}
	if !(m.SW.Lat <= boujloud.Lat && boujloud.Lat < m.NE.Lat && m.SW.Lon <= boujloud.Lon && boujloud.Lon < m.NE.Lon) {
		t.Errorf("the Médina's cell %+v–%+v does not hold Bab Boujloud", m.SW, m.NE)
	}
	if hs, _ := svc.Hotspots(as(command), yaqaza.HotspotQuery{From: week.From, To: week.To, Category: "traffic"}); len(hs) != 1 || hs[0].Zone != zoneAgdal {
		t.Errorf("traffic hotspots: %+v", hs)
	}
	if hs, _ := svc.Hotspots(as(command), yaqaza.HotspotQuery{From: week.From, To: week.To, Limit: 1}); len(hs) != 1 || hs[0].Zone != zoneMedina {
		t.Errorf("the first hotspot: %+v", hs)
	}
	if !m.Compared {
		t.Errorf("a week is not compared with the week before")
	}
	// Ten months back: the week before counts in, and so long a period is
	// not compared with the one before it.
	long := yaqaza.HotspotQuery{From: t0.AddDate(0, -10, 0), To: week.To}
	if hs, err := svc.Hotspots(as(command), long); err != nil || len(hs) == 0 || hs[0].Count != 4 || hs[0].Compared || hs[0].Previous != 0 {
		t.Errorf("ten months of hotspots: %+v (%v)", hs, err)
	}
	head := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:908", Name: "head", Role: yaqaza.RoleDistrictHead, Zones: []string{zoneAgdal}}
	if hs, err := svc.Hotspots(as(head), week); err != nil || len(hs) != 1 || hs[0].Zone != zoneAgdal {
		t.Errorf("Agdal's head sees %+v (%v)", hs, err)
	}
	_, err = svc.Hotspots(as(dispatcher), week)
	wantCode(t, err, yaqaza.EFORBIDDEN)
	_, err = svc.Hotspots(as(command), yaqaza.HotspotQuery{From: week.To, To: week.From})
	wantCode(t, err, yaqaza.EINVALID)
	_, err = svc.Hotspots(as(command), yaqaza.HotspotQuery{From: week.From, To: week.To, Limit: 500})
	wantCode(t, err, yaqaza.EINVALID)
}
