package notify

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"io"
	"math/big"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"
)

// smtpServer is a small SMTP server on loopback that speaks enough of RFC
// 5321 (EHLO, STARTTLS, AUTH PLAIN, MAIL, RCPT, DATA, RSET, QUIT) to take
// a message from net/smtp, and keeps what it receives.
type smtpServer struct {
	t    *testing.T
	ln   net.Listener
	tls  *tls.Config // offers STARTTLS when set
	user string      // requires AUTH PLAIN when set
	pass string
	// rcptReply answers RCPT TO for an address instead of 250.
	rcptReply map[string]string
	wg        sync.WaitGroup

	mu    sync.Mutex
	mails []received
}

type received struct {
	from, to       string
	data           string
	tls, authed    bool
	hello          string
	bareLineFeeds  bool
	longestLineLen int
}

func startSMTP(t *testing.T, configure func(*smtpServer)) *smtpServer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &smtpServer{t: t, ln: ln, rcptReply: map[string]string{}}
	if configure != nil {
		configure(s)
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			s.wg.Add(1)
			go func() { defer s.wg.Done(); s.serve(conn) }()
		}
	}()
	t.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *smtpServer) received() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.mails...)
}

func (s *smtpServer) serve(conn net.Conn) {
	defer func() { conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	r, w := bufio.NewReader(conn), conn
	reply := func(lines ...string) {
		for _, l := range lines {
			io.WriteString(w, l+"\r\n")
		}
	}
	var cur received
	reply("220 mx.test ESMTP ready")
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\r\n")
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO", "HELO":
			cur.hello = arg
			ext := []string{"250-mx.test greets " + arg, "250-8BITMIME"}
			if s.tls != nil && !cur.tls {
				ext = append(ext, "250-STARTTLS")
			}
			if s.user != "" {
				ext = append(ext, "250-AUTH PLAIN")
			}
			reply(append(ext, "250 HELP")...)
		case "STARTTLS":
			if s.tls == nil || cur.tls {
				reply("502 5.5.1 not offered")
				continue
			}
			reply("220 2.0.0 ready to start TLS")
			tc := tls.Server(conn, s.tls)
			if err := tc.Handshake(); err != nil {
				return // the client refused our certificate
			}
			conn, r, w = tc, bufio.NewReader(tc), tc
			cur = received{tls: true} // RFC 3207: forget everything said before
		case "AUTH":
			mech, resp, _ := strings.Cut(arg, " ")
			dec, err := base64.StdEncoding.DecodeString(resp)
			if strings.ToUpper(mech) != "PLAIN" || err != nil {
				reply("504 5.5.4 unrecognised authentication")
				continue
			}
			if parts := strings.Split(string(dec), "\x00"); len(parts) == 3 && parts[1] == s.user && parts[2] == s.pass {
				cur.authed = true
				reply("235 2.7.0 authenticated")
			} else {
				reply("535 5.7.8 bad credentials")
			}
		case "MAIL":
			if s.user != "" && !cur.authed {
				reply("530 5.7.0 authentication required")
				continue
			}
			from, ok := angle(arg, "FROM:")
			if !ok {
				reply("501 5.5.4 syntax: MAIL FROM:<address>")
				continue
			}
			cur.from = from
			reply("250 2.1.0 ok")
		case "RCPT":
			to, ok := angle(arg, "TO:")
			switch {
			case cur.from == "":
				reply("503 5.5.1 MAIL first")
			case !ok:
				reply("501 5.5.4 syntax: RCPT TO:<address>")
			case s.rcptReply[to] != "":
				reply(s.rcptReply[to])
			default:
				cur.to = to
				reply("250 2.1.5 ok")
			}
		case "DATA":
			if cur.to == "" {
				reply("503 5.5.1 RCPT first")
				continue
			}
			reply("354 end data with <CR><LF>.<CR><LF>")
			var data strings.Builder
			for {
				l, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if !strings.HasSuffix(l, "\r\n") {
					cur.bareLineFeeds = true
				}
				l = strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r")
				if l == "." {
					break
				}
				cur.longestLineLen = max(cur.longestLineLen, len(l))
				data.WriteString(strings.TrimPrefix(l, ".") + "\r\n") // undo dot-stuffing
			}
			cur.data = data.String()
			s.mu.Lock()
			s.mails = append(s.mails, cur)
			s.mu.Unlock()
			cur = received{tls: cur.tls, authed: cur.authed, hello: cur.hello}
			reply("250 2.0.0 queued")
		case "RSET":
			cur = received{tls: cur.tls, authed: cur.authed, hello: cur.hello}
			reply("250 2.0.0 ok")
		case "NOOP":
			reply("250 2.0.0 ok")
		case "QUIT":
			reply("221 2.0.0 bye")
			return
		default:
			reply("502 5.5.2 command not recognised")
		}
	}
}

// angle reads "FROM:<a@b> PARAMS" into a@b.
func angle(arg, prefix string) (string, bool) {
	if len(arg) < len(prefix) || !strings.EqualFold(arg[:len(prefix)], prefix) {
		return "", false
	}
	rest := strings.TrimSpace(arg[len(prefix):])
	if !strings.HasPrefix(rest, "<") {
		return "", false
	}
	end := strings.IndexByte(rest, '>')
	if end < 0 {
		return "", false
	}
	return rest[1:end], true
}

func TestSMTPRoundTrip(t *testing.T) {
	srv := startSMTP(t, nil)
	at := time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("WEST", 3600))
	s := &SMTPSender{Addr: srv.ln.Addr().String(), From: "Préfecture de police de Fès <alertes@police.example>",
		Hello: "yaqaza.test", Now: func() time.Time { return at }}
	subject, body := ReporterMessage("ar", "resolved", "7KQM-9XPR-A3TD", "تم توقيف المشتبه فيه.\n.سطر يبدأ بنقطة")
	m := Message{ID: 9001, Channel: ChannelEmail, To: "citoyen@example.ma", Subject: subject, Body: body, Attempt: 1}
	if err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	mails := srv.received()
	if len(mails) != 1 {
		t.Fatalf("server received %d messages", len(mails))
	}
	got := mails[0]
	if got.from != "alertes@police.example" || got.to != "citoyen@example.ma" || got.hello != "yaqaza.test" {
		t.Errorf("envelope from %q to %q, EHLO %q", got.from, got.to, got.hello)
	}
	if got.bareLineFeeds || got.longestLineLen > 78 {
		t.Errorf("lines: bare LF %v, longest %d", got.bareLineFeeds, got.longestLineLen)
	}

	msg, err := mail.ReadMessage(strings.NewReader(got.data))
	if err != nil {
		t.Fatal(err)
	}
	h := msg.Header
	dec := new(mime.WordDecoder)
	if subj, err := dec.DecodeHeader(h.Get("Subject")); err != nil || subj != subject {
		t.Errorf("Subject %q decodes to %q (%v), want %q", h.Get("Subject"), subj, err, subject)
	}
	if !strings.Contains(h.Get("Subject"), "=?utf-8?q?") {
		t.Errorf("Arabic subject not Q-encoded: %q", h.Get("Subject"))
	}
	from, err := mail.ParseAddress(h.Get("From"))
	if err != nil || from.Name != "Préfecture de police de Fès" || from.Address != "alertes@police.example" {
		t.Errorf("From %q: %v %v", h.Get("From"), from, err)
	}
	if to, err := mail.ParseAddress(h.Get("To")); err != nil || to.Address != "citoyen@example.ma" {
		t.Errorf("To %q", h.Get("To"))
	}
	if d, err := h.Date(); err != nil || !d.Equal(at) {
		t.Errorf("Date %q: %v", h.Get("Date"), err)
	}
	if id := h.Get("Message-ID"); id != "<yaqaza.9001@police.example>" {
		t.Errorf("Message-ID %q", id)
	}
	if h.Get("Content-Type") != "text/plain; charset=utf-8" || h.Get("Content-Transfer-Encoding") != "quoted-printable" ||
		h.Get("MIME-Version") != "1.0" || h.Get("X-Yaqaza-Delivery") != "9001" {
		t.Errorf("headers %v", h)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.ReplaceAll(body, "\n", "\r\n") + "\r\n"; string(text) != want {
		t.Errorf("body\n%q\nwant\n%q", text, want)
	}
}

func TestSMTPStartTLSAndLogin(t *testing.T) {
	cert, pool := selfSigned(t)
	srv := startSMTP(t, func(s *smtpServer) {
		s.tls = &tls.Config{Certificates: []tls.Certificate{cert}}
		s.user, s.pass = "yaqaza", "s3cret"
	})
	s := &SMTPSender{Addr: srv.ln.Addr().String(), From: "alertes@police.example", Username: "yaqaza", Password: "s3cret",
		StartTLS: true, TLSConfig: &tls.Config{RootCAs: pool}}
	if err := s.Send(context.Background(), Message{ID: 1, To: "chef@police.example", Subject: "Incident 12", Body: "Test"}); err != nil {
		t.Fatal(err)
	}
	if m := srv.received(); len(m) != 1 || !m[0].tls || !m[0].authed {
		t.Fatalf("received %+v", m)
	}

	s.Password = "wrong"
	if err := s.Send(context.Background(), Message{ID: 2, To: "chef@police.example", Body: "x"}); err == nil || IsPermanent(err) {
		t.Errorf("wrong password: %v (a setting to fix: the message must wait)", err)
	}
	s.Password, s.TLSConfig = "s3cret", nil
	if err := s.Send(context.Background(), Message{ID: 3, To: "chef@police.example", Body: "x"}); err == nil || IsPermanent(err) {
		t.Errorf("untrusted certificate: %v", err)
	}

	plain := startSMTP(t, nil)
	s = &SMTPSender{Addr: plain.ln.Addr().String(), From: "alertes@police.example", StartTLS: true}
	if err := s.Send(context.Background(), Message{ID: 4, To: "chef@police.example", Body: "x"}); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("relay without STARTTLS: %v", err)
	}
	if len(plain.received()) != 0 {
		t.Error("a message went out unencrypted")
	}
}

func TestSMTPRefusals(t *testing.T) {
	srv := startSMTP(t, func(s *smtpServer) {
		s.rcptReply["gone@example.ma"] = "550 5.1.1 no such mailbox"
		s.rcptReply["full@example.ma"] = "452 4.2.2 mailbox full"
	})
	s := &SMTPSender{Addr: srv.ln.Addr().String(), From: "alertes@police.example"}
	ctx := context.Background()
	if err := s.Send(ctx, Message{ID: 1, To: "gone@example.ma", Body: "x"}); !IsPermanent(err) {
		t.Errorf("550: %v", err)
	}
	if err := s.Send(ctx, Message{ID: 2, To: "full@example.ma", Body: "x"}); err == nil || IsPermanent(err) {
		t.Errorf("452: %v", err)
	}
	for _, to := range []string{"not an address", "a@b\r\nBcc: x@y", ""} {
		if err := s.Send(ctx, Message{ID: 3, To: to, Body: "x"}); !IsPermanent(err) {
			t.Errorf("recipient %q: %v", to, err)
		}
	}
	if len(srv.received()) != 0 {
		t.Errorf("received %v", srv.received())
	}
	// Nobody listening: retry later.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if err := (&SMTPSender{Addr: addr, From: "a@b.c"}).Send(ctx, Message{ID: 4, To: "x@y.z", Body: "x"}); err == nil || IsPermanent(err) {
		t.Errorf("closed port: %v", err)
	}
}

// TestSMTPHeaderInjection checks that a subject cannot add headers.
func TestSMTPHeaderInjection(t *testing.T) {
	srv := startSMTP(t, nil)
	s := &SMTPSender{Addr: srv.ln.Addr().String(), From: "alertes@police.example"}
	if err := s.Send(context.Background(), Message{ID: 5, To: "x@example.ma", Subject: "Hello\r\nBcc: victim@example.org", Body: "x"}); err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(srv.received()[0].data))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || msg.Header.Get("Subject") != "Hello Bcc: victim@example.org" {
		t.Errorf("headers %v", msg.Header)
	}
}

func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "mx.test"},
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}
