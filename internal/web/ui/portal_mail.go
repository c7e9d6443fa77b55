package ui

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strings"
	"time"

	"layan/internal/i18n"
	"layan/internal/mail"
)

// Mail of the portal's account flows: the verification link after sign-up,
// a notice when someone signs up with an address that has an account, the
// password-reset link and an agent's invitation. Each is written in the
// recipient's language; links point at the workspace's public address.

// mailer is the outbound sender (the log when none was configured).
func (p *Pages) mailer() mail.Sender {
	if p.d.Mail != nil {
		return p.d.Mail
	}
	return mail.NewLogSender(p.d.Log)
}

// linkBase is the scheme and host of links in mail. The configured public
// URL wins; the request's Host is only a fallback, because a client chooses
// it (a forged Host would otherwise put an attacker's site in a reset link).
func (p *Pages) linkBase(r *http.Request) string {
	if p.d.PublicURL != "" {
		return strings.TrimRight(p.d.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// accountLink is an absolute link to path with a one-time token.
func (p *Pages) accountLink(r *http.Request, path, token string) string {
	u := p.linkBase(r) + path
	if token != "" {
		u += "?token=" + url.QueryEscape(token)
	}
	return u
}

// accountMail is one message: paragraphs of text around a link.
type accountMail struct {
	To, Locale, Subject string
	Name                string // the greeting's name
	Paragraphs          []string
	Link, LinkText      string
}

// send writes the message as plain text and simple HTML (dir for Persian)
// and hands it to the mailer. Failures are logged: the pages say the same
// whatever happened, so they do not reveal which addresses have accounts.
func (p *Pages) send(ctx context.Context, m accountMail) {
	l := m.Locale
	brand := p.settings(ctx).Branding.Name
	greeting := i18n.T(l, "email.greeting", "name", m.Name)
	footer := i18n.T(l, "email.account_footer", "brand", brand)
	var text strings.Builder
	text.WriteString(greeting + "\n\n")
	for _, para := range m.Paragraphs {
		text.WriteString(para + "\n\n")
	}
	text.WriteString(m.Link + "\n\n-- \n" + footer + "\n")
	var h strings.Builder
	h.WriteString(`<!doctype html><html lang="` + i18n.Normalize(l) + `" dir="` + i18n.Dir(l) + `"><body>`)
	h.WriteString("<p>" + html.EscapeString(greeting) + "</p>")
	for _, para := range m.Paragraphs {
		h.WriteString("<p>" + html.EscapeString(para) + "</p>")
	}
	h.WriteString(`<p><a href="` + html.EscapeString(m.Link) + `">` + html.EscapeString(m.LinkText) + "</a></p>")
	h.WriteString(`<p dir="ltr">` + html.EscapeString(m.Link) + "</p>")
	h.WriteString("<hr><p>" + html.EscapeString(footer) + "</p></body></html>")
	msg := mail.Message{To: m.To, Subject: m.Subject, Text: text.String(), HTML: h.String(), Locale: i18n.Normalize(l),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	if err := p.mailer().Send(ctx, msg); err != nil {
		p.d.Log.Error("ui: account mail not sent", "to", m.To, "subject", m.Subject, "err", err)
	}
}

// expiresIn says when a link stops working, relative to now ("in 1 hour").
func (p *Pages) expiresIn(locale string, ttl time.Duration) string {
	now := p.d.Now()
	return i18n.Relative(locale, now.Add(ttl), now)
}
