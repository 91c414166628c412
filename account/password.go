// Package account holds the credential primitives of user accounts: password
// hashing and policy, TOTP second factor, lock-out policy, session and CSRF
// tokens, and OpenID Connect sign-in. It keeps no state of its own; the store
// keeps what these functions return and the HTTP layer wires them together.
package account

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"
)

// Params are the argon2id cost parameters. They are written into every hash,
// so raising them later only makes old hashes report needsRehash.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32 // passes over memory
	Threads uint8
}

// DefaultParams meet the OWASP recommendation for argon2id (m=64 MiB, t=3,
// p=2 is above its minimum of m=19 MiB, t=2, p=1). A deployment may raise them
// at start, before any use; lowering them would weaken new hashes.
var DefaultParams = Params{Memory: 64 * 1024, Time: 3, Threads: 2}

const (
	saltLen = 16
	keyLen  = 32
	// Bounds on parameters read from a stored hash: a corrupted or hostile row
	// must not make the server allocate without limit or spin for minutes.
	maxMemory = 4 * 1024 * 1024 // 4 GiB
	maxTime   = 64
	minSalt   = 8
	minKey    = 16
	maxKey    = 64
)

// ErrMalformedHash is wrapped by every error about an unreadable stored hash.
var ErrMalformedHash = errors.New("the stored password hash is malformed")

// HashPassword hashes pw with DefaultParams.
func HashPassword(pw string) (string, error) { return DefaultParams.Hash(pw) }

// VerifyPassword checks pw against an encoded hash, with DefaultParams as the
// standard that needsRehash compares against.
func VerifyPassword(pw, encoded string) (ok, needsRehash bool, err error) {
	return DefaultParams.Verify(pw, encoded)
}

// Hash returns pw hashed with p in PHC string format:
// $argon2id$v=19$m=65536,t=3,p=2$<salt>$<key>, both in unpadded standard base64.
func (p Params) Hash(pw string) (string, error) {
	if err := p.validate(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails since Go 1.24: it crashes the program instead
	key := argon2.IDKey(normalize(pw), salt, p.Time, p.Memory, p.Threads, keyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw matches encoded, comparing in constant time. The
// cost parameters come from encoded, not from p; p is only the standard:
// needsRehash is true when pw matched and encoded is weaker than p, so the
// caller should store a fresh Hash. A wrong password is ok=false with a nil
// error; err is set only when encoded cannot be read.
func (p Params) Verify(pw, encoded string) (ok, needsRehash bool, err error) {
	h, err := parseHash(encoded)
	if err != nil {
		return false, false, err
	}
	key := argon2.IDKey(normalize(pw), h.salt, h.params.Time, h.params.Memory, h.params.Threads, uint32(len(h.key)))
	if subtle.ConstantTimeCompare(key, h.key) != 1 {
		return false, false, nil
	}
	weaker := h.params.Memory < p.Memory || h.params.Time < p.Time ||
		h.params.Threads < p.Threads || len(h.salt) < saltLen || len(h.key) < keyLen
	return true, weaker, nil
}

func (p Params) validate() error {
	switch {
	case p.Time < 1 || p.Time > maxTime:
		return fmt.Errorf("argon2id time cost must be between 1 and %d, not %d", maxTime, p.Time)
	case p.Threads < 1:
		return errors.New("argon2id needs at least one thread")
	case p.Memory < 8*uint32(p.Threads) || p.Memory > maxMemory:
		return fmt.Errorf("argon2id memory must be between %d and %d KiB, not %d", 8*uint32(p.Threads), maxMemory, p.Memory)
	}
	return nil
}

// normalize maps equivalent Unicode spellings of a password to one form, as
// NIST SP 800-63B advises: "é" typed as one code point on one keyboard and as
// "e" plus an accent on another must be the same password.
func normalize(pw string) []byte { return norm.NFKC.Bytes([]byte(pw)) }

type parsedHash struct {
	params    Params
	salt, key []byte
}

func parseHash(encoded string) (parsedHash, error) {
	var h parsedHash
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" {
		return h, fmt.Errorf("%w: expected $argon2id$v=19$m=…,t=…,p=…$salt$key", ErrMalformedHash)
	}
	if parts[1] != "argon2id" {
		return h, fmt.Errorf("%w: algorithm %q is not argon2id", ErrMalformedHash, parts[1])
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return h, fmt.Errorf("%w: argon2 version %q is not supported", ErrMalformedHash, parts[2])
	}
	params, err := parseParams(parts[3])
	if err != nil {
		return h, err
	}
	h.params = params
	b64 := base64.RawStdEncoding.Strict()
	if h.salt, err = b64.DecodeString(parts[4]); err != nil || len(h.salt) < minSalt {
		return h, fmt.Errorf("%w: the salt is not base64 of at least %d bytes", ErrMalformedHash, minSalt)
	}
	if h.key, err = b64.DecodeString(parts[5]); err != nil || len(h.key) < minKey || len(h.key) > maxKey {
		return h, fmt.Errorf("%w: the key is not base64 of %d to %d bytes", ErrMalformedHash, minKey, maxKey)
	}
	return h, nil
}

// parseParams reads "m=65536,t=3,p=2", in that order as argon2 writes it.
func parseParams(s string) (Params, error) {
	var vals [3]uint64
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return Params{}, fmt.Errorf("%w: parameters %q are not m=…,t=…,p=…", ErrMalformedHash, s)
	}
	limits := [3]uint64{maxMemory, maxTime, 255}
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || n > limits[i] {
			return Params{}, fmt.Errorf("%w: parameter %q is not %s followed by a number up to %d", ErrMalformedHash, fields[i], name, limits[i])
		}
		vals[i] = n
	}
	p := Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}
	if err := p.validate(); err != nil {
		return Params{}, fmt.Errorf("%w: %v", ErrMalformedHash, err)
	}
	return p, nil
}
