package ui_test

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"layan/internal/i18n"
	"layan/internal/ticket"
)

func TestAgentRepliesAndTheStaleReplyIsRefused(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Order 42 missing", "It never arrived.")
	agent := e.login(e.w.Agent)
	target := "/agent/tickets/" + itoa(tk.ID)

	page := e.get(agent, target)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body.String(), "Order 42 missing", "It never arrived.", "Submit as Pending", `dir="auto"`, "<bdi")
	base := stamp(t, page.Body.String())

	// The customer writes while the agent is typing.
	e.w.Clock.Advance(2 * time.Second)
	if _, err := e.w.Tickets.Update(ctx, e.w.Alice, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "Any news?"}}); err != nil {
		t.Fatal(err)
	}
	rec := e.post(agent, target, url.Values{"body": {"It ships tomorrow."}, "visibility": {"public"},
		"submit_status": {"pending"}, "updated_stamp": {base}})
	wantStatus(t, rec, http.StatusConflict)
	warn := template.HTMLEscapeString(i18n.T("en", "reply.stale", "name", "Alice"))
	wantContains(t, rec.Body.String(), warn, "Any news?", ">It ships tomorrow.</textarea>")
	cs, _ := e.w.Tickets.Comments(ctx, e.w.Agent, tk.ID, 0, 100)
	if len(cs) != 2 {
		t.Fatalf("the stale reply was saved: %d comments", len(cs))
	}

	// Sent again from the refreshed page, it goes through.
	e.w.Clock.Advance(2 * time.Second)
	rec = e.post(agent, target, url.Values{"body": {"It ships tomorrow."}, "visibility": {"public"},
		"submit_status": {"pending"}, "updated_stamp": {stamp(t, rec.Body.String())}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != target+"?done=reply" {
		t.Fatalf("redirect %q", loc)
	}
	got, _ := e.w.Tickets.Get(ctx, e.w.Agent, tk.ID)
	if got.Status != "pending" {
		t.Fatalf("status %s, want pending", got.Status)
	}
	cs, _ = e.w.Tickets.Comments(ctx, e.w.Agent, tk.ID, 0, 100)
	if last := cs[len(cs)-1]; last.Body != "It ships tomorrow." || !last.Public || last.AuthorID != e.w.Agent.UserID {
		t.Fatalf("last comment %+v", last)
	}
	wantContains(t, e.get(agent, target+"?done=reply").Body.String(), "Your reply has been sent.")
}

func TestFieldsInternalNoteAndAttachment(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Invoice", "Wrong VAT number")
	agent := e.login(e.w.Agent)
	target := "/agent/tickets/" + itoa(tk.ID)
	base := stamp(t, e.get(agent, target).Body.String())
	rec := e.postMultipart(agent, target, url.Values{"body": {"Finance checks this"}, "visibility": {"internal"},
		"status": {"hold"}, "priority": {"high"}, "type": {"task"}, "assignee_id": {itoa(e.w.Agent.UserID)},
		"group_id": {itoa(e.w.Support.ID)}, "tags": {"vat invoice"}, "language": {"id"}, "updated_stamp": {base}}, "scan.txt", "VAT 123")
	wantStatus(t, rec, http.StatusSeeOther)
	got, _ := e.w.Tickets.Get(ctx, e.w.Agent, tk.ID)
	if got.Status != "hold" || got.Priority != "high" || got.Type != "task" || got.AssigneeID != e.w.Agent.UserID ||
		strings.Join(got.Tags, " ") != "vat invoice" || got.Language != "id" {
		t.Fatalf("fields not saved: %+v", got)
	}
	cs, _ := e.w.Tickets.Comments(ctx, e.w.Agent, tk.ID, 0, 100)
	last := cs[len(cs)-1]
	if last.Public || len(last.Attachments) != 1 || last.Attachments[0].FileName != "scan.txt" {
		t.Fatalf("note %+v", last)
	}
	page := e.get(agent, target).Body.String()
	wantContains(t, page, "comment-internal", "/attachments/token/"+last.Attachments[0].Token+"/", "scan.txt",
		`<option value="id" selected>`)
	// The customer never sees the note.
	cs, _ = e.w.Tickets.Comments(ctx, e.w.Alice, tk.ID, 0, 100)
	for _, c := range cs {
		if c.Body == "Finance checks this" {
			t.Fatal("customer sees the internal note")
		}
	}
}

func TestSidePanelShowsTheCustomersHistory(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	first := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Earlier question by email", "x")
	if _, err := e.w.Tickets.Create(ctx, e.w.Agent, ticket.NewTicket{Subject: "Chat about delivery", RequesterID: e.w.Alice.UserID,
		Via: "chat", Comment: ticket.NewComment{Body: "hi"}}); err != nil {
		t.Fatal(err)
	}
	cur := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Current problem", "y")
	owner := e.w.Agent.UserID
	if _, err := e.w.Dir.UpdateOrganization(ctx, e.w.Admin, e.w.Acme.ID, orgOwner(owner)); err != nil {
		t.Fatal(err)
	}
	page := e.get(e.login(e.w.Agent), "/agent/tickets/"+itoa(cur.ID)).Body.String()
	wantContains(t, page, "Earlier question by email", "Chat about delivery", "/agent/tickets/"+itoa(first.ID),
		"alice@acme.test", "Acme", "Account owner", ">Agent</bdi>")
	cust := e.get(e.login(e.w.Agent), "/agent/customers/"+itoa(e.w.Alice.UserID))
	wantStatus(t, cust, http.StatusOK)
	wantContains(t, cust.Body.String(), "Earlier question by email", "Chat about delivery", "Current problem")
}
