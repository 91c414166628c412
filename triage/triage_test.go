package triage

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/geo"
)

func fesTriage(t testing.TB) *Triage {
	t.Helper()
	p := geo.DefaultPack()
	zones, err := geo.NewZoneIndex(p.Zones)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := New(p, zones, Models{})
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

// at is a Saturday evening in Fès.
var at = time.Date(2026, 3, 14, 19, 30, 0, 0, time.UTC)

func assess(tr *Triage, in *yaqaza.ReportInput) *yaqaza.Assessment {
	if in.OccurredAt == nil {
		in.OccurredAt = &at
	}
	return tr.Assess(context.Background(), in)
}

func TestAssessPlaceAndPriority(t *testing.T) {
	tr := fesTriage(t)
	cases := []struct {
		name     string
		in       yaqaza.ReportInput
		zone     string
		category string
		priority yaqaza.Priority
		why      string // a part of the priority's explanation
	}{
		{"Darija knife fight placed by name", yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "شجار بالسكاكين فحي بنسودة، واحد مجروح"},
			"03.231.01.13", "armed", yaqaza.P1, "bladed weapon mentioned"},
		{"a point wins over a name", yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Vol à l'arraché à Bensouda",
			Location: &yaqaza.Point{Lat: 34.0617, Lon: -4.9836}}, "03.231.01.07", "theft_robbery", yaqaza.P2, "category theft_robbery"},
		{"Latin Darija, spelling variant", yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "wa7ed chfar sre9 lia tilifon f ben souda"},
			"03.231.01.13", "theft_robbery", yaqaza.P2, ""},
		{"a place in the place field", yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: "Accident entre deux voitures, pas de blessé", Place: "Saïss"},
			"03.231.01.05", "traffic", yaqaza.P3, ""},
		{"a child missing at night", yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "ولدي صغير عندو 8 سنين ضاع ليا فالسوق ماشي معروف فين مشا",
			OccurredAt: ptr(time.Date(2026, 3, 14, 23, 10, 0, 0, time.UTC))}, "", "missing_person", yaqaza.P1, "a child is involved"},
		{"no place at all", yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Un homme frappe sa femme dans l'appartement d'à côté"},
			"", "domestic_violence", yaqaza.P2, ""},
	}
	for _, c := range cases {
		a := assess(tr, &c.in)
		if a.ZoneCode != c.zone || a.Category != c.category || a.Priority != c.priority {
			t.Errorf("%s: zone %q (%s) category %q (%s) priority %s (%s); want %q %q %s", c.name, a.ZoneCode, a.ZoneWhy,
				a.Category, a.CategoryWhy, a.Priority, a.PriorityWhy, c.zone, c.category, c.priority)
		}
		if c.why != "" && !strings.Contains(a.PriorityWhy, c.why) {
			t.Errorf("%s: priority explained %q, want it to say %q", c.name, a.PriorityWhy, c.why)
		}
		if !strings.HasPrefix(a.PriorityWhy, a.Priority.String()+": ") {
			t.Errorf("%s: explanation %q does not start with the priority", c.name, a.PriorityWhy)
		}
		if (c.zone == "") != contains(a.Flags, yaqaza.FlagZoneUnknown) {
			t.Errorf("%s: flags %v", c.name, a.Flags)
		}
		if c.zone != "" && a.Location == nil {
			t.Errorf("%s: zone known but no point, not even approximate", c.name)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func TestAttentionRaisesPriority(t *testing.T) {
	var a Attention
	t0 := at
	a.Add(yaqaza.ChannelCall, nil, t0)
	if s := a.Score(); s > 10 {
		t.Fatalf("one call scores %.1f", s)
	}
	for i := 0; i < 12; i++ {
		a.Add(yaqaza.ChannelSocial, &yaqaza.Source{AuthorPseudonym: "ps_" + itoa(i), Reposts: 18, Views: 4000}, t0.Add(time.Duration(i)*100*time.Second))
	}
	if s := a.Score(); s < 60 {
		t.Fatalf("13 sources, 216 reposts in 20 minutes score only %.1f", s)
	}
	if got := a.Summary(); !strings.Contains(got, "reposts in 18 min") || !strings.Contains(got, "13 sources") {
		t.Fatalf("summary %q", got)
	}
	p, why := Prioritise(PriorityInput{Base: yaqaza.P3, Category: "vandalism", Attention: a.Score(), AttentOf: a.Summary()})
	if p != yaqaza.P2 || !strings.Contains(why, "reposts") {
		t.Fatalf("a vandalism video going viral: %s %q", p, why)
	}
	// The explanation of the example.
	p, why = Prioritise(PriorityInput{Base: yaqaza.P2, Category: "public_disorder", Cues: []string{yaqaza.CueBlade}, Attention: 90, AttentOf: "214 reposts in 20 min"})
	if p != yaqaza.P1 || why != "P1: bladed weapon mentioned; 214 reposts in 20 min" {
		t.Fatalf("got %s %q", p, why)
	}
}

// Bad input never breaks triage: it is kept for an operator, flagged.
func TestAssessHardInput(t *testing.T) {
	tr := fesTriage(t)
	for _, text := range []string{"", "   ", "😱😱😱🔪🔪", strings.Repeat("ب", 10000), "\xff\xfe\xfd", "Fèsفاس mixed سكين knife", "!!!???"} {
		a := assess(tr, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: text})
		if a == nil || !a.Priority.Valid() || a.Category == "" && !a.NotPolice {
			t.Errorf("Assess(%.20q) = %+v", text, a)
		}
	}
}

func FuzzAssess(f *testing.F) {
	tr := fesTriage(f)
	for _, s := range []string{"شجار بالسكاكين فحي بنسودة", "wa7ed chfar f ben souda", "Vol à Saïss", "😱", "\xff"} {
		f.Add(s, "")
	}
	f.Add("accident", "Bab Boujloud")
	f.Fuzz(func(t *testing.T, text, place string) {
		a := tr.Assess(context.Background(), &yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, Text: text, Place: place, OccurredAt: &at})
		if !a.Priority.Valid() || a.PriorityWhy == "" {
			t.Fatalf("Assess(%q, %q): priority %v %q", text, place, a.Priority, a.PriorityWhy)
		}
	})
}

// TestViralBurstIsOneIncident is the scenario of the issue: a video of a
// street fight posted, re-posted and commented on, two calls and a web
// complaint, while another fight happens elsewhere — two incidents, the
// right zone, category and priority, every source attached.
func TestViralBurstIsOneIncident(t *testing.T) {
	tr := fesTriage(t)
	c := NewClusterer(tr, DefaultDupOptions)
	next := int64(1)
	incidentOf := func(in *yaqaza.ReportInput) yaqaza.ClusterOutcome {
		a := assess(tr, in)
		out := c.Begin().Assign(yaqaza.ClusterInput{Assessment: a, Channel: in.Channel, Source: in.Source, At: *in.OccurredAt}, next)
		if out.Join == nil {
			next++
		}
		return out
	}
	when := func(min int) *time.Time { t := at.Add(time.Duration(min) * time.Minute); return &t }
	video := "فيديو: شجار بالسكاكين بين شباب فحي بنسودة قرب السوق، واحد طايح كيسيل الدم"
	first := incidentOf(&yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, Text: video, OccurredAt: when(0),
		Source: &yaqaza.Source{Platform: "facebook", AuthorPseudonym: "ps_1", URL: "https://facebook.com/watch/?v=777", Reposts: 40, Views: 12000}})
	var last yaqaza.ClusterOutcome
	for i := 0; i < 150; i++ {
		text := []string{"RT @fes24: ", "شوفو هاد الشي 😱😱 ", "الله يستر ", ""}[i%4] + video + []string{" #فاس", "", " 😡", "…"}[i%4]
		last = incidentOf(&yaqaza.ReportInput{Channel: yaqaza.ChannelSocial, Text: text, OccurredAt: when(i / 8),
			Source: &yaqaza.Source{Platform: "x", AuthorPseudonym: "ps_" + itoa(i+2), Reposts: int64(i % 7)}})
		if last.IncidentID != first.IncidentID {
			t.Fatalf("re-post %d %q opened incident %d", i, text, last.IncidentID)
		}
	}
	for _, in := range []*yaqaza.ReportInput{
		{Channel: yaqaza.ChannelCall, Text: "المتصل كيقول كاين مضاربة بالجناوا فبنسودة قرب السوق", OccurredAt: when(7)},
		{Channel: yaqaza.ChannelCall, Text: "Appel: rixe au couteau à Bensouda, près du souk, un blessé", OccurredAt: when(9), Location: &yaqaza.Point{Lat: 34.02, Lon: -5.04}},
		{Channel: yaqaza.ChannelWeb, Text: "Bagarre très violente à Ben Souda avec des couteaux, faites vite", OccurredAt: when(11)},
	} {
		if out := incidentOf(in); out.IncidentID != first.IncidentID {
			t.Fatalf("%q opened incident %d instead of joining %d", in.Text, out.IncidentID, first.IncidentID)
		}
	}
	other := incidentOf(&yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Bagarre entre jeunes devant le lycée à Agdal", OccurredAt: when(10),
		Location: &yaqaza.Point{Lat: 34.03, Lon: -5.0}})
	if other.IncidentID == first.IncidentID {
		t.Fatal("a fight in Agdal joined the fight in Bensouda")
	}
	if last.Priority != yaqaza.P1 || last.Attention < 60 || !strings.Contains(last.PriorityWhy, "bladed weapon") {
		t.Fatalf("the viral incident: priority %s (%s), attention %.0f (%s)", last.Priority, last.PriorityWhy, last.Attention, last.AttentionOf)
	}
}
