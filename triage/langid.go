package triage

import "strings"

// Languages triage tells apart.
const (
	LangArabic      = "ar"       // Modern Standard Arabic
	LangDarija      = "ary"      // Moroccan Darija in Arabic script
	LangDarijaLatin = "ary-Latn" // Darija in Latin letters, often with Arabizi digits
	LangFrench      = "fr"
	LangEnglish     = "en"
	LangOther       = "other"
)

// Frequent words that tell French from English. Short and unambiguous:
// "a", "de", "on" and the like belong to both or to neither.
var (
	frenchWords  = wordSet("le la les des du une est et dans pour pas sur avec au aux par qui que il elle ils sont ont été cette ce ces mon ma mes son sa ses votre nous vous je suis très plus mais ou donc car rue chez tout tous fait quartier personnes homme femme police voiture vol bagarre blessé")
	englishWords = wordSet("the and is are was were of to in for with on at by this that these those it he she they we you i my his her their have has had been not but or so from there what who when where man woman people police car street near just now")
)

func wordSet(s string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(s) {
		for _, t := range Normalise(w).Tokens {
			m[t] = true
		}
	}
	return m
}

// Language identifies the language of a normalised text: the script first,
// then, in Arabic script, Standard Arabic against Darija by Darija's marker
// words and morphology (and by a trained model when one is given); in Latin
// script, Darija by its markers and Arabizi digits, French against English
// by their frequent words. why says which evidence decided.
func (t *Triage) Language(n Normalised) (lang, why string) {
	letters := n.Arabic + n.Latin
	if letters == 0 {
		return LangOther, "no letters"
	}
	if n.Arabic >= n.Latin {
		if t.dialect != nil {
			p, probs := t.dialect.Predict(n.Tokens)
			if p.Label == "dialectal" {
				return LangDarija, "dialect model " + percent(float64(probs[t.dialectIdx]))
			}
			return LangArabic, "dialect model " + percent(float64(1-probs[t.dialectIdx]))
		}
		if m := t.lexicon.DarijaMarkers(n.Tokens); m > 0 {
			return LangDarija, plural(m, "Darija marker")
		}
		return LangArabic, "Arabic script, no Darija marker"
	}
	if n.Arabizi > 0 {
		return LangDarijaLatin, plural(n.Arabizi, "Arabizi digit")
	}
	fr, en := 0, 0
	for _, tok := range n.Tokens {
		if frenchWords[tok] {
			fr++
		}
		if englishWords[tok] {
			en++
		}
	}
	darija := t.lexicon.DarijaMarkers(n.Tokens)
	switch {
	case darija > 0 && darija >= fr && darija >= en:
		return LangDarijaLatin, plural(darija, "Darija marker")
	case fr > 0 && fr >= en:
		return LangFrench, plural(fr, "French word")
	case en > 0:
		return LangEnglish, plural(en, "English word")
	}
	return LangOther, "Latin script, no known word"
}

func plural(n int, what string) string {
	s := itoa(n) + " " + what
	if n != 1 {
		s += "s"
	}
	return s
}
