package email_test

import (
	"strconv"
	"strings"
	"sync"
	"testing"

	"layan/internal/auth"
	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/mail"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func TestNewMessageOpensTicketWithFollowersAndAutoReply(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{})
		r := e.ingest(t, rawMail("Halo, pesanan saya belum sampai.\n\n-- \nBudi\nPT Maju", "From: Budi Santoso <Budi@Example.com>",
			"To: support@layan.test", "Cc: Rina <rina@example.com>, support@layan.test", "Subject: Pesanan belum sampai",
			"Message-ID: "+msgID()))
		wantStatus(t, r, email.StatusIngested)
		tk := e.ticket(t, r.TicketID)
		if tk.Via != "email" || tk.Subject != "Pesanan belum sampai" || tk.GroupID != e.Support.ID || tk.Status != "new" {
			t.Fatalf("ticket %+v", tk)
		}
		u, err := e.Dir.GetUser(e.ctx, auth.SystemActor(), tk.RequesterID)
		if err != nil || u.Email != "budi@example.com" || u.Name != "Budi Santoso" || u.Role != auth.RoleEndUser {
			t.Fatalf("requester %+v %v", u, err)
		}
		cs := e.comments(t, tk.ID)
		if len(cs) != 1 || cs[0].Body != "Halo, pesanan saya belum sampai." || cs[0].Via != "email" || r.CommentID != cs[0].ID {
			t.Fatalf("comments %+v (result %+v)", cs, r)
		}
		f, err := e.svc.Followers(e.ctx, e.Admin, tk.ID)
		if err != nil || len(f) != 1 {
			t.Fatalf("followers %v %v", f, err)
		}
		rina, _ := e.Dir.UserByEmail(e.ctx, auth.SystemActor(), "rina@example.com")
		if f[0] != rina.ID {
			t.Fatalf("follower %d, want rina %d", f[0], rina.ID)
		}
		if q := e.queued(t); len(q) != 1 || !strings.Contains(q[0], `"kind":"received"`) {
			t.Fatalf("queued %v", q)
		}
	})
}

// replyTo sends the agent reply notification through the fallback recorder
// and returns the mail the customer got.
func (e *env) agentReply(t *testing.T, rec *mail.Recorder, ticketID int64, body string) mail.Message {
	t.Helper()
	rec.Reset()
	if _, err := e.Tickets.Update(e.ctx, e.Agent, ticketID, ticket.Patch{Comment: &ticket.NewComment{Body: body}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.NotifyNow(e.ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SendNow(e.ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range rec.Messages() {
		if strings.Contains(m.Text, body) {
			return m
		}
	}
	t.Fatalf("no mail with %q among %d", body, len(rec.Messages()))
	return mail.Message{}
}

func TestThreading(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		rec := &mail.Recorder{}
		e := newEnv(t, d, email.Config{Fallback: rec})
		first := msgID()
		r := e.ingest(t, rawMail("My invoice is wrong.", "From: alice@acme.test", "To: support@layan.test", "Subject: Invoice", "Message-ID: "+first))
		wantStatus(t, r, email.StatusIngested)
		tid := r.TicketID
		sent := e.agentReply(t, rec, tid, "Which invoice number?")
		ourID := strings.Trim(sent.Headers["Message-ID"], "<>")
		if ourID == "" || sent.Headers["In-Reply-To"] != first {
			t.Fatalf("reply headers %v (want In-Reply-To %s)", sent.Headers, first)
		}
		if _, err := e.Tickets.Update(e.ctx, e.Agent, tid, ticket.Patch{Status: ptr("pending")}); err != nil {
			t.Fatal(err)
		}

		// 1. In-Reply-To our Message-ID: same ticket, pending → open.
		r = e.ingest(t, rawMail("INV-2026-001\n\nOn Mon, Support wrote:\n> Which invoice number?", "From: Alice <alice@acme.test>",
			"To: support@layan.test", "Subject: Re: Invoice", "Message-ID: "+msgID(), "In-Reply-To: <"+ourID+">"))
		if r.TicketID != tid || e.ticket(t, tid).Status != "open" {
			t.Fatalf("reply by In-Reply-To went to %d (want %d), status %s", r.TicketID, tid, e.ticket(t, tid).Status)
		}
		cs := e.comments(t, tid)
		if last := cs[len(cs)-1]; last.Body != "INV-2026-001" || last.AuthorID != e.Alice.UserID {
			t.Fatalf("last comment %+v", last)
		}

		// 2. References only (In-Reply-To missing).
		r = e.ingest(t, rawMail("Also this.", "From: alice@acme.test", "To: support@layan.test", "Subject: Re: Invoice",
			"Message-ID: "+msgID(), "References: <unrelated@x.test> <"+ourID+">"))
		if r.TicketID != tid {
			t.Fatalf("reply by References went to %d, want %d", r.TicketID, tid)
		}

		// 3. Reply token in the address, no headers.
		tok := e.svc.ThreadToken(tid)
		if tok == "" || !strings.Contains(sent.Headers["Message-ID"], "@layan.test") {
			t.Fatalf("token %q, message-id %q", tok, sent.Headers["Message-ID"])
		}
		r, err := e.svc.Ingest(e.ctx, email.Inbound{Raw: rawMail("By token.", "From: alice@acme.test", "To: support+"+tok+"@layan.test",
			"Subject: something else", "Message-ID: "+msgID()), Source: "smtp", Rcpts: []string{"support+" + tok + "@layan.test"}})
		if err != nil || r.TicketID != tid {
			t.Fatalf("reply by token went to %d (%v), want %d", r.TicketID, err, tid)
		}

		// 4. A ticket number in the subject alone never threads.
		r = e.ingest(t, rawMail("Subject only.", "From: alice@acme.test", "To: support@layan.test",
			"Subject: Re: [Layan] Request #"+itoa(tid)+" Invoice", "Message-ID: "+msgID()))
		if r.TicketID == tid || r.TicketID == 0 {
			t.Fatalf("subject-only reply went to %d", r.TicketID)
		}

		// 5. A reply to a closed ticket opens a follow-up.
		closed := "closed"
		if _, err := e.Tickets.Update(e.ctx, e.Admin, tid, ticket.Patch{Status: &closed}); err != nil {
			t.Fatal(err)
		}
		r = e.ingest(t, rawMail("Again?", "From: alice@acme.test", "To: support@layan.test", "Subject: Re: Invoice",
			"Message-ID: "+msgID(), "In-Reply-To: <"+ourID+">"))
		if r.TicketID == tid || r.Status != email.StatusIngested || !strings.Contains(r.Reason, "follow-up") {
			t.Fatalf("reply to closed ticket: %+v", r)
		}
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func fmtInt(i int64) string { return strconv.FormatInt(i, 10) }

// The Ticket Trick: someone who learns a reply address or a Message-ID must
// not get into the conversation.
func TestSpoofedRepliesDoNotEnterTicket(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		rec := &mail.Recorder{}
		e := newEnv(t, d, email.Config{Fallback: rec})
		r := e.ingest(t, rawMail("Reset my account.", "From: alice@acme.test", "Cc: carol@acme.test", "To: support@layan.test",
			"Subject: Account", "Message-ID: "+msgID()))
		tid := r.TicketID
		sent := e.agentReply(t, rec, tid, "Done, here is your reset code 1234.")
		ourID := strings.Trim(sent.Headers["Message-ID"], "<>")
		tok := e.svc.ThreadToken(tid)

		// A stranger replying by token or by Message-ID gets a new ticket.
		for _, h := range [][]string{
			{"To: support+" + tok + "@layan.test"},
			{"To: support@layan.test", "In-Reply-To: <" + ourID + ">"},
		} {
			r := e.ingest(t, rawMail("let me in", append([]string{"From: mallory@evil.test", "Subject: Re: Account",
				"Message-ID: " + msgID()}, h...)...))
			if r.TicketID == tid || !strings.Contains(r.Reason, "not a participant") {
				t.Fatalf("stranger's reply %v: %+v", h, r)
			}
		}
		// Followers (CC'd on the first mail) and staff may reply.
		r = e.ingest(t, rawMail("Thanks from Carol.", "From: carol@acme.test", "To: support@layan.test", "Subject: Re: Account",
			"Message-ID: "+msgID(), "In-Reply-To: <"+ourID+">"))
		if r.TicketID != tid {
			t.Fatalf("follower's reply went to %d", r.TicketID)
		}
		r = e.ingest(t, rawMail("Agent by mail.", "From: agent@layan.test", "To: support@layan.test", "Subject: Re: Account",
			"Message-ID: "+msgID(), "In-Reply-To: <"+ourID+">"))
		if r.TicketID != tid {
			t.Fatalf("agent's reply went to %d", r.TicketID)
		}
		cs := e.comments(t, tid)
		if cs[len(cs)-1].AuthorID != e.Agent.UserID || !cs[len(cs)-1].Public {
			t.Fatalf("agent's mail comment %+v", cs[len(cs)-1])
		}

		// With "hold", a stranger's reply waits for approval, then enters.
		if _, err := e.svc.UpdateAddress(e.ctx, e.Admin, e.addr.ID, email.AddressInput{UnknownReply: ptr("hold")}); err != nil {
			t.Fatal(err)
		}
		before := len(e.comments(t, tid))
		r = e.ingest(t, rawMail("I am Alice's colleague.", "From: dave@acme.test", "To: support@layan.test", "Subject: Re: Account",
			"Message-ID: "+msgID(), "In-Reply-To: <"+ourID+">"))
		wantStatus(t, r, email.StatusHeld)
		if r.TicketID != tid || len(e.comments(t, tid)) != before {
			t.Fatalf("held message: %+v", r)
		}
		held, err := e.svc.ListMessages(e.ctx, e.Agent, email.MessageFilter{Status: email.StatusHeld})
		if err != nil || len(held) != 1 || held[0].ID != r.ID {
			t.Fatalf("held list %+v %v", held, err)
		}
		if _, err := e.svc.Approve(e.ctx, e.Alice, r.ID); err == nil {
			t.Fatal("a customer approved a held message")
		}
		a, err := e.svc.Approve(e.ctx, e.Agent, r.ID)
		if err != nil || a.Status != email.StatusIngested || a.TicketID != tid || len(e.comments(t, tid)) != before+1 {
			t.Fatalf("approve: %+v %v", a, err)
		}
	})
}

func TestDuplicateDeliveryMakesOneComment(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{})
		withID := rawMail("Once.", "From: bob@example.test", "To: support@layan.test", "Subject: Dup", "Message-ID: <dup-1@example.test>")
		noID := rawMail("No id.", "From: bob@example.test", "To: support@layan.test", "Subject: Dup 2")
		r1 := e.ingest(t, withID)
		// The same Message-ID through IMAP, with a Received header added on the way.
		r2, err := e.svc.Ingest(e.ctx, email.Inbound{Raw: append([]byte("Received: from mx by imap\r\n"), withID...), Source: "imap",
			AddressID: e.addr.ID})
		if err != nil || !r2.Duplicate || r2.TicketID != r1.TicketID {
			t.Fatalf("second delivery %+v %v", r2, err)
		}
		r3 := e.ingest(t, noID)
		r4 := e.ingest(t, noID)
		if !r4.Duplicate || r4.TicketID != r3.TicketID {
			t.Fatalf("no-id duplicate %+v", r4)
		}
		var n int
		_ = d.R.QueryRow(`SELECT count(*) FROM comments WHERE via_channel = 'email'`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d comments, want 2", n)
		}
	})
}

func TestLoopRulesSuppressAutoReplies(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{AutoReplyLimit: 2})
		cases := []struct {
			name    string
			headers []string
			ingest  string // expected status
		}{
			{"auto-submitted", []string{"From: ooo@example.test", "Auto-Submitted: auto-replied"}, email.StatusIngested},
			{"precedence bulk", []string{"From: news@example.test", "Precedence: bulk"}, email.StatusIngested},
			{"precedence junk", []string{"From: junk@example.test", "Precedence: junk"}, email.StatusIngested},
			{"list-id", []string{"From: list@example.test", "List-Id: <users.example.test>"}, email.StatusIngested},
			{"noreply", []string{"From: no-reply@shop.example.test"}, email.StatusIngested},
			{"x-auto-response-suppress", []string{"From: exch@example.test", "X-Auto-Response-Suppress: All"}, email.StatusIngested},
			{"our own address", []string{"From: support@layan.test"}, email.StatusIgnored},
			{"our own plus address", []string{"From: support+abc@layan.test"}, email.StatusIgnored},
		}
		for _, c := range cases {
			r := e.ingest(t, rawMail("hello", append([]string{"To: support@layan.test", "Subject: " + c.name, "Message-ID: " + msgID()}, c.headers...)...))
			if r.Status != c.ingest {
				t.Errorf("%s: status %s (%s)", c.name, r.Status, r.Reason)
			}
		}
		if q := e.queued(t); len(q) != 0 {
			t.Fatalf("auto-replies queued for automatic mail: %v", q)
		}
		// Auto-Submitted: no is a person: answered. The per-sender limit stops the third.
		for i := range 3 {
			e.ingest(t, rawMail("hi", "From: human@example.test", "To: support@layan.test", "Auto-Submitted: no",
				"Subject: question "+fmtInt(int64(i)), "Message-ID: "+msgID()))
		}
		if q := e.queued(t); len(q) != 2 {
			t.Fatalf("%d auto-replies for 3 mails with a limit of 2", len(q))
		}
	})
}

func TestBounceAttachesToTicketAndStopsMail(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		rec := &mail.Recorder{}
		e := newEnv(t, d, email.Config{Fallback: rec})
		r := e.ingest(t, rawMail("Help.", "From: gone@example.test", "To: support@layan.test", "Subject: Help", "Message-ID: "+msgID()))
		tid := r.TicketID
		sent := e.agentReply(t, rec, tid, "What do you need?")
		ourID := sent.Headers["Message-ID"]
		dsn := rawMail(`--b
Content-Type: text/plain

Your message could not be delivered.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.test

Final-Recipient: rfc822; gone@example.test
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 user unknown

--b
Content-Type: message/rfc822

From: support@layan.test
To: gone@example.test
Subject: Re: Help
Message-ID: `+ourID+`

What do you need?
--b--
`, "From: Mail Delivery System <MAILER-DAEMON@mx.example.test>", "To: support@layan.test", "Subject: Undelivered Mail Returned to Sender",
			"Message-ID: "+msgID(), "Auto-Submitted: auto-replied", `Content-Type: multipart/report; report-type=delivery-status; boundary="b"`)
		r, err := e.svc.Ingest(e.ctx, email.Inbound{Raw: dsn, Source: "smtp", Rcpts: []string{"support@layan.test"}, NullSender: true})
		if err != nil {
			t.Fatal(err)
		}
		wantStatus(t, r, email.StatusBounce)
		if r.TicketID != tid {
			t.Fatalf("bounce attached to %d, want %d (%s)", r.TicketID, tid, r.Reason)
		}
		cs := e.comments(t, tid)
		note := cs[len(cs)-1]
		if note.Public || !strings.Contains(note.Body, "gone@example.test") || !strings.Contains(note.Body, "user unknown") {
			t.Fatalf("bounce note %+v", note)
		}
		if b, _ := e.svc.Bounced(e.ctx, e.Agent, "gone@example.test"); !b {
			t.Fatal("address not flagged")
		}
		// No ticket from the bounce, and no more mail to the flagged address.
		var n int
		_ = d.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&n)
		if n != 1 {
			t.Fatalf("%d tickets", n)
		}
		rec.Reset()
		if _, err := e.Tickets.Update(e.ctx, e.Agent, tid, ticket.Patch{Comment: &ticket.NewComment{Body: "Still there?"}}); err != nil {
			t.Fatal(err)
		}
		_, _ = e.svc.NotifyNow(e.ctx)
		_, _ = e.svc.SendNow(e.ctx)
		if len(rec.Messages()) != 0 {
			t.Fatalf("mail sent to a bounced address: %+v", rec.Messages())
		}
	})
}

// The same message delivered by several sessions at once (an MTA retrying
// over a slow link, IMAP and SMTP both): one ticket, every delivery
// acknowledged, all but one as a duplicate.
func TestConcurrentDuplicateDeliveries(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, email.Config{})
		for _, raw := range [][]byte{
			rawMail("At once.", "From: bob@example.test", "To: support@layan.test", "Subject: Race", "Message-ID: <race-1@example.test>"),
			rawMail("At once, no id.", "From: bob@example.test", "To: support@layan.test", "Subject: Race 2"),
		} {
			const n = 8
			results := make([]email.Result, n)
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					results[i], errs[i] = e.svc.Ingest(e.ctx, email.Inbound{Raw: raw, Source: "smtp", Rcpts: []string{"support@layan.test"}})
				}()
			}
			wg.Wait()
			firsts := 0
			for i, r := range results {
				if errs[i] != nil {
					t.Fatalf("delivery %d: %v", i, errs[i])
				}
				if !r.Duplicate {
					firsts++
				}
				if r.TicketID == 0 || r.TicketID != results[0].TicketID {
					t.Fatalf("delivery %d: %+v, first %+v", i, r, results[0])
				}
			}
			if firsts != 1 {
				t.Fatalf("%d deliveries were not duplicates, want 1", firsts)
			}
		}
		var tickets, comments, msgs int
		_ = d.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&tickets)
		_ = d.R.QueryRow(`SELECT count(*) FROM comments WHERE via_channel = 'email'`).Scan(&comments)
		_ = d.R.QueryRow(`SELECT count(*) FROM email_messages`).Scan(&msgs)
		if tickets != 2 || comments != 2 || msgs != 2 {
			t.Fatalf("%d tickets, %d comments, %d messages; want 2 each", tickets, comments, msgs)
		}
	})
}
