package yaqaza

import (
	"context"
	"math"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is where a report came from.
type Channel string

const (
	ChannelCall    Channel = "call"    // an emergency call typed by a call-taker
	ChannelWeb     Channel = "web"     // the citizen web or mobile form
	ChannelOpen311 Channel = "open311" // an Open311 GeoReport client
	ChannelSocial  Channel = "social"  // a public post or video picked up from social media or news
	ChannelField   Channel = "field"   // an officer-initiated report
	ChannelAgency  Channel = "agency"  // a referral from another agency
	ChannelImport  Channel = "import"  // a bulk import of past records
)

// Channels lists every channel.
var Channels = []Channel{ChannelCall, ChannelWeb, ChannelOpen311, ChannelSocial, ChannelField, ChannelAgency, ChannelImport}

// Valid reports whether c is one of Channels.
func (c Channel) Valid() bool {
	for _, k := range Channels {
		if c == k {
			return true
		}
	}
	return false
}

// Public reports whether citizens may submit on this channel without a credential.
// Open311 is the same citizens through an app: the app's api_key names the
// app, not the person, so it is public too (and rate-limited per address).
func (c Channel) Public() bool { return c == ChannelWeb || c == ChannelOpen311 }

// Limits on report input. They are part of the API contract.
const (
	MaxTextRunes      = 10000
	MaxPlaceRunes     = 500
	MaxExternalIDLen  = 200
	MaxMediaPerReport = 20
	MaxURLLen         = 2048
	MaxIdempotencyKey = 200
)

// Point is a WGS84 position.
type Point struct {
	Lat float64 `json:"lat"`
	Lon float64 `json:"lon"`
}

// Validate checks the point's range.
func (p Point) Validate(field string) error {
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return Invalidf(field+".lat", "%s.lat must be between -90 and 90, got %g", field, p.Lat)
	}
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return Invalidf(field+".lon", "%s.lon must be between -180 and 180, got %g", field, p.Lon)
	}
	return nil
}

// Media is a reference to a photo, video or document, never its bytes.
type Media struct {
	URL    string `json:"url,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	Kind   string `json:"kind,omitempty"` // image, video, audio, document
}

// Contact is how to reach the person who reported. It is personal data: only
// roles that need it see it, and it never appears on public outputs.
type Contact struct {
	Name  string `json:"name,omitempty"`
	Phone string `json:"phone,omitempty"`
	Email string `json:"email,omitempty"`
}

// Empty reports whether no contact detail is given.
func (c *Contact) Empty() bool { return c == nil || (c.Name == "" && c.Phone == "" && c.Email == "") }

// Source describes a public post or article a report was taken from.
type Source struct {
	Platform string `json:"platform,omitempty"` // "facebook", "x", "youtube", "hespress"…
	URL      string `json:"url,omitempty"`
	// Author is the account handle as received. It is never stored: the store
	// keeps AuthorPseudonym, a keyed hash, instead (see the purpose limit).
	Author          string     `json:"author,omitempty"`
	AuthorPseudonym string     `json:"author_pseudonym,omitempty"`
	PostedAt        *time.Time `json:"posted_at,omitempty"`
	Views           int64      `json:"views,omitempty"`
	Shares          int64      `json:"shares,omitempty"`
	Reposts         int64      `json:"reposts,omitempty"`
	Comments        int64      `json:"comments,omitempty"`
	Likes           int64      `json:"likes,omitempty"`
}

// ReportInput is one signal as a sender submits it.
type ReportInput struct {
	Channel    Channel `json:"channel"`
	ExternalID string  `json:"external_id,omitempty"`
	Text       string  `json:"text"`
	// Language is the language the reporter wrote or spoke in, when the sender
	// knows it ("ar", "fr", "en"); replies to the reporter use it.
	Language   string     `json:"language,omitempty"`
	Location   *Point     `json:"location,omitempty"`
	Place      string     `json:"place,omitempty"`
	Media      []Media    `json:"media,omitempty"`
	Reporter   *Contact   `json:"reporter,omitempty"`
	Source     *Source    `json:"source,omitempty"`
	OccurredAt *time.Time `json:"occurred_at,omitempty"`
	// ReceivedAt may only be set on the import channel, to keep the original time.
	ReceivedAt *time.Time `json:"received_at,omitempty"`

	// IdempotencyKey comes from the request's Idempotency-Key header.
	IdempotencyKey string `json:"-"`
}

// ReplyLanguages are the languages the platform answers reporters in.
var ReplyLanguages = []string{"ar", "fr", "en"}

// Validate checks the input against the API contract. now bounds future times.
func (in *ReportInput) Validate(now time.Time) error {
	if in.Channel == "" {
		return Invalidf("channel", "channel is required (one of %s)", channelList())
	}
	if !in.Channel.Valid() {
		return Invalidf("channel", "unknown channel %q (expected one of %s)", truncate(string(in.Channel), 40), channelList())
	}
	if !utf8.ValidString(in.Text) {
		return Invalidf("text", "text is not valid UTF-8")
	}
	if strings.TrimSpace(in.Text) == "" {
		return Invalidf("text", "text is empty")
	}
	if n := utf8.RuneCountInString(in.Text); n > MaxTextRunes {
		return Invalidf("text", "text has %d characters, over the limit of %d", n, MaxTextRunes)
	}
	if len(in.ExternalID) > MaxExternalIDLen {
		return Invalidf("external_id", "external_id is longer than %d bytes", MaxExternalIDLen)
	}
	if len(in.IdempotencyKey) > MaxIdempotencyKey {
		return Invalidf("Idempotency-Key", "Idempotency-Key is longer than %d bytes", MaxIdempotencyKey)
	}
	if in.Language != "" && !validLanguage(in.Language) {
		return Invalidf("language", "language %q is not supported (expected ar, fr or en)", truncate(in.Language, 20))
	}
	if in.Location != nil {
		if err := in.Location.Validate("location"); err != nil {
			return err
		}
	}
	if !utf8.ValidString(in.Place) || utf8.RuneCountInString(in.Place) > MaxPlaceRunes {
		return Invalidf("place", "place must be valid text of at most %d characters", MaxPlaceRunes)
	}
	if len(in.Media) > MaxMediaPerReport {
		return Invalidf("media", "at most %d media references per report, got %d", MaxMediaPerReport, len(in.Media))
	}
	for i, m := range in.Media {
		if err := m.validate(i); err != nil {
			return err
		}
	}
	if err := in.Reporter.validate(); err != nil {
		return err
	}
	if err := in.Source.validate(); err != nil {
		return err
	}
	// A clock skew of a few minutes between devices is normal; more is an error.
	limit := now.Add(5 * time.Minute)
	if in.OccurredAt != nil && in.OccurredAt.After(limit) {
		return Invalidf("occurred_at", "occurred_at %s is in the future", in.OccurredAt.Format(time.RFC3339))
	}
	if in.ReceivedAt != nil {
		if in.Channel != ChannelImport {
			return Invalidf("received_at", "received_at may only be set on the import channel")
		}
		if in.ReceivedAt.After(limit) {
			return Invalidf("received_at", "received_at %s is in the future", in.ReceivedAt.Format(time.RFC3339))
		}
	}
	return nil
}

func (m Media) validate(i int) error {
	field := "media"
	if m.URL == "" && m.SHA256 == "" {
		return Invalidf(field, "media[%d] needs a url or a sha256", i)
	}
	if m.URL != "" {
		if err := validateURL(m.URL); err != nil {
			return Invalidf(field, "media[%d].url %s", i, ErrorMessage(err))
		}
	}
	if m.SHA256 != "" && !isHex(m.SHA256, 64) {
		return Invalidf(field, "media[%d].sha256 must be 64 hexadecimal characters", i)
	}
	switch m.Kind {
	case "", "image", "video", "audio", "document":
	default:
		return Invalidf(field, "media[%d].kind %q is not one of image, video, audio, document", i, truncate(m.Kind, 20))
	}
	return nil
}

func (c *Contact) validate() error {
	if c == nil {
		return nil
	}
	if len(c.Name) > 200 || !utf8.ValidString(c.Name) {
		return Invalidf("reporter.name", "reporter.name must be valid text of at most 200 bytes")
	}
	if c.Phone != "" {
		digits := 0
		for _, r := range c.Phone {
			switch {
			case r >= '0' && r <= '9':
				digits++
			case r == '+' || r == ' ' || r == '-' || r == '(' || r == ')' || r == '.':
			default:
				return Invalidf("reporter.phone", "reporter.phone may hold only digits, spaces and + - ( ) .")
			}
		}
		if digits < 6 || digits > 15 {
			return Invalidf("reporter.phone", "reporter.phone must have between 6 and 15 digits")
		}
	}
	if c.Email != "" {
		at := strings.LastIndexByte(c.Email, '@')
		if len(c.Email) > 254 || at < 1 || at == len(c.Email)-1 || strings.ContainsAny(c.Email, " \t\r\n<>") {
			return Invalidf("reporter.email", "reporter.email is not an e-mail address")
		}
	}
	return nil
}

func (s *Source) validate() error {
	if s == nil {
		return nil
	}
	if len(s.Platform) > 50 {
		return Invalidf("source.platform", "source.platform is longer than 50 bytes")
	}
	if s.URL != "" {
		if err := validateURL(s.URL); err != nil {
			return Invalidf("source.url", "source.url %s", ErrorMessage(err))
		}
	}
	if len(s.Author) > 200 {
		return Invalidf("source.author", "source.author is longer than 200 bytes")
	}
	for _, c := range []struct {
		name string
		v    int64
	}{{"views", s.Views}, {"shares", s.Shares}, {"reposts", s.Reposts}, {"comments", s.Comments}, {"likes", s.Likes}} {
		if c.v < 0 {
			return Invalidf("source."+c.name, "source.%s must not be negative", c.name)
		}
	}
	return nil
}

func validateURL(s string) error {
	if len(s) > MaxURLLen {
		return Errorf(EINVALID, "is longer than %d bytes", MaxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Errorf(EINVALID, "must be an absolute http or https URL")
	}
	return nil
}

func validLanguage(l string) bool {
	for _, k := range ReplyLanguages {
		if l == k {
			return true
		}
	}
	return false
}

func isHex(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

func channelList() string {
	s := make([]string, len(Channels))
	for i, c := range Channels {
		s[i] = string(c)
	}
	return strings.Join(s, ", ")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Report is one signal from one channel, as kept in the ledger.
type Report struct {
	ID           int64      `json:"id"`
	IncidentID   int64      `json:"incident_id"`
	TrackingCode string     `json:"tracking_code"`
	Channel      Channel    `json:"channel"`
	ExternalID   string     `json:"external_id,omitempty"`
	Text         string     `json:"text"`
	Language     string     `json:"language,omitempty"`
	Location     *Point     `json:"location,omitempty"`
	Place        string     `json:"place,omitempty"`
	Media        []Media    `json:"media,omitempty"`
	Reporter     *Contact   `json:"reporter,omitempty"`
	Source       *Source    `json:"source,omitempty"`
	OccurredAt   *time.Time `json:"occurred_at,omitempty"`
	ReceivedAt   time.Time  `json:"received_at"`
	// SubmittedBy is the actor who submitted the report (a call-taker, a feed token).
	SubmittedBy string `json:"submitted_by"`
	// Assessment is what triage concluded, with its reasons.
	Assessment *Assessment `json:"assessment,omitempty"`
}

// Receipt is the answer to a submitted report: what the sender keeps.
type Receipt struct {
	ReportID     int64     `json:"report_id"`
	TrackingCode string    `json:"tracking_code"`
	IncidentID   int64     `json:"incident_id"`
	ReceivedAt   time.Time `json:"received_at"`
	// Replayed is true when this is the stored answer to an earlier submission
	// with the same idempotency key or (channel, external_id).
	Replayed bool `json:"-"`
	// Dropped is set, with DropReason, when a public post was not about a
	// public-safety incident: it was counted and not stored.
	Dropped    bool   `json:"dropped,omitempty"`
	DropReason string `json:"drop_reason,omitempty"`
	// Triage summarises the assessment, for staff (not for the public).
	Triage *ReceiptTriage `json:"triage,omitempty"`
	// Opened is the priority of the incident the report opened; zero when
	// it joined one or was replayed. (Auto-dispatch reads it.)
	Opened Priority `json:"-"`
}

// ReceiptTriage tells the sender what triage made of the report: the
// call-taker sees at once that a call joined a known incident.
type ReceiptTriage struct {
	Category string   `json:"category"`
	Priority Priority `json:"priority"`
	Zone     string   `json:"zone,omitempty"`
	Joined   bool     `json:"joined"`
	Reason   string   `json:"reason,omitempty"`
}

// BatchItem is the outcome of one line of a batch: a receipt or an error.
type BatchItem struct {
	Receipt *Receipt
	Err     error
}

// ReportService takes reports in and gives them back.
type ReportService interface {
	// SubmitReport validates, places and durably records one report and opens
	// or joins an incident. It returns only once the report is committed to
	// stable storage. A repeated idempotency key or (channel, external_id)
	// returns the first receipt with Replayed set. Channels other than web
	// need an authenticated actor (EUNAUTHORIZED).
	SubmitReport(ctx context.Context, in *ReportInput) (*Receipt, error)

	// SubmitReports records many reports. Every input is validated first; if
	// any is invalid and partial is false, nothing is written and the error is
	// a *BatchError listing every bad line. With partial, valid inputs are
	// written and each item carries its own outcome.
	SubmitReports(ctx context.Context, ins []*ReportInput, partial bool) ([]BatchItem, error)

	// FindReportByID returns a report. ENOTFOUND if it does not exist.
	FindReportByID(ctx context.Context, id int64) (*Report, error)
}

// LineError is one invalid line of a batch.
type LineError struct {
	Line  int    `json:"line"`
	Code  string `json:"code"`
	Field string `json:"field,omitempty"`
	Msg   string `json:"message"`
}

// BatchError is returned when a batch is refused because of invalid lines.
type BatchError struct {
	Lines []LineError
	Total int
}

func (e *BatchError) Error() string {
	return ErrorMessage(e.AsError())
}

// AsError summarises the batch error as an EINVALID *Error.
func (e *BatchError) AsError() *Error {
	first := e.Lines[0]
	return Errorf(EINVALID, "%d of %d lines are invalid, nothing was written; first: line %d: %s",
		len(e.Lines), e.Total, first.Line, first.Msg)
}

// Unwrap lets errors.As find the summary *Error.
func (e *BatchError) Unwrap() error { return e.AsError() }
