package yaqaza_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza"
)

func testCodes(t testing.TB, seed byte) *yaqaza.TrackingCodes {
	c, err := yaqaza.NewTrackingCodes(bytes.Repeat([]byte{seed}, yaqaza.TrackingKeySize))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestTrackingCodesRoundTrip(t *testing.T) {
	c := testCodes(t, 7)
	seen := map[string]int64{}
	ids := []int64{1, 2, 3, 1 << 20, 1<<40 + 17, 1<<55 - 1}
	for id := int64(4); id < 50000; id++ {
		ids = append(ids, id)
	}
	for _, id := range ids {
		code := c.Code(id)
		if len(code) != 14 || code[4] != '-' || code[9] != '-' {
			t.Fatalf("code %q of id %d is not in the XXXX-XXXX-XXXX form", code, id)
		}
		if other, dup := seen[code]; dup {
			t.Fatalf("ids %d and %d share code %s", other, id, code)
		}
		seen[code] = id
		got, norm, err := c.ReportID(code)
		if err != nil || got != id || norm != code {
			t.Fatalf("ReportID(%s) = %d %q %v, want %d", code, got, norm, err, id)
		}
	}
}

// Consecutive ids must not give codes that reveal each other: the codes of
// 1..n share no long common prefix and differ in about half their bits.
func TestTrackingCodesLookRandom(t *testing.T) {
	c := testCodes(t, 1)
	prefixes := map[string]int{}
	for id := int64(1); id <= 4096; id++ {
		prefixes[c.Code(id)[:2]]++
	}
	// 1024 possible two-symbol prefixes for 4096 codes: no prefix should hold
	// more than a few dozen of them.
	for p, n := range prefixes {
		if n > 20 {
			t.Fatalf("prefix %s holds %d of 4096 consecutive codes", p, n)
		}
	}
	if a, b := testCodes(t, 1).Code(42), testCodes(t, 2).Code(42); a == b {
		t.Fatalf("two keys give the same code %s", a)
	}
}

func TestTrackingCodeTypingTolerance(t *testing.T) {
	c := testCodes(t, 3)
	code := c.Code(123456)
	for _, typed := range []string{
		strings.ToLower(code),
		strings.ReplaceAll(code, "-", ""),
		strings.ReplaceAll(code, "-", " "),
		" " + code + " ",
		strings.NewReplacer("0", "o", "1", "l").Replace(strings.ToLower(code)),
	} {
		id, _, err := c.ReportID(typed)
		if err != nil || id != 123456 {
			t.Errorf("ReportID(%q) = %d, %v", typed, id, err)
		}
	}
}

// Every single wrong symbol and every swap of two different neighbours is
// caught by the check symbol.
func TestTrackingCodeCatchesTypos(t *testing.T) {
	c := testCodes(t, 5)
	const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
	for _, id := range []int64{1, 99, 31337, 9876543} {
		raw := strings.ReplaceAll(c.Code(id), "-", "")
		for i := range raw {
			for _, s := range alphabet {
				if byte(s) == raw[i] {
					continue
				}
				typo := raw[:i] + string(s) + raw[i+1:]
				if _, _, err := c.ReportID(typo); yaqaza.ErrorCode(err) != yaqaza.ENOTFOUND || !strings.Contains(yaqaza.ErrorMessage(err), "mistyped") {
					t.Fatalf("substitution %s → %s not caught: %v", raw, typo, err)
				}
			}
		}
		swaps, caught := 0, 0
		for i := 0; i+1 < len(raw); i++ {
			if raw[i] == raw[i+1] {
				continue
			}
			swaps++
			typo := raw[:i] + string(raw[i+1]) + string(raw[i]) + raw[i+2:]
			if _, _, err := c.ReportID(typo); err != nil {
				caught++
			}
		}
		// Luhn mod N misses only the swap of the two symbols whose values
		// are 0 and N-1; allow for it.
		if caught < swaps-1 {
			t.Fatalf("only %d of %d neighbour swaps of %s were caught", caught, swaps, raw)
		}
	}
	for _, bad := range []string{"", "ABC", "7KQM-9XPR-A3TD-X", "7KQM-9XPR-A3TU", "٧KQM-9XPR-A3TD"} {
		if _, _, err := c.ReportID(bad); yaqaza.ErrorCode(err) != yaqaza.ENOTFOUND {
			t.Errorf("ReportID(%q) = %v, want ENOTFOUND", bad, err)
		}
	}
}

func BenchmarkTrackingCode(b *testing.B) {
	c := testCodes(b, 9)
	for i := 0; i < b.N; i++ {
		c.Code(int64(i))
	}
}
