package yaqaza

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"
)

// AuditEntry is one line of the audit trail: every change, every read of
// personal data, every export and every sign-in. Entries are hash-chained:
// each carries the hash of the one before, so that changing, removing or
// reordering any entry breaks the chain from there on.
type AuditEntry struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	ActorID   string    `json:"actor_id"`
	ActorName string    `json:"actor_name"`
	ActorRole Role      `json:"actor_role,omitempty"`
	// Action is what was done: an incident event kind ("status.changed"),
	// or "personal.read", "session.signin", "user.create"…
	Action string `json:"action"`
	// Object is what it was done to: "incident:12", "report:40", "user:3".
	Object string `json:"object,omitempty"`
	Zone   string `json:"zone,omitempty"`
	Detail string `json:"detail,omitempty"`
	// Remote is the client address the request came from, when there was one.
	Remote   string `json:"remote,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// Digest is the hash the entry must carry: SHA-256 over the previous hash
// and every field, each length-prefixed so that no two entries share an
// encoding.
func (e *AuditEntry) Digest() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	field(e.PrevHash)
	field(strconv.FormatInt(e.ID, 10))
	field(strconv.FormatInt(e.At.UnixMilli(), 10))
	field(e.ActorID)
	field(e.ActorName)
	field(string(e.ActorRole))
	field(e.Action)
	field(e.Object)
	field(e.Zone)
	field(e.Detail)
	field(e.Remote)
	return hex.EncodeToString(h.Sum(nil))
}

// AuditCheck is the result of verifying the audit trail.
type AuditCheck struct {
	Entries  int64  `json:"entries"`
	HeadID   int64  `json:"head_id"`
	HeadHash string `json:"head_hash"`
	OK       bool   `json:"ok"`
	// FirstBroken is the first entry that does not hold, and Problem why.
	FirstBroken int64  `json:"first_broken,omitempty"`
	Problem     string `json:"problem,omitempty"`
}

// AuditVerifier checks a chain entry by entry, in id order.
type AuditVerifier struct {
	check AuditCheck
	prev  *AuditEntry
}

// Add checks the next entry; it returns false once the chain is broken.
func (v *AuditVerifier) Add(e *AuditEntry) bool {
	if v.check.Problem != "" {
		return false
	}
	want := int64(1)
	prevHash := ""
	if v.prev != nil {
		want, prevHash = v.prev.ID+1, v.prev.Hash
	}
	switch {
	case e.ID != want:
		v.fail(want, fmt.Sprintf("entry %d is missing: the log goes from entry %d to entry %d (removed)", want, want-1, e.ID))
	case e.PrevHash != prevHash:
		v.fail(e.ID, fmt.Sprintf("entry %d does not follow entry %d: its previous hash differs (entries removed, inserted or reordered)", e.ID, want-1))
	case e.Digest() != e.Hash:
		v.fail(e.ID, fmt.Sprintf("entry %d was changed after it was written: its content does not match its hash", e.ID))
	default:
		v.check.Entries++
		v.prev = e
		return true
	}
	return false
}

func (v *AuditVerifier) fail(id int64, problem string) {
	v.check.FirstBroken, v.check.Problem = id, problem
}

// Finish compares the end of the chain with the head the store keeps (the
// last id and hash written), which shows entries removed from the end.
func (v *AuditVerifier) Finish(headID int64, headHash string) AuditCheck {
	c := v.check
	c.HeadID, c.HeadHash = headID, headHash
	if c.Problem == "" {
		lastID, lastHash := int64(0), ""
		if v.prev != nil {
			lastID, lastHash = v.prev.ID, v.prev.Hash
		}
		if lastID != headID || lastHash != headHash {
			c.FirstBroken = lastID + 1
			c.Problem = fmt.Sprintf("the log ends at entry %d but its head says entry %d was written: entries were removed from the end", lastID, headID)
		}
	}
	c.OK = c.Problem == ""
	return c
}

// AuditFilter selects audit entries, newest first.
type AuditFilter struct {
	ActorID string
	Action  string
	Object  string
	Zone    string
	From    *time.Time
	To      *time.Time
	// Before is the cursor: entries with a smaller id.
	Before int64
	Limit  int
}

// AuditPage is one page of audit entries.
type AuditPage struct {
	Entries    []*AuditEntry `json:"entries"`
	NextCursor string        `json:"next_cursor,omitempty"`
}

// AuditService searches and verifies the trail.
type AuditService interface {
	FindAudit(ctx context.Context, f AuditFilter) (*AuditPage, error)
	VerifyAudit(ctx context.Context) (*AuditCheck, error)
}

type remoteKey struct{}

// NewContextWithRemote records the client address of the request, for the
// audit trail.
func NewContextWithRemote(ctx context.Context, remote string) context.Context {
	return context.WithValue(ctx, remoteKey{}, remote)
}

// RemoteFromContext is the client address of the request, or "".
func RemoteFromContext(ctx context.Context) string {
	s, _ := ctx.Value(remoteKey{}).(string)
	return s
}
