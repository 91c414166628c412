package yaqaza

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"
)

// A tracking code is 11 random symbols (55 bits) and one check symbol, in
// Crockford's base-32 alphabet, which has no I, L, O or U so that a code read
// out over the phone cannot be heard or written two ways. It is shown as
// three groups of four: "7KQM-9XPR-A3TD". The check symbol is Luhn mod 32,
// which catches every single wrong symbol and almost every swap of two
// neighbours, so a mistyped code is told apart from an unknown one.
const (
	trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	trackingRandom   = 11
	trackingLen      = trackingRandom + 1
)

// NewTrackingCode returns a fresh random tracking code in its display form.
func NewTrackingCode() string {
	var raw [trackingRandom]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	var b [trackingLen]byte
	for i, r := range raw {
		b[i] = trackingAlphabet[r&31]
	}
	// The check symbol makes the Luhn sum of all twelve symbols a multiple of 32.
	b[trackingRandom] = trackingAlphabet[luhn32(b[:trackingRandom], 2)]
	return formatTracking(b[:])
}

func formatTracking(b []byte) string {
	return string(b[0:4]) + "-" + string(b[4:8]) + "-" + string(b[8:12])
}

// luhnSum sums symbols from the right, doubling every other one starting with
// factor first, folding each product back into base 32.
func luhnSum(sym []byte, first int) int {
	factor, sum := first, 0
	for i := len(sym) - 1; i >= 0; i-- {
		add := factor * strings.IndexByte(trackingAlphabet, sym[i])
		sum += add/32 + add%32
		factor = 3 - factor
	}
	return sum
}

func luhn32(sym []byte, first int) int { return (32 - luhnSum(sym, first)%32) % 32 }

// ParseTrackingCode normalises a code as a person may type it (any case,
// with or without dashes or spaces, O for 0, I or L for 1) and checks it.
// A code of the wrong shape or whose check symbol does not match is ENOTFOUND
// (a citizen asking about it gets 404) with a message that says it was mistyped.
func ParseTrackingCode(s string) (string, error) {
	b := make([]byte, 0, trackingLen)
	for _, r := range strings.ToUpper(s) {
		switch {
		case r == '-' || r == ' ':
			continue
		case r == 'O':
			r = '0'
		case r == 'I' || r == 'L':
			r = '1'
		}
		if r > 127 || strings.IndexByte(trackingAlphabet, byte(r)) < 0 {
			return "", &Error{Code: ENOTFOUND, Field: "code", Message: fmt.Sprintf("tracking code contains %q, which is not used in codes: please check the code", string(r))}
		}
		b = append(b, byte(r))
		if len(b) > trackingLen {
			break
		}
	}
	if len(b) != trackingLen {
		return "", &Error{Code: ENOTFOUND, Field: "code", Message: "a tracking code has 12 characters (like 7KQM-9XPR-A3TD): please check the code"}
	}
	if luhnSum(b, 1)%32 != 0 {
		return "", &Error{Code: ENOTFOUND, Field: "code", Message: "tracking code " + formatTracking(b) + " is mistyped: its check character does not match, please check the code"}
	}
	return formatTracking(b), nil
}

// PublicStatus is the status a reporter sees: fewer, plainer steps than the
// internal lifecycle.
type PublicStatus string

const (
	PublicReceived    PublicStatus = "received"
	PublicInReview    PublicStatus = "in_review"
	PublicDispatched  PublicStatus = "officers_dispatched"
	PublicOnScene     PublicStatus = "officers_on_scene"
	PublicResolved    PublicStatus = "resolved"
	PublicClosed      PublicStatus = "closed"
	PublicReferred    PublicStatus = "referred"
	PublicNotAnswered PublicStatus = "cancelled"
)

// PublicStatusOf maps the internal lifecycle to what a reporter sees. A merged
// incident is followed to the incident it was merged into by the store.
func PublicStatusOf(s Status) PublicStatus {
	switch s {
	case StatusNew:
		return PublicReceived
	case StatusTriaged:
		return PublicInReview
	case StatusDispatched, StatusEnRoute:
		return PublicDispatched
	case StatusOnScene:
		return PublicOnScene
	case StatusResolved:
		return PublicResolved
	case StatusClosed:
		return PublicClosed
	case StatusReferred:
		return PublicReferred
	case StatusCancelled:
		return PublicNotAnswered
	}
	return PublicInReview
}

var publicStatusLabels = map[PublicStatus]Names{
	PublicReceived:    {AR: "تم استلام بلاغكم", FR: "Signalement reçu", EN: "Report received"},
	PublicInReview:    {AR: "قيد الدراسة", FR: "En cours d'examen", EN: "Under review"},
	PublicDispatched:  {AR: "تم إرسال عناصر الشرطة", FR: "Policiers envoyés sur place", EN: "Officers dispatched"},
	PublicOnScene:     {AR: "عناصر الشرطة في عين المكان", FR: "Policiers sur place", EN: "Officers on scene"},
	PublicResolved:    {AR: "تمت معالجة البلاغ", FR: "Signalement traité", EN: "Report handled"},
	PublicClosed:      {AR: "تم إغلاق الملف", FR: "Dossier clos", EN: "Case closed"},
	PublicReferred:    {AR: "أحيل على الجهة المختصة", FR: "Transmis au service compétent", EN: "Referred to the competent service"},
	PublicNotAnswered: {AR: "تم إغلاق البلاغ دون تدخل", FR: "Clos sans intervention", EN: "Closed without intervention"},
}

// Label returns the status in the reporter's language.
func (s PublicStatus) Label(lang string) string { return publicStatusLabels[s].In(lang) }

// TrackingStep is one public step of a report's history.
type TrackingStep struct {
	At      time.Time    `json:"at"`
	Status  PublicStatus `json:"status"`
	Label   string       `json:"label"`
	Message string       `json:"message,omitempty"`
}

// TrackingView is everything a reporter may see about their report: no
// personal data, no internal notes, nothing about other reports.
type TrackingView struct {
	Code       string         `json:"tracking_code"`
	Status     PublicStatus   `json:"status"`
	Label      string         `json:"label"`
	Message    string         `json:"message,omitempty"`
	ReceivedAt time.Time      `json:"received_at"`
	UpdatedAt  time.Time      `json:"updated_at"`
	History    []TrackingStep `json:"history"`
}

// TrackingService answers citizens who track their report.
type TrackingService interface {
	// TrackReport returns the public view of the report with this code, with
	// labels in lang. ENOTFOUND, with a message telling a mistyped code from an unknown one.
	TrackReport(ctx context.Context, code, lang string) (*TrackingView, error)
}
