package redact_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza/redact"
)

// M is the marker, short so that the tables below read as text.
const M = redact.Marker

var redacted = []struct {
	name, in, want string
	kinds          []redact.Kind
}{
	// Moroccan phone numbers, in every way citizens write them.
	{"plain", "0612345678", M, kinds(redact.Phone)},
	{"spaced pairs", "06 12 34 56 78", M, kinds(redact.Phone)},
	{"dashes", "06-12-34-56-78", M, kinds(redact.Phone)},
	{"dots", "06.12.34.56.78", M, kinds(redact.Phone)},
	{"country code spaced", "+212 6 12 34 56 78", M, kinds(redact.Phone)},
	{"country code", "+212612345678", M, kinds(redact.Phone)},
	{"00 prefix", "00212612345678", M, kinds(redact.Phone)},
	{"country code in parentheses", "(+212) 5 35 12 34 56", M, kinds(redact.Phone)},
	{"trunk zero in parentheses", "+212 (0) 6 61 23 45 67", M, kinds(redact.Phone)},
	{"area code in parentheses", "(0535) 12 34 56", M, kinds(redact.Phone)},
	{"four three three", "0661 234 567", M, kinds(redact.Phone)},
	{"no-break spaces", "06\u00a012\u00a034\u00a056\u00a078", M, kinds(redact.Phone)},
	{"arabic-indic digits", "٠٦١٢٣٤٥٦٧٨", M, kinds(redact.Phone)},
	{"arabic-indic spaced", "+٢١٢ ٦ ١٢ ٣٤ ٥٦ ٧٨", M, kinds(redact.Phone)},
	{"eastern arabic-indic digits", "۰۶۱۲۳۴۵۶۷۸", M, kinds(redact.Phone)},
	{"mixed digit scripts", "06 ١٢ 34 ۵۶ 78", M, kinds(redact.Phone)},
	{"full-width digits", "０６１２３４５６７８", M, kinds(redact.Phone)},
	{"french number", "+33 6 12 34 56 78", M, kinds(redact.Phone)},
	{"american number", "+1 (212) 555-0100", M, kinds(redact.Phone)},
	{"parentheses kept when outside", "tel (0612345678)", "tel (" + M + ")", kinds(redact.Phone)},
	{"glued to letters", "tel:0612345678.", "tel:" + M + ".", kinds(redact.Phone)},
	{"date glued to a phone number", "06.12.2026.78", M, kinds(redact.Phone)},
	{"bank account", "RIB 011 780 0000 1234 5678 9012 34", "RIB " + M, kinds(redact.Phone)},
	{"iban keeps its country letters", "IBAN MA64 0117 8000 0012 3456 7890 1234", "IBAN MA" + M, kinds(redact.Phone)},

	// E-mail addresses.
	{"email", "fatima.zahra@gmail.com", M, kinds(redact.Email)},
	{"email with plus and digits", "ali+police2026@menara.ma", M, kinds(redact.Email)},
	{"email then full stop", "écrivez à ali@x.ma.", "écrivez à " + M + ".", kinds(redact.Email)},
	{"email after an apostrophe", "l'adresse d'ali@x.ma", "l'adresse d'" + M, kinds(redact.Email)},
	{"email in angle brackets", "<ali@x.ma>", "<" + M + ">", kinds(redact.Email)},
	{"email after an ellipsis", "voir...ali@x.ma", "voir..." + M, kinds(redact.Email)},
	{"accented email", "élodie.müller@exemple.fr", M, kinds(redact.Email)},
	{"arabic email", "مراد@مثال.مغرب", M, kinds(redact.Email)},
	{"punycode domain", "ali@xn--mgbc0a9azcg.xn--mgba3a4f16a", M, kinds(redact.Email)},
	{"full-width at", "ali＠gmail.com", M, kinds(redact.Email)},
	{"email made of a phone number", "0612345678@gmail.com", M, kinds(redact.Phone, redact.Email)},
	{"phone glued to email", "06 12 34 56 78ali@x.ma", M, kinds(redact.Phone, redact.Email)},
	{"email whose domain ends in an ID", "ali@x.ma.K12345", M + "." + M, kinds(redact.Email, redact.NationalID)},

	// CIN and passport numbers.
	{"cin two letters", "AB123456", M, kinds(redact.NationalID)},
	{"cin one letter", "K12345", M, kinds(redact.NationalID)},
	{"cin four digits", "C1234", M, kinds(redact.NationalID)},
	{"cin lower case with space", "cd 654321", M, kinds(redact.NationalID)},
	{"cin arabic-indic digits", "CD١٢٣٤٥٦", M, kinds(redact.NationalID)},
	{"passport", "passeport AB1234567", "passeport " + M, kinds(redact.NationalID)},
	{"cin in punctuation", "(CIN: CB98765).", "(CIN: " + M + ").", kinds(redact.NationalID)},
	{"cin whose letters are a word, glued", "en2026", M, kinds(redact.NationalID)},

	// Sentences.
	{"arabic", "اتصلوا بي على الرقم 0612345678 أو على البريد murad@menara.ma",
		"اتصلوا بي على الرقم " + M + " أو على البريد " + M, kinds(redact.Phone, redact.Email)},
	{"arabic with arabic-indic digits", "رقمي ٠٦٦١٢٣٤٥٦٧ وبطاقتي الوطنية CD123456",
		"رقمي " + M + " وبطاقتي الوطنية " + M, kinds(redact.Phone, redact.NationalID)},
	{"darija arabic", "عيطو ليا ف 06 61 23 45 67 راه شفرو ليا التيليفون",
		"عيطو ليا ف " + M + " راه شفرو ليا التيليفون", kinds(redact.Phone)},
	{"darija latin", "3iyto liya f 06 12 34 56 78 w la carte dyali c123456 m3a 3 drari",
		"3iyto liya f " + M + " w la carte dyali " + M + " m3a 3 drari", kinds(redact.Phone, redact.NationalID)},
	{"french", "Contactez-moi au 06.12.34.56.78 ou à fatima.zahra@gmail.com (CIN AB123456).",
		"Contactez-moi au " + M + " ou à " + M + " (CIN " + M + ").", kinds(redact.Phone, redact.Email, redact.NationalID)},
	{"french date then phone", "Le 28.11.2026 22.30, appel du 0612345678",
		"Le 28.11.2026 22.30, appel du " + M, kinds(redact.Phone)},
	{"english", "Call me on +1 (212) 555-0100 or john.doe@example.com, passport K1234567.",
		"Call me on " + M + " or " + M + ", passport " + M + ".", kinds(redact.Phone, redact.Email, redact.NationalID)},
}

// kept holds text that must come out of Text unchanged.
var kept = []struct{ name, in string }{
	{"empty", ""},
	{"arabic report", "وقع شجار على الساعة 22:30 يوم 28/11/2026 قرب باب بوجلود، تم توقيف 3 شبان بزنقة 12"},
	{"arabic-indic time and date", "على الساعة ٢٢:٣٠ يوم ٢٨/١١/٢٠٢٦ سرقة مبلغ ٥٠٠ درهم"},
	{"arabic road and percentage", "حادثة سير على الطريق الوطنية N6 بين فاس ومكناس، نسبة 15% في سنة 2025"},
	{"darija arabic", "كاين شي 3 دراري كيتضاربو فالزنقة 7 حدا الحانوت، شفرو 2000 درهم"},
	{"darija latin", "kayn chi 3 drari kaytdarbo f zen9a 12 7da l7anout, sr9o liya 1500 dh f 2026"},
	{"darija latin numbers as letters", "l9it tomobil Dacia Logan f A2 m3a 23:15, 3ndi 2 wlad, fi 2024 w 2025"},
	{"french report", "Rixe à 22h30 le 28/11/2026 rue 12, 3 jeunes impliqués, 500 dh volés."},
	{"french roads and vehicles", "Accident sur la N6 et l'A2 : 2 véhicules (un camion 3.5 t et une Clio 4)."},
	{"iso date and time", "Le 2026-11-28 à 22:30, 15% des appels ; le 2026-11-28 22:30:00 aussi."},
	{"date and time with dots", "Du 28.11.2026 22.30 au 29.11.2026 01.15"},
	{"dashed date then time", "28-11-2026 22 h"},
	{"big amount", "Vol de 1 500 000 dh en 2026, de 15000 dh en 2025."},
	{"short words before numbers", "en 2026, de 15000, in 2025, at 1230, f 1500 dh, b 2000, CP 30000 Fès, PV 12345"},
	{"english report", "Fight reported at 10:30 pm on 2026-11-28 near gate 3; 2 cars and 1 truck on the A2."},
	{"english counts", "In 2026 we had 1,234 reports (12.5%), up 8 from 2025."},
	{"emergency numbers", "appelez le 19 ou le 190, ou le 15 pour la protection civile"},
	{"plate", "véhicule immatriculé 12345-أ-6"},
	{"year range", "saison 2025-2026"},
	{"handle and at sign", "@yaqaza_fes, rdv @ 18h, rdv@18h, ali@gmail"},
	{"road names", "N6, A2, RN 13, R 501, route 4"},
	{"short id-like words", "A320, H24, C90, X5, Q7"},
	{"three letters and digits", "ABC123456 is a reference, not a CIN"},
	{"letters inside a word", "xAB123456"},
	{"eight digits", "12 34 56 78 and 12345678"},
	{"the marker itself", "déjà " + M + " caviardé"},
}

func kinds(k ...redact.Kind) []redact.Kind { return k }

func TestTextRedacts(t *testing.T) {
	for _, tc := range redacted {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.Text(tc.in); got != tc.want {
				t.Errorf("Text(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if got := redact.Found(tc.in); !slices.Equal(got, tc.kinds) {
				t.Errorf("Found(%q) = %v, want %v", tc.in, got, tc.kinds)
			}
		})
	}
}

func TestTextKeeps(t *testing.T) {
	for _, tc := range kept {
		t.Run(tc.name, func(t *testing.T) {
			if got := redact.Text(tc.in); got != tc.in {
				t.Errorf("Text(%q)\n got %q\nwant it unchanged", tc.in, got)
			}
			if got := redact.Found(tc.in); got != nil {
				t.Errorf("Found(%q) = %v, want nil", tc.in, got)
			}
		})
	}
}

func TestTextIsIdempotent(t *testing.T) {
	for _, tc := range redacted {
		once := redact.Text(tc.in)
		if twice := redact.Text(once); twice != once {
			t.Errorf("Text(Text(%q)) = %q, want %q", tc.in, twice, once)
		}
		if found := redact.Found(once); found != nil {
			t.Errorf("Found(Text(%q)) = %v, want nil", tc.in, found)
		}
	}
}

// TestTextInContext puts each item in the middle of text of every script:
// the text around it must come through untouched.
func TestTextInContext(t *testing.T) {
	contexts := []struct{ before, after string }{
		{"رقمي هو ", " شكرا"},
		{"Mon numéro : ", ", merci."},
		{"3iyto liya f ", " daba"},
		{"(", ")"},
		{"", "\n"},
	}
	for _, tc := range redacted {
		if tc.want != M {
			continue
		}
		for _, c := range contexts {
			in := c.before + tc.in + c.after
			if got, want := redact.Text(in), c.before+M+c.after; got != want {
				t.Errorf("%s: Text(%q) = %q, want %q", tc.name, in, got, want)
			}
		}
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[redact.Kind]string{redact.Phone: "phone", redact.Email: "email", redact.NationalID: "national_id", 0: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}

// TestTextIsLinear guards against quadratic scanning on hostile input: long
// runs of what each rule looks for. On 400 kB a quadratic scan takes minutes,
// a linear one milliseconds, so the generous bound does not flake under -race.
func TestTextIsLinear(t *testing.T) {
	for _, unit := range []string{"@", "a@", "a.", "1 ", "1-(", "AB ", "a@b.", "+1", "٠", "ab12345 "} {
		in := strings.Repeat(unit, 400_000/len(unit))
		start := time.Now()
		redact.Text(in)
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("Text on %q×%d took %v", unit, len(in)/len(unit), d)
		}
	}
}
