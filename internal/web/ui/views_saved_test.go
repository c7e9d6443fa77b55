package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/testkit"
	"layan/internal/views"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// newViewsEnv is newEnv with the saved-views service.
func newViewsEnv(t testing.TB) (*env, *views.Service) {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	vs := views.NewService(d, w.Clock.Now)
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, Views: vs})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &env{t: t, w: w, pages: pages, h: h}, vs
}

var savedLinkRE = regexp.MustCompile(`^/agent/views/saved-(\d+)$`)

func TestSavedViewsInTheInbox(t *testing.T) {
	e, vs := newViewsEnv(t)
	ctx := context.Background()
	for _, s := range []string{"Alpha parcel", "Bravo refund"} {
		e.w.Clock.Advance(time.Second)
		e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, s, "x")
	}
	e.w.Clock.Advance(time.Second)
	e.w.NewTicket(t, e.w.Bob, e.w.Billing.ID, "Delta invoice", "x")
	agent := e.login(e.w.Agent)

	// The inbox offers the form, with the current filter.
	page := e.get(agent, "/agent/views/all-open?group="+itoa(e.w.Support.ID)+"&order=asc")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body.String(), `action="/agent/saved-views"`, `<label for="sv-name">`,
		`name="group" value="`+itoa(e.w.Support.ID)+`"`)
	if strings.Contains(page.Body.String(), `name="shared"`) {
		t.Fatal("an agent is offered to share a view")
	}

	form := url.Values{"name": {"Support, oldest first"}, "view": {"all-open"}, "group": {itoa(e.w.Support.ID)}, "order": {"asc"}}
	// Without the CSRF token: refused.
	noCSRF := url.Values{"csrf_token": {""}}
	for k, v := range form {
		noCSRF[k] = v
	}
	wantStatus(t, e.post(agent, "/agent/saved-views", noCSRF), http.StatusForbidden)
	// An agent may not share.
	shared := url.Values{"shared": {"1"}}
	for k, v := range form {
		shared[k] = v
	}
	wantStatus(t, e.post(agent, "/agent/saved-views", shared), http.StatusForbidden)

	rec := e.post(agent, "/agent/saved-views", form)
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	m := savedLinkRE.FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("redirect %q", loc)
	}
	list, _ := vs.List(ctx, e.w.Agent)
	if len(list) != 1 || list[0].Filter != "group="+itoa(e.w.Support.ID)+"&order=asc&sort=updated_at" {
		t.Fatalf("saved %+v", list)
	}

	// Opening it shows the filtered tickets, oldest first; it is listed with its count.
	page = e.get(agent, loc)
	wantStatus(t, page, http.StatusOK)
	body := page.Body.String()
	wantContains(t, body, "Support, oldest first", "Alpha parcel", "Bravo refund", "2 tickets",
		`href="`+loc+`" aria-current="page"`, `action="/agent/saved-views/`+m[1]+`/delete"`)
	if strings.Contains(body, "Delta invoice") || strings.Index(body, "Alpha parcel") > strings.Index(body, "Bravo refund") {
		t.Fatal("the saved view's filter or order is not applied")
	}
	if !regexp.MustCompile(`href="` + loc + `"[^>]*>\s*<span class="view-name" dir="auto">Support, oldest first</span><span class="count">2</span>`).MatchString(body) {
		t.Fatal("the saved view is not listed with its count")
	}
	// Listed from another view too.
	wantContains(t, e.get(agent, "/agent/views/my-open").Body.String(), `href="`+loc+`"`)

	// Saving from a fixed view keeps what it fixes.
	rec = e.post(agent, "/agent/saved-views", url.Values{"name": {"Mine"}, "view": {"my-open"}})
	wantStatus(t, rec, http.StatusSeeOther)
	list, _ = vs.List(ctx, e.w.Agent)
	if len(list) != 2 || list[0].Name != "Mine" || !strings.Contains(list[0].Filter, "assignee=me") {
		t.Fatalf("saved from my-open %+v", list)
	}

	// Another agent cannot see, open or delete it.
	other := e.login(e.w.Restricted)
	if strings.Contains(e.get(other, "/agent/views/all-open").Body.String(), loc) {
		t.Fatal("another agent sees a personal view")
	}
	wantStatus(t, e.get(other, loc), http.StatusNotFound)
	wantStatus(t, e.post(other, "/agent/saved-views/"+m[1]+"/delete", nil), http.StatusNotFound)

	// An admin shares one; the agent sees it but may not delete it.
	admin := e.login(e.w.Admin)
	wantContains(t, e.get(admin, "/agent/views/all-open").Body.String(), `name="shared"`)
	rec = e.post(admin, "/agent/saved-views", url.Values{"name": {"Billing queue"}, "view": {"group-" + itoa(e.w.Billing.ID)}, "shared": {"1"}})
	wantStatus(t, rec, http.StatusSeeOther)
	sharedLoc := rec.Header().Get("Location")
	sm := savedLinkRE.FindStringSubmatch(sharedLoc)
	if sm == nil {
		t.Fatalf("redirect %q", sharedLoc)
	}
	page = e.get(agent, sharedLoc)
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body.String(), "Delta invoice", "1 ticket")
	if strings.Contains(page.Body.String(), "/delete\"") {
		t.Fatal("an agent is offered to delete a shared view")
	}
	wantStatus(t, e.post(agent, "/agent/saved-views/"+sm[1]+"/delete", nil), http.StatusForbidden)

	// Customers are refused.
	wantStatus(t, e.post(e.login(e.w.Alice), "/agent/saved-views", url.Values{"name": {"x"}, "view": {"all-open"}}), http.StatusForbidden)
	// Bad input: unknown view, empty name.
	wantStatus(t, e.post(agent, "/agent/saved-views", url.Values{"name": {"x"}, "view": {"nope"}}), http.StatusNotFound)
	wantStatus(t, e.post(agent, "/agent/saved-views", url.Values{"name": {" "}, "view": {"all-open"}}), http.StatusUnprocessableEntity)

	// Deleting: CSRF missing → 403; then the owner deletes it.
	wantStatus(t, e.post(agent, "/agent/saved-views/"+m[1]+"/delete", url.Values{"csrf_token": {""}}), http.StatusForbidden)
	rec = e.post(agent, "/agent/saved-views/"+m[1]+"/delete", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	wantStatus(t, e.get(agent, loc), http.StatusNotFound)
	if strings.Contains(e.get(agent, "/agent/views/all-open").Body.String(), loc) {
		t.Fatal("a deleted view is still listed")
	}
	// The admin deletes the shared one.
	wantStatus(t, e.post(admin, "/agent/saved-views/"+sm[1]+"/delete", nil), http.StatusSeeOther)
}
