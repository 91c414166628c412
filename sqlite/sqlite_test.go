package sqlite_test

import (
	"context"
	"testing"

	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/storetest"
)

func open(t testing.TB) *sqlstore.DB {
	db, err := sqlite.Open(context.Background(), t.TempDir(), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestConformance(t *testing.T) { storetest.Run(t, open) }

// An acknowledged report must survive a power cut: WAL with a full sync of
// the log on every commit.
func TestCommitsAreSynced(t *testing.T) {
	db := open(t)
	d, err := db.Durability(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d["journal_mode"] != "wal" || d["synchronous"] != "2" {
		t.Fatalf("durability settings = %v, want journal_mode=wal synchronous=2 (FULL)", d)
	}
}

func TestShared(t *testing.T) {
	storetest.RunShared(t, func(t testing.TB) func() *sqlstore.DB {
		dir, keys := t.TempDir(), sqlstore.EphemeralKeys() // the same keys after a restart
		return func() *sqlstore.DB {
			db, err := sqlite.Open(context.Background(), dir, sqlstore.Config{Keys: keys})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
	})
}
