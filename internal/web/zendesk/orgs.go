package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/ticket"
)

type orgJSON struct {
	ID                 int64          `json:"id"`
	URL                string         `json:"url"`
	Name               string         `json:"name"`
	Details            string         `json:"details"`
	Notes              string         `json:"notes"`
	ExternalID         *string        `json:"external_id"`
	GroupID            *int64         `json:"group_id"`
	SharedTickets      bool           `json:"shared_tickets"`
	SharedComments     bool           `json:"shared_comments"`
	Tags               []string       `json:"tags"`
	DomainNames        []string       `json:"domain_names"`
	OrganizationFields map[string]any `json:"organization_fields"`
	AccountOwnerID     *int64         `json:"account_owner_id"`
	CreatedAt          string         `json:"created_at"`
	UpdatedAt          string         `json:"updated_at"`
}

func toOrgJSON(r *http.Request, o directory.Organization) orgJSON {
	return orgJSON{ID: o.ID, URL: resourceURL(r, "organizations", o.ID), Name: o.Name, Details: o.Details, Notes: o.Notes,
		ExternalID: strOrNil(o.ExternalID), GroupID: idOrNil(o.GroupID), SharedTickets: o.SharedTickets,
		SharedComments: o.SharedComments, Tags: o.Tags, DomainNames: o.DomainNames, OrganizationFields: map[string]any{},
		AccountOwnerID: idOrNil(o.AccountOwnerID), CreatedAt: o.CreatedAt.Format(time.RFC3339), UpdatedAt: o.UpdatedAt.Format(time.RFC3339)}
}

func orgsJSON(r *http.Request, os []directory.Organization) []orgJSON {
	out := make([]orgJSON, len(os))
	for i, o := range os {
		out[i] = toOrgJSON(r, o)
	}
	return out
}

type orgIn struct {
	ID                 json.RawMessage `json:"id"`
	URL                json.RawMessage `json:"url"`
	Name               *string         `json:"name"`
	Details            *string         `json:"details"`
	Notes              *string         `json:"notes"`
	ExternalID         *string         `json:"external_id"`
	GroupID            *nullableID     `json:"group_id"`
	SharedTickets      *bool           `json:"shared_tickets"`
	SharedComments     *bool           `json:"shared_comments"`
	Tags               *[]string       `json:"tags"`
	DomainNames        *[]string       `json:"domain_names"`
	OrganizationFields json.RawMessage `json:"organization_fields"`
	AccountOwnerID     *nullableID     `json:"account_owner_id"`
	CreatedAt          json.RawMessage `json:"created_at"`
	UpdatedAt          json.RawMessage `json:"updated_at"`
}

func (in *orgIn) toPatch() directory.OrgPatch {
	p := directory.OrgPatch{Name: in.Name, Details: in.Details, Notes: in.Notes, ExternalID: in.ExternalID,
		SharedTickets: in.SharedTickets, SharedComments: in.SharedComments, Tags: in.Tags, DomainNames: in.DomainNames}
	if in.GroupID != nil {
		p.GroupID = &in.GroupID.V
	}
	if in.AccountOwnerID != nil {
		p.AccountOwnerID = &in.AccountOwnerID.V
	}
	return p
}

func (in *orgIn) toInput() directory.OrgInput {
	p := in.toPatch()
	var o directory.OrgInput
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&o.Name, p.Name)
	set(&o.Details, p.Details)
	set(&o.Notes, p.Notes)
	set(&o.ExternalID, p.ExternalID)
	if p.GroupID != nil {
		o.GroupID = *p.GroupID
	}
	if p.SharedTickets != nil {
		o.SharedTickets = *p.SharedTickets
	}
	if p.SharedComments != nil {
		o.SharedComments = *p.SharedComments
	}
	if p.Tags != nil {
		o.Tags = *p.Tags
	}
	if p.DomainNames != nil {
		o.DomainNames = *p.DomainNames
	}
	if p.AccountOwnerID != nil {
		o.AccountOwnerID = *p.AccountOwnerID
	}
	return o
}

type orgBody struct {
	Organization orgJSON `json:"organization"`
}

// ListOrganizations: GET /api/v2/organizations.
func (api *API) ListOrganizations(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	size, after, _, cursor, err := cursorRequest(r)
	if err != nil {
		return 0, nil, err
	}
	if cursor {
		from, err := afterID(after)
		if err != nil {
			return 0, nil, err
		}
		orgs, _, err := api.Dir.ListOrganizations(r.Context(), a, directory.Page{PerPage: size, After: from, Keyset: true})
		if err != nil {
			return 0, nil, err
		}
		orgs, meta, links := idKeysetPage(r, orgs, size, func(o directory.Organization) int64 { return o.ID })
		return http.StatusOK, map[string]any{"organizations": orgsJSON(r, orgs), "meta": meta, "links": links}, nil
	}
	p, err := readOffsetPage(r)
	if err != nil {
		return 0, nil, err
	}
	orgs, total, err := api.Dir.ListOrganizations(r.Context(), a, directory.Page{Page: p.Page, PerPage: p.PerPage})
	if err != nil {
		return 0, nil, err
	}
	next, prev := pageLinks(r, p, total)
	return http.StatusOK, map[string]any{"organizations": orgsJSON(r, orgs), "next_page": next, "previous_page": prev, "count": total}, nil
}

// ShowOrganization: GET /api/v2/organizations/{id}.
func (api *API) ShowOrganization(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	o, err := api.Dir.GetOrganization(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, orgBody{toOrgJSON(r, o)}, nil
}

// CreateOrganization: POST /api/v2/organizations.
func (api *API) CreateOrganization(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decodeObject[orgIn](w, r, api.MaxBody, "organization")
	if err != nil {
		return 0, nil, err
	}
	o, err := api.Dir.CreateOrganization(r.Context(), a, in.toInput())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, orgBody{toOrgJSON(r, o)}, nil
}

// UpdateOrganization: PUT /api/v2/organizations/{id}.
func (api *API) UpdateOrganization(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	in, err := decodeObject[orgIn](w, r, api.MaxBody, "organization")
	if err != nil {
		return 0, nil, err
	}
	o, err := api.Dir.UpdateOrganization(r.Context(), a, id, in.toPatch())
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, orgBody{toOrgJSON(r, o)}, nil
}

// DeleteOrganization: DELETE /api/v2/organizations/{id}.
func (api *API) DeleteOrganization(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Dir.DeleteOrganization(r.Context(), a, id)
}

// OrganizationTickets: GET /api/v2/organizations/{id}/tickets.
func (api *API) OrganizationTickets(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return api.listTickets(r, a, ticket.ListQuery{OrganizationID: id}, "tickets")
}
