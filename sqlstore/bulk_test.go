package sqlstore

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	_ "modernc.org/sqlite"
)

func TestChunks(t *testing.T) {
	for n, want := range map[int][]int{0: nil, 1: {1}, 37: {37}, 64: {64}, 65: {64, 1}, 130: {64, 64, 2}} {
		if got := chunks(n); !slices.Equal(got, want) {
			t.Errorf("chunks(%d) = %v, want %v", n, got, want)
		}
	}
}

// TestBulkStatementKeptAfterFirstUse: a row count's statement is prepared
// inside the first transaction that needs it, kept once that transaction
// is over (on SQLite's single write connection, without waiting on
// itself), and used from then on; the rows are all written either way.
func TestBulkStatementKeptAfterFirstUse(t *testing.T) {
	ctx := context.Background()
	h, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "bulk.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	h.SetMaxOpenConns(1)
	if _, err := h.Exec(`CREATE TABLE t (a INTEGER, b TEXT)`); err != nil {
		t.Fatal(err)
	}
	db := &DB{Dialect: SQLite, write: h, read: h}
	st := newBulkStatement(func(n int) string { return bulkSQL(`INSERT INTO t (a, b) VALUES`, 2, n, "") })
	next := 0
	insert := func(n int) {
		t.Helper()
		err := db.withTx(ctx, func(tx *sql.Tx) error {
			written, err := db.execBulk(ctx, tx, st, n, func(i int) []any { return []any{next + i, "row " + strconv.Itoa(next+i)} })
			if err == nil && written != int64(n) {
				t.Errorf("%d rows written, want %d", written, n)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		next += n
	}
	kept := func(rows int) bool {
		_, ok := db.bulk.Load(st.text(rows))
		return ok
	}
	if kept(64) || kept(6) {
		t.Fatal("statements kept before any use")
	}
	insert(70) // 64 + 6
	if !kept(64) || !kept(6) || kept(5) {
		t.Errorf("after a batch of 70: kept 64 %v, 6 %v, 5 %v; want true, true, false", kept(64), kept(6), kept(5))
	}
	insert(6)
	var count, sum int
	if err := h.QueryRow(`SELECT count(*), sum(a) FROM t`).Scan(&count, &sum); err != nil {
		t.Fatal(err)
	}
	if count != 76 || sum != 75*76/2 {
		t.Errorf("table holds %d rows summing to %d, want 76 rows summing to %d", count, sum, 75*76/2)
	}
	db.bulk.Range(func(_, s any) bool { s.(*sql.Stmt).Close(); return true })
}
