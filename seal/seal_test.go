package seal_test

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/yaqaza/yaqaza/seal"
)

var reporter42 = []byte("reports.reporter_phone:42")

func newKeyring(t testing.TB, id string) *seal.Keyring {
	t.Helper()
	k, err := seal.GenerateKeyring(id)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustSeal(t testing.TB, k *seal.Keyring, plaintext, aad []byte) string {
	t.Helper()
	v, err := k.Seal(plaintext, aad)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestSealOpenRoundTrip(t *testing.T) {
	k := newKeyring(t, "2026-11")
	for _, plaintext := range [][]byte{
		nil,
		[]byte("+212 6 12 34 56 78"),
		[]byte("فاطمة الزهراء، ٠٦١٢٣٤٥٦٧٨"),
		{0, 1, 2, 0xff, 0xfe},
		bytes.Repeat([]byte("media/2026/11/28/report-42.jpg "), 2000),
	} {
		v := mustSeal(t, k, plaintext, reporter42)
		if !strings.HasPrefix(v, "sealed:v1:2026-11:") || !seal.IsSealed(v) {
			t.Errorf("Seal gave %.40q…, want a sealed:v1:2026-11: value", v)
		}
		if strings.ContainsFunc(v, func(r rune) bool { return r <= ' ' || r > '~' }) {
			t.Errorf("Seal gave %.40q…, which is not plain printable ASCII", v)
		}
		got, err := k.Open(v, reporter42)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Errorf("Open gave %.40q, want %.40q", got, plaintext)
		}
	}
}

// TestOpenRefusesAnotherRow is the reason for aad: a value copied into
// another row, another column or another table does not open there.
func TestOpenRefusesAnotherRow(t *testing.T) {
	k := newKeyring(t, "k1")
	v := mustSeal(t, k, []byte("0612345678"), reporter42)
	for _, aad := range []string{"reports.reporter_phone:43", "reports.reporter_email:42", "incidents.reporter_phone:42", ""} {
		_, err := k.Open(v, []byte(aad))
		if !errors.Is(err, seal.ErrAuth) {
			t.Errorf("Open with aad %q: err = %v, want ErrAuth", aad, err)
		}
	}
}

func TestOpenRefusesTampering(t *testing.T) {
	k := newKeyring(t, "k1")
	v := mustSeal(t, k, []byte("fatima@gmail.com"), reporter42)
	head := v[:strings.LastIndexByte(v, ':')+1]
	payload := v[len(head):]
	// Changing any one character of the payload changes the bytes it
	// decodes to (the encoding is strict), so it must fail authentication.
	for i := range payload {
		for _, c := range []byte{'A', 'f', '9', '_'} {
			if payload[i] == c {
				continue
			}
			tampered := head + payload[:i] + string(c) + payload[i+1:]
			if _, err := k.Open(tampered, reporter42); !errors.Is(err, seal.ErrAuth) {
				t.Fatalf("Open with character %d set to %q: err = %v, want ErrAuth", i, c, err)
			}
		}
	}
	for _, n := range []int{1, 16, 27, len(payload) - 1} {
		if _, err := k.Open(head+payload[:n], reporter42); !errors.Is(err, seal.ErrAuth) {
			t.Errorf("Open of the payload cut to %d characters: err = %v, want ErrAuth", n, err)
		}
	}
	if _, err := k.Open(v+"AAAA", reporter42); !errors.Is(err, seal.ErrAuth) {
		t.Errorf("Open with bytes appended: err = %v, want ErrAuth", err)
	}
}

// TestOpenRefusesRelabelling moves a value to another key id of the same
// keyring: the header is authenticated, so it fails even if an attacker
// could make both keys equal.
func TestOpenRefusesRelabelling(t *testing.T) {
	text := "k1 " + strings.Repeat("A", 43) + "=\nk2 " + strings.Repeat("A", 43) + "=\n"
	k, err := seal.ParseKeyring([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	v := mustSeal(t, k, []byte("0612345678"), reporter42)
	relabelled := strings.Replace(v, ":k2:", ":k1:", 1)
	if _, err := k.Open(relabelled, reporter42); !errors.Is(err, seal.ErrAuth) {
		t.Errorf("Open of a value moved from k2 to an identical k1: err = %v, want ErrAuth", err)
	}
}

func TestOpenUnknownKeyNamesIt(t *testing.T) {
	old := newKeyring(t, "2025-05")
	v := mustSeal(t, old, []byte("0612345678"), reporter42)
	k := newKeyring(t, "2026-11")
	_, err := k.Open(v, reporter42)
	if !errors.Is(err, seal.ErrUnknownKey) {
		t.Fatalf("err = %v, want ErrUnknownKey", err)
	}
	if !strings.Contains(err.Error(), `"2025-05"`) || !strings.Contains(err.Error(), "2026-11") {
		t.Errorf("err = %q, want it to name the missing key and the keys held", err)
	}
}

func TestOpenNotSealed(t *testing.T) {
	k := newKeyring(t, "k1")
	for _, v := range []string{"", "0612345678", "sealed:v1:", "sealed:v2:k1:AAAA", "sealed:v1:k1:"} {
		_, err := k.Open(v, nil)
		if !errors.Is(err, seal.ErrNotSealed) {
			t.Errorf("Open(%q): err = %v, want ErrNotSealed", v, err)
		}
	}
	if _, err := k.Open("0612345678", nil); strings.Contains(err.Error(), "0612345678") {
		t.Errorf("err = %q quotes the value, which may be personal data", err)
	}
}

func TestRotation(t *testing.T) {
	k := newKeyring(t, "k1")
	old := mustSeal(t, k, []byte("0612345678"), reporter42)
	if k.NeedsRotation(old) {
		t.Error("NeedsRotation is true for a value sealed under the current key")
	}
	if err := k.Rotate("k2"); err != nil {
		t.Fatal(err)
	}
	if got := k.Current(); got != "k2" {
		t.Errorf("Current() = %q after Rotate(k2)", got)
	}
	if !k.NeedsRotation(old) {
		t.Error("NeedsRotation is false for a value sealed under the old key")
	}
	if got, err := k.Open(old, reporter42); err != nil || string(got) != "0612345678" {
		t.Errorf("Open of a value sealed before the rotation = %q, %v", got, err)
	}
	renewed, err := k.Reseal(old, reporter42)
	if err != nil {
		t.Fatal(err)
	}
	if k.NeedsRotation(renewed) || !strings.HasPrefix(renewed, "sealed:v1:k2:") {
		t.Errorf("Reseal gave %.20q…, want it sealed under k2", renewed)
	}
	if got, err := k.Open(renewed, reporter42); err != nil || string(got) != "0612345678" {
		t.Errorf("Open of the resealed value = %q, %v", got, err)
	}
	if _, err := k.Reseal(old, []byte("reports.reporter_phone:43")); !errors.Is(err, seal.ErrAuth) {
		t.Errorf("Reseal with another row's aad: err = %v, want ErrAuth", err)
	}
	if k.NeedsRotation("0612345678") {
		t.Error("NeedsRotation is true for a value that is not sealed")
	}
}

func TestRotateRefuses(t *testing.T) {
	k := newKeyring(t, "k1")
	for _, id := range []string{"k1", "", "k:2", "k 2", "clé", strings.Repeat("k", 33)} {
		if err := k.Rotate(id); err == nil {
			t.Errorf("Rotate(%q) succeeded", id)
		}
	}
	if got := k.Current(); got != "k1" {
		t.Errorf("Current() = %q after refused rotations, want k1", got)
	}
	for _, id := range []string{"k2", "2026-11", "prod.2026_11", strings.Repeat("k", 32)} {
		if err := k.Rotate(id); err != nil {
			t.Errorf("Rotate(%q): %v", id, err)
		}
	}
}

// TestSealIsRandomized checks the nonce is fresh each time: sealing the
// same phone number for the same row twice must not give the same value,
// or equal values would show which reporters share a number.
func TestSealIsRandomized(t *testing.T) {
	k := newKeyring(t, "k1")
	seen := map[string]bool{}
	nonces := map[string]bool{}
	for range 1000 {
		v := mustSeal(t, k, []byte("0612345678"), reporter42)
		payload := v[strings.LastIndexByte(v, ':')+1:]
		if seen[v] || nonces[payload[:16]] {
			t.Fatalf("Seal repeated a value or a nonce: %s", v)
		}
		seen[v], nonces[payload[:16]] = true, true
	}
}

func TestIsSealed(t *testing.T) {
	for v, want := range map[string]bool{
		"sealed:v1:k1:AAAA":         true,
		"sealed:v1:2026-11:ab_-Z9":  true,
		"":                          false,
		"0612345678":                false,
		"sealed:v1:":                false,
		"sealed:v1:k1":              false,
		"sealed:v1:k1:":             false,
		"sealed:v1::AAAA":           false,
		"sealed:v2:k1:AAAA":         false,
		"sealed:v1:k 1:AAAA":        false,
		"sealed:v1:k1:AA+A":         false,
		"sealed:v1:k1:AAAA=":        false,
		"sealed:v1:k1:AA\nAA":       false,
		" sealed:v1:k1:AAAA":        false,
		"SEALED:V1:K1:AAAA":         false,
		"sealed:v1:k1:AAAA:AAAA":    false,
		"sealed:v1:" + long + ":AA": false,
	} {
		if got := seal.IsSealed(v); got != want {
			t.Errorf("IsSealed(%q) = %v, want %v", v, got, want)
		}
	}
}

var long = strings.Repeat("k", 33)

// TestConcurrentUse seals and opens from many goroutines while the keyring
// rotates, for the race detector.
func TestConcurrentUse(t *testing.T) {
	k := newKeyring(t, "k0")
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for range 200 {
				v, err := k.Seal([]byte("0612345678"), reporter42)
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := k.Open(v, reporter42); err != nil {
					t.Error(err)
					return
				}
				k.NeedsRotation(v)
			}
		})
		if err := k.Rotate("k" + string(rune('1'+g))); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got := k.Current(); got != "k8" {
		t.Errorf("Current() = %q, want k8", got)
	}
}
