package account

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckPasswordPolicy(t *testing.T) {
	context := []string{"k.benali", "Karim Benali"}
	tests := []struct {
		name, pw string
		rule     string // "" when the password is accepted
	}{
		{"passphrase", "tram bleu sous la pluie", ""},
		{"exactly twelve", "Xq7#mP2vL9wz", ""},
		{"arabic counts runes, not bytes", "يقظة فاس المدينة", ""},
		{"eleven characters", "Xq7#mP2vL9w", RuleTooShort},
		{"eleven arabic letters are too short though 22 bytes", "يقظةفاسمدين", RuleTooShort},
		{"empty", "", RuleTooShort},
		{"too long", strings.Repeat("ab", 129), RuleTooLong},
		{"longest allowed", strings.Repeat("ab", 128), ""},
		{"one character repeated", "aaaaaaaaaaaaaa", RuleRepeated},
		{"one arabic letter repeated", strings.Repeat("ي", 14), RuleRepeated},
		{"invalid utf-8", "abcdefghijk\xff", RuleEncoding},
		{"user name", "k.benali", RuleTooShort},
		{"contains user name", "k.benali-2024-fes", RulePersonal},
		{"contains display name any case", "KARIM BENALI rocks!", RulePersonal},
		{"contains family name", "xx-benali-stars-yy", RulePersonal},
		{"contains first name", "Karimissimo2024", RulePersonal},
		{"common", "password123!", RuleCommon},
		{"common in other case", "P@ssw0rd1234", RuleCommon},
		{"common french", "MotDePasse123", RuleCommon},
		{"common local", "maroc2024fes", RuleCommon},
		{"digits walk", "123456789012", RuleCommon},
		{"azerty walk", "azerty123456", RuleCommon},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckPasswordPolicy(tt.pw, context...)
			if tt.rule == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want a *PolicyError with rule %s", err, tt.rule)
			}
			if pe.Rule != tt.rule {
				t.Errorf("rule = %s (%s), want %s", pe.Rule, pe.Message, tt.rule)
			}
			if !strings.HasSuffix(pe.Message, ".") || pe.Error() != pe.Message {
				t.Errorf("message %q is not a sentence fit to show", pe.Message)
			}
		})
	}
}

func TestShortContextWordsAreIgnored(t *testing.T) {
	// "El" from a display name must not forbid every password containing "el".
	if err := CheckPasswordPolicy("hello-tramway-bleu", "El Idrissi", ""); err != nil {
		t.Errorf("refused: %v", err)
	}
}

func TestCommonPasswordList(t *testing.T) {
	if n := len(commonPasswords); n < 50 {
		t.Errorf("%d common passwords, want at least 50", n)
	}
	for pw := range commonPasswords {
		// Entries shorter than the minimum, or not lower-case, could never match.
		if len([]rune(pw)) < MinPasswordLen || pw != strings.ToLower(pw) {
			t.Errorf("entry %q is too short or not lower-case", pw)
		}
	}
}
