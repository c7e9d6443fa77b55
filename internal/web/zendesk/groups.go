package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/auth"
	"layan/internal/directory"
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

type groupBody struct {
	Group groupJSON `json:"group"`
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// ListGroups: GET /api/v2/groups.
func (api *API) ListGroups(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	gs, err := api.Dir.ListGroups(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	out := make([]groupJSON, len(gs))
	for i, g := range gs {
		out[i] = toGroupJSON(r, g)
	}
	return http.StatusOK, map[string]any{"groups": out, "next_page": nil, "previous_page": nil, "count": len(out)}, nil
}

// ShowGroup: GET /api/v2/groups/{id}.
func (api *API) ShowGroup(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	g, err := api.Dir.GetGroup(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, groupBody{toGroupJSON(r, g)}, nil
}

// CreateGroup: POST /api/v2/groups.
func (api *API) CreateGroup(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decodeObject[groupIn](w, r, api.MaxBody, "group")
	if err != nil {
		return 0, nil, err
	}
	g, err := api.Dir.CreateGroup(r.Context(), a, deref(in.Name), deref(in.Description))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, groupBody{toGroupJSON(r, g)}, nil
}

// UpdateGroup: PUT /api/v2/groups/{id}.
func (api *API) UpdateGroup(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decodeObject[groupIn](w, r, api.MaxBody, "group")
	if err != nil {
		return 0, nil, err
	}
	g, err := api.Dir.UpdateGroup(r.Context(), a, id, in.Name, in.Description)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, groupBody{toGroupJSON(r, g)}, nil
}

// DeleteGroup: DELETE /api/v2/groups/{id}.
func (api *API) DeleteGroup(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Dir.DeleteGroup(r.Context(), a, id)
}

type membershipIn struct {
	UserID  int64           `json:"user_id"`
	GroupID int64           `json:"group_id"`
	Default json.RawMessage `json:"default"`
}

// CreateMembership: POST /api/v2/group_memberships {"group_membership": {"user_id", "group_id"}}.
func (api *API) CreateMembership(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	m, err := decodeObject[membershipIn](w, r, api.MaxBody, "group_membership")
	if err != nil {
		return 0, nil, err
	}
	if err := api.Dir.AddMember(r.Context(), a, m.UserID, m.GroupID); err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"group_membership": map[string]any{
		"user_id": m.UserID, "group_id": m.GroupID, "default": false}}, nil
}
