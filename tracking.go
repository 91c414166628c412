package yaqaza

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"
	"strings"
	"time"
)

// A tracking code stands for one report. It is 11 symbols that carry 55
// bits and one check symbol, in Crockford's base-32 alphabet, which has no I,
// L, O or U so that a code read out over the phone cannot be heard or written
// two ways. It is shown as three groups of four: "7KQM-9XPR-A3TD". The check
// symbol is Luhn mod 32, which catches every single wrong symbol and almost
// every swap of two neighbours, so a mistyped code is told apart from an
// unknown one.
//
// The 55 bits are the report's id put through a keyed pseudo-random
// permutation (see TrackingCodes): unique by construction, unguessable
// without the installation's key, and turned back into the id on lookup,
// so the store needs no index over random codes.
const (
	trackingAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	trackingPayload  = 11
	trackingLen      = trackingPayload + 1
	trackingBits     = 5 * trackingPayload // 55
)

// TrackingCodes turns report ids into tracking codes and back.
type TrackingCodes struct {
	block cipher.Block
}

// TrackingKeySize is the size of the key of TrackingCodes.
const TrackingKeySize = 16

// NewTrackingCodes returns codes under key. The key must stay the same for
// the life of an installation: a new key changes every code.
func NewTrackingCodes(key []byte) (*TrackingCodes, error) {
	if len(key) != TrackingKeySize {
		return nil, fmt.Errorf("tracking key must be %d bytes, got %d", TrackingKeySize, len(key))
	}
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return &TrackingCodes{block: b}, nil
}

// The permutation is a balanced Feistel network over 56 bits (two halves of
// 28) with AES as its round function, restricted to 55 bits by cycle
// walking: a value that lands outside is permuted again until it lands
// inside. With eight rounds of a pseudo-random function this is a strong
// pseudo-random permutation (Luby–Rackoff).
const (
	feistelRounds = 8
	halfBits      = 28
	halfMask      = 1<<halfBits - 1
	domain        = uint64(1) << trackingBits
)

// round is the Feistel function of round r. buf holds an input and an
// output block: the cipher's interface makes them escape, so one buffer
// serves all the rounds of a permutation.
func (c *TrackingCodes) round(buf *[2 * aes.BlockSize]byte, r int, v uint32) uint32 {
	in, out := buf[:aes.BlockSize], buf[aes.BlockSize:]
	clear(in)
	in[0] = byte(r)
	binary.BigEndian.PutUint32(in[1:], v)
	c.block.Encrypt(out, in)
	return binary.BigEndian.Uint32(out) & halfMask
}

func (c *TrackingCodes) permute(x uint64) uint64 {
	buf := new([2 * aes.BlockSize]byte)
	for {
		l, r := uint32(x>>halfBits)&halfMask, uint32(x)&halfMask
		for i := 0; i < feistelRounds; i++ {
			l, r = r, l^c.round(buf, i, r)
		}
		x = uint64(l)<<halfBits | uint64(r)
		if x < domain {
			return x
		}
	}
}

func (c *TrackingCodes) unpermute(x uint64) uint64 {
	buf := new([2 * aes.BlockSize]byte)
	for {
		l, r := uint32(x>>halfBits)&halfMask, uint32(x)&halfMask
		for i := feistelRounds - 1; i >= 0; i-- {
			l, r = r^c.round(buf, i, l), l
		}
		x = uint64(l)<<halfBits | uint64(r)
		if x < domain {
			return x
		}
	}
}

// Code returns the tracking code of report id, in its display form.
func (c *TrackingCodes) Code(id int64) string {
	v := c.permute(uint64(id) % domain)
	var b [trackingLen]byte
	for i := trackingPayload - 1; i >= 0; i-- {
		b[i] = trackingAlphabet[v&31]
		v >>= 5
	}
	// The check symbol makes the Luhn sum of all twelve symbols a multiple of 32.
	b[trackingPayload] = trackingAlphabet[(32-luhnSum(b[:trackingPayload], 2)%32)%32]
	return formatTracking(b[:])
}

// ReportID reads a code as a person may type it (any case, with or without
// dashes or spaces, O for 0, I or L for 1) and returns the report id it
// stands for, which may not exist. A code of the wrong shape or whose check
// symbol does not match is ENOTFOUND (a citizen asking about it gets 404)
// with a message that says it was mistyped.
func (c *TrackingCodes) ReportID(code string) (int64, string, error) {
	b, err := normaliseTracking(code)
	if err != nil {
		return 0, "", err
	}
	var v uint64
	for _, s := range b[:trackingPayload] {
		v = v<<5 | uint64(strings.IndexByte(trackingAlphabet, s))
	}
	return int64(c.unpermute(v)), formatTracking(b), nil
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

func normaliseTracking(s string) ([]byte, error) {
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
			return nil, &Error{Code: ENOTFOUND, Field: "code", Message: fmt.Sprintf("tracking code contains %q, which is not used in codes: please check the code", string(r))}
		}
		b = append(b, byte(r))
		if len(b) > trackingLen {
			break
		}
	}
	if len(b) != trackingLen {
		return nil, &Error{Code: ENOTFOUND, Field: "code", Message: "a tracking code has 12 characters (like 7KQM-9XPR-A3TD): please check the code"}
	}
	if luhnSum(b, 1)%32 != 0 {
		return nil, &Error{Code: ENOTFOUND, Field: "code", Message: "tracking code " + formatTracking(b) + " is mistyped: its check character does not match, please check the code"}
	}
	return b, nil
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
