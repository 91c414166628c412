package triage

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
)

var dupT0 = time.Date(2025, 6, 14, 21, 30, 0, 0, time.UTC)

func dupFP(text string) Fingerprint { return FingerprintOf(Normalise(text), nil, "") }

// dupEvents are reports of real kinds, in the languages Fès writes in, each
// with re-posts that must join it and reports of other events, worded
// alike, that must not.
var dupEvents = []struct {
	name, original string
	reposts        []string
	others         []string
}{
	{
		name:     "Arabic",
		original: "اعتداء بالسلاح الأبيض على شاب قرب محطة القطار بفاس مساء اليوم ونقل الضحية إلى المستشفى الجامعي في حالة حرجة",
		reposts: []string{
			"RT @hespress_fes: اعتداء بالسلاح الأبيض على شاب قرب محطة القطار بفاس مساء اليوم ونقل الضحية إلى المستشفى الجامعي في حالة حرجة",
			"لا حول ولا قوة الا بالله 😢😢 اعتداء بالسلاح الأبيض على شاب قرب محطة القطار بفاس مساء اليوم ونقل الضحية إلى المستشفى الجامعي في حالة حرجة",
			"اعتداء بالسلاح الأبيض على شاب قرب محطة القطار بفاس مساء اليوم ونقل الضحية إلى المستشفى… https://t.co/Xy12AbC9dE",
			"اعتداءٌ بالسلاحِ الأبيضِ على شابٍّ قرب محطة القطار بفاس مساء اليوم ونقل الضحية إلى المستشفى الجامعي في حالة حرجة #فاس #عاجل",
		},
		others: []string{
			"اعتداء بالسلاح الأبيض على سائق طاكسي في حي بنسودة ليلة أمس والجاني في حالة فرار",
			"حادثة سير خطيرة قرب محطة القطار بفاس مساء اليوم بين سيارة وشاحنة",
		},
	},
	{
		name:     "Darija in Arabic script",
		original: "شوفو هاد الشفار كيسرق التليفون من يد واحد السيدة فطريق عين الشقف والناس غير كيتفرجو",
		reposts: []string{
			"شوفو هاد الشي 😱😱 شوفو هاد الشفار كيسرق التليفون من يد واحد السيدة فطريق عين الشقف والناس غير كيتفرجو",
			"شوفو هاد الشفار كيسرق التليفون من يد واحد السيدة فطريق عين الشقف والناس غير كيتفرجو حشومة والله فين البوليس؟",
			"RT @fes_news: شوفو هاد الشفار كيسرق التليفون من يد واحد السيدة فطريق عين… 😡",
		},
		others: []string{
			"شفار سرق التليفون لواحد الطالب قدام الكلية فظهر المهراز",
			"شوفو هاد الحادثة فطريق عين الشقف الطوموبيل تقلبات",
		},
	},
	{
		name:     "Darija in Latin script",
		original: "chi wa7ed dreb wa7ed b jenwi 9odam lmahatta dyal l9itar f fes w hrab, lbolis ma jawch 7ta daba",
		reposts: []string{
			"wach hadchi m3qoul?? chi wa7ed dreb wa7ed b jenwi 9odam lmahatta dyal l9itar f fes w hrab, lbolis ma jawch 7ta daba",
			"CHI WA7ED DREB WA7ED B JENWI 9ODAM LMAHATTA DYAL L9ITAR F FES W HRAB, LBOLIS MA JAWCH 7TA DABA",
			"RT @user_212: chi wa7ed dreb wa7ed b jenwi 9odam lmahatta dyal l9itar f fes w hrab… #Fes",
		},
		others: []string{
			"chi wa7ed dreb wa7ed b jenwi f souk sebt w 3ti9ouh nass",
			"lbolis jaw l lmahatta dyal l9itar b zzerba lyoum",
		},
	},
	{
		name:     "French",
		original: "Grosse bagarre entre supporters devant le stade de Fès après le match, plusieurs blessés et des voitures endommagées",
		reposts: []string{
			"Incroyable !! Grosse bagarre entre supporters devant le stade de Fès après le match, plusieurs blessés et des voitures endommagées",
			"RT @infofes: Grosse bagarre entre supporters devant le stade de Fès après le match, plusieurs blessés et des voitures endommagées 😱😱 #MAS",
			"grosse bagarre entre supporters devant le stade de fes apres le match, plusieurs blesses et des…",
			"Grosse bagarre entre supporters devant le stade de Fès après le match, plusieurs blessés et des voitures endommagées. C'est une honte, il faut que ça cesse https://www.facebook.com/watch/?v=10158",
		},
		others: []string{
			"Bagarre entre supporters au centre-ville de Meknès, la police intervient",
			"Accident devant le stade de Fès après le match, un piéton renversé par une voiture",
		},
	},
	{
		name:     "English",
		original: "Two men on a motorbike snatched a woman's bag near Bab Boujloud and rode off towards the old medina",
		reposts: []string{
			"OMG 😱 Two men on a motorbike snatched a woman's bag near Bab Boujloud and rode off towards the old medina",
			"RT @fes_traveller: Two men on a motorbike snatched a woman's bag near Bab Boujloud and rode off… please be careful",
			"TWO MEN ON A MOTORBIKE SNATCHED A WOMAN'S BAG NEAR BAB BOUJLOUD AND RODE OFF TOWARDS THE OLD MEDINA #Fes #travel",
		},
		others: []string{
			"Two men on a motorbike attacked a shopkeeper in Saiss last night",
			"A woman's bag was stolen on the train from Fes to Rabat",
		},
	},
}

func TestDupTextJoins(t *testing.T) {
	for _, ev := range dupEvents {
		t.Run(ev.name, func(t *testing.T) {
			x := NewDupIndex(DupOptions{})
			// The other events are open incidents too: the re-posts must
			// choose the right one.
			for i, o := range ev.others {
				x.Add(dupFP(o), Candidate{IncidentID: int64(100 + i), At: dupT0})
			}
			x.Add(dupFP(ev.original), Candidate{IncidentID: 1, At: dupT0})
			for i, r := range ev.reposts {
				at := dupT0.Add(time.Duration(i+1) * time.Minute)
				m, ok := x.Match(dupFP(r), Candidate{At: at})
				if !ok || m.IncidentID != 1 || m.Rule != DupRuleText {
					t.Errorf("re-post %q: got %+v, %v; want incident 1 by text", r, m, ok)
					continue
				}
				if !strings.HasPrefix(m.Reason, "same text as incident 1 (") || !strings.HasSuffix(m.Reason, "% of words shared)") {
					t.Errorf("reason %q", m.Reason)
				}
				t.Logf("%s", m.Reason)
			}
		})
	}
}

func TestDupDifferentEventsDoNotJoin(t *testing.T) {
	for _, ev := range dupEvents {
		t.Run(ev.name, func(t *testing.T) {
			x := NewDupIndex(DupOptions{})
			x.Add(dupFP(ev.original), Candidate{IncidentID: 1, At: dupT0})
			for _, r := range ev.reposts {
				x.Add(dupFP(r), Candidate{IncidentID: 1, At: dupT0})
			}
			for _, o := range ev.others {
				if m, ok := x.Match(dupFP(o), Candidate{At: dupT0.Add(time.Minute)}); ok {
					t.Errorf("%q joined: %+v", o, m)
				}
			}
		})
	}
}

// Two fights in the same district, told with the same words for a fight,
// are two incidents as far as text goes.
func TestDupSharedTopicWordsDoNotJoin(t *testing.T) {
	x := NewDupIndex(DupOptions{})
	x.Add(dupFP("شجار عنيف بالسكاكين بين مجموعة من الشباب قرب باب بوجلود"), Candidate{IncidentID: 1, At: dupT0})
	x.Add(dupFP("bagarre au couteau entre deux jeunes devant le lycée Moulay Driss"), Candidate{IncidentID: 2, At: dupT0})
	for _, s := range []string{
		"شجار عنيف بين الجيران في حي المرينيين بسبب ركن سيارة",
		"شجار بالسكاكين فالسوق ديال عين النقبي",
		"bagarre entre deux jeunes à la sortie du lycée de Zouagha",
		"une bagarre au couteau a éclaté hier soir dans un café de l'avenue Hassan II",
	} {
		if m, ok := x.Match(dupFP(s), Candidate{At: dupT0.Add(10 * time.Minute)}); ok {
			t.Errorf("%q joined: %+v", s, m)
		}
	}
}

func TestDupShortTextsDoNotJoinOnText(t *testing.T) {
	for _, s := range []string{"الله يحفظ", "RT @x: الله يحفظ", "bagarre!!", "شجار", "fight at the station", "bagarre devant la gare"} {
		x := NewDupIndex(DupOptions{})
		x.Add(dupFP(s), Candidate{IncidentID: 1, At: dupT0})
		if m, ok := x.Match(dupFP(s), Candidate{At: dupT0}); ok {
			t.Errorf("%q joined itself: %+v", s, m)
		}
	}
	if fp := dupFP("RT @a: الله يحفظ"); fp.Words() != 2 || !fp.Empty() {
		t.Errorf("RT @a: الله يحفظ: %d words, empty %v", fp.Words(), fp.Empty())
	}
}

// A street fight filmed and posted, re-posted and commented on, while two
// people call and one files a web complaint: the prefecture sees one
// incident. A fight in another district at the same time is another.
func TestDupOneFightAcrossChannels(t *testing.T) {
	const medina, zouagha = "03.231.01.07", "03.231.01.13"
	video := []yaqaza.Media{{URL: "https://video.fbcdn.net/v/t42/88123.mp4", SHA256: "9b1f0c7e5d3a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c0d2e4f6a8b0c", Kind: "video"}}
	reports := []struct {
		channel string
		text    string
		media   []yaqaza.Media
		source  string
		cand    Candidate
		rule    string
	}{
		{"social", "فيديو صادم: شجار بالسكاكين بين جوج شباب قرب باب بوجلود وواحد منهم طاح غرقان فالدم", video,
			"https://www.facebook.com/fesnews/videos/88123/", Candidate{Zone: medina, Category: "armed"}, ""},
		{"social", "شوفو هاد الشي 😱😱 فيديو صادم: شجار بالسكاكين بين جوج شباب قرب باب بوجلود وواحد منهم طاح غرقان فالدم", nil,
			"", Candidate{Category: "armed"}, DupRuleText},
		{"social", "الله يستر، هادشي وقع اليوم فالمدينة القديمة", video, "", Candidate{}, DupRuleMedia},
		{"social", "Incroyable !! RT @fesnews: فيديو صادم: شجار بالسكاكين بين جوج شباب قرب باب بوجلود وواحد…", nil,
			"https://m.facebook.com/fesnews/videos/88123", Candidate{}, DupRuleMedia},
		{"call", "المتصل كيقول كاين شجار بالجناوا قدام باب بوجلود، شي واحد مجروح", nil, "",
			Candidate{Zone: medina, Category: "armed", Point: &dupBabBoujloud}, DupRuleNearby},
		{"call", "bagarre avec couteau près de Bab Boujloud, un blessé au sol", nil, "",
			Candidate{Zone: medina, Category: "assault", Point: dupNorth(dupBabBoujloud, 220)}, DupRuleNearby},
		{"web", "Je signale une rixe violente avec arme blanche à Bab Boujloud ce soir vers 21h30", nil, "",
			Candidate{Zone: medina, Category: "armed"}, DupRuleNearby},
		{"call", "شجار بالسكاكين فحي المسيرة بزواغة، جوج مجروحين", nil, "",
			Candidate{Zone: zouagha, Category: "armed", Point: &yaqaza.Point{Lat: 34.0417, Lon: -5.0380}}, ""},
	}
	x := NewDupIndex(DupOptions{})
	next := int64(4521)
	// What the pipeline knows of each incident, as it tells Add: placed and
	// categorised by its first report that says, at the time of its latest.
	incidents := map[int64]Candidate{}
	for i, r := range reports {
		c := r.cand
		c.At = dupT0.Add(time.Duration(i) * 3 * time.Minute)
		fp := FingerprintOf(Normalise(r.text), r.media, r.source)
		m, ok := x.Match(fp, c)
		if ok != (r.rule != "") || ok && m.Rule != r.rule {
			t.Errorf("%s %q: got %+v, %v; want rule %q", r.channel, r.text, m, ok, r.rule)
		}
		inc := c
		if ok {
			t.Logf("%s: %s", r.channel, m.Reason)
			inc = incidents[m.IncidentID]
			inc.At = c.At
			inc.Zone = cmp.Or(inc.Zone, c.Zone)
			inc.Category = cmp.Or(inc.Category, c.Category)
			if inc.Point == nil {
				inc.Point = c.Point
			}
		} else {
			inc.IncidentID = next
			next++
		}
		incidents[inc.IncidentID] = inc
		x.Add(fp, inc)
	}
	if len(incidents) != 2 {
		t.Errorf("%d incidents, want 2", len(incidents))
	}
}

func TestDupForgetAndExpire(t *testing.T) {
	const zone = "03.231.01.07"
	text := dupEvents[0].original
	dupRepost := dupEvents[0].reposts[1]
	x := NewDupIndex(DupOptions{})
	x.Add(dupFP(text), Candidate{IncidentID: 1, Zone: zone, Category: "armed", Point: &dupBabBoujloud, At: dupT0})
	x.Add(dupFP(dupEvents[3].original), Candidate{IncidentID: 2, At: dupT0})
	if x.Len() != 2 || x.Incidents() != 2 {
		t.Fatalf("Len %d, Incidents %d; want 2, 2", x.Len(), x.Incidents())
	}

	x.Forget(2)
	x.Forget(2)  // again: nothing
	x.Forget(99) // unknown: nothing
	if m, ok := x.Match(dupFP(dupEvents[3].reposts[0]), Candidate{At: dupT0}); ok {
		t.Errorf("forgotten incident joined: %+v", m)
	}
	if x.Len() != 1 || x.Incidents() != 1 {
		t.Errorf("after Forget: Len %d, Incidents %d; want 1, 1", x.Len(), x.Incidents())
	}

	// After 31 minutes the nearby rule has let go, the text has not.
	later := dupT0.Add(31 * time.Minute)
	x.Expire(later)
	if m, ok := x.Match(Fingerprint{}, Candidate{Zone: zone, Category: "armed", Point: &dupBabBoujloud, At: later}); ok {
		t.Errorf("nearby after its window: %+v", m)
	}
	if m, ok := x.Match(dupFP(dupRepost), Candidate{At: later}); !ok || m.IncidentID != 1 {
		t.Errorf("text at 31 min: got %+v, %v; want incident 1", m, ok)
	}

	// A report 30 hours in keeps the incident open 48 hours from then.
	x.Add(dupFP(dupRepost), Candidate{IncidentID: 1, At: dupT0.Add(30 * time.Hour)})
	x.Expire(dupT0.Add(50 * time.Hour))
	if x.Incidents() != 1 {
		t.Fatalf("refreshed incident expired")
	}
	if m, ok := x.Match(dupFP(text), Candidate{At: dupT0.Add(50 * time.Hour)}); !ok || m.IncidentID != 1 {
		t.Errorf("text at 50 h: got %+v, %v; want incident 1", m, ok)
	}
	x.Expire(dupT0.Add(78*time.Hour + time.Second))
	if x.Len() != 0 || x.Incidents() != 0 {
		t.Errorf("after Expire: Len %d, Incidents %d; want 0, 0", x.Len(), x.Incidents())
	}
	if m, ok := x.Match(dupFP(text), Candidate{At: dupT0.Add(78 * time.Hour)}); ok {
		t.Errorf("expired incident joined: %+v", m)
	}

	// The index is as good as new: the freed entries are reused.
	x.Add(dupFP(text), Candidate{IncidentID: 3, At: dupT0.Add(80 * time.Hour)})
	if m, ok := x.Match(dupFP(dupRepost), Candidate{At: dupT0.Add(80 * time.Hour)}); !ok || m.IncidentID != 3 {
		t.Errorf("after reuse: got %+v, %v; want incident 3", m, ok)
	}
	if len(x.postings) == 0 || x.Len() != 1 {
		t.Errorf("after reuse: %d postings, Len %d", len(x.postings), x.Len())
	}
	x.Forget(3)
	if len(x.postings) != 0 || len(x.media) != 0 || x.Len() != 0 {
		t.Errorf("empty index holds %d postings, %d media keys, %d fingerprints", len(x.postings), len(x.media), x.Len())
	}
}

func TestDupTextWindow(t *testing.T) {
	x := NewDupIndex(DupOptions{})
	x.Add(dupFP(dupEvents[4].original), Candidate{IncidentID: 1, At: dupT0})
	if _, ok := x.Match(dupFP(dupEvents[4].reposts[0]), Candidate{At: dupT0.Add(47 * time.Hour)}); !ok {
		t.Error("no join at 47 h")
	}
	if m, ok := x.Match(dupFP(dupEvents[4].reposts[0]), Candidate{At: dupT0.Add(49 * time.Hour)}); ok {
		t.Errorf("joined at 49 h: %+v", m)
	}
}

// A viral re-post that brings nothing new keeps no fingerprint.
func TestDupIdenticalRepostsKeepOneFingerprint(t *testing.T) {
	ev := dupEvents[3]
	x := NewDupIndex(DupOptions{})
	x.Add(dupFP(ev.original), Candidate{IncidentID: 1, At: dupT0})
	for i := range 300 {
		x.Add(dupFP("RT @fan"+fmt.Sprint(i)+": "+ev.original), Candidate{IncidentID: 1, At: dupT0.Add(time.Duration(i) * time.Second)})
	}
	if x.Len() != 1 {
		t.Errorf("Len %d after identical re-posts, want 1", x.Len())
	}
	x.Add(dupFP(ev.reposts[0]), Candidate{IncidentID: 1, At: dupT0})
	if x.Len() != 2 {
		t.Errorf("Len %d after a re-post with a comment, want 2", x.Len())
	}
}

// The same calls give the same clusters and the same reasons.
func TestDupDeterministic(t *testing.T) {
	run := func() []string {
		rng := rand.New(rand.NewPCG(3, 4))
		x := NewDupIndex(DupOptions{})
		var out []string
		next := int64(1)
		for i := range 400 {
			ev := dupEvents[rng.IntN(len(dupEvents))]
			text := ev.others[rng.IntN(len(ev.others))]
			if rng.IntN(3) > 0 {
				text = Repost(rng, ev.original)
			}
			c := Candidate{Zone: "z", Category: []string{"armed", "assault", "other"}[i%3], Point: dupNorth(dupBabBoujloud, float64(rng.IntN(800))),
				At: dupT0.Add(time.Duration(i) * 20 * time.Second)}
			fp := dupFP(text)
			m, ok := x.Match(fp, c)
			if !ok {
				m.IncidentID = next
				next++
			}
			c.IncidentID = m.IncidentID
			x.Add(fp, c)
			out = append(out, fmt.Sprintf("%d %s %s %.4f", m.IncidentID, m.Rule, m.Reason, m.Score))
			if i%50 == 49 {
				x.Expire(c.At)
			}
		}
		return out
	}
	a, b := run(), run()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("report %d: %q, then %q", i, a[i], b[i])
		}
	}
}

// FingerprintOf and Match never panic, and a report with media always
// finds the incident it was just added to.
func FuzzFingerprint(f *testing.F) {
	for _, ev := range dupEvents {
		f.Add(ev.original, ev.reposts[0], "", "", 34.06, -4.98)
	}
	f.Add("RT @a: 😱😱 …", "", "https://youtu.be/", "zz", 91.0, 0.0)
	f.Add("", "", "https://www.facebook.com/watch/?v=1&fbclid=2", strings.Repeat("A", 64), 0.0, 181.0)
	f.Add("a b c d e f g h i j k l m n o p q r s t u v w x y z a b c d e f g h i j k l m n o p", "a b c d e", "http://x.com/?", "", -90.0, -180.0)
	f.Add("\xff\xfe شجار \u200f", "bagarre", "https://t.co/x…", "3fa2", 1e308, -1e308)
	f.Fuzz(func(t *testing.T, text, other, url, sha string, lat, lon float64) {
		x := NewDupIndex(DupOptions{})
		p := &yaqaza.Point{Lat: lat, Lon: lon}
		x.Add(dupFP(other), Candidate{IncidentID: 1, Zone: "z", Category: "armed", Point: p, At: dupT0})
		media := []yaqaza.Media{{URL: url, SHA256: sha, Kind: "video"}}
		fp := FingerprintOf(Normalise(text), media, url)
		for i := 1; i < len(fp.shingles); i++ {
			if fp.shingles[i-1] >= fp.shingles[i] {
				t.Fatalf("shingles not strictly ascending: %v", fp.shingles)
			}
		}
		if len(fp.shingles) > dupSketch || int(fp.total) < len(fp.shingles) {
			t.Fatalf("%d shingles of %d", len(fp.shingles), fp.total)
		}
		c := Candidate{IncidentID: 2, Zone: "z", Category: "assault", Point: p, At: dupT0.Add(time.Minute)}
		x.Match(fp, c)
		x.Add(fp, c)
		m, ok := x.Match(fp, c)
		if len(fp.media) > 0 && (!ok || m.IncidentID != 2 || m.Rule != DupRuleMedia) {
			t.Fatalf("media did not find its incident: %+v, %v", m, ok)
		}
		x.Forget(2)
		x.Expire(dupT0.Add(72 * time.Hour))
		if x.Len() != 0 || x.Incidents() != 0 {
			t.Fatalf("Len %d, Incidents %d after Forget and Expire", x.Len(), x.Incidents())
		}
	})
}
