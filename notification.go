package yaqaza

import (
	"context"
	"time"
)

// Notification channels.
const (
	NotifyEmail   = "email"
	NotifySMS     = "sms"
	NotifyWebhook = "webhook"
)

// Subscriber is someone the platform tells of escalations: a district
// head's e-mail or phone, the command's duty line, a webhook of another
// system. (Accounts will carry these; until then they are set by admins.)
type Subscriber struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	// Role is who they are in the escalation chain (district_head, command).
	Role Role `json:"role"`
	// Zone limits a district head to their district; empty for all.
	Zone     string `json:"zone,omitempty"`
	Channel  string `json:"channel"` // NotifyEmail, NotifySMS, NotifyWebhook
	Address  string `json:"address"`
	Language string `json:"language,omitempty"`
	// Secret signs webhook deliveries; it is never shown again.
	Secret string `json:"secret,omitempty"`
}

// Validate checks a subscriber.
func (s *Subscriber) Validate() error {
	if s.Name == "" || len(s.Name) > 200 {
		return Invalidf("name", "a subscriber needs a name of 1 to 200 bytes")
	}
	if !s.Role.Valid() {
		return Invalidf("role", "unknown role %q", truncate(string(s.Role), 40))
	}
	switch s.Channel {
	case NotifyEmail:
		if err := (&Contact{Email: s.Address}).validate(); err != nil || s.Address == "" {
			return Invalidf("address", "address must be an e-mail address")
		}
	case NotifySMS:
		if err := (&Contact{Phone: s.Address}).validate(); err != nil || s.Address == "" {
			return Invalidf("address", "address must be a phone number")
		}
	case NotifyWebhook:
		if err := validateURL(s.Address); err != nil {
			return Invalidf("address", "address %s", err.Error())
		}
		if len(s.Secret) < 16 {
			return Invalidf("secret", "a webhook needs a secret of at least 16 bytes to sign deliveries")
		}
	default:
		return Invalidf("channel", "channel must be email, sms or webhook")
	}
	if s.Language != "" && !validLanguage(s.Language) {
		return Invalidf("language", "language must be ar, fr or en")
	}
	return nil
}

// Notification is one message in the outbox.
type Notification struct {
	ID         int64      `json:"id"`
	CreatedAt  time.Time  `json:"created_at"`
	Channel    string     `json:"channel"`
	Recipient  string     `json:"recipient"`
	Subject    string     `json:"subject,omitempty"`
	Body       string     `json:"body,omitempty"`
	Data       []byte     `json:"-"`
	Secret     string     `json:"-"`
	IncidentID int64      `json:"incident_id,omitempty"`
	ReportID   int64      `json:"report_id,omitempty"`
	Status     string     `json:"status"` // pending, sent, failed
	Attempts   int        `json:"attempts"`
	LastError  string     `json:"last_error,omitempty"`
	SentAt     *time.Time `json:"sent_at,omitempty"`
}

// DeliveryOutcome is what became of one delivery attempt.
type DeliveryOutcome struct {
	Err error
	// RetryAt is when to try again; nil with Err set means give up.
	RetryAt *time.Time
}

// Messenger writes the texts of notifications, in the recipient's language.
type Messenger interface {
	Escalation(lang string, incidentID int64, level, stage string, overdue time.Duration, summary string) (subject, body string)
	Reporter(lang string, status PublicStatus, trackingCode, publicMessage string) (subject, body string)
}

// FollowupService runs the clocks: it escalates incidents whose deadlines
// passed and delivers the outbox.
type FollowupService interface {
	// EscalateDue escalates, once each, the incidents whose follow-up timer
	// is due at now. It returns how many it escalated.
	EscalateDue(ctx context.Context, now time.Time) (int, error)
}
