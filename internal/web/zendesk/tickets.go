package zendesk

import (
	"net/http"
	"net/url"
	"strings"

	"layan/internal/apperr"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// ListTickets: GET /api/v2/tickets (offset or cursor pagination).
func (api *API) ListTickets(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	api.listTickets(w, r, a, ticket.ListQuery{}, "tickets")
}

// listTickets serves a ticket list in either pagination style under key.
func (api *API) listTickets(w http.ResponseWriter, r *http.Request, a actorT, q ticket.ListQuery, key string) {
	qs := r.URL.Query()
	q.Sort = qs.Get("sort_by")
	q.Desc = strings.EqualFold(qs.Get("sort_order"), "desc")
	if s := qs.Get("sort"); s != "" { // cursor style: sort=-updated_at
		q.Desc = strings.HasPrefix(s, "-")
		q.Sort = strings.TrimPrefix(s, "-")
	}
	if st := qs.Get("status"); st != "" {
		q.Statuses = strings.Split(st, ",")
	}
	size, after, before, cursor, err := cursorRequest(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if cursor {
		q.PerPage, q.After, q.Before = size, after, before
		res, err := api.Tickets.List(r.Context(), a, q)
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		meta := cursorMeta{HasMore: res.HasMore, AfterCursor: res.After, BeforeCursor: res.Before}
		var next *string
		if res.HasMore || before != "" {
			next = cursorLink(r, "page[after]", res.After, size)
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{key: api.ticketsJSON(r, res.Tickets), "meta": meta,
			"links": cursorLinks{Next: next, Prev: cursorLink(r, "page[before]", res.Before, size)}})
		return
	}
	p, err := readOffsetPage(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	q.Page, q.PerPage = p.Page, p.PerPage
	res, err := api.Tickets.List(r.Context(), a, q)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	next, prev := pageLinks(r, p, res.Count)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{key: api.ticketsJSON(r, res.Tickets), "next_page": next,
		"previous_page": prev, "count": res.Count})
}

func (api *API) ticketsJSON(r *http.Request, ts []ticket.Ticket) []ticketJSON {
	out := make([]ticketJSON, len(ts))
	for i, t := range ts {
		out[i] = toTicketJSON(r, t)
	}
	return out
}

// ShowTicket: GET /api/v2/tickets/{id}.
func (api *API) ShowTicket(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	t, err := api.Tickets.Get(r.Context(), a, id)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"ticket": toTicketJSON(r, t)})
}

// ShowMany: GET /api/v2/tickets/show_many?ids=1,2,3.
func (api *API) ShowMany(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	ids, err := httpx.IDList(r.URL.Query().Get("ids"), 100)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	ts, err := api.Tickets.ShowMany(r.Context(), a, ids)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"tickets": api.ticketsJSON(r, ts), "next_page": nil, "previous_page": nil, "count": len(ts)})
}

// CreateTicket: POST /api/v2/tickets.
func (api *API) CreateTicket(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	var body struct {
		Ticket *ticketIn `json:"ticket"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if body.Ticket == nil {
		httpx.Fail(w, r, apperr.Invalid("ticket", "required", "the body needs a ticket object"))
		return
	}
	nt, err := body.Ticket.toNew()
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	t, err := api.Tickets.Create(r.Context(), a, nt)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.Header().Set("Location", resourceURL(r, "tickets", t.ID))
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"ticket": toTicketJSON(r, t)})
}

// CreateMany: POST /api/v2/tickets/create_many. Every ticket is validated
// first; then each is created in its own transaction and the job status
// reports each result, as Zendesk's does.
func (api *API) CreateMany(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	var body struct {
		Tickets []ticketIn `json:"tickets"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody*4, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if len(body.Tickets) == 0 || len(body.Tickets) > 100 {
		httpx.Fail(w, r, apperr.Invalid("tickets", "invalid", "give between 1 and 100 tickets"))
		return
	}
	news := make([]ticket.NewTicket, len(body.Tickets))
	for i := range body.Tickets {
		nt, err := body.Tickets[i].toNew()
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		news[i] = nt
	}
	type result struct {
		Index   int    `json:"index"`
		ID      int64  `json:"id,omitempty"`
		Status  string `json:"status,omitempty"`
		Success bool   `json:"success"`
		Error   string `json:"error,omitempty"`
		Details string `json:"details,omitempty"`
	}
	results := make([]result, len(news))
	failed := 0
	for i, nt := range news {
		t, err := api.Tickets.Create(r.Context(), a, nt)
		if err != nil {
			_, e := httpx.Status(err)
			results[i] = result{Index: i, Error: e.Error, Details: err.Error()}
			failed++
			continue
		}
		results[i] = result{Index: i, ID: t.ID, Status: "Created", Success: true}
	}
	msg := "Completed"
	if failed > 0 {
		msg = "Completed with errors"
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"job_status": map[string]any{
		"id": newJobID(), "status": "completed", "total": len(news), "progress": len(news), "message": msg, "results": results}})
}

// UpdateTicket: PUT /api/v2/tickets/{id}; a "comment" adds a reply or note.
func (api *API) UpdateTicket(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var body struct {
		Ticket *ticketIn `json:"ticket"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if body.Ticket == nil {
		httpx.Fail(w, r, apperr.Invalid("ticket", "required", "the body needs a ticket object"))
		return
	}
	p, err := body.Ticket.toPatch()
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	t, err := api.Tickets.Update(r.Context(), a, id, p)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"ticket": toTicketJSON(r, t)})
}

// DeleteTicket: DELETE /api/v2/tickets/{id}.
func (api *API) DeleteTicket(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if err := api.Tickets.Delete(r.Context(), a, id); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// MergeTickets: POST /api/v2/tickets/{id}/merge {"ids": [...], "target_comment", "source_comment"}.
func (api *API) MergeTickets(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var body struct {
		IDs                   []int64 `json:"ids"`
		TargetComment         string  `json:"target_comment"`
		SourceComment         string  `json:"source_comment"`
		TargetCommentIsPublic bool    `json:"target_comment_is_public"`
		SourceCommentIsPublic bool    `json:"source_comment_is_public"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	t, err := api.Tickets.Merge(r.Context(), a, id, body.IDs, body.TargetComment, body.SourceComment)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"job_status": map[string]any{"id": newJobID(), "status": "completed",
		"results": []map[string]any{{"id": t.ID, "success": true}}}})
}

// ListComments: GET /api/v2/tickets/{id}/comments (cursor pagination by id).
func (api *API) ListComments(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	api.listComments(w, r, a)
}

func (api *API) listComments(w http.ResponseWriter, r *http.Request, a actorT) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	size, after, _, _, err := cursorRequest(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if size == 0 {
		size = 100
	}
	var afterID int64
	if after != "" {
		n, err := decodeIDCursor(after)
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		afterID = n
	}
	cs, err := api.Tickets.Comments(r.Context(), a, id, afterID, size+1)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	more := len(cs) > size
	if more {
		cs = cs[:size]
	}
	out := make([]commentJSON, len(cs))
	authorIDs := map[int64]bool{}
	var ids []int64
	for i, c := range cs {
		out[i] = toCommentJSON(r, c)
		if !authorIDs[c.AuthorID] {
			authorIDs[c.AuthorID] = true
			ids = append(ids, c.AuthorID)
		}
	}
	meta := cursorMeta{HasMore: more}
	var next *string
	if len(cs) > 0 {
		meta.AfterCursor = encodeIDCursor(cs[len(cs)-1].ID)
		if more {
			next = cursorLink(r, "page[after]", meta.AfterCursor, size)
		}
	}
	resp := map[string]any{"comments": out, "meta": meta, "links": cursorLinks{Next: next},
		"next_page": next, "previous_page": nil, "count": len(out)}
	if strings.Contains(r.URL.Query().Get("include"), "users") {
		users, err := api.Dir.UsersByIDs(r.Context(), a, ids)
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		resp["users"] = usersJSON(r, users, a)
	}
	httpx.WriteJSON(w, http.StatusOK, resp)
}
