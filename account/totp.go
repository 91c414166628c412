package account

import (
	"crypto/subtle"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
	"github.com/pquerna/otp/totp"
)

// TOTP settings are those every authenticator app understands (RFC 6238
// defaults); SHA-1 is weak for collisions but not as an HMAC, and some apps
// silently ignore other algorithms and then show wrong codes.
const (
	totpPeriod     = 30 // seconds
	totpSecretSize = 20 // bytes: the RFC 4226 recommended 160 bits
	totpDigits     = otp.DigitsSix
	totpAlgorithm  = otp.AlgorithmSHA1
)

// NewTOTP returns a fresh base32 secret to store for the account and the
// otpauth:// URL to show as a QR code to the user's authenticator app.
func NewTOTP(issuer, account string) (secret, otpauthURL string, err error) {
	key, err := totp.Generate(totp.GenerateOpts{
		Issuer:      issuer,
		AccountName: account,
		Period:      totpPeriod,
		SecretSize:  totpSecretSize,
		Digits:      totpDigits,
		Algorithm:   totpAlgorithm,
	})
	if err != nil {
		return "", "", err
	}
	return key.Secret(), key.URL(), nil
}

// VerifyTOTP reports whether code is the code of secret at now, or one step
// (30 s) before or after it to allow for clock drift; spaces in code are
// ignored ("123 456"). step is the time step that matched.
//
// A code stays valid for up to 90 s, so a code seen over a shoulder or in a
// proxy log could be used again. The caller must store the last step used by
// the account and refuse the code when step <= that last step, then store the
// new step. When a code matches two steps (one chance in a million), the
// earliest is returned, so that a replay is refused rather than let through.
func VerifyTOTP(secret, code string, now time.Time) (step int64, ok bool) {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != totpDigits.Length() || strings.Trim(code, "0123456789") != "" {
		return 0, false
	}
	current := now.Unix() / totpPeriod
	for s := current - 1; s <= current+1; s++ {
		want, err := hotp.GenerateCodeCustom(secret, uint64(s), hotp.ValidateOpts{
			Digits:    totpDigits,
			Algorithm: totpAlgorithm,
		})
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}
