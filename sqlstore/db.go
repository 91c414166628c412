// Package sqlstore implements Yaqaza's services over database/sql. The same
// code runs on SQLite (the embedded default) and PostgreSQL (scale-out); the
// sqlite and postgres packages open the connections and run the migrations,
// and a Dialect covers the few places where the two differ.
package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/account"
	"github.com/yaqaza/yaqaza/seal"
)

// Dialect names the SQL engine behind a DB.
type Dialect int

const (
	SQLite Dialect = iota
	Postgres
)

func (d Dialect) String() string {
	if d == Postgres {
		return "postgres"
	}
	return "sqlite"
}

// DB is an open store. All writes go through one *sql.DB (for SQLite a single
// connection: SQLite has one writer anyway), and reads through another (for
// SQLite a pool of read-only connections that WAL lets run beside the writer).
type DB struct {
	Dialect Dialect
	write   *sql.DB
	read    *sql.DB

	// Now returns the current time. Tests replace it.
	Now func() time.Time
	// OnCommit, when set, is told the size and duration of every group commit.
	OnCommit func(reports int, d time.Duration)
	// Messages writes the texts of notifications (plain English when nil).
	Messages yaqaza.Messenger
	// PasswordParams are the argon2id costs of new password hashes (the
	// default when zero; tests make them cheap).
	PasswordParams account.Params
	// Lockout is when repeated failed sign-ins lock an account.
	Lockout account.Lockout

	committer *committer
	clusterer yaqaza.Clusterer
	events    chan struct{}
	sla       atomic.Pointer[yaqaza.SLAPolicy]
	// onUnitsChanged refreshes the fleet index after a transaction outside
	// the unit service changed units (an incident resolved frees them).
	onUnitsChanged atomic.Pointer[func(context.Context, []int64)]
	stmts          map[string]*sql.Stmt // read-only after New
	bulk           sync.Map             // bulk statement text → its kept *sql.Stmt
	wantMu         sync.Mutex
	want           map[string]struct{} // bulk statements to prepare after the transaction

	pseudonymKey []byte
	csrfKey      []byte
	keys         *seal.Keyring
	dummyOnce    sync.Once
	dummy        string
	codes        *yaqaza.TrackingCodes

	dropped                 droppedCounts
	tokenUses               tokenUses
	stopFlush, flushStopped chan struct{}
	closeOnce               sync.Once
	closeErr                error
}

// Config tunes a DB.
type Config struct {
	// MaxBatch caps how many reports one group commit writes (default 1000).
	MaxBatch int
	// Keys seal personal data at rest. Required.
	Keys *seal.Keyring
}

// New wraps the two handles. The schema must already be migrated. read may be
// the same handle as write.
func New(ctx context.Context, dialect Dialect, write, read *sql.DB, cfg Config) (*DB, error) {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 1000
	}
	if cfg.Keys == nil {
		return nil, errNoKeys
	}
	db := &DB{
		Dialect: dialect,
		write:   write,
		read:    read,
		Now:     time.Now,
		stmts:   map[string]*sql.Stmt{},
		events:  make(chan struct{}, 1),
		keys:    cfg.Keys,
	}
	key, err := db.setting(ctx, "pseudonym_key", func() string {
		var b [32]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:])
	})
	if err != nil {
		return nil, err
	}
	if db.pseudonymKey, err = hex.DecodeString(key); err != nil {
		return nil, errors.New("sqlstore: stored pseudonym key is not hex")
	}
	// The tracking key is made once and never changes: every code depends on it.
	tkey, err := db.setting(ctx, "tracking_key", func() string {
		var b [yaqaza.TrackingKeySize]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:])
	})
	if err != nil {
		return nil, err
	}
	raw, err := hex.DecodeString(tkey)
	if err != nil {
		return nil, errors.New("sqlstore: stored tracking key is not hex")
	}
	if db.codes, err = yaqaza.NewTrackingCodes(raw); err != nil {
		return nil, err
	}
	// CSRF tokens are an HMAC of the session under this key.
	ckey, err := db.setting(ctx, "csrf_key", func() string {
		var b [32]byte
		rand.Read(b[:])
		return hex.EncodeToString(b[:])
	})
	if err != nil {
		return nil, err
	}
	if db.csrfKey, err = hex.DecodeString(ckey); err != nil {
		return nil, errors.New("sqlstore: stored CSRF key is not hex")
	}
	if err := db.prepareHot(ctx); err != nil {
		return nil, err
	}
	db.committer = newCommitter(db, cfg.MaxBatch)
	db.stopFlush, db.flushStopped = make(chan struct{}), make(chan struct{})
	go db.flushLoop(db.stopFlush, db.flushStopped)
	return db, nil
}

// SetClusterer makes intake group reports about the same event into one
// incident. Call it before the first report.
func (db *DB) SetClusterer(c yaqaza.Clusterer) { db.clusterer = c }

// TrackingCode returns the tracking code of report id.
func (db *DB) TrackingCode(id int64) string { return db.codes.Code(id) }

// Close stops the committer after writing what it has accepted, then closes
// both handles.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	db.committer.close()
	close(db.stopFlush)
	<-db.flushStopped
	for _, s := range db.stmts {
		s.Close()
	}
	db.bulk.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	err := db.write.Close()
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Ping checks both handles and that the committer is running.
func (db *DB) Ping(ctx context.Context) error {
	if db.committer.closed() {
		return yaqaza.Errorf(yaqaza.EUNAVAILABLE, "the store is shutting down")
	}
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	return db.read.PingContext(ctx)
}

// setting returns a stored setting, creating it with def() the first time.
// Several nodes starting at once agree on one value.
func (db *DB) setting(ctx context.Context, key string, def func() string) (string, error) {
	var v string
	err := db.read.QueryRowContext(ctx, db.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	if err == nil {
		return v, nil
	} else if !errors.Is(err, sql.ErrNoRows) {
		return "", err
	}
	if _, err := db.write.ExecContext(ctx, db.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT DO NOTHING`), key, def()); err != nil {
		return "", err
	}
	err = db.write.QueryRowContext(ctx, db.q(`SELECT value FROM settings WHERE key = ?`), key).Scan(&v)
	return v, err
}

var rebindCache sync.Map // query with ? → query with $n

// q returns query in the dialect's placeholder style. Queries are written
// with ?; PostgreSQL wants $1, $2… Queries never hold a literal "?".
func (db *DB) q(query string) string {
	if db.Dialect != Postgres {
		return query
	}
	if v, ok := rebindCache.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	rebindCache.Store(query, b.String())
	return b.String()
}

// prepareHot prepares the statements that run for every report, once,
// before the committer starts, on the write handle.
func (db *DB) prepareHot(ctx context.Context) error {
	if db.Dialect == SQLite {
		for _, q := range maxIDQuery {
			s, err := db.write.PrepareContext(ctx, q)
			if err != nil {
				return err
			}
			db.stmts[q] = s
		}
	}
	hot := []string{sqlUpdateJoined, sqlUpdateJoinedRaised[db.Dialect], sqlAuditHead + db.forUpdate(), sqlAuditMoveHead}
	for _, q := range hot {
		s, err := db.write.PrepareContext(ctx, db.q(q))
		if err != nil {
			return fmt.Errorf("sqlstore: preparing intake statements: %w", err)
		}
		db.stmts[q] = s
	}
	return nil
}

// stmt returns query bound to tx: the prepared statement when it is a hot
// one, otherwise a statement prepared on the transaction's own connection.
// (Preparing on db.write here would deadlock SQLite's single connection.)
func (db *DB) stmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	if s, ok := db.stmts[query]; ok {
		return tx.StmtContext(ctx, s), nil
	}
	return tx.PrepareContext(ctx, db.q(query))
}

// forUpdate is the row-lock suffix of a SELECT inside a write transaction.
// SQLite needs none: its writer holds the database lock for the whole transaction.
func (db *DB) forUpdate() string {
	if db.Dialect == Postgres {
		return " FOR UPDATE"
	}
	return ""
}

// likeOp is a case-insensitive LIKE. SQLite's LIKE already folds ASCII case.
func (db *DB) likeOp() string {
	if db.Dialect == Postgres {
		return "ILIKE"
	}
	return "LIKE"
}

// Times are stored as Unix milliseconds in both engines so that the same
// queries, indexes and arithmetic work everywhere.
func toMillis(t time.Time) int64 { return t.UnixMilli() }

func fromMillis(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

func nullMillis(t *time.Time) sql.NullInt64 {
	if t == nil {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

func timePtr(n sql.NullInt64) *time.Time {
	if !n.Valid {
		return nil
	}
	t := fromMillis(n.Int64)
	return &t
}

func nullString(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

// requireAuth refuses anonymous actors.
func requireAuth(ctx context.Context) (*yaqaza.Actor, error) {
	a := yaqaza.ActorFromContext(ctx)
	if !a.Authenticated() {
		return nil, yaqaza.Errorf(yaqaza.EUNAUTHORIZED, "this needs a credential (Authorization: Bearer …)")
	}
	return a, nil
}

// withTx runs fn in a write transaction and commits it. Both engines are
// set so that a commit is durable when it returns.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	db.notifyEvent()
	db.prepareWanted(ctx)
	return nil
}

// Events tells, without blocking, whoever waits that a transaction has
// committed and may have written events (the relay to the bus waits on it).
func (db *DB) Events() <-chan struct{} { return db.events }

func (db *DB) notifyEvent() {
	select {
	case db.events <- struct{}{}:
	default:
	}
}

// Durability reports the settings that make a commit durable, as the engine
// sees them on the write connection: for SQLite the journal mode and sync
// level, for PostgreSQL synchronous_commit and fsync. It is logged at start.
func (db *DB) Durability(ctx context.Context) (map[string]string, error) {
	queries := map[string]string{"journal_mode": "PRAGMA journal_mode", "synchronous": "PRAGMA synchronous"}
	if db.Dialect == Postgres {
		queries = map[string]string{"synchronous_commit": "SHOW synchronous_commit", "fsync": "SHOW fsync"}
	}
	out := map[string]string{}
	for name, q := range queries {
		var v string
		if err := db.write.QueryRowContext(ctx, q).Scan(&v); err != nil {
			return nil, err
		}
		out[name] = v
	}
	return out, nil
}

// Handle is the write handle, for maintenance tools and tests that must
// reach the database behind the services' back.
func (db *DB) Handle() *sql.DB { return db.write }

// Rebind writes a query with ? placeholders in the store's dialect.
func (db *DB) Rebind(query string) string { return db.q(query) }
