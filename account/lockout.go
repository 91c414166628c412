package account

import "time"

// Lockout is the policy that locks an account after repeated sign-in
// failures. It is pure: the store keeps a LockState per account, and the
// caller passes it through these methods and stores what they return.
//
// The failure window starts at the first failure and is not sliding, so that
// the store needs three columns rather than a list of times. An attacker still
// gets at most MaxFailures-1 guesses per Window in the long run; only a burst
// straddling two windows can reach 2×(MaxFailures-1).
type Lockout struct {
	MaxFailures int           // failures within Window that lock; below 1 never locks
	Window      time.Duration // how long failures keep counting from the first one
	LockFor     time.Duration // how long the account then stays locked
}

// DefaultLockout locks for 30 minutes after 5 failures within 15 minutes.
var DefaultLockout = Lockout{MaxFailures: 5, Window: 15 * time.Minute, LockFor: 30 * time.Minute}

// LockState is what the store keeps per account. The zero value is an
// account with no recent failures; an administrator's reset stores it.
type LockState struct {
	Failures     int       // failures in the current window
	FirstFailure time.Time // start of the current window; zero when none
	LockedUntil  time.Time // zero or past when not locked
}

// Locked reports whether sign-in is refused at now. The caller must check it
// before verifying the password, and must answer a locked account the same
// way whether or not the password was right: otherwise the lock-out would
// still let an attacker test guesses.
func (s LockState) Locked(now time.Time) bool { return now.Before(s.LockedUntil) }

// Fail records a failed sign-in (wrong password or wrong second factor) at
// now. Failures while locked are not counted and do not extend the lock, so
// an attacker cannot keep an account locked longer by hammering it.
func (l Lockout) Fail(s LockState, now time.Time) LockState {
	if s.Locked(now) || l.MaxFailures < 1 {
		return s
	}
	if s.FirstFailure.IsZero() || now.Sub(s.FirstFailure) >= l.Window {
		s.Failures, s.FirstFailure = 0, now
	}
	s.Failures++
	if s.Failures >= l.MaxFailures {
		return LockState{LockedUntil: now.Add(l.LockFor)}
	}
	return s
}

// Succeed records a successful sign-in at now. It clears the failures, but
// not a lock that is still running: a right password given during a lock-out
// may be the attacker's lucky guess, and must not end it.
func (s LockState) Succeed(now time.Time) LockState {
	if s.Locked(now) {
		return s
	}
	return LockState{}
}

// Reset is an administrator's unlock: it clears failures and any lock.
func (s LockState) Reset() LockState { return LockState{} }
