package triage

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/yaqaza/yaqaza"
)

// The Fès zones, as in geo/packs/fes/pack.json.
const (
	agdal   = "03.231.01.01"
	saiss   = "03.231.01.05"
	medina  = "03.231.01.07"
	jnan    = "03.231.01.09"
	marini  = "03.231.01.11"
	zouagha = "03.231.01.13"
)

var (
	fesOnce sync.Once
	fesGaz  *Gazetteer
	fesErr  error
)

// fesGazetteer is the real Fès gazetteer, read as the geo package will once
// it loads gazetteer.json with the pack.
func fesGazetteer(t testing.TB) *Gazetteer {
	t.Helper()
	fesOnce.Do(func() {
		var b []byte
		if b, fesErr = os.ReadFile("../geo/packs/fes/gazetteer.json"); fesErr != nil {
			return
		}
		var places []yaqaza.Place
		if fesErr = json.Unmarshal(b, &places); fesErr == nil {
			fesGaz = NewGazetteer(places)
		}
	})
	if fesErr != nil {
		t.Fatal(fesErr)
	}
	return fesGaz
}

func TestGazetteerFindsFesPlaces(t *testing.T) {
	g := fesGazetteer(t)
	cases := []struct {
		text, place, zone string
		exact             bool
	}{
		// Arabic, with proclitics and the article.
		{"شجار كبير فبنسودة قرب السوق", "Bensouda", zouagha, true},
		{"سرقة في حي الأمل", "Hay El Amal", "", true},
		{"سرقة هاتف بحي الأطلس", "Hay Atlas", agdal, true},
		{"كاين واحد الشفار فالبطحاء", "Batha", medina, true},
		{"كاين واحد الشفار فالبطحا", "Batha", medina, true},
		{"سرقة بالمدينة القديمة البارح", "Fès-Médina", medina, true},
		{"مشاجرة عنيفة في سيدي بوجيدة", "Sidi Boujida", medina, true},
		{"الحادث وقع في جنان الورد", "Jnan El Ouard", jnan, true},
		{"اعتداء على سيدة بالمرينيين", "El Mariniyine", marini, true},
		{"تم توقيف مشتبه به في حي طارق 2", "Hay Tarik 2", agdal, true},
		{"حادثة سير على طريق إيموزار", "Route d'Imouzzer", "", true},
		// Darija in Latin script, Arabizi digits included.
		{"wa7ed chfar f ben souda", "Bensouda", zouagha, true},
		{"kayn chi mochkil f bnsouda", "Bensouda", zouagha, true},
		{"3ndna mochkil kbir f lbatha", "Batha", medina, true},
		{"tfrget f zwagha l3chiya", "Zouagha", zouagha, true},
		{"drari kaytdarbo f 3ouinat l7ajaj", "Aouinat El Hajjaj", saiss, false},
		{"sar9a f hay l9ods", "Hay Qods", "", false},
		{"lbarah f moulay smail", "My Smail", "", false},
		// French.
		{"Vol à l'arraché au quartier Narjiss", "Narjiss", "", true},
		{"agression à Saïss", "Saïss", saiss, true},
		{"Agression à Saiss hier soir", "Saïss", saiss, true},
		{"Bagarre devant Bab Boujloud, deux blessés", "Bab Boujloud", medina, true},
		{"Bagarre devant Bab Bou Jeloud", "Bab Boujloud", medina, true},
		{"Cambriolage au Centre-ville", "Ville Nouvelle", agdal, true},
		{"Accident à Mont Fleuri 2", "Mont Fleuri", saiss, true},
		{"vol de moto quartier des Andalous", "Andalous", medina, true},
		{"accident route d'Imouzzer", "Route d'Imouzzer", "", true},
		{"accident route Imouzzer", "Route d'Imouzzer", "", true},
		{"rixe à Doukkarat", "Hay Doukkarate", agdal, true},
		{"rixe à Dokarat", "Hay Doukkarate", agdal, false},
		// A place with a zone beats a longer one without.
		{"vol à Narjiss, fuite vers Bensouda", "Bensouda", zouagha, true},
		{"hay el qods ben souda", "Bensouda", zouagha, true},
		// Then the longer name, then the earlier.
		{"de Batha jusqu'à Bab Boujloud", "Bab Boujloud", medina, true},
		{"Batha puis Seffarine", "Batha", medina, true},
		// Ordinary words that are also names.
		{"عندي الأمل", "", "", false},
		{"الأطلس جبال عالية", "", "", false},
		{"شي واحد ضرب طارق", "", "", false},
		{"واقف على الرصيف", "", "", false},
		{"je ne sais pas où il est parti", "", "", false},
		{"il a pris la fuite à cause de la police", "", "", false},
		{"rien à signaler", "", "", false},
		{"", "", "", false},
	}
	for _, c := range cases {
		m, ok := g.Find(Normalise(c.text))
		switch {
		case c.place == "" && ok:
			t.Errorf("%q: found %s (%q), want nothing", c.text, m.Place.Name, m.Matched)
		case c.place == "":
		case !ok:
			t.Errorf("%q: found nothing, want %s", c.text, c.place)
		case m.Place.Name != c.place || m.Place.Zone != c.zone || m.Exact != c.exact:
			t.Errorf("%q: %s [%s] exact=%v (%q), want %s [%s] exact=%v",
				c.text, m.Place.Name, m.Place.Zone, m.Exact, m.Matched, c.place, c.zone, c.exact)
		case m.Matched == "" || !strings.Contains(Normalise(c.text).Text, m.Matched):
			t.Errorf("%q: matched %q is not words of the text", c.text, m.Matched)
		}
	}
}

// testPlaces is a small gazetteer for the rules, independent of the data.
var testPlaces = []yaqaza.Place{
	{Name: "الأمل", Aliases: []string{"El Amal"}, CommonWord: true},
	{Name: "Bensouda", Names: yaqaza.Names{AR: "بنسودة"}, Zone: "Z"},
	{Name: "Bab El Hamra"},
	{Name: "Hay Essalam", Zone: "Y", CommonWord: true},
	{Name: "Lalla Yacout", CommonWord: true},
	{Name: "Hay Tareq II", Zone: "Y"},
	{Name: "Chrabliyine", Zone: "X"},
}

func TestGazetteerRules(t *testing.T) {
	g := NewGazetteer(testPlaces)
	cases := []struct{ text, want, matched string }{
		// Cues, with proclitics, Arabizi and prepositions between.
		{"سرقة في حي الأمل", "الأمل", "الامل"},
		{"سرقة فحي الأمل", "الأمل", "الامل"},
		{"sar9a f 7ay lamal", "الأمل", "lamal"},
		{"f lhouma dyal el amal", "", ""},
		{"f houma el amal", "الأمل", "amal"},
		{"au quartier de l'Amal", "الأمل", "amal"},
		{"derb l amal", "الأمل", "amal"},
		{"عندي الأمل", "", ""},
		{"مازال الأمل", "", ""},
		// Proclitics: conjunction, preposition, article.
		{"وبالبنسودة", "Bensouda", "وبالبنسوده"},
		{"لبنسودة", "Bensouda", "لبنسوده"},
		{"bnsouda", "", ""},
		{"bensouda", "Bensouda", "bensouda"},
		{"Ben-Souda", "Bensouda", "ben souda"},
		{"BEN SOUDA", "Bensouda", "ben souda"},
		{"bin souda", "Bensouda", "bin souda"},
		{"bensoudas", "", ""},
		// Articles inside a name, apart, joined or left out.
		{"bab lhamra", "Bab El Hamra", "bab lhamra"},
		{"bab al hamra", "Bab El Hamra", "bab al hamra"},
		{"bab hamra", "Bab El Hamra", "bab hamra"},
		{"babelhamra", "Bab El Hamra", "babelhamra"},
		// Assimilated articles; a common name needs its cue.
		{"hay essalam", "Hay Essalam", "essalam"},
		{"hay es salam", "Hay Essalam", "salam"},
		{"hay salam", "Hay Essalam", "salam"},
		{"essalam 3likom", "", ""},
		// An exact name of two words needs no cue, a variant of it does.
		{"lalla yacout", "Lalla Yacout", "lalla yacout"},
		{"lala yakout", "", ""},
		{"hay lala yakout", "Lalla Yacout", "lala yakout"},
		// Roman numbers, written either way.
		{"hay tareq 2", "Hay Tareq II", "tareq 2"},
		{"tariq ii", "Hay Tareq II", "tariq ii"},
		// ch/sh, y/i, doubled letters.
		{"shrablyine", "Chrabliyine", "shrablyine"},
		{"chrabliine", "Chrabliyine", "chrabliine"},
		// Bits of words do not join into a name.
		{"chra bliyine", "Chrabliyine", "chra bliyine"},
		{"ch rabliyine", "", ""},
		{"ben s ouda", "", ""},
	}
	for _, c := range cases {
		m, ok := g.Find(Normalise(c.text))
		got := ""
		if ok {
			got = m.Place.Name
		}
		if got != c.want || ok && m.Matched != c.matched {
			t.Errorf("%q: found %q (%q), want %q (%q)", c.text, got, m.Matched, c.want, c.matched)
		}
	}
}

func TestSkeleton(t *testing.T) {
	same := [][2]string{
		{"zouagha", "zwagha"}, {"dokkarat", "doukkarat"}, {"awinate", "aouinat"}, {"riyad", "riad"},
		{"skaliya", "skalia"}, {"zitoune", "zitoun"}, {"hajjaj", "hajaj"}, {"bennani", "benani"},
		{"qods", "kods"}, {"tariq", "tarik"}, {"bathaa", "batha"}, {"dhar", "dar"}, {"shrabliyine", "chrabliyine"},
		{"ben", "bin"}, {"djemaa", "jemaa"}, {"ii", "2"},
		{Normalise("3in").Text, "ain"}, {Normalise("7ay").Text, "hay"}, {Normalise("9ods").Text, "qods"},
		{"البطحاء", "البطحا"},
	}
	for _, p := range same {
		a, b := string(appendSkeleton(nil, p[0])), string(appendSkeleton(nil, p[1]))
		if a != b {
			t.Errorf("%s → %s and %s → %s, want the same", p[0], a, p[1], b)
		}
	}
	apart := [][2]string{{"fes", "fas"}, {"cause", "kaous"}, {"bab", "bob"}, {"tghat", "teghat"}, {"ghorfa", "gorfa"}}
	for _, p := range apart {
		if a, b := string(appendSkeleton(nil, p[0])), string(appendSkeleton(nil, p[1])); a == b {
			t.Errorf("%s and %s both → %s, want them apart", p[0], p[1], a)
		}
	}
	for _, c := range []struct {
		w    string
		want int
	}{{"lbatha", 1}, {"elhorra", 2}, {"alghorba", 2}, {"latlas", 1}, {"essalam", 2}, {"arrachidia", 2},
		{"echouhada", 1}, {"alami", 0}, {"elle", 0}, {"assa", 0}, {"lot", 0}, {"l", 0}, {"bensouda", 0}} {
		if got := latinArticle(c.w); got != c.want {
			t.Errorf("latinArticle(%q) = %d, want %d", c.w, got, c.want)
		}
	}
}

// Everyday French and Darija must not read as places.
func TestGazetteerIgnoresEverydayWords(t *testing.T) {
	g := fesGazetteer(t)
	texts := []string{
		"Un individu a été agressé hier soir par deux hommes armés d'un couteau, la victime a été transportée à l'hôpital",
		"Le suspect a pris la fuite à bord d'une moto de couleur noire, il faut envoyer une patrouille rapidement",
		"Je ne sais pas ce qui se passe mais il y a beaucoup de bruit dans la rue depuis une heure",
		"accident de la circulation entre une voiture et un camion, trois blessés graves, la police est sur place",
		"vol de téléphone portable à l'arraché près de l'arrêt de bus, le voleur portait une casquette rouge",
		"wach kayn chi wa7ed f lblasa? drari kaytdarbo b jnawa, 3iyto 3la lbolis daba",
		"khoya tsrat lih tomobil dyalo lbareh f lil, ma3reftch chkoun, 3afak dir chi haja",
		"chi wa7ed sra9 liya portable o hrab, kan labes jacket k7la, kan msali f jame3",
		"الله يحفظك خويا كاين شي مشكل هنا بزاف ديال الناس كيتضاربو قدام الدار",
		"تعرض شاب لاعتداء بالسلاح الأبيض من طرف مجهولين وتم نقله إلى المستشفى في حالة حرجة",
		"سرقة سيارة من أمام المنزل ليلة أمس والشرطة لم تصل بعد رغم الاتصال عدة مرات",
	}
	for _, s := range texts {
		if m, ok := g.Find(Normalise(s)); ok {
			t.Errorf("%q: found %s (%q)", s, m.Place.Name, m.Matched)
		}
	}
}

// Moroccan tweets that are not about Fès rarely name one of its places. The
// few that do are logged for review; the bound guards against a rule that
// starts matching everyday words.
func TestGazetteerOnTweets(t *testing.T) {
	g := fesGazetteer(t)
	for _, name := range []string{"text/mac-dialect.train.tsv", "text/crisislex6-relevance.train.tsv"} {
		examples := readTSV(t, sharedData(t, name))
		found := 0
		for _, e := range examples {
			if m, ok := g.Find(Normalise(e.Text)); ok {
				found++
				t.Logf("%s: %s [%s] from %q", name, m.Place.Name, m.Place.Zone, m.Matched)
			}
		}
		t.Logf("%s: a place in %d of %d texts", name, found, len(examples))
		if found*1000 > len(examples) {
			t.Errorf("%s: a place in %d of %d texts, want under 0.1%%", name, found, len(examples))
		}
	}
}

// No spelling of a name may lead to two different zones.
func TestFesGazetteerKeysAgreeOnZones(t *testing.T) {
	g := fesGazetteer(t)
	for key, hits := range g.keys {
		zone := ""
		for _, h := range hits {
			z := g.places[h.place].Zone
			if z != "" && zone != "" && z != zone {
				t.Errorf("key %q leads to zones %s and %s", key, zone, z)
			}
			zone = max(zone, z)
		}
	}
}

func TestGazetteerOwnsItsPlaces(t *testing.T) {
	places := []yaqaza.Place{{Name: "Bensouda", Zone: "Z"}}
	g := NewGazetteer(places)
	places[0].Zone = "changed"
	if m, ok := g.Find(Normalise("f bensouda")); !ok || m.Place.Zone != "Z" {
		t.Errorf("%+v %v", m, ok)
	}
	if _, ok := NewGazetteer(nil).Find(Normalise("bensouda")); ok {
		t.Error("an empty gazetteer found a place")
	}
}

func TestGazetteerConcurrentFind(t *testing.T) {
	g := fesGazetteer(t)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				if _, ok := g.Find(Normalise(fmt.Sprintf("vol %d à Bensouda %d", i, j))); !ok {
					t.Error("Bensouda not found")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func FuzzGazetteerFind(f *testing.F) {
	for _, s := range []string{
		"شجار كبير فبنسودة قرب السوق", "wa7ed chfar f ben souda", "Vol à l'arraché au quartier Narjiss",
		"سرقة في حي الأمل", "hay l9ods", "bab el hamra el", "l", "ال", "وبال", "ii iv v", "\xff\xfe", "e", "",
		"hay hay hay hay hay hay hay", strings.Repeat("bensouda ", 50), "7ay 3in 9ods 5ra 8ir 6ri9 2",
	} {
		f.Add(s)
	}
	g := NewGazetteer(testPlaces)
	fes := fesGazetteer(f)
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalise(s)
		for _, gz := range []*Gazetteer{g, fes} {
			if m, ok := gz.Find(n); ok && (m.Place == nil || m.Matched == "") {
				t.Fatalf("%q: %+v", s, m)
			}
			// A Normalised not made by Normalise: words that are not its Text.
			gz.Find(Normalised{Text: s[:len(s)/2], Tokens: strings.Fields(s)})
		}
	})
}

// BenchmarkGazetteerFind times Find on reports of about twenty words, beside
// Normalise on the same text: the baseline every report pays anyway.
func BenchmarkGazetteerFind(b *testing.B) {
	g := fesGazetteer(b)
	for _, c := range []struct{ name, text string }{
		{"arabic", "شجار كبير بين مجموعة من الشباب فبنسودة قرب السوق الأسبوعي وتم استعمال السكاكين وهناك جرحى في حالة خطيرة يجب التدخل"},
		{"darija", "wa7ed chfar chad portable dyal wa7ed lmra f ben souda 9rib l7anout o hrab f moto bla plaka, drari chafoh kamlin"},
		{"french", "Vol à l'arraché au quartier Narjiss ce soir vers vingt heures, la victime est une femme âgée blessée au bras"},
		{"no-place", "Accident grave entre deux voitures sur la route principale, plusieurs blessés, les secours ne sont pas encore arrivés"},
	} {
		n := Normalise(c.text)
		b.Run(c.name+"/normalise", func(b *testing.B) {
			for b.Loop() {
				Normalise(c.text)
			}
		})
		b.Run(c.name+"/find", func(b *testing.B) {
			b.ReportAllocs()
			b.ReportMetric(float64(len(n.Tokens)), "words")
			for b.Loop() {
				g.Find(n)
			}
		})
	}
}
