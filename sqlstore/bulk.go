package sqlstore

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"sync/atomic"
)

// Bulk statements write or look up many rows at once: one statement for a
// whole batch rather than one per row. Parsing a statement of dozens of rows
// costs as much as running it, so the statement for each row count is
// prepared once, after the first transaction that needed it, and kept (see
// bulkStmt). Batches beyond maxChunk rows are cut into chunks of maxChunk.
const maxChunk = 64

// chunks cuts n into chunks of at most maxChunk rows.
func chunks(n int) []int {
	var out []int
	for ; n > maxChunk; n -= maxChunk {
		out = append(out, maxChunk)
	}
	if n > 0 {
		out = append(out, n)
	}
	return out
}

// bulkSQL repeats a row of cols placeholders rows times between head and tail:
// "INSERT INTO t (a, b) VALUES" + " (?, ?), (?, ?)" + tail.
func bulkSQL(head string, cols, rows int, tail string) string {
	row := "(" + placeholders(cols) + ")"
	var b strings.Builder
	b.Grow(len(head) + rows*(len(row)+2) + len(tail) + 1)
	b.WriteString(head)
	b.WriteByte(' ')
	for i := 0; i < rows; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
	}
	b.WriteString(tail)
	return b.String()
}

// inSQL is head + " (?, ?, …)" + tail with n placeholders, for IN lists.
func inSQL(head string, n int, tail string) string {
	return head + " (" + placeholders(n) + ")" + tail
}

// bulkStatement is a statement with a text for every row count up to
// maxChunk, each built when first needed.
type bulkStatement struct {
	build func(rows int) string
	texts [maxChunk + 1]atomic.Pointer[string]
}

func newBulkStatement(build func(rows int) string) *bulkStatement {
	return &bulkStatement{build: build}
}

// text is the statement for rows rows.
func (b *bulkStatement) text(rows int) string {
	if p := b.texts[rows].Load(); p != nil {
		return *p
	}
	s := b.build(rows)
	b.texts[rows].Store(&s)
	return s
}

// bulkStmt returns the statement text bound to tx: the kept prepared
// statement when there is one; otherwise one prepared for tx alone, and the
// text is noted so that withTx prepares it for good once tx is over. (It
// cannot be prepared on db.write here: SQLite's single write connection is
// the transaction's.)
func (db *DB) bulkStmt(ctx context.Context, tx *sql.Tx, text string) (*sql.Stmt, error) {
	if s, ok := db.bulk.Load(text); ok {
		return tx.StmtContext(ctx, s.(*sql.Stmt)), nil
	}
	db.wantMu.Lock()
	if db.want == nil {
		db.want = map[string]struct{}{}
	}
	db.want[text] = struct{}{}
	db.wantMu.Unlock()
	return tx.PrepareContext(ctx, db.q(text))
}

// prepareWanted prepares and keeps the bulk statements that transactions
// have needed. A failure is not an error: the next transaction that needs
// the statement prepares it again.
func (db *DB) prepareWanted(ctx context.Context) {
	db.wantMu.Lock()
	texts := db.want
	db.want = nil
	db.wantMu.Unlock()
	for text := range texts {
		if _, ok := db.bulk.Load(text); ok {
			continue
		}
		s, err := db.write.PrepareContext(context.WithoutCancel(ctx), db.q(text))
		if err != nil {
			slog.Warn("preparing a bulk statement", "err", err)
			continue
		}
		if _, loaded := db.bulk.LoadOrStore(text, s); loaded {
			s.Close()
		}
	}
}

// execBulk runs the statement over rows in chunks; args(i) gives the arguments
// of row i. It returns the total of rows affected.
func (db *DB) execBulk(ctx context.Context, tx *sql.Tx, b *bulkStatement, n int, args func(i int) []any) (int64, error) {
	var total int64
	var buf []any
	start := 0
	for _, size := range chunks(n) {
		buf = buf[:0]
		for i := start; i < start+size; i++ {
			row := args(i)
			if buf == nil {
				buf = make([]any, 0, size*len(row))
			}
			buf = append(buf, row...)
		}
		st, err := db.bulkStmt(ctx, tx, b.text(size))
		if err != nil {
			return 0, err
		}
		res, err := st.ExecContext(ctx, buf...)
		if err != nil {
			return 0, err
		}
		affected, err := res.RowsAffected()
		if err != nil {
			return 0, err
		}
		total += affected
		start += size
	}
	return total, nil
}

// queryIn runs a statement with an IN list over values, in chunks, and
// calls scan for every row.
func (db *DB) queryIn(ctx context.Context, tx *sql.Tx, b *bulkStatement, values []any, scan func(*sql.Rows) error) error {
	start := 0
	for _, size := range chunks(len(values)) {
		st, err := db.bulkStmt(ctx, tx, b.text(size))
		if err != nil {
			return err
		}
		rows, err := st.QueryContext(ctx, values[start:start+size]...)
		if err != nil {
			return err
		}
		for rows.Next() {
			if err := scan(rows); err != nil {
				rows.Close()
				return err
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		start += size
	}
	return nil
}
