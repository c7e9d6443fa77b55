package zendesk

import (
	"net/http"
	"net/url"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

type ticketBody struct {
	Ticket ticketJSON `json:"ticket"`
}

// ListTickets: GET /api/v2/tickets (offset or cursor pagination).
func (api *API) ListTickets(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return api.listTickets(r, a, ticket.ListQuery{}, "tickets")
}

// listTickets serves a ticket list in either pagination style under key.
func (api *API) listTickets(r *http.Request, a auth.Actor, q ticket.ListQuery, key string) (int, any, error) {
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
		return 0, nil, err
	}
	if cursor {
		q.PerPage, q.After, q.Before = size, after, before
		res, err := api.Tickets.List(r.Context(), a, q)
		if err != nil {
			return 0, nil, err
		}
		meta := cursorMeta{HasMore: res.HasMore, AfterCursor: res.After, BeforeCursor: res.Before}
		var next *string
		if res.HasMore || before != "" {
			next = cursorLink(r, "page[after]", res.After, size)
		}
		return http.StatusOK, map[string]any{key: ticketsJSON(r, res.Tickets), "meta": meta,
			"links": cursorLinks{Next: next, Prev: cursorLink(r, "page[before]", res.Before, size)}}, nil
	}
	p, err := readOffsetPage(r)
	if err != nil {
		return 0, nil, err
	}
	q.Page, q.PerPage = p.Page, p.PerPage
	res, err := api.Tickets.List(r.Context(), a, q)
	if err != nil {
		return 0, nil, err
	}
	next, prev := pageLinks(r, p, res.Count)
	return http.StatusOK, map[string]any{key: ticketsJSON(r, res.Tickets), "next_page": next,
		"previous_page": prev, "count": res.Count}, nil
}

func ticketsJSON(r *http.Request, ts []ticket.Ticket) []ticketJSON {
	out := make([]ticketJSON, len(ts))
	for i, t := range ts {
		out[i] = toTicketJSON(r, t)
	}
	return out
}

// ShowTicket: GET /api/v2/tickets/{id}.
func (api *API) ShowTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Tickets.Get(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ticketBody{toTicketJSON(r, t)}, nil
}

// ShowMany: GET /api/v2/tickets/show_many?ids=1,2,3.
func (api *API) ShowMany(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	ids, err := httpx.IDList(r.URL.Query().Get("ids"), 100)
	if err != nil {
		return 0, nil, err
	}
	ts, err := api.Tickets.ShowMany(r.Context(), a, ids)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"tickets": ticketsJSON(r, ts), "next_page": nil, "previous_page": nil, "count": len(ts)}, nil
}

// CreateTicket: POST /api/v2/tickets.
func (api *API) CreateTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decodeObject[ticketIn](w, r, api.MaxBody, "ticket")
	if err != nil {
		return 0, nil, err
	}
	nt, err := in.toNew()
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Tickets.Create(r.Context(), a, nt)
	if err != nil {
		return 0, nil, err
	}
	w.Header().Set("Location", resourceURL(r, "tickets", t.ID))
	return http.StatusCreated, ticketBody{toTicketJSON(r, t)}, nil
}

// CreateMany: POST /api/v2/tickets/create_many. Every ticket is validated
// first; then each is created in its own transaction and the job status
// reports each result, as Zendesk's does.
func (api *API) CreateMany(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decodeArray[ticketIn](w, r, api.MaxBody*4, "tickets")
	if err != nil {
		return 0, nil, err
	}
	if len(in) == 0 || len(in) > 100 {
		return 0, nil, apperr.Invalid("tickets", "invalid", "give between 1 and 100 tickets")
	}
	news := make([]ticket.NewTicket, len(in))
	for i := range in {
		if news[i], err = in[i].toNew(); err != nil {
			return 0, nil, err
		}
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
	msg := "Completed"
	for i, nt := range news {
		t, err := api.Tickets.Create(r.Context(), a, nt)
		if err != nil {
			_, e := httpx.Status(err)
			results[i] = result{Index: i, Error: e.Error, Details: err.Error()}
			msg = "Completed with errors"
			continue
		}
		results[i] = result{Index: i, ID: t.ID, Status: "Created", Success: true}
	}
	return http.StatusOK, map[string]any{"job_status": map[string]any{
		"id": newJobID(), "status": "completed", "total": len(news), "progress": len(news), "message": msg, "results": results}}, nil
}

// UpdateTicket: PUT /api/v2/tickets/{id}; a "comment" adds a reply or note.
func (api *API) UpdateTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decodeObject[ticketIn](w, r, api.MaxBody, "ticket")
	if err != nil {
		return 0, nil, err
	}
	p, err := in.toPatch()
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Tickets.Update(r.Context(), a, id, p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, ticketBody{toTicketJSON(r, t)}, nil
}

// DeleteTicket: DELETE /api/v2/tickets/{id}.
func (api *API) DeleteTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Tickets.Delete(r.Context(), a, id)
}

type mergeIn struct {
	IDs                   []int64 `json:"ids"`
	TargetComment         string  `json:"target_comment"`
	SourceComment         string  `json:"source_comment"`
	TargetCommentIsPublic bool    `json:"target_comment_is_public"`
	SourceCommentIsPublic bool    `json:"source_comment_is_public"`
}

// MergeTickets: POST /api/v2/tickets/{id}/merge {"ids": [...], "target_comment", "source_comment"}.
func (api *API) MergeTickets(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	var body mergeIn
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		return 0, nil, err
	}
	t, err := api.Tickets.Merge(r.Context(), a, id, body.IDs, body.TargetComment, body.SourceComment)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"job_status": map[string]any{"id": newJobID(), "status": "completed",
		"results": []map[string]any{{"id": t.ID, "success": true}}}}, nil
}

// ListComments: GET /api/v2/tickets/{id}/comments (cursor pagination by id);
// also GET /api/v2/requests/{id}/comments, where customers see public ones only.
func (api *API) ListComments(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	size, after, _, _, err := cursorRequest(r)
	if err != nil {
		return 0, nil, err
	}
	if size == 0 {
		size = 100
	}
	from, err := afterID(after)
	if err != nil {
		return 0, nil, err
	}
	cs, err := api.Tickets.Comments(r.Context(), a, id, from, size+1)
	if err != nil {
		return 0, nil, err
	}
	cs, meta, links := idKeysetPage(r, cs, size, func(c ticket.Comment) int64 { return c.ID })
	out := make([]commentJSON, len(cs))
	seen := map[int64]bool{}
	var authors []int64
	for i, c := range cs {
		out[i] = toCommentJSON(r, c)
		if !seen[c.AuthorID] {
			seen[c.AuthorID] = true
			authors = append(authors, c.AuthorID)
		}
	}
	resp := map[string]any{"comments": out, "meta": meta, "links": links,
		"next_page": links.Next, "previous_page": nil, "count": len(out)}
	if strings.Contains(r.URL.Query().Get("include"), "users") {
		users, err := api.Dir.UsersByIDs(r.Context(), a, authors)
		if err != nil {
			return 0, nil, err
		}
		resp["users"] = usersJSON(r, users, a)
	}
	return http.StatusOK, resp, nil
}
