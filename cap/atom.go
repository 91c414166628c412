package cap

import (
	"encoding/xml"
	"io"
	"time"

	"github.com/yaqaza/yaqaza"
)

// AtomContentType is the media type of the feed that announces alerts.
const AtomContentType = "application/atom+xml; charset=utf-8"

// Feed is an Atom 1.0 feed (RFC 4287) listing alerts, the usual way CAP
// alerts are announced to aggregators and to the public.
type Feed struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Author  Author   `xml:"author"`
	Links   []Link   `xml:"link"`
	Entries []Entry  `xml:"entry"`
}

// Author names who publishes the feed.
type Author struct {
	Name string `xml:"name"`
}

// Link points to a document; an entry's alternate link is its CAP alert.
type Link struct {
	Rel  string `xml:"rel,attr,omitempty"`
	Type string `xml:"type,attr,omitempty"`
	Href string `xml:"href,attr"`
}

// Entry is one alert in the feed.
type Entry struct {
	ID        string     `xml:"id"`
	Title     string     `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Category  []Category `xml:"category,omitempty"`
	Summary   string     `xml:"summary"`
	Links     []Link     `xml:"link"`
}

// Category tags an entry with its alert's CAP category.
type Category struct {
	Term string `xml:"term,attr"`
}

// feedTitle names the feed in each language.
var feedTitle = yaqaza.Names{AR: "التنبيهات والبلاغات العامة", FR: "Alertes et communiqués publics", EN: "Public alerts and statements"}

// NewFeed lists alerts for statements, newest first, in the reader's
// language lang. feedURL is the feed's own address, and alertURL gives the
// address of a statement's alert; both serve as Atom ids, which must be
// absolute and stable.
func (is Issuer) NewFeed(statements []*yaqaza.Statement, lang, feedURL string, alertURL func(id int64) string, now time.Time) *Feed {
	loc := is.location()
	f := &Feed{
		ID:      feedURL,
		Title:   is.Pack.Names.In(lang) + " — " + feedTitle.In(lang),
		Updated: now.In(loc).Truncate(time.Second).Format(time.RFC3339),
		Author:  Author{Name: is.Pack.Names.In(lang)},
		Links:   []Link{{Rel: "self", Type: "application/atom+xml", Href: feedURL}},
		Entries: []Entry{},
	}
	for i, st := range statements {
		at := st.PublishedAt.In(loc).Truncate(time.Second).Format(time.RFC3339)
		if i == 0 {
			f.Updated = at // the feed changed when its newest entry was published
		}
		event, _ := is.event(st.Category, st.Language)
		zone := ""
		if z := is.Pack.Zone(st.ZoneCode); z != nil {
			zone = z.Names.In(st.Language)
		}
		href := alertURL(st.ID)
		f.Entries = append(f.Entries, Entry{
			ID: href, Title: headline(event, zone), Updated: at, Published: at,
			Category: []Category{{Term: categoryFor(st.Category)}},
			Summary:  st.Text,
			Links:    []Link{{Rel: "alternate", Type: "application/cap+xml", Href: href}},
		})
	}
	return f
}

// Encode writes v (an *Alert or a *Feed) as an XML document in UTF-8.
func Encode(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
