package ui_test

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/mail"
	"layan/internal/settings"
	"layan/internal/testkit"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// portalEnv is env with the settings service and a mail recorder, as the
// portal and admin pages use them.
type portalEnv struct {
	*env
	mail     *mail.Recorder
	settings *settings.Service
	blobs    blob.Store
}

const publicURL = "https://help.example.test"

func newPortalEnv(t testing.TB) *portalEnv {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	st := settings.NewService(d, w.Clock.Now)
	rec := &mail.Recorder{}
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, Settings: st, Mail: rec, PublicURL: publicURL})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &portalEnv{env: &env{t: t, w: w, pages: pages, h: h}, mail: rec, settings: st, blobs: blobs}
}

var formTokenRE = regexp.MustCompile(`name="form_token" value="([^"]+)"`)

// anonForm is a visitor's browser on an anonymous form: its cookie and token.
type anonForm struct {
	cookie *http.Cookie
	token  string
	page   string
}

// openForm GETs a page with an anonymous form (sign-up, reset) and keeps
// what a browser would: the form cookie and the token in the form.
func (e *portalEnv) openForm(target string, hdr ...string) anonForm {
	e.t.Helper()
	rec := e.get(anonymous, target, hdr...)
	wantStatus(e.t, rec, http.StatusOK)
	var af anonForm
	for _, c := range rec.Result().Cookies() {
		if c.Name == "layan_form" {
			af.cookie = c
		}
	}
	m := formTokenRE.FindStringSubmatch(rec.Body.String())
	if af.cookie == nil || m == nil {
		e.t.Fatalf("%s: no form token", target)
	}
	af.token, af.page = m[1], rec.Body.String()
	return af
}

// submit posts an anonymous form with its cookie and token.
func (e *portalEnv) submit(af anonForm, target string, form url.Values, hdr ...string) *httpResponse {
	e.t.Helper()
	form.Set("form_token", af.token)
	h := append([]string{"Content-Type", "application/x-www-form-urlencoded", "Cookie", af.cookie.Name + "=" + af.cookie.Value}, hdr...)
	rec := e.do(anonymous, http.MethodPost, target, strings.NewReader(form.Encode()), h...)
	return &httpResponse{Code: rec.Code, Body: rec.Body.String(), Header: rec.Header()}
}

type httpResponse struct {
	Code   int
	Body   string
	Header http.Header
}

func (r *httpResponse) want(t testing.TB, code int) *httpResponse {
	t.Helper()
	if r.Code != code {
		body := r.Body
		if len(body) > 800 {
			body = body[:800]
		}
		t.Fatalf("status %d, want %d; body: %s", r.Code, code, body)
	}
	return r
}

var linkRE = regexp.MustCompile(`https://help\.example\.test(/portal/[a-z/]+)\?token=([A-Za-z0-9_-]+)`)

// lastLink finds the link in the last mail to addr: its path and token.
func (e *portalEnv) lastLink(addr string) (mail.Message, string, string) {
	e.t.Helper()
	ms := e.mail.To(addr)
	if len(ms) == 0 {
		e.t.Fatalf("no mail to %s", addr)
	}
	m := ms[len(ms)-1]
	match := linkRE.FindStringSubmatch(m.Text)
	if match == nil {
		e.t.Fatalf("no link in the mail to %s: %q", addr, m.Text)
	}
	return m, match[1], match[2]
}

// signInAs signs in through the form and returns the browser's session.
func (e *portalEnv) signInAs(email, password string) session {
	e.t.Helper()
	rec := e.signIn(email, password)
	wantStatus(e.t, rec, http.StatusSeeOther)
	c := sessionCookie(rec)
	if c == nil {
		e.t.Fatalf("signing in as %s set no session", email)
	}
	s := session{cookie: c}
	_, s.csrf, _ = e.w.Dir.ActorForSession(context.Background(), c.Value)
	return s
}

// postFiles sends a multipart form with the session's CSRF token and files
// (field name → file name → content).
func (e *portalEnv) postFiles(s session, target string, form url.Values, files map[string][2]string) *httpResponse {
	e.t.Helper()
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	if s.csrf != "" {
		_ = mw.WriteField("csrf_token", s.csrf)
	}
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for field, f := range files {
		fw, err := mw.CreateFormFile(field, f[0])
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = io.WriteString(fw, f[1])
	}
	_ = mw.Close()
	rec := e.do(s, http.MethodPost, target, strings.NewReader(b.String()), "Content-Type", mw.FormDataContentType())
	return &httpResponse{Code: rec.Code, Body: rec.Body.String(), Header: rec.Header()}
}
