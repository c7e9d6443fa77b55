package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/auth"
	"layan/internal/ticket"
)

type fieldJSON struct {
	ID                 int64                `json:"id"`
	URL                string               `json:"url"`
	Type               string               `json:"type"`
	Title              string               `json:"title"`
	Description        string               `json:"description"`
	Active             bool                 `json:"active"`
	Required           bool                 `json:"required"`
	VisibleInPortal    bool                 `json:"visible_in_portal"`
	EditableInPortal   bool                 `json:"editable_in_portal"`
	Position           int64                `json:"position"`
	CustomFieldOptions []ticket.FieldOption `json:"custom_field_options"`
	CreatedAt          string               `json:"created_at"`
	UpdatedAt          string               `json:"updated_at"`
}

func toFieldJSON(r *http.Request, f ticket.Field) fieldJSON {
	return fieldJSON{ID: f.ID, URL: resourceURL(r, "ticket_fields", f.ID), Type: f.Type, Title: f.Title,
		Description: f.Description, Active: f.Active, Required: f.Required, VisibleInPortal: f.VisibleInPortal,
		EditableInPortal: f.EditableInPortal, Position: f.Position, CustomFieldOptions: f.Options,
		CreatedAt: f.CreatedAt.Format(time.RFC3339), UpdatedAt: f.UpdatedAt.Format(time.RFC3339)}
}

type fieldIn struct {
	ID                 json.RawMessage      `json:"id"`
	URL                json.RawMessage      `json:"url"`
	Type               string               `json:"type"`
	Title              string               `json:"title"`
	Description        string               `json:"description"`
	Active             *bool                `json:"active"`
	Required           bool                 `json:"required"`
	VisibleInPortal    bool                 `json:"visible_in_portal"`
	EditableInPortal   bool                 `json:"editable_in_portal"`
	Position           int64                `json:"position"`
	CustomFieldOptions []ticket.FieldOption `json:"custom_field_options"`
	CreatedAt          json.RawMessage      `json:"created_at"`
	UpdatedAt          json.RawMessage      `json:"updated_at"`
}

type fieldBody struct {
	TicketField fieldJSON `json:"ticket_field"`
}

// ListFields: GET /api/v2/ticket_fields.
func (api *API) ListFields(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	fs, err := api.Tickets.Fields(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	out := make([]fieldJSON, len(fs))
	for i, f := range fs {
		out[i] = toFieldJSON(r, f)
	}
	return http.StatusOK, map[string]any{"ticket_fields": out, "count": len(out), "next_page": nil, "previous_page": nil}, nil
}

// ShowField: GET /api/v2/ticket_fields/{id}.
func (api *API) ShowField(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	f, err := api.Tickets.GetField(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, fieldBody{toFieldJSON(r, f)}, nil
}

// SaveField: POST /api/v2/ticket_fields and PUT /api/v2/ticket_fields/{id}.
func (api *API) SaveField(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = idFromPath(r); err != nil {
			return 0, nil, err
		}
	}
	in, err := decodeObject[fieldIn](w, r, api.MaxBody, "ticket_field")
	if err != nil {
		return 0, nil, err
	}
	f := ticket.Field{ID: id, Type: in.Type, Title: in.Title, Description: in.Description, Active: true, Required: in.Required,
		VisibleInPortal: in.VisibleInPortal, EditableInPortal: in.EditableInPortal, Position: in.Position, Options: in.CustomFieldOptions}
	if in.Active != nil {
		f.Active = *in.Active
	}
	saved, err := api.Tickets.SaveField(r.Context(), a, f)
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	return status, fieldBody{toFieldJSON(r, saved)}, nil
}

// DeleteField: DELETE /api/v2/ticket_fields/{id}.
func (api *API) DeleteField(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Tickets.DeleteField(r.Context(), a, id)
}

// UserTickets: GET /api/v2/users/{id}/tickets/requested and .../assigned.
func (api *API) UserTickets(assigned bool) Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := idFromPath(r)
		if err != nil {
			return 0, nil, err
		}
		q := ticket.ListQuery{RequesterID: id}
		if assigned {
			q = ticket.ListQuery{AssigneeID: id}
		}
		return api.listTickets(r, a, q, "tickets")
	}
}

// TicketEvents: GET /api/layan/v1/tickets/{id}/events: the audit trail.
func (api *API) TicketEvents(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	evs, err := api.Tickets.Events(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"events": evs}, nil
}
