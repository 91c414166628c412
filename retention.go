package yaqaza

import "time"

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
