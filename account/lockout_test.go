package account

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func TestLockout(t *testing.T) {
	l := DefaultLockout
	minute := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	tests := []struct {
		name       string
		failures   []time.Time
		checkAt    time.Time
		wantLocked bool
	}{
		{"no failures", nil, minute(0), false},
		{"four failures", []time.Time{minute(0), minute(1), minute(2), minute(3)}, minute(4), false},
		{"five failures within the window", []time.Time{minute(0), minute(1), minute(2), minute(3), minute(14)}, minute(15), true},
		{"locked until the end", []time.Time{minute(0), minute(1), minute(2), minute(3), minute(14)}, minute(14 + 29), true},
		{"unlocked after LockFor", []time.Time{minute(0), minute(1), minute(2), minute(3), minute(14)}, minute(14 + 30), false},
		{"five failures over more than the window", []time.Time{minute(0), minute(1), minute(2), minute(3), minute(15)}, minute(16), false},
		{"a new window after the old one", []time.Time{minute(0), minute(1), minute(2), minute(3), minute(20), minute(21), minute(22), minute(23), minute(24)}, minute(25), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s LockState
			for _, at := range tt.failures {
				s = l.Fail(s, at)
			}
			if got := s.Locked(tt.checkAt); got != tt.wantLocked {
				t.Errorf("Locked = %v, want %v (state %+v)", got, tt.wantLocked, s)
			}
		})
	}
}

func lockedState(t *testing.T) LockState {
	t.Helper()
	var s LockState
	for i := range DefaultLockout.MaxFailures {
		s = DefaultLockout.Fail(s, t0.Add(time.Duration(i)*time.Second))
	}
	if !s.Locked(t0.Add(time.Minute)) {
		t.Fatalf("not locked after %d failures: %+v", DefaultLockout.MaxFailures, s)
	}
	return s
}

func TestALockedOutAccountStaysLocked(t *testing.T) {
	s := lockedState(t)
	now := t0.Add(10 * time.Minute)
	// The right password is given during the lock-out: the lock must stand.
	s = s.Succeed(now)
	if !s.Locked(now) || !s.Locked(t0.Add(29*time.Minute)) {
		t.Fatalf("a success ended the lock-out: %+v", s)
	}
	if s.Locked(s.LockedUntil) {
		t.Error("still locked at LockedUntil")
	}
	if s = s.Succeed(s.LockedUntil); s != (LockState{}) {
		t.Errorf("success after the lock-out left %+v, want the zero state", s)
	}
}

func TestFailuresDuringLockoutDoNotExtendIt(t *testing.T) {
	s := lockedState(t)
	until := s.LockedUntil
	for i := range 20 {
		s = DefaultLockout.Fail(s, t0.Add(time.Duration(i)*time.Minute))
	}
	if s.LockedUntil != until {
		t.Errorf("LockedUntil moved from %v to %v", until, s.LockedUntil)
	}
	// After the lock, counting starts afresh: one failure does not re-lock.
	s = DefaultLockout.Fail(s, until)
	if s.Locked(until.Add(time.Second)) || s.Failures != 1 {
		t.Errorf("after the lock-out one failure gave %+v", s)
	}
}

func TestAdminResetUnlocks(t *testing.T) {
	s := lockedState(t).Reset()
	if s.Locked(t0.Add(time.Minute)) || s != (LockState{}) {
		t.Errorf("reset left %+v", s)
	}
}

func TestSuccessClearsFailures(t *testing.T) {
	var s LockState
	for i := range DefaultLockout.MaxFailures - 1 {
		s = DefaultLockout.Fail(s, t0.Add(time.Duration(i)*time.Second))
	}
	s = s.Succeed(t0.Add(time.Minute))
	s = DefaultLockout.Fail(s, t0.Add(2*time.Minute))
	if s.Locked(t0.Add(2*time.Minute)) || s.Failures != 1 {
		t.Errorf("failures before a success still counted: %+v", s)
	}
}

func TestLockoutDisabled(t *testing.T) {
	var s LockState
	for i := range 100 {
		s = Lockout{}.Fail(s, t0.Add(time.Duration(i)*time.Second))
	}
	if s.Locked(t0.Add(2 * time.Minute)) {
		t.Error("a Lockout with MaxFailures 0 locked the account")
	}
}
