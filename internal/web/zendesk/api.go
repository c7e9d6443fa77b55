// Package zendesk serves Zendesk API v2 paths and JSON shapes over Layan's
// services, so Zendesk clients and scripts work unchanged.
package zendesk

import (
	"net/http"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/directory"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

// API holds the services the handlers call.
type API struct {
	Dir       *directory.Service
	Tickets   *ticket.Service
	Blobs     blob.Store
	MaxBody   int64
	MaxUpload int64
	Now       func() time.Time
}

// Endpoint is a handler body: it returns the status and the JSON body, or an
// error that httpx maps to Zendesk's error shape. A nil body with 204 writes
// no content.
type Endpoint func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error)

// SignedIn serves e to any authenticated user; anonymous callers get 401.
func SignedIn(e Endpoint) http.HandlerFunc { return serve(e, false) }

// Staff serves e to staff only; customers get 403 on agent endpoints.
func Staff(e Endpoint) http.HandlerFunc { return serve(e, true) }

func serve(e Endpoint, staffOnly bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := httpx.ActorFrom(r.Context())
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="Layan API"`)
			httpx.Fail(w, r, apperr.ErrUnauthorized)
			return
		}
		if staffOnly && !a.IsStaff() {
			httpx.Fail(w, r, apperr.Forbidden("use agent endpoints"))
			return
		}
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

// decodeObject reads a body of the form {"<key>": {...}} strictly: the object
// is required, and unknown fields at either level are errors.
func decodeObject[T any](w http.ResponseWriter, r *http.Request, limit int64, key string) (*T, error) {
	v := new(T)
	if err := httpx.DecodeObject(w, r, limit, key, v, httpx.ObjectRules{Strict: true, UseNumber: true}); err != nil {
		return nil, err
	}
	return v, nil
}

// idFromPath reads the {id} path value.
func idFromPath(r *http.Request) (int64, error) { return httpx.PathID(r, "id") }

// baseURL is the scheme and host the client used, for url and next_page links.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// offsetPage reads page and per_page (Zendesk's offset pagination).
type offsetPage struct {
	Page, PerPage int
}

func readOffsetPage(r *http.Request) (offsetPage, error) {
	p, err := httpx.QueryInt(r, "page", 1)
	if err != nil {
		return offsetPage{}, err
	}
	pp, err := httpx.QueryInt(r, "per_page", 100)
	if err != nil {
		return offsetPage{}, err
	}
	if p < 1 {
		p = 1
	}
	if pp < 1 || pp > 100 {
		pp = 100
	}
	return offsetPage{Page: p, PerPage: pp}, nil
}

// pageLinks builds next_page/previous_page URLs for an offset page.
func pageLinks(r *http.Request, p offsetPage, count int) (next, prev *string) {
	link := func(page int) *string {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(page))
		q.Set("per_page", strconv.Itoa(p.PerPage))
		u.RawQuery = q.Encode()
		s := baseURL(r) + u.Path + "?" + u.RawQuery
		return &s
	}
	if p.Page*p.PerPage < count {
		next = link(p.Page + 1)
	}
	if p.Page > 1 {
		prev = link(p.Page - 1)
	}
	return next, prev
}

// cursorRequest reports whether the client asked for cursor pagination.
func cursorRequest(r *http.Request) (size int, after, before string, ok bool, err error) {
	q := r.URL.Query()
	if !q.Has("page[size]") && !q.Has("page[after]") && !q.Has("page[before]") {
		return 0, "", "", false, nil
	}
	size = 100
	if s := q.Get("page[size]"); s != "" {
		n, e := strconv.Atoi(s)
		if e != nil || n < 1 {
			return 0, "", "", false, &httpx.BadRequest{Msg: "page[size] must be a positive number"}
		}
		size = min(n, 100)
	}
	return size, q.Get("page[after]"), q.Get("page[before]"), true, nil
}

// cursorMeta is Zendesk's cursor pagination envelope.
type cursorMeta struct {
	HasMore      bool   `json:"has_more"`
	AfterCursor  string `json:"after_cursor,omitempty"`
	BeforeCursor string `json:"before_cursor,omitempty"`
}

type cursorLinks struct {
	Next *string `json:"next"`
	Prev *string `json:"prev"`
}

func cursorLink(r *http.Request, key, cursor string, size int) *string {
	if cursor == "" {
		return nil
	}
	u := *r.URL
	q := u.Query()
	q.Del("page[after]")
	q.Del("page[before]")
	q.Set(key, cursor)
	q.Set("page[size]", strconv.Itoa(size))
	u.RawQuery = q.Encode()
	s := baseURL(r) + u.Path + "?" + u.RawQuery
	return &s
}

func timeOrNil(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := t.UTC().Format(time.RFC3339)
	return &s
}

func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func resourceURL(r *http.Request, kind string, id int64) string {
	return baseURL(r) + "/api/v2/" + kind + "/" + strconv.FormatInt(id, 10) + ".json"
}

// idKeysetPage trims a keyset page that was fetched with one extra row and
// builds Zendesk's cursor envelope for it.
func idKeysetPage[T any](r *http.Request, items []T, size int, id func(T) int64) ([]T, cursorMeta, cursorLinks) {
	more := len(items) > size
	if more {
		items = items[:size]
	}
	meta := cursorMeta{HasMore: more}
	var links cursorLinks
	if len(items) > 0 {
		meta.AfterCursor = encodeIDCursor(id(items[len(items)-1]))
		if more {
			links.Next = cursorLink(r, "page[after]", meta.AfterCursor, size)
		}
	}
	return items, meta, links
}

// afterID reads an id cursor ("" → 0).
func afterID(after string) (int64, error) {
	if after == "" {
		return 0, nil
	}
	return decodeIDCursor(after)
}

// decodeArray reads a body of the form {"<key>": [...]} strictly.
func decodeArray[T any](w http.ResponseWriter, r *http.Request, limit int64, key string) ([]T, error) {
	p, err := decodeObject[[]T](w, r, limit, key)
	if err != nil {
		return nil, err
	}
	return *p, nil
}
