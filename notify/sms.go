package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// SMSSender hands text messages to an HTTP SMS gateway: a POST of
// {"to":"+212661234567","text":"…","id":"42"} as JSON, with the token as a
// bearer credential. id is the delivery id, for the gateway to drop a
// repeat. The answer is sorted as for webhooks: 2xx sent; 408, 429, 5xx and
// network failures retried; any other answer Permanent.
type SMSSender struct {
	GatewayURL string
	Token      string
	// CountryCode, such as "212", turns a national number into an
	// international one: "0661 23 45 67" becomes "+212661234567". Empty:
	// numbers must be written with their country code.
	CountryCode string
	// Client makes the requests; nil for one with timeouts that follows no
	// redirects.
	Client *http.Client
}

var _ Sender = (*SMSSender)(nil)

// smsRequest is the body the gateway receives.
type smsRequest struct {
	To   string `json:"to"`
	Text string `json:"text"`
	ID   string `json:"id"`
}

// Send implements Sender. The text is the message's Body (its Subject when
// the body is empty); the gateway splits a long text into parts.
func (s *SMSSender) Send(ctx context.Context, m Message) error {
	u, err := checkURL(s.GatewayURL)
	if err != nil || s.Token == "" {
		// A setting to fix, not a message to drop: the message waits.
		return errors.Join(errors.New("notify: SMS gateway URL or token not set"), err)
	}
	to, err := NormalisePhone(m.To, s.CountryCode)
	if err != nil {
		return Permanent(fmt.Errorf("notify: SMS %d: %w", m.ID, err))
	}
	text := strings.TrimSpace(m.Body)
	if text == "" {
		text = strings.TrimSpace(m.Subject)
	}
	if text == "" {
		return Permanent(fmt.Errorf("notify: SMS %d has no text", m.ID))
	}
	body, err := json.Marshal(smsRequest{To: to, Text: text, ID: strconv.FormatInt(m.ID, 10)})
	if err != nil {
		return Permanent(err)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("Authorization", "Bearer "+s.Token)
	if err := post(ctx, s.Client, u, h, body); err != nil {
		return fmt.Errorf("notify: SMS %d: %w", m.ID, err)
	}
	return nil
}

// NormalisePhone returns a number in international E.164 form
// ("+212661234567") from one written with spaces, dots, dashes or
// brackets, with "+" or "00" before the country code (and a "(0)" after
// it, dropped). When countryCode is
// set ("212"), a national number with its leading 0 ("0661234567"), or one
// that starts with the country code but lacks the "+", is read as a number
// of that country. Anything else is refused: the gateway could not tell
// where to send it.
func NormalisePhone(s, countryCode string) (string, error) {
	var b strings.Builder
	// "+212 (0)661…": the bracketed 0 is dialled only from inside the country.
	for i, r := range strings.ReplaceAll(strings.TrimSpace(s), "(0)", "") {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '.' || r == '-' || r == '(' || r == ')':
		default:
			return "", fmt.Errorf("phone number %q has a %q", s, r)
		}
	}
	n := b.String()
	switch {
	case strings.HasPrefix(n, "+"):
	case strings.HasPrefix(n, "00"):
		n = "+" + n[2:]
	case countryCode != "" && strings.HasPrefix(n, "0"):
		n = "+" + countryCode + n[1:]
	case countryCode != "" && strings.HasPrefix(n, countryCode) && len(n) > len(countryCode)+6:
		n = "+" + n
	}
	// E.164: a country code that does not start with 0, 15 digits at most.
	if !strings.HasPrefix(n, "+") || len(n) < 9 || len(n) > 16 || n[1] == '0' {
		return "", fmt.Errorf("phone number %q is not an international number such as +212 661 23 45 67", s)
	}
	return n, nil
}
