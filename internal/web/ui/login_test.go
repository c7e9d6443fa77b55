package ui_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"layan/internal/auth"
	"layan/internal/directory"
)

var loginTokenRE = regexp.MustCompile(`name="login_token" value="([^"]+)"`)

// signIn fetches the form (for its token cookie) and posts the credentials.
func (e *env) signIn(email, password string, old ...session) *httptest.ResponseRecorder {
	e.t.Helper()
	form := e.get(anonymous, "/login")
	var pre *http.Cookie
	for _, c := range form.Result().Cookies() {
		if c.Name == "layan_login" {
			pre = c
		}
	}
	m := loginTokenRE.FindStringSubmatch(form.Body.String())
	if pre == nil || m == nil {
		e.t.Fatal("the sign-in form has no token")
	}
	body := url.Values{"email": {email}, "password": {password}, "login_token": {m[1]}, "next": {"/agent/views/all-open"}}
	for _, o := range old {
		body.Set("csrf_token", o.csrf) // a signed-in browser's form carries its token
	}
	r := httptest.NewRequest(http.MethodPost, "/login", strings.NewReader(body.Encode()))
	r.RemoteAddr = "192.0.2.10:1234"
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.AddCookie(pre)
	for _, o := range old {
		r.AddCookie(o.cookie)
	}
	rec := httptest.NewRecorder()
	e.h.ServeHTTP(rec, r)
	return rec
}

func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if c.Name == "layan_session" && c.Value != "" {
			return c
		}
	}
	return nil
}

func TestSignInRotatesTheSessionAndSignOutEndsIt(t *testing.T) {
	e := newEnv(t)
	old := e.login(e.w.Agent)
	rec := e.signIn("agent@layan.test", "password-Agent", old)
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/agent/views/all-open" {
		t.Fatalf("after sign-in: %q", loc)
	}
	c := sessionCookie(rec)
	if c == nil || c.Value == old.cookie.Value || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie %+v", c)
	}
	if _, _, err := e.w.Dir.ActorForSession(context.Background(), old.cookie.Value); err == nil {
		t.Fatal("the session from before sign-in still works")
	}
	s := session{cookie: c}
	_, s.csrf, _ = e.w.Dir.ActorForSession(context.Background(), c.Value)
	wantStatus(t, e.get(s, "/agent/views/all-open"), http.StatusOK)
	rec = e.post(s, "/logout", nil)
	wantStatus(t, rec, http.StatusSeeOther)
	wantStatus(t, e.get(s, "/agent/views/all-open"), http.StatusSeeOther)
}

func TestSignInSaysOneThingForEveryWrongCredential(t *testing.T) {
	e := newEnv(t)
	const msg = "The email address or password is incorrect."
	for _, tc := range [][2]string{{"agent@layan.test", "wrong"}, {"nobody@layan.test", "password-Agent"}} {
		rec := e.signIn(tc[0], tc[1])
		wantStatus(t, rec, http.StatusUnauthorized)
		wantContains(t, rec.Body.String(), msg)
		if sessionCookie(rec) != nil {
			t.Fatal("a failed sign-in set a session")
		}
	}
	// Without the form's token (a cross-site post) nothing is checked.
	rec := e.post(anonymous, "/login", url.Values{"email": {"agent@layan.test"}, "password": {"password-Agent"}})
	wantStatus(t, rec, http.StatusForbidden)
}

func TestSignInIsThrottledPerAccountAndPerAddress(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 10; i++ {
		wantStatus(t, e.signIn("agent@layan.test", "guess"), http.StatusUnauthorized)
	}
	rec := e.signIn("agent@layan.test", "password-Agent")
	wantStatus(t, rec, http.StatusTooManyRequests)
	wantContains(t, rec.Body.String(), "Too many failed sign-in attempts")
	// The address is blocked too, for other accounts.
	wantStatus(t, e.signIn("admin@layan.test", "password-Admin"), http.StatusTooManyRequests)
	e.w.Clock.Advance(61e9)
	wantStatus(t, e.signIn("agent@layan.test", "password-Agent"), http.StatusSeeOther)
}

func TestLanguageFollowsUserThenCookieThenBrowser(t *testing.T) {
	e := newEnv(t)
	htmlTag := regexp.MustCompile(`<html lang="([a-z]+)" dir="([a-z]+)">`)
	check := func(rec *httptest.ResponseRecorder, lang, dir string) {
		t.Helper()
		m := htmlTag.FindStringSubmatch(rec.Body.String())
		if m == nil || m[1] != lang || m[2] != dir {
			t.Fatalf("<html> is %v, want lang=%s dir=%s", m, lang, dir)
		}
	}
	check(e.get(anonymous, "/login"), "en", "ltr")
	check(e.get(anonymous, "/login", "Accept-Language", "fa-IR,fa;q=0.9,en;q=0.5"), "fa", "rtl")
	check(e.get(anonymous, "/login", "Accept-Language", "fa", "Cookie", "layan_lang=id"), "id", "ltr")

	// The switcher: anonymous visitors get a cookie.
	rec := e.post(anonymous, "/lang", url.Values{"lang": {"fa"}, "next": {"/login"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if !strings.Contains(rec.Header().Get("Set-Cookie"), "layan_lang=fa") {
		t.Fatalf("no language cookie: %q", rec.Header().Get("Set-Cookie"))
	}
	// The switcher: a signed-in user's setting changes and wins over the browser.
	agent := e.login(e.w.Agent)
	wantStatus(t, e.post(agent, "/lang", url.Values{"lang": {"fa"}, "next": {"https://evil.example/"}}), http.StatusSeeOther)
	u, _ := e.w.Dir.GetUser(context.Background(), e.w.Agent, e.w.Agent.UserID)
	if u.Locale != "fa" {
		t.Fatalf("locale %q, want fa", u.Locale)
	}
	page := e.get(agent, "/agent/views/all-open", "Accept-Language", "en")
	check(page, "fa", "rtl")
	wantContains(t, page.Body.String(), "همه‌ی تیکت‌های باز")
	_, _ = e.w.Dir.UpdateUser(context.Background(), auth.SystemActor(), e.w.Agent.UserID, directory.UserPatch{Locale: ptr("id")})
	check(e.get(agent, "/agent/views/all-open"), "id", "ltr")
}

func ptr[T any](v T) *T { return &v }
