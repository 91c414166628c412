package yaqaza

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// Token is an API credential for a machine client. Only a hash of its secret
// is stored; the secret is shown once, when the token is created.
type Token struct {
	ID        int64      `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Zones     []string   `json:"zones,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
	// LastUsedAt is when a request last presented the token (to the
	// minute: uses are written every minute), nil if never.
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
}

// TokenInput describes a token to create.
type TokenInput struct {
	Name      string
	Role      Role
	Zones     []string
	ExpiresAt *time.Time
}

// Validate checks the input.
func (in *TokenInput) Validate() error {
	if strings.TrimSpace(in.Name) == "" || len(in.Name) > 100 {
		return Invalidf("name", "a token needs a name of 1 to 100 bytes")
	}
	if !in.Role.Valid() {
		return Invalidf("role", "unknown role %q", truncate(string(in.Role), 40))
	}
	return nil
}

// tokenPrefix marks Yaqaza secrets so that secret scanners can find leaked ones.
const tokenPrefix = "yqz_"

// NewTokenSecret returns a fresh secret with 160 random bits.
func NewTokenSecret() string {
	var raw [20]byte
	if _, err := rand.Read(raw[:]); err != nil {
		panic(err)
	}
	return tokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(raw[:]))
}

// HashTokenSecret returns the stored form of a secret. Secrets are random and
// long, so a fast hash is enough: there is nothing to brute-force.
func HashTokenSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// TokenService creates and checks API tokens.
type TokenService interface {
	// CreateToken stores a new token and returns it with its secret, which is
	// not kept and cannot be shown again.
	CreateToken(ctx context.Context, in TokenInput) (*Token, string, error)
	// Authenticate returns the actor of a secret. EUNAUTHORIZED when the
	// secret is unknown, expired or revoked.
	Authenticate(ctx context.Context, secret string) (*Actor, error)
	// CountTokens counts tokens that are neither revoked nor expired.
	CountTokens(ctx context.Context) (int, error)
	// FindTokens lists every token, revoked and expired ones too.
	FindTokens(ctx context.Context) ([]*Token, error)
	// RevokeToken ends a token at once on this node, and within seconds
	// on the others.
	RevokeToken(ctx context.Context, id int64) error
}

// DefaultTokenLifetime is how long a token lives when no expiry is given:
// a credential that never expires outlives the reason it was made.
const DefaultTokenLifetime = 365 * 24 * time.Hour
