package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/apperr"
	"layan/internal/directory"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

type groupJSON struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Default     bool   `json:"default"`
	Deleted     bool   `json:"deleted"`
	IsPublic    bool   `json:"is_public"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func toGroupJSON(r *http.Request, g directory.Group) groupJSON {
	return groupJSON{ID: g.ID, URL: resourceURL(r, "groups", g.ID), Name: g.Name, Description: g.Description,
		Default: g.Default, IsPublic: true, CreatedAt: g.CreatedAt.Format(time.RFC3339), UpdatedAt: g.UpdatedAt.Format(time.RFC3339)}
}

type groupIn struct {
	ID          json.RawMessage `json:"id"`
	URL         json.RawMessage `json:"url"`
	Name        *string         `json:"name"`
	Description *string         `json:"description"`
	Default     json.RawMessage `json:"default"`
	Deleted     json.RawMessage `json:"deleted"`
	IsPublic    json.RawMessage `json:"is_public"`
	CreatedAt   json.RawMessage `json:"created_at"`
	UpdatedAt   json.RawMessage `json:"updated_at"`
}

func decodeGroup(w http.ResponseWriter, r *http.Request, limit int64) (*groupIn, error) {
	var body struct {
		Group *groupIn `json:"group"`
	}
	if err := httpx.DecodeJSON(w, r, limit, &body); err != nil {
		return nil, err
	}
	if body.Group == nil {
		return nil, apperr.Invalid("group", "required", "the body needs a group object")
	}
	return body.Group, nil
}

// ListGroups: GET /api/v2/groups.
func (api *API) ListGroups(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	gs, err := api.Dir.ListGroups(r.Context(), a)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	out := make([]groupJSON, len(gs))
	for i, g := range gs {
		out[i] = toGroupJSON(r, g)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"groups": out, "next_page": nil, "previous_page": nil, "count": len(out)})
}

// ShowGroup: GET /api/v2/groups/{id}.
func (api *API) ShowGroup(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	g, err := api.Dir.GetGroup(r.Context(), a, id)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"group": toGroupJSON(r, g)})
}

// CreateGroup: POST /api/v2/groups.
func (api *API) CreateGroup(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	in, err := decodeGroup(w, r, api.MaxBody)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	name, desc := "", ""
	if in.Name != nil {
		name = *in.Name
	}
	if in.Description != nil {
		desc = *in.Description
	}
	g, err := api.Dir.CreateGroup(r.Context(), a, name, desc)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"group": toGroupJSON(r, g)})
}

// UpdateGroup: PUT /api/v2/groups/{id}.
func (api *API) UpdateGroup(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	in, err := decodeGroup(w, r, api.MaxBody)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	g, err := api.Dir.UpdateGroup(r.Context(), a, id, in.Name, in.Description)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"group": toGroupJSON(r, g)})
}

// DeleteGroup: DELETE /api/v2/groups/{id}.
func (api *API) DeleteGroup(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if err := api.Dir.DeleteGroup(r.Context(), a, id); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// CreateMembership: POST /api/v2/group_memberships {"group_membership": {"user_id", "group_id"}}.
func (api *API) CreateMembership(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	var body struct {
		GroupMembership *struct {
			UserID  int64           `json:"user_id"`
			GroupID int64           `json:"group_id"`
			Default json.RawMessage `json:"default"`
		} `json:"group_membership"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	m := body.GroupMembership
	if m == nil {
		httpx.Fail(w, r, apperr.Invalid("group_membership", "required", "the body needs a group_membership object"))
		return
	}
	if err := api.Dir.AddMember(r.Context(), a, m.UserID, m.GroupID); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"group_membership": map[string]any{
		"user_id": m.UserID, "group_id": m.GroupID, "default": false}})
}

// GroupTickets lists a group's tickets (used by views).
func ticketListFor(kind string, id int64) ticket.ListQuery {
	switch kind {
	case "organization":
		return ticket.ListQuery{OrganizationID: id}
	case "group":
		return ticket.ListQuery{GroupID: id}
	case "requester":
		return ticket.ListQuery{RequesterID: id}
	case "assignee":
		return ticket.ListQuery{AssigneeID: id}
	}
	return ticket.ListQuery{}
}
