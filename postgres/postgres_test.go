package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/yaqaza/yaqaza/postgres"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/storetest"
)

// open gives each test a schema of its own in the database named by
// YAQAZA_TEST_POSTGRES, dropped when the test ends.
func open(t testing.TB) *sqlstore.DB {
	base := os.Getenv("YAQAZA_TEST_POSTGRES")
	if base == "" {
		t.Skip("YAQAZA_TEST_POSTGRES is not set: skipping the PostgreSQL store tests (CI sets it)")
	}
	var b [6]byte
	rand.Read(b[:])
	schema := "yqz_test_" + hex.EncodeToString(b[:])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("cannot create a test schema in %s: %v", base, err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err == nil {
			admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	db, err := postgres.Open(context.Background(), u.String(), sqlstore.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

func TestCommitsAreSynced(t *testing.T) {
	d, err := open(t).Durability(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d["synchronous_commit"] == "off" || d["fsync"] != "on" {
		t.Fatalf("durability settings = %v: commits would not be durable", d)
	}
}
