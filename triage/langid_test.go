package triage

import "testing"

func TestLanguage(t *testing.T) {
	tr := lexiconTriage(t)
	cases := []struct{ text, lang string }{
		{"تعرض منزل للسرقة بعد كسر الباب ليلا", LangArabic},
		{"أفادت مصادر أمنية بأن عناصر الشرطة تمكنت من توقيف المشتبه فيه", LangArabic},
		{"كاين واحد شاد جنوية فالزنقة وكيهدد الناس", LangDarija},
		{"شنو هاد الشي اللي واقع دابا فبنسودة", LangDarija},
		{"wa7ed chfar sre9 lia tilifon f ben souda", LangDarijaLatin},
		{"kayn chi drari kaydarbo f zen9a, ajiw daba", LangDarijaLatin},
		{"Vol à l'arraché d'un téléphone, le suspect est parti à moto", LangFrench},
		{"A man is threatening people with a knife near the gate", LangEnglish},
		{"😱😱😱 !!!", LangOther},
		{"Здравствуйте, мне нужна помощь", LangOther},
	}
	for _, c := range cases {
		if got, why := tr.Language(Normalise(c.text)); got != c.lang {
			t.Errorf("Language(%q) = %s (%s), want %s", c.text, got, why, c.lang)
		}
	}
}

// TestLanguageOnMAC measures Standard Arabic against Darija on the MAC
// corpus test split with the lexicon's markers alone (no trained model):
// the figure is reported, and must stay well above chance. A dialect model
// trained with "yaqaza classify train" does better; see classifier tests.
func TestLanguageOnMAC(t *testing.T) {
	test := readTSV(t, sharedData(t, "text/mac-dialect.test.tsv"))
	tr := lexiconTriage(t)
	ok := 0
	for _, e := range test {
		lang, _ := tr.Language(Normalise(e.Text))
		want := LangArabic
		if e.Label == "dialectal" {
			want = LangDarija
		}
		if lang == want {
			ok++
		}
	}
	acc := float64(ok) / float64(len(test))
	t.Logf("MSA vs Darija by lexicon markers on mac-dialect test: accuracy %.4f (%d texts)", acc, len(test))
	if acc < 0.75 {
		t.Errorf("accuracy %.4f: the markers no longer tell Darija from Standard Arabic", acc)
	}
}
