package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"layan/internal/ticket"
)

// On the ticket page an agent follows a ticket, adds a colleague and a CC,
// and starts a side conversation; the third party answers through the
// mailed link (a form with its own token); the agent is notified; the
// customer sees none of it.
func TestCollaborationOnTheTicketPage(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Paket hilang", "Tolong")
	if _, err := e.collab.Process(ctx); err != nil {
		t.Fatal(err)
	}
	agent := e.login(e.w.Agent)
	base := "/agent/tickets/" + itoa(tk.ID)
	page := e.get(agent, base).Body.String()
	wantContains(t, page, `id="collab"`, `id="follow-form"`, `action="`+base+`/side"`)

	wantStatus(t, e.post(agent, base+"/followers", url.Values{}), http.StatusSeeOther)
	wantStatus(t, e.post(agent, base+"/followers", url.Values{"user_id": {itoa(e.w.Admin.UserID)}}), http.StatusSeeOther)
	wantStatus(t, e.post(agent, base+"/followers", url.Values{"user_id": {itoa(e.w.Bob.UserID)}}), http.StatusUnprocessableEntity)
	wantStatus(t, e.post(agent, base+"/ccs", url.Values{"email": {"bob@example.test"}}), http.StatusSeeOther)
	rec := e.post(agent, base+"/ccs", url.Values{"email": {"not-an-address"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `flash-error`)
	p, _ := e.collab.Participants(ctx, e.w.Agent, tk.ID)
	if len(p.Followers) != 2 || len(p.CCs) != 1 {
		t.Fatalf("participants = %+v", p)
	}
	page = e.get(agent, base).Body.String()
	if strings.Contains(page, `id="follow-form"`) {
		t.Error("the follow button shows to a follower")
	}

	// Side conversation: bad input refused, then sent by mail with its link.
	wantStatus(t, e.post(agent, base+"/side", url.Values{"to": {"gudang"}, "body": {"x"}}), http.StatusUnprocessableEntity)
	wantStatus(t, e.post(agent, base+"/side", url.Values{"to": {"gudang@example.com"}, "body": {"Mohon cek paket NUS-7"}}), http.StatusSeeOther)
	m, ok := e.mail.Last()
	if !ok || m.To != "gudang@example.com" {
		t.Fatalf("mail = %+v", m)
	}
	i := strings.Index(m.Text, "https://help.example.com/portal/side/")
	if i < 0 {
		t.Fatalf("no link in %q", m.Text)
	}
	link := strings.TrimSpace(strings.TrimPrefix(m.Text[i:], "https://help.example.com"))
	pe := &portalEnv{env: e.env}
	af := pe.openForm(link)
	if !strings.Contains(af.page, "Mohon cek paket NUS-7") || strings.Contains(af.page, "Tolong") {
		t.Fatal("the third party's page shows the wrong things")
	}
	pe.submit(af, link, url.Values{"body": {""}}).want(t, http.StatusUnprocessableEntity)
	r := e.do(anonymous, http.MethodPost, link, strings.NewReader(url.Values{"body": {"x"}}.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	if r.Code != http.StatusForbidden {
		t.Fatalf("reply without the form token: %d", r.Code)
	}
	pe.submit(af, link, url.Values{"body": {"Paket ditemukan di rak B"}}).want(t, http.StatusSeeOther)
	wantStatus(t, e.get(anonymous, link+"x"), http.StatusNotFound)

	// The agent sees the reply on the ticket and in the notifications.
	page = e.get(agent, base).Body.String()
	wantContains(t, page, "Paket ditemukan di rak B", "gudang@example.com")
	notes := e.get(agent, "/agent/notifications").Body.String()
	wantContains(t, notes, "/agent/notifications/read", "Paket ditemukan")

	// An internal note mentioning the admin notifies them once.
	priv := false
	if _, err := e.w.Tickets.Update(ctx, e.w.Agent, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "@admin@layan.test cek ini", Public: &priv}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.collab.Process(ctx); err != nil {
		t.Fatal(err)
	}
	ns, _ := e.collab.Notifications(ctx, e.w.Admin, true, 10)
	if len(ns) != 1 || ns[0].Kind != "mention" {
		t.Fatalf("admin notifications = %+v", ns)
	}
	rec = e.post(e.login(e.w.Admin), "/agent/notifications/read", url.Values{"id": {itoa(ns[0].ID)}, "ticket_id": {itoa(tk.ID)}})
	wantStatus(t, rec, http.StatusSeeOther)
	if rec.Header().Get("Location") != base {
		t.Fatalf("opened %q", rec.Header().Get("Location"))
	}

	// The customer: no panel, no side conversation.
	portal := e.get(e.login(e.w.Alice), "/portal/requests/"+itoa(tk.ID)).Body.String()
	if strings.Contains(portal, "NUS-7") || strings.Contains(portal, "rak B") || strings.Contains(portal, `id="collab"`) {
		t.Fatal("the customer sees the side conversation")
	}
	wantStatus(t, e.post(e.login(e.w.Alice), base+"/side", url.Values{"to": {"x@example.com"}, "body": {"x"}}), http.StatusForbidden)
}
