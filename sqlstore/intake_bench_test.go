package sqlstore_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// BenchmarkSubmitReport measures the store alone: concurrent submissions
// through the group commit, without HTTP.
func BenchmarkSubmitReport(b *testing.B) {
	db, err := sqlite.Open(context.Background(), b.TempDir(), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	svc := sqlstore.NewReportService(db, nil)
	ctx := yaqaza.NewContextWithActor(context.Background(), yaqaza.System("bench"))
	workers := 128
	if w := os.Getenv("BENCH_WORKERS"); w != "" {
		workers, _ = strconv.Atoi(w)
	}
	b.ResetTimer()
	var wg sync.WaitGroup
	per := b.N/workers + 1
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < per; i++ {
				in := &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "Rixe devant un café à Zouagha, plusieurs personnes impliquées",
					Location: &yaqaza.Point{Lat: 34.02, Lon: -5.04}, Reporter: &yaqaza.Contact{Phone: "+212612345678"},
					IdempotencyKey: fmt.Sprintf("k-%d-%d", w, i)}
				if _, err := svc.SubmitReport(ctx, in); err != nil {
					b.Error(err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
}
