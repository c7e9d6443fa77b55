package email_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"io"
	"net"
	netsmtp "net/smtp"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"
	"github.com/jhillyerd/enmime"

	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func startListener(t *testing.T, e *env) string {
	t.Helper()
	l, err := e.svc.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = l.Serve() }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = l.Shutdown(ctx)
	})
	return l.Addr()
}

func TestSMTPListenerWithNetSMTP(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{MaxMessageBytes: 64 << 10})
		addr := startListener(t, e)
		raw := rawMail("Sent with net/smtp.", "From: Bob <bob@example.test>", "To: support@layan.test", "Subject: via net/smtp",
			"Message-ID: <netsmtp-1@example.test>")
		if err := netsmtp.SendMail(addr, nil, "bob@example.test", []string{"support@layan.test"}, raw); err != nil {
			t.Fatal(err)
		}
		ts, _ := e.Tickets.ShowMany(e.ctx, e.Admin, []int64{1})
		if len(ts) != 1 || ts[0].Subject != "via net/smtp" || ts[0].Via != "email" || ts[0].RequesterID != e.Bob.UserID {
			t.Fatalf("tickets %+v", ts)
		}
		// Unknown recipients are refused at RCPT; oversized messages at DATA.
		err := netsmtp.SendMail(addr, nil, "bob@example.test", []string{"nobody@layan.test"}, raw)
		if err == nil || !strings.Contains(err.Error(), "550") {
			t.Fatalf("unknown recipient: %v", err)
		}
		big := rawMail(strings.Repeat(strings.Repeat("x", 70)+"\n", 1500), "From: bob@example.test", "To: support@layan.test", "Subject: big")
		err = netsmtp.SendMail(addr, nil, "bob@example.test", []string{"support@layan.test"}, big)
		if err == nil || !strings.Contains(err.Error(), "552") {
			t.Fatalf("oversized: %v", err)
		}
		// SMTP retry of the same message: accepted, nothing new.
		if err := netsmtp.SendMail(addr, nil, "bob@example.test", []string{"support@layan.test"}, raw); err != nil {
			t.Fatal(err)
		}
		var n int
		_ = d.R.QueryRow(`SELECT count(*) FROM comments`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d comments after a retried delivery", n)
		}
	})
}

func TestSMTPListenerWithSwaks(t *testing.T) {
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		t.Skip("swaks is not installed (apt-get install swaks)")
	}
	e := newEnv(t, testkit.NewDB(t, db.SQLite), email.Config{})
	addr := startListener(t, e)
	host, port, _ := net.SplitHostPort(addr)
	out, err := exec.Command(swaks, "--server", host, "--port", port, "--from", "carol@acme.test", "--to", "support@layan.test",
		"--header", "Subject: =?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte("سلام از swaks"))+"?=",
		"--header", "Message-ID: <swaks-1@acme.test>", "--body", "Body sent by swaks.", "--attach-type", "text/csv",
		"--attach-name", "orders.csv", "--attach", "@-", "--hide-all").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	tk := e.ticket(t, 1)
	if tk.Subject != "سلام از swaks" || tk.RequesterID != e.Carol.UserID {
		t.Fatalf("ticket %+v", tk)
	}
	cs := e.comments(t, 1)
	if !strings.Contains(cs[0].Body, "Body sent by swaks.") {
		t.Fatalf("comment %+v", cs[0])
	}
	// Unknown recipient: swaks reports the 550.
	out, _ = exec.Command(swaks, "--server", host, "--port", port, "--from", "carol@acme.test", "--to", "other@layan.test",
		"--body", "x").CombinedOutput()
	if !strings.Contains(string(out), "550") {
		t.Fatalf("swaks to an unknown address:\n%s", out)
	}
}

// sink is an SMTP server that keeps what it receives.
type sink struct {
	mu   sync.Mutex
	msgs [][]byte
	rcpt [][]string
	addr string
}

func startSink(t *testing.T) *sink {
	t.Helper()
	k := &sink{}
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &sinkSession{k: k}, nil }))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	return k
}

type sinkSession struct {
	k    *sink
	rcpt []string
}

func (s *sinkSession) Reset()                               { s.rcpt = nil }
func (s *sinkSession) Logout() error                        { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.rcpt = append(s.rcpt, to)
	return nil
}
func (s *sinkSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.k.mu.Lock()
	s.k.msgs = append(s.k.msgs, b)
	s.k.rcpt = append(s.k.rcpt, s.rcpt)
	s.k.mu.Unlock()
	return err
}

func (k *sink) all() [][]byte {
	k.mu.Lock()
	defer k.mu.Unlock()
	return append([][]byte{}, k.msgs...)
}

func TestOutboundThroughSMTPWithDKIMAndRTL(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{})
		k := startSink(t)
		pub, priv, _ := ed25519.GenerateKey(rand.Reader)
		der, _ := x509.MarshalPKCS8PrivateKey(priv)
		key := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
		if _, err := e.svc.UpdateAddress(e.ctx, e.Admin, e.addr.ID, email.AddressInput{SMTPURL: ptr("smtp://127.0.0.1:" +
			k.addr[strings.LastIndex(k.addr, ":")+1:] + "?tls=none"), DKIMSelector: ptr("s1"), DKIMKey: &key, Locale: ptr("fa")}); err != nil {
			t.Fatal(err)
		}
		// A Persian-speaking customer writes; an agent replies.
		r := e.ingest(t, rawMail("سلام، سفارشم کجاست؟", "From: Reza <reza@example.ir>", "To: support@layan.test",
			"Cc: sara@example.ir", "Subject: سفارش", "Message-ID: <fa-1@example.ir>"))
		if _, err := e.Tickets.Update(e.ctx, e.Agent, r.TicketID, ticket.Patch{Comment: &ticket.NewComment{Body: "در راه است <script>x</script>"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.NotifyNow(e.ctx); err != nil {
			t.Fatal(err)
		}
		if n, err := e.svc.SendNow(e.ctx); err != nil || n != 2 {
			t.Fatalf("sent %d jobs: %v", n, err)
		}
		msgs := k.all()
		if len(msgs) != 2 {
			t.Fatalf("sink got %d messages", len(msgs))
		}
		lookup := func(string) ([]string, error) {
			return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}
		for i, raw := range msgs {
			vs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{LookupTXT: lookup})
			if err != nil || len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "layan.test" {
				t.Fatalf("message %d: DKIM %v %+v", i, err, vs)
			}
		}
		env, err := enmime.ReadEnvelope(bytes.NewReader(msgs[0]))
		if err != nil {
			t.Fatal(err)
		}
		if env.GetHeader("Auto-Submitted") != "auto-replied" || env.GetHeader("X-Auto-Response-Suppress") != "All" ||
			!strings.Contains(env.GetHeader("In-Reply-To"), "fa-1@example.ir") || env.GetHeader("Content-Language") != "fa" {
			t.Fatalf("auto-reply headers: %v", env.Root.Header)
		}
		reply, err := enmime.ReadEnvelope(bytes.NewReader(msgs[1]))
		if err != nil {
			t.Fatal(err)
		}
		tok := e.svc.ThreadToken(r.TicketID)
		if !strings.Contains(reply.GetHeader("Reply-To"), "support+"+tok+"@layan.test") ||
			!strings.Contains(reply.GetHeader("References"), "fa-1@example.ir") || !strings.Contains(reply.GetHeader("Cc"), "sara@example.ir") ||
			!strings.HasPrefix(reply.GetHeader("Message-Id"), "<layan.replied.") {
			t.Fatalf("reply headers: %v", reply.Root.Header)
		}
		if !strings.Contains(reply.HTML, `dir="rtl"`) || !strings.Contains(reply.HTML, "در راه است") || strings.Contains(reply.HTML, "<script>") ||
			!strings.Contains(reply.Text, "در راه است") || !strings.Contains(reply.Text, "سلام، سفارشم کجاست؟") {
			t.Fatalf("reply body:\n%s\n%s", reply.HTML, reply.Text)
		}
		// The customer's reply to our reply threads into the ticket.
		r2 := e.ingest(t, rawMail("ممنون", "From: reza@example.ir", "To: support+"+tok+"@layan.test", "Subject: Re",
			"Message-ID: <fa-2@example.ir>", "In-Reply-To: "+reply.GetHeader("Message-Id")))
		if r2.TicketID != r.TicketID {
			t.Fatalf("reply went to %d", r2.TicketID)
		}
	})
}
