package console

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// Publication: a district head or the command clears an incident for
// publication (a block on the incident page, templates/_publication.html);
// the communications office then sees it on /publications and publishes
// statements about it; anyone reads them on /news. The store redacts
// phone numbers, e-mail addresses and ID numbers from every statement
// before keeping it, so the pages show statements as stored.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("POST /incidents/{id}/publication", c.clearPublication)
		c.page("GET /publications", c.publications)
		c.page("POST /publications/{id}/statement", c.publishStatement)
		c.page("GET /news", c.news)
	})
}

const (
	// publishListMax bounds the cleared incidents on one page.
	publishListMax = 30
	// publishStatementsScan is how many of the newest statements are
	// looked through for those incidents: one query, not one per incident.
	publishStatementsScan = 200
	// publishTextMax is the console's limit on a statement, in characters.
	publishTextMax = 2000
	// newsMax bounds the public page.
	newsMax = 50
)

// clearPublication clears an incident for publication or withdraws it,
// then goes back to the incident page. The service checks the role and
// the incident's zone.
func (c *Console) clearPublication(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActClearPublish); err != nil {
		return err
	}
	id, err := pathIncidentID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	cleared, err := strconv.ParseBool(r.PostFormValue("cleared"))
	if err != nil {
		return yaqaza.Invalidf("cleared", "cleared must be true or false")
	}
	if _, err := c.Incidents.ClearForPublication(r.Context(), id, cleared); err != nil {
		return err
	}
	http.Redirect(w, r, incidentURL(id)+"#publication", http.StatusSeeOther)
	return nil
}

// publication is one cleared incident as /publications shows it.
type publication struct {
	Inc                    *yaqaza.Incident
	CategoryName, ZoneName string
	Statements             []*yaqaza.Statement
}

// publicationsView is the page's data. FormID names the incident whose
// statement form failed, so that its errors and what was typed are shown
// in that form only.
type publicationsView struct {
	Items      []publication
	NextCursor string
	Done       int64
	FormID     int64
	Language   string
	Text       string
	// TextMax is the limit the form states.
	TextMax int
	// Refused is a refusal that is about no field (the clearance was
	// withdrawn in the meantime).
	Refused string
}

func (c *Console) publications(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActPublish); err != nil {
		return err
	}
	done, _ := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64)
	v := &publicationsView{Done: done, Language: p.Lang}
	return c.showPublications(w, r, p, v, r.URL.Query().Get("cursor"), http.StatusOK)
}

// showPublications lists the cleared incidents the reader may see, newest
// first, with what was already published about them.
func (c *Console) showPublications(w http.ResponseWriter, r *http.Request, p *Page, v *publicationsView, cursor string, status int) error {
	ctx := r.Context()
	// The service lists only cleared incidents to the communications
	// office (ViewPublished), shaped for it.
	page, err := c.Incidents.FindIncidents(ctx, yaqaza.IncidentFilter{Limit: publishListMax, Cursor: cursor})
	if err != nil {
		return err
	}
	incs := slices.DeleteFunc(slices.Clone(page.Incidents), func(i *yaqaza.Incident) bool { return i == nil || i.ClearedAt == nil })
	if v.FormID != 0 && !slices.ContainsFunc(incs, func(i *yaqaza.Incident) bool { return i.ID == v.FormID }) {
		// The failed form was for an incident further down the list: show
		// it on top, so that its errors are seen.
		inc, err := c.Incidents.FindIncidentByID(ctx, v.FormID)
		if err != nil {
			return err
		}
		incs = append([]*yaqaza.Incident{inc}, incs...)
	}
	said, err := c.Incidents.PublicStatements(ctx, publishStatementsScan)
	if err != nil {
		return err
	}
	byIncident := map[int64][]*yaqaza.Statement{}
	for _, st := range said {
		byIncident[st.IncidentID] = append(byIncident[st.IncidentID], st)
	}
	pack, err := c.opsPack(ctx)
	if err != nil {
		return err
	}
	for _, inc := range incs {
		v.Items = append(v.Items, publication{Inc: inc, CategoryName: pack.category(inc.Category, p.Lang),
			ZoneName: pack.zone(inc.ZoneCode, p.Lang), Statements: byIncident[inc.ID]})
	}
	v.NextCursor, v.TextMax = page.NextCursor, publishTextMax
	p.Title = p.T("publish.title")
	p.Data = v
	c.render(w, p, status, "publications")
	return nil
}

// publishStatement checks the statement in the writer's language first;
// only a right one goes to the service. Success goes back to the list (PRG).
func (c *Console) publishStatement(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActPublish); err != nil {
		return err
	}
	id, err := pathIncidentID(r)
	if err != nil {
		return err
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	v := &publicationsView{FormID: id, Language: r.PostFormValue("language"), Text: strings.TrimSpace(r.PostFormValue("text"))}
	if !valid(v.Language) {
		p.Errors["language"] = p.T("publish.err.language")
	}
	switch n := utf8.RuneCountInString(v.Text); {
	case n == 0:
		p.Errors["text"] = p.T("publish.err.text.required")
	case n > publishTextMax || !utf8.ValidString(v.Text):
		p.Errors["text"] = p.T("publish.err.text.long", p.Num(publishTextMax))
	}
	status := http.StatusBadRequest
	if len(p.Errors) == 0 {
		_, err := c.Incidents.PublishStatement(r.Context(), id, v.Language, v.Text)
		switch {
		case err == nil:
			http.Redirect(w, r, fmt.Sprintf("/publications?done=%d#incident-%d", id, id), http.StatusSeeOther)
			return nil
		case yaqaza.ErrorCode(err) == yaqaza.ECONFLICT:
			// No longer cleared: the incident is no longer listed either.
			v.FormID, v.Refused, status = 0, p.T("publish.err.notcleared", id), http.StatusConflict
		case !c.fieldError(p, err):
			return err
		}
	}
	return c.showPublications(w, r, p, v, "", status)
}

// newsItem is what was published about one incident, the statements in
// the reader's language first.
type newsItem struct {
	CategoryName, ZoneName string
	Statements             []*yaqaza.Statement
}

// news is the public page: no account, nothing but what was published
// and the category and zone it was about.
func (c *Console) news(w http.ResponseWriter, r *http.Request, p *Page) error {
	said, err := c.Incidents.PublicStatements(r.Context(), newsMax)
	if err != nil {
		return err
	}
	pack, err := c.opsPack(r.Context())
	if err != nil {
		return err
	}
	p.Title = p.T("news.title")
	p.Data = newsItems(said, p.Lang, pack)
	c.render(w, p, http.StatusOK, "news")
	return nil
}

// newsItems groups statements (newest first) by incident, in the order of
// each incident's newest statement, the reader's language first within one.
func newsItems(said []*yaqaza.Statement, lang string, pack *opsPack) []*newsItem {
	var items []*newsItem
	byIncident := map[int64]*newsItem{}
	for _, st := range said {
		it, ok := byIncident[st.IncidentID]
		if !ok {
			it = &newsItem{CategoryName: pack.category(st.Category, lang), ZoneName: pack.zone(st.ZoneCode, lang)}
			byIncident[st.IncidentID] = it
			items = append(items, it)
		}
		it.Statements = append(it.Statements, st)
	}
	for _, it := range items {
		slices.SortStableFunc(it.Statements, func(a, b *yaqaza.Statement) int {
			return boolRank(a.Language != lang) - boolRank(b.Language != lang)
		})
	}
	return items
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// PublishLanguageOptions are the languages a statement may be written in.
func (p *Page) PublishLanguageOptions() []incidentOption {
	out := make([]incidentOption, len(Languages))
	for i, l := range Languages {
		out[i] = incidentOption{l, p.T("lang." + l)}
	}
	return out
}

// LangDir is the writing direction of a statement's language.
func (p *Page) LangDir(lang string) string { return dir(lang) }
