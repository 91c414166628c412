package postgres_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"sync"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/postgres"
	"github.com/yaqaza/yaqaza/sqlstore"
	"github.com/yaqaza/yaqaza/storetest"
)

// open gives each test a schema of its own in the database named by
// YAQAZA_TEST_POSTGRES, dropped when the test ends.
func open(t testing.TB) *sqlstore.DB {
	dbs := openNodes(t, 1)
	return dbs[0]
}

// openNodes opens n stores on one fresh schema, as n nodes would.
func openNodes(t testing.TB, n int) []*sqlstore.DB {
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
	var dbs []*sqlstore.DB
	keys := sqlstore.EphemeralKeys() // every node holds the same keyring
	for i := 0; i < n; i++ {
		db, err := postgres.Open(context.Background(), u.String(), sqlstore.Config{Keys: keys})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	return dbs
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

// Two nodes take the same retried reports at the same time: each key is
// stored once, and every node answers with the same receipt.
func TestNodesShareIdempotency(t *testing.T) {
	nodes := openNodes(t, 2)
	ctx := yaqaza.NewContextWithActor(context.Background(), yaqaza.System("test"))
	const keys, clientsPerNode = 40, 4
	type result struct {
		key string
		r   *yaqaza.Receipt
	}
	results := make(chan result, keys*clientsPerNode*len(nodes))
	var wg sync.WaitGroup
	for _, db := range nodes {
		svc := sqlstore.NewReportService(db, nil)
		for c := 0; c < clientsPerNode; c++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for k := 0; k < keys; k++ {
					key := fmt.Sprintf("multi-%d", k)
					r, err := svc.SubmitReport(ctx, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "appel " + key, IdempotencyKey: key})
					if err != nil {
						t.Error(err)
						return
					}
					results <- result{key, r}
				}
			}()
		}
	}
	wg.Wait()
	close(results)
	first := map[string]int64{}
	for res := range results {
		if id, ok := first[res.key]; ok && id != res.r.ReportID {
			t.Fatalf("key %s stored as reports %d and %d", res.key, id, res.r.ReportID)
		}
		first[res.key] = res.r.ReportID
	}
	page, err := sqlstore.NewIncidentService(nodes[0]).FindIncidents(ctx, yaqaza.IncidentFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Incidents) != keys {
		t.Fatalf("%d incidents for %d keys", len(page.Incidents), keys)
	}
}

func TestShared(t *testing.T) {
	storetest.RunShared(t, func(t testing.TB) func() *sqlstore.DB {
		nodes := openNodes(t, 2)
		i := 0
		return func() *sqlstore.DB {
			db := nodes[i%2]
			i++
			return db
		}
	})
}
