package sqlstore

import (
	"context"
	"database/sql"
	"strings"
)

// Bulk statements write or look up many rows at once. Parsing a statement
// of dozens of rows costs as much as running it, so statements are prepared
// once for a few sizes, and a batch is cut into chunks of those sizes.
var chunkSizes = []int{64, 32, 16, 8, 4, 2, 1}

// chunks cuts n into chunk sizes, largest first.
func chunks(n int) []int {
	var out []int
	for _, size := range chunkSizes {
		for n >= size {
			out = append(out, size)
			n -= size
		}
	}
	return out
}

// bulkSQL repeats a row of cols placeholders rows times between head and tail:
// "INSERT INTO t (a, b) VALUES" + " (?, ?), (?, ?)" + tail.
func bulkSQL(head string, cols, rows int, tail string) string {
	row := "(" + placeholders(cols) + ")"
	var b strings.Builder
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

// bulkStatement is a statement built for every chunk size.
type bulkStatement struct {
	bySize map[int]string
}

func newBulkStatement(build func(rows int) string) bulkStatement {
	b := bulkStatement{bySize: map[int]string{}}
	for _, size := range chunkSizes {
		b.bySize[size] = build(size)
	}
	return b
}

// execBulk runs the statement over rows in chunks; args(i) gives the arguments
// of row i. It returns the total of rows affected.
func (db *DB) execBulk(ctx context.Context, tx *sql.Tx, b bulkStatement, n int, args func(i int) []any) (int64, error) {
	var total int64
	start := 0
	buf := make([]any, 0, chunkSizes[0]*20)
	for _, size := range chunks(n) {
		buf = buf[:0]
		for i := start; i < start+size; i++ {
			buf = append(buf, args(i)...)
		}
		st, err := db.stmt(ctx, tx, b.bySize[size])
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
func (db *DB) queryIn(ctx context.Context, tx *sql.Tx, b bulkStatement, values []any, scan func(*sql.Rows) error) error {
	start := 0
	for _, size := range chunks(len(values)) {
		st, err := db.stmt(ctx, tx, b.bySize[size])
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
