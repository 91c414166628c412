package account

import (
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

// rfcSecret is the SHA-1 seed of RFC 6238 appendix B, "12345678901234567890",
// in base32. The expected codes below are the last six digits of the RFC's.
const rfcSecret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

func TestVerifyTOTP(t *testing.T) {
	at := func(unix int64) time.Time { return time.Unix(unix, 0) }
	tests := []struct {
		name     string
		secret   string
		code     string
		now      time.Time
		wantStep int64
		ok       bool
	}{
		{"rfc vector 59", rfcSecret, "287082", at(59), 1, true},
		{"rfc vector 1111111109", rfcSecret, "081804", at(1111111109), 37037036, true},
		{"rfc vector 1234567890", rfcSecret, "005924", at(1234567890), 41152263, true},
		{"rfc vector 2000000000", rfcSecret, "279037", at(2000000000), 66666666, true},
		{"lower-case secret", "gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "005924", at(1234567890), 41152263, true},
		{"with a space", rfcSecret, "005 924", at(1234567890), 41152263, true},
		{"with spaces around", rfcSecret, " 00 59 24 ", at(1234567890), 41152263, true},
		{"one step late", rfcSecret, "005924", at(1234567890 + 30), 41152263, true},
		{"one step early", rfcSecret, "005924", at(1234567890 - 30), 41152263, true},
		{"two steps late", rfcSecret, "005924", at(1234567890 + 60), 0, false},
		{"two steps early", rfcSecret, "005924", at(1234567890 - 60), 0, false},
		{"wrong code", rfcSecret, "005925", at(1234567890), 0, false},
		{"five digits", rfcSecret, "05924", at(1234567890), 0, false},
		{"seven digits", rfcSecret, "0059240", at(1234567890), 0, false},
		{"letters", rfcSecret, "00592a", at(1234567890), 0, false},
		{"sign", rfcSecret, "+05924", at(1234567890), 0, false},
		{"empty", rfcSecret, "", at(1234567890), 0, false},
		{"secret not base32", "not base32!", "005924", at(1234567890), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			step, ok := VerifyTOTP(tt.secret, tt.code, tt.now)
			if ok != tt.ok || step != tt.wantStep {
				t.Errorf("VerifyTOTP = %d, %v; want %d, %v", step, ok, tt.wantStep, tt.ok)
			}
		})
	}
}

// TestTOTPReplay shows the contract with the caller: a code already used
// matches the same step again, which the caller refuses.
func TestTOTPReplay(t *testing.T) {
	now := time.Unix(1234567890, 0)
	step, ok := VerifyTOTP(rfcSecret, "005924", now)
	if !ok {
		t.Fatal("first use refused")
	}
	lastUsed := step
	again, ok := VerifyTOTP(rfcSecret, "005924", now.Add(20*time.Second))
	if !ok || again > lastUsed {
		t.Errorf("replay gave step %d (ok %v); want the used step %d, for the caller to refuse", again, ok, lastUsed)
	}
}

func TestNewTOTP(t *testing.T) {
	secret, raw, err := NewTOTP("Yaqaza Fès", "k.benali")
	if err != nil {
		t.Fatal(err)
	}
	if len(secret) != 32 { // 20 bytes in unpadded base32
		t.Errorf("secret %q: want 32 base32 characters", secret)
	}
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if u.Scheme != "otpauth" || u.Host != "totp" || u.Path != "/Yaqaza Fès:k.benali" {
		t.Errorf("URL %q: want otpauth://totp/Yaqaza Fès:k.benali", raw)
	}
	want := map[string]string{"secret": secret, "issuer": "Yaqaza Fès", "period": "30", "digits": "6", "algorithm": "SHA1"}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("URL parameter %s = %q, want %q", k, q.Get(k), v)
		}
	}
	other, _, _ := NewTOTP("Yaqaza Fès", "k.benali")
	if other == secret {
		t.Error("two secrets are equal: they are not random")
	}
	now := time.Now()
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := VerifyTOTP(secret, code, now); !ok {
		t.Errorf("the code of a new secret is refused")
	}
	if _, _, err := NewTOTP("", "k.benali"); err == nil {
		t.Error("no error without an issuer")
	}
}
