package cap

import (
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// Report turns an alert from another agency into a report on the agency
// channel. Its external id is "sender,identifier", which CAP makes unique
// in the world, so the same alert sent twice is one report (the store
// answers the second time with the first receipt). now bounds the times
// taken from the alert: a clock a few minutes ahead is tolerated, as for
// any report.
//
// Only Actual alerts of type Alert or Update are taken. A Cancel is
// refused rather than applied: cancelling an incident is an operator's
// decision, on the incident that the cancelled alert's report joined, and
// an automatic cancellation from outside would close police work without
// anyone looking. The refusal says so, and names the alerts cancelled, so
// that the sending agency knows to tell the prefecture's operators.
func (a *Alert) Report(now time.Time) (*yaqaza.ReportInput, error) {
	switch {
	case a.Status != StatusActual:
		return nil, yaqaza.Invalidf("status", "status %s: only Actual alerts become reports (Exercise, System, Test and Draft are not kept)", a.Status)
	case a.MsgType == MsgCancel:
		return nil, yaqaza.Invalidf("msgType", "msgType Cancel is not applied automatically: an operator cancels the incident (cancelled alerts: %s)", yaqaza.Excerpt(a.References))
	case a.MsgType != MsgAlert && a.MsgType != MsgUpdate:
		return nil, yaqaza.Invalidf("msgType", "msgType %s carries no incident to report: only Alert and Update are taken", a.MsgType)
	case len(a.Infos) == 0:
		return nil, yaqaza.Invalidf("info", "the alert has no <info>: there is nothing to report")
	}
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelAgency, ExternalID: a.Sender + "," + a.Identifier}
	if len(in.ExternalID) > yaqaza.MaxExternalIDLen {
		return nil, yaqaza.Invalidf("identifier", "sender and identifier together are longer than %d bytes", yaqaza.MaxExternalIDLen)
	}
	info := pickInfo(a.Infos)
	in.Language = replyLanguage(info.Language)
	in.Text = reportText(info)
	if n := utf8.RuneCountInString(in.Text); n > yaqaza.MaxTextRunes {
		return nil, yaqaza.Invalidf("description", "event, headline and description together have %d characters, over the limit of %d", n, yaqaza.MaxTextRunes)
	}
	if len(info.Areas) > 0 {
		ar := info.Areas[0]
		in.Place = yaqaza.ClipRunes(ar.Desc, yaqaza.MaxPlaceRunes)
		in.Location = areaPoint(ar)
	}
	occurred, err := occurredAt(a, info, now)
	if err != nil {
		return nil, err
	}
	in.OccurredAt = occurred
	in.Media = media(info.Resources)
	return in, nil
}

// pickInfo prefers an info in a language the platform answers in: an
// alert may repeat itself in several languages.
func pickInfo(infos []Info) *Info {
	for i := range infos {
		if replyLanguage(infos[i].Language) != "" {
			return &infos[i]
		}
	}
	return &infos[0]
}

// replyLanguage maps a language tag (CAP's default is en-US) to ar, fr or
// en, or "" for another language, which triage will then detect.
func replyLanguage(tag string) string {
	if tag == "" {
		return "en"
	}
	base, _, _ := strings.Cut(strings.ToLower(tag), "-")
	switch base {
	case "ar", "fr", "en":
		return base
	}
	return ""
}

// reportText is the event, the headline and the description, each once.
func reportText(in *Info) string {
	var parts []string
	for _, s := range []string{in.Event, in.Headline, strings.TrimSpace(in.Description)} {
		if s != "" && !strings.Contains(strings.Join(parts, "\n"), s) {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, "\n")
}

// areaPoint is the centre of the area's first circle, else the centroid of
// its polygons; nil when it has neither. Decode has checked their syntax.
func areaPoint(ar Area) *yaqaza.Point {
	if len(ar.Circles) > 0 {
		c, _, err := ParseCircle(ar.Circles[0])
		if err == nil {
			return &c
		}
	}
	var rings [][]yaqaza.Point
	for _, s := range ar.Polygons {
		if ring, err := ParsePolygon(s); err == nil {
			rings = append(rings, ring)
		}
	}
	if len(rings) == 0 {
		return nil
	}
	c := Centroid(rings)
	return &c
}

// occurredAt is the first of onset, effective and sent that is not in the
// future: an alert may announce an event to come, and a report records
// what has happened.
func occurredAt(a *Alert, in *Info, now time.Time) (*time.Time, error) {
	limit := now.Add(5 * time.Minute)
	for _, f := range []struct{ name, v string }{{"onset", in.Onset}, {"effective", in.Effective}, {"sent", a.Sent}} {
		if f.v == "" {
			continue
		}
		t, err := ParseTime(f.name, f.v)
		if err != nil {
			return nil, err
		}
		if !t.After(limit) {
			return &t, nil
		}
	}
	return nil, yaqaza.Invalidf("sent", "sent %s is in the future", a.Sent)
}

// media keeps the resources that are links the staff can open; the
// others (a file only inside the alert, a local path) are left out.
func media(rs []Resource) []yaqaza.Media {
	var out []yaqaza.Media
	for _, r := range rs {
		u, err := url.Parse(r.URI)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(r.URI) > yaqaza.MaxURLLen {
			continue
		}
		kind := "document"
		for _, k := range []string{"image", "video", "audio"} {
			if strings.HasPrefix(r.MimeType, k+"/") {
				kind = k
			}
		}
		out = append(out, yaqaza.Media{URL: r.URI, Kind: kind})
		if len(out) == yaqaza.MaxMediaPerReport {
			break
		}
	}
	return out
}
