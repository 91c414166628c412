// Package cap reads and writes OASIS Common Alerting Protocol 1.2 alerts
// (docs.oasis-open.org/emergency/cap/v1.2). The prefecture's published
// statements go out as CAP alerts, announced in an Atom feed; alerts from
// other agencies come in and become reports. Only the elements Yaqaza uses
// are modelled: the decoder passes over the others.
package cap

import (
	"encoding/xml"
	"slices"
	"strings"

	"github.com/yaqaza/yaqaza"
)

// Namespace is CAP 1.2's XML namespace, in which alerts are written.
const Namespace = "urn:oasis:names:tc:emergency:cap:1.2"

// Namespace11 is CAP 1.1's, still read: its elements are 1.2's.
const Namespace11 = "urn:oasis:names:tc:emergency:cap:1.1"

// ContentType is the media type alerts are served with.
const ContentType = "application/cap+xml; charset=utf-8"

// The values of CAP's enumerated elements that Yaqaza writes or reads.
const (
	StatusActual = "Actual"

	MsgAlert  = "Alert"
	MsgUpdate = "Update"
	MsgCancel = "Cancel"

	ScopePublic = "Public"

	CategorySecurity  = "Security"
	CategoryRescue    = "Rescue"
	CategoryTransport = "Transport"

	UrgencyPast       = "Past"
	SeveritySevere    = "Severe"
	SeverityModerate  = "Moderate"
	SeverityMinor     = "Minor"
	SeverityUnknown   = "Unknown"
	CertaintyObserved = "Observed"
)

// The whole enumerations, as CAP 1.2 defines them.
var (
	Statuses    = []string{"Actual", "Exercise", "System", "Test", "Draft"}
	MsgTypes    = []string{"Alert", "Update", "Cancel", "Ack", "Error"}
	Scopes      = []string{"Public", "Restricted", "Private"}
	Categories  = []string{"Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport", "Infra", "CBRNE", "Other"}
	Urgencies   = []string{"Immediate", "Expected", "Future", "Past", "Unknown"}
	Severities  = []string{"Extreme", "Severe", "Moderate", "Minor", "Unknown"}
	Certainties = []string{"Observed", "Likely", "Possible", "Unlikely", "Unknown"}
)

// Alert is one CAP message. Times are kept as CAP writes them (see
// FormatTime), so that what is encoded is exactly what was checked.
type Alert struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier string   `xml:"identifier"`
	Sender     string   `xml:"sender"`
	Sent       string   `xml:"sent"`
	Status     string   `xml:"status"`
	MsgType    string   `xml:"msgType"`
	Source     string   `xml:"source,omitempty"`
	Scope      string   `xml:"scope"`
	Note       string   `xml:"note,omitempty"`
	// References lists earlier alerts as "sender,identifier,sent" triplets
	// separated by spaces.
	References string `xml:"references,omitempty"`
	// Incidents groups alerts about the same incident.
	Incidents string `xml:"incidents,omitempty"`
	Infos     []Info `xml:"info"`
}

// Info is an alert's content in one language.
type Info struct {
	Language    string     `xml:"language,omitempty"`
	Categories  []string   `xml:"category"`
	Event       string     `xml:"event"`
	Urgency     string     `xml:"urgency"`
	Severity    string     `xml:"severity"`
	Certainty   string     `xml:"certainty"`
	Effective   string     `xml:"effective,omitempty"`
	Onset       string     `xml:"onset,omitempty"`
	Expires     string     `xml:"expires,omitempty"`
	SenderName  string     `xml:"senderName,omitempty"`
	Headline    string     `xml:"headline,omitempty"`
	Description string     `xml:"description,omitempty"`
	Instruction string     `xml:"instruction,omitempty"`
	Web         string     `xml:"web,omitempty"`
	Resources   []Resource `xml:"resource,omitempty"`
	Areas       []Area     `xml:"area,omitempty"`
}

// Resource is a file an alert refers to (a photo, a map).
type Resource struct {
	Desc     string `xml:"resourceDesc"`
	MimeType string `xml:"mimeType"`
	URI      string `xml:"uri,omitempty"`
}

// Area is where an info applies: the union of its polygons and circles.
type Area struct {
	Desc     string   `xml:"areaDesc"`
	Polygons []string `xml:"polygon,omitempty"`
	Circles  []string `xml:"circle,omitempty"`
}

// Validate checks what CAP 1.2 requires of an alert: the mandatory
// elements, the enumerations, the date-time form, and the polygon and
// circle syntax. The first problem found is an EINVALID naming it.
func (a *Alert) Validate() error {
	for _, f := range []struct{ name, v string }{
		{"identifier", a.Identifier}, {"sender", a.Sender}, {"sent", a.Sent},
		{"status", a.Status}, {"msgType", a.MsgType}, {"scope", a.Scope},
	} {
		if strings.TrimSpace(f.v) == "" {
			return yaqaza.Invalidf(f.name, "the alert has no <%s>, which CAP 1.2 requires", f.name)
		}
	}
	for _, f := range []struct{ name, v string }{{"identifier", a.Identifier}, {"sender", a.Sender}} {
		if strings.ContainsAny(f.v, " \t\r\n,<&") {
			return yaqaza.Invalidf(f.name, "<%s> %q holds a space, comma, < or &, which CAP 1.2 forbids", f.name, yaqaza.Excerpt(f.v))
		}
	}
	if _, err := ParseTime("sent", a.Sent); err != nil {
		return err
	}
	if err := oneOf("status", a.Status, Statuses); err != nil {
		return err
	}
	if err := oneOf("msgType", a.MsgType, MsgTypes); err != nil {
		return err
	}
	if err := oneOf("scope", a.Scope, Scopes); err != nil {
		return err
	}
	if err := validateReferences(a.References); err != nil {
		return err
	}
	for i := range a.Infos {
		if err := a.Infos[i].validate(i); err != nil {
			return err
		}
	}
	return nil
}

func (in *Info) validate(i int) error {
	if len(in.Categories) == 0 {
		return yaqaza.Invalidf("category", "info %d has no <category>, which CAP 1.2 requires", i+1)
	}
	for _, c := range in.Categories {
		if err := oneOf("category", c, Categories); err != nil {
			return err
		}
	}
	if strings.TrimSpace(in.Event) == "" {
		return yaqaza.Invalidf("event", "info %d has no <event>, which CAP 1.2 requires", i+1)
	}
	for _, f := range []struct {
		name, v string
		allowed []string
	}{{"urgency", in.Urgency, Urgencies}, {"severity", in.Severity, Severities}, {"certainty", in.Certainty, Certainties}} {
		if err := oneOf(f.name, f.v, f.allowed); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{{"effective", in.Effective}, {"onset", in.Onset}, {"expires", in.Expires}} {
		if f.v == "" {
			continue
		}
		if _, err := ParseTime(f.name, f.v); err != nil {
			return err
		}
	}
	for _, ar := range in.Areas {
		if strings.TrimSpace(ar.Desc) == "" {
			return yaqaza.Invalidf("areaDesc", "an <area> of info %d has no <areaDesc>, which CAP 1.2 requires", i+1)
		}
		for _, p := range ar.Polygons {
			if _, err := ParsePolygon(p); err != nil {
				return err
			}
		}
		for _, c := range ar.Circles {
			if _, _, err := ParseCircle(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// validateReferences checks the "sender,identifier,sent" triplets.
func validateReferences(refs string) error {
	for _, ref := range strings.Fields(refs) {
		parts := strings.Split(ref, ",")
		if len(parts) != 3 || parts[0] == "" || parts[1] == "" {
			return yaqaza.Invalidf("references", "<references> entry %q is not sender,identifier,sent", yaqaza.Excerpt(ref))
		}
		if _, err := ParseTime("references", parts[2]); err != nil {
			return err
		}
	}
	return nil
}

func oneOf(field, v string, allowed []string) error {
	if slices.Contains(allowed, strings.TrimSpace(v)) {
		return nil
	}
	return yaqaza.Invalidf(field, "<%s> %q is not one of %s", field, yaqaza.Excerpt(v), strings.Join(allowed, ", "))
}
