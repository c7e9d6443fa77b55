package ui

import (
	"net/http"
	"net/url"
	"strings"

	"layan/internal/web/httpx"
)

// csp forbids inline script and style, third-party origins and framing.
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// maxFormBytes bounds a form without files; replies with attachments get the
// upload limit on top.
const maxFormBytes = 1 << 20

// outer sets the headers of every page and bounds request bodies before the
// CSRF check (which parses the form) reads them.
func (p *Pages) outer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("Cache-Control", "no-store")
		h.Set("Vary", "Cookie, Accept-Language")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			limit := int64(maxFormBytes)
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				limit += p.d.MaxUploadBytes
			}
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		}
		next.ServeHTTP(&pageWriter{ResponseWriter: w, p: p, r: r}, r)
	})
}

// pageWriter turns the JSON 403 that the shared CSRF check writes into a
// page, so a browser that posts a stale form sees an explanation.
type pageWriter struct {
	http.ResponseWriter
	p       *Pages
	r       *http.Request
	swallow bool
}

func (pw *pageWriter) WriteHeader(code int) {
	h := pw.Header()
	if code == http.StatusForbidden && !pw.swallow && strings.HasPrefix(h.Get("Content-Type"), "application/json") &&
		strings.Contains(pw.r.Header.Get("Accept"), "text/html") {
		pw.swallow = true
		v := pw.p.view(pw.r)
		v.Title = v.T("error.page_title")
		v.Data = errorPage{Message: v.T("error.csrf")}
		pw.p.renderTo(pw.ResponseWriter, pw.r, code, "error", "layout", v)
		return
	}
	pw.ResponseWriter.WriteHeader(code)
}

func (pw *pageWriter) Write(b []byte) (int, error) {
	if pw.swallow {
		return len(b), nil
	}
	return pw.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach Flush and SetWriteDeadline (SSE).
func (pw *pageWriter) Unwrap() http.ResponseWriter { return pw.ResponseWriter }

// staffOnly admits admins, agents and light agents. Anonymous visitors go to
// the sign-in page; customers get a 403 page that links to the portal.
func (p *Pages) staffOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpx.ActorFrom(r.Context())
		if !ok {
			p.toLogin(w, r)
			return
		}
		if !a.IsStaff() {
			p.forbidden(w, r)
			return
		}
		next(w, r)
	}
}

// signedIn admits any signed-in user (customer pages); anonymous visitors
// go to the sign-in page and come back.
func (p *Pages) signedIn(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := httpx.ActorFrom(r.Context()); !ok {
			p.toLogin(w, r)
			return
		}
		next(w, r)
	}
}

// toLogin sends an anonymous visitor to sign in and back here afterwards.
func (p *Pages) toLogin(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet || r.Header.Get("Accept") == "text/event-stream" {
		http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
}

// localPath accepts only a path on this site as a redirect target, so
// ?next= cannot send a signed-in user elsewhere.
func localPath(s, fallback string) string {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, `/\`) ||
		strings.ContainsAny(s, "\r\n\t") {
		return fallback
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return fallback
	}
	return s
}
