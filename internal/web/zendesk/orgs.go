package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/apperr"
	"layan/internal/directory"
	"layan/internal/web/httpx"
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

// ListOrganizations: GET /api/v2/organizations.
func (api *API) ListOrganizations(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	size, after, _, cursor, err := cursorRequest(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if cursor {
		var afterID int64
		if after != "" {
			if afterID, err = decodeIDCursor(after); err != nil {
				httpx.Fail(w, r, err)
				return
			}
		}
		orgs, _, err := api.Dir.ListOrganizations(r.Context(), a, directory.Page{PerPage: size, After: afterID, Keyset: true})
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		more := len(orgs) > size
		if more {
			orgs = orgs[:size]
		}
		meta := cursorMeta{HasMore: more}
		var next *string
		if len(orgs) > 0 {
			meta.AfterCursor = encodeIDCursor(orgs[len(orgs)-1].ID)
			if more {
				next = cursorLink(r, "page[after]", meta.AfterCursor, size)
			}
		}
		httpx.WriteJSON(w, http.StatusOK, map[string]any{"organizations": orgsJSON(r, orgs), "meta": meta, "links": cursorLinks{Next: next}})
		return
	}
	p, err := readOffsetPage(r)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	orgs, total, err := api.Dir.ListOrganizations(r.Context(), a, directory.Page{Page: p.Page, PerPage: p.PerPage})
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	next, prev := pageLinks(r, p, total)
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"organizations": orgsJSON(r, orgs), "next_page": next, "previous_page": prev, "count": total})
}

// ShowOrganization: GET /api/v2/organizations/{id}.
func (api *API) ShowOrganization(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	o, err := api.Dir.GetOrganization(r.Context(), a, id)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"organization": toOrgJSON(r, o)})
}

func decodeOrg(w http.ResponseWriter, r *http.Request, limit int64) (*orgIn, error) {
	var body struct {
		Organization *orgIn `json:"organization"`
	}
	if err := httpx.DecodeJSON(w, r, limit, &body); err != nil {
		return nil, err
	}
	if body.Organization == nil {
		return nil, apperr.Invalid("organization", "required", "the body needs an organization object")
	}
	return body.Organization, nil
}

// CreateOrganization: POST /api/v2/organizations.
func (api *API) CreateOrganization(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	in, err := decodeOrg(w, r, api.MaxBody)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	o, err := api.Dir.CreateOrganization(r.Context(), a, in.toInput())
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusCreated, map[string]any{"organization": toOrgJSON(r, o)})
}

// UpdateOrganization: PUT /api/v2/organizations/{id}.
func (api *API) UpdateOrganization(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	in, err := decodeOrg(w, r, api.MaxBody)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	o, err := api.Dir.UpdateOrganization(r.Context(), a, id, in.toPatch())
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"organization": toOrgJSON(r, o)})
}

// DeleteOrganization: DELETE /api/v2/organizations/{id}.
func (api *API) DeleteOrganization(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if err := api.Dir.DeleteOrganization(r.Context(), a, id); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// OrganizationTickets: GET /api/v2/organizations/{id}/tickets.
func (api *API) OrganizationTickets(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	api.listTickets(w, r, a, ticketListFor("organization", id), "tickets")
}
