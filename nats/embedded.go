package nats

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	natsgo "github.com/nats-io/nats.go"
)

// Server is a NATS server with JetStream running inside the Yaqaza process:
// the bus of the embedded deployment, with nothing else to install. Its
// JetStream data lives in the folder given to StartEmbedded, so events
// survive a restart.
//
// By default the server opens no network port at all: the process's own
// clients reach it through in-process pipes (ConnectEmbedded), so nobody
// else on the machine can connect to it. ListenTCP opens a loopback port
// for tools such as the nats CLI, and for tests that restart the server
// under a connected client.
type Server struct {
	ns  *server.Server
	tcp bool
}

// EmbeddedOption configures StartEmbedded.
type EmbeddedOption func(*embeddedConfig)

type embeddedConfig struct {
	port   int // -1: random; 0: no listener
	logger *slog.Logger
}

// ListenTCP makes the embedded server accept clients on 127.0.0.1:port as
// well as in process; port 0 picks a free port (read it from ClientURL).
// The listener is bound to loopback only and has no authentication.
func ListenTCP(port int) EmbeddedOption {
	return func(c *embeddedConfig) {
		if port == 0 {
			port = server.RANDOM_PORT
		}
		c.port = port
	}
}

// ServerLogger sends the server's warnings and errors to l (by default
// slog.Default()). Its notices, debug and trace lines are never logged.
func ServerLogger(l *slog.Logger) EmbeddedOption {
	return func(c *embeddedConfig) { c.logger = l }
}

// startTimeout bounds how long StartEmbedded waits for the server to accept
// clients: JetStream recovers its streams from disk before it is ready.
const startTimeout = 30 * time.Second

// StartEmbedded starts a NATS server with JetStream storing in dir (created
// if missing), and returns once it accepts clients. The caller must
// Shutdown it.
func StartEmbedded(dir string, opts ...EmbeddedOption) (*Server, error) {
	cfg := embeddedConfig{logger: slog.Default()}
	for _, o := range opts {
		o(&cfg)
	}
	if dir == "" {
		return nil, errors.New("nats: embedded server needs a data folder")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	sopts := &server.Options{
		ServerName:             "yaqaza-embedded",
		Host:                   "127.0.0.1",
		Port:                   cfg.port,
		DontListen:             cfg.port == 0,
		JetStream:              true,
		StoreDir:               dir,
		NoLog:                  true,
		NoSigs:                 true,
		DisableJetStreamBanner: true,
	}
	ns, err := server.NewServer(sopts)
	if err != nil {
		return nil, fmt.Errorf("nats: embedded server: %w", err)
	}
	ns.SetLoggerV2(serverLog{cfg.logger}, false, false, false)
	ns.Start()
	if !ns.ReadyForConnections(startTimeout) {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("nats: embedded server in %s not ready after %s", dir, startTimeout)
	}
	if !ns.JetStreamEnabled() {
		ns.Shutdown()
		ns.WaitForShutdown()
		return nil, fmt.Errorf("nats: embedded server could not enable JetStream in %s (see the log)", dir)
	}
	return &Server{ns: ns, tcp: cfg.port != 0}, nil
}

// ClientURL returns the nats:// URL of the loopback listener, or "" when the
// server listens in process only (the default).
func (s *Server) ClientURL() string {
	if !s.tcp {
		return ""
	}
	return s.ns.ClientURL()
}

// ConnectOption is the nats.go option that connects a client to this server
// in process, without a network port.
func (s *Server) ConnectOption() natsgo.Option {
	return natsgo.InProcessServer(s.ns)
}

// Shutdown stops the server and returns once it has stopped: clients are
// disconnected and JetStream has written its state to disk.
func (s *Server) Shutdown() {
	s.ns.Shutdown()
	s.ns.WaitForShutdown()
}

// serverLog adapts the server's logger to slog, keeping warnings and
// errors only: an embedded server should be as quiet as a library.
type serverLog struct{ l *slog.Logger }

func (serverLog) Noticef(string, ...any) {}
func (serverLog) Debugf(string, ...any)  {}
func (serverLog) Tracef(string, ...any)  {}
func (s serverLog) Warnf(format string, v ...any) {
	s.l.Warn(fmt.Sprintf(format, v...), "component", "nats-server")
}
func (s serverLog) Errorf(format string, v ...any) {
	s.l.Error(fmt.Sprintf(format, v...), "component", "nats-server")
}

// Fatalf is logged as an error: the embedded server must never exit the
// process that embeds it.
func (s serverLog) Fatalf(format string, v ...any) {
	s.l.Error(fmt.Sprintf(format, v...), "component", "nats-server", "fatal", true)
}
