package console

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// The call-taker's form: a phone call typed while the caller talks. Text
// first, then the place (gazetteer search or a point on the map), then the
// caller; open incidents it may be about are suggested as it is typed
// (call_suggest.go), and the call can be attached to one of them.

func init() {
	staffRoutes = append(staffRoutes, func(c *Console) {
		c.page("GET /call", c.callPage)
		c.page("POST /call", c.callSubmit)
		c.page("GET /call/places", c.callPlaces)
		c.page("POST /call/suggest", c.callSuggest)
	})
}

// callForm is the call as typed, kept to show again with its errors.
// Token is the form's one-time random token: it becomes the report's
// idempotency key, so that a double submit stores one report.
type callForm struct {
	Text, Place, Lat, Lon, Phone, Name, Attach, Token string
}

// callNameMax is the store's limit on a reporter's name, in bytes.
const callNameMax = 200

func (c *Console) callPage(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActSubmitReport); err != nil {
		return err
	}
	q := r.URL.Query()
	var done *callDone
	if id, err := strconv.ParseInt(q.Get("done"), 10, 64); err == nil && id > 0 {
		d, err := c.callDone(r, p, id)
		if err != nil {
			return err
		}
		done = d
		if done != nil {
			c.callAttachOutcome(p, done, q.Get("attach"), q.Get("attach_err"))
		}
	}
	c.renderCall(w, r, p, http.StatusOK, callForm{Token: newFormToken()}, done)
	return nil
}

// callSubmit checks the whole form first, in the call-taker's language,
// and saves nothing when a field is wrong; then it submits the report and,
// when asked, merges the incident it opened into the chosen one.
func (c *Console) callSubmit(w http.ResponseWriter, r *http.Request, p *Page) error {
	if _, err := yaqaza.Authorize(r.Context(), yaqaza.ActSubmitReport); err != nil {
		return err
	}
	f, err := readCallForm(w, r)
	if err != nil {
		return err
	}
	in, attach := c.validateCall(p, &f)
	if len(p.Errors) > 0 {
		c.renderCall(w, r, p, http.StatusBadRequest, f, nil)
		return nil
	}
	rec, err := c.Reports.SubmitReport(r.Context(), in)
	if err != nil {
		status, ok := c.callRefused(p, &f, err)
		if !ok {
			return err
		}
		c.renderCall(w, r, p, status, f, nil)
		return nil
	}
	if rec.Dropped {
		p.Errors["text"] = p.T("call.err.notkept")
		c.renderCall(w, r, p, http.StatusBadRequest, f, nil)
		return nil
	}
	// The report is kept from here on: whatever the merge says, the
	// call-taker gets the saved result.
	next := url.Values{"done": {strconv.FormatInt(rec.ReportID, 10)}}
	incident := rec.IncidentID
	if attach > 0 {
		next.Set("attach", strconv.FormatInt(attach, 10))
	}
	if attach > 0 && rec.IncidentID != attach {
		if rec.Triage != nil && rec.Triage.Joined {
			// It joined an incident others reported too: moving that whole
			// incident is not what "attach this call" means.
			next.Set("attach_err", "joined")
		} else if code := c.mergeCall(r, p, rec, attach); code != "" {
			next.Set("attach_err", code)
		} else {
			incident = attach
		}
	}
	c.rememberCall(p.Actor, rec, incident, attach)
	http.Redirect(w, r, "/call?"+next.Encode(), http.StatusSeeOther)
	return nil
}

func readCallForm(w http.ResponseWriter, r *http.Request) (callForm, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return callForm{}, yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	return callForm{Text: v("text"), Place: v("place"), Lat: v("lat"), Lon: v("lon"), Phone: v("phone"),
		Name: v("name"), Attach: v("attach"), Token: v("form_token")}, nil
}

// validateCall puts a localized message in p.Errors for every wrong field
// and returns the report to submit and the incident to attach it to.
func (c *Console) validateCall(p *Page, f *callForm) (*yaqaza.ReportInput, int64) {
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: f.Text, Place: f.Place, Language: p.Lang}
	switch n := utf8.RuneCountInString(f.Text); {
	case !utf8.ValidString(f.Text):
		p.Errors["text"] = p.T("form.invalid")
	case n == 0:
		p.Errors["text"] = p.T("call.err.text.required")
	case n > yaqaza.MaxTextRunes:
		p.Errors["text"] = p.T("call.err.text.long", p.Num(yaqaza.MaxTextRunes))
	}
	if !utf8.ValidString(f.Place) || utf8.RuneCountInString(f.Place) > yaqaza.MaxPlaceRunes {
		p.Errors["place"] = p.T("call.err.place.long", p.Num(yaqaza.MaxPlaceRunes))
	}
	if f.Lat != "" || f.Lon != "" {
		if pt, ok := callPoint(f.Lat, f.Lon); ok {
			in.Location = pt
		} else {
			p.Errors["point"] = p.T("call.err.point")
		}
	}
	phone := asciiDigits(f.Phone)
	if f.Phone != "" && !plausiblePhone(f.Phone) {
		p.Errors["phone"] = p.T("call.err.phone")
	}
	if len(f.Name) > callNameMax || !utf8.ValidString(f.Name) {
		p.Errors["name"] = p.T("call.err.name")
	}
	if phone != "" || f.Name != "" {
		in.Reporter = &yaqaza.Contact{Name: f.Name, Phone: phone}
	}
	var attach int64
	if f.Attach != "" {
		n, err := strconv.ParseInt(strings.TrimPrefix(f.Attach, "#"), 10, 64)
		if err != nil || n <= 0 {
			p.Errors["attach"] = p.T("call.err.attach")
		}
		attach = n
	}
	if !validFormToken(f.Token) {
		// A form from before a restart or a hand-made post: a fresh token,
		// so that the next send is deduplicated again.
		p.Errors["form"] = p.T("call.err.token")
		f.Token = newFormToken()
	}
	in.IdempotencyKey = "console-call-" + f.Token
	return in, attach
}

func callPoint(lat, lon string) (*yaqaza.Point, bool) {
	la, err1 := strconv.ParseFloat(lat, 64)
	lo, err2 := strconv.ParseFloat(lon, 64)
	if errors.Join(err1, err2) != nil || math.IsNaN(la) || math.IsNaN(lo) || la < -90 || la > 90 || lo < -180 || lo > 180 {
		return nil, false
	}
	return &yaqaza.Point{Lat: la, Lon: lo}, true
}

// asciiDigits writes Arabic-Indic digits as ASCII ones, which is what the
// store accepts: a call-taker may type the number on an Arabic keyboard.
func asciiDigits(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, s)
}

func newFormToken() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func validFormToken(s string) bool {
	_, err := hex.DecodeString(s)
	return len(s) == 32 && err == nil
}

// callRefused shows the service's refusal of a submission beside the field
// it names, keeping what was typed; it reports false for the errors that
// are not about the form (forbidden, signed out), which the console shows
// as a page.
func (c *Console) callRefused(p *Page, f *callForm, err error) (int, bool) {
	var e *yaqaza.Error
	errors.As(err, &e)
	switch yaqaza.ErrorCode(err) {
	case yaqaza.EUNAUTHORIZED, yaqaza.EFORBIDDEN:
		return 0, false
	case yaqaza.EINVALID:
		field := "form"
		if e != nil {
			switch {
			case e.Field == "text", e.Field == "place", e.Field == "reporter.phone", e.Field == "reporter.name":
				field = strings.TrimPrefix(e.Field, "reporter.")
			case strings.HasPrefix(e.Field, "location"):
				field = "point"
			}
		}
		p.Errors[field] = p.T("form.invalid")
		return http.StatusBadRequest, true
	case yaqaza.ECONFLICT:
		// The token was used for a different call (sent, then changed
		// after going back): this one gets a token of its own.
		p.Errors["form"] = p.T("call.err.resent")
		f.Token = newFormToken()
		return http.StatusConflict, true
	case yaqaza.ERATELIMIT, yaqaza.EUNAVAILABLE:
		p.Errors["form"] = p.T("call.err.busy")
		return http.StatusServiceUnavailable, true
	}
	slog.Error("console: call not saved", "err", err)
	p.Errors["form"] = p.T("call.err.busy")
	return http.StatusInternalServerError, true
}

// mergeCall merges the incident a call opened into the one the call-taker
// chose, and returns why it could not ("" when it did).
func (c *Console) mergeCall(r *http.Request, p *Page, rec *yaqaza.Receipt, into int64) string {
	ctx := r.Context()
	t := yaqaza.Transition{To: yaqaza.StatusMerged, MergeInto: into,
		Reason: p.T("call.merge.reason", rec.ReportID, into)}
	_, err := c.Incidents.TransitionIncident(ctx, rec.IncidentID, t)
	var e *yaqaza.Error
	switch code := yaqaza.ErrorCode(err); {
	case err == nil:
		return ""
	case code == yaqaza.EFORBIDDEN:
		return "forbidden"
	case code == yaqaza.ENOTFOUND, code == yaqaza.EINVALID && errors.As(err, &e) && e.Field == "merge_into":
		return "notfound"
	case code == yaqaza.ECONFLICT:
		// Either side may be the one that cannot move: the chosen incident
		// is over, or the new one was already dispatched.
		target, terr := c.Incidents.FindIncidentByID(ctx, into)
		switch {
		case yaqaza.ErrorCode(terr) == yaqaza.ENOTFOUND:
			return "notfound"
		case terr == nil && (!target.Status.Open() || target.Status == yaqaza.StatusResolved):
			return "closed"
		}
		return "moved"
	}
	slog.Error("console: merging a call's incident", "incident", rec.IncidentID, "into", into, "err", err)
	return "failed"
}

// renderCall shows the form, with the suggestions for what it holds.
func (c *Console) renderCall(w http.ResponseWriter, r *http.Request, p *Page, status int, f callForm, done *callDone) {
	p.Title = p.T("call.title")
	sg := callSuggestView{Attach: f.Attach}
	if f.Text != "" && p.Errors["text"] == "" && p.Errors["point"] == "" {
		in := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: f.Text, Place: f.Place}
		in.Location, _ = callPoint(f.Lat, f.Lon)
		if v, err := c.suggestions(r, p, in, f.Attach); err == nil {
			sg = v
		}
	}
	sg.markKept()
	p.Data = map[string]any{"Form": f, "Suggest": sg, "Done": done}
	c.render(w, p, status, "call")
}
