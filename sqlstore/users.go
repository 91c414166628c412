package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
)

// UserService implements yaqaza.UserService: accounts, sign-in with a
// password and an optional second factor, lock-out, sessions.
type UserService struct{ db *DB }

var _ yaqaza.UserService = (*UserService)(nil)

// NewUserService returns the account service.
func NewUserService(db *DB) *UserService { return &UserService{db: db} }

func (db *DB) passwordParams() account.Params {
	if db.PasswordParams == (account.Params{}) {
		return account.DefaultParams
	}
	return db.PasswordParams
}

// dummyHash is a hash of no one's password, made once.
func (db *DB) dummyHash() string {
	db.dummyOnce.Do(func() { db.dummy, _ = db.passwordParams().Hash("not the password of anyone") })
	return db.dummy
}

func (db *DB) lockout() account.Lockout {
	if db.Lockout == (account.Lockout{}) {
		return account.DefaultLockout
	}
	return db.Lockout
}

const userColumns = `id, username, display_name, email, role, zones, password_hash, must_change, totp_secret, totp_last_step,
	failures, first_failure, locked_until, disabled_at, oidc_subject, created_at`

// userRow is a user with what never leaves the store.
type userRow struct {
	yaqaza.User
	passwordHash sql.NullString
	totpSecret   sql.NullString
	totpLastStep int64
	lock         account.LockState
}

func scanUser(row rowScanner) (*userRow, error) {
	var u userRow
	var email, zones, subject sql.NullString
	var first, locked, disabled sql.NullInt64
	var created int64
	var mustChange bool
	if err := row.Scan(&u.ID, &u.Username, &u.DisplayName, &email, &u.Role, &zones, &u.passwordHash, &mustChange,
		&u.totpSecret, &u.totpLastStep, &u.lock.Failures, &first, &locked, &disabled, &subject, &created); err != nil {
		return nil, err
	}
	u.Email, u.MustChange, u.Disabled, u.OIDC = email.String, mustChange, disabled.Valid, subject.Valid
	if zones.String != "" {
		u.Zones = strings.Split(zones.String, ",")
	}
	u.TOTP = u.totpSecret.Valid
	if first.Valid {
		u.lock.FirstFailure = fromMillis(first.Int64)
	}
	if locked.Valid {
		u.lock.LockedUntil = fromMillis(locked.Int64)
		t := u.lock.LockedUntil
		u.LockedUntil = &t
	}
	u.CreatedAt = fromMillis(created)
	return &u, nil
}

func (db *DB) findUser(ctx context.Context, q querier, where string, args ...any) (*userRow, error) {
	u, err := scanUser(q.QueryRowContext(ctx, db.q(`SELECT `+userColumns+` FROM users WHERE `+where), args...))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, yaqaza.Errorf(yaqaza.ENOTFOUND, "no such account")
	}
	return u, err
}

// temporaryPassword is a one-time password an admin hands over: 20
// characters of an alphabet without look-alikes.
func temporaryPassword() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"
	b := make([]byte, 20)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// CreateUser implements yaqaza.UserService.
func (s *UserService) CreateUser(ctx context.Context, in yaqaza.UserInput) (*yaqaza.User, string, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers)
	if err != nil {
		return nil, "", err
	}
	if err := in.Validate(); err != nil {
		return nil, "", err
	}
	pw := temporaryPassword()
	hash, err := s.db.passwordParams().Hash(pw)
	if err != nil {
		return nil, "", err
	}
	var id int64
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		for _, z := range in.Zones {
			if err := s.db.mustExist(ctx, tx, "zones", z, "zones"); err != nil {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, s.db.q(`SELECT count(*) FROM users WHERE username = ?`), in.Username).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return yaqaza.Errorf(yaqaza.ECONFLICT, "the user name %s is taken", in.Username)
		}
		now := s.db.Now()
		if err := tx.QueryRowContext(ctx, s.db.q(`INSERT INTO users (username, display_name, email, role, zones, password_hash,
			must_change, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`), in.Username, in.DisplayName,
			nullString(in.Email), in.Role, strings.Join(in.Zones, ","), hash, true, toMillis(now), actor.ID).Scan(&id); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, now, auditOf(ctx, actor, "user.create", object("user", id), "",
			fmt.Sprintf("%s, role %s, zones %s", in.Username, in.Role, strings.Join(in.Zones, ","))))
	})
	if err != nil {
		return nil, "", err
	}
	u, err := s.db.findUser(ctx, s.db.read, `id = ?`, id)
	if err != nil {
		return nil, "", err
	}
	return &u.User, pw, nil
}

// FindUsers implements yaqaza.UserService.
func (s *UserService) FindUsers(ctx context.Context) ([]*yaqaza.User, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers); err != nil {
		return nil, err
	}
	rows, err := s.db.read.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*yaqaza.User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, &u.User)
	}
	return out, rows.Err()
}

// DisableUser implements yaqaza.UserService.
func (s *UserService) DisableUser(ctx context.Context, username string) error {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers)
	if err != nil {
		return err
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		u, err := s.db.findUser(ctx, tx, `username = ?`, strings.ToLower(username))
		if err != nil {
			return err
		}
		now := s.db.Now()
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET disabled_at = ? WHERE id = ?`), toMillis(now), u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`DELETE FROM sessions WHERE user_id = ?`), u.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, now, auditOf(ctx, actor, "user.disable", object("user", u.ID), "", u.Username))
	})
}

// ResetUser implements yaqaza.UserService.
func (s *UserService) ResetUser(ctx context.Context, username string, totp bool) (string, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActManageUsers)
	if err != nil {
		return "", err
	}
	pw := temporaryPassword()
	hash, err := s.db.passwordParams().Hash(pw)
	if err != nil {
		return "", err
	}
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		u, err := s.db.findUser(ctx, tx, `username = ?`, strings.ToLower(username))
		if err != nil {
			return err
		}
		set := `password_hash = ?, must_change = ?, failures = 0, first_failure = NULL, locked_until = NULL, disabled_at = NULL`
		what := "password reset, lock-out lifted"
		if totp {
			set += `, totp_secret = NULL, totp_last_step = 0`
			what += ", second factor removed"
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET `+set+` WHERE id = ?`), hash, true, u.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`DELETE FROM sessions WHERE user_id = ?`), u.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "user.reset", object("user", u.ID), "", u.Username+": "+what))
	})
	if err != nil {
		return "", err
	}
	return pw, nil
}

// actorOf is the actor a signed-in person acts as.
func actorOf(u *userRow) *yaqaza.Actor {
	return &yaqaza.Actor{Kind: yaqaza.ActorUser, ID: fmt.Sprintf("user:%d", u.ID), Name: u.Username, Role: u.Role,
		Zones: u.Zones, MustChangePassword: u.MustChange}
}

func (db *DB) session(u *userRow, sessionHash string, expires time.Time) *yaqaza.Session {
	a := actorOf(u)
	return &yaqaza.Session{User: &u.User, ExpiresAt: expires, CSRFToken: account.CSRFToken(db.csrfKey, sessionHash),
		Actions: yaqaza.ActionsOf(u.Role), View: a.View().String()}
}

// openSession writes a new session for u in tx.
func (db *DB) openSession(ctx context.Context, tx *sql.Tx, u *userRow, now time.Time) (*yaqaza.Session, string, error) {
	secret, hash := account.NewSecret()
	expires := now.Add(account.SessionLifetime)
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO sessions (secret_hash, user_id, created_at, seen_at, expires_at, remote)
		VALUES (?, ?, ?, ?, ?, ?)`), hash, u.ID, toMillis(now), toMillis(now), toMillis(expires), yaqaza.RemoteFromContext(ctx)); err != nil {
		return nil, "", err
	}
	return db.session(u, hash, fromMillis(toMillis(expires))), secret, nil
}
