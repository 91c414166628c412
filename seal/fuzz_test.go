package seal_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza/seal"
)

// FuzzOpen feeds Open whatever a database column might hold: it must never
// panic, must refuse anything it did not seal itself for that aad, and
// IsSealed and NeedsRotation must agree with it.
func FuzzOpen(f *testing.F) {
	k, err := seal.ParseKeyring([]byte("k1 " + key(1) + "\nk2 " + key(2)))
	if err != nil {
		f.Fatal(err)
	}
	plaintext := []byte("0612345678")
	good := mustSeal(f, k, plaintext, reporter42)
	payload := good[strings.LastIndexByte(good, ':')+1:]
	for _, v := range []string{
		good,
		strings.Replace(good, ":k2:", ":k1:", 1),
		strings.Replace(good, ":k2:", ":k9:", 1),
		good[:len(good)-1],
		good + "A",
		"sealed:v1:k2:" + payload[:27],
		"sealed:v1:k2:" + payload[:28],
		"sealed:v1:k2:A",
		"sealed:v1:k2:",
		"sealed:v1:",
		"sealed:v1::" + payload,
		"sealed:v2:k2:" + payload,
		"sealed:v1:k2:" + payload + "=",
		"0612345678",
		"",
		"\xff\xfe",
	} {
		f.Add(v, reporter42)
		f.Add(v, []byte(nil))
	}
	f.Fuzz(func(t *testing.T, value string, aad []byte) {
		got, err := k.Open(value, aad)
		if err == nil {
			// Forging is out of reach: only values sealed above open. (Each
			// fuzzing process seals its own, with its own nonce, so the check
			// is on what they hold rather than on the value itself.)
			if !bytes.Equal(aad, reporter42) || !bytes.Equal(got, plaintext) {
				t.Fatalf("Open(%q, %q) = %q, nil", value, aad, got)
			}
		}
		if err == nil && !seal.IsSealed(value) {
			t.Fatalf("Open(%q) succeeded but IsSealed is false", value)
		}
		if k.NeedsRotation(value) && !seal.IsSealed(value) {
			t.Fatalf("NeedsRotation(%q) is true but IsSealed is false", value)
		}
	})
}
