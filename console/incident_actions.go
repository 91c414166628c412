package console

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// The incident page's forms. Each checks what was typed first, in the
// reader's language, and calls the service only when it is right; a
// refusal by the service is shown beside the field it is about. Nothing
// is saved when a field is wrong. Success goes back to the page (PRG).

// incidentTextMax is the services' limit on reasons, messages and notes.
const incidentTextMax = 2000

// incidentAction checks a form against the incident and applies it,
// putting what is wrong in p.Errors. It returns where to go on success
// ("" for the incident page).
type incidentAction func(r *http.Request, p *Page, inc *yaqaza.Incident) (string, error)

// incidentPost wraps an action: the right first (a role without it is
// refused whatever it typed), then the incident as the reader may see
// it, then the action; a form with errors is shown again with 400.
func (c *Console) incidentPost(right yaqaza.Action, act incidentAction) handler {
	return func(w http.ResponseWriter, r *http.Request, p *Page) error {
		if _, err := yaqaza.Authorize(r.Context(), right); err != nil {
			return err
		}
		id, err := pathIncidentID(r)
		if err != nil {
			return err
		}
		r.Body = http.MaxBytesReader(w, r.Body, 32<<10)
		if err := r.ParseForm(); err != nil {
			return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
		}
		inc, err := c.Incidents.FindIncidentByID(r.Context(), id)
		if err != nil {
			return err
		}
		next, err := act(r, p, inc)
		if err != nil {
			return err
		}
		if len(p.Errors) > 0 {
			return c.showIncident(w, r, p, inc, http.StatusBadRequest)
		}
		if next == "" {
			next = incidentURL(id)
		}
		http.Redirect(w, r, next, http.StatusSeeOther)
		return nil
	}
}

func postedText(r *http.Request, name string) string { return strings.TrimSpace(r.PostFormValue(name)) }

// incidentFormVersion is the version the form was shown at: a change made by
// someone else in between is refused rather than overwritten.
func incidentFormVersion(r *http.Request) int64 {
	v, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	return max(v, 0)
}

// incidentTextLimit puts a message beside a free-text field over the limit.
func incidentTextLimit(p *Page, field, text string) {
	if len(text) > incidentTextMax || !utf8.ValidString(text) {
		p.Errors[field] = p.T("incident.err.long", p.Num(incidentTextMax))
	}
}

// incidentRefusal puts the service's refusal beside a field: a rule on a
// field beside that field (fields maps the service's names to the
// form's), a refusal of the change itself beside fallback. Anything else
// is the page's error.
func incidentRefusal(p *Page, err error, fields map[string]string, fallback string) error {
	var e *yaqaza.Error
	if !errors.As(err, &e) {
		return err
	}
	field := fields[e.Field]
	if field == "" {
		field = fallback
	}
	switch e.Code {
	case yaqaza.EINVALID:
		p.Errors[field] = p.T("incident.err.invalid")
	case yaqaza.ECONFLICT:
		p.Errors[field] = p.T("incident.err.conflict")
	default:
		return err
	}
	return nil
}

// transition moves the incident to one of its legal next statuses.
func (c *Console) transition(r *http.Request, p *Page, inc *yaqaza.Incident) (string, error) {
	to := yaqaza.Status(postedText(r, "to"))
	t := yaqaza.Transition{To: to, Reason: postedText(r, "reason"), PublicMessage: postedText(r, "public_message"),
		Outcome: postedText(r, "outcome"), Version: incidentFormVersion(r)}
	switch {
	case to == "":
		p.Errors["to"] = p.T("incident.err.to.required")
	case !slices.Contains(inc.Status.NextStatuses(), to):
		p.Errors["to"] = p.T("incident.err.to", p.BoardStatus(inc.Status))
	}
	reopen := inc.Status == yaqaza.StatusResolved && to == yaqaza.StatusTriaged
	if t.Reason == "" && (to == yaqaza.StatusCancelled || to == yaqaza.StatusReferred || reopen) {
		p.Errors["reason"] = p.T("incident.err.reason.required")
	}
	incidentTextLimit(p, "reason", t.Reason)
	incidentTextLimit(p, "public_message", t.PublicMessage)
	switch {
	case t.Outcome != "" && !slices.Contains(yaqaza.Outcomes, t.Outcome):
		p.Errors["outcome"] = p.T("incident.err.outcome.unknown")
	case t.Outcome == "" && to == yaqaza.StatusClosed:
		p.Errors["outcome"] = p.T("incident.err.outcome.required")
	case t.Outcome != "" && to != yaqaza.StatusResolved && to != yaqaza.StatusClosed && p.Errors["to"] == "":
		p.Errors["outcome"] = p.T("incident.err.outcome.notnow")
	}
	if to == yaqaza.StatusMerged {
		n, err := strconv.ParseInt(postedText(r, "merge_into"), 10, 64)
		switch {
		case err != nil || n <= 0:
			p.Errors["merge_into"] = p.T("incident.err.merge.number")
		case n == inc.ID:
			p.Errors["merge_into"] = p.T("incident.err.merge.self")
		default:
			t.MergeInto = n
		}
	}
	if len(p.Errors) > 0 {
		return "", nil
	}
	_, err := c.Incidents.TransitionIncident(r.Context(), inc.ID, t)
	if err == nil {
		return "", nil
	}
	if to == yaqaza.StatusMerged {
		// The target is the likely fault: missing, closed, or out of reach.
		var e *yaqaza.Error
		switch yaqaza.ErrorCode(err) {
		case yaqaza.EINVALID:
			if errors.As(err, &e) && e.Field == "merge_into" {
				p.Errors["merge_into"] = p.T("incident.err.merge.target")
				return "", nil
			}
		case yaqaza.ENOTFOUND, yaqaza.EFORBIDDEN:
			p.Errors["merge_into"] = p.T("incident.err.merge.target")
			return "", nil
		case yaqaza.ECONFLICT:
			if inc.Status.Open() {
				p.Errors["merge_into"] = p.T("incident.err.merge.target")
				return "", nil
			}
		}
	}
	return "", incidentRefusal(p, err, map[string]string{"to": "to", "reason": "reason", "merge_into": "merge_into",
		"outcome": "outcome"}, "to")
}

// correctTriage sets the category, zone or priority an operator chose.
func (c *Console) correctTriage(r *http.Request, p *Page, inc *yaqaza.Incident) (string, error) {
	pack, err := c.opsPack(r.Context())
	if err != nil {
		return "", err
	}
	corr := yaqaza.Correction{Reason: postedText(r, "triage_reason"), Version: incidentFormVersion(r)}
	if cat := postedText(r, "category"); cat != "" {
		if _, ok := pack.categories[cat]; !ok {
			p.Errors["category"] = p.T("incident.err.category")
		} else if cat != inc.Category {
			corr.Category = &cat
		}
	}
	if z := postedText(r, "zone"); z != "" {
		if _, ok := pack.zones[z]; !ok {
			p.Errors["zone"] = p.T("incident.err.zone")
		} else if z != inc.ZoneCode {
			corr.Zone = &z
		}
	}
	if s := postedText(r, "priority"); s != "" {
		if pr, err := yaqaza.ParsePriority(s); err != nil {
			p.Errors["priority"] = p.T("incident.err.priority")
		} else if pr != inc.Priority {
			corr.Priority = &pr
		}
	}
	incidentTextLimit(p, "triage_reason", corr.Reason)
	if len(p.Errors) == 0 && corr.Category == nil && corr.Zone == nil && corr.Priority == nil {
		p.Errors["category"] = p.T("incident.err.triage.nothing")
	}
	if len(p.Errors) > 0 {
		return "", nil
	}
	if _, err := c.Incidents.CorrectTriage(r.Context(), inc.ID, corr); err != nil {
		if yaqaza.ErrorCode(err) == yaqaza.EFORBIDDEN && corr.Zone != nil {
			p.Errors["zone"] = p.T("incident.err.zone.forbidden")
			return "", nil
		}
		return "", incidentRefusal(p, err, map[string]string{"category": "category", "zone": "zone", "priority": "priority",
			"reason": "triage_reason"}, "category")
	}
	return "", nil
}

// splitReport takes one of the incident's reports out into its own incident.
func (c *Console) splitReport(r *http.Request, p *Page, inc *yaqaza.Incident) (string, error) {
	id, err := strconv.ParseInt(postedText(r, "report"), 10, 64)
	known := err == nil && slices.ContainsFunc(inc.Reports, func(rep *yaqaza.Report) bool { return rep.ID == id })
	switch {
	case !known:
		p.Errors["report"] = p.T("incident.err.split.report")
	case inc.ReportCount < 2:
		p.Errors["report"] = p.T("incident.err.split.only")
	}
	reason := postedText(r, "split_reason")
	if reason == "" {
		p.Errors["split_reason"] = p.T("incident.err.reason.required")
	}
	incidentTextLimit(p, "split_reason", reason)
	if len(p.Errors) > 0 {
		return "", nil
	}
	if _, err := c.Incidents.SplitReport(r.Context(), id, reason); err != nil {
		return "", incidentRefusal(p, err, map[string]string{"reason": "split_reason"}, "report")
	}
	return "", nil
}

// addNote writes an internal note on the timeline.
func (c *Console) addNote(r *http.Request, p *Page, inc *yaqaza.Incident) (string, error) {
	text := postedText(r, "note")
	switch {
	case text == "":
		p.Errors["note"] = p.T("incident.err.note.required")
	case utf8.RuneCountInString(text) > incidentTextMax || !utf8.ValidString(text):
		p.Errors["note"] = p.T("incident.err.long", p.Num(incidentTextMax))
	}
	if len(p.Errors) > 0 {
		return "", nil
	}
	if _, err := c.Incidents.AddNote(r.Context(), inc.ID, text); err != nil {
		return "", incidentRefusal(p, err, map[string]string{"text": "note"}, "note")
	}
	return "", nil
}
