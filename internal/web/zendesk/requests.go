package zendesk

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/ticket"
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

func (api *API) toRequestJSON(r *http.Request, a auth.Actor, t ticket.Ticket, visibleFields map[int64]bool) requestJSON {
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
func (api *API) portalFields(r *http.Request, a auth.Actor) map[int64]bool {
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

func (in *requestIn) customFields() (map[int64]any, error) {
	t := ticketIn{CustomFields: in.CustomFields, Fields: in.Fields}
	return t.customFields()
}

type requestBody struct {
	Request requestJSON `json:"request"`
}

// ListRequests: GET /api/v2/requests: the caller's own requests.
func (api *API) ListRequests(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return api.listRequests(r, a, ticket.ListQuery{RequesterID: a.UserID})
}

// OrganizationRequests: GET /api/v2/organizations/{id}/requests: the
// organisation's shared requests (its members, when it shares them; staff).
func (api *API) OrganizationRequests(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	if !a.IsStaff() && a.OrganizationID != id {
		return 0, nil, apperr.NotFound("organization")
	}
	return api.listRequests(r, a, ticket.ListQuery{OrganizationID: id})
}

func (api *API) listRequests(r *http.Request, a auth.Actor, q ticket.ListQuery) (int, any, error) {
	p, err := readOffsetPage(r)
	if err != nil {
		return 0, nil, err
	}
	q.Page, q.PerPage, q.Desc = p.Page, p.PerPage, true
	if st := r.URL.Query().Get("status"); st != "" {
		q.Statuses = strings.Split(st, ",")
	}
	res, err := api.Tickets.List(r.Context(), a, q)
	if err != nil {
		return 0, nil, err
	}
	vis := api.portalFields(r, a)
	out := make([]requestJSON, len(res.Tickets))
	for i, t := range res.Tickets {
		out[i] = api.toRequestJSON(r, a, t, vis)
	}
	next, prev := pageLinks(r, p, res.Count)
	return http.StatusOK, map[string]any{"requests": out, "next_page": next, "previous_page": prev, "count": res.Count}, nil
}

// ShowRequest: GET /api/v2/requests/{id}.
func (api *API) ShowRequest(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Tickets.Get(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, requestBody{api.toRequestJSON(r, a, t, api.portalFields(r, a))}, nil
}

// CreateRequest: POST /api/v2/requests.
func (api *API) CreateRequest(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decodeObject[requestIn](w, r, api.MaxBody, "request")
	if err != nil {
		return 0, nil, err
	}
	nt := ticket.NewTicket{RequesterID: a.UserID, Via: "web", Subject: deref(in.Subject)}
	switch {
	case in.Comment != nil:
		nt.Comment = in.Comment.toNew()
		nt.Comment.Public = nil
	case in.Description != nil:
		nt.Comment = ticket.NewComment{Body: *in.Description}
	default:
		return 0, nil, apperr.Invalid("comment", "required", "a request needs a comment")
	}
	if nt.CustomFields, err = in.customFields(); err != nil {
		return 0, nil, err
	}
	t, err := api.Tickets.Create(r.Context(), a, nt)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, requestBody{api.toRequestJSON(r, a, t, api.portalFields(r, a))}, nil
}

// UpdateRequest: PUT /api/v2/requests/{id}: a reply and/or "solved": true.
func (api *API) UpdateRequest(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decodeObject[requestIn](w, r, api.MaxBody, "request")
	if err != nil {
		return 0, nil, err
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
		return 0, nil, apperr.Invalid("request", "required", "send a comment or solved: true")
	}
	t, err := api.Tickets.Update(r.Context(), a, id, p)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, requestBody{api.toRequestJSON(r, a, t, api.portalFields(r, a))}, nil
}
