package redact_test

import (
	"testing"
	"unicode/utf8"

	"github.com/yaqaza/yaqaza/redact"
)

// report is a typical 300-character report, with a phone number, an e-mail
// address and a CIN among times, dates, counts and amounts.
const report = "Rixe à 22h30 le 28/11/2026 rue 12 près de Bab Boujloud : 3 jeunes impliqués, " +
	"500 dh volés. Témoin joignable au 06 12 34 56 78 ou fatima.zahra@gmail.com, CIN CD123456. " +
	"شجار قرب باب بوجلود، الشاهد: ٠٦٦١٢٣٤٥٦٧. Véhicule Dacia sur la N6, 2 blessés légers. " +
	"Patrouille P3 dépêchée à 22h41, arrivée 22h52."

// BenchmarkText measures Text on a typical report, on the same report once
// redacted (the common case of text with nothing left to find), and beside
// them the floor of merely decoding the report's runes once.
func BenchmarkText(b *testing.B) {
	clean := redact.Text(report)
	b.Run("report", func(b *testing.B) {
		b.SetBytes(int64(len(report)))
		for b.Loop() {
			redact.Text(report)
		}
	})
	b.Run("clean", func(b *testing.B) {
		b.SetBytes(int64(len(clean)))
		for b.Loop() {
			redact.Text(clean)
		}
	})
	b.Run("baseline-decode", func(b *testing.B) {
		b.SetBytes(int64(len(report)))
		for b.Loop() {
			utf8.RuneCountInString(report)
		}
	})
}
