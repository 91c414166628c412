package console

import (
	"errors"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza"
)

// reportForm is the citizen's report as typed, kept to show again with
// the errors beside its fields.
type reportForm struct {
	Text, Place, Lat, Lon, Media, Name, Phone, Email string
}

func (c *Console) citizenHome(w http.ResponseWriter, r *http.Request, p *Page) error {
	p.Title = p.T("citizen.title")
	p.Data = map[string]any{"Form": reportForm{}}
	c.render(w, p, http.StatusOK, "citizen")
	return nil
}

// citizenSubmit checks the form first, in the citizen's language, and
// only then submits it; nothing is saved when a field is wrong.
func (c *Console) citizenSubmit(w http.ResponseWriter, r *http.Request, p *Page) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return yaqaza.Errorf(yaqaza.ETOOLARGE, "the form is too large")
	}
	f := reportForm{Text: strings.TrimSpace(r.PostFormValue("text")), Place: strings.TrimSpace(r.PostFormValue("place")),
		Lat: r.PostFormValue("lat"), Lon: r.PostFormValue("lon"), Media: strings.TrimSpace(r.PostFormValue("media")),
		Name: strings.TrimSpace(r.PostFormValue("name")), Phone: strings.TrimSpace(r.PostFormValue("phone")),
		Email: strings.TrimSpace(r.PostFormValue("email"))}
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb, Text: f.Text, Place: f.Place, Language: p.Lang}
	switch n := utf8.RuneCountInString(f.Text); {
	case n == 0:
		p.Errors["text"] = p.T("form.text.required")
	case n > yaqaza.MaxTextRunes:
		p.Errors["text"] = p.T("form.text.long", p.Num(yaqaza.MaxTextRunes))
	}
	if f.Lat != "" || f.Lon != "" {
		lat, err1 := strconv.ParseFloat(f.Lat, 64)
		lon, err2 := strconv.ParseFloat(f.Lon, 64)
		if err := errors.Join(err1, err2); err != nil || lat < -90 || lat > 90 || lon < -180 || lon > 180 {
			p.Errors["place"] = p.T("form.place.point")
		} else {
			in.Location = &yaqaza.Point{Lat: lat, Lon: lon}
		}
	}
	if f.Media != "" {
		if u, err := url.Parse(f.Media); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			p.Errors["media"] = p.T("form.media.url")
		} else {
			in.Media = []yaqaza.Media{{URL: f.Media}}
		}
	}
	if f.Email != "" {
		if _, err := mail.ParseAddress(f.Email); err != nil {
			p.Errors["email"] = p.T("form.email.invalid")
		}
	}
	if f.Phone != "" && !plausiblePhone(f.Phone) {
		p.Errors["phone"] = p.T("form.phone.invalid")
	}
	if f.Name != "" || f.Phone != "" || f.Email != "" {
		in.Reporter = &yaqaza.Contact{Name: f.Name, Phone: f.Phone, Email: f.Email}
	}
	if len(p.Errors) == 0 {
		rec, err := c.Reports.SubmitReport(r.Context(), in)
		if err == nil {
			if rec.Dropped {
				p.Errors["text"] = p.T("form.text.notkept")
			} else {
				http.Redirect(w, r, "/track/"+rec.TrackingCode+"?new=1", http.StatusSeeOther)
				return nil
			}
		} else if !c.fieldError(p, err) {
			return err
		}
	}
	p.Title = p.T("citizen.title")
	p.Data = map[string]any{"Form": f}
	c.render(w, p, http.StatusBadRequest, "citizen")
	return nil
}

// fieldError puts a service's refusal of a field beside that field, in
// the page's language; it reports whether the error was of that kind.
func (c *Console) fieldError(p *Page, err error) bool {
	var e *yaqaza.Error
	if !errors.As(err, &e) || e.Code != yaqaza.EINVALID {
		return false
	}
	field, _, _ := strings.Cut(e.Field, ".")
	key := "form." + field + ".invalid"
	if _, ok := c.cat[key]; !ok {
		key = "form.invalid"
	}
	if field == "" || field == "location" {
		field = "place"
	}
	p.Errors[field] = p.T(key)
	return true
}

// plausiblePhone accepts what people write: digits (Latin or Arabic-Indic),
// spaces, dots, dashes, brackets and a leading +, 8 to 15 digits.
func plausiblePhone(s string) bool {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9', r >= '٠' && r <= '٩', r >= '۰' && r <= '۹':
			digits++
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		case r == '+' && i == 0:
		default:
			return false
		}
	}
	return digits >= 8 && digits <= 15
}

func (c *Console) trackForm(w http.ResponseWriter, r *http.Request, p *Page) error {
	if code := strings.TrimSpace(r.URL.Query().Get("code")); code != "" {
		http.Redirect(w, r, "/track/"+url.PathEscape(code), http.StatusSeeOther)
		return nil
	}
	p.Title = p.T("track.title")
	c.render(w, p, http.StatusOK, "track")
	return nil
}

func (c *Console) trackPage(w http.ResponseWriter, r *http.Request, p *Page) error {
	p.Title = p.T("track.title")
	v, err := c.Tracking.TrackReport(r.Context(), r.PathValue("code"), p.Lang)
	if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
		p.Errors["code"] = p.T("track.notfound")
		p.Data = map[string]any{"Code": r.PathValue("code")}
		c.render(w, p, http.StatusNotFound, "track")
		return nil
	} else if err != nil {
		return err
	}
	p.Data = map[string]any{"View": v, "New": r.URL.Query().Get("new") == "1"}
	c.render(w, p, http.StatusOK, "tracked")
	return nil
}
