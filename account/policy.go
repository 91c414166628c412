package account

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	MinPasswordLen = 12  // characters (runes), not bytes: Arabic letters are two bytes
	MaxPasswordLen = 256 // enough for any passphrase; bounds the hashing work
	// minContextWordLen keeps one- and two-letter name parts ("El", "Al") from
	// ruling out half the passwords that happen to contain them.
	minContextWordLen = 3
)

// PolicyError says which password rule was broken. Message is a sentence fit
// to show to the administrator who typed the password.
type PolicyError struct {
	Rule    string // one of the Rule constants
	Message string
}

func (e *PolicyError) Error() string { return e.Message }

// Rules a password can break, stable for callers that switch on them.
const (
	RuleTooShort = "too_short"
	RuleTooLong  = "too_long"
	RuleEncoding = "encoding"
	RuleRepeated = "repeated"
	RulePersonal = "personal"
	RuleCommon   = "common"
)

// CheckPasswordPolicy returns a *PolicyError when pw may not be used as a
// password. context holds words tied to the account (user name, display name):
// the password may not contain any of them, nor any of their words of three
// or more letters, ignoring case.
func CheckPasswordPolicy(pw string, context ...string) error {
	if !utf8.ValidString(pw) {
		return &PolicyError{RuleEncoding, "The password must be valid UTF-8 text."}
	}
	n := utf8.RuneCountInString(pw)
	if n < MinPasswordLen {
		return &PolicyError{RuleTooShort, fmt.Sprintf("The password must have at least %d characters; it has %d.", MinPasswordLen, n)}
	}
	if n > MaxPasswordLen {
		return &PolicyError{RuleTooLong, fmt.Sprintf("The password must have at most %d characters; it has %d.", MaxPasswordLen, n)}
	}
	first, _ := utf8.DecodeRuneInString(pw)
	if strings.Trim(pw, string(first)) == "" {
		return &PolicyError{RuleRepeated, "The password must not be one character repeated."}
	}
	lower := strings.ToLower(pw)
	for _, word := range contextWords(context) {
		if strings.Contains(lower, word) {
			return &PolicyError{RulePersonal, fmt.Sprintf("The password must not contain the account's user name or display name (%q).", word)}
		}
	}
	if commonPasswords[lower] {
		return &PolicyError{RuleCommon, "The password is one of the most common passwords; choose one that is harder to guess."}
	}
	return nil
}

// contextWords returns each context string and each of its letter-or-digit
// runs, lower-cased, that is long enough to be meaningful.
func contextWords(context []string) []string {
	var words []string
	add := func(w string) {
		if utf8.RuneCountInString(w) >= minContextWordLen {
			words = append(words, strings.ToLower(w))
		}
	}
	for _, c := range context {
		add(strings.TrimSpace(c))
		for _, part := range strings.FieldsFunc(c, func(r rune) bool {
			return !unicode.IsLetter(r) && !unicode.IsDigit(r)
		}) {
			add(part)
		}
	}
	return words
}

// commonPasswords are lower-cased passwords of 12 or more characters that
// attackers try first: keyboard walks, "password" and its French and local
// variants, and city, country and service names with a year. Shorter ones
// already fail the length rule. Lookups lower-case the candidate first.
var commonPasswords = func() map[string]bool {
	m := make(map[string]bool)
	for _, pw := range strings.Fields(`
		password123! password1234 password12345 passw0rd1234 p@ssw0rd1234
		p@ssword1234 password2024 password2025 mypassword123 password!!!!
		123456789012 1234567890123 12345678901234 123456789abc abc123456789
		123123123123 147258369147 987654321098 1q2w3e4r5t6y 1qaz2wsx3edc
		qwerty123456 qwertyuiop12 qwertyuiop123 qazwsxedcrfv zaq12wsx3edc
		azerty123456 azertyuiop12 azertyuiop123 azerty123456! azertyazerty
		motdepasse123 motdepasse1234 motdepasse!! motdepasse2024 bonjour12345
		soleil123456 iloveyou1234 jetaime12345 welcome12345 letmein12345
		admin1234567 administrator administrateur changeme1234 abcd1234abcd
		maroc2024fes maroc2025fes fes2024maroc marocmaroc12 maroc1234567
		morocco12345 casablanca123 rabat1234567 police123456 police2024!!
		prefecture123 yaqaza123456 yaqaza2024!! football1234 sunshine1234
	`) {
		m[pw] = true
	}
	return m
}()
