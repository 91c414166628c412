package notify

import (
	"strings"
	"testing"
	"time"
	"unicode"
	"unicode/utf16"

	"github.com/yaqaza/yaqaza"
)

// gsmLength returns how many septets s takes in the GSM 03.38 alphabet of
// SMS, and false if a character is not in it (the SMS would then be sent as
// UCS-2, with 70 characters a part instead of 160).
func gsmLength(s string) (int, bool) {
	const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	const extension = "^{}\\[~]|€\f"
	n := 0
	for _, r := range s {
		switch {
		case strings.ContainsRune(basic, r):
			n++
		case strings.ContainsRune(extension, r):
			n += 2
		default:
			return n, false
		}
	}
	return n, true
}

var finalStatuses = []yaqaza.PublicStatus{yaqaza.PublicResolved, yaqaza.PublicClosed, yaqaza.PublicReferred, yaqaza.PublicNotAnswered}

const code = "7KQM-9XPR-A3TD"

func TestReporterMessagesFitOneSMS(t *testing.T) {
	for _, st := range finalStatuses {
		for _, lang := range []string{"fr", "en"} {
			_, body := ReporterMessage(lang, st, code, "")
			n, ok := gsmLength(body)
			if !ok || n > 160 {
				t.Errorf("%s %s: %d GSM characters (all GSM: %v): %q", lang, st, n, ok, body)
			}
		}
		_, body := ReporterMessage("ar", st, code, "")
		if n := len(utf16.Encode([]rune(body))); n > 70 {
			t.Errorf("ar %s: %d UCS-2 characters, more than one SMS: %q", st, n, body)
		}
	}
}

func TestReporterMessagesLanguages(t *testing.T) {
	seen := map[string]bool{}
	for _, st := range finalStatuses {
		for _, lang := range []string{"ar", "fr", "en"} {
			subject, body := ReporterMessage(lang, st, code, "")
			if !strings.Contains(subject, code) || !strings.Contains(body, code) {
				t.Errorf("%s %s: the tracking code is missing: %q / %q", lang, st, subject, body)
			}
			if !strings.Contains(subject, st.Label(lang)) {
				t.Errorf("%s %s: subject %q does not say the status %q", lang, st, subject, st.Label(lang))
			}
			if seen[body] {
				t.Errorf("%s %s: same text as another status: %q", lang, st, body)
			}
			seen[body] = true
			arabic, latin := scripts(strings.ReplaceAll(body, code, ""))
			switch lang {
			case "ar":
				if latin > 0 || arabic < 20 {
					t.Errorf("ar %s is not Arabic: %q", st, body)
				}
			case "fr":
				if arabic > 0 || !strings.Contains(body, "signalement") {
					t.Errorf("fr %s is not French: %q", st, body)
				}
			case "en":
				if arabic > 0 || !strings.Contains(body, "report") {
					t.Errorf("en %s is not English: %q", st, body)
				}
			}
		}
	}

	// Tags and unknown languages.
	if _, b := ReporterMessage("ar-MA", yaqaza.PublicResolved, code, ""); !strings.HasPrefix(b, "تمت معالجة بلاغكم") {
		t.Errorf("ar-MA: %q", b)
	}
	if _, b := ReporterMessage("es", yaqaza.PublicResolved, code, ""); !strings.HasPrefix(b, "Votre signalement") {
		t.Errorf("unknown language should be French: %q", b)
	}
	// The public message follows on its own line.
	_, b := ReporterMessage("en", yaqaza.PublicReferred, code, "  Please contact the municipality on 05 35 00 00 00. ")
	if !strings.HasSuffix(b, "\nMessage from the police: Please contact the municipality on 05 35 00 00 00.") {
		t.Errorf("public message: %q", b)
	}
	// Other statuses say their label.
	if s, b := ReporterMessage("fr", yaqaza.PublicOnScene, code, ""); b != "Votre signalement "+code+" : Policiers sur place." || !strings.Contains(s, code) {
		t.Errorf("on scene: %q %q", s, b)
	}
}

func scripts(s string) (arabic, latin int) {
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r):
			arabic++
		case unicode.Is(unicode.Latin, r):
			latin++
		}
	}
	return arabic, latin
}

func TestEscalationMessages(t *testing.T) {
	summary := "P1 armed: bagarre au couteau près de Bab Boujloud"
	for _, c := range []struct {
		lang, level, stage string
		overdue            time.Duration
		subject, body      []string
	}{
		{"en", "district head", "dispatched", 25 * time.Minute,
			[]string{"Incident 12", "district head"},
			[]string{"Incident 12 missed the deadline for dispatching a unit by 25 min and has been escalated to the district head.", summary, "Please open the incident"}},
		{"fr", "prefecture command", "on_scene", 2*time.Hour + 10*time.Minute,
			[]string{"Incident 12", "au commandement de la préfecture"},
			[]string{"L'incident 12 a dépassé le délai d'arrivée sur place de 2 h 10 min et a été remonté au commandement de la préfecture.", summary}},
		{"ar", "district head", "acknowledged", 2 * time.Minute,
			[]string{"الحادث رقم 12", "رئيس المنطقة الأمنية"},
			[]string{"تجاوز الحادث رقم 12 أجل التكفل بمدة دقيقتين، فرفع أمره إلى رئيس المنطقة الأمنية.", summary, "يرجى فتح الحادث"}},
		{"ar", "prefecture command", "resolved", 26*time.Hour + 5*time.Minute,
			[]string{"قيادة ولاية الأمن"},
			[]string{"بمدة يوم واحد وساعتين،"}},
		{"en", "district_head", "informed", 20 * time.Second,
			[]string{"the district head"},
			[]string{"the deadline for informing the reporters by less than a minute"}},
		{"fr", "sergeant", "paperwork", 3 * time.Minute,
			[]string{"à sergeant"},
			[]string{"le délai « paperwork » de 3 min"}},
	} {
		subject, body := EscalationMessage(c.lang, 12, c.level, c.stage, c.overdue, summary)
		for _, want := range c.subject {
			if !strings.Contains(subject, want) {
				t.Errorf("%s %s: subject %q lacks %q", c.lang, c.stage, subject, want)
			}
		}
		for _, want := range c.body {
			if !strings.Contains(body, want) {
				t.Errorf("%s %s: body %q lacks %q", c.lang, c.stage, body, want)
			}
		}
	}
	// Every stage and level has its words in every language.
	for _, st := range yaqaza.Stages {
		for _, lv := range []int{yaqaza.LevelDesk, yaqaza.LevelDistrictHead, yaqaza.LevelCommand} {
			for _, lang := range []string{"ar", "fr", "en"} {
				_, body := EscalationMessage(lang, 3, yaqaza.LevelName(lv), string(st), time.Hour, "")
				if strings.Contains(body, string(st)) || strings.Contains(body, yaqaza.LevelName(lv)) && lang != "en" {
					t.Errorf("%s: %s / %s left untranslated: %q", lang, st, yaqaza.LevelName(lv), body)
				}
				if arabic, _ := scripts(body); (lang == "ar") != (arabic > 0) {
					t.Errorf("%s: script of %q", lang, body)
				}
			}
		}
	}
}

func TestFormatOverdue(t *testing.T) {
	for _, c := range []struct {
		lang string
		d    time.Duration
		want string
	}{
		{"ar", time.Minute, "دقيقة واحدة"},
		{"ar", 2 * time.Minute, "دقيقتين"},
		{"ar", 7 * time.Minute, "7 دقائق"},
		{"ar", 45 * time.Minute, "45 دقيقة"},
		{"ar", 3*time.Hour + time.Minute, "3 ساعات ودقيقة واحدة"},
		{"ar", 11 * time.Hour, "11 ساعة"},
		{"ar", 100 * 24 * time.Hour, "100 يوم"},
		{"ar", 13 * 24 * time.Hour, "13 يوما"},
		{"fr", 90 * time.Minute, "1 h 30 min"},
		{"fr", 49*time.Hour + 20*time.Minute, "2 jours 1 h"},
		{"en", 24*time.Hour + 29*time.Second, "1 day"},
		{"en", 59 * time.Second, "1 min"},
		{"en", 29 * time.Second, "less than a minute"},
	} {
		if got := formatOverdue(c.lang, c.d); got != c.want {
			t.Errorf("formatOverdue(%s, %s) = %q, want %q", c.lang, c.d, got, c.want)
		}
	}
}

func TestTextsIsTheMessenger(t *testing.T) {
	var m yaqaza.Messenger = Texts{}
	s1, b1 := m.Reporter("en", yaqaza.PublicClosed, code, "")
	s2, b2 := ReporterMessage("en", yaqaza.PublicClosed, code, "")
	if s1 != s2 || b1 != b2 {
		t.Error("Texts.Reporter differs from ReporterMessage")
	}
}
