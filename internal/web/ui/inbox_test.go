package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"layan/internal/search"
)

func TestInboxViewsCountsFiltersAndBulkActions(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	var ids []int64
	for _, s := range []string{"Alpha parcel", "Bravo refund", "Charlie login"} {
		e.w.Clock.Advance(time.Second)
		ids = append(ids, e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, s, "x").ID)
	}
	e.w.Clock.Advance(time.Second)
	billing := e.w.NewTicket(t, e.w.Bob, e.w.Billing.ID, "Delta invoice", "x")
	agent := e.login(e.w.Agent)

	page := e.get(agent, "/agent/views/all-open")
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	wantContains(t, body, "Alpha parcel", "Bravo refund", "Charlie login", "Delta invoice", "4 tickets",
		`href="/agent/views/group-`+itoa(e.w.Billing.ID)+`"`)
	// Newest first by default.
	if strings.Index(body, "Delta invoice") > strings.Index(body, "Alpha parcel") {
		t.Fatal("the view is not sorted by last update, newest first")
	}
	// Filter by group, oldest first.
	page = e.get(agent, "/agent/views/all-open?group="+itoa(e.w.Support.ID)+"&order=asc")
	body = page.Body.String()
	if strings.Contains(body, "Delta invoice") || strings.Index(body, "Alpha parcel") > strings.Index(body, "Charlie login") {
		t.Fatal("group filter or ascending order not applied")
	}
	wantContains(t, body, "3 tickets")
	wantStatus(t, e.get(agent, "/agent/views/no-such-view"), http.StatusNotFound)

	// Bulk: assign two tickets to me, set pending, tag them.
	rec := e.post(agent, "/agent/bulk", url.Values{"ids": {itoa(ids[0]), itoa(ids[1])}, "bulk_assignee": {"me"},
		"bulk_status": {"pending"}, "bulk_tag": {"vip"}, "back": {"/agent/views/all-open"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "bulk_ok=2") || !strings.HasPrefix(loc, "/agent/views/all-open?") {
		t.Fatalf("bulk redirect %q", loc)
	}
	for _, id := range ids[:2] {
		got, _ := e.w.Tickets.Get(ctx, e.w.Agent, id)
		if got.AssigneeID != e.w.Agent.UserID || got.Status != "pending" || !slices.Contains(got.Tags, "vip") {
			t.Fatalf("ticket %d after bulk: %+v", id, got)
		}
	}
	wantContains(t, e.get(agent, "/agent/views/my-open?bulk_ok=2").Body.String(), "Alpha parcel", "Bravo refund", "2 tickets updated.")
	if strings.Contains(e.get(agent, "/agent/views/my-open").Body.String(), "Delta invoice") {
		t.Fatal("my open tickets shows someone else's ticket")
	}
	_ = billing
}

func TestInboxPagesThroughLongViews(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 120; i++ {
		e.w.Clock.Advance(time.Second)
		e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Ticket number "+itoa(int64(i)), "x")
	}
	agent := e.login(e.w.Agent)
	body := e.get(agent, "/agent/views/all-open").Body.String()
	if n := strings.Count(body, "<tr data-row"); n != 50 {
		t.Fatalf("first page has %d rows, want 50", n)
	}
	wantContains(t, body, "Ticket number 119", "120 tickets", `rel="next"`)
	next := hrefOf(t, body, `rel="next"`)
	body = e.get(agent, next).Body.String()
	wantContains(t, body, "Ticket number 69", `rel="prev"`, `rel="next"`)
	if strings.Contains(body, "Ticket number 70<") {
		t.Fatal("second page repeats the first")
	}
	prev := hrefOf(t, body, `rel="prev"`)
	wantContains(t, e.get(agent, prev).Body.String(), "Ticket number 119")
}

// hrefOf finds the link carrying attr on a page.
func hrefOf(t *testing.T, body, attr string) string {
	t.Helper()
	i := strings.Index(body, attr)
	if i < 0 {
		t.Fatalf("no %s link", attr)
	}
	start := strings.LastIndex(body[:i], `href="`) + len(`href="`)
	end := start + strings.IndexByte(body[start:], '"')
	return strings.ReplaceAll(body[start:end], "&amp;", "&")
}

func TestSearchFindsTicketsAndCustomers(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Pengiriman terlambat", "Paket belum sampai di Jakarta")
	e.w.NewTicket(t, e.w.Bob, e.w.Support.ID, "Something else", "unrelated")
	agent := e.login(e.w.Agent)
	body := e.get(agent, "/agent/search?q="+url.QueryEscape("jakarta")).Body.String()
	wantContains(t, body, "Pengiriman terlambat", "1 result")
	if strings.Contains(body, "Something else") {
		t.Fatal("search shows a ticket that does not match")
	}
	body = e.get(agent, "/agent/search?q=alice").Body.String()
	wantContains(t, body, "/agent/customers/"+itoa(e.w.Alice.UserID), "alice@acme.test")
	body = e.get(agent, "/agent/search?q="+url.QueryEscape("#"+itoa(tk.ID))).Body.String()
	wantContains(t, body, `href="/agent/tickets/`+itoa(tk.ID)+`"`)
	body = e.get(agent, "/agent/search?q="+url.QueryEscape(`"unterminated`)).Body.String()
	wantContains(t, body, "This search could not be read.")
	// The parsed query goes to ticket.Service.Search with the agent's visibility.
	if _, err := search.Parse("status:open"); err != nil {
		t.Fatal(err)
	}
	wantContains(t, e.get(agent, "/agent/search?q="+url.QueryEscape("status<solved")).Body.String(), "2 results")
}
