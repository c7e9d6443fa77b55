package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestRootSendsEachRoleHome(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		s    session
		want string
	}{
		{"anonymous", anonymous, "/login"},
		{"agent", e.login(e.w.Agent), "/agent"},
		{"light agent", e.login(e.w.Light), "/agent"},
		{"customer", e.login(e.w.Alice), "/portal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := e.get(tc.s, "/")
			wantStatus(t, rec, http.StatusSeeOther)
			if got := rec.Header().Get("Location"); got != tc.want {
				t.Fatalf("redirect to %q, want %q", got, tc.want)
			}
		})
	}
	wantStatus(t, e.get(e.login(e.w.Agent), "/agent"), http.StatusSeeOther)
	wantStatus(t, e.get(e.login(e.w.Alice), "/portal"), http.StatusOK)
	wantStatus(t, e.get(anonymous, "/portal"), http.StatusSeeOther)
	wantStatus(t, e.get(anonymous, "/no/such/page"), http.StatusNotFound)
	if rec := e.get(anonymous, "/api/v2/no_such_thing"); !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		t.Fatalf("unknown API path answered %q, want JSON", rec.Header().Get("Content-Type"))
	}
}

// Staff pages: customers get 403, anonymous visitors the sign-in page with a
// way back.
func TestAgentPagesAreStaffOnly(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Printer on fire", "Help")
	paths := []string{"/agent/views/all-open", "/agent/tickets/" + itoa(tk.ID), "/agent/search?q=printer",
		"/agent/customers/" + itoa(e.w.Alice.UserID), "/agent/shortcuts", "/agent/tickets/" + itoa(tk.ID) + "/live",
		"/agent/live"}
	customer := e.login(e.w.Alice)
	for _, p := range paths {
		rec := e.get(customer, p)
		wantStatus(t, rec, http.StatusForbidden)
		if !strings.Contains(rec.Body.String(), `href="/portal"`) {
			t.Errorf("%s: the 403 page does not offer the portal", p)
		}
		rec = e.get(anonymous, p)
		if p == "/agent/live" || strings.HasSuffix(p, "/live") {
			continue // EventSource requests are GETs too; they get the redirect as well
		}
		wantStatus(t, rec, http.StatusSeeOther)
		if loc := rec.Header().Get("Location"); loc != "/login?next="+url.QueryEscape(p) {
			t.Errorf("%s: anonymous redirect to %q", p, loc)
		}
	}
	// Customers cannot change tickets through the page handlers either.
	rec := e.post(customer, "/agent/tickets/"+itoa(tk.ID), url.Values{"body": {"hi"}})
	wantStatus(t, rec, http.StatusForbidden)
	rec = e.post(customer, "/agent/bulk", url.Values{"ids": {itoa(tk.ID)}, "bulk_status": {"solved"}})
	wantStatus(t, rec, http.StatusForbidden)
}

// A restricted agent sees only their groups' tickets; others are 404, as in the API.
func TestRestrictedAgentCannotOpenOtherGroupsTickets(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Support only", "x")
	wantStatus(t, e.get(e.login(e.w.Restricted), "/agent/tickets/"+itoa(tk.ID)), http.StatusNotFound)
	wantStatus(t, e.get(e.login(e.w.Agent), "/agent/tickets/"+itoa(tk.ID)), http.StatusOK)
}

func TestUnsafeRequestsNeedTheCSRFToken(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "CSRF", "x")
	agent := e.login(e.w.Agent)
	for _, target := range []string{"/agent/tickets/" + itoa(tk.ID), "/agent/bulk", "/logout", "/lang",
		"/agent/tickets/" + itoa(tk.ID) + "/presence"} {
		rec := e.post(agent, target, url.Values{"csrf_token": {""}, "body": {"forged"}, "lang": {"fa"}})
		wantStatus(t, rec, http.StatusForbidden)
		rec = e.post(agent, target, url.Values{"csrf_token": {"wrong"}, "body": {"forged"}})
		wantStatus(t, rec, http.StatusForbidden)
	}
	// A browser posting a stale form gets a page that explains, not JSON.
	rec := e.post(agent, "/agent/tickets/"+itoa(tk.ID), url.Values{"csrf_token": {"stale"}}, "Accept", "text/html")
	wantStatus(t, rec, http.StatusForbidden)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Fatalf("content type %q, want a page", ct)
	}
	wantContains(t, rec.Body.String(), "This form has expired")
	cs, _ := e.w.Tickets.Comments(context.Background(), e.w.Agent, tk.ID, 0, 100)
	if len(cs) != 1 {
		t.Fatalf("a forged request added a comment: %d comments", len(cs))
	}
}

// Light agents (other teams) add internal notes only, whatever the form says,
// and cannot change fields or bulk-edit.
func TestLightAgentAddsOnlyInternalNotes(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Parcel", "Where is it?")
	light := e.login(e.w.Light)
	page := e.get(light, "/agent/tickets/"+itoa(tk.ID))
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	if strings.Contains(body, `id="vis-public"`) || strings.Contains(body, `name="submit_status"`) {
		t.Fatal("a light agent is offered a public reply or a status change")
	}
	rec := e.post(light, "/agent/tickets/"+itoa(tk.ID), url.Values{"body": {"Checked the warehouse"},
		"visibility": {"public"}, "submit_status": {"solved"}, "priority": {"urgent"}, "updated_stamp": {stamp(t, body)}})
	wantStatus(t, rec, http.StatusSeeOther)
	cs, err := e.w.Tickets.Comments(ctx, e.w.Agent, tk.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	last := cs[len(cs)-1]
	if last.Body != "Checked the warehouse" || last.Public {
		t.Fatalf("light agent's comment = %q public=%v, want an internal note", last.Body, last.Public)
	}
	got, _ := e.w.Tickets.Get(ctx, e.w.Agent, tk.ID)
	if got.Status == "solved" || got.Priority == "urgent" {
		t.Fatalf("light agent changed fields: status %s priority %s", got.Status, got.Priority)
	}
	rec = e.post(light, "/agent/bulk", url.Values{"ids": {itoa(tk.ID)}, "bulk_status": {"solved"}, "back": {"/agent/views/all-open"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); !strings.Contains(loc, "bulk_failed=1") {
		t.Fatalf("light agent's bulk action: %q, want it refused", loc)
	}
}

func TestEveryPageHasTheContentSecurityPolicy(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "CSP", "x")
	agent := e.login(e.w.Agent)
	want := "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; " +
		"base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
	for _, tc := range []struct {
		s    session
		path string
	}{{anonymous, "/login"}, {anonymous, "/nope"}, {agent, "/agent/views/my-open"}, {agent, "/agent/tickets/" + itoa(tk.ID)},
		{agent, "/agent/search?q=csp"}, {e.login(e.w.Alice), "/agent/views/my-open"}, {e.login(e.w.Alice), "/portal"}} {
		rec := e.get(tc.s, tc.path)
		if got := rec.Header().Get("Content-Security-Policy"); got != want {
			t.Errorf("%s: CSP %q", tc.path, got)
		}
		if b := rec.Body.String(); strings.Contains(b, "<script>") || strings.Contains(b, " onclick=") || strings.Contains(b, "style=\"") {
			t.Errorf("%s: inline script, handler or style in the page", tc.path)
		}
	}
}
