package triage

import (
	"strings"
	"testing"
)

func TestNormalise(t *testing.T) {
	cases := []struct{ in, want string }{
		// Arabic: diacritics, tatweel, hamza forms, alef maqsura, taa marbuta.
		{"شِجَارٌ بالسّكاكين", "شجار بالسكاكين"},
		{"مـــــدينة فاس", "مدينه فاس"},
		{"أحمد إبراهيم آمنة", "احمد ابراهيم امنه"},
		{"مستشفى على", "مستشفي علي"},
		// Repeated letters.
		{"وااااالله", "واله"},
		{"والله", "واله"},
		{"cooool!!!", "cool"},
		// Arabizi inside Latin words; plain numbers stay numbers.
		{"3ndi mochkil m3a jari", "عndi mochkil mعa jari"},
		{"wa7ed chfar 9lil", "waحed chfar قlil"},
		{"3 personnes blessées", "3 personnes blessees"},
		// French accents and case; apostrophes split.
		{"Agressé à l'arrêt de BUS", "agresse a l arret de bus"},
		// URLs are set aside, mentions dropped, hashtags keep their word.
		{"RT @fes_news: Vol à Bensouda https://t.co/x1Y2 #فاس #Fes_Medina", "rt vol a bensouda فاس fes medina"},
		// Emoji are separators, not words.
		{"😱😱 bagarre🔪ici", "bagarre ici"},
		// Arabic-Indic digits.
		{"الساعة ١٠ ليلا", "الساعه 10 ليلا"},
	}
	for _, c := range cases {
		if got := Normalise(c.in).Text; got != c.want {
			t.Errorf("Normalise(%q) = %q, want %q", c.in, got, c.want)
		}
	}
	n := Normalise("RT @fes_news: Vol à Bensouda https://t.co/x1Y2 #فاس 😱")
	if len(n.URLs) != 1 || n.URLs[0] != "https://t.co/x1Y2" || n.Mentions != 1 || n.Hashtags != 1 || n.Emoji != 1 {
		t.Errorf("side counts = %+v", n)
	}
	if a := Normalise("3ndi mochkil m3a jari"); a.Arabizi != 2 || a.Latin == 0 {
		t.Errorf("arabizi count = %d", a.Arabizi)
	}
}

func TestNormaliseHardInput(t *testing.T) {
	for _, in := range []string{"", "   ", "😱😱😱🔪🔪", "\xff\xfe\xfd", strings.Repeat("ا", 10000), "!!!???...", "\u200f\u200e"} {
		n := Normalise(in)
		if len(n.Tokens) > 1 {
			t.Errorf("Normalise(%.20q) = %d tokens", in, len(n.Tokens))
		}
	}
	if n := Normalise("vol\xffà fès"); n.Text != "vol a fes" {
		t.Errorf("invalid UTF-8 inside text: %q", n.Text)
	}
	// Mixed scripts in one token are kept together and counted.
	n := Normalise("Fèsفاس")
	if n.Arabic != 3 || n.Latin != 3 {
		t.Errorf("mixed scripts: %+v", n)
	}
}

func FuzzNormalise(f *testing.F) {
	for _, s := range []string{"شِجَارٌ بالسّكاكين", "3ndi mochkil", "RT @a: #b https://c.d 😱", "\xff", "ééé", strings.Repeat("و", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := Normalise(s)
		if strings.Contains(n.Text, "  ") || strings.HasPrefix(n.Text, " ") {
			t.Fatalf("Normalise(%q) = %q: spaces not single", s, n.Text)
		}
		if strings.Join(n.Tokens, " ") != n.Text {
			t.Fatalf("tokens and text disagree for %q", s)
		}
		// Normalising twice changes nothing more.
		if again := Normalise(n.Text).Text; again != n.Text {
			t.Fatalf("not idempotent: %q → %q → %q", s, n.Text, again)
		}
	})
}
