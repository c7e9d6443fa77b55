package ui

import (
	"crypto/subtle"
	"net"
	"net/http"
	"strings"

	"layan/internal/auth"
	"layan/internal/i18n"
	"layan/internal/web/httpx"
)

// loginCookie carries the sign-in form's CSRF token (double submit): before
// sign-in there is no session to hold one.
const loginCookie = "layan_login"

type loginPage struct {
	Email, Next, Token string
	Error              string
}

// loginForm: GET /login. A signed-in user goes straight on.
func (p *Pages) loginForm(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"), "/")
	if _, ok := httpx.ActorFrom(r.Context()); ok {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	p.renderLogin(w, r, http.StatusOK, loginPage{Next: next})
}

func (p *Pages) renderLogin(w http.ResponseWriter, r *http.Request, status int, lp loginPage) {
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) >= 32 {
		lp.Token = c.Value
	} else {
		lp.Token = auth.NewSecret()
		http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: lp.Token, Path: "/login", HttpOnly: true,
			Secure: r.TLS != nil, SameSite: http.SameSiteStrictMode})
	}
	v := p.view(r)
	v.Title = v.T("auth.sign_in")
	v.Data = lp
	p.render(w, r, status, "login", v)
}

// login: POST /login. One answer for every wrong email or password; failures
// are throttled per account and per IP; each sign-in gets a new session id.
func (p *Pages) login(w http.ResponseWriter, r *http.Request) {
	email := strings.TrimSpace(r.PostFormValue("email"))
	lp := loginPage{Email: email, Next: localPath(r.PostFormValue("next"), "/")}
	locale := p.locale(r)
	c, err := r.Cookie(loginCookie)
	if err != nil || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("login_token"))) != 1 {
		lp.Error = i18n.T(locale, "error.csrf")
		p.renderLogin(w, r, http.StatusForbidden, lp)
		return
	}
	acct, ip := "acct:"+strings.ToLower(email), "ip:"+clientIP(r)
	if until, blocked := p.throttle.blocked(acct, ip); blocked {
		lp.Error = i18n.T(locale, "auth.throttled", "when", i18n.Relative(locale, until, p.d.Now()))
		p.renderLogin(w, r, http.StatusTooManyRequests, lp)
		return
	}
	u, err := p.d.Dir.Authenticate(r.Context(), email, r.PostFormValue("password"))
	if err != nil {
		p.throttle.fail(acct, ip)
		lp.Error = i18n.T(locale, "auth.invalid_credentials")
		p.renderLogin(w, r, http.StatusUnauthorized, lp)
		return
	}
	p.throttle.reset(acct)
	if old, err := r.Cookie(httpx.SessionCookie); err == nil && old.Value != "" {
		_ = p.d.Dir.DeleteSession(r.Context(), old.Value)
	}
	sess, err := p.d.Dir.CreateSession(r.Context(), u.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	httpx.SetSessionCookie(w, r, sess.Secret)
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true})
	next := lp.Next
	if next == "/" || next == "/login" {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// logout: POST /logout (CSRF-checked by wrap).
func (p *Pages) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(httpx.SessionCookie); err == nil && c.Value != "" {
		_ = p.d.Dir.DeleteSession(r.Context(), c.Value)
	}
	httpx.ClearSessionCookie(w)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// clientIP is the peer address; X-Forwarded-For is not trusted (as in package web).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
