package collab_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/collab"
	"layan/internal/db"
	"layan/internal/mail"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func note(t *testing.T, w *testkit.World, a auth.Actor, ticketID int64, body string, public bool) {
	t.Helper()
	if _, err := w.Tickets.Update(context.Background(), a, ticketID, ticket.Patch{Comment: &ticket.NewComment{Body: body, Public: &public}}); err != nil {
		t.Fatal(err)
	}
}

func kinds(ns []collab.Notification) []string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Kind)
	}
	return out
}

func TestMentionsParse(t *testing.T) {
	for text, want := range map[string][]string{
		"@Dewi tolong cek":                      {"dewi"},
		"cc @dewi@layan.test and @Tom.":         {"dewi@layan.test", "tom"},
		"email budi@example.com is not a @ ":    nil,
		"(@مریم) لطفا ببینید @مریم":             {"مریم"},
		"@DewiLestari, @dewilestari again":      {"dewilestari"},
		"price@10 and x@y, but @agent-2 counts": {"agent-2"},
	} {
		if got := collab.Mentions(text); !slices.Equal(got, want) {
			t.Errorf("Mentions(%q) = %q, want %q", text, got, want)
		}
	}
}

// Followers, CCs, mentions and notifications, on both engines.
func TestCollaboration(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		var sent mail.Recorder
		s := collab.NewService(d, w.Tickets, w.Dir, w.Bus, w.Clock.Now, testkit.QuietLogger())
		s.Mail, s.BaseURL = &sent, "https://help.example.com"
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Paket hilang", "Tolong")
		if _, err := s.Process(ctx); err != nil { // the reader keeps up: the opening message is read before anyone follows
			t.Fatal(err)
		}
		admin, _ := w.Dir.GetUser(ctx, w.Admin, w.Admin.UserID)
		agent, _ := w.Dir.GetUser(ctx, w.Admin, w.Agent.UserID)

		// Followers: staff who can read the ticket; customers cannot follow or list.
		if err := s.Follow(ctx, w.Agent, tk.ID, w.Admin.UserID); err != nil {
			t.Fatal(err)
		}
		if err := s.Follow(ctx, w.Agent, tk.ID, w.Admin.UserID); err != nil {
			t.Fatalf("following twice: %v", err)
		}
		if err := s.Follow(ctx, w.Agent, tk.ID, w.Bob.UserID); !isInvalid(err) {
			t.Fatalf("a customer as follower: %v", err)
		}
		if err := s.Follow(ctx, w.Agent, tk.ID, w.Restricted.UserID); !isInvalid(err) {
			t.Fatalf("an agent who cannot see the ticket as follower: %v", err)
		}
		if err := s.Follow(ctx, w.Alice, tk.ID, w.Alice.UserID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the customer followed: %v", err)
		}
		if _, err := s.Participants(ctx, w.Alice, tk.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the customer listed participants: %v", err)
		}
		// CCs by address; the requester is not a CC.
		if _, err := s.AddCC(ctx, w.Agent, tk.ID, 0, "BOB@example.test"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AddCC(ctx, w.Agent, tk.ID, 0, "nobody@example.test"); !isInvalid(err) {
			t.Fatalf("CC of an unknown address: %v", err)
		}
		if _, err := s.AddCC(ctx, w.Agent, tk.ID, w.Alice.UserID, ""); !isInvalid(err) {
			t.Fatalf("requester as CC: %v", err)
		}
		if _, err := s.AddCC(ctx, w.Light, tk.ID, w.Carol.UserID, ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("a light agent added a CC: %v", err)
		}
		p, err := s.Participants(ctx, w.Agent, tk.ID)
		if err != nil || len(p.Followers) != 1 || p.Followers[0].ID != w.Admin.UserID || len(p.CCs) != 1 || p.CCs[0].ID != w.Bob.UserID {
			t.Fatalf("participants = %+v, %v", p, err)
		}

		// An internal note mentioning the agent by first name and the admin
		// (a follower) by address: each gets one notification; the author none.
		first, _, _ := strings.Cut(agent.Name, " ")
		note(t, w, w.Light, tk.ID, "@"+first+" dan @"+admin.Email+" tolong cek gudang", false)
		// A public reply: only the follower hears of it (the mention was an internal note only).
		note(t, w, w.Agent, tk.ID, "Kami sedang cek, @"+first, true)
		for range 2 {
			if _, err := s.Process(ctx); err != nil { // twice: a replay notifies nobody twice
				t.Fatal(err)
			}
		}
		an, _ := s.Notifications(ctx, w.Agent, false, 10)
		if !slices.Equal(kinds(an), []string{"mention"}) || an[0].TicketID != tk.ID || !strings.Contains(an[0].Excerpt, "gudang") {
			t.Fatalf("agent's notifications = %+v", an)
		}
		dn, _ := s.Notifications(ctx, w.Admin, false, 10)
		if !slices.Equal(kinds(dn), []string{"followed_update", "mention"}) {
			t.Fatalf("admin's notifications = %+v", dn)
		}
		if ln, _ := s.Notifications(ctx, w.Light, false, 10); len(ln) != 0 {
			t.Fatalf("the author was notified: %+v", ln)
		}
		// Mentions are mailed; followed updates are not.
		msgs := sent.Messages()
		if len(msgs) != 2 || !strings.Contains(msgs[0].Text, "https://help.example.com/agent/tickets/") {
			t.Fatalf("mails = %+v", msgs)
		}
		// Read one, then all; someone else's is not found.
		if n, _ := s.Unread(ctx, w.Admin); n != 2 {
			t.Fatalf("unread = %d", n)
		}
		if err := s.MarkRead(ctx, w.Agent, dn[0].ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("marked someone else's: %v", err)
		}
		if err := s.MarkRead(ctx, w.Admin, dn[0].ID); err != nil {
			t.Fatal(err)
		}
		if n, _ := s.Unread(ctx, w.Admin); n != 1 {
			t.Fatalf("unread after one = %d", n)
		}
		_ = s.MarkRead(ctx, w.Admin, 0)
		if n, _ := s.Unread(ctx, w.Admin); n != 0 {
			t.Fatalf("unread after all = %d", n)
		}
		// Unfollow: no more updates.
		if err := s.Unfollow(ctx, w.Admin, tk.ID, w.Admin.UserID); err != nil {
			t.Fatal(err)
		}
		note(t, w, w.Agent, tk.ID, "Sudah dikirim ulang", true)
		_, _ = s.Process(ctx)
		if dn, _ := s.Notifications(ctx, w.Admin, true, 10); len(dn) != 0 {
			t.Fatalf("notified after unfollowing: %+v", dn)
		}
	})
}

func isInvalid(err error) bool {
	_, ok := apperr.AsValidation(err)
	return ok
}

// A side conversation with the warehouse: staff see it, the customer does
// not; the third party answers through the link; closing stops replies.
func TestSideConversation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		var sent mail.Recorder
		s := collab.NewService(d, w.Tickets, w.Dir, w.Bus, w.Clock.Now, testkit.QuietLogger())
		s.Mail, s.BaseURL = &sent, "https://help.example.com"
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Paket hilang", "Tolong")

		for _, bad := range []struct{ to, body string }{{"not an address", "x"}, {"gudang@example.com", "  "}, {"a@b.c\r\nBcc: x@y.z", "x"}} {
			if _, err := s.StartSide(ctx, w.Agent, tk.ID, bad.to, "", bad.body); !isInvalid(err) {
				t.Fatalf("StartSide(%q, %q) = %v", bad.to, bad.body, err)
			}
		}
		if _, err := s.StartSide(ctx, w.Alice, tk.ID, "gudang@example.com", "", "x"); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the customer started one: %v", err)
		}
		c, err := s.StartSide(ctx, w.Agent, tk.ID, "Gudang <gudang@example.com>", "", "Mohon cek paket NUS-7")
		if err != nil {
			t.Fatal(err)
		}
		if c.Subject != "Paket hilang" || c.To != "gudang@example.com" || len(c.Messages) != 1 {
			t.Fatalf("conversation = %+v", c)
		}
		m, ok := sent.Last()
		if !ok || m.To != "gudang@example.com" || !strings.Contains(m.Text, "https://help.example.com/portal/side/") {
			t.Fatalf("mail = %+v", m)
		}
		token := m.Text[strings.Index(m.Text, "/side/")+len("/side/"):]
		token = strings.TrimSpace(token)

		// The customer's view of the ticket has no trace of it.
		cs, _ := w.Tickets.Comments(ctx, w.Alice, tk.ID, 0, 100)
		for _, cm := range cs {
			if strings.Contains(cm.Body, "NUS-7") {
				t.Fatal("the side conversation shows in the customer's conversation")
			}
		}
		if _, err := s.SideConversations(ctx, w.Alice, tk.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("the customer listed side conversations: %v", err)
		}
		if _, err := s.SideConversation(ctx, w.Restricted, c.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("an agent who cannot see the ticket read it: %v", err)
		}
		// The third party reads and answers; the starter is notified.
		th, err := s.External(ctx, token)
		if err != nil || th.Subject != "Paket hilang" || len(th.Messages) != 1 || th.Messages[0].Mine {
			t.Fatalf("external = %+v, %v", th, err)
		}
		if _, err := s.External(ctx, token+"x"); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("a wrong token: %v", err)
		}
		if err := s.ExternalReply(ctx, token, "Paket ditemukan, dikirim besok"); err != nil {
			t.Fatal(err)
		}
		ns, _ := s.Notifications(ctx, w.Agent, true, 10)
		if len(ns) != 1 || ns[0].Kind != "side_reply" {
			t.Fatalf("notifications = %+v", ns)
		}
		// Light agents (the other team) see and answer it too.
		if _, err := s.ReplySide(ctx, w.Light, c.ID, "Terima kasih"); err != nil {
			t.Fatal(err)
		}
		list, err := s.SideConversations(ctx, w.Light, tk.ID)
		if err != nil || len(list) != 1 || len(list[0].Messages) != 3 || list[0].Messages[1].From != "gudang@example.com" {
			t.Fatalf("list = %+v, %v", list, err)
		}
		if err := s.CloseSide(ctx, w.Agent, c.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.ExternalReply(ctx, token, "lagi"); !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("reply to a closed thread: %v", err)
		}
	})
}
