package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"flag"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// selfSigned writes a fresh self-signed pair for localhost and 127.0.0.1
// into dir and returns the certificate.
func selfSigned(t *testing.T, dir string, serial int64) *x509.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(serial),
		Subject:               pkix.Name{CommonName: "yaqaza test"},
		DNSNames:              []string{"localhost"},
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	writePEM(t, filepath.Join(dir, "cert.pem"), "CERTIFICATE", der)
	writePEM(t, filepath.Join(dir, "key.pem"), "PRIVATE KEY", keyDER)
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

func writePEM(t *testing.T, path, kind string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

// parseTLSFlags parses args as `yaqaza serve` would.
func parseTLSFlags(t *testing.T, args ...string) *tlsFlags {
	t.Helper()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var f tlsFlags
	f.register(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	return &f
}

func TestTLSServesCertificateFromFiles(t *testing.T) {
	dir := t.TempDir()
	cert := selfSigned(t, dir, 1)
	f := parseTLSFlags(t, "--tls-cert", filepath.Join(dir, "cert.pem"), "--tls-key", filepath.Join(dir, "key.pem"))
	cfg, challenges, err := f.config(dir)
	if err != nil {
		t.Fatal(err)
	}
	if challenges != nil {
		t.Error("a certificate from disk needs no ACME handler")
	}
	if cfg.MinVersion != tls.VersionTLS12 {
		t.Errorf("MinVersion = %x, want TLS 1.2", cfg.MinVersion)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{TLSConfig: cfg, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello over TLS")
	})}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })

	roots := x509.NewCertPool()
	roots.AddCert(cert)
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + ln.Addr().String() + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "hello over TLS" || resp.TLS == nil {
		t.Fatalf("got %q over TLS %v", body, resp.TLS != nil)
	}

	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots, MaxVersion: tls.VersionTLS11}}}
	defer old.CloseIdleConnections()
	if _, err := old.Get("https://" + ln.Addr().String() + "/"); err == nil {
		t.Error("a TLS 1.1 client was served")
	}
}

func TestTLSNoFlagsNoTLS(t *testing.T) {
	cfg, challenges, err := parseTLSFlags(t).config(t.TempDir())
	if cfg != nil || challenges != nil || err != nil {
		t.Fatalf("config() = %v, %v, %v; want plain HTTP", cfg, challenges, err)
	}
}

func TestTLSRefusesBadFlags(t *testing.T) {
	dir := t.TempDir()
	selfSigned(t, dir, 1)
	cert, key := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--tls-cert", cert, "--tls-key", key, "--acme-domain", "yaqaza.example"}, "exclude each other"},
		{[]string{"--tls-cert", cert, "--acme-email", "ops@yaqaza.example"}, "exclude each other"},
		{[]string{"--tls-cert", cert}, "go together"},
		{[]string{"--tls-key", key}, "go together"},
		{[]string{"--acme-email", "ops@yaqaza.example"}, "need --acme-domain"},
		{[]string{"--acme-domain", "*.yaqaza.example"}, "plain host names"},
		{[]string{"--acme-domain", "https://yaqaza.example"}, "plain host names"},
		{[]string{"--acme-domain", " , "}, "at least one domain"},
	} {
		_, _, err := parseTLSFlags(t, c.args...).config(dir)
		var ue usageError
		if !errors.As(err, &ue) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want a usage error saying %q", c.args, err, c.want)
		}
	}
}

func TestTLSMissingKeyFile(t *testing.T) {
	dir := t.TempDir()
	selfSigned(t, dir, 1)
	missing := filepath.Join(dir, "nope.pem")
	_, _, err := parseTLSFlags(t, "--tls-cert", filepath.Join(dir, "cert.pem"), "--tls-key", missing).config(dir)
	if err == nil || !strings.Contains(err.Error(), "--tls-key") || !strings.Contains(err.Error(), missing) {
		t.Fatalf("error %v, want one naming --tls-key and %s", err, missing)
	}
}

func TestTLSMismatchedPair(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	selfSigned(t, a, 1)
	selfSigned(t, b, 2)
	cert, key := filepath.Join(a, "cert.pem"), filepath.Join(b, "key.pem")
	_, _, err := parseTLSFlags(t, "--tls-cert", cert, "--tls-key", key).config(a)
	if err == nil || !strings.Contains(err.Error(), cert) || !strings.Contains(err.Error(), key) {
		t.Fatalf("error %v, want one naming %s and %s", err, cert, key)
	}
}

func TestTLSReloadsRenewedCertificate(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	selfSigned(t, dir, 1)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	r, err := newCertReloader(certFile, keyFile, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	serial := func() int64 {
		t.Helper()
		c, err := r.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil {
			t.Fatal(err)
		}
		return c.Leaf.SerialNumber.Int64()
	}
	// touch gives the files a new modification time, however coarse the
	// file system's clock.
	mod := time.Now()
	touch := func() {
		mod = mod.Add(time.Minute)
		for _, p := range []string{certFile, keyFile} {
			if err := os.Chtimes(p, mod, mod); err != nil {
				t.Fatal(err)
			}
		}
	}

	selfSigned(t, dir, 2)
	touch()
	now = now.Add(30 * time.Second)
	if got := serial(); got != 1 {
		t.Fatalf("serial %d within the minute: the files were checked too often", got)
	}
	now = now.Add(31 * time.Second)
	if got := serial(); got != 2 {
		t.Fatalf("serial %d a minute after renewal, want 2", got)
	}

	// A renewal caught halfway: a new certificate beside the old key.
	keep, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	selfSigned(t, dir, 3)
	if err := os.WriteFile(keyFile, keep, 0o600); err != nil {
		t.Fatal(err)
	}
	touch()
	now = now.Add(time.Minute)
	if got := serial(); got != 2 {
		t.Fatalf("serial %d from a mismatched pair, want the previous 2", got)
	}
	// The missing key arrives: picked up at the next check.
	selfSigned(t, dir, 4)
	touch()
	now = now.Add(time.Minute)
	if got := serial(); got != 4 {
		t.Fatalf("serial %d once the pair is whole again, want 4", got)
	}
}

func TestTLSACMEHostPolicy(t *testing.T) {
	data := t.TempDir()
	f := parseTLSFlags(t, "--acme-domain", "yaqaza.example, Ops.Yaqaza.Example", "--acme-email", "ops@yaqaza.example")
	m, err := f.acmeManager(data)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, host := range []string{"yaqaza.example", "ops.yaqaza.example"} {
		if err := m.HostPolicy(ctx, host); err != nil {
			t.Errorf("%s refused: %v", host, err)
		}
	}
	if err := m.HostPolicy(ctx, "evil.example"); err == nil {
		t.Error("a host not given to --acme-domain is allowed")
	}
	if m.Client.DirectoryURL != acme.LetsEncryptURL || m.Email != "ops@yaqaza.example" {
		t.Errorf("directory %q, email %q", m.Client.DirectoryURL, m.Email)
	}
	if got := string(m.Cache.(autocert.DirCache)); got != filepath.Join(data, "acme") {
		t.Errorf("cache in %q, want <data>/acme", got)
	}

	cfg, challenges, err := f.config(data)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.MinVersion != tls.VersionTLS12 || !slices.Contains(cfg.NextProtos, acme.ALPNProto) {
		t.Errorf("MinVersion %x, NextProtos %v: want TLS 1.2 and TLS-ALPN challenges", cfg.MinVersion, cfg.NextProtos)
	}
	// The host policy is asked before any cache or network access, so this
	// stays offline.
	if _, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "evil.example"}); err == nil || !strings.Contains(err.Error(), "not configured") {
		t.Errorf("handshake for a foreign host: %v, want refused by the host policy", err)
	}
	rec := httptest.NewRecorder()
	challenges.ServeHTTP(rec, httptest.NewRequest("GET", "http://evil.example/.well-known/acme-challenge/x", nil))
	if rec.Code != http.StatusForbidden {
		t.Errorf("http-01 challenge for a foreign host: status %d, want 403", rec.Code)
	}
	rec = httptest.NewRecorder()
	challenges.ServeHTTP(rec, httptest.NewRequest("GET", "http://yaqaza.example/api/v1/incidents", nil))
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "https://yaqaza.example/") {
		t.Errorf("plain HTTP answered %d with Location %q, want a redirect to HTTPS", rec.Code, loc)
	}
}

func TestTLSACMECacheFlag(t *testing.T) {
	cache := filepath.Join(t.TempDir(), "certs")
	m, err := parseTLSFlags(t, "--acme-domain", "yaqaza.example", "--acme-cache", cache,
		"--acme-directory", "https://acme-staging-v02.api.letsencrypt.org/directory").acmeManager(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if got := string(m.Cache.(autocert.DirCache)); got != cache {
		t.Errorf("cache in %q, want %q", got, cache)
	}
	if !strings.Contains(m.Client.DirectoryURL, "staging") {
		t.Errorf("directory %q, want the staging one", m.Client.DirectoryURL)
	}
}
