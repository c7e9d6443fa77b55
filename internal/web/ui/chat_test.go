package ui_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/testkit"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// newChatEnv is newEnv with live chat set up (a workspace key for the demo page).
func newChatEnv(t *testing.T, key string) *env {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), ChatWorkspace: func(context.Context) (string, error) { return key, nil }})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &env{t: t, w: w, pages: pages, h: h}
}

// The chat desk is for staff: anonymous visitors sign in first, customers get 403.
func TestChatDeskIsStaffOnly(t *testing.T) {
	e := newEnv(t)
	rec := e.get(anonymous, "/agent/chat")
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); !strings.HasPrefix(loc, "/login?next=") {
		t.Fatalf("anonymous redirected to %q", loc)
	}
	wantStatus(t, e.get(e.login(e.w.Alice), "/agent/chat"), http.StatusForbidden)

	rec = e.get(e.login(e.w.Agent), "/agent/chat")
	wantStatus(t, rec, http.StatusOK)
	page := rec.Body.String()
	for _, want := range []string{`id="chat-queue"`, `id="chat-panes"`, `id="chat-presence"`, "/js/chat.js",
		`value="group:` + itoa(e.w.Billing.ID) + `"`, `value="agent:` + itoa(e.w.Admin.UserID) + `"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the chat desk lacks %s", want)
		}
	}
	// Transfer goes to someone else: the agent is not offered themselves.
	if strings.Contains(page, `value="agent:`+itoa(e.w.Agent.UserID)+`"`) {
		t.Error("the agent is offered a transfer to themselves")
	}
}

// The Persian desk is right-to-left and in Persian.
func TestChatDeskInPersian(t *testing.T) {
	e := newEnv(t)
	fa := "fa"
	if _, err := e.w.Dir.UpdateUser(context.Background(), e.w.Agent, e.w.Agent.UserID, directory.UserPatch{Locale: &fa}); err != nil {
		t.Fatal(err)
	}
	rec := e.get(e.login(e.w.Agent), "/agent/chat")
	wantStatus(t, rec, http.StatusOK)
	page := rec.Body.String()
	if !strings.Contains(page, `dir="rtl"`) || !strings.Contains(page, "گفتگوی زنده") {
		t.Fatal("the Persian chat desk is not right-to-left Persian")
	}
}

// The demo page is a public stand-in site with the widget tag on it, in the
// language asked for; the workspace key is escaped like any other value.
func TestChatDemoPage(t *testing.T) {
	e := newChatEnv(t, `wk"<x>`)
	rec := e.get(anonymous, "/chat/demo?lang=fa")
	wantStatus(t, rec, http.StatusOK)
	page := rec.Body.String()
	if !strings.Contains(page, `<script src="/widget.js" data-workspace="wk&#34;&lt;x&gt;" data-lang="fa"`) {
		t.Fatalf("no widget tag with the escaped key on the demo page:\n%s", page)
	}
	if !strings.Contains(page, `<html lang="fa" dir="rtl">`) {
		t.Error("the Persian demo page is not right-to-left")
	}
	if strings.Contains(page, `wk"<x>`) {
		t.Error("the workspace key is not escaped")
	}

	// Without chat set up the page says so, and has no widget.
	rec = newEnv(t).get(anonymous, "/chat/demo")
	wantStatus(t, rec, http.StatusOK)
	if strings.Contains(rec.Body.String(), "/widget.js") || !strings.Contains(rec.Body.String(), "not set up") {
		t.Fatal("the demo page without chat offers a widget")
	}
}

// /widget.js is public, JavaScript, and loadable from other sites.
func TestWidgetScriptIsServed(t *testing.T) {
	e := newEnv(t)
	rec := e.get(anonymous, "/widget.js", "Accept-Encoding", "gzip")
	wantStatus(t, rec, http.StatusOK)
	h := rec.Header()
	if !strings.HasPrefix(h.Get("Content-Type"), "text/javascript") || h.Get("Content-Encoding") != "gzip" ||
		h.Get("Cross-Origin-Resource-Policy") != "cross-origin" {
		t.Fatalf("widget.js headers: %v", h)
	}
}
