package http_test

import (
	"fmt"
	"strings"
	"testing"
)

func TestSubmitAndTrack(t *testing.T) {
	ts := newTestServer(t)
	body := `{"channel":"web","text":"شجار بالسكاكين قرب باب بوجلود","language":"ar",
		"location":{"lat":34.0617,"lon":-4.9836},"reporter":{"name":"Salma","phone":"+212 661 23 45 67"}}`
	status, resp, h := ts.call(t, "POST", "/api/v1/reports", "", body, "Content-Type", "application/json")
	if status != 201 {
		t.Fatalf("submit: %d %s", status, resp)
	}
	r := decode[receipt](t, resp)
	if r.ReportID == 0 || r.IncidentID == 0 || r.TrackURL != "/api/v1/track/"+r.TrackingCode {
		t.Fatalf("receipt = %+v", r)
	}
	if h.Get("Location") != fmt.Sprintf("/api/v1/reports/%d", r.ReportID) {
		t.Errorf("Location = %q", h.Get("Location"))
	}
	status, resp, _ = ts.call(t, "GET", r.TrackURL, "", "", "Accept-Language", "fr-MA,fr;q=0.9")
	if status != 200 || !strings.Contains(resp, `"status":"received"`) || !strings.Contains(resp, "Signalement reçu") {
		t.Fatalf("track: %d %s", status, resp)
	}
	for _, secret := range []string{"Salma", "661", "بوجلود"} {
		if strings.Contains(resp, secret) {
			t.Errorf("tracking answer leaks %q: %s", secret, resp)
		}
	}
	if status, resp, _ = ts.call(t, "GET", r.TrackURL+"?lang=ar", "", ""); !strings.Contains(resp, "تم استلام بلاغكم") {
		t.Errorf("Arabic tracking: %d %s", status, resp)
	}
	// The incident is in Fès-Médina and holds the report.
	status, resp, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/incidents/%d", r.IncidentID), ts.admin, "")
	if status != 200 || !strings.Contains(resp, `"zone":"03.231.01.07"`) || !strings.Contains(resp, `"status":"new"`) {
		t.Fatalf("incident: %d %s", status, resp)
	}
	status, _, _ = ts.call(t, "GET", fmt.Sprintf("/api/v1/reports/%d", r.ReportID), ts.taker, "")
	if status != 200 {
		t.Fatalf("get report: %d", status)
	}
}

func TestIdempotencyKeyHeader(t *testing.T) {
	ts := newTestServer(t)
	body := `{"channel":"call","text":"Vol à l'arraché avenue Hassan II","location":{"lat":34.03,"lon":-5.0}}`
	s1, r1, _ := ts.call(t, "POST", "/api/v1/reports", ts.taker, body, "Idempotency-Key", "a1b2c3")
	s2, r2, h2 := ts.call(t, "POST", "/api/v1/reports", ts.taker, body, "Idempotency-Key", "a1b2c3")
	if s1 != 201 || s2 != 201 || r1 != r2 || h2.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("retry: %d %s / %d %s replayed=%q", s1, r1, s2, r2, h2.Get("Idempotent-Replayed"))
	}
	other := strings.Replace(body, "Hassan II", "Mohammed V", 1)
	s3, r3, _ := ts.call(t, "POST", "/api/v1/reports", ts.taker, other, "Idempotency-Key", "a1b2c3")
	if s3 != 409 || decode[apiError](t, r3).Error.Code != "conflict" {
		t.Fatalf("key reused for another report: %d %s", s3, r3)
	}
	if n := ts.countReports(t); n != 1 {
		t.Fatalf("%d reports stored, want 1", n)
	}
}

func TestBadReportsAreRefusedAndWriteNothing(t *testing.T) {
	ts := newTestServer(t)
	long := strings.Repeat("ب", 10001)
	cases := []struct {
		name, token, body string
		status            int
		code, mention     string
	}{
		{"malformed JSON", "", `{"channel":"web","text":`, 400, "invalid", "malformed JSON"},
		{"not an object", "", `["web"]`, 400, "invalid", "expected an object"},
		{"empty body", "", ``, 400, "invalid", "empty"},
		{"unknown field", "", `{"channel":"web","text":"x","locaton":{"lat":1,"lon":2}}`, 400, "invalid", "locaton"},
		{"trailing data", "", `{"channel":"web","text":"x"} {"channel":"web"}`, 400, "invalid", "after the first value"},
		{"wrong type", "", `{"channel":"web","text":42}`, 400, "invalid", "text must be a string"},
		{"unknown channel", "", `{"channel":"telegraph","text":"x"}`, 400, "invalid", "unknown channel"},
		{"empty text", "", `{"channel":"web","text":"  "}`, 400, "invalid", "text is empty"},
		{"text too long", "", `{"channel":"web","text":"` + long + `"}`, 400, "invalid", "10001 characters"},
		{"latitude", "", `{"channel":"web","text":"x","location":{"lat":134,"lon":-5}}`, 400, "invalid", "location.lat"},
		{"bad time", "", `{"channel":"web","text":"x","occurred_at":"yesterday"}`, 400, "invalid", "RFC 3339"},
		{"body too large", "", `{"channel":"web","text":"` + strings.Repeat("x", 300<<10) + `"}`, 413, "too_large", "256 KiB"},
		{"call without token", "", `{"channel":"call","text":"x"}`, 401, "unauthorized", "credential"},
		{"bad token", "yqz_nottoken", `{"channel":"web","text":"x"}`, 401, "unauthorized", "not known"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body, _ := ts.call(t, "POST", "/api/v1/reports", c.token, c.body)
			e := decode[apiError](t, body)
			if status != c.status || e.Error.Code != c.code || !strings.Contains(e.Error.Message, c.mention) {
				t.Fatalf("got %d %s, want %d %s mentioning %q", status, body, c.status, c.code, c.mention)
			}
		})
	}
	if n := ts.countReports(t); n != 0 {
		t.Fatalf("refused requests wrote %d reports", n)
	}
}

func TestBatch(t *testing.T) {
	ts := newTestServer(t)
	lines := []string{
		`{"channel":"agency","external_id":"gr-1","text":"Signalement de la gendarmerie: vol de bétail"}`,
		``,
		`{"channel":"agency","external_id":"gr-2","text":"سرقة دراجة نارية قرب السوق","location":{"lat":34.02,"lon":-5.04}}`,
		`{"channel":"agency","external_id":"gr-3","text":"Disparition d'un enfant de 9 ans"}`,
	}
	status, body, h := ts.call(t, "POST", "/api/v1/reports/batch", ts.taker, strings.Join(lines, "\n"), "Content-Type", "application/x-ndjson")
	if status != 200 || !strings.HasPrefix(h.Get("Content-Type"), "application/x-ndjson") {
		t.Fatalf("batch: %d %s", status, body)
	}
	results := strings.Split(strings.TrimSpace(body), "\n")
	if len(results) != 3 {
		t.Fatalf("want a result per report line, got %d:\n%s", len(results), body)
	}
	for i, want := range []int{1, 3, 4} {
		if !strings.Contains(results[i], fmt.Sprintf(`"line":%d,"status":201`, want)) || !strings.Contains(results[i], "tracking_code") {
			t.Errorf("result %d = %s", i, results[i])
		}
	}
	// One bad line refuses the batch and names every bad line.
	bad := append([]string{}, lines...)
	bad[0] = `{"channel":"agency","external_id":"gr-9","text":""}`
	bad = append(bad, `{not json`)
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/batch", ts.taker, strings.Join(bad, "\n"))
	e := decode[apiError](t, body)
	if status != 400 || len(e.Error.Lines) != 2 || e.Error.Lines[0].Line != 1 || e.Error.Lines[1].Line != 5 {
		t.Fatalf("bad batch: %d %s", status, body)
	}
	if n := ts.countReports(t); n != 3 {
		t.Fatalf("%d reports after a refused batch, want 3", n)
	}
	// partial=true writes the good lines; known ones are replays.
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/batch?partial=true", ts.taker, strings.Join(bad, "\n"))
	results = strings.Split(strings.TrimSpace(body), "\n")
	if status != 200 || len(results) != 4 || !strings.Contains(results[0], `"line":1,"status":400`) || !strings.Contains(results[0], `"field":"text"`) ||
		!strings.Contains(results[3], `"line":5,"status":400`) || !strings.Contains(results[1], `"line":3,"status":201`) {
		t.Fatalf("partial batch: %d\n%s", status, body)
	}
	if n := ts.countReports(t); n != 3 {
		t.Fatalf("%d reports after a partial replay, want 3", n)
	}
}

func TestBatchLimits(t *testing.T) {
	ts := newTestServer(t)
	line := `{"channel":"import","text":"x"}` + "\n"
	status, body, _ := ts.call(t, "POST", "/api/v1/reports/batch", ts.taker, strings.Repeat(line, 10001))
	if e := decode[apiError](t, body); status != 413 || !strings.Contains(e.Error.Message, "10000 lines") {
		t.Fatalf("10,001 lines: %d %s", status, body)
	}
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/batch", ts.taker, "\n\n")
	if status != 400 {
		t.Fatalf("empty batch: %d %s", status, body)
	}
	status, _, _ = ts.call(t, "POST", "/api/v1/reports/batch", "", line)
	if status != 401 {
		t.Fatalf("anonymous batch: %d", status)
	}
	if n := ts.countReports(t); n != 0 {
		t.Fatalf("refused batches wrote %d reports", n)
	}
	// Exactly 10,000 lines is accepted, with an Idempotency-Key per line.
	var b strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&b, `{"channel":"import","text":"archive record %d","received_at":"2025-01-02T03:04:05Z"}`+"\n", i)
	}
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/batch", ts.taker, b.String(), "Idempotency-Key", "archive-2025")
	if status != 200 || strings.Count(body, `"status":201`) != 10000 {
		t.Fatalf("10,000 lines: %d, %d created", status, strings.Count(body, `"status":201`))
	}
	status, body, _ = ts.call(t, "POST", "/api/v1/reports/batch", ts.taker, b.String(), "Idempotency-Key", "archive-2025")
	if status != 200 || strings.Count(body, `"report_id"`) != 10000 {
		t.Fatalf("replayed 10,000 lines: %d", status)
	}
	if n := ts.countReports(t); n != 10000 {
		t.Fatalf("%d reports, want 10000", n)
	}
}

// FuzzBatchBody posts arbitrary NDJSON to the batch endpoint of a real
// server: whatever the body, the answer is a 2xx or a 4xx with the error
// format, never a 5xx.
func FuzzBatchBody(f *testing.F) {
	f.Add([]byte(`{"channel":"agency","text":"vol de bétail"}` + "\n" + `{"channel":"agency","text":""}`))
	f.Add([]byte("\n\n\n"))
	f.Add([]byte(`{"channel":"import","text":"x","received_at":"2025-01-01T00:00:00Z"}` + "\r\n" + `{`))
	f.Add([]byte(strings.Repeat(`{}`+"\n", 50)))
	ts := newTestServer(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, q := range []string{"", "?partial=true"} {
			status, resp, _ := ts.call(t, "POST", "/api/v1/reports/batch"+q, ts.taker, string(body))
			if status >= 500 || status < 200 {
				t.Fatalf("status %d for %q: %s", status, body, resp)
			}
			if status >= 400 && !strings.Contains(resp, `"error":{"code":`) {
				t.Fatalf("a %d without the error format: %s", status, resp)
			}
		}
	})
}
