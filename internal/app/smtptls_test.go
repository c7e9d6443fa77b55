package app_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/smtp"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/channel/email"
	"layan/internal/config"
	"layan/internal/testkit"
)

// With --smtp-tls-cert and --smtp-tls-key the inbound listener offers
// STARTTLS, and mail sent over it is accepted; a missing key file stops the
// start with a clear error.
func TestInboundSMTPOffersSTARTTLS(t *testing.T) {
	dir := t.TempDir()
	certPEM, keyPEM, pool := selfSigned(t, "mx.layan.test")
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite://" + filepath.Join(dir, "layan.db")
	cfg.NoDemo = true
	cfg.SMTPTLSCert, cfg.SMTPTLSKey = certFile, filepath.Join(dir, "missing.pem")
	if _, err := app.Open(context.Background(), cfg, testkit.QuietLogger()); err == nil || !strings.Contains(err.Error(), "--smtp-tls-key") {
		t.Fatalf("a missing key file: %v", err)
	}
	cfg.SMTPTLSKey = keyFile
	a, err := app.Open(context.Background(), cfg, testkit.QuietLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	sup := "support@layan.test"
	if _, err := a.Email.AddAddress(context.Background(), auth.SystemActor(), email.AddressInput{Email: &sup}); err != nil {
		t.Fatal(err)
	}
	ln, err := a.Email.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = ln.Serve() }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = ln.Shutdown(ctx)
	}()
	c, err := smtp.Dial(ln.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); !ok {
		t.Fatal("the listener does not offer STARTTLS")
	}
	if err := c.StartTLS(&tls.Config{ServerName: "mx.layan.test", RootCAs: pool}); err != nil {
		t.Fatal(err)
	}
	if st, ok := c.TLSConnectionState(); !ok || !st.HandshakeComplete {
		t.Fatal("no TLS after STARTTLS")
	}
	if err := c.Mail("ana@pelanggan.test"); err != nil {
		t.Fatal(err)
	}
	if err := c.Rcpt(sup); err != nil {
		t.Fatal(err)
	}
	w, err := c.Data()
	if err != nil {
		t.Fatal(err)
	}
	_, _ = w.Write([]byte("From: Ana <ana@pelanggan.test>\r\nTo: " + sup + "\r\nSubject: over TLS\r\nMessage-ID: <tls-1@pelanggan.test>\r\n\r\nHalo.\r\n"))
	if err := w.Close(); err != nil {
		t.Fatalf("the message was not accepted: %v", err)
	}
	var n int
	if err := a.DB.R.QueryRowContext(context.Background(), `SELECT count(*) FROM tickets WHERE subject = 'over TLS'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("tickets from the TLS message: %d, %v", n, err)
	}
}

// selfSigned makes a throwaway certificate for host and a pool trusting it.
func selfSigned(t *testing.T, host string) (certPEM, keyPEM []byte, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: host}, DNSNames: []string{host},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), pool
}
