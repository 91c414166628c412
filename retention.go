package yaqaza

import (
	"fmt"
	"time"
)

// Retention says how long personal data is kept once it has served. A
// daily job applies it and leaves a line in the audit trail.
type Retention struct {
	// ContactsAfterClosed: reporters' contact details and media references
	// are erased this long after their incident ended.
	ContactsAfterClosed Duration `json:"contacts_after_closed"`
	// SocialAfterDismissed: the text, address and author pseudonym of a
	// public post whose incident was dismissed (not a police matter,
	// unfounded, a duplicate) are erased after this.
	SocialAfterDismissed Duration `json:"social_after_dismissed"`
	// OutboxAfterSent: a sent notification's recipient address is erased after this.
	OutboxAfterSent Duration `json:"outbox_after_sent"`
}

// DefaultRetention is where a prefecture starts: contact details for six
// months after the case ends (appeals, callbacks), dismissed posts for 30
// days, notification addresses for 90.
var DefaultRetention = Retention{
	ContactsAfterClosed:  Duration(180 * 24 * time.Hour),
	SocialAfterDismissed: Duration(30 * 24 * time.Hour),
	OutboxAfterSent:      Duration(90 * 24 * time.Hour),
}

// Bounds of a retention period: at least a day (the job runs daily; less
// would erase what a case still needs), at most ten years.
const (
	MinRetention = Duration(24 * time.Hour)
	MaxRetention = Duration(10 * 365 * 24 * time.Hour)
)

// WithDefaults fills the periods a pack leaves out with DefaultRetention's.
func (r Retention) WithDefaults() Retention {
	d := DefaultRetention
	if r.ContactsAfterClosed != 0 {
		d.ContactsAfterClosed = r.ContactsAfterClosed
	}
	if r.SocialAfterDismissed != 0 {
		d.SocialAfterDismissed = r.SocialAfterDismissed
	}
	if r.OutboxAfterSent != 0 {
		d.OutboxAfterSent = r.OutboxAfterSent
	}
	return d
}

// Validate checks that every period given is within the bounds.
func (r Retention) Validate() error {
	for _, f := range []struct {
		name string
		d    Duration
	}{{"contacts_after_closed", r.ContactsAfterClosed}, {"social_after_dismissed", r.SocialAfterDismissed},
		{"outbox_after_sent", r.OutboxAfterSent}} {
		if f.d != 0 && (f.d < MinRetention || f.d > MaxRetention) {
			return Invalidf("retention."+f.name, "retention %s is %s: it must be between %s and %s", f.name,
				time.Duration(f.d), time.Duration(MinRetention), time.Duration(MaxRetention))
		}
	}
	return nil
}

// String names the periods, for the audit trail.
func (r Retention) String() string {
	return fmt.Sprintf("contacts %s after the case ended, dismissed posts %s, notification addresses %s",
		time.Duration(r.ContactsAfterClosed), time.Duration(r.SocialAfterDismissed), time.Duration(r.OutboxAfterSent))
}

// RetentionRun is what one run of the retention job erased.
type RetentionRun struct {
	At             time.Time `json:"at"`
	Contacts       int       `json:"contacts"`
	SocialPosts    int       `json:"social_posts"`
	Notifications  int       `json:"notifications"`
	ExpiredSession int       `json:"expired_sessions"`
}

// ErasedText replaces the text of a report erased under retention.
const ErasedText = "[erased under the retention rules]"
