package http_test

import (
	"encoding/xml"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/planar"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/cap"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// capDateTime is CAP 1.2's date-time: whole seconds, a numeric offset.
var capDateTime = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$`)

// capOrder is the CAP 1.2 schema's sequence of the children of <alert>,
// <info> and <area>: an element out of it, or out of order, is invalid.
var capOrder = map[string][]string{
	"alert": {"identifier", "sender", "sent", "status", "msgType", "source", "scope", "restriction", "addresses",
		"code", "note", "references", "incidents", "info"},
	"info": {"language", "category", "event", "responseType", "urgency", "severity", "certainty", "audience",
		"eventCode", "effective", "onset", "expires", "senderName", "headline", "description", "instruction",
		"web", "contact", "parameter", "resource", "area"},
	"area": {"areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"},
}

// checkCAPStructure walks an alert: every element is in the CAP 1.2
// namespace, and the children of alert, info and area come in the
// schema's order.
func checkCAPStructure(t *testing.T, body string) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(body))
	var stack []string
	last := map[int]int{} // depth → index in its parent's order of the last child seen
	for {
		tok, err := d.Token()
		if err != nil {
			break
		}
		switch e := tok.(type) {
		case xml.StartElement:
			if e.Name.Space != cap.Namespace {
				t.Errorf("<%s> is in namespace %q", e.Name.Local, e.Name.Space)
			}
			if n := len(stack); n > 0 {
				if order, ok := capOrder[stack[n-1]]; ok {
					i := slices.Index(order, e.Name.Local)
					if i < 0 || i < last[n] {
						t.Errorf("<%s> in <%s> is unknown or out of the schema's order", e.Name.Local, stack[n-1])
					}
					last[n] = i
				}
			}
			stack = append(stack, e.Name.Local)
			last[len(stack)] = 0
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		}
	}
}

// publishStatement publishes a statement through the API as the
// communications office.
func publishStatement(t *testing.T, ts *testServer, token string, incident int64, lang, text string) yaqaza.Statement {
	t.Helper()
	status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/statements", incident), token,
		fmt.Sprintf(`{"language":%q,"text":%q}`, lang, text))
	if status != 201 {
		t.Fatalf("statement: %d %s", status, body)
	}
	return decode[yaqaza.Statement](t, body)
}

// TestCAPFeedAndAlerts publishes statements through the API and reads
// them back as the public does: the Atom feed, then each CAP alert,
// decoded strictly, every required element checked, and nothing of the
// reporters anywhere.
func TestCAPFeedAndAlerts(t *testing.T) {
	ts := newTestServer(t)
	incidents := sqlstore.NewIncidentService(ts.db)
	medinaReport := submit(t, ts, `{"channel":"web","text":"Bagarre au couteau devant le café Firdaous, appelez-moi au 0661234567",
		"location":`+medinaPoint+`,"reporter":{"name":"Samira Alaoui","phone":"0661234567","email":"samira.alaoui@example.ma"}}`)
	agdalReport := submit(t, ts, `{"channel":"web","text":"Accident entre deux voitures avenue des FAR","location":`+agdalPoint+`}`)
	for id, category := range map[int64]string{medinaReport.IncidentID: "armed", agdalReport.IncidentID: "traffic"} {
		if status, body, _ := ts.call(t, "POST", fmt.Sprintf("/api/v1/incidents/%d/triage", id), ts.dispatcher, `{"category":"`+category+`"}`); status != 200 {
			t.Fatalf("triage: %d %s", status, body)
		}
		if _, err := incidents.ClearForPublication(system, id, true); err != nil {
			t.Fatal(err)
		}
	}
	_, comms, _ := ts.tokens().CreateToken(system, yaqaza.TokenInput{Name: "Nadia Berrada", Role: yaqaza.RoleCommunication})
	first := publishStatement(t, ts, comms, medinaReport.IncidentID, "fr",
		"Une rixe a été maîtrisée à Fès-Médina ; la victime (0661234567, samira.alaoui@example.ma) est prise en charge.")
	other := publishStatement(t, ts, comms, agdalReport.IncidentID, "fr", "La circulation est rétablie avenue des FAR.")
	second := publishStatement(t, ts, comms, medinaReport.IncidentID, "ar", "تم توقيف المشتبه فيه.")
	if strings.Contains(first.Text, "0661234567") {
		t.Fatalf("the statement was not redacted: %q", first.Text)
	}
	planted := []string{"0661234567", "samira.alaoui@example.ma", "Samira", "Alaoui", "Firdaous", "Nadia Berrada",
		"34.0617", "4.9836", medinaReport.TrackingCode}

	status, feedBody, h := ts.call(t, "GET", "/cap/v1/alerts.atom", "", "", "Accept-Language", "fr")
	if status != 200 || h.Get("Content-Type") != cap.AtomContentType {
		t.Fatalf("feed: %d %s %s", status, h.Get("Content-Type"), feedBody)
	}
	var feed struct {
		XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
		ID      string   `xml:"http://www.w3.org/2005/Atom id"`
		Title   string   `xml:"http://www.w3.org/2005/Atom title"`
		Updated string   `xml:"http://www.w3.org/2005/Atom updated"`
		Author  string   `xml:"http://www.w3.org/2005/Atom author>name"`
		Entries []struct {
			ID      string `xml:"http://www.w3.org/2005/Atom id"`
			Title   string `xml:"http://www.w3.org/2005/Atom title"`
			Updated string `xml:"http://www.w3.org/2005/Atom updated"`
			Summary string `xml:"http://www.w3.org/2005/Atom summary"`
			Link    struct {
				Rel  string `xml:"rel,attr"`
				Type string `xml:"type,attr"`
				Href string `xml:"href,attr"`
			} `xml:"http://www.w3.org/2005/Atom link"`
		} `xml:"http://www.w3.org/2005/Atom entry"`
	}
	if err := xml.Unmarshal([]byte(feedBody), &feed); err != nil {
		t.Fatalf("feed is not Atom: %v\n%s", err, feedBody)
	}
	if feed.ID != ts.URL+"/cap/v1/alerts.atom" || feed.Author != "Préfecture de police de Fès" || len(feed.Entries) != 3 {
		t.Fatalf("feed = %+v", feed)
	}
	if _, err := time.Parse(time.RFC3339, feed.Updated); err != nil || feed.Updated != feed.Entries[0].Updated {
		t.Errorf("feed updated %q, newest entry %q", feed.Updated, feed.Entries[0].Updated)
	}
	for i, want := range []yaqaza.Statement{second, other, first} { // newest first
		e := feed.Entries[i]
		href := fmt.Sprintf("%s/cap/v1/alerts/%d.xml", ts.URL, want.ID)
		if e.ID != href || e.Link.Rel != "alternate" || e.Link.Type != "application/cap+xml" || e.Link.Href != href || e.Summary != want.Text {
			t.Errorf("entry %d = %+v", i, e)
		}
	}
	for _, v := range planted {
		if strings.Contains(feedBody, v) {
			t.Errorf("the feed shows %q", v)
		}
	}

	medinaAlert := readAlert(t, ts, first, "Alert", "fr-MA", "Fès-Médina")
	update := readAlert(t, ts, second, "Update", "ar-MA", "فاس المدينة")
	agdal := readAlert(t, ts, other, "Alert", "fr-MA", "Agdal")
	// The event is the category's name in the statement's language; the
	// CAP category and severity follow the incident's category.
	_, body, _ := ts.call(t, "GET", "/api/v1/categories", "", "")
	names := map[string]yaqaza.Names{}
	for _, c := range decode[struct{ Categories []yaqaza.Category }](t, body).Categories {
		names[c.Code] = c.Names
	}
	for _, c := range []struct {
		alert                     capDoc
		event, category, severity string
	}{
		{medinaAlert, names["armed"].FR, "Security", "Severe"},
		{update, names["armed"].AR, "Security", "Severe"},
		{agdal, names["traffic"].FR, "Transport", "Minor"},
	} {
		if in := c.alert.Info; in.Event != c.event || in.Categories[0] != c.category || in.Severity != c.severity {
			t.Errorf("%s: event %q, category %s, severity %s; want %q %s %s", c.alert.Identifier, in.Event, in.Categories[0], in.Severity, c.event, c.category, c.severity)
		}
	}
	if want := medinaAlert.Sender + "," + medinaAlert.Identifier + "," + medinaAlert.Sent; update.References != want {
		t.Errorf("the update references %q, want %q", update.References, want)
	}
	if agdal.References != "" || medinaAlert.Identifier == agdal.Identifier || medinaAlert.Sender != agdal.Sender {
		t.Errorf("alerts of different incidents: %+v / %+v", medinaAlert, agdal)
	}
	// The zone outline contains the reported point, which is not given.
	ring := polygonRing(t, medinaAlert.Info.Area.Polygons[0])
	if !planar.RingContains(ring, orb.Point{-4.9836, 34.0617}) {
		t.Error("the Médina outline does not contain the incident")
	}
	for _, id := range []int64{first.ID, second.ID, other.ID} {
		_, body, _ := ts.call(t, "GET", fmt.Sprintf("/cap/v1/alerts/%d.xml", id), "", "")
		for _, v := range planted {
			if strings.Contains(body, v) {
				t.Errorf("alert %d shows %q", id, v)
			}
		}
	}
}

// capDoc is a strict reading of the alerts the prefecture writes.
type capDoc struct {
	XMLName    xml.Name `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 identifier"`
	Sender     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 sender"`
	Sent       string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 sent"`
	Status     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 status"`
	MsgType    string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 msgType"`
	Scope      string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 scope"`
	References string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 references"`
	Info       struct {
		Language    string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 language"`
		Categories  []string `xml:"urn:oasis:names:tc:emergency:cap:1.2 category"`
		Event       string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 event"`
		Urgency     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 urgency"`
		Severity    string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 severity"`
		Certainty   string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 certainty"`
		Expires     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 expires"`
		SenderName  string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 senderName"`
		Headline    string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 headline"`
		Description string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 description"`
		Area        struct {
			Desc     string   `xml:"urn:oasis:names:tc:emergency:cap:1.2 areaDesc"`
			Polygons []string `xml:"urn:oasis:names:tc:emergency:cap:1.2 polygon"`
		} `xml:"urn:oasis:names:tc:emergency:cap:1.2 area"`
	} `xml:"urn:oasis:names:tc:emergency:cap:1.2 info"`
}

// readAlert fetches a statement's alert, decodes it strictly and checks
// every element the prefecture writes.
func readAlert(t *testing.T, ts *testServer, st yaqaza.Statement, msgType, lang, zone string) capDoc {
	t.Helper()
	status, body, h := ts.call(t, "GET", fmt.Sprintf("/cap/v1/alerts/%d.xml", st.ID), "", "")
	if status != 200 || h.Get("Content-Type") != cap.ContentType || !strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Fatalf("alert %d: %d %s\n%s", st.ID, status, h.Get("Content-Type"), body)
	}
	checkCAPStructure(t, body)
	checkCAPSchema(t, body)
	var a capDoc
	d := xml.NewDecoder(strings.NewReader(body))
	d.Strict = true
	if err := d.Decode(&a); err != nil {
		t.Fatalf("alert %d is not CAP 1.2: %v\n%s", st.ID, err, body)
	}
	in := a.Info
	if a.Identifier == "" || strings.ContainsAny(a.Identifier, " ,<&") || a.Sender == "" || strings.ContainsAny(a.Sender, " ,<&") {
		t.Errorf("identifier %q, sender %q", a.Identifier, a.Sender)
	}
	for _, v := range []string{a.Sent, in.Expires} {
		if !capDateTime.MatchString(v) || strings.HasSuffix(v, "+00:00") {
			t.Errorf("%q is not in CAP's date-time form (UTC is -00:00)", v)
		}
	}
	sent, err := cap.ParseTime("sent", a.Sent)
	if err != nil || !sent.Equal(st.PublishedAt.Truncate(time.Second)) {
		t.Errorf("sent %s, published %s", a.Sent, st.PublishedAt)
	}
	if a.Status != "Actual" || a.MsgType != msgType || a.Scope != "Public" {
		t.Errorf("status %s, msgType %s (want %s), scope %s", a.Status, a.MsgType, msgType, a.Scope)
	}
	if in.Language != lang || len(in.Categories) != 1 || !slices.Contains(cap.Categories, in.Categories[0]) || in.Event == "" ||
		in.Urgency != "Past" || !slices.Contains(cap.Severities, in.Severity) || in.Certainty != "Observed" ||
		in.SenderName == "" || !strings.Contains(in.Headline, zone) || in.Description != st.Text || in.Area.Desc != zone {
		t.Errorf("info = %+v", in)
	}
	if len(in.Area.Polygons) != 1 {
		t.Fatalf("area = %+v", in.Area)
	}
	polygonRing(t, in.Area.Polygons[0])
	return a
}

// polygonRing checks a CAP polygon's form and returns it as a ring.
func polygonRing(t *testing.T, s string) orb.Ring {
	t.Helper()
	pairs := strings.Fields(s)
	if len(pairs) < 4 || len(pairs) > cap.MaxPolygonPoints || pairs[0] != pairs[len(pairs)-1] {
		t.Fatalf("polygon of %d pairs, closed %v: %s", len(pairs), pairs[0] == pairs[len(pairs)-1], s)
	}
	var ring orb.Ring
	for _, p := range pairs {
		var lat, lon float64
		if _, err := fmt.Sscanf(p, "%f,%f", &lat, &lon); err != nil || lat < 33.9 || lat > 34.2 || lon < -5.2 || lon > -4.8 {
			t.Fatalf("pair %q is not a lat,lon in Fès", p)
		}
		ring = append(ring, orb.Point{lon, lat})
	}
	return ring
}

func TestCAPAlertNotFound(t *testing.T) {
	ts := newTestServer(t)
	for _, c := range []struct{ path, mention string }{
		{"/cap/v1/alerts/999.xml", "no alert 999"},
		{"/cap/v1/alerts/12.json", "/cap/v1/alerts/{id}.xml"},
		{"/cap/v1/alerts/abc.xml", "not an alert id"},
		{"/cap/v1/alerts/-3.xml", "not an alert id"},
		{"/cap/v1/feed.rss", "no CAP endpoint"},
	} {
		status, body, h := ts.call(t, "GET", c.path, "", "")
		e := decode[apiError](t, body)
		if status != 404 || e.Error.Code != "not_found" || !strings.Contains(e.Error.Message, c.mention) || !strings.HasPrefix(h.Get("Content-Type"), "application/json") {
			t.Errorf("GET %s: %d %s", c.path, status, body)
		}
	}
	// No statement yet: an empty feed, still valid Atom.
	status, body, _ := ts.call(t, "GET", "/cap/v1/alerts.atom", "", "")
	if status != 200 || strings.Contains(body, "<entry>") || !strings.Contains(body, "<updated>") {
		t.Errorf("empty feed: %d %s", status, body)
	}
}
