package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
)

// errSignIn is what a failed sign-in says, whatever failed: it must not
// tell which user names exist.
var errSignIn = yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "wrong user name or password")

// SignIn implements yaqaza.UserService. The password is checked outside
// any transaction (argon2id takes a tenth of a second and must not hold
// the writer); the lock-out state is then updated on the current row.
func (s *UserService) SignIn(ctx context.Context, in yaqaza.SignIn) (*yaqaza.Session, string, error) {
	name := strings.ToLower(strings.TrimSpace(in.Username))
	u, err := s.db.findUser(ctx, s.db.read, `username = ?`, name)
	if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
		// As costly as a known user's, so that timing does not tell which names exist.
		s.db.passwordParams().Verify(in.Password, s.db.dummyHash())
		s.failAudit(ctx, nil, name, "unknown user name")
		return nil, "", errSignIn
	} else if err != nil {
		return nil, "", err
	}
	now := s.db.Now()
	switch {
	case u.Disabled:
		s.failAudit(ctx, u, name, "account disabled")
		return nil, "", errSignIn
	case u.lock.Locked(now):
		s.failAudit(ctx, u, name, "account locked")
		return nil, "", lockedError(u.lock.LockedUntil)
	case !u.passwordHash.Valid:
		s.failAudit(ctx, u, name, "no password: signs in through the identity provider")
		return nil, "", errSignIn
	}
	ok, rehash, err := s.db.passwordParams().Verify(in.Password, u.passwordHash.String)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", s.failed(ctx, u, "wrong password")
	}
	var step int64
	if u.TOTP {
		if strings.TrimSpace(in.Code) == "" {
			return nil, "", yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "second factor required: enter the 6-digit code of your authenticator app")
		}
		secret, err := s.db.openSecret(u.totpSecret.String, totpAAD(u.ID))
		if err != nil {
			return nil, "", err
		}
		st, valid := account.VerifyTOTP(secret, in.Code, now)
		if !valid || st <= u.totpLastStep { // a code is good once
			return nil, "", s.failed(ctx, u, "wrong or reused second-factor code")
		}
		step = st
	}
	var newHash string
	if rehash {
		newHash, _ = s.db.passwordParams().Hash(in.Password)
	}
	var sess *yaqaza.Session
	var secret string
	err = s.db.withTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.db.findUser(ctx, tx, `id = ?`+s.db.forUpdate(), u.ID)
		if err != nil {
			return err
		}
		if cur.lock.Locked(now) || cur.Disabled { // locked or disabled meanwhile
			return lockedError(cur.lock.LockedUntil)
		}
		set, args := `failures = 0, first_failure = NULL, locked_until = NULL`, []any{}
		if step > 0 {
			set, args = set+`, totp_last_step = ?`, append(args, step)
		}
		if newHash != "" {
			set, args = set+`, password_hash = ?`, append(args, newHash)
		}
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET `+set+` WHERE id = ?`), append(args, u.ID)...); err != nil {
			return err
		}
		if sess, secret, err = s.db.openSession(ctx, tx, cur, now); err != nil {
			return err
		}
		detail := "password"
		if step > 0 {
			detail += " and second factor"
		}
		return s.db.audit(ctx, tx, now, auditOf(ctx, actorOf(cur), "session.signin", object("user", u.ID), "", detail))
	})
	if err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

func lockedError(until time.Time) error {
	return yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "this account is locked after repeated failed sign-ins until %s UTC; an admin can unlock it",
		until.UTC().Format("15:04"))
}

func totpAAD(userID int64) []byte { return []byte("users.totp:" + strconv.FormatInt(userID, 10)) }

// failed counts a failed sign-in against the account, locks it when the
// policy says so, and records both.
func (s *UserService) failed(ctx context.Context, u *userRow, why string) error {
	now := s.db.Now()
	var locked bool
	var until time.Time
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		cur, err := s.db.findUser(ctx, tx, `id = ?`+s.db.forUpdate(), u.ID)
		if err != nil {
			return err
		}
		st := s.db.lockout().Fail(cur.lock, now)
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET failures = ?, first_failure = ?, locked_until = ? WHERE id = ?`),
			st.Failures, nullTime(st.FirstFailure), nullTime(st.LockedUntil), u.ID); err != nil {
			return err
		}
		recs := []auditRecord{auditOf(ctx, actorOf(cur), "session.signin_failed", object("user", u.ID), "",
			fmt.Sprintf("%s (%d in a row)", why, st.Failures))}
		if locked, until = st.Locked(now) && !cur.lock.Locked(now), st.LockedUntil; locked {
			recs = append(recs, auditOf(ctx, actorOf(cur), "session.locked", object("user", u.ID), "",
				"locked until "+st.LockedUntil.UTC().Format(time.RFC3339)))
		}
		return s.db.audit(ctx, tx, now, recs...)
	})
	if err != nil {
		return err
	}
	if locked {
		return lockedError(until)
	}
	return errSignIn
}

func nullTime(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: toMillis(t), Valid: true}
}

// failAudit records a refused sign-in that counts against no account.
func (s *UserService) failAudit(ctx context.Context, u *userRow, name, why string) {
	a, obj := &yaqaza.Actor{Kind: yaqaza.ActorAnonymous, ID: "anonymous", Name: truncateName(name)}, ""
	if u != nil {
		a, obj = actorOf(u), object("user", u.ID)
	}
	// A failure to record must not turn a refusal into an acceptance, and
	// the refusal stands either way.
	_ = s.db.auditAlone(ctx, auditOf(ctx, a, "session.signin_failed", obj, "", why))
}

func truncateName(s string) string {
	if len(s) > 60 {
		return s[:60]
	}
	return s
}

// SignInWith implements yaqaza.UserService: the identity provider vouched
// for the person. The account is found by the provider's subject, or, the
// first time, by the verified e-mail address an admin gave it.
func (s *UserService) SignInWith(ctx context.Context, id yaqaza.Identity) (*yaqaza.Session, string, error) {
	now := s.db.Now()
	var sess *yaqaza.Session
	var secret string
	err := s.db.withTx(ctx, func(tx *sql.Tx) error {
		u, err := s.db.findUser(ctx, tx, `oidc_issuer = ? AND oidc_subject = ?`, id.Issuer, id.Subject)
		if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND && id.EmailVerified && id.Email != "" {
			u, err = s.db.findUser(ctx, tx, `lower(email) = ? AND oidc_subject IS NULL`, strings.ToLower(id.Email))
			if err == nil {
				if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET oidc_issuer = ?, oidc_subject = ? WHERE id = ?`),
					id.Issuer, id.Subject, u.ID); err != nil {
					return err
				}
			}
		}
		if yaqaza.ErrorCode(err) == yaqaza.ENOTFOUND {
			return yaqaza.Errorf(yaqaza.EFORBIDDEN, "no account is linked to this identity: ask an admin to create one with your e-mail address")
		} else if err != nil {
			return err
		}
		if u.Disabled {
			return yaqaza.Errorf(yaqaza.EFORBIDDEN, "this account is disabled")
		}
		u.MustChange = false // the provider holds the password
		if sess, secret, err = s.db.openSession(ctx, tx, u, now); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, now, auditOf(ctx, actorOf(u), "session.signin", object("user", u.ID), "",
			"identity provider "+id.Issuer))
	})
	if err != nil {
		return nil, "", err
	}
	return sess, secret, nil
}

// sessionRow is a session and its person.
func (s *UserService) findSession(ctx context.Context, secret string) (*userRow, string, time.Time, error) {
	hash := account.HashSecret(secret)
	var userID, created, seen, expires int64
	err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT user_id, created_at, seen_at, expires_at FROM sessions WHERE secret_hash = ?`),
		hash).Scan(&userID, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", time.Time{}, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the session has ended: sign in again")
	} else if err != nil {
		return nil, "", time.Time{}, err
	}
	now := s.db.Now()
	if now.UnixMilli() >= expires || account.SessionExpired(fromMillis(created), fromMillis(seen), now) {
		return nil, "", time.Time{}, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "the session has expired: sign in again")
	}
	u, err := s.db.findUser(ctx, s.db.read, `id = ?`, userID)
	if err != nil {
		return nil, "", time.Time{}, err
	}
	if u.Disabled {
		return nil, "", time.Time{}, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "this account is disabled")
	}
	// Note activity at most once a minute: a write per request would cost
	// the writer more than the idle timeout is worth.
	if now.Sub(fromMillis(seen)) > time.Minute {
		if _, err := s.db.write.ExecContext(ctx, s.db.q(`UPDATE sessions SET seen_at = ? WHERE secret_hash = ?`), toMillis(now), hash); err != nil {
			return nil, "", time.Time{}, err
		}
	}
	return u, hash, fromMillis(expires), nil
}

// Authenticate implements yaqaza.UserService.
func (s *UserService) Authenticate(ctx context.Context, secret string) (*yaqaza.Actor, string, error) {
	u, hash, _, err := s.findSession(ctx, secret)
	if err != nil {
		return nil, "", err
	}
	return actorOf(u), account.CSRFToken(s.db.csrfKey, hash), nil
}

// CurrentSession implements yaqaza.UserService.
func (s *UserService) CurrentSession(ctx context.Context, secret string) (*yaqaza.Session, error) {
	u, hash, expires, err := s.findSession(ctx, secret)
	if err != nil {
		return nil, err
	}
	return s.db.session(u, hash, expires), nil
}

// SignOut implements yaqaza.UserService.
func (s *UserService) SignOut(ctx context.Context, secret string) error {
	hash := account.HashSecret(secret)
	actor := yaqaza.ActorFromContext(ctx)
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, s.db.q(`DELETE FROM sessions WHERE secret_hash = ?`), hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "session.signout", "", "", ""))
	})
}

// ownUser is the signed-in person's own account row.
func (s *UserService) ownUser(ctx context.Context, q querier) (*userRow, *yaqaza.Actor, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActManageOwnLogin)
	if err != nil {
		return nil, nil, err
	}
	id, ok := strings.CutPrefix(actor.ID, "user:")
	if actor.Kind != yaqaza.ActorUser || !ok {
		return nil, nil, yaqaza.Errorf(yaqaza.EFORBIDDEN, "only a signed-in person has a password and a second factor")
	}
	u, err := s.db.findUser(ctx, q, `id = ?`, id)
	return u, actor, err
}

// ChangePassword implements yaqaza.UserService.
func (s *UserService) ChangePassword(ctx context.Context, old, new string) error {
	u, actor, err := s.ownUser(ctx, s.db.read)
	if err != nil {
		return err
	}
	if ok, _, err := s.db.passwordParams().Verify(old, u.passwordHash.String); err != nil || !ok {
		return yaqaza.Errorf(yaqaza.EFORBIDDEN, "the current password is wrong")
	}
	if old == new {
		return yaqaza.Invalidf("password", "the new password must differ from the current one")
	}
	if err := account.CheckPasswordPolicy(new, u.Username, u.DisplayName, u.Email); err != nil {
		return yaqaza.Invalidf("password", "%s", err.Error())
	}
	hash, err := s.db.passwordParams().Hash(new)
	if err != nil {
		return err
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET password_hash = ?, must_change = ? WHERE id = ?`), hash, false, u.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "user.password", object("user", u.ID), "", "password changed"))
	})
}

// StartTOTP implements yaqaza.UserService.
func (s *UserService) StartTOTP(ctx context.Context) (string, error) {
	u, _, err := s.ownUser(ctx, s.db.read)
	if err != nil {
		return "", err
	}
	secret, url, err := account.NewTOTP("Yaqaza", u.Username)
	if err != nil {
		return "", err
	}
	sealed, err := s.db.sealSecret(secret, totpAAD(u.ID))
	if err != nil {
		return "", err
	}
	if _, err := s.db.write.ExecContext(ctx, s.db.q(`UPDATE users SET totp_pending = ? WHERE id = ?`), sealed, u.ID); err != nil {
		return "", err
	}
	return url, nil
}

// ConfirmTOTP implements yaqaza.UserService: the first good code turns the
// pending secret into the account's second factor.
func (s *UserService) ConfirmTOTP(ctx context.Context, code string) error {
	u, actor, err := s.ownUser(ctx, s.db.read)
	if err != nil {
		return err
	}
	var pending sql.NullString
	if err := s.db.read.QueryRowContext(ctx, s.db.q(`SELECT totp_pending FROM users WHERE id = ?`), u.ID).Scan(&pending); err != nil {
		return err
	}
	if !pending.Valid {
		return yaqaza.Errorf(yaqaza.ECONFLICT, "start the second-factor set-up first")
	}
	secret, err := s.db.openSecret(pending.String, totpAAD(u.ID))
	if err != nil {
		return err
	}
	step, ok := account.VerifyTOTP(secret, code, s.db.Now())
	if !ok {
		return yaqaza.Invalidf("code", "the code does not match: check the time on your phone and try the next code")
	}
	return s.db.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, s.db.q(`UPDATE users SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?
			WHERE id = ?`), step, u.ID); err != nil {
			return err
		}
		return s.db.audit(ctx, tx, s.db.Now(), auditOf(ctx, actor, "user.totp", object("user", u.ID), "", "second factor enabled"))
	})
}
