// Package helpcenter serves Zendesk's Help Center API (/api/v2/help_center/...)
// over the knowledge base: categories, sections, articles, translations,
// votes and search, in Zendesk's JSON shapes, plus Layan's own knowledge-base
// endpoints (FAQ, versions, analytics, deflection) under /api/layan/v1/kb.
// Anonymous visitors read public content; the kb service decides what each
// reader may see.
package helpcenter

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"layan/internal/auth"
	"layan/internal/bot"
	"layan/internal/kb"
	"layan/internal/web/httpx"
	"layan/internal/web/zendesk"
)

// API holds what the handlers call.
type API struct {
	KB      *kb.Service
	Bot     *bot.Bot
	MaxBody int64
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Anyone serves e to every caller, signed in or not; an anonymous caller is
// the zero Actor, which the services treat as a public reader.
func Anyone(e zendesk.Endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, _ := httpx.ActorFrom(r.Context())
		status, body, err := e(w, r, a)
		switch {
		case err != nil:
			httpx.Fail(w, r, err)
		case body == nil:
			w.WriteHeader(status)
		default:
			httpx.WriteJSON(w, status, body)
		}
	}
}

// decode reads {"<key>": {...}} strictly.
func decode[T any](w http.ResponseWriter, r *http.Request, limit int64, key string) (*T, error) {
	v := new(T)
	if err := httpx.DecodeObject(w, r, limit, key, v, httpx.ObjectRules{Strict: true, Siblings: []string{"notify_subscribers"}}); err != nil {
		return nil, err
	}
	return v, nil
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func apiURL(r *http.Request, path string) string {
	return baseURL(r) + "/api/v2/help_center/" + path + ".json"
}

func htmlURL(r *http.Request, locale, path string) string {
	return baseURL(r) + "/hc/" + locale + "/" + path
}

func ts(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// locale is the locale in the path (/api/v2/help_center/fa/...), ?locale=,
// or the caller's own.
func locale(r *http.Request, a auth.Actor) string {
	inPath := ""
	if rest, ok := strings.CutPrefix(r.URL.Path, "/api/v2/help_center/"); ok {
		inPath, _, _ = strings.Cut(rest, "/")
	}
	for _, l := range []string{inPath, r.URL.Query().Get("locale")} {
		if n := kb.NormalizeLocale(l); n != "" {
			return n
		}
	}
	if n := kb.NormalizeLocale(a.Locale); n != "" {
		return n
	}
	return "en"
}

func pathID(r *http.Request, name string) (int64, error) { return httpx.PathID(r, name) }

type page struct{ Page, PerPage int }

func readPage(r *http.Request, def int) (page, error) {
	p, err := httpx.QueryInt(r, "page", 1)
	if err != nil {
		return page{}, err
	}
	pp, err := httpx.QueryInt(r, "per_page", def)
	if err != nil {
		return page{}, err
	}
	return page{max(p, 1), min(max(pp, 1), 100)}, nil
}

// envelope adds Zendesk's offset-pagination fields to a list body.
func envelope(r *http.Request, key string, items any, p page, count int) map[string]any {
	link := func(n int) *string {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("per_page", strconv.Itoa(p.PerPage))
		s := baseURL(r) + u.Path + "?" + q.Encode()
		return &s
	}
	var next, prev *string
	if p.Page*p.PerPage < count {
		next = link(p.Page + 1)
	}
	if p.Page > 1 {
		prev = link(p.Page - 1)
	}
	return map[string]any{key: items, "count": count, "page": p.Page, "per_page": p.PerPage,
		"page_count": int(math.Ceil(float64(count) / float64(p.PerPage))), "next_page": next, "previous_page": prev,
		"sort_by": "position", "sort_order": "asc"}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func boolParam(r *http.Request, name string) bool {
	v := strings.ToLower(r.URL.Query().Get(name))
	return v == "true" || v == "1"
}
