package email_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/testkit"
)

func TestIMAPAgainstDovecot(t *testing.T) {
	dv := startDovecot(t)
	e := newEnv(t, testkit.NewDB(t, db.SQLite), email.Config{TLS: dv.tls, PollInterval: time.Hour, IdleTimeout: time.Minute})
	imapURL := dv.URL("imap", "INBOX", "") // STARTTLS
	if _, err := e.svc.UpdateAddress(e.ctx, e.Admin, e.addr.ID, email.AddressInput{IMAPURL: &imapURL}); err != nil {
		t.Fatal(err)
	}
	first := rawMail("--a\r\nContent-Type: text/plain\r\n\r\nPlease see the attachment.\r\n--a\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; filename=\"orders.csv\"\r\n\r\nid,total\r\n1,100\r\n--a--\r\n",
		"From: Bob <bob@example.test>", "To: support@layan.test", "Subject: Orders", "Message-ID: <imap-1@example.test>",
		`Content-Type: multipart/mixed; boundary="a"`)
	second := rawMail("Another question.", "From: alice@acme.test", "To: support@layan.test", "Subject: Hours", "Message-ID: <imap-2@example.test>")
	reply := rawMail("More about the orders.\n\nOn Mon, Bob wrote:\n> Please see the attachment.", "From: bob@example.test",
		"To: support@layan.test", "Subject: Re: Orders", "Message-ID: <imap-3@example.test>", "In-Reply-To: <imap-1@example.test>")
	dv.deliver(t, first, second, reply)

	n, err := e.svc.PollOnce(e.ctx, e.addr.ID)
	if err != nil || n != 3 {
		t.Fatalf("poll: %d messages, %v", n, err)
	}
	// Messages of a batch are ingested several at a time, so ticket numbers
	// follow the commits, not the mailbox: find the tickets by subject.
	bySubject := func(subject string) int64 {
		var id int64
		if err := e.DB.R.QueryRow(`SELECT id FROM tickets WHERE subject = $1`, subject).Scan(&id); err != nil {
			t.Fatalf("ticket %q: %v", subject, err)
		}
		return id
	}
	orders, hours := bySubject("Orders"), bySubject("Hours")
	t1 := e.ticket(t, orders)
	if t1.Via != "email" || t1.RequesterID != e.Bob.UserID {
		t.Fatalf("ticket Orders %+v", t1)
	}
	cs := e.comments(t, orders)
	if len(cs) != 2 || len(cs[0].Attachments) != 1 || cs[0].Attachments[0].FileName != "orders.csv" || cs[1].Body != "More about the orders." {
		t.Fatalf("ticket Orders comments %+v", cs)
	}
	if e.ticket(t, hours).RequesterID != e.Alice.UserID {
		t.Fatal("ticket Hours requester")
	}
	for i, fl := range dv.flags(t, "INBOX") {
		if !slices.Contains(fl, imap.FlagSeen) || !slices.Contains(fl, imap.Flag("$LayanIngested")) {
			t.Fatalf("message %d flags %v", i+1, fl)
		}
	}
	// Flagged messages are not fetched again.
	if n, err := e.svc.PollOnce(e.ctx, e.addr.ID); err != nil || n != 0 {
		t.Fatalf("second poll: %d, %v", n, err)
	}

	// A crash after the commit but before the flags: the messages are
	// fetched again and each still makes one comment.
	c := dv.client(t)
	if _, err := c.Select("INBOX", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	if err := c.Store(imap.SeqSetNum(1, 2, 3), &imap.StoreFlags{Op: imap.StoreFlagsDel, Flags: []imap.Flag{"$LayanIngested", imap.FlagSeen}}, nil).Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := e.svc.PollOnce(e.ctx, e.addr.ID); err != nil || n != 3 {
		t.Fatalf("re-fetch: %d, %v", n, err)
	}
	var comments int
	_ = e.DB.R.QueryRow(`SELECT count(*) FROM comments`).Scan(&comments)
	if comments != 3 {
		t.Fatalf("%d comments after a re-fetch, want 3", comments)
	}

	// Plain text (no TLS) and implicit TLS, and moving instead of flagging.
	if err := c.Create("Processed", nil).Wait(); err != nil {
		t.Fatal(err)
	}
	for i, u := range []string{dv.URL("imap", "INBOX", "tls=none"), dv.URL("imaps", "INBOX", "move=Processed")} {
		if _, err := e.svc.UpdateAddress(e.ctx, e.Admin, e.addr.ID, email.AddressInput{IMAPURL: &u}); err != nil {
			t.Fatal(err)
		}
		id := "<imap-tls-" + fmtInt(int64(i)) + "@example.test>"
		dv.deliver(t, rawMail("Via "+u[:5], "From: carol@acme.test", "To: support@layan.test", "Subject: TLS "+fmtInt(int64(i)), "Message-ID: "+id))
		if n, err := e.svc.PollOnce(e.ctx, e.addr.ID); err != nil || n != 1 {
			t.Fatalf("%s: %d, %v", email.RedactURL(u), n, err)
		}
	}
	if left := len(dv.flags(t, "INBOX")); left != 4 {
		t.Fatalf("INBOX has %d messages, want 4 (one moved)", left)
	}
	if moved := dv.flags(t, "Processed"); len(moved) != 1 {
		t.Fatalf("Processed has %d messages", len(moved))
	}

	// The running poller waits with IDLE and picks new mail up at once.
	u := dv.URL("imap", "INBOX", "")
	if _, err := e.svc.UpdateAddress(e.ctx, e.Admin, e.addr.ID, email.AddressInput{IMAPURL: &u}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(e.ctx)
	done := make(chan struct{})
	go func() { e.svc.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	time.Sleep(500 * time.Millisecond) // let it connect and start IDLE
	dv.deliver(t, rawMail("Pushed by IDLE.", "From: idle@example.test", "To: support@layan.test", "Subject: idle", "Message-ID: <idle-1@example.test>"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		_ = e.DB.R.QueryRow(`SELECT count(*) FROM tickets WHERE subject = 'idle'`).Scan(&n)
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("IDLE did not deliver the new message")
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Wrong password: a clear error, and the password is not in it.
	bad := strings.Replace(dv.URL("imap", "INBOX", ""), "word", "wrong", 1)
	if _, err := e.svc.UpdateAddress(e.ctx, e.Admin, e.addr.ID, email.AddressInput{IMAPURL: &bad}); err != nil {
		t.Fatal(err)
	}
	_, err = e.svc.PollOnce(e.ctx, e.addr.ID)
	if err == nil || strings.Contains(err.Error(), "wrong") || strings.Contains(err.Error(), dv.pass) {
		t.Fatalf("bad login error %v", err)
	}
}
