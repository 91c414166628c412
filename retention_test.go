package yaqaza

import (
	"strings"
	"testing"
	"time"
)

func TestRetentionDefaultsAndBounds(t *testing.T) {
	week := Duration(7 * 24 * time.Hour)
	r := Retention{ContactsAfterClosed: week}.WithDefaults()
	if r.ContactsAfterClosed != week || r.SocialAfterDismissed != DefaultRetention.SocialAfterDismissed ||
		r.OutboxAfterSent != DefaultRetention.OutboxAfterSent {
		t.Fatalf("defaults not filled: %+v", r)
	}
	if err := r.Validate(); err != nil {
		t.Fatalf("valid periods refused: %v", err)
	}
	for _, c := range []struct {
		r    Retention
		want string
	}{
		{Retention{ContactsAfterClosed: Duration(time.Hour)}, "retention contacts_after_closed is 1h0m0s: it must be between 24h0m0s and"},
		{Retention{SocialAfterDismissed: MaxRetention + 1}, "retention social_after_dismissed"},
		{Retention{OutboxAfterSent: -week}, "retention outbox_after_sent"},
	} {
		if err := c.r.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want %q", c.r, err, c.want)
		}
	}
	p := &Pack{ID: "x", Zones: []Zone{{Code: "z", Geometry: []byte(`{}`)}}, Retention: &Retention{OutboxAfterSent: Duration(time.Minute)}}
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "outbox_after_sent") {
		t.Fatalf("a pack with a bad retention period: %v", err)
	}
}
