package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza/sqlite"
)

// TestNoAcknowledgedReportIsLost kills the server with SIGKILL at random
// moments while clients send reports. Clients retry what was not
// acknowledged, with the same idempotency key, as the API asks. After every
// restart, every acknowledged report must be there, exactly once.
func TestNoAcknowledgedReportIsLost(t *testing.T) {
	if testing.Short() {
		t.Skip("the crash test starts and kills a server a dozen times")
	}
	const kills, clients = 12, 8
	data := t.TempDir()
	srv := startServer(t, data, "--rate-public", "0", "--rate-tracking", "0") // this test is about durability, not limits
	var url atomic.Value
	url.Store(srv.url)

	type ack struct {
		ReportID     int64  `json:"report_id"`
		TrackingCode string `json:"tracking_code"`
	}
	var mu sync.Mutex
	acked := map[string]ack{} // idempotency key → first receipt
	body := func(key string) string {
		return fmt.Sprintf(`{"channel":"web","text":"Rixe signalée, message %s","location":{"lat":34.0617,"lon":-4.9836}}`, key)
	}
	// post sends one report; it returns false when the server did not answer 201.
	client := &http.Client{Timeout: 5 * time.Second}
	post := func(key string) (ack, bool) {
		req, _ := http.NewRequest("POST", url.Load().(string)+"/api/v1/reports", strings.NewReader(body(key)))
		req.Header.Set("Idempotency-Key", key)
		resp, err := client.Do(req)
		if err != nil {
			return ack{}, false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusCreated {
			return ack{}, false
		}
		var a ack
		if err := json.Unmarshal(b, &a); err != nil || a.ReportID == 0 {
			t.Errorf("201 with a bad body: %s", b)
			return ack{}, false
		}
		return a, true
	}

	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var pending sync.Map // client → key sent but not acknowledged
	for c := 0; c < clients; c++ {
		wg.Add(1)
		go func(c int) {
			defer wg.Done()
			for i := 0; ctx.Err() == nil; {
				key := fmt.Sprintf("crash-%d-%d", c, i)
				pending.Store(c, key)
				a, ok := post(key)
				if !ok {
					time.Sleep(20 * time.Millisecond) // the server is down: retry the same key
					continue
				}
				pending.Delete(c)
				mu.Lock()
				if prev, seen := acked[key]; seen && prev != a {
					t.Errorf("key %s acknowledged twice with different receipts: %+v then %+v", key, prev, a)
				}
				acked[key] = a
				mu.Unlock()
				i++
			}
		}(c)
	}

	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for k := 0; k < kills; k++ {
		time.Sleep(time.Duration(50+rng.IntN(400)) * time.Millisecond)
		srv.kill()
		mu.Lock()
		n := len(acked)
		mu.Unlock()
		t.Logf("kill %d: %d reports acknowledged so far", k+1, n)
		srv = startServer(t, data, "--rate-public", "0", "--rate-tracking", "0")
		url.Store(srv.url)
	}
	time.Sleep(200 * time.Millisecond)
	cancel()
	wg.Wait()
	// Clients stopped; any key still pending is retried to the end.
	pending.Range(func(_, v any) bool {
		key := v.(string)
		for tries := 0; ; tries++ {
			if a, ok := post(key); ok {
				acked[key] = a
				return true
			}
			if tries > 100 {
				t.Fatalf("key %s never acknowledged", key)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	if len(acked) < 100 {
		t.Fatalf("only %d reports acknowledged: the test did not exercise the server", len(acked))
	}

	// Every acknowledged report is there, and a retry gets its first receipt.
	for key, a := range acked {
		resp, err := client.Get(srv.url + "/api/v1/track/" + a.TrackingCode)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("acknowledged report %d (key %s) is not found after the crashes: %d", a.ReportID, key, resp.StatusCode)
		}
		if again, ok := post(key); !ok || again != a {
			t.Fatalf("retrying key %s gave %+v, the first receipt was %+v", key, again, a)
		}
	}
	srv.stop(t)

	// Exactly once: one stored report per key, nothing else.
	db, err := sql.Open("sqlite", filepath.Join(data, sqlite.FileName)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var reports, keys int
	if err := db.QueryRow(`SELECT count(*), count(DISTINCT idempotency_key) FROM reports`).Scan(&reports, &keys); err != nil {
		t.Fatal(err)
	}
	if reports != len(acked) || keys != len(acked) {
		t.Fatalf("store holds %d reports under %d keys; %d keys were acknowledged", reports, keys, len(acked))
	}
	t.Logf("%d kills, %d reports acknowledged, all present exactly once", kills, len(acked))
}
