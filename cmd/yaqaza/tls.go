package main

import (
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/acme"
	"golang.org/x/crypto/acme/autocert"
)

// tlsFlags choose how `yaqaza serve` speaks TLS: a certificate pair on disk,
// a certificate obtained by ACME, or none (plain HTTP, e.g. behind a proxy).
type tlsFlags struct {
	cert, key     string
	acmeDomains   string
	acmeEmail     string
	acmeCache     string
	acmeDirectory string
}

func (f *tlsFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.cert, "tls-cert", "", "serve HTTPS with this PEM certificate chain (with --tls-key); a renewed file is picked up within a minute")
	fs.StringVar(&f.key, "tls-key", "", "PEM private key of --tls-cert")
	fs.StringVar(&f.acmeDomains, "acme-domain", "", "serve HTTPS with certificates obtained by ACME for these domains (comma-separated)")
	fs.StringVar(&f.acmeEmail, "acme-email", "", "contact address given to the ACME authority, for expiry warnings")
	fs.StringVar(&f.acmeCache, "acme-cache", "", "folder for the ACME account and certificates (default <data>/acme)")
	fs.StringVar(&f.acmeDirectory, "acme-directory", acme.LetsEncryptURL, "ACME directory URL")
}

// config returns the TLS configuration the flags ask for, or nil when they
// ask for none. With ACME it also returns the handler that must answer on
// port 80: it serves http-01 challenges and redirects everything else to
// HTTPS. Challenges also succeed over TLS-ALPN on the HTTPS port, so port 80
// is a fallback, not a requirement.
func (f *tlsFlags) config(dataDir string) (*tls.Config, http.Handler, error) {
	files := f.cert != "" || f.key != ""
	acmeOptions := f.acmeEmail != "" || f.acmeCache != "" || f.acmeDirectory != acme.LetsEncryptURL
	switch {
	case files && (f.acmeDomains != "" || acmeOptions):
		return nil, nil, usageError{"--tls-cert/--tls-key and --acme-* exclude each other: use a certificate from disk or one from ACME"}
	case files:
		if f.cert == "" || f.key == "" {
			return nil, nil, usageError{"--tls-cert and --tls-key go together"}
		}
		r, err := newCertReloader(f.cert, f.key, time.Now)
		if err != nil {
			return nil, nil, err
		}
		return &tls.Config{MinVersion: tls.VersionTLS12, GetCertificate: r.GetCertificate}, nil, nil
	case f.acmeDomains != "":
		m, err := f.acmeManager(dataDir)
		if err != nil {
			return nil, nil, err
		}
		cfg := m.TLSConfig()
		cfg.MinVersion = tls.VersionTLS12
		return cfg, m.HTTPHandler(nil), nil
	case acmeOptions:
		return nil, nil, usageError{"--acme-email, --acme-cache and --acme-directory need --acme-domain"}
	}
	return nil, nil, nil
}

// acmeManager obtains and renews certificates for the --acme-domain names
// only: without the host policy, anyone pointing a name at the node could
// make it request certificates and exhaust the authority's rate limits.
func (f *tlsFlags) acmeManager(dataDir string) (*autocert.Manager, error) {
	var domains []string
	for d := range strings.SplitSeq(f.acmeDomains, ",") {
		d = strings.ToLower(strings.TrimSpace(d))
		if d == "" {
			continue
		}
		if strings.ContainsAny(d, "*:/ ") || !strings.Contains(d, ".") {
			return nil, usageError{fmt.Sprintf("--acme-domain %q: give plain host names such as yaqaza.example.ma (no wildcard, port or scheme)", d)}
		}
		domains = append(domains, d)
	}
	if len(domains) == 0 {
		return nil, usageError{"--acme-domain needs at least one domain"}
	}
	cache := f.acmeCache
	if cache == "" {
		cache = filepath.Join(dataDir, "acme")
	}
	return &autocert.Manager{
		Prompt:     autocert.AcceptTOS,
		Cache:      autocert.DirCache(cache),
		HostPolicy: autocert.HostWhitelist(domains...),
		Email:      f.acmeEmail,
		Client:     &acme.Client{DirectoryURL: f.acmeDirectory},
	}, nil
}

// certReloader serves a certificate pair from disk and picks up a renewed
// pair without a restart. It looks at the files at most once per interval,
// so handshakes do not stat the disk.
type certReloader struct {
	certFile, keyFile string
	every             time.Duration
	now               func() time.Time

	mu      sync.Mutex
	cert    *tls.Certificate
	stamp   pairStamp // of the files cert was loaded from
	checked time.Time
}

// pairStamp tells whether either file of the pair was rewritten.
type pairStamp struct {
	certMod, keyMod   time.Time
	certSize, keySize int64
}

func (s pairStamp) same(o pairStamp) bool {
	return s.certMod.Equal(o.certMod) && s.keyMod.Equal(o.keyMod) && s.certSize == o.certSize && s.keySize == o.keySize
}

func newCertReloader(certFile, keyFile string, now func() time.Time) (*certReloader, error) {
	r := &certReloader{certFile: certFile, keyFile: keyFile, every: time.Minute, now: now}
	cert, stamp, err := loadKeyPair(certFile, keyFile)
	if err != nil {
		return nil, err
	}
	r.cert, r.stamp, r.checked = cert, stamp, now()
	logCertificate("TLS certificate loaded", certFile, cert)
	return r, nil
}

// GetCertificate is the tls.Config hook.
func (r *certReloader) GetCertificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if now := r.now(); now.Sub(r.checked) >= r.every {
		r.checked = now
		r.reload()
	}
	return r.cert, nil
}

// reload keeps the current certificate when the new pair does not load: a
// renewal caught halfway, the certificate written but not yet its key, is
// tried again at the next check rather than breaking every handshake.
func (r *certReloader) reload() {
	stamp, err := stampPair(r.certFile, r.keyFile)
	if err != nil || stamp.same(r.stamp) {
		if err != nil {
			slog.Warn("TLS certificate not checked; serving the loaded one", "err", err)
		}
		return
	}
	cert, stamp, err := loadKeyPair(r.certFile, r.keyFile)
	if err != nil {
		slog.Warn("TLS certificate changed but does not load; serving the previous one", "err", err)
		return
	}
	r.cert, r.stamp = cert, stamp
	logCertificate("TLS certificate reloaded", r.certFile, cert)
}

// loadKeyPair stamps the files before reading them, so that a write landing
// between the two is seen as a change at the next check.
func loadKeyPair(certFile, keyFile string) (*tls.Certificate, pairStamp, error) {
	stamp, err := stampPair(certFile, keyFile)
	if err != nil {
		return nil, pairStamp{}, err
	}
	certPEM, err := os.ReadFile(certFile)
	if err != nil {
		return nil, pairStamp{}, fmt.Errorf("--tls-cert: %w", err)
	}
	keyPEM, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, pairStamp{}, fmt.Errorf("--tls-key: %w", err)
	}
	cert, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, pairStamp{}, fmt.Errorf("TLS certificate %s with key %s: %w", certFile, keyFile, err)
	}
	return &cert, stamp, nil
}

func stampPair(certFile, keyFile string) (pairStamp, error) {
	c, err := os.Stat(certFile)
	if err != nil {
		return pairStamp{}, fmt.Errorf("--tls-cert: %w", err)
	}
	k, err := os.Stat(keyFile)
	if err != nil {
		return pairStamp{}, fmt.Errorf("--tls-key: %w", err)
	}
	return pairStamp{certMod: c.ModTime(), keyMod: k.ModTime(), certSize: c.Size(), keySize: k.Size()}, nil
}

// logCertificate says which names and expiry the node now serves, so an
// operator can confirm a renewal from the log.
func logCertificate(msg, file string, cert *tls.Certificate) {
	if cert.Leaf == nil {
		slog.Info(msg, "file", file)
		return
	}
	slog.Info(msg, "file", file, "names", cert.Leaf.DNSNames, "expires", cert.Leaf.NotAfter)
	if time.Now().After(cert.Leaf.NotAfter) {
		slog.Warn("TLS certificate has expired", "file", file, "expired", cert.Leaf.NotAfter)
	}
}
