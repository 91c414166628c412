package notify

import (
	"fmt"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The texts people receive. A reporter's message is written to fit one SMS
// when there is no public message: at most 160 GSM characters in French and
// English (no ç, ê, î, ô, û, curly quotes or non-breaking spaces, which
// would turn the whole SMS into UCS-2 at 70 characters), and in Arabic,
// which is always sent as UCS-2, as close to 70 as the words allow. The
// e-mail subject carries the status and the tracking code; the body says
// what happened, the code, and what to do next.

// Texts writes the texts of notifications; it is the yaqaza.Messenger of the
// platform.
type Texts struct{}

var _ yaqaza.Messenger = Texts{}

// Reporter implements yaqaza.Messenger with ReporterMessage.
func (Texts) Reporter(lang string, status yaqaza.PublicStatus, trackingCode, publicMessage string) (string, string) {
	return ReporterMessage(lang, status, trackingCode, publicMessage)
}

// Escalation implements yaqaza.Messenger with EscalationMessage.
func (Texts) Escalation(lang string, incidentID int64, level, stage string, overdue time.Duration, summary string) (string, string) {
	return EscalationMessage(lang, incidentID, level, stage, overdue, summary)
}

// language reduces a language tag ("fr-MA", "AR") to ar, fr or en; anything
// else is French, the platform's default.
func language(lang string) string {
	l := strings.ToLower(strings.TrimSpace(lang))
	if len(l) > 2 && (l[2] == '-' || l[2] == '_') {
		l = l[:2]
	}
	switch l {
	case "ar", "en":
		return l
	}
	return "fr"
}

// reporterTexts are the bodies of reporters' messages, by status and
// language; %s is the tracking code.
var reporterTexts = map[yaqaza.PublicStatus]map[string]string{
	yaqaza.PublicResolved: {
		"ar": "تمت معالجة بلاغكم %s. إن تكرر الأمر فأبلغونا مع ذكر الرمز.",
		"fr": "Votre signalement %s a été traité par la police. Si le problème persiste, faites un nouveau signalement en citant ce code.",
		"en": "Your report %s has been dealt with by the police. If the problem continues, make a new report and quote this code.",
	},
	yaqaza.PublicClosed: {
		"ar": "أغلق ملف بلاغكم %s. شكرا لتعاونكم. للاستفسار اذكروا الرمز.",
		"fr": "Le dossier de votre signalement %s est clos. Merci de nous avoir alertés. Pour toute question, citez ce code.",
		"en": "The case of your report %s is closed. Thank you for alerting us. If you have any question, quote this code.",
	},
	yaqaza.PublicReferred: {
		"ar": "أحيل بلاغكم %s إلى الجهة المختصة. راجعوها مع ذكر الرمز.",
		"fr": "Votre signalement %s relève d'un autre service et lui a été transmis. Citez ce code si vous le contactez.",
		"en": "Your report %s is a matter for another service and has been passed on to it. Quote this code if you contact them.",
	},
	yaqaza.PublicNotAnswered: {
		"ar": "أغلق بلاغكم %s دون تدخل الشرطة. عند الحاجة أبلغونا مجددا.",
		"fr": "Votre signalement %s a été clos sans intervention de la police. Si vous avez encore besoin d'aide, faites un nouveau signalement.",
		"en": "Your report %s was closed without police action. If you still need help, please make a new report.",
	},
}

// otherStatus is the body for any other status: the status's public label.
var otherStatus = map[string]string{
	"ar": "بلاغكم %s: %s.",
	"fr": "Votre signalement %s : %s.",
	"en": "Your report %s: %s.",
}

// publicPrefix introduces the message the police wrote for the public.
var publicPrefix = map[string]string{
	"ar": "رسالة الشرطة: ",
	"fr": "Message de la police : ",
	"en": "Message from the police: ",
}

// ReporterMessage returns the subject and body of the message that tells a
// reporter what became of their report: resolved, closed, referred to
// another service or cancelled (any other status gets its public label).
// publicMessage, the note the police wrote for the public, follows on a
// line of its own when there is one. lang is ar, fr or en (French for
// anything else).
func ReporterMessage(lang string, status yaqaza.PublicStatus, trackingCode string, publicMessage string) (subject, body string) {
	lang = language(lang)
	code := strings.TrimSpace(trackingCode)
	subject = status.Label(lang) + " – " + code
	if texts, ok := reporterTexts[status]; ok {
		body = fmt.Sprintf(texts[lang], code)
	} else {
		body = fmt.Sprintf(otherStatus[lang], code, status.Label(lang))
	}
	if p := strings.TrimSpace(publicMessage); p != "" {
		body += "\n" + publicPrefix[lang] + p
	}
	return subject, body
}

// stageTexts name the deadline an incident missed, by stage and language.
var stageTexts = map[string]map[string]string{
	string(yaqaza.StageAcknowledged): {"ar": "أجل التكفل", "fr": "le délai de prise en charge", "en": "the acknowledgement deadline"},
	string(yaqaza.StageDispatched):   {"ar": "أجل إرسال وحدة", "fr": "le délai d'envoi d'une unité", "en": "the deadline for dispatching a unit"},
	string(yaqaza.StageOnScene):      {"ar": "أجل الوصول إلى عين المكان", "fr": "le délai d'arrivée sur place", "en": "the deadline for arriving on scene"},
	string(yaqaza.StageResolved):     {"ar": "أجل معالجة الحادث", "fr": "le délai de résolution", "en": "the resolution deadline"},
	string(yaqaza.StageInformed):     {"ar": "أجل إخبار المبلغين", "fr": "le délai d'information des déclarants", "en": "the deadline for informing the reporters"},
}

// levelTexts name whom an incident is escalated to, by level and language;
// the French carries its preposition ("au", "à la").
var levelTexts = map[string]map[string]string{
	"dispatcher desk":    {"ar": "قاعة العمليات", "fr": "à la salle des opérations", "en": "the dispatcher desk"},
	"district head":      {"ar": "رئيس المنطقة الأمنية", "fr": "au chef de district", "en": "the district head"},
	"prefecture command": {"ar": "قيادة ولاية الأمن", "fr": "au commandement de la préfecture", "en": "the prefecture command"},
}

// levelKey accepts the level as yaqaza.LevelName writes it, or as a role.
func levelKey(level string) string {
	l := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(level), "_", " "))
	switch l {
	case "dispatcher", "desk", "dispatcher desk":
		return "dispatcher desk"
	case "district head":
		return "district head"
	case "command", "prefecture command":
		return "prefecture command"
	}
	return l
}

// EscalationMessage returns the subject and body of the notice that tells
// staff an incident missed a deadline and now rests with them: which
// incident, which deadline (stage, as in yaqaza.Stages), by how long, the
// level it was escalated to (as yaqaza.LevelName writes it), the summary
// ("P1 armed: …") and what is expected of them. A stage or level that is
// not known is shown as given.
func EscalationMessage(lang string, incidentID int64, level string, stage string, overdue time.Duration, summary string) (subject, body string) {
	lang = language(lang)
	lv := level
	if t, ok := levelTexts[levelKey(level)]; ok {
		lv = t[lang]
	} else if lang == "fr" {
		lv = "à " + level
	}
	st := stage
	if t, ok := stageTexts[strings.ToLower(strings.TrimSpace(stage))]; ok {
		st = t[lang]
	} else if lang == "ar" {
		st = "أجل " + stage
	} else if lang == "fr" {
		st = "le délai « " + stage + " »"
	} else {
		st = "the " + stage + " deadline"
	}
	late := formatOverdue(lang, overdue)
	switch lang {
	case "ar":
		subject = fmt.Sprintf("الحادث رقم %d: تجاوز الأجل ورفع إلى %s", incidentID, lv)
		body = fmt.Sprintf("تجاوز الحادث رقم %d %s بمدة %s، فرفع أمره إلى %s.", incidentID, st, late, lv)
	case "en":
		subject = fmt.Sprintf("Incident %d overdue: escalated to %s", incidentID, lv)
		body = fmt.Sprintf("Incident %d missed %s by %s and has been escalated to %s.", incidentID, st, late, lv)
	default:
		subject = fmt.Sprintf("Incident %d en retard : remonté %s", incidentID, lv)
		body = fmt.Sprintf("L'incident %d a dépassé %s de %s et a été remonté %s.", incidentID, st, late, lv)
	}
	if s := strings.TrimSpace(summary); s != "" {
		body += "\n" + s
	}
	switch lang {
	case "ar":
		body += "\nيرجى فتح الحادث الآن: عينوا مسؤولا عنه وحددوا الخطوة التالية، أو سجلوا سبب التأخر."
	case "en":
		body += "\nPlease open the incident now: give it an owner and a next step, or record why it is waiting."
	default:
		body += "\nMerci d'ouvrir l'incident dès maintenant : désignez un responsable et la prochaine étape, ou notez la raison de l'attente."
	}
	return subject, body
}

// formatOverdue writes a delay in minutes, hours and days, in words that
// agree with their numbers in Arabic.
func formatOverdue(lang string, d time.Duration) string {
	d = d.Round(time.Minute)
	if d < time.Minute {
		return map[string]string{"ar": "أقل من دقيقة", "fr": "moins d'une minute", "en": "less than a minute"}[lang]
	}
	days, hours, mins := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	if days > 0 {
		mins = 0 // a day late, minutes no longer matter
	}
	var parts []string
	add := func(n int, ar [5]string, fr, en string) {
		if n == 0 {
			return
		}
		switch lang {
		case "ar":
			parts = append(parts, arabicCount(n, ar))
		case "en":
			parts = append(parts, fmt.Sprintf("%d %s", n, en))
		default:
			parts = append(parts, fmt.Sprintf("%d %s", n, fr))
		}
	}
	// The delay follows "بمدة", so duals are genitive.
	add(days, [5]string{"يوم واحد", "يومين", "أيام", "يوما", "يوم"}, plural(days, "jour", "jours"), plural(days, "day", "days"))
	add(hours, [5]string{"ساعة واحدة", "ساعتين", "ساعات", "ساعة", "ساعة"}, "h", "h")
	add(mins, [5]string{"دقيقة واحدة", "دقيقتين", "دقائق", "دقيقة", "دقيقة"}, "min", "min")
	if lang == "ar" {
		return strings.Join(parts, " و")
	}
	return strings.Join(parts, " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// arabicCount writes n with its noun. The forms are for one, two, 3 to 10
// (plural), 11 to 99 (singular accusative) and whole hundreds, 101 and 102
// (singular genitive); above 100 the last two digits choose.
func arabicCount(n int, forms [5]string) string {
	switch r := n % 100; {
	case n == 1:
		return forms[0]
	case n == 2:
		return forms[1]
	case r >= 3 && r <= 10:
		return fmt.Sprintf("%d %s", n, forms[2])
	case r >= 11:
		return fmt.Sprintf("%d %s", n, forms[3])
	}
	return fmt.Sprintf("%d %s", n, forms[4])
}
