package http

import (
	"encoding/xml"
	"log/slog"
	"net/http"
	"strings"
	"unicode"

	"github.com/yaqaza/yaqaza"
)

// How Open311 GeoReport v2 answers are written: their shapes, their two
// encodings and their words. Each type carries both its JSON and its XML
// tags, so that the two formats cannot drift apart; the XML answers wrap
// lists in the spec's root elements (<services>, <service_requests>,
// <errors>).

// open311Format is the format a client asks for by the resource's suffix.
type open311Format string

const (
	formatJSON open311Format = "json"
	formatXML  open311Format = "xml"
)

// formatOfPath reads the format from the path's suffix. A path without a
// known suffix is answered in JSON, the format of the rest of the API.
func formatOfPath(path string) open311Format {
	if strings.HasSuffix(path, ".xml") {
		return formatXML
	}
	return formatJSON
}

// trimFormat takes the format suffix off a path segment ("assault.json"):
// false when the segment has no .json or .xml suffix.
func trimFormat(segment string) (string, bool) {
	for _, suffix := range []string{".json", ".xml"} {
		if base, ok := strings.CutSuffix(segment, suffix); ok && base != "" {
			return base, true
		}
	}
	return "", false
}

type open311Discovery struct {
	XMLName    xml.Name          `json:"-" xml:"discovery"`
	Changeset  string            `json:"changeset" xml:"changeset"`
	Contact    string            `json:"contact" xml:"contact"`
	KeyService string            `json:"key_service" xml:"key_service"`
	Endpoints  []open311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

type open311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

type open311Service struct {
	Code        string `json:"service_code" xml:"service_code"`
	Name        string `json:"service_name" xml:"service_name"`
	Description string `json:"description" xml:"description"`
	Metadata    bool   `json:"metadata" xml:"metadata"`
	Type        string `json:"type" xml:"type"`
	// Keywords is comma-separated, as the spec has it, in JSON too.
	Keywords string `json:"keywords" xml:"keywords"`
	Group    string `json:"group" xml:"group"`
}

type open311Services struct {
	XMLName  xml.Name         `xml:"services"`
	Services []open311Service `xml:"service"`
}

// open311Definition is a service definition. No category asks extra
// questions today, so attributes is always empty.
type open311Definition struct {
	XMLName    xml.Name   `json:"-" xml:"service_definition"`
	Code       string     `json:"service_code" xml:"service_code"`
	Attributes []struct{} `json:"attributes" xml:"attributes>attribute"`
}

// open311Created answers a POSTed request. account_id is null in JSON and an
// empty element in XML, as in the spec's examples: Yaqaza keeps no accounts
// for citizens.
type open311Created struct {
	ID           string  `json:"service_request_id" xml:"service_request_id"`
	Notice       string  `json:"service_notice" xml:"service_notice"`
	AccountID    *string `json:"account_id" xml:"-"`
	XMLAccountID string  `json:"-" xml:"account_id"`
}

type open311CreatedList struct {
	XMLName  xml.Name         `xml:"service_requests"`
	Requests []open311Created `xml:"request"`
}

// open311Request is the public view of a request. It has, by design, no
// description, media_url, lat or long, and nothing of the reporter: see
// open311RequestOf.
type open311Request struct {
	ID                string `json:"service_request_id" xml:"service_request_id"`
	Status            string `json:"status" xml:"status"`
	StatusNotes       string `json:"status_notes,omitempty" xml:"status_notes,omitempty"`
	ServiceName       string `json:"service_name,omitempty" xml:"service_name,omitempty"`
	ServiceCode       string `json:"service_code,omitempty" xml:"service_code,omitempty"`
	AgencyResponsible string `json:"agency_responsible,omitempty" xml:"agency_responsible,omitempty"`
	RequestedDatetime string `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string `json:"updated_datetime" xml:"updated_datetime"`
	// Address is the name of the zone, never a street or a point.
	Address string `json:"address,omitempty" xml:"address,omitempty"`
}

type open311RequestList struct {
	XMLName  xml.Name         `xml:"service_requests"`
	Requests []open311Request `xml:"request"`
}

type open311Error struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

type open311Errors struct {
	XMLName xml.Name       `xml:"errors"`
	Errors  []open311Error `xml:"error"`
}

// writeOpen311 answers v in JSON, or x in XML. x is v itself for the types
// whose XML root is their own element, and v's list wrapper for lists.
func writeOpen311(w http.ResponseWriter, f open311Format, status int, v, x any) {
	if f != formatXML {
		writeJSON(w, status, v)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.WriteHeader(status)
	// The spec asks for the declaration with encoding="UTF-8".
	w.Write([]byte(xml.Header))
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(x); err == nil {
		w.Write([]byte("\n"))
	}
}

// writeOpen311Error answers [{"code":400,"description":"…"}] (or <errors>)
// with the status of the error's code. Internal errors are logged and shown
// as "internal error", as everywhere.
func writeOpen311Error(w http.ResponseWriter, r *http.Request, f open311Format, err error) {
	if yaqaza.ErrorCode(err) == yaqaza.EINTERNAL {
		slog.Error("internal error", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	status := StatusOf(err)
	e := []open311Error{{Code: status, Description: yaqaza.ErrorMessage(err)}}
	writeOpen311(w, f, status, e, open311Errors{Errors: e})
}

// open311Status folds the public steps into the spec's two: a request is
// closed once the police are done with it (handled, closed, referred to
// another service, or closed without intervention), and open again if the
// incident is reopened.
func open311Status(s yaqaza.PublicStatus) string {
	switch s {
	case yaqaza.PublicResolved, yaqaza.PublicClosed, yaqaza.PublicReferred, yaqaza.PublicNotAnswered:
		return "closed"
	}
	return "open"
}

// keywordsOf picks some of the category's lexicon words in the script of
// lang: Arabic letters for ar, Latin letters otherwise. The lexicon lists
// them by language (Standard Arabic, then Darija; Darija in Latin letters,
// then French, then English), so the picks are spread over the list to
// give a few of each. The spec separates keywords with commas, so a word
// holding one is left out.
func keywordsOf(p *yaqaza.Pack, code, lang string) string {
	if p.Lexicon == nil {
		return ""
	}
	var terms []string
	for _, t := range p.Lexicon.Categories[code].Terms {
		if arabicScript(t) == (lang == "ar") && !strings.Contains(t, ",") {
			terms = append(terms, t)
		}
	}
	if len(terms) <= maxKeywords {
		return strings.Join(terms, ", ")
	}
	out := make([]string, maxKeywords)
	for i := range out {
		out[i] = terms[i*len(terms)/maxKeywords]
	}
	return strings.Join(out, ", ")
}

func arabicScript(s string) bool {
	for _, r := range s {
		if unicode.IsLetter(r) {
			return unicode.Is(unicode.Arabic, r)
		}
	}
	return false
}

// short keeps echoed input short in messages.
func short(s string) string {
	const n = 60
	if len(s) <= n {
		return s
	}
	for i := n; i > 0; i-- {
		if s[i]&0xC0 != 0x80 { // not inside a rune
			return s[:i] + "…"
		}
	}
	return "…"
}

// Texts of the answers, in the three reply languages.
var (
	notForEmergencies = yaqaza.Names{
		AR: "في حالة الاستعجال، اتصلوا برقم الطوارئ الخاص بالشرطة.",
		FR: "En cas d'urgence, appelez le numéro d'urgence de la police.",
		EN: "In an emergency, call the police emergency number.",
	}
	noticeRecorded = yaqaza.Names{
		AR: "تم تسجيل بلاغكم. يمكنكم تتبعه بالرمز %s.",
		FR: "Signalement enregistré. Suivez-le avec le code %s.",
		EN: "Report recorded. Follow it with the code %s.",
	}
	keyOptional = yaqaza.Names{
		AR: "مفتاح api_key اختياري: هو رمز API تسلمه الولاية لتطبيقات الشركاء.",
		FR: "api_key est facultatif : c'est un jeton d'API que la préfecture délivre aux applications partenaires.",
		EN: "api_key is optional: it is an API token the prefecture issues to partner applications.",
	}
	keyRequired = yaqaza.Names{
		AR: "مفتاح api_key ضروري لإرسال البلاغات: هو رمز API تسلمه الولاية لتطبيقات الشركاء.",
		FR: "api_key est requis pour envoyer un signalement : c'est un jeton d'API que la préfecture délivre aux applications partenaires.",
		EN: "api_key is required to submit: it is an API token the prefecture issues to partner applications.",
	}
	// priorityGroups group services by their default urgency, so that an
	// app can put the most urgent first and point them to the emergency line.
	priorityGroups = map[yaqaza.Priority]yaqaza.Names{
		yaqaza.P1: {AR: "خطر فوري", FR: "Danger immédiat", EN: "Immediate danger"},
		yaqaza.P2: {AR: "خطير", FR: "Grave", EN: "Serious"},
		yaqaza.P3: {AR: "عادي", FR: "Ordinaire", EN: "Ordinary"},
		yaqaza.P4: {AR: "غير مستعجل", FR: "Non urgent", EN: "Not urgent"},
	}
)
