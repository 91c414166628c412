package console

import "testing"

// TestReasonInTheReadersLanguage: triage's phrases are said in the page's
// language, the words quoted from a report stay as written, and a phrase
// the console does not know is shown as it is.
func TestReasonInTheReadersLanguage(t *testing.T) {
	c, err := New(Services{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, in, want string }{
		{"fr", "P1: bladed weapon mentioned; 214 reposts in 20 min, 12 sources", "P1 : arme blanche mentionnée ; 214 partages en 20 min, 12 sources"},
		{"ar", "P2: injury mentioned; at night", "P2: ذكر إصابة؛ ليلا"},
		{"fr", "words: سرقوا, الهاتف", "mots : سرقوا, الهاتف"},
		{"en", "P3: category theft_robbery", "P3: category: theft_robbery"},
		{"fr", "no category word; cues: injury", "aucun mot de catégorie ; indices : injury"},
		{"fr", "P4: something triage may say one day", "P4 : something triage may say one day"},
		{"ar", "1.2k views", "1.2k مشاهدة"},
	} {
		p := &Page{c: c, Lang: tc.lang}
		if got := p.Reason(tc.in); got != tc.want {
			t.Errorf("%s %q: %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}
