package ui

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ratelimit"
	"layan/internal/web/httpx"
)

// Self-service accounts: sign up → a verification link by mail → confirmed;
// forgot password → a reset link by mail → a new password. The pages never
// tell whether an address has an account: sign-up and reset answer "we sent
// a link" for every well-formed address. Links open a page with a button
// (GET changes nothing: mail scanners open links), and the button's POST
// uses the link.

// accountLimits bound the mails a visitor can make us send: per IP (the
// form's answer says so) and per address (silently: the page must look the
// same either way). In memory per node, like the sign-in throttle.
type accountLimits struct {
	ip, addr *ratelimit.Limiter
}

func newAccountLimits(now func() time.Time) *accountLimits {
	return &accountLimits{ip: ratelimit.New(20, time.Hour, now), addr: ratelimit.New(3, time.Hour, now)}
}

// noticePage is a message with an optional link onward.
type noticePage struct {
	Heading, Message string
	Link, LinkText   string
	Ok               bool // a success (✓) rather than a warning
}

func (p *Pages) notice(w http.ResponseWriter, r *http.Request, v *View, status int, n noticePage) {
	v.Title = n.Heading
	v.Data = &n
	p.render(w, r, status, "portal_notice", v)
}

type accountForm struct {
	Form  *formState
	Token string // the form's CSRF token (double submit)
	Link  string // the account link's token, on the verify and reset pages
	Email string // whose link it is
}

var signUpFields = map[string][2]string{
	"name": {"name", "common.name"}, "email": {"email", "auth.email"}, "password": {"password", "auth.password"},
	"locale": {"name", "nav.language"},
}

// signUpForm: GET /portal/signup.
func (p *Pages) signUpForm(w http.ResponseWriter, r *http.Request) {
	if _, ok := httpx.ActorFrom(r.Context()); ok {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return
	}
	p.renderAccount(w, r, p.view(r), http.StatusOK, "portal_signup", "auth.sign_up", &accountForm{Form: newForm()})
}

func (p *Pages) renderAccount(w http.ResponseWriter, r *http.Request, v *View, status int, page, title string, af *accountForm) {
	af.Token = formToken(w, r)
	v.Title = v.T(title)
	v.Data = af
	p.render(w, r, status, page, v)
}

// signUp: POST /portal/signup (name, email, password).
func (p *Pages) signUp(w http.ResponseWriter, r *http.Request) {
	if _, ok := httpx.ActorFrom(r.Context()); ok {
		http.Redirect(w, r, "/portal", http.StatusSeeOther)
		return
	}
	v := p.view(r)
	f := formFrom(r, "name", "email")
	af := &accountForm{Form: f}
	if !formTokenOK(r) {
		f.Error = v.T("error.csrf")
		p.renderAccount(w, r, v, http.StatusForbidden, "portal_signup", "auth.sign_up", af)
		return
	}
	if !p.accountLimits.ip.Allow("signup:" + clientIP(r)).Allowed {
		f.Error = v.T("error.rate_limited")
		p.renderAccount(w, r, v, http.StatusTooManyRequests, "portal_signup", "auth.sign_up", af)
		return
	}
	u, token, err := p.d.Dir.SignUp(r.Context(), directory.SignUpInput{Name: f.V("name"), Email: f.V("email"),
		Password: r.PostFormValue("password"), Locale: v.Locale})
	switch {
	case errors.Is(err, directory.ErrAlreadyRegistered):
		if p.accountLimits.addr.Allow("signup:" + u.Email).Allowed {
			locale := i18n.Normalize(u.Locale)
			p.send(r.Context(), accountMail{To: u.Email, Locale: locale, Name: u.Name,
				Subject:    i18n.T(locale, "email.account_exists_subject", "brand", v.Brand.Name),
				Paragraphs: []string{i18n.T(locale, "email.account_exists_body")},
				Link:       p.accountLink(r, "/portal/password/forgot", ""), LinkText: i18n.T(locale, "auth.reset_password")})
		}
	case err != nil:
		if !applyError(v, f, err, signUpFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderAccount(w, r, v, http.StatusUnprocessableEntity, "portal_signup", "auth.sign_up", af)
		return
	default:
		if p.accountLimits.addr.Allow("signup:" + u.Email).Allowed {
			p.send(r.Context(), accountMail{To: u.Email, Locale: v.Locale, Name: f.V("name"),
				Subject: v.T("email.verify_subject", "brand", v.Brand.Name),
				Paragraphs: []string{v.T("email.verify_body", "when", p.expiresIn(v.Locale, directory.VerifyEmailTTL)),
					v.T("email.ignore")},
				Link: p.accountLink(r, "/portal/verify", token), LinkText: v.T("portal.confirm_email")})
		}
	}
	p.notice(w, r, v, http.StatusOK, noticePage{Heading: v.T("portal.check_email"), Ok: true,
		Message: v.T("portal.signup_sent", "email", strings.ToLower(f.V("email")))})
}

// verifyForm: GET /portal/verify?token=: whose link it is and a button.
func (p *Pages) verifyForm(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	token := r.URL.Query().Get("token")
	u, err := p.d.Dir.CheckAccountToken(r.Context(), directory.PurposeVerifyEmail, token)
	if err != nil {
		p.accountLinkFailed(w, r, v, err, "/portal/signup", "auth.sign_up")
		return
	}
	p.renderAccount(w, r, v, http.StatusOK, "portal_verify", "portal.confirm_email",
		&accountForm{Form: newForm(), Link: token, Email: u.Email})
}

// accountLinkFailed explains a link that cannot be used (or fails on another error).
func (p *Pages) accountLinkFailed(w http.ResponseWriter, r *http.Request, v *View, err error, again, againKey string) {
	if !errors.Is(err, directory.ErrInvalidToken) {
		p.fail(w, r, err)
		return
	}
	p.notice(w, r, v, http.StatusBadRequest, noticePage{Heading: v.T("portal.link_problem"),
		Message: v.T("form.link_invalid"), Link: again, LinkText: v.T(againKey)})
}

// verify: POST /portal/verify (token): the address is confirmed.
func (p *Pages) verify(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	token := r.PostFormValue("token")
	if !formTokenOK(r) {
		af := &accountForm{Form: newForm(), Link: token}
		af.Form.Error = v.T("error.csrf")
		p.renderAccount(w, r, v, http.StatusForbidden, "portal_verify", "portal.confirm_email", af)
		return
	}
	if _, err := p.d.Dir.VerifyEmail(r.Context(), token); err != nil {
		p.accountLinkFailed(w, r, v, err, "/portal/signup", "auth.sign_up")
		return
	}
	p.notice(w, r, v, http.StatusOK, noticePage{Heading: v.T("portal.email_confirmed"), Ok: true,
		Message: v.T("portal.email_confirmed_body"), Link: "/login?next=%2Fportal", LinkText: v.T("auth.sign_in")})
}

// forgotForm: GET /portal/password/forgot.
func (p *Pages) forgotForm(w http.ResponseWriter, r *http.Request) {
	p.renderAccount(w, r, p.view(r), http.StatusOK, "portal_forgot", "auth.reset_password", &accountForm{Form: newForm()})
}

// forgot: POST /portal/password/forgot (email). The answer is the same
// whether the address has an account or not.
func (p *Pages) forgot(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	f := formFrom(r, "email")
	af := &accountForm{Form: f}
	if !formTokenOK(r) {
		f.Error = v.T("error.csrf")
		p.renderAccount(w, r, v, http.StatusForbidden, "portal_forgot", "auth.reset_password", af)
		return
	}
	if !p.accountLimits.ip.Allow("reset:" + clientIP(r)).Allowed {
		f.Error = v.T("error.rate_limited")
		p.renderAccount(w, r, v, http.StatusTooManyRequests, "portal_forgot", "auth.reset_password", af)
		return
	}
	token, u, ok, err := p.d.Dir.RequestPasswordReset(r.Context(), f.V("email"))
	if err != nil {
		if !applyError(v, f, err, map[string][2]string{"email": {"email", "auth.email"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderAccount(w, r, v, http.StatusUnprocessableEntity, "portal_forgot", "auth.reset_password", af)
		return
	}
	if ok && p.accountLimits.addr.Allow("reset:"+u.Email).Allowed {
		locale := i18n.Normalize(u.Locale)
		if u.Locale == "" {
			locale = v.Locale
		}
		p.send(r.Context(), accountMail{To: u.Email, Locale: locale, Name: u.Name,
			Subject: i18n.T(locale, "email.password_reset_subject"),
			Paragraphs: []string{i18n.T(locale, "email.password_reset_body", "email", u.Email,
				"when", p.expiresIn(locale, directory.ResetPasswordTTL))},
			Link: p.accountLink(r, "/portal/password/reset", token), LinkText: i18n.T(locale, "auth.reset_password")})
	}
	p.notice(w, r, v, http.StatusOK, noticePage{Heading: v.T("portal.check_email"), Ok: true,
		Message: v.T("auth.reset_link_sent", "email", strings.ToLower(f.V("email")))})
}

// resetForm: GET /portal/password/reset?token=: the new password's form.
func (p *Pages) resetForm(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	token := r.URL.Query().Get("token")
	u, err := p.d.Dir.CheckAccountToken(r.Context(), directory.PurposeResetPassword, token)
	if err != nil {
		p.accountLinkFailed(w, r, v, err, "/portal/password/forgot", "portal.new_link")
		return
	}
	p.renderAccount(w, r, v, http.StatusOK, "portal_reset", "auth.reset_password",
		&accountForm{Form: newForm(), Link: token, Email: u.Email})
}

// reset: POST /portal/password/reset (token, password, confirm).
func (p *Pages) reset(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	token := r.PostFormValue("token")
	af := &accountForm{Form: newForm(), Link: token}
	f := af.Form
	if !formTokenOK(r) {
		f.Error = v.T("error.csrf")
		p.renderAccount(w, r, v, http.StatusForbidden, "portal_reset", "auth.reset_password", af)
		return
	}
	pw := r.PostFormValue("password")
	if pw != r.PostFormValue("confirm") {
		f.Set("confirm", v.T("error.passwords_mismatch"))
	}
	if !f.Failed(v) {
		_, err := p.d.Dir.ResetPassword(r.Context(), token, pw)
		if err == nil {
			p.notice(w, r, v, http.StatusOK, noticePage{Heading: v.T("auth.reset_password"), Ok: true,
				Message: v.T("auth.password_changed"), Link: "/login", LinkText: v.T("auth.sign_in")})
			return
		}
		if errors.Is(err, directory.ErrInvalidToken) {
			p.accountLinkFailed(w, r, v, err, "/portal/password/forgot", "portal.new_link")
			return
		}
		if !applyError(v, f, err, map[string][2]string{"password": {"password", "auth.new_password"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	if u, err := p.d.Dir.CheckAccountToken(r.Context(), directory.PurposeResetPassword, token); err == nil {
		af.Email = u.Email
	}
	p.renderAccount(w, r, v, http.StatusUnprocessableEntity, "portal_reset", "auth.reset_password", af)
}
