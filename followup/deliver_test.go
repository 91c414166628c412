package followup_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/followup"
	"github.com/yaqaza/yaqaza/geo"
	"github.com/yaqaza/yaqaza/notify"
	"github.com/yaqaza/yaqaza/sqlite"
	"github.com/yaqaza/yaqaza/sqlstore"
)

type webhook struct{}

func (webhook) Send(ctx context.Context, n yaqaza.Notification) error {
	return (&notify.WebhookSender{Secret: []byte(n.Secret)}).Send(ctx, notify.Message{ID: n.ID, Channel: n.Channel,
		To: n.Recipient, Subject: n.Subject, Body: n.Body, Data: n.Data, Attempt: n.Attempts})
}

// A webhook receiver fails the first two attempts: the escalation notice is
// delivered once, later, signed, with one delivery id across attempts.
func TestWebhookDeliveredOnceAfterFailures(t *testing.T) {
	const secret = "a-long-shared-webhook-secret"
	var mu sync.Mutex
	deliveries := map[string]int{}
	var calls atomic.Int32
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := notify.VerifySignature([]byte(secret), r.Header.Get("X-Yaqaza-Timestamp"), body,
			r.Header.Get("X-Yaqaza-Signature"), time.Hour, time.Now()); err != nil {
			t.Errorf("bad signature: %v", err)
		}
		if calls.Add(1) <= 2 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		var ev map[string]any
		if err := json.Unmarshal(body, &ev); err != nil || ev["event"] != yaqaza.EventEscalated {
			t.Errorf("payload %s", body)
		}
		mu.Lock()
		deliveries[r.Header.Get("X-Yaqaza-Delivery")]++
		mu.Unlock()
	}))
	defer recv.Close()

	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir(), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 3, 14, 21, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	admin := yaqaza.NewContextWithActor(ctx, yaqaza.System("test"))
	if err := sqlstore.NewPackService(db).LoadPack(admin, geo.DefaultPack()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddSubscriber(admin, yaqaza.Subscriber{Name: "district system", Role: yaqaza.RoleDistrictHead,
		Channel: yaqaza.NotifyWebhook, Address: recv.URL, Secret: secret}); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlstore.NewReportService(db, nil).SubmitReport(admin, &yaqaza.ReportInput{Channel: yaqaza.ChannelCall, Text: "x"}); err != nil {
		t.Fatal(err)
	}
	now = now.Add(10 * time.Minute) // P3: acknowledged was due
	if n, err := db.EscalateDue(ctx, now); err != nil || n != 1 {
		t.Fatalf("escalations %d %v", n, err)
	}
	d := &followup.Deliverer{Outbox: db, Senders: map[string]followup.Sender{yaqaza.NotifyWebhook: webhook{}},
		Now: func() time.Time { return now }, Backoff: func(int) time.Duration { return 30 * time.Second },
		Permanent: notify.IsPermanent, MaxAttempts: 5}
	for i := 0; i < 4; i++ {
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		now = now.Add(31 * time.Second) // the next attempt is due
	}
	if calls.Load() != 3 || len(deliveries) != 1 {
		t.Fatalf("%d calls, deliveries %v: want 3 calls and one delivery", calls.Load(), deliveries)
	}
	for _, n := range deliveries {
		if n != 1 {
			t.Fatalf("delivered %d times", n)
		}
	}
	list, err := db.FindNotifications(admin, 0)
	if err != nil || len(list) != 1 || list[0].Status != "sent" || list[0].Attempts != 3 || list[0].SentAt == nil {
		t.Fatalf("outbox after delivery: %+v %v", list, err)
	}
	// Nothing more goes out.
	if n, _ := d.DeliverDue(ctx); n != 0 || calls.Load() != 3 {
		t.Fatal("a sent notification was sent again")
	}
}

// A reporter who left a phone is told by SMS when the incident is resolved;
// the incident counts as informed once the message is sent, and the
// deadline of the last stage goes away.
func TestReporterToldOnResolution(t *testing.T) {
	var got []map[string]any
	var mu sync.Mutex
	gateway := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m map[string]any
		json.NewDecoder(r.Body).Decode(&m)
		mu.Lock()
		got = append(got, m)
		mu.Unlock()
	}))
	defer gateway.Close()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, t.TempDir(), sqlstore.Config{Keys: sqlstore.EphemeralKeys()})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.Messages = notify.Texts{}
	system := yaqaza.NewContextWithActor(ctx, yaqaza.System("test"))
	r, err := sqlstore.NewReportService(db, nil).SubmitReport(system, &yaqaza.ReportInput{Channel: yaqaza.ChannelWeb,
		Text: "سرقة هاتف", Language: "ar", Reporter: &yaqaza.Contact{Phone: "0661234567"}})
	if err != nil {
		t.Fatal(err)
	}
	incidents := sqlstore.NewIncidentService(db)
	if _, err := incidents.TransitionIncident(system, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusTriaged}); err != nil {
		t.Fatal(err)
	}
	if _, err := incidents.TransitionIncident(system, r.IncidentID, yaqaza.Transition{To: yaqaza.StatusResolved,
		PublicMessage: "تم استرجاع الهاتف"}); err != nil {
		t.Fatal(err)
	}
	inc, _ := incidents.FindIncidentByID(system, r.IncidentID)
	if inc.InformedAt != nil || inc.Deadline == nil || inc.Deadline.Stage != yaqaza.StageInformed {
		t.Fatalf("before the SMS is sent: informed %v deadline %+v", inc.InformedAt, inc.Deadline)
	}
	d := &followup.Deliverer{Outbox: db, Now: time.Now, Permanent: notify.IsPermanent,
		Senders: map[string]followup.Sender{yaqaza.NotifySMS: smsSender{&notify.SMSSender{GatewayURL: gateway.URL, Token: "t", CountryCode: "212"}}}}
	if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
		t.Fatalf("delivered %d, %v", n, err)
	}
	if len(got) != 1 || got[0]["to"] != "+212661234567" {
		t.Fatalf("gateway got %v", got)
	}
	text, _ := got[0]["text"].(string)
	if !containsAny(text, r.TrackingCode) {
		t.Fatalf("the SMS does not carry the tracking code: %q", text)
	}
	inc, _ = incidents.FindIncidentByID(system, r.IncidentID)
	if inc.InformedAt == nil || inc.Deadline != nil || inc.Timeline[len(inc.Timeline)-1].Kind != yaqaza.EventReportersTold {
		t.Fatalf("after the SMS: informed %v deadline %+v", inc.InformedAt, inc.Deadline)
	}
}

type smsSender struct{ s *notify.SMSSender }

func (a smsSender) Send(ctx context.Context, n yaqaza.Notification) error {
	return a.s.Send(ctx, notify.Message{ID: n.ID, Channel: n.Channel, To: n.Recipient, Subject: n.Subject, Body: n.Body, Attempt: n.Attempts})
}

func containsAny(s, sub string) bool { return strings.Contains(s, sub) }
