package seal

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// The keyring file holds one key per line, "ID BASE64KEY", the key in
// standard base64. Blank lines and lines starting with '#' are ignored. The
// last key listed is current, so rotating is appending a line; a key is
// dropped only once no value sealed under it is left.
//
//	# rotated 2026-11-01
//	2026-05 q2jV0xL1…=
//	2026-11 9fKc3hPz…=

// GenerateKeyring returns a keyring holding one new random key, current.
func GenerateKeyring(id string) (*Keyring, error) {
	k := &Keyring{}
	if err := k.Rotate(id); err != nil {
		return nil, err
	}
	return k, nil
}

// ParseKeyring reads a keyring in the file format above. Errors name the
// line at fault and never quote it, since it may hold a key.
func ParseKeyring(text []byte) (*Keyring, error) {
	k, err := parseKeyring(text)
	if err != nil {
		return nil, fmt.Errorf("seal: keyring %w", err)
	}
	return k, nil
}

// LoadKeyring reads a keyring file. It refuses a file that its group or
// others may access: keys are only as secret as the file that holds them.
func LoadKeyring(path string) (*Keyring, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	defer f.Close()
	// Stat the open file, not the path, so that the file checked is the file read.
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("seal: key file %s has mode %04o and is open to its group or others; run: chmod 600 %s", path, perm, path)
	}
	text, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("seal: %w", err)
	}
	k, err := parseKeyring(text)
	if err != nil {
		return nil, fmt.Errorf("seal: key file %s: %w", path, err)
	}
	return k, nil
}

func parseKeyring(text []byte) (*Keyring, error) {
	k := &Keyring{}
	firstLine := map[string]int{}
	for i, line := range strings.Split(string(text), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("line %d: want \"ID BASE64KEY\", found %d fields", n, len(fields))
		}
		id := fields[0]
		if err := checkID(id); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if first, dup := firstLine[id]; dup {
			return nil, fmt.Errorf("line %d: key id %q is already on line %d", n, id, first)
		}
		raw, err := base64.StdEncoding.Strict().DecodeString(fields[1])
		if err != nil {
			return nil, fmt.Errorf("line %d: key %q is not standard base64", n, id)
		}
		if len(raw) != KeySize {
			return nil, fmt.Errorf("line %d: key %q is %d bytes, want %d", n, id, len(raw), KeySize)
		}
		if err := k.add(id, raw); err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		firstLine[id] = n
	}
	if len(k.order) == 0 {
		return nil, errors.New("holds no key")
	}
	return k, nil
}

// Marshal returns the keyring in the file format above, current key last.
// The result is secret: write it with mode 600.
func (k *Keyring) Marshal() []byte {
	k.mu.RLock()
	defer k.mu.RUnlock()
	var b bytes.Buffer
	b.WriteString("# Yaqaza seal keyring: one key per line, \"ID BASE64KEY\"; the last key is current.\n")
	b.WriteString("# Keep this file mode 600. Drop a key only once no value sealed under it is left.\n")
	for _, id := range k.order {
		fmt.Fprintf(&b, "%s %s\n", id, base64.StdEncoding.EncodeToString(k.raw[id]))
	}
	return b.Bytes()
}

// Rotate adds a new random key under id and makes it current. Values sealed
// under older keys still open; NeedsRotation finds them.
func (k *Keyring) Rotate(id string) error {
	if err := checkID(id); err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	raw := make([]byte, KeySize)
	rand.Read(raw) // never fails: crypto/rand crashes the program rather than return weak bytes
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, dup := k.keys[id]; dup {
		return fmt.Errorf("seal: key id %q is already in the keyring", id)
	}
	return k.addLocked(id, raw)
}

func (k *Keyring) add(id string, raw []byte) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.addLocked(id, raw)
}

func (k *Keyring) addLocked(id string, raw []byte) error {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return err
	}
	if k.keys == nil {
		k.keys, k.raw = map[string]cipher.AEAD{}, map[string][]byte{}
	}
	k.keys[id], k.raw[id] = aead, raw
	k.order = append(k.order, id)
	return nil
}

// ids returns the key ids, oldest first.
func (k *Keyring) ids() []string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	return append([]string(nil), k.order...)
}

// String describes the keyring by its key ids, so that printing one in a
// log or a test failure never shows a key.
func (k *Keyring) String() string {
	return fmt.Sprintf("seal.Keyring{keys: [%s], current: %s}", strings.Join(k.ids(), " "), k.Current())
}

// GoString hides the keys from %#v as String does from %v.
func (k *Keyring) GoString() string { return k.String() }

// checkID enforces key ids of 1 to 32 characters from [A-Za-z0-9._-]:
// short enough to repeat in every value, and free of the ':' that ends them.
func checkID(id string) error {
	if id == "" || len(id) > 32 {
		return fmt.Errorf("key id must be 1 to 32 characters, not %d", len(id))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			// The id is not quoted: on a garbled keyring line it may be part of a key.
			return errors.New("key id may hold only A-Z, a-z, 0-9, '.', '_' and '-'")
		}
	}
	return nil
}
