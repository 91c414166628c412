package seal_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yaqaza/yaqaza/seal"
)

// key returns a valid base64 key whose bytes are all b.
func key(b byte) string { return base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{b}, 32)) }

func TestParseKeyring(t *testing.T) {
	text := "# Fès prefecture\r\n\n  2026-05 " + key(1) + "\r\n# rotated 2026-11-01\n\t2026-11\t" + key(2) + "  \n\n"
	k, err := seal.ParseKeyring([]byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := k.Current(); got != "2026-11" {
		t.Errorf("Current() = %q, want the last key listed, 2026-11", got)
	}
	v := mustSeal(t, k, []byte("x"), nil)
	if !strings.HasPrefix(v, "sealed:v1:2026-11:") {
		t.Errorf("Seal gave %.20q…, want it sealed under 2026-11", v)
	}
}

func TestParseKeyringErrors(t *testing.T) {
	short := base64.StdEncoding.EncodeToString(make([]byte, 16))
	for _, tc := range []struct{ name, text, want string }{
		{"empty", "", "holds no key"},
		{"only comments", "# nothing yet\n\n", "holds no key"},
		{"one field", "# keys\nk1\n", "line 2"},
		{"three fields", "k1 " + key(1) + " extra", "line 1"},
		{"comment after the key", "k1 " + key(1) + " # old", "line 1"},
		{"bad id", "\n\nk:1 " + key(1), "line 3: key id may hold only"},
		{"long id", strings.Repeat("k", 33) + " " + key(1), "line 1: key id must be 1 to 32"},
		{"not base64", "k1 " + key(1) + "\nk2 not-base64!", "line 2: key \"k2\" is not standard base64"},
		{"base64url", "k1 " + strings.NewReplacer("+", "-", "/", "_").Replace(base64.StdEncoding.EncodeToString([]byte(strings.Repeat("\xfb\xff", 16)))), "line 1: key \"k1\" is not standard base64"},
		{"short key", "k1 " + short, "line 1: key \"k1\" is 16 bytes, want 32"},
		{"duplicate", "k1 " + key(1) + "\n# again\nk1 " + key(2), "line 3: key id \"k1\" is already on line 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			k, err := seal.ParseKeyring([]byte(tc.text))
			if err == nil {
				t.Fatalf("ParseKeyring succeeded: %v", k)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %q, want it to contain %q", err, tc.want)
			}
			for _, secret := range []string{key(1), key(2), short} {
				if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), secret[:20]) {
					t.Errorf("err = %q shows a key", err)
				}
			}
		})
	}
}

func TestMarshalRoundTrip(t *testing.T) {
	k := newKeyring(t, "k1")
	v1 := mustSeal(t, k, []byte("0612345678"), reporter42)
	if err := k.Rotate("k2"); err != nil {
		t.Fatal(err)
	}
	v2 := mustSeal(t, k, []byte("ali@menara.ma"), reporter42)

	back, err := seal.ParseKeyring(k.Marshal())
	if err != nil {
		t.Fatalf("ParseKeyring(Marshal()): %v\n%s", err, k.Marshal())
	}
	if back.Current() != "k2" || !bytes.Equal(back.Marshal(), k.Marshal()) {
		t.Errorf("the keyring read back differs:\n%s\nwant\n%s", back.Marshal(), k.Marshal())
	}
	for v, want := range map[string]string{v1: "0612345678", v2: "ali@menara.ma"} {
		if got, err := back.Open(v, reporter42); err != nil || string(got) != want {
			t.Errorf("Open with the keyring read back = %q, %v; want %q", got, err, want)
		}
	}
}

func TestLoadKeyringRefusesOpenFiles(t *testing.T) {
	k := newKeyring(t, "k1")
	for _, tc := range []struct {
		mode os.FileMode
		ok   bool
	}{
		{0o600, true},
		{0o400, true},
		{0o644, false},
		{0o640, false},
		{0o604, false},
		{0o620, false},
		{0o666, false},
	} {
		t.Run(fmt.Sprintf("%04o", tc.mode), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "keys")
			if err := os.WriteFile(path, k.Marshal(), 0o600); err != nil {
				t.Fatal(err)
			}
			// Chmod rather than WriteFile's mode, which the umask would trim.
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			got, err := seal.LoadKeyring(path)
			switch {
			case tc.ok && err != nil:
				t.Fatalf("LoadKeyring: %v", err)
			case tc.ok && got.Current() != "k1":
				t.Errorf("Current() = %q, want k1", got.Current())
			case !tc.ok && err == nil:
				t.Fatal("LoadKeyring accepted the file")
			case !tc.ok && !strings.Contains(err.Error(), "chmod 600 "+path):
				t.Errorf("err = %q, want it to say chmod 600 %s", err, path)
			}
		})
	}
}

func TestLoadKeyringErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := seal.LoadKeyring(filepath.Join(dir, "missing")); err == nil || !strings.Contains(err.Error(), "missing") {
		t.Errorf("LoadKeyring of a missing file: err = %v, want it to name the file", err)
	}
	path := filepath.Join(dir, "keys")
	if err := os.WriteFile(path, []byte("k1 "+key(1)+"\nk2 oops\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := seal.LoadKeyring(path); err == nil || !strings.Contains(err.Error(), path+": line 2") {
		t.Errorf("LoadKeyring of a bad file: err = %v, want it to name the file and line 2", err)
	}
}

// TestKeyringHidesKeys makes sure a keyring printed into a log shows its
// ids and no key.
func TestKeyringHidesKeys(t *testing.T) {
	k, err := seal.ParseKeyring([]byte("k1 " + key(7) + "\nk2 " + key(9)))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, k)
		if !strings.Contains(out, "k1 k2") || !strings.Contains(out, "current: k2") {
			t.Errorf("Sprintf(%s) = %q, want the key ids", format, out)
		}
		if strings.Contains(out, key(7)[:12]) || strings.Contains(out, "[7 7 7") {
			t.Errorf("Sprintf(%s) = %q shows a key", format, out)
		}
	}
}
