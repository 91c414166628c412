package notify

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"mime"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// SMTPSender sends e-mail through an SMTP relay: one UTF-8 plain-text
// message per notification, to the address in To.
//
// With StartTLS the connection is encrypted before anything else is said,
// and a relay that does not offer STARTTLS is an error. Credentials, when
// set, are sent with AUTH PLAIN, which net/smtp allows only over TLS or to
// localhost. A relay that refuses the recipient or the message with a 5xx
// reply is Permanent; 4xx replies and failures to connect, secure or log in
// are retried (those are settings to fix, not messages to drop).
type SMTPSender struct {
	Addr     string // host:port of the relay
	From     string // "Préfecture de police <noreply@police.example>" or a bare address
	Username string
	Password string
	StartTLS bool
	// TLSConfig is used for STARTTLS; nil verifies the relay's certificate
	// for the host name in Addr against the system's roots.
	TLSConfig *tls.Config
	// Hello is the name given in EHLO; empty for "localhost".
	Hello string
	// Now is the clock of the Date header; nil for time.Now.
	Now func() time.Time
}

var _ Sender = (*SMTPSender)(nil)

// smtpTimeout bounds one delivery when the caller's context has no deadline.
const smtpTimeout = 60 * time.Second

// Send implements Sender.
func (s *SMTPSender) Send(ctx context.Context, m Message) error {
	from, err := mail.ParseAddress(s.From)
	if err != nil {
		return fmt.Errorf("notify: SMTP sender address %q: %w", s.From, err)
	}
	to, err := mail.ParseAddress(strings.TrimSpace(m.To))
	if err != nil {
		return Permanent(fmt.Errorf("notify: e-mail %d: recipient %q: %w", m.ID, m.To, err))
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	msg := composeMail(from, to, m, now())
	if err := s.deliver(ctx, from.Address, to.Address, msg); err != nil {
		return fmt.Errorf("notify: e-mail %d: %w", m.ID, err)
	}
	return nil
}

func (s *SMTPSender) deliver(ctx context.Context, from, to string, msg []byte) error {
	host, _, err := net.SplitHostPort(s.Addr)
	if err != nil {
		return fmt.Errorf("relay address %q: %w", s.Addr, err)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(smtpTimeout)
	}
	conn, err := (&net.Dialer{Deadline: deadline}).DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return err
	}
	// The deadline bounds the whole conversation; cancelling ctx ends it.
	_ = conn.SetDeadline(deadline)
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()

	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return err
	}
	defer c.Close()
	if s.Hello != "" {
		if err := c.Hello(s.Hello); err != nil {
			return err
		}
	}
	if s.StartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return fmt.Errorf("relay %s does not offer STARTTLS", s.Addr)
		}
		cfg := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.TLSConfig != nil {
			cfg = s.TLSConfig.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = host
		}
		if err := c.StartTLS(cfg); err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
	}
	if s.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", s.Username, s.Password, host)); err != nil {
			return fmt.Errorf("login: %w", err)
		}
	}
	if err := c.Mail(from); err != nil {
		return fmt.Errorf("MAIL FROM: %w", err)
	}
	if err := c.Rcpt(to); err != nil {
		return refusal("RCPT TO", err)
	}
	w, err := c.Data()
	if err != nil {
		return refusal("DATA", err)
	}
	if _, err := w.Write(msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return refusal("message", err)
	}
	// The relay has taken the message: a failed QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// refusal marks a 5xx reply as Permanent: the relay will say the same again.
func refusal(step string, err error) error {
	err = fmt.Errorf("%s: %w", step, err)
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return Permanent(err)
	}
	return err
}

// composeMail writes the message: headers, then the body in
// quoted-printable so that it travels through any relay, lines ending in
// CRLF.
func composeMail(from, to *mail.Address, m Message, now time.Time) []byte {
	domain := "yaqaza.invalid"
	if at := strings.LastIndexByte(from.Address, '@'); at >= 0 {
		domain = from.Address[at+1:]
	}
	subject := strings.Join(strings.Fields(m.Subject), " ")
	var b bytes.Buffer
	header := func(k, v string) { b.WriteString(foldHeader(k, v)) }
	header("From", from.String())
	header("To", to.String())
	header("Subject", mime.QEncoding.Encode("utf-8", subject))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", "<yaqaza."+strconv.FormatInt(m.ID, 10)+"@"+domain+">")
	header("X-Yaqaza-Delivery", strconv.FormatInt(m.ID, 10))
	header("Auto-Submitted", "auto-generated") // RFC 3834: no auto-replies back
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "quoted-printable")
	b.WriteString("\r\n")
	qp := quotedprintable.NewWriter(&b)
	body := strings.ReplaceAll(m.Body, "\r\n", "\n")
	if !strings.HasSuffix(body, "\n") {
		body += "\n"
	}
	_, _ = qp.Write([]byte(body))
	_ = qp.Close()
	return b.Bytes()
}

// foldHeader writes a header field, folded at spaces into lines of at most
// 78 characters where its words allow (RFC 5322 §2.2.3): an encoded Arabic
// subject is several encoded words of up to 75 characters each (RFC 2047).
// Unfolding takes out only the line breaks, so the value is unchanged.
func foldHeader(name, value string) string {
	const limit = 78
	var b strings.Builder
	line := len(name) + 1
	b.WriteString(name + ":")
	for _, w := range strings.Split(value, " ") {
		if line+1+len(w) > limit && line > 1 {
			b.WriteString("\r\n")
			line = 0
		}
		b.WriteString(" " + w)
		line += 1 + len(w)
	}
	b.WriteString("\r\n")
	return b.String()
}
