package http

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), the public
// standard through which citizen-reporting apps submit reports and follow
// them. It sits on the same services as the JSON API and adds the spec's
// vocabulary and shapes, with a public view stricter than the spec's:
//
//   - a service is an incident category of the jurisdiction pack;
//   - a service_request_id is the report's tracking code, which is public and
//     cannot be guessed; the numeric report id is neither;
//   - a request's public view gives its status, the latest public message,
//     the incident's category and zone, and its times: nothing the citizen
//     wrote or gave (no description, contact, media_url or coordinates);
//   - requests are looked up by their codes only: a public listing would show
//     every citizen's reports to anyone.

import (
	"context"
	"errors"
	"fmt"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

const (
	open311Spec = "http://wiki.open311.org/GeoReport_v2"
	// open311Changeset is when these endpoints last changed shape; clients
	// compare it to know whether to re-read discovery.
	open311Changeset = "2026-11-28T00:00:00Z"
	// maxOpen311IDs bounds one lookup of several requests.
	maxOpen311IDs = 50
	maxKeywords   = 8
)

// IncidentFacts gives the category and zone of the incident a report belongs
// to, following merges. Both are public: a category and a district say
// nothing of who reported. yaqaza.TrackingView does not carry them yet, so a
// request shows service_code and address only when the server's
// TrackingService also implements IncidentFacts.
type IncidentFacts interface {
	// TrackFacts returns the category code and zone code (empty when unknown)
	// of the report with this tracking code; ENOTFOUND as TrackReport.
	TrackFacts(ctx context.Context, code string) (category, zone string, err error)
}

// registerOpen311 adds the Open311 routes through Handler's route function.
// The ServeMux matches whole path segments only, so the resources with an
// id in their path take the segment and read the format off its suffix.
func (s *Server) registerOpen311(route func(pattern string, h func(w http.ResponseWriter, r *http.Request) error)) {
	for _, f := range []open311Format{formatJSON, formatXML} {
		route("GET /open311/v2/discovery."+string(f), s.open311(s.handleOpen311Discovery))
		route("GET /open311/v2/services."+string(f), s.open311(s.handleOpen311Services))
		route("POST /open311/v2/requests."+string(f), s.open311(s.handleOpen311Submit))
		route("GET /open311/v2/requests."+string(f), s.open311(s.handleOpen311Requests))
	}
	route("GET /open311/v2/services/{file}", s.open311(s.handleOpen311Definition))
	route("GET /open311/v2/requests/{file}", s.open311(s.handleOpen311Request))
	route("/open311/", s.open311(s.handleOpen311Unknown))
}

type open311Handler func(w http.ResponseWriter, r *http.Request, f open311Format) error

// open311 answers a handler's error in the Open311 shape and in the format
// the path asks for, rather than in the JSON API's shape: Open311 clients
// parse only their own. No answer is cached: they depend on the language
// asked, and requests' status changes.
func (s *Server) open311(h open311Handler) func(w http.ResponseWriter, r *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		w.Header().Set("Cache-Control", "no-store")
		f := formatOfPath(r.URL.Path)
		if err := h(w, r, f); err != nil {
			writeOpen311Error(w, r, f, err)
		}
		return nil
	}
}

func (s *Server) handleOpen311Unknown(w http.ResponseWriter, r *http.Request, f open311Format) error {
	return yaqaza.Errorf(yaqaza.ENOTFOUND, "no Open311 endpoint %s %s: /open311/v2/discovery.json lists them", r.Method, short(r.URL.Path))
}

// open311Pack returns the pack. jurisdiction_id is optional, as the spec
// allows for a server of one jurisdiction; any other than the pack's is 404.
func (s *Server) open311Pack(ctx context.Context, jurisdiction string) (*yaqaza.Pack, error) {
	p, err := s.Packs.CurrentPack(ctx)
	if err != nil {
		return nil, err
	}
	if jurisdiction != "" && jurisdiction != p.ID {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "unknown jurisdiction_id %q: this server serves %q only", short(jurisdiction), p.ID)
	}
	return p, nil
}

func (s *Server) handleOpen311Discovery(w http.ResponseWriter, r *http.Request, f open311Format) error {
	p, err := s.open311Pack(r.Context(), "")
	if err != nil {
		return err
	}
	lang := language(r)
	keys := keyOptional
	if !yaqaza.ChannelOpen311.Public() {
		keys = keyRequired
	}
	d := open311Discovery{
		Changeset:  open311Changeset,
		Contact:    p.Names.In(lang),
		KeyService: keys.In(lang),
		Endpoints: []open311Endpoint{{
			Specification: open311Spec,
			URL:           baseURL(r, s.TLS) + "/open311/v2",
			Changeset:     open311Changeset,
			Type:          "production",
			Formats:       []string{"application/json", "text/xml"},
		}},
	}
	writeOpen311(w, f, http.StatusOK, d, d)
	return nil
}

// baseURL is the node's address as the client reached it. A forged Host or
// X-Forwarded-Proto changes only the forger's own, uncached, answer.
func baseURL(r *http.Request, tls bool) string {
	scheme := "http"
	if tls || r.TLS != nil || r.Header.Get("X-Forwarded-Proto") == "https" {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func (s *Server) handleOpen311Services(w http.ResponseWriter, r *http.Request, f open311Format) error {
	p, err := s.open311Pack(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	lang := language(r)
	list := make([]open311Service, 0, len(p.Categories))
	for _, c := range p.Categories {
		list = append(list, open311Service{
			Code:        c.Code,
			Name:        c.Names.In(lang),
			Description: c.Names.In(lang) + ". " + notForEmergencies.In(lang),
			Type:        "realtime",
			Keywords:    keywordsOf(p, c.Code, lang),
			Group:       priorityGroups[c.Priority].In(lang),
		})
	}
	writeOpen311(w, f, http.StatusOK, list, open311Services{Services: list})
	return nil
}

func categoryOf(p *yaqaza.Pack, code string) *yaqaza.Category {
	for i := range p.Categories {
		if p.Categories[i].Code == code {
			return &p.Categories[i]
		}
	}
	return nil
}

func (s *Server) handleOpen311Definition(w http.ResponseWriter, r *http.Request, f open311Format) error {
	code, ok := trimFormat(r.PathValue("file"))
	if !ok {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "a service definition is services/{service_code}.json or .xml")
	}
	p, err := s.open311Pack(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	if categoryOf(p, code) == nil {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "no service has service_code %q: services.json lists them", short(code))
	}
	d := open311Definition{Code: code, Attributes: []struct{}{}}
	writeOpen311(w, f, http.StatusOK, d, d)
	return nil
}

// handleOpen311Submit creates a request from the spec's form fields. The
// reporter's contact goes where the JSON API keeps it, seen only by roles
// that need it; device_id and account_id are accepted and not kept, as
// Yaqaza has no use for them.
func (s *Server) handleOpen311Submit(w http.ResponseWriter, r *http.Request, f open311Format) error {
	start := time.Now()
	receipt, err := s.submitOpen311(w, r)
	if err != nil {
		s.Metrics.reportsReceived.WithLabelValues(string(yaqaza.ChannelOpen311), "refused").Inc()
		return err
	}
	outcome := "created"
	if receipt.Replayed {
		outcome = "replayed"
		w.Header().Set("Idempotent-Replayed", "true")
	}
	s.Metrics.reportsReceived.WithLabelValues(string(yaqaza.ChannelOpen311), outcome).Inc()
	s.Metrics.intakeDuration.WithLabelValues("open311").Observe(time.Since(start).Seconds())
	lang := language(r)
	created := []open311Created{{
		ID:     receipt.TrackingCode,
		Notice: fmt.Sprintf(noticeRecorded.In(lang), receipt.TrackingCode) + " " + notForEmergencies.In(lang),
	}}
	w.Header().Set("Location", "/open311/v2/requests/"+receipt.TrackingCode+"."+string(f))
	writeOpen311(w, f, http.StatusCreated, created, open311CreatedList{Requests: created})
	return nil
}

func (s *Server) submitOpen311(w http.ResponseWriter, r *http.Request) (*yaqaza.Receipt, error) {
	form, err := readOpen311Form(w, r)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	if key := form.Get("api_key"); key != "" {
		// The spec's api_key is an API token, checked like a Bearer header.
		actor, err := s.Tokens.Authenticate(ctx, key)
		if err != nil {
			return nil, err
		}
		ctx = yaqaza.NewContextWithActor(ctx, actor)
	}
	p, err := s.open311Pack(ctx, form.Get("jurisdiction_id"))
	if err != nil {
		return nil, err
	}
	in, err := open311Input(p, form)
	if err != nil {
		return nil, err
	}
	in.Language = statedLanguage(r)
	in.IdempotencyKey = r.Header.Get("Idempotency-Key")
	receipt, err := s.Reports.SubmitReport(ctx, in)
	switch {
	case yaqaza.ErrorCode(err) == yaqaza.EUNAUTHORIZED && !yaqaza.ActorFromContext(ctx).Authenticated():
		return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "this server takes Open311 requests with an api_key only: ask the prefecture for an API token")
	case err != nil:
		return nil, open311FieldError(err)
	case receipt.Dropped:
		// Only public posts are ever dropped; this is a bug if it happens.
		return nil, fmt.Errorf("open311 request dropped: %s", receipt.DropReason)
	}
	return receipt, nil
}

// open311Fields are the fields a request may carry: the spec's, and lang.
// Others are refused, as the JSON API refuses unknown fields, so that a
// misspelt field is not silently lost.
var open311Fields = []string{"service_code", "lat", "long", "address_string", "address_id", "description",
	"media_url", "email", "first_name", "last_name", "phone", "device_id", "account_id", "api_key",
	"jurisdiction_id", "lang"}

// readOpen311Form reads the query and the form-encoded body, as the spec
// sends them, into one set of fields given at most once each.
func readOpen311Form(w http.ResponseWriter, r *http.Request) (url.Values, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/x-www-form-urlencoded" {
			return nil, yaqaza.Errorf(yaqaza.EINVALID, "send the request as application/x-www-form-urlencoded, as GeoReport v2 says, not %q", short(ct))
		}
	}
	r.Body = http.MaxBytesReader(w, r.Body, MaxReportBody)
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, yaqaza.Errorf(yaqaza.ETOOLARGE, "the request body is over the limit of %s", sizeName(MaxReportBody))
		}
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "the form could not be read: %v", err)
	}
	var unknown []string
	for k, v := range r.Form {
		if !slices.Contains(open311Fields, k) {
			unknown = append(unknown, strconv.Quote(short(k)))
		} else if len(v) > 1 {
			return nil, yaqaza.Invalidf(k, "%s is given %d times; give it once", k, len(v))
		}
	}
	if len(unknown) > 0 {
		slices.Sort(unknown)
		return nil, yaqaza.Errorf(yaqaza.EINVALID, "unknown field %s (expected some of %s)", strings.Join(unknown, ", "), strings.Join(open311Fields, ", "))
	}
	return r.Form, nil
}

// open311Input maps the spec's fields onto a report. service_code must name
// a category, but it is not written into the text: triage reads the
// category from the citizen's own words, and a prefix would alter what the
// citizen wrote, mislead the language detector, and make unrelated reports
// of the same category look alike to duplicate detection.
func open311Input(p *yaqaza.Pack, form url.Values) (*yaqaza.ReportInput, error) {
	code := strings.TrimSpace(form.Get("service_code"))
	if code == "" {
		return nil, yaqaza.Invalidf("service_code", "service_code is required: services.json lists the codes")
	}
	if categoryOf(p, code) == nil {
		return nil, yaqaza.Invalidf("service_code", "unknown service_code %q: services.json lists the codes", short(code))
	}
	desc := form.Get("description")
	if strings.TrimSpace(desc) == "" {
		return nil, yaqaza.Invalidf("description", "description is required: say what happened, where and when")
	}
	in := &yaqaza.ReportInput{Channel: yaqaza.ChannelOpen311, Text: desc, Place: strings.TrimSpace(form.Get("address_string"))}
	lat, long := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	switch {
	case lat != "" || long != "":
		pt, err := parseLatLong(lat, long)
		if err != nil {
			return nil, err
		}
		in.Location = pt
	case in.Place == "" && form.Get("address_id") != "":
		return nil, yaqaza.Invalidf("address_id", "address_id is not supported here: send lat and long, or address_string")
	case in.Place == "":
		return nil, yaqaza.Invalidf("lat", "a location is required: lat and long, or address_string")
	}
	contact := yaqaza.Contact{
		Name:  strings.TrimSpace(strings.TrimSpace(form.Get("first_name")) + " " + strings.TrimSpace(form.Get("last_name"))),
		Phone: strings.TrimSpace(form.Get("phone")),
		Email: strings.TrimSpace(form.Get("email")),
	}
	if !contact.Empty() {
		in.Reporter = &contact
	}
	if u := strings.TrimSpace(form.Get("media_url")); u != "" {
		in.Media = []yaqaza.Media{{URL: u}}
	}
	return in, nil
}

func parseLatLong(lat, long string) (*yaqaza.Point, error) {
	if lat == "" || long == "" {
		return nil, yaqaza.Invalidf("lat", "lat and long go together: give both, or address_string alone")
	}
	la, err := strconv.ParseFloat(lat, 64)
	if err != nil || math.IsNaN(la) || la < -90 || la > 90 {
		return nil, yaqaza.Invalidf("lat", "lat must be a latitude in decimal degrees, from -90 to 90, got %q", short(lat))
	}
	lo, err := strconv.ParseFloat(long, 64)
	if err != nil || math.IsNaN(lo) || lo < -180 || lo > 180 {
		return nil, yaqaza.Invalidf("long", "long must be a longitude in decimal degrees, from -180 to 180, got %q", short(long))
	}
	return &yaqaza.Point{Lat: la, Lon: lo}, nil
}

// open311Names are the report fields whose rules the service checks, with
// how the message names them, and the Open311 field that fed them.
var open311Names = map[string][2]string{
	"text":           {"text", "description"},
	"place":          {"place", "address_string"},
	"media":          {"media[0].url", "media_url"},
	"reporter.name":  {"reporter.name", "first_name and last_name together"},
	"reporter.phone": {"reporter.phone", "phone"},
	"reporter.email": {"reporter.email", "email"},
}

// open311FieldError words the service's errors in the fields the client sent.
func open311FieldError(err error) error {
	var e *yaqaza.Error
	if !errors.As(err, &e) {
		return err
	}
	n, ok := open311Names[e.Field]
	if !ok {
		return err
	}
	return &yaqaza.Error{Code: e.Code, Field: n[1], Message: strings.Replace(e.Message, n[0], n[1], 1)}
}

// statedLanguage is the language the client names (?lang= or
// Accept-Language), or "" when it names none of ar, fr, en: triage then
// reads the language of the description, for the replies to the reporter,
// instead of language's default.
func statedLanguage(r *http.Request) string {
	l := language(r)
	if l != "ar" || r.URL.Query().Get("lang") == "ar" {
		return l
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		if base, _, _ := strings.Cut(strings.ToLower(tag), "-"); base == "ar" {
			return l
		}
	}
	return ""
}

func (s *Server) handleOpen311Request(w http.ResponseWriter, r *http.Request, f open311Format) error {
	code, ok := trimFormat(r.PathValue("file"))
	if !ok {
		return yaqaza.Errorf(yaqaza.ENOTFOUND, "a request is requests/{service_request_id}.json or .xml")
	}
	p, err := s.open311Pack(r.Context(), r.URL.Query().Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	req, err := s.open311RequestOf(r.Context(), p, code, language(r))
	if err != nil {
		return err
	}
	list := []open311Request{*req}
	writeOpen311(w, f, http.StatusOK, list, open311RequestList{Requests: list})
	return nil
}

// handleOpen311Requests answers the requests named by service_request_id
// (comma-separated, or the field repeated). Unknown codes are left out, as
// a search leaves out what it does not find. Without codes it refuses: the
// spec's listing of every request would show other citizens' reports.
func (s *Server) handleOpen311Requests(w http.ResponseWriter, r *http.Request, f open311Format) error {
	q := r.URL.Query()
	var codes []string
	for _, v := range q["service_request_id"] {
		for c := range strings.SplitSeq(v, ",") {
			if c = strings.TrimSpace(c); c != "" {
				codes = append(codes, c)
			}
		}
	}
	if len(codes) == 0 {
		return yaqaza.Invalidf("service_request_id", "service_request_id is required: the codes of the requests to follow, "+
			"comma-separated. Listing all requests is not offered, as it would show other citizens' reports")
	}
	if len(codes) > maxOpen311IDs {
		return yaqaza.Invalidf("service_request_id", "at most %d service_request_id at once, got %d", maxOpen311IDs, len(codes))
	}
	if err := s.chargeLookups(w, r, len(codes)-1); err != nil {
		return err
	}
	p, err := s.open311Pack(r.Context(), q.Get("jurisdiction_id"))
	if err != nil {
		return err
	}
	lang := language(r)
	list := make([]open311Request, 0, len(codes))
	for _, c := range codes {
		req, err := s.open311RequestOf(r.Context(), p, c, lang)
		if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
			continue
		} else if err != nil {
			return err
		}
		if !slices.ContainsFunc(list, func(o open311Request) bool { return o.ID == req.ID }) {
			list = append(list, *req)
		}
	}
	writeOpen311(w, f, http.StatusOK, list, open311RequestList{Requests: list})
	return nil
}

// chargeLookups takes n more tokens from an anonymous client's tracking
// budget, so that looking up many codes in one request guesses no faster
// than as many single lookups; the middleware took the first token.
func (s *Server) chargeLookups(w http.ResponseWriter, r *http.Request, n int) error {
	if s.RateLimits == nil || n <= 0 || yaqaza.ActorFromContext(r.Context()).Authenticated() {
		return nil
	}
	lim, key := s.RateLimits.Limiter(RuleTracking), clientKey(s.RateLimits.ClientIP(r))
	for range n {
		if ok, wait := lim.Allow(key); !ok {
			secs := max(1, int(math.Ceil(wait.Seconds())))
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			return yaqaza.Errorf(yaqaza.ERATELIMIT, "too many lookups: each code counts as one; try again in %d s", secs)
		}
	}
	return nil
}

// open311RequestOf is the public view of the request with this code. It is
// built from the tracking view, which already holds no personal data and
// redacts staff messages; the description, the reporter, media and the
// point are never read. The place is given as the zone's name only: even
// rounded to a kilometre, a point can single out a home where few live.
func (s *Server) open311RequestOf(ctx context.Context, p *yaqaza.Pack, code, lang string) (*open311Request, error) {
	v, err := s.Tracking.TrackReport(ctx, code, lang)
	if err != nil {
		return nil, err
	}
	req := &open311Request{
		ID:                v.Code,
		Status:            open311Status(v.Status),
		StatusNotes:       v.Message,
		AgencyResponsible: p.Names.In(lang),
		RequestedDatetime: v.ReceivedAt.UTC().Format(time.RFC3339),
		UpdatedDatetime:   v.UpdatedAt.UTC().Format(time.RFC3339),
	}
	if req.StatusNotes == "" {
		req.StatusNotes = v.Label
	}
	facts, ok := s.Tracking.(IncidentFacts)
	if !ok {
		return req, nil
	}
	category, zone, err := facts.TrackFacts(ctx, v.Code)
	if err != nil {
		return nil, err
	}
	req.ServiceCode = category
	if c := categoryOf(p, category); c != nil {
		req.ServiceName = c.Names.In(lang)
	}
	if z := p.Zone(zone); z != nil {
		req.Address = z.Names.In(lang)
	}
	return req, nil
}
