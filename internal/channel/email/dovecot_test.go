package email_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-smtp"
)

// dovecot is a throwaway Dovecot (IMAP + LMTP) started from a config in a
// temp dir, without systemd, and stopped by its pid.
type dovecot struct {
	dir                       string
	imapAddr, imapsAddr, lmtp string
	user, pass                string
	tls                       *tls.Config // trusts the throwaway certificate
	cmd                       *exec.Cmd
}

func freePort(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func dovecotBinary() string {
	if p, err := exec.LookPath("dovecot"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/dovecot"); err == nil {
		return "/usr/sbin/dovecot"
	}
	return ""
}

func startDovecot(t testing.TB) *dovecot {
	t.Helper()
	bin := dovecotBinary()
	if bin == "" {
		t.Skip("dovecot is not installed (apt-get install dovecot-imapd dovecot-lmtpd)")
	}
	if _, err := os.Stat("/usr/lib/dovecot/lmtp"); err != nil {
		t.Skip("dovecot-lmtpd is not installed")
	}
	dir, err := os.MkdirTemp("", "dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	_ = os.Chmod(dir, 0o755)
	// Mail processes may not run as root: use nobody then, else ourselves.
	uid, gid := os.Getuid(), os.Getgid()
	extra := ""
	if uid == 0 {
		if u, err := user.Lookup("nobody"); err == nil {
			fmt.Sscan(u.Uid, &uid)
			fmt.Sscan(u.Gid, &gid)
		}
	} else {
		me, _ := user.Current()
		extra = fmt.Sprintf("default_internal_user = %s\ndefault_login_user = %s\ndefault_internal_group = %s\n", me.Username, me.Username, me.Username)
	}
	home := filepath.Join(dir, "home")
	if err := os.MkdirAll(home, 0o755); err != nil {
		t.Fatal(err)
	}
	_ = os.Chown(home, uid, gid)
	d := &dovecot{dir: dir, imapAddr: freePort(t), imapsAddr: freePort(t), lmtp: freePort(t), user: "desk@layan.test", pass: "s3cret@pass/word"}
	certPEM, keyPEM := selfSigned(t)
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	d.tls = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	write := func(name string, data []byte, mode os.FileMode) {
		if err := os.WriteFile(filepath.Join(dir, name), data, mode); err != nil {
			t.Fatal(err)
		}
	}
	write("cert.pem", certPEM, 0o644)
	write("key.pem", keyPEM, 0o600)
	write("passwd", []byte(d.user+":{PLAIN}"+d.pass+"::::::\n"), 0o644)
	port := func(a string) string { _, p, _ := net.SplitHostPort(a); return p }
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
listen = 127.0.0.1
protocols = imap lmtp
ssl = yes
ssl_cert = <%[1]s/cert.pem
ssl_key = <%[1]s/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:%[1]s/home/%%n/Maildir
first_valid_uid = 1
%[7]s
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[2]d gid=%[3]d home=%[1]s/home/%%n
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[4]s
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = %[5]s
    ssl = yes
  }
}
service lmtp {
  inet_listener lmtp {
    address = 127.0.0.1
    port = %[6]s
  }
}
`, dir, uid, gid, port(d.imapAddr), port(d.imapsAddr), port(d.lmtp), extra)
	write("dovecot.conf", []byte(conf), 0o644)
	d.cmd = exec.Command(bin, "-F", "-c", filepath.Join(dir, "dovecot.conf"))
	out := &strings.Builder{}
	d.cmd.Stdout, d.cmd.Stderr = out, out
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(d.cmd.Process.Pid, syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = d.cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", d.imapAddr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("dovecot did not start: %v\n%s\n%s", err, out, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

func selfSigned(t testing.TB) (certPEM, keyPEM []byte) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "dovecot test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kd, _ := x509.MarshalECPrivateKey(key)
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kd})
}

// URL is the IMAP setting for the mailbox: scheme imap or imaps, query extra.
func (d *dovecot) URL(scheme, folder, query string) string {
	addr := d.imapAddr
	if scheme == "imaps" {
		addr = d.imapsAddr
	}
	u := url.URL{Scheme: scheme, User: url.UserPassword(d.user, d.pass), Host: addr, Path: "/" + folder, RawQuery: query}
	return u.String()
}

// deliver hands messages to Dovecot over LMTP, as an MTA would.
func (d *dovecot) deliver(t testing.TB, msgs ...[]byte) {
	t.Helper()
	conn, err := net.Dial("tcp", d.lmtp)
	if err != nil {
		t.Fatal(err)
	}
	c := smtp.NewClientLMTP(conn)
	defer c.Close()
	if err := c.Hello("test.local"); err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		if err := c.SendMail("sender@example.test", []string{d.user}, strings.NewReader(string(m))); err != nil {
			t.Fatalf("lmtp: %v", err)
		}
	}
	_ = c.Quit()
}

// client is our own IMAP session to inspect the mailbox.
func (d *dovecot) client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialStartTLS(d.imapAddr, &imapclient.Options{TLSConfig: d.tls})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(d.user, d.pass).Wait(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// flags returns the flags of every message in folder, by UID order.
func (d *dovecot) flags(t testing.TB, folder string) [][]imap.Flag {
	t.Helper()
	c := d.client(t)
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seqRange(sel.NumMessages)...), &imap.FetchOptions{Flags: true, UID: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var out [][]imap.Flag
	for _, m := range msgs {
		out = append(out, m.Flags)
	}
	return out
}

func seqRange(n uint32) []uint32 {
	var out []uint32
	for i := uint32(1); i <= n; i++ {
		out = append(out, i)
	}
	return out
}
