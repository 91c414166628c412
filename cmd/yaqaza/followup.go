package main

import (
	"context"
	"flag"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"github.com/yaqaza/yaqaza"
	"github.com/yaqaza/yaqaza/followup"
	"github.com/yaqaza/yaqaza/live"
	"github.com/yaqaza/yaqaza/nats"
	"github.com/yaqaza/yaqaza/notify"
	"github.com/yaqaza/yaqaza/sqlstore"
)

// followupFlags configure the bus and the notification channels.
type followupFlags struct {
	nats                             string
	smtpAddr, smtpFrom, smtpUser     string
	smtpPassword                     string
	smtpStartTLS                     bool
	smsGateway, smsToken, smsCountry string
}

func (f *followupFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.nats, "nats", os.Getenv("YAQAZA_NATS"), "NATS URL of the event bus (scale-out); empty for the embedded one")
	fs.StringVar(&f.smtpAddr, "smtp", os.Getenv("YAQAZA_SMTP"), "SMTP relay host:port for e-mail notifications")
	fs.StringVar(&f.smtpFrom, "smtp-from", envOr("YAQAZA_SMTP_FROM", "yaqaza@localhost"), "sender address of e-mail notifications")
	fs.StringVar(&f.smtpUser, "smtp-user", os.Getenv("YAQAZA_SMTP_USER"), "SMTP user (password from YAQAZA_SMTP_PASSWORD)")
	fs.BoolVar(&f.smtpStartTLS, "smtp-starttls", true, "require STARTTLS with the SMTP relay")
	fs.StringVar(&f.smsGateway, "sms-gateway", os.Getenv("YAQAZA_SMS_GATEWAY"), "URL of the SMS gateway (token from YAQAZA_SMS_TOKEN)")
	fs.StringVar(&f.smsCountry, "sms-country", "212", "country code added to national phone numbers")
	f.smtpPassword = os.Getenv("YAQAZA_SMTP_PASSWORD")
	f.smsToken = os.Getenv("YAQAZA_SMS_TOKEN")
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// senders maps the outbox's channels to the configured senders. A channel
// with no configuration stays pending: its messages wait until it has one.
func (f *followupFlags) senders() map[string]followup.Sender {
	out := map[string]followup.Sender{yaqaza.NotifyWebhook: webhookSender{}}
	if f.smtpAddr != "" {
		out[yaqaza.NotifyEmail] = sender{&notify.SMTPSender{Addr: f.smtpAddr, From: f.smtpFrom, Username: f.smtpUser,
			Password: f.smtpPassword, StartTLS: f.smtpStartTLS}}
	}
	if f.smsGateway != "" {
		out[yaqaza.NotifySMS] = sender{&notify.SMSSender{GatewayURL: f.smsGateway, Token: f.smsToken, CountryCode: f.smsCountry}}
	}
	return out
}

// sender adapts a notify.Sender to the outbox's notifications.
type sender struct{ s notify.Sender }

func (a sender) Send(ctx context.Context, n yaqaza.Notification) error {
	return a.s.Send(ctx, outboxMessage(n))
}

func outboxMessage(n yaqaza.Notification) notify.Message {
	return notify.Message{ID: n.ID, Channel: n.Channel, To: n.Recipient, Subject: n.Subject, Body: n.Body, Data: n.Data, Attempt: n.Attempts}
}

// webhookSender signs each delivery with its subscriber's own secret.
type webhookSender struct{}

func (webhookSender) Send(ctx context.Context, n yaqaza.Notification) error {
	return (&notify.WebhookSender{Secret: []byte(n.Secret)}).Send(ctx, outboxMessage(n))
}

// runRetention applies the pack's retention rules once a day, on one node.
func runRetention(ctx context.Context, db *sqlstore.DB, node string, every time.Duration) {
	system := yaqaza.NewContextWithActor(ctx, yaqaza.System("retention"))
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rules, err := db.PackRetention(system)
		var run *yaqaza.RetentionRun
		if err == nil {
			run, err = db.RetentionIfDue(system, rules, db.Now(), node)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			slog.Error("retention job", "err", err)
		case run != nil:
			slog.Info("retention job", "contacts", run.Contacts, "social_posts", run.SocialPosts,
				"notifications", run.Notifications, "expired_sessions", run.ExpiredSession)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// startFollowup starts what runs beside the API: the event bus and its relay
// and hub, the escalation clock and the notification deliverer. It returns
// the hub and a function that stops it all.
func startFollowup(ctx context.Context, db *sqlstore.DB, data string, f *followupFlags, node string) (*live.Hub, func(), error) {
	ctx, cancel := context.WithCancel(ctx)
	var stops []func()
	stop := func() {
		cancel()
		for i := len(stops) - 1; i >= 0; i-- {
			stops[i]()
		}
	}
	var bus *nats.Bus
	var err error
	if f.nats != "" {
		bus, err = nats.Connect(f.nats)
	} else {
		var srv *nats.Server
		if srv, err = nats.StartEmbedded(filepath.Join(data, "nats")); err == nil {
			stops = append(stops, srv.Shutdown)
			bus, err = nats.ConnectEmbedded(srv)
		}
	}
	if err != nil {
		stop()
		return nil, nil, err
	}
	stops = append(stops, bus.Close)
	hub := live.NewHub()
	done := make(chan struct{}, 5)
	run := func(fn func()) {
		go func() { fn(); done <- struct{}{} }()
	}
	run(func() {
		if err := live.Feed(ctx, bus, hub); err != nil && ctx.Err() == nil {
			slog.Error("live events: the bus subscription ended", "err", err)
		}
	})
	run(func() { (&live.Relay{Source: db, Bus: bus, Owner: node}).Run(ctx) })
	run(func() { followup.RunEscalations(ctx, db, db.Now, time.Second) })
	d := &followup.Deliverer{Outbox: db, Senders: f.senders(), Now: db.Now, MaxAttempts: 12, Permanent: notify.IsPermanent,
		Backoff: func(n int) time.Duration { return notify.Backoff(n, nil) }}
	run(func() { d.Run(ctx, 2*time.Second) })
	run(func() { runRetention(ctx, db, node, time.Hour) })
	// Stopping waits for the five loops before closing the bus under them.
	stops = append(stops, func() {
		for range 5 {
			<-done
		}
	})
	return hub, stop, nil
}
