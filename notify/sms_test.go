package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

func TestSMSPayloadAndAuth(t *testing.T) {
	var got map[string]any
	var auth, ctype string
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth, ctype = r.Header.Get("Authorization"), r.Header.Get("Content-Type")
		if err := json.NewDecoder(r.Body).Decode(&got); err != nil {
			t.Error(err)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer gateway.Close()

	s := &SMSSender{GatewayURL: gateway.URL + "/send", Token: "tok-123", CountryCode: "212"}
	subject, body := ReporterMessage("ar", "resolved", "7KQM-9XPR-A3TD", "")
	err := s.Send(context.Background(), Message{ID: 77, Channel: ChannelSMS, To: "0661 23 45 67", Subject: subject, Body: body, Attempt: 1})
	if err != nil {
		t.Fatal(err)
	}
	if auth != "Bearer tok-123" || ctype != "application/json" {
		t.Errorf("Authorization %q, Content-Type %q", auth, ctype)
	}
	want := map[string]any{"to": "+212661234567", "text": body, "id": "77"}
	if len(got) != len(want) {
		t.Errorf("payload %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("payload %s = %v, want %v", k, got[k], v)
		}
	}
}

func TestSMSClassifiesAnswers(t *testing.T) {
	status := 0
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(status)
	}))
	defer gateway.Close()
	s := &SMSSender{GatewayURL: gateway.URL, Token: "t"}
	m := Message{ID: 1, To: "+33 6 12 34 56 78", Body: "x"}
	for _, c := range []struct {
		status        int
		ok, permanent bool
	}{{200, true, false}, {429, false, false}, {408, false, false}, {500, false, false}, {503, false, false},
		{400, false, true}, {401, false, true}, {403, false, true}, {422, false, true}} {
		status = c.status
		err := s.Send(context.Background(), m)
		if (err == nil) != c.ok || IsPermanent(err) != c.permanent {
			t.Errorf("%d: %v (permanent %v)", c.status, err, IsPermanent(err))
		}
	}
	for name, m := range map[string]Message{
		"no country code": {ID: 2, To: "0661234567", Body: "x"},
		"letters":         {ID: 3, To: "+212 66A", Body: "x"},
		"no text":         {ID: 4, To: "+212661234567", Body: "  "},
	} {
		if err := s.Send(context.Background(), m); !IsPermanent(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if err := (&SMSSender{GatewayURL: gateway.URL}).Send(context.Background(), m); err == nil || IsPermanent(err) {
		t.Errorf("no token: %v", err)
	}
}

func TestNormalisePhone(t *testing.T) {
	for _, c := range []struct{ in, cc, want string }{
		{"+212 661 23 45 67", "", "+212661234567"},
		{"+212 (0)661-23.45.67", "", "+212661234567"},
		{"00212661234567", "", "+212661234567"},
		{"0661234567", "212", "+212661234567"},
		{"212661234567", "212", "+212661234567"},
		{"06 12 34 56 78", "33", "+33612345678"},
		{"0661234567", "", ""},
		{"+0661234567", "", ""},
		{"+1234", "", ""},
		{"+12345678901234567", "", ""},
		{"661234567", "212", ""},
		{"+212 661 23 45 67 ext 2", "", ""},
	} {
		got, err := NormalisePhone(c.in, c.cc)
		if got != c.want || (err != nil) != (c.want == "") {
			t.Errorf("NormalisePhone(%q, %q) = %q, %v; want %q", c.in, c.cc, got, err, c.want)
		}
	}
}
