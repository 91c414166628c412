package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/yaqaza/yaqaza"
)

var bulkInsertAudit = newBulkStatement(func(n int) string {
	return bulkSQL(`INSERT INTO audit_log (id, at, actor_id, actor_name, actor_role, action, object, zone, detail, remote,
		prev_hash, hash) VALUES`, 12, n, "")
})

// auditRecord is an entry to append, before the chain gives it an id and hashes.
type auditRecord struct {
	actor  *yaqaza.Actor
	action string
	object string
	zone   string
	detail string
	remote string
}

func auditOf(ctx context.Context, actor *yaqaza.Actor, action, object, zone, detail string) auditRecord {
	return auditRecord{actor: actor, action: action, object: object, zone: zone, detail: detail, remote: yaqaza.RemoteFromContext(ctx)}
}

func object(kind string, id int64) string { return kind + ":" + strconv.FormatInt(id, 10) }

// audit appends entries to the trail inside tx, chained to the head. The
// head row is locked for the rest of the transaction (PostgreSQL; SQLite
// has one writer), so that appends from several nodes form one chain.
func (db *DB) audit(ctx context.Context, tx *sql.Tx, at time.Time, recs ...auditRecord) error {
	if len(recs) == 0 {
		return nil
	}
	var lastID int64
	var lastHash string
	head, err := db.stmt(ctx, tx, sqlAuditHead+db.forUpdate())
	if err != nil {
		return err
	}
	if err := head.QueryRowContext(ctx).Scan(&lastID, &lastHash); err != nil {
		return err
	}
	at = time.UnixMilli(at.UnixMilli()) // stored to the millisecond: hash what is stored
	entries := make([]*yaqaza.AuditEntry, len(recs))
	for i, r := range recs {
		a := r.actor
		if a == nil {
			a = yaqaza.Anonymous
		}
		e := &yaqaza.AuditEntry{ID: lastID + 1, At: at, ActorID: a.ID, ActorName: a.Name, ActorRole: a.Role,
			Action: r.action, Object: r.object, Zone: r.zone, Detail: r.detail, Remote: r.remote, PrevHash: lastHash}
		e.Hash = e.Digest()
		entries[i] = e
		lastID, lastHash = e.ID, e.Hash
	}
	if _, err := db.execBulk(ctx, tx, bulkInsertAudit, len(entries), func(i int) []any {
		e := entries[i]
		return []any{e.ID, e.At.UnixMilli(), e.ActorID, e.ActorName, string(e.ActorRole), e.Action, e.Object, e.Zone,
			e.Detail, e.Remote, e.PrevHash, e.Hash}
	}); err != nil {
		return err
	}
	move, err := db.stmt(ctx, tx, sqlAuditMoveHead)
	if err != nil {
		return err
	}
	_, err = move.ExecContext(ctx, lastID, lastHash)
	return err
}

// The audit head's statements run with every batch of reports.
const (
	sqlAuditHead     = `SELECT last_id, last_hash FROM audit_head WHERE one = 1`
	sqlAuditMoveHead = `UPDATE audit_head SET last_id = ?, last_hash = ? WHERE one = 1`
)

// auditAlone appends entries in a transaction of their own: a read of
// personal data, a sign-in.
func (db *DB) auditAlone(ctx context.Context, recs ...auditRecord) error {
	return db.withTx(ctx, func(tx *sql.Tx) error { return db.audit(ctx, tx, db.Now(), recs...) })
}

// AuditService implements yaqaza.AuditService.
type AuditService struct{ db *DB }

// NewAuditService returns the audit trail's reader.
func NewAuditService(db *DB) *AuditService { return &AuditService{db: db} }

const auditColumns = `id, at, actor_id, actor_name, actor_role, action, object, zone, detail, remote, prev_hash, hash`

func scanAudit(row rowScanner) (*yaqaza.AuditEntry, error) {
	var e yaqaza.AuditEntry
	var at int64
	var role string
	if err := row.Scan(&e.ID, &at, &e.ActorID, &e.ActorName, &role, &e.Action, &e.Object, &e.Zone, &e.Detail,
		&e.Remote, &e.PrevHash, &e.Hash); err != nil {
		return nil, err
	}
	e.At, e.ActorRole = fromMillis(at), yaqaza.Role(role)
	return &e, nil
}

// FindAudit implements yaqaza.AuditService: auditors search the trail.
// Searching is itself recorded.
func (s *AuditService) FindAudit(ctx context.Context, f yaqaza.AuditFilter) (*yaqaza.AuditPage, error) {
	actor, err := yaqaza.Authorize(ctx, yaqaza.ActReadAudit)
	if err != nil {
		return nil, err
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 100
	}
	var where []string
	var args []any
	add := func(cond string, v any) {
		where = append(where, cond)
		args = append(args, v)
	}
	if f.ActorID != "" {
		add("actor_id = ?", f.ActorID)
	}
	if f.Action != "" {
		add("action = ?", f.Action)
	}
	if f.Object != "" {
		add("object = ?", f.Object)
	}
	if f.Zone != "" {
		add("zone = ?", f.Zone)
	}
	if f.From != nil {
		add("at >= ?", toMillis(*f.From))
	}
	if f.To != nil {
		add("at < ?", toMillis(*f.To))
	}
	if f.Before > 0 {
		add("id < ?", f.Before)
	}
	q := `SELECT ` + auditColumns + ` FROM audit_log`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY id DESC LIMIT ` + strconv.Itoa(f.Limit+1)
	rows, err := s.db.read.QueryContext(ctx, s.db.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	page := &yaqaza.AuditPage{Entries: []*yaqaza.AuditEntry{}}
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		page.Entries = append(page.Entries, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(page.Entries) > f.Limit {
		page.Entries = page.Entries[:f.Limit]
		page.NextCursor = strconv.FormatInt(page.Entries[f.Limit-1].ID, 10)
	}
	detail := describeAuditFilter(f)
	if err := s.db.auditAlone(ctx, auditOf(ctx, actor, "audit.search", "", "", detail)); err != nil {
		return nil, err
	}
	return page, nil
}

func describeAuditFilter(f yaqaza.AuditFilter) string {
	var parts []string
	for _, kv := range [][2]string{{"actor", f.ActorID}, {"action", f.Action}, {"object", f.Object}, {"zone", f.Zone}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// VerifyAudit implements yaqaza.AuditService: it walks the whole chain.
func (s *AuditService) VerifyAudit(ctx context.Context) (*yaqaza.AuditCheck, error) {
	if _, err := yaqaza.Authorize(ctx, yaqaza.ActReadAudit); err != nil {
		return nil, err
	}
	return s.db.verifyAudit(ctx)
}

func (db *DB) verifyAudit(ctx context.Context) (*yaqaza.AuditCheck, error) {
	var headID int64
	var headHash string
	if err := db.read.QueryRowContext(ctx, `SELECT last_id, last_hash FROM audit_head WHERE one = 1`).Scan(&headID, &headHash); err != nil {
		return nil, err
	}
	var v yaqaza.AuditVerifier
	after := int64(-1)
	for {
		rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+auditColumns+` FROM audit_log WHERE id > ? ORDER BY id LIMIT 5000`), after)
		if err != nil {
			return nil, err
		}
		n, broken := 0, false
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			n++
			after = e.ID
			if !v.Add(e) {
				broken = true
				break
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if broken || n < 5000 {
			break
		}
	}
	c := v.Finish(headID, headHash)
	return &c, nil
}
