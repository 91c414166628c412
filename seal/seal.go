// Package seal encrypts personal data at rest — reporters' contact details,
// references to their photos and recordings — with AES-256-GCM under a
// keyring that can be rotated without re-encrypting everything at once.
//
// A sealed value is text, safe for a TEXT column:
//
//	sealed:v1:<key id>:<base64url(nonce || ciphertext || tag)>
//
// The nonce is 12 random bytes, fresh for every value. The key id names the
// key that sealed it, so that values sealed before a rotation still open;
// [Keyring.NeedsRotation] finds them for re-sealing under the current key.
//
// # Binding a value to its row
//
// Seal and Open take associated data (aad) that is authenticated but not
// stored. Pass the value's place in the database, such as
// "reports.reporter_phone:42": a sealed value copied into another row or
// column (by a bug, a bad migration or someone with write access to the
// database) then fails to open there instead of showing one reporter's phone
// number on another's report. The place must therefore be known before the
// value is sealed and must never change: use the row's primary key, not a
// position or a mutable field. The header (version and key id) is
// authenticated too, so a value cannot be relabelled to another key.
package seal

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"sync"
)

const (
	// KeySize is the size of an AES-256 key.
	KeySize = 32

	prefix    = "sealed:v1:"
	nonceSize = 12
	tagSize   = 16
)

// The errors Open returns wrap one of these, for errors.Is.
var (
	ErrNotSealed  = errors.New("seal: not a sealed value")
	ErrUnknownKey = errors.New("seal: unknown key")
	ErrAuth       = errors.New("seal: authentication failed")
)

// payloadEncoding is strict so that a ciphertext has exactly one text form:
// a value edited in its last character never decodes to the same bytes.
var payloadEncoding = base64.RawURLEncoding.Strict()

// Keyring holds the keys that seal and open values, each under a short id,
// and knows which of them is current. It is safe for concurrent use.
type Keyring struct {
	mu    sync.RWMutex
	keys  map[string]cipher.AEAD
	raw   map[string][]byte // kept only for Marshal
	order []string          // oldest first; the last is current
}

// Current returns the id of the key that Seal uses.
func (k *Keyring) Current() string {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if len(k.order) == 0 {
		return ""
	}
	return k.order[len(k.order)-1]
}

// Seal encrypts plaintext under the current key, bound to aad, and returns
// the sealed value.
func (k *Keyring) Seal(plaintext, aad []byte) (string, error) {
	k.mu.RLock()
	if len(k.order) == 0 {
		k.mu.RUnlock()
		return "", errors.New("seal: the keyring holds no key")
	}
	id := k.order[len(k.order)-1]
	aead := k.keys[id]
	k.mu.RUnlock()

	out := make([]byte, nonceSize, nonceSize+len(plaintext)+tagSize)
	rand.Read(out) // never fails: crypto/rand crashes the program rather than return weak bytes
	out = aead.Seal(out, out[:nonceSize], plaintext, additionalData(id, aad))
	return prefix + id + ":" + payloadEncoding.EncodeToString(out), nil
}

// Open decrypts a sealed value with the key it names. The error wraps
// ErrNotSealed when value is not in the sealed format, ErrUnknownKey
// (naming the id) when the keyring lacks its key, and ErrAuth when aad is
// not the one it was sealed with or the value was altered. Errors never
// quote the value, which may be plaintext personal data.
func (k *Keyring) Open(value string, aad []byte) ([]byte, error) {
	id, payload, ok := split(value)
	if !ok {
		return nil, fmt.Errorf("%w: want %q, a key id, ':' and base64url", ErrNotSealed, prefix)
	}
	k.mu.RLock()
	aead := k.keys[id]
	k.mu.RUnlock()
	if aead == nil {
		return nil, fmt.Errorf("%w %q: it is not in the keyring (which holds %s); was it removed before every value was resealed?",
			ErrUnknownKey, id, strings.Join(k.ids(), ", "))
	}
	data, err := payloadEncoding.DecodeString(payload)
	if err != nil || len(data) < nonceSize+tagSize {
		return nil, fmt.Errorf("%w: the value sealed under key %q is truncated or not base64url", ErrAuth, id)
	}
	plaintext, err := aead.Open(nil, data[:nonceSize], data[nonceSize:], additionalData(id, aad))
	if err != nil {
		return nil, fmt.Errorf("%w: the value sealed under key %q was altered, or was sealed for another row (aad)", ErrAuth, id)
	}
	return plaintext, nil
}

// Reseal opens a value and seals it again under the current key, for the
// job that follows a rotation.
func (k *Keyring) Reseal(value string, aad []byte) (string, error) {
	plaintext, err := k.Open(value, aad)
	if err != nil {
		return "", err
	}
	return k.Seal(plaintext, aad)
}

// NeedsRotation reports whether value is sealed under a key other than the
// current one. It is false for values that are not sealed at all: find
// those with IsSealed.
func (k *Keyring) NeedsRotation(value string) bool {
	id, _, ok := split(value)
	return ok && id != k.Current()
}

// IsSealed reports whether value has the form of a sealed value. It says
// nothing of whether any keyring can open it.
func IsSealed(value string) bool {
	_, _, ok := split(value)
	return ok
}

// split parses a value's header: the key id and the payload, which holds
// only base64url characters (no padding, no line breaks).
func split(value string) (id, payload string, ok bool) {
	rest, ok := strings.CutPrefix(value, prefix)
	if !ok {
		return "", "", false
	}
	id, payload, ok = strings.Cut(rest, ":")
	if !ok || checkID(id) != nil || payload == "" {
		return "", "", false
	}
	for i := 0; i < len(payload); i++ {
		if !isBase64URL(payload[i]) {
			return "", "", false
		}
	}
	return id, payload, true
}

func isBase64URL(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_'
}

// additionalData is what GCM authenticates besides the ciphertext: the
// value's header, so that a value cannot be relabelled, then the caller's
// aad. The header ends in ':' and key ids hold none, so no two (id, aad)
// pairs give the same bytes.
func additionalData(id string, aad []byte) []byte {
	h := make([]byte, 0, len(prefix)+len(id)+1+len(aad))
	h = append(h, prefix...)
	h = append(h, id...)
	h = append(h, ':')
	return append(h, aad...)
}
