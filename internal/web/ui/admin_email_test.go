package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"layan/internal/blob"
	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/jobs"
	"layan/internal/testkit"
	"layan/internal/web"
	"layan/internal/web/ui"
)

func newEmailEnv(t *testing.T) (*env, *email.Service) {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	q := jobs.New(d, w.Clock.Now, testkit.QuietLogger())
	svc := email.New(d, w.Dir, w.Tickets, blobs, q, w.Bus, w.Clock.Now, testkit.QuietLogger(), email.Config{BaseURL: "https://help.layan.test"})
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, Email: svc})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &env{t: t, w: w, pages: pages, h: h}, svc
}

// An admin adds, edits and deletes a support address in the browser; the
// IMAP password is never shown and survives an edit; agents may not.
func TestAdminSupportAddresses(t *testing.T) {
	e, svc := newEmailEnv(t)
	ctx := context.Background()
	admin, agent := e.login(e.w.Admin), e.login(e.w.Agent)
	wantStatus(t, e.get(agent, "/admin/email"), http.StatusForbidden)
	wantStatus(t, e.post(agent, "/admin/email", url.Values{"email": {"x@layan.test"}}), http.StatusForbidden)
	wantContains(t, e.get(admin, "/admin/email").Body.String(), "Support addresses", `action="/admin/email"`)

	form := url.Values{"email": {"dukungan@toko.test"}, "name": {"Toko Dukungan"}, "group_id": {itoa(e.w.Support.ID)},
		"locale": {"id"}, "imap_url": {"imaps://dukungan:s3cret-pass@imap.toko.test:993/INBOX"}, "unknown_reply": {"hold"}, "active": {"1"}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("imap_url", "ftp://nope")
	rec := e.post(admin, "/admin/email", bad)
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `id="imap_url-error"`)
	if as, _ := svc.ListAddresses(ctx, e.w.Admin); len(as) != 0 {
		t.Fatalf("a refused form saved %d addresses", len(as))
	}
	rec = e.post(admin, "/admin/email", form)
	wantStatus(t, rec, http.StatusSeeOther)
	page := e.get(admin, rec.Header().Get("Location")).Body.String()
	wantContains(t, page, "dukungan@toko.test", "imap.toko.test")
	if strings.Contains(page, "s3cret-pass") {
		t.Fatal("the address page shows the IMAP password")
	}
	as, _ := svc.ListAddresses(ctx, e.w.Admin)
	if len(as) != 1 || as[0].Locale != "id" || as[0].UnknownReply != "hold" || as[0].GroupID != e.w.Support.ID {
		t.Fatalf("saved: %+v", as)
	}
	id := itoa(as[0].ID)
	// Saving the form as shown (redacted URL) keeps the password.
	edit := url.Values{"email": {"dukungan@toko.test"}, "name": {"Dukungan Toko"}, "group_id": {"0"}, "locale": {"fa"},
		"imap_url": {as[0].Redacted().IMAPURL}, "unknown_reply": {"new_ticket"}}
	wantStatus(t, e.post(admin, "/admin/email/"+id, edit), http.StatusSeeOther)
	got, _ := svc.GetAddress(ctx, e.w.Admin, as[0].ID)
	if !strings.Contains(got.IMAPURL, "s3cret-pass") || got.Locale != "fa" || got.Active || got.Name != "Dukungan Toko" {
		t.Fatalf("after the edit: %+v", got)
	}
	wantStatus(t, e.post(admin, "/admin/email/"+id+"/delete", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
	if as, _ := svc.ListAddresses(ctx, e.w.Admin); len(as) != 0 {
		t.Fatalf("%d addresses after delete", len(as))
	}
	wantStatus(t, e.get(admin, "/admin/email/"+id), http.StatusNotFound)
}

// A message that failed to parse waits in the agents' list, downloads raw,
// and retries; a held reply from a stranger is approved or rejected there;
// customers see none of it.
func TestEmailMessagesNeedingAttention(t *testing.T) {
	e, svc := newEmailEnv(t)
	ctx := context.Background()
	sup := "support@layan.test"
	if _, err := svc.AddAddress(ctx, e.w.Admin, email.AddressInput{Email: &sup, GroupID: &e.w.Support.ID, UnknownReply: ptrTo("hold")}); err != nil {
		t.Fatal(err)
	}
	res, err := svc.Ingest(ctx, email.Inbound{Source: "smtp", Rcpts: []string{sup}, Raw: []byte("Subject: no sender\r\n\r\nbody")})
	if err != nil || res.Status != email.StatusFailed {
		t.Fatalf("ingest: %+v, %v", res, err)
	}
	agent, alice := e.login(e.w.Agent), e.login(e.w.Alice)
	wantStatus(t, e.get(alice, "/agent/email/messages"), http.StatusForbidden)
	page := e.get(agent, "/agent/email/messages?status=failed").Body.String()
	wantContains(t, page, "no valid From address", "/agent/email/messages/"+itoa(res.ID)+"/raw", `action="/agent/email/messages/`+itoa(res.ID)+`/retry"`)
	raw := e.get(agent, "/agent/email/messages/"+itoa(res.ID)+"/raw")
	wantStatus(t, raw, http.StatusOK)
	if raw.Header().Get("Content-Type") != "message/rfc822" || !strings.Contains(raw.Header().Get("Content-Disposition"), "attachment") ||
		!strings.Contains(raw.Body.String(), "Subject: no sender") {
		t.Fatalf("raw: %v %q", raw.Header(), raw.Body.String())
	}
	wantStatus(t, e.get(alice, "/agent/email/messages/"+itoa(res.ID)+"/raw"), http.StatusForbidden)
	rec := e.post(agent, "/agent/email/messages/"+itoa(res.ID)+"/retry", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	wantContains(t, e.get(agent, rec.Header().Get("Location")).Body.String(), "failed again")
	wantStatus(t, e.post(agent, "/agent/email/messages/"+itoa(res.ID)+"/explode", nil), http.StatusNotFound)
	wantStatus(t, e.get(agent, "/agent/email/messages?status=ingested"), http.StatusNotFound)
	wantStatus(t, e.post(agent, "/agent/email/messages/"+itoa(res.ID)+"/approve", nil), http.StatusUnprocessableEntity)
}

func ptrTo[T any](v T) *T { return &v }
