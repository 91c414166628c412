package yaqaza

import "github.com/yaqaza/yaqaza/redact"

// Shaping cuts what a service returns down to what the actor's view
// allows. It runs in the services, so that every interface shows the same.

// ShapeIncident returns what the actor may see of inc, or nil when it may
// see nothing of it. inc is not changed.
func ShapeIncident(a *Actor, inc *Incident) *Incident {
	if inc == nil {
		return nil
	}
	switch a.View() {
	case ViewOperational:
		if a.Can(ActReadPersonal) {
			return inc
		}
		out := *inc
		out.Reports = shapeReports(inc.Reports, func(r *Report) *Report { return withoutPersonal(r) })
		return &out
	case ViewPseudonymised:
		out := *inc
		out.Summary = redact.Text(inc.Summary)
		out.Reason = redact.Text(inc.Reason)
		out.PublicMessage = redact.Text(inc.PublicMessage)
		out.Reports = shapeReports(inc.Reports, pseudonymise)
		out.Timeline = make([]*TimelineEvent, len(inc.Timeline))
		for i, e := range inc.Timeline {
			c := *e
			c.Detail, c.PublicMessage = redact.Text(e.Detail), redact.Text(e.PublicMessage)
			out.Timeline[i] = &c
		}
		return &out
	case ViewPublished:
		if inc.ClearedAt == nil {
			return nil
		}
		return publicIncident(inc)
	}
	return nil
}

// publicIncident is what may be published of an incident: what happened,
// where (the zone) and how it ended, redacted; nothing internal or personal.
func publicIncident(inc *Incident) *Incident {
	out := &Incident{ID: inc.ID, Status: inc.Status, Category: inc.Category, Priority: inc.Priority,
		ZoneCode: inc.ZoneCode, Summary: redact.Text(inc.Summary), PublicMessage: redact.Text(inc.PublicMessage),
		Outcome: inc.Outcome, ReportCount: inc.ReportCount, Attention: inc.Attention, ClearedAt: inc.ClearedAt,
		Version: inc.Version, CreatedAt: inc.CreatedAt, UpdatedAt: inc.UpdatedAt, Statements: inc.Statements}
	for _, e := range inc.Timeline {
		if e.PublicMessage != "" {
			out.Timeline = append(out.Timeline, &TimelineEvent{ID: e.ID, IncidentID: e.IncidentID, At: e.At, Kind: e.Kind,
				ToStatus: e.ToStatus, PublicMessage: redact.Text(e.PublicMessage)})
		}
	}
	return out
}

// ShapeReport returns what the actor may see of a report, or nil.
func ShapeReport(a *Actor, r *Report) *Report {
	if r == nil {
		return nil
	}
	switch a.View() {
	case ViewOperational:
		if a.Can(ActReadPersonal) {
			return r
		}
		return withoutPersonal(r)
	case ViewPseudonymised:
		return pseudonymise(r)
	}
	return nil
}

// HoldsPersonal reports whether a report carries personal data beyond its
// text: contact details or media.
func (r *Report) HoldsPersonal() bool { return !r.Reporter.Empty() || len(r.Media) > 0 }

func shapeReports(rs []*Report, shape func(*Report) *Report) []*Report {
	if rs == nil {
		return nil
	}
	out := make([]*Report, len(rs))
	for i, r := range rs {
		out[i] = shape(r)
	}
	return out
}

func withoutPersonal(r *Report) *Report {
	c := *r
	c.Reporter, c.Media = nil, nil
	return &c
}

// pseudonymise keeps what analysis needs and nothing that names a person:
// the text redacted, no contact, media, external id or post address; the
// author only as the keyed pseudonym the store already holds.
func pseudonymise(r *Report) *Report {
	c := *withoutPersonal(r)
	c.Text = redact.Text(r.Text)
	c.ExternalID = ""
	if r.Source != nil {
		s := *r.Source
		s.URL, s.Author = "", ""
		c.Source = &s
	}
	return &c
}
