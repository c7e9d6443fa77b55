package zendesk

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

// requestJSON is Zendesk's end-user view of a ticket: no internal fields.
type requestJSON struct {
	ID              int64             `json:"id"`
	URL             string            `json:"url"`
	Subject         string            `json:"subject"`
	Description     string            `json:"description"`
	Status          string            `json:"status"`
	Priority        *string           `json:"priority"`
	Type            *string           `json:"type"`
	RequesterID     int64             `json:"requester_id"`
	OrganizationID  *int64            `json:"organization_id"`
	AssigneeID      *int64            `json:"assignee_id"`
	GroupID         *int64            `json:"group_id"`
	CollaboratorIDs []int64           `json:"collaborator_ids"`
	EmailCCIDs      []int64           `json:"email_cc_ids"`
	CustomFields    []customFieldJSON `json:"custom_fields"`
	Via             viaJSON           `json:"via"`
	IsPublic        bool              `json:"is_public"`
	CanBeSolvedByMe bool              `json:"can_be_solved_by_me"`
	Solved          bool              `json:"solved"`
	DueAt           *string           `json:"due_at"`
	CreatedAt       string            `json:"created_at"`
	UpdatedAt       string            `json:"updated_at"`
}

func (api *API) toRequestJSON(r *http.Request, a actorT, t ticket.Ticket, visibleFields map[int64]bool) requestJSON {
	fields := []customFieldJSON{}
	for id, v := range t.CustomFields {
		if a.IsStaff() || visibleFields[id] {
			fields = append(fields, customFieldJSON{ID: id, Value: v})
		}
	}
	return requestJSON{ID: t.ID, URL: resourceURL(r, "requests", t.ID), Subject: t.Subject, Description: t.Description,
		Status: t.Status, Priority: strOrNil(t.Priority), Type: strOrNil(t.Type), RequesterID: t.RequesterID,
		OrganizationID: idOrNil(t.OrganizationID), AssigneeID: idOrNil(t.AssigneeID), GroupID: idOrNil(t.GroupID),
		CollaboratorIDs: []int64{}, EmailCCIDs: []int64{}, CustomFields: fields, Via: newVia(t.Via), IsPublic: true,
		CanBeSolvedByMe: t.Status != "solved" && t.Status != "closed", Solved: t.Status == "solved" || t.Status == "closed",
		DueAt: timeOrNil(t.DueAt), CreatedAt: t.CreatedAt.Format(time.RFC3339), UpdatedAt: t.UpdatedAt.Format(time.RFC3339)}
}

// portalFields are the ids of custom fields customers may see.
func (api *API) portalFields(r *http.Request, a actorT) map[int64]bool {
	out := map[int64]bool{}
	fs, err := api.Tickets.Fields(r.Context(), a)
	if err != nil {
		return out
	}
	for _, f := range fs {
		if f.VisibleInPortal {
			out[f.ID] = true
		}
	}
	return out
}

type requestIn struct {
	Subject         *string         `json:"subject"`
	Description     *string         `json:"description"`
	Comment         *commentIn      `json:"comment"`
	CustomFields    []customFieldIn `json:"custom_fields"`
	Fields          []customFieldIn `json:"fields"`
	Solved          *bool           `json:"solved"`
	Priority        json.RawMessage `json:"priority"`
	Type            json.RawMessage `json:"type"`
	Requester       json.RawMessage `json:"requester"`
	CollaboratorIDs json.RawMessage `json:"collaborator_ids"`
	EmailCCIDs      json.RawMessage `json:"email_cc_ids"`
	TicketFormID    json.RawMessage `json:"ticket_form_id"`
}

func decodeRequest(w http.ResponseWriter, r *http.Request, limit int64) (*requestIn, error) {
	var body struct {
		Request *requestIn `json:"request"`
	}
	if err := httpx.DecodeJSON(w, r, limit, &body); err != nil {
		return nil, err
	}
	if body.Request == nil {
		return nil, apperr.Invalid("request", "required", "the body needs a request object")
	}
	return body.Request, nil
}

func (in *requestIn) customFields() (map[int64]any, error) {
	t := ticketIn{CustomFields: in.CustomFields, Fields: in.Fields}
	return t.customFields()
}

// ListRequests: GET /api/v2/requests: the caller's own requests.
func (api *API) ListRequests(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	api.listRequests(w, r, a, ticket.ListQuery{RequesterID: a.UserID})
}

// OrganizationRequests: GET /api/v2/organizations/{id}/requests: the
// organisation's shared requests (its members, when it shares them; staff).
func (api *API) OrganizationRequests(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if !a.IsStaff() && a.OrganizationID != id {
		httpx.Fail(w, r, apperr.NotFound("organization"))
		return
	}
	api.listRequests(w, r, a, ticket.ListQuery{OrganizationID: id})
}

func (api *API) listRequests(w http.ResponseWriter, r *http.Request, a actorT, q ticket.ListQuery) {
	p, err := readOffsetPage(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	q.Page, q.PerPage, q.Desc = p.Page, p.PerPage, true
	if st := r.URL.Query().Get("status"); st != "" {
		q.Statuses = strings.Split(st, ",")
	}
	res, err := api.Tickets.List(r.Context(), a, q)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	vis := api.portalFields(r, a)
	out := make([]requestJSON, len(res.Tickets))
	for i, t := range res.Tickets {
		out[i] = api.toRequestJSON(r, a, t, vis)
	}
	next, prev := pageLinks(r, p, res.Count)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"requests": out, "next_page": next, "previous_page": prev, "count": res.Count})
}

// ShowRequest: GET /api/v2/requests/{id}.
func (api *API) ShowRequest(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
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
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"request": api.toRequestJSON(r, a, t, api.portalFields(r, a))})
}

// CreateRequest: POST /api/v2/requests.
func (api *API) CreateRequest(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	in, err := decodeRequest(w, r, api.MaxBody)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	nt := ticket.NewTicket{RequesterID: a.UserID, Via: "web"}
	if in.Subject != nil {
		nt.Subject = *in.Subject
	}
	switch {
	case in.Comment != nil:
		nt.Comment = in.Comment.toNew()
		nt.Comment.Public = nil
	case in.Description != nil:
		nt.Comment = ticket.NewComment{Body: *in.Description}
	default:
		httpx.Fail(w, r, apperr.Invalid("comment", "required", "a request needs a comment"))
		return
	}
	if nt.CustomFields, err = in.customFields(); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	t, err := api.Tickets.Create(r.Context(), a, nt)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"request": api.toRequestJSON(r, a, t, api.portalFields(r, a))})
}

// UpdateRequest: PUT /api/v2/requests/{id}: a reply and/or "solved": true.
func (api *API) UpdateRequest(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	in, err := decodeRequest(w, r, api.MaxBody)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	var p ticket.Patch
	if in.Comment != nil {
		c := in.Comment.toNew()
		c.Public = nil
		p.Comment = &c
	}
	if in.Solved != nil && *in.Solved {
		s := "solved"
		p.Status = &s
	}
	if p.Comment == nil && p.Status == nil {
		httpx.Fail(w, r, apperr.Invalid("request", "required", "send a comment or solved: true"))
		return
	}
	t, err := api.Tickets.Update(r.Context(), a, id, p)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"request": api.toRequestJSON(r, a, t, api.portalFields(r, a))})
}

// RequestComments: GET /api/v2/requests/{id}/comments: public comments only
// for customers (the service filters).
func (api *API) RequestComments(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	api.listComments(w, r, a)
}
