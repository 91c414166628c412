package triage

import (
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

func TestDupMedia(t *testing.T) {
	const sha = "3fa2c1d09b8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a"
	x := NewDupIndex(DupOptions{})
	x.Add(FingerprintOf(Normalise("فيديو: شجار بالسكاكين قرب باب بوجلود"), []yaqaza.Media{{SHA256: sha, Kind: "video"}}, ""),
		Candidate{IncidentID: 4521, At: dupT0})
	x.Add(FingerprintOf(Normalise("Vol à l'arraché filmé"), []yaqaza.Media{{URL: "https://cdn.example.ma/v/8841.mp4", Kind: "video"}},
		"https://www.facebook.com/watch/?v=1015899&fbclid=IwAR3x"), Candidate{IncidentID: 4522, At: dupT0})
	x.Add(dupFP("Accident on the road to Sefrou https://youtu.be/dQw4w9WgXcQ?si=Ab12"), Candidate{IncidentID: 4523, At: dupT0})
	x.Add(dupFP("Incendie au marché https://x.com/fes_news/status/1790000000000000001?s=20"), Candidate{IncidentID: 4524, At: dupT0})

	for _, c := range []struct {
		name      string
		fp        Fingerprint
		id        int64
		reason    string
		noJoinMsg string
	}{
		{name: "same sha256, other text, upper case",
			fp: FingerprintOf(Normalise("😱😱"), []yaqaza.Media{{SHA256: strings.ToUpper(sha), Kind: "video"}}, ""),
			id: 4521, reason: "same video as incident 4521 (sha256 3fa2c1d0…)"},
		{name: "same media URL",
			fp: FingerprintOf(Normalise("wach hadchi m3qoul"), []yaqaza.Media{{URL: "https://cdn.example.ma/v/8841.mp4"}}, ""),
			id: 4522, reason: "same media as incident 4522 (cdn.example.ma/v/8841.mp4)"},
		{name: "same source post from a phone, without tracking",
			fp: FingerprintOf(Normalise("شوفو"), nil, "https://m.facebook.com/watch?v=1015899"),
			id: 4522, reason: "same source post as incident 4522 (m.facebook.com/watch?v=1015899)"},
		{name: "the same video by another link",
			fp: dupFP("regardez https://www.youtube.com/watch?v=dQw4w9WgXcQ&feature=share"),
			id: 4523, reason: "same link as incident 4523 (youtube.com/watch?v=dQw4w9WgXcQ&feature=share)"},
		{name: "twitter.com for x.com",
			fp: FingerprintOf(Normalise("incendie"), nil, "https://twitter.com/fes_news/status/1790000000000000001"),
			id: 4524, reason: "same source post as incident 4524 (twitter.com/fes_news/status/1790000000000000001)"},
		{name: "a home page says nothing", fp: FingerprintOf(Normalise("x"), nil, "https://www.hespress.com/")},
		{name: "a link cut short says nothing", fp: dupFP("Accident https://youtu.be/dQw4…")},
		{name: "another sha256", fp: FingerprintOf(Normalise("x"), []yaqaza.Media{{SHA256: strings.Repeat("ab", 32)}}, "")},
	} {
		m, ok := x.Match(c.fp, Candidate{At: dupT0.Add(time.Hour)})
		switch {
		case c.id == 0 && ok:
			t.Errorf("%s: joined %+v", c.name, m)
		case c.id != 0 && (!ok || m.IncidentID != c.id || m.Rule != DupRuleMedia || m.Reason != c.reason || m.Score != 1):
			t.Errorf("%s: got %+v, %v; want incident %d, %q", c.name, m, ok, c.id, c.reason)
		}
	}
	// Media is evidence for 48 hours, not more.
	if m, ok := x.Match(FingerprintOf(Normalise("x"), []yaqaza.Media{{SHA256: sha}}, ""), Candidate{At: dupT0.Add(49 * time.Hour)}); ok {
		t.Errorf("joined after the window: %+v", m)
	}
}

func TestDupMediaComesBeforeText(t *testing.T) {
	const sha = "0000000000000000000000000000000000000000000000000000000000000001"
	text := "Grosse bagarre entre supporters devant le stade de Fès après le match"
	x := NewDupIndex(DupOptions{})
	x.Add(dupFP(text), Candidate{IncidentID: 1, At: dupT0})
	x.Add(FingerprintOf(Normalise("vidéo"), []yaqaza.Media{{SHA256: sha, Kind: "video"}}, ""), Candidate{IncidentID: 2, At: dupT0})
	m, ok := x.Match(FingerprintOf(Normalise(text), []yaqaza.Media{{SHA256: sha, Kind: "video"}}, ""), Candidate{At: dupT0})
	if !ok || m.IncidentID != 2 || m.Rule != DupRuleMedia {
		t.Errorf("got %+v, %v; want incident 2 by media", m, ok)
	}
}

func TestDupURLKey(t *testing.T) {
	same := [][]string{
		{"https://www.facebook.com/watch/?v=1015899&fbclid=IwAR3x", "http://m.facebook.com/watch?v=1015899", "https://facebook.com/watch?v=1015899#comments"},
		{"https://youtu.be/dQw4w9WgXcQ", "https://www.youtube.com/watch?v=dQw4w9WgXcQ&t=42s", "https://m.youtube.com/shorts/dQw4w9WgXcQ?feature=share"},
		{"https://x.com/a/status/1", "https://twitter.com/a/status/1?s=20&ref_src=twsrc", "HTTPS://TWITTER.COM/a/status/1/"},
		{"https://hespress.com/fes-123.html?utm_source=fb&utm_medium=social", "https://www.hespress.com/fes-123.html"},
	}
	keys := map[uint64]int{}
	for i, group := range same {
		for _, u := range group {
			k, ok := dupURLKey(u)
			if !ok {
				t.Errorf("%s: no key", u)
				continue
			}
			if g, seen := keys[k]; seen && g != i {
				t.Errorf("%s: same key as group %d", u, g)
			}
			keys[k] = i
		}
		if k0, _ := dupURLKey(group[0]); len(group) > 1 {
			for _, u := range group[1:] {
				if k, _ := dupURLKey(u); k != k0 {
					t.Errorf("%s and %s: different keys", group[0], u)
				}
			}
		}
	}
	// Paths are case-sensitive (t.co/AbC is not t.co/abc); home pages and
	// cut URLs have no key.
	if a, _ := dupURLKey("https://t.co/AbCdE"); a == func() uint64 { k, _ := dupURLKey("https://t.co/abcde"); return k }() {
		t.Error("t.co/AbCdE and t.co/abcde: same key")
	}
	for _, u := range []string{"", "https://www.hespress.com/", "https://t.co/AbC…", "http://t...", "ftp://example.com/a", "hespress.com/a", "https://", "http://?a"} {
		if _, ok := dupURLKey(u); ok {
			t.Errorf("%q: has a key", u)
		}
	}
}

var dupBabBoujloud = yaqaza.Point{Lat: 34.0617, Lon: -4.9836} // Bab Boujloud

// dupNorth moves a point by metres.
func dupNorth(p yaqaza.Point, m float64) *yaqaza.Point {
	return &yaqaza.Point{Lat: p.Lat + m/111195, Lon: p.Lon}
}

func TestDupNearby(t *testing.T) {
	const zone = "03.231.01.07"
	x := NewDupIndex(DupOptions{})
	empty := Fingerprint{}
	x.Add(empty, Candidate{IncidentID: 7, Zone: zone, Category: "armed", Point: &dupBabBoujloud, At: dupT0})
	x.Add(empty, Candidate{IncidentID: 8, Zone: zone, Category: "burglary", Point: dupNorth(dupBabBoujloud, 2000), At: dupT0})
	x.Add(empty, Candidate{IncidentID: 9, Zone: zone, Category: "other", Point: dupNorth(dupBabBoujloud, -3000), At: dupT0})
	x.Add(empty, Candidate{IncidentID: 10, Zone: "03.231.01.13", Category: "drugs", At: dupT0})

	for _, c := range []struct {
		name   string
		c      Candidate
		id     int64
		reason string
	}{
		{"same category, 180 m, 6 min", Candidate{Zone: zone, Category: "armed", Point: dupNorth(dupBabBoujloud, 180), At: dupT0.Add(6 * time.Minute)},
			7, "same category (armed) as incident 7, 180 m away, 6 min apart"},
		{"related category", Candidate{Zone: zone, Category: "assault", Point: dupNorth(dupBabBoujloud, -350), At: dupT0.Add(-2 * time.Minute)},
			7, "related category (assault / armed) as incident 7, 350 m away, 2 min apart"},
		{"public disorder goes with armed", Candidate{Zone: zone, Category: "public_disorder", Point: &dupBabBoujloud, At: dupT0.Add(20 * time.Second)},
			7, "related category (public_disorder / armed) as incident 7, 0 m away, 20 s apart"},
		{"no point: same zone is enough", Candidate{Zone: zone, Category: "armed", At: dupT0.Add(12 * time.Minute)},
			7, "same category (armed) as incident 7, same zone, 12 min apart"},
		{"theft goes with burglary", Candidate{Zone: zone, Category: "theft_robbery", Point: dupNorth(dupBabBoujloud, 1900), At: dupT0.Add(29 * time.Minute)},
			8, "related category (theft_robbery / burglary) as incident 8, 100 m away, 29 min apart"},
		{"a category of its own", Candidate{Zone: "03.231.01.13", Category: "drugs", At: dupT0.Add(time.Minute)},
			10, "same category (drugs) as incident 10, same zone, 1 min apart"},
		{"too far", Candidate{Zone: zone, Category: "armed", Point: dupNorth(dupBabBoujloud, 600), At: dupT0.Add(time.Minute)}, 0, ""},
		{"too late", Candidate{Zone: zone, Category: "armed", Point: &dupBabBoujloud, At: dupT0.Add(31 * time.Minute)}, 0, ""},
		{"unrelated category", Candidate{Zone: zone, Category: "burglary", Point: &dupBabBoujloud, At: dupT0}, 0, ""},
		{"assault is not burglary", Candidate{Zone: zone, Category: "assault", Point: dupNorth(dupBabBoujloud, 2000), At: dupT0}, 0, ""},
		{"other never joins", Candidate{Zone: zone, Category: "other", Point: dupNorth(dupBabBoujloud, -3000), At: dupT0}, 0, ""},
		{"no category never joins", Candidate{Zone: zone, Point: &dupBabBoujloud, At: dupT0}, 0, ""},
		{"no zone never joins", Candidate{Category: "armed", Point: &dupBabBoujloud, At: dupT0}, 0, ""},
		{"another zone", Candidate{Zone: "03.231.01.01", Category: "armed", Point: &dupBabBoujloud, At: dupT0}, 0, ""},
		{"no time never joins", Candidate{Zone: zone, Category: "armed", Point: &dupBabBoujloud}, 0, ""},
		{"a point that is not one", Candidate{Zone: zone, Category: "armed", Point: &yaqaza.Point{Lat: 400}, At: dupT0}, 7,
			"same category (armed) as incident 7, same zone, 0 s apart"},
	} {
		m, ok := x.Match(empty, c.c)
		switch {
		case c.id == 0 && ok:
			t.Errorf("%s: joined %+v", c.name, m)
		case c.id != 0 && (!ok || m.IncidentID != c.id || m.Rule != DupRuleNearby || m.Reason != c.reason):
			t.Errorf("%s: got %+v, %v; want incident %d, %q", c.name, m, ok, c.id, c.reason)
		case ok && (m.Score <= 0 || m.Score > 1):
			t.Errorf("%s: score %v", c.name, m.Score)
		}
	}

	// The closest incident wins.
	x.Add(empty, Candidate{IncidentID: 11, Zone: zone, Category: "assault", Point: dupNorth(dupBabBoujloud, 300), At: dupT0})
	if m, _ := x.Match(empty, Candidate{Zone: zone, Category: "armed", Point: dupNorth(dupBabBoujloud, 250), At: dupT0}); m.IncidentID != 11 {
		t.Errorf("closest: got %+v, want incident 11", m)
	}
	// An operator's correction moves an incident out of the rule.
	x.Add(empty, Candidate{IncidentID: 11, Category: "other"})
	if m, _ := x.Match(empty, Candidate{Zone: zone, Category: "armed", Point: dupNorth(dupBabBoujloud, 250), At: dupT0}); m.IncidentID != 7 {
		t.Errorf("after correction: got %+v, want incident 7", m)
	}
}

// A viral incident moves its time at every re-post; the nearby rule's list
// for its zone must not keep an entry per re-post.
func TestDupNearbyListStaysShort(t *testing.T) {
	const zone = "03.231.01.07"
	x := NewDupIndex(DupOptions{})
	fp := dupFP(dupEvents[3].original)
	for i := range 1000 {
		x.Add(fp, Candidate{IncidentID: 1, Zone: zone, Category: "public_disorder", Point: &dupBabBoujloud, At: dupT0.Add(time.Duration(i) * time.Second)})
		if i%10 == 0 {
			x.Add(Fingerprint{}, Candidate{IncidentID: int64(100 + i), Zone: zone, Category: "assault", At: dupT0.Add(time.Duration(i) * time.Second)})
		}
	}
	if n := len(x.nearby[dupNearKey{zone, dupGroup("assault")}].entries); n > 250 {
		t.Errorf("%d nearby entries for 101 incidents", n)
	}
	at := dupT0.Add(1000 * time.Second)
	if m, ok := x.Match(Fingerprint{}, Candidate{Zone: zone, Category: "armed", Point: dupNorth(dupBabBoujloud, 50), At: at}); !ok || m.IncidentID != 1 {
		t.Errorf("got %+v, %v; want incident 1", m, ok)
	}
}
