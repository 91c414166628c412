package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

// The auditor's page: search the audit trail a page at a time, newest
// first, and verify its hash chain. Searching is itself audited by the
// store; the service refuses every role but the auditor's.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("GET /audit", c.auditSearch)
		c.page("POST /audit/verify", c.auditVerify)
		// The language switcher reloads the page it is on with a GET.
		c.mux.Handle("GET /audit/verify", http.RedirectHandler("/audit", http.StatusSeeOther))
	})
}

// auditPageSize keeps a page quick to read and to render.
const auditPageSize = 50

// auditActions are offered as suggestions in the action field; the
// trail holds others (every incident event kind), which can be typed.
var auditActions = []string{"session.signin", "session.signin_failed", "session.locked", "session.signout",
	"personal.read", "data.export", "audit.search", "user.create", "user.disable", "user.reset", "user.password",
	"user.totp", "token.create", "token.revoke", "config.pack", "config.sla", "config.place", "retention.run",
	yaqaza.EventIncidentCreated, yaqaza.EventStatusChanged, yaqaza.EventTriageCorrected, yaqaza.EventUnitAssigned,
	yaqaza.EventIncidentMerged, yaqaza.EventNoteAdded, yaqaza.EventStatement}

// auditForm is the search as typed, kept to show again with its errors.
type auditForm struct {
	Actor, Action, Object, From, To string
}

// readAuditFilter turns the query into a filter; dates are days in the
// jurisdiction's time zone, both included. Problems go beside their field.
func (c *Console) readAuditFilter(p *Page, q url.Values) (auditForm, yaqaza.AuditFilter) {
	f := auditForm{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
		Object: strings.TrimSpace(q.Get("object")), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	filter := yaqaza.AuditFilter{ActorID: f.Actor, Action: f.Action, Object: f.Object, Limit: auditPageSize}
	day := func(field, s string, add int) *time.Time {
		if s == "" {
			return nil
		}
		t, err := time.ParseInLocation(dateLayout, s, c.loc)
		if err != nil {
			p.Errors[field] = p.T("audit.date.invalid")
			return nil
		}
		t = t.AddDate(0, 0, add)
		return &t
	}
	filter.From, filter.To = day("from", f.From, 0), day("to", f.To, 1)
	if filter.From != nil && filter.To != nil && !filter.To.After(*filter.From) {
		p.Errors["to"] = p.T("audit.date.order")
	}
	if v := q.Get("cursor"); v != "" {
		// A cursor comes from our own next link; a bad one starts over.
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			filter.Before = id
		}
	}
	return f, filter
}

// query is the search as a query string, for the next page's link.
func (f auditForm) query(cursor string) string {
	v := url.Values{}
	for _, kv := range [][2]string{{"actor", f.Actor}, {"action", f.Action}, {"object", f.Object},
		{"from", f.From}, {"to", f.To}, {"cursor", cursor}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v.Encode()
}

func (c *Console) auditSearch(w http.ResponseWriter, r *http.Request, p *Page) error {
	// Refuse other roles before reading the form, so that they get the
	// forbidden page and not a form they cannot use.
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActReadAudit); err != nil {
		return err
	}
	f, filter := c.readAuditFilter(p, r.URL.Query())
	return c.renderAudit(w, r, p, f, filter, nil)
}

// auditVerify walks the whole chain and shows the result above the
// newest entries.
func (c *Console) auditVerify(w http.ResponseWriter, r *http.Request, p *Page) error {
	check, err := c.Audit.VerifyAudit(r.Context())
	if err != nil {
		return err
	}
	return c.renderAudit(w, r, p, auditForm{}, yaqaza.AuditFilter{Limit: auditPageSize}, check)
}

// auditRow is an entry as the table shows it.
type auditRow struct {
	*yaqaza.AuditEntry
	When, ISO, Role string
	// Incident links the target to its page when it is an incident.
	Incident string
	// ActorHref searches the same person's entries.
	ActorHref string
}

func (c *Console) renderAudit(w http.ResponseWriter, r *http.Request, p *Page, f auditForm, filter yaqaza.AuditFilter,
	check *yaqaza.AuditCheck) error {
	p.Title = p.T("audit.title")
	data := map[string]any{"Form": f, "Actions": auditActions, "Check": check}
	p.Data = data
	if len(p.Errors) > 0 {
		c.render(w, p, http.StatusBadRequest, "audit")
		return nil
	}
	page, err := c.Audit.FindAudit(r.Context(), filter)
	if err != nil {
		return err
	}
	rows := make([]auditRow, 0, len(page.Entries))
	for _, e := range page.Entries {
		row := auditRow{AuditEntry: e, When: p.When(e.At), ISO: e.At.UTC().Format(time.RFC3339)}
		if e.ActorRole != "" {
			row.Role = p.T("role." + string(e.ActorRole))
		}
		if id, ok := strings.CutPrefix(e.Object, "incident:"); ok {
			if _, err := strconv.ParseInt(id, 10, 64); err == nil {
				row.Incident = "/incidents/" + id
			}
		}
		if e.ActorID != "" {
			row.ActorHref = "/audit?" + auditForm{Actor: e.ActorID}.query("")
		}
		rows = append(rows, row)
	}
	data["Rows"] = rows
	if page.NextCursor != "" {
		data["Next"] = "/audit?" + f.query(page.NextCursor)
	}
	if filter.Before > 0 {
		data["First"] = "/audit?" + f.query("")
	}
	c.render(w, p, http.StatusOK, "audit")
	return nil
}
