package ui_test

import (
	"context"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/testkit"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// env is a workspace (testkit.World) behind the real web server with the pages.
type env struct {
	t     testing.TB
	w     *testkit.World
	pages *ui.Pages
	h     http.Handler
}

func newEnv(t testing.TB) *env {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &env{t: t, w: w, pages: pages, h: h}
}

// session is a signed-in browser: its cookie and CSRF token.
type session struct {
	cookie *http.Cookie
	csrf   string
}

func (e *env) login(a auth.Actor) session {
	e.t.Helper()
	s, err := e.w.Dir.CreateSession(context.Background(), a.UserID)
	if err != nil {
		e.t.Fatal(err)
	}
	return session{cookie: &http.Cookie{Name: "layan_session", Value: s.Secret}, csrf: s.CSRF}
}

var anonymous = session{}

// do serves one request and returns the recorder.
func (e *env) do(s session, method, target string, body io.Reader, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest(method, target, body)
	r.RemoteAddr = "192.0.2.10:1234"
	if s.cookie != nil {
		r.AddCookie(s.cookie)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Cookie" {
			r.Header.Add("Cookie", hdr[i+1])
			continue
		}
		r.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec
}

func (e *env) get(s session, target string, hdr ...string) *httptest.ResponseRecorder {
	return e.do(s, http.MethodGet, target, nil, hdr...)
}

// post sends a form; the session's CSRF token is added unless form has one
// (an empty csrf_token value means "send none").
func (e *env) post(s session, target string, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf_token"]; !set && s.csrf != "" {
		form.Set("csrf_token", s.csrf)
	} else if form.Get("csrf_token") == "" {
		form.Del("csrf_token")
	}
	return e.do(s, http.MethodPost, target, strings.NewReader(form.Encode()),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
}

// postMultipart sends a multipart form with one file.
func (e *env) postMultipart(s session, target string, form url.Values, fileName, content string) *httptest.ResponseRecorder {
	e.t.Helper()
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	form.Set("csrf_token", s.csrf)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	if fileName != "" {
		fw, err := mw.CreateFormFile("attachments", fileName)
		if err != nil {
			e.t.Fatal(err)
		}
		_, _ = io.WriteString(fw, content)
	}
	_ = mw.Close()
	return e.do(s, http.MethodPost, target, strings.NewReader(b.String()), "Content-Type", mw.FormDataContentType())
}

var stampRE = regexp.MustCompile(`name="updated_stamp" value="(\d+)"`)

// stamp reads the reply form's base version from a ticket page.
func stamp(t testing.TB, page string) string {
	t.Helper()
	m := stampRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no updated_stamp on the page")
	}
	return m[1]
}

func wantStatus(t testing.TB, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	if rec.Code != want {
		body := rec.Body.String()
		if len(body) > 600 {
			body = body[:600]
		}
		t.Fatalf("status %d, want %d; location %q; body: %s", rec.Code, want, rec.Header().Get("Location"), body)
	}
}

func wantContains(t testing.TB, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q", s)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func orgOwner(id int64) directory.OrgPatch { return directory.OrgPatch{AccountOwnerID: &id} }
