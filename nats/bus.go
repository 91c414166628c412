// Package nats is Yaqaza's event bus: one JetStream stream that every node
// publishes its events to and reads every node's events from.
//
// The embedded deployment runs the NATS server inside the process
// (StartEmbedded, ConnectEmbedded); the scale-out deployment connects to an
// external NATS cluster (Connect) and keeps the stream replicated there.
// Either way the code above the bus sees the same Bus.
//
// Events are published with an id of their own (the Nats-Msg-Id header), so
// a publish retried after a time-out is stored once. Every stored event has
// a stream sequence, which a reader uses to resume exactly where it stopped.
package nats

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	natsgo "github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// The defaults of the stream.
const (
	DefaultStream          = "YAQAZA_EVENTS"
	DefaultSubjectPrefix   = "yaqaza.events"
	DefaultMaxAge          = 7 * 24 * time.Hour
	DefaultDuplicateWindow = 2 * time.Minute
)

// requestTimeout bounds every request to the server that is not given a
// context with a deadline of its own.
const requestTimeout = 10 * time.Second

// ErrClosed is returned by Subscribe when the bus's connection was closed
// under it.
var ErrClosed = errors.New("nats: bus closed")

// Bus publishes events to the stream and reads them back. It is safe for
// concurrent use.
type Bus struct {
	nc     *natsgo.Conn
	js     jetstream.JetStream
	cfg    config
	stream jetstream.Stream
}

// Option configures a Bus.
type Option func(*config)

type config struct {
	stream    string
	prefix    string
	maxAge    time.Duration
	dupWindow time.Duration
	replicas  int // 0: 1 when creating, whatever the stream has otherwise
	natsOpts  []natsgo.Option
	logger    *slog.Logger
}

// WithStream names the stream and the subjects it holds (prefix + ".>").
// Two buses on the same server with different names share nothing; the
// subject prefixes of two streams must not overlap.
func WithStream(name, subjectPrefix string) Option {
	return func(c *config) { c.stream, c.prefix = name, subjectPrefix }
}

// WithMaxAge sets how long the stream keeps events (DefaultMaxAge).
func WithMaxAge(d time.Duration) Option { return func(c *config) { c.maxAge = d } }

// WithDuplicateWindow sets how long a message id is remembered to drop a
// repeated publish (DefaultDuplicateWindow).
func WithDuplicateWindow(d time.Duration) Option { return func(c *config) { c.dupWindow = d } }

// WithReplicas sets how many servers of a cluster keep a copy of the stream:
// 3 for a three-server cluster. A single server supports 1 only. Without
// this option a new stream gets 1 and an existing one keeps what it has.
func WithReplicas(n int) Option { return func(c *config) { c.replicas = n } }

// WithNATSOptions adds options to the NATS connection made by Connect
// (credentials, TLS, a name…).
func WithNATSOptions(opts ...natsgo.Option) Option {
	return func(c *config) { c.natsOpts = append(c.natsOpts, opts...) }
}

// WithLogger sets where the bus logs disconnections and consumer errors
// (slog.Default() otherwise).
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// Connect connects to an external NATS server or cluster at url (a comma
// list of URLs for a cluster) and makes sure the stream exists. The
// connection reconnects forever; publishes made while it is down fail after
// their timeout and may be retried with the same message id.
func Connect(url string, opts ...Option) (*Bus, error) {
	return connect(url, nil, opts)
}

// ConnectEmbedded connects to the embedded server s in process and makes
// sure the stream exists.
func ConnectEmbedded(s *Server, opts ...Option) (*Bus, error) {
	return connect("", s.ConnectOption(), opts)
}

func connect(url string, inProcess natsgo.Option, opts []Option) (*Bus, error) {
	cfg := config{
		stream:    DefaultStream,
		prefix:    DefaultSubjectPrefix,
		maxAge:    DefaultMaxAge,
		dupWindow: DefaultDuplicateWindow,
		logger:    slog.Default(),
	}
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	log := cfg.logger.With("component", "bus")
	nopts := []natsgo.Option{
		natsgo.Name("yaqaza"),
		natsgo.Timeout(5 * time.Second),
		natsgo.MaxReconnects(-1),
		natsgo.ReconnectWait(time.Second),
		natsgo.DisconnectErrHandler(func(_ *natsgo.Conn, err error) {
			if err != nil {
				log.Warn("disconnected from NATS", "err", err)
			}
		}),
		natsgo.ReconnectHandler(func(nc *natsgo.Conn) {
			log.Info("reconnected to NATS", "url", nc.ConnectedUrlRedacted())
		}),
	}
	if inProcess != nil {
		nopts = append(nopts, inProcess)
	}
	nopts = append(nopts, cfg.natsOpts...)
	nc, err := natsgo.Connect(url, nopts...)
	if err != nil {
		return nil, fmt.Errorf("nats: connect to %q: %w", url, err)
	}
	js, err := jetstream.New(nc, jetstream.WithDefaultTimeout(requestTimeout))
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("nats: %w", err)
	}
	b := &Bus{nc: nc, js: js, cfg: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), 2*requestTimeout)
	defer cancel()
	if b.stream, err = b.ensureStream(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return b, nil
}

func (c *config) validate() error {
	switch {
	case c.stream == "" || strings.ContainsAny(c.stream, ".*> \t"):
		return fmt.Errorf("nats: invalid stream name %q", c.stream)
	case c.prefix == "" || strings.ContainsAny(c.prefix, "*> \t") || strings.HasPrefix(c.prefix, ".") || strings.HasSuffix(c.prefix, "."):
		return fmt.Errorf("nats: invalid subject prefix %q", c.prefix)
	case c.maxAge <= 0:
		return fmt.Errorf("nats: max age must be positive, got %s", c.maxAge)
	case c.dupWindow <= 0 || c.dupWindow > c.maxAge:
		return fmt.Errorf("nats: duplicate window must be positive and at most the max age, got %s", c.dupWindow)
	case c.replicas < 0 || c.replicas > 5:
		return fmt.Errorf("nats: replicas must be 1 to 5, got %d", c.replicas)
	}
	return nil
}

// streamConfig is the stream the bus wants.
func (b *Bus) streamConfig() jetstream.StreamConfig {
	return jetstream.StreamConfig{
		Name:        b.cfg.stream,
		Description: "Yaqaza events",
		Subjects:    []string{b.cfg.prefix + ".>"},
		Storage:     jetstream.FileStorage,
		Retention:   jetstream.LimitsPolicy,
		Discard:     jetstream.DiscardOld,
		MaxAge:      b.cfg.maxAge,
		Duplicates:  b.cfg.dupWindow,
		Replicas:    max(b.cfg.replicas, 1),
		MaxMsgs:     -1,
		MaxBytes:    -1,
	}
}

// ensureStream creates the stream, or brings an existing one to the age,
// duplicate window and replicas asked for. Several nodes may run it at the
// same moment: whoever loses the race to create finds the stream there.
func (b *Bus) ensureStream(ctx context.Context) (jetstream.Stream, error) {
	want := b.streamConfig()
	for attempt := 0; ; attempt++ {
		s, err := b.js.Stream(ctx, want.Name)
		if errors.Is(err, jetstream.ErrStreamNotFound) {
			s, err = b.js.CreateStream(ctx, want)
			if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) && attempt < 3 {
				continue // another node created it with other settings: compare and update
			}
			if err != nil {
				return nil, b.streamError("create", err)
			}
			return s, nil
		}
		if err != nil {
			return nil, b.streamError("look up", err)
		}
		have := s.CachedInfo().Config
		if b.cfg.replicas == 0 {
			want.Replicas = have.Replicas
		}
		if have.MaxAge == want.MaxAge && have.Duplicates == want.Duplicates &&
			have.Replicas == want.Replicas && equalStrings(have.Subjects, want.Subjects) {
			return s, nil
		}
		merged := have
		merged.MaxAge, merged.Duplicates, merged.Replicas, merged.Subjects = want.MaxAge, want.Duplicates, want.Replicas, want.Subjects
		if s, err = b.js.UpdateStream(ctx, merged); err != nil {
			return nil, b.streamError("update", err)
		}
		return s, nil
	}
}

func (b *Bus) streamError(op string, err error) error {
	err = fmt.Errorf("nats: %s stream %s: %w", op, b.cfg.stream, err)
	if b.cfg.replicas > 1 && b.nc.ConnectedClusterName() == "" {
		err = fmt.Errorf("%w (%d replicas asked for, but the server is not part of a cluster)", err, b.cfg.replicas)
	}
	return err
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// SubjectPrefix returns the prefix of the subjects the stream holds, such
// as "yaqaza.events": events are published as prefix + "." + kind.
func (b *Bus) SubjectPrefix() string { return b.cfg.prefix }

// Publish stores data under subject (which must start with the subject
// prefix) and returns its stream sequence once the server has stored it.
// msgID identifies the event: a publish repeated with the same msgID within
// the duplicate window is not stored again, and returns the sequence of the
// first. Retry a failed publish with the same msgID. Without a deadline in
// ctx the publish gives up after 10 s.
func (b *Bus) Publish(ctx context.Context, subject string, msgID string, data []byte) (uint64, error) {
	if msgID == "" {
		return 0, errors.New("nats: publish needs a message id")
	}
	if !strings.HasPrefix(subject, b.cfg.prefix+".") || strings.ContainsAny(subject, "*> \t\r\n") {
		return 0, fmt.Errorf("nats: subject %q is not under %s", subject, b.cfg.prefix)
	}
	ack, err := b.js.Publish(ctx, subject, data,
		jetstream.WithMsgID(msgID), jetstream.WithExpectStream(b.cfg.stream))
	if err != nil {
		return 0, fmt.Errorf("nats: publish %s: %w", subject, err)
	}
	return ack.Sequence, nil
}

// LastSeq returns the sequence of the last event stored, 0 if none ever was.
func (b *Bus) LastSeq() (uint64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), requestTimeout)
	defer cancel()
	info, err := b.stream.Info(ctx)
	if err != nil {
		return 0, fmt.Errorf("nats: stream %s: %w", b.cfg.stream, err)
	}
	return info.State.LastSeq, nil
}

// Subscribe calls fn with every event whose stream sequence is fromSeq or
// more, in order, then with every new event as it is stored, until ctx is
// done; fromSeq 0 means the events stored from now on. Events older than
// the stream keeps are skipped: the first call may have a sequence above
// fromSeq.
//
// It reads through an ordered consumer, which keeps no state on the server
// beyond a short-lived in-memory cursor: after a reconnect or a server
// restart it starts again after the last sequence delivered, so fn sees
// each sequence at most once and never out of order. fn is called from one
// goroutine at a time and must return quickly (hand the event to buffered
// channels): a node runs one subscription and fans out in process.
//
// Subscribe returns nil when ctx is done, ErrClosed if the bus was closed,
// or the error that kept it from starting. fn is not called after
// Subscribe has returned.
func (b *Bus) Subscribe(ctx context.Context, fromSeq uint64, fn func(seq uint64, subject string, data []byte)) error {
	if fromSeq == 0 {
		last, err := b.LastSeq()
		if err != nil {
			return err
		}
		fromSeq = last + 1
	}
	log := b.cfg.logger.With("component", "bus", "stream", b.cfg.stream)
	cctx, cancel := context.WithTimeout(ctx, requestTimeout)
	defer cancel()
	cons, err := b.js.OrderedConsumer(cctx, b.cfg.stream, jetstream.OrderedConsumerConfig{
		DeliverPolicy: jetstream.DeliverByStartSequencePolicy,
		OptStartSeq:   fromSeq,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("nats: subscribe to %s: %w", b.cfg.stream, err)
	}

	// mu makes fn calls one at a time even across the consumer's internal
	// resets, and lets Subscribe wait out a call in progress before it
	// returns; last drops any sequence already seen.
	var (
		mu      sync.Mutex
		last    = fromSeq - 1
		stopped bool
	)
	handler := func(msg jetstream.Msg) {
		meta, err := msg.Metadata()
		if err != nil {
			log.Error("event without metadata", "subject", msg.Subject(), "err", err)
			return
		}
		seq := meta.Sequence.Stream
		mu.Lock()
		defer mu.Unlock()
		if stopped || seq <= last {
			return
		}
		last = seq
		fn(seq, msg.Subject(), msg.Data())
	}
	cc, err := cons.Consume(handler, jetstream.ConsumeErrHandler(func(_ jetstream.ConsumeContext, err error) {
		log.Warn("event consumer", "err", err)
	}))
	if err != nil {
		return fmt.Errorf("nats: subscribe to %s: %w", b.cfg.stream, err)
	}
	var result error
	select {
	case <-ctx.Done():
		cc.Stop()
	case <-cc.Closed():
		result = ErrClosed
	}
	mu.Lock()
	stopped = true
	mu.Unlock()
	return result
}

// Close closes the connection. Subscriptions on it return ErrClosed.
func (b *Bus) Close() {
	b.nc.Close()
}
