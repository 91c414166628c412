package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/yaqaza/yaqaza"
)

// TokenService implements yaqaza.TokenService.
//
// Every API request presents a token, so Authenticate keeps what it found
// for tokenCacheTTL: a database read per request would cost more than the
// request's own work. A revoked token therefore stops working on other nodes
// within tokenCacheTTL.
type TokenService struct {
	db *DB

	mu    sync.Mutex
	cache map[string]cachedToken // by secret hash
}

type cachedToken struct {
	id        int64
	actor     *yaqaza.Actor
	expiresAt int64 // the token's own expiry, Unix ms, 0 for none
	until     time.Time
}

const (
	tokenCacheTTL  = 10 * time.Second
	tokenCacheSize = 10000
)

var _ yaqaza.TokenService = (*TokenService)(nil)

// NewTokenService returns the API token service.
func NewTokenService(db *DB) *TokenService {
	return &TokenService{db: db, cache: map[string]cachedToken{}}
}

// CreateToken implements yaqaza.TokenService. Only admins (and the system,
// for the first credential and the CLI) may create tokens.
func (s *TokenService) CreateToken(ctx context.Context, in yaqaza.TokenInput) (*yaqaza.Token, string, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers)
	if err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	if in.ExpiresAt == nil {
		exp := s.db.Now().Add(yaqaza.DefaultTokenLifetime).UTC()
		in.ExpiresAt = &exp
	}
	secret := yaqaza.NewTokenSecret()
	t := &yaqaza.Token{Name: in.Name, Role: in.Role, Zones: in.Zones, CreatedAt: s.db.Now().UTC(), CreatedBy: actor.ID, ExpiresAt: in.ExpiresAt}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		for _, z := range in.Zones {
			if err := s.db.mustExist(ctx, tx, "zones", z, "zones"); err != nil {
				return err
			}
		}
		if err := tx.QueryRowContext(ctx, s.db.q(`INSERT INTO api_tokens (name, role, zones, secret_hash, created_at, created_by, expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`), t.Name, t.Role, strings.Join(t.Zones, ","), yaqaza.HashTokenSecret(secret),
			toMillis(t.CreatedAt), t.CreatedBy, nullMillis(t.ExpiresAt)).Scan(&t.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, t.CreatedAt, auditOf(ctx, actor, "token.create", object("token", t.ID), "",
			fmt.Sprintf("%s, role %s, zones %s", t.Name, t.Role, strings.Join(t.Zones, ","))))
	})
	if err != nil {
		return nil, "", err
	}
	t.CreatedAt = fromMillis(toMillis(t.CreatedAt))
	return t, secret, nil
}

// Authenticate implements yaqaza.TokenService.
func (s *TokenService) Authenticate(ctx context.Context, secret string) (*yaqaza.Actor, error) {
	hash := yaqaza.HashTokenSecret(secret)
	now := s.db.Now()
	s.mu.Lock()
	c, ok := s.cache[hash]
	s.mu.Unlock()
	if ok && now.Before(c.until) {
		if c.expiresAt != 0 && now.UnixMilli() >= c.expiresAt {
			return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the API token has expired")
		}
		s.db.noteTokenUse(c.id, now)
		return c.actor, nil
	}
	var id int64
	var name, role, zones string
	var expires, revoked sql.NullInt64
	err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT id, name, role, zones, expires_at, revoked_at FROM api_tokens WHERE secret_hash = ?`),
		hash).Scan(&id, &name, &role, &zones, &expires, &revoked)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the API token is not known")
	} else if err != nil {
		return nil, err
	}
	if revoked.Valid {
		return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the API token was revoked")
	}
	if expires.Valid && now.UnixMilli() >= expires.Int64 {
		return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the API token has expired")
	}
	a := &yaqaza.Actor{Kind: yaqaza.ActorToken, ID: "token:" + itoa(id), Name: name, Role: yaqaza.Role(role)}
	if zones != "" {
		a.Zones = strings.Split(zones, ",")
	}
	s.mu.Lock()
	if len(s.cache) >= tokenCacheSize {
		clear(s.cache)
	}
	s.cache[hash] = cachedToken{id: id, actor: a, expiresAt: expires.Int64, until: now.Add(tokenCacheTTL)}
	s.mu.Unlock()
	s.db.noteTokenUse(id, now)
	return a, nil
}

// FindTokens implements yaqaza.TokenService.
func (s *TokenService) FindTokens(ctx context.Context) ([]*yaqaza.Token, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, name, role, zones, created_at, created_by, expires_at, revoked_at,
		last_used_at FROM api_tokens ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*yaqaza.Token{}
	for rows.Next() {
		var t yaqaza.Token
		var zones string
		var created int64
		var expires, revoked, used sql.NullInt64
		if err := rows.Scan(&t.ID, &t.Name, &t.Role, &zones, &created, &t.CreatedBy, &expires, &revoked, &used); err != nil {
			return nil, err
		}
		if zones != "" {
			t.Zones = strings.Split(zones, ",")
		}
		t.CreatedAt, t.ExpiresAt, t.RevokedAt, t.LastUsedAt = fromMillis(created), timePtr(expires), timePtr(revoked), timePtr(used)
		if at, ok := s.db.unsavedTokenUse(t.ID); ok && (t.LastUsedAt == nil || at.After(*t.LastUsedAt)) {
			at = fromMillis(toMillis(at))
			t.LastUsedAt = &at
		}
		out = append(out, &t)
	}
	return out, rows.Err()
}

// RevokeToken implements yaqaza.TokenService.
func (s *TokenService) RevokeToken(ctx context.Context, id int64) error {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers)
	if err != nil {
		return err
	}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		now := s.db.Now()
		res, err := tx.ExecContext(ctx, s.db.q(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`), toMillis(now), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists int
			if err := tx.QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM api_tokens WHERE id = ?`), id).Scan(&exists); err != nil {
				return err
			}
			if exists == 0 {
				return yaqaza.Errorf(yaqaza.ENOTFOUND, "token %d not found", id)
			}
			return nil // already revoked
		}
		return s.db.audit(ctx, tx, now, auditOf(ctx, actor, "token.revoke", object("token", id), "", ""))
	})
	if err != nil {
		return err
	}
	// This node forgets it at once.
	s.mu.Lock()
	for k, c := range s.cache {
		if c.actor.ID == "token:"+itoa(id) {
			delete(s.cache, k)
		}
	}
	s.mu.Unlock()
	return nil
}

// CountTokens implements yaqaza.TokenService.
func (s *TokenService) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM api_tokens WHERE revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)`),
		s.db.Now().UnixMilli()).Scan(&n)
	return n, err
}
