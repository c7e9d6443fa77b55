package zendesk

import (
	"encoding/json"
	"net/http"
	"time"

	"layan/internal/apperr"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
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

// ListFields: GET /api/v2/ticket_fields.
func (api *API) ListFields(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	fs, err := api.Tickets.Fields(r.Context(), a)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	out := make([]fieldJSON, len(fs))
	for i, f := range fs {
		out[i] = toFieldJSON(r, f)
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"ticket_fields": out, "count": len(out), "next_page": nil, "previous_page": nil})
}

// ShowField: GET /api/v2/ticket_fields/{id}.
func (api *API) ShowField(w http.ResponseWriter, r *http.Request) {
	a, ok := actor(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	f, err := api.Tickets.GetField(r.Context(), a, id)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"ticket_field": toFieldJSON(r, f)})
}

// SaveField: POST /api/v2/ticket_fields and PUT /api/v2/ticket_fields/{id}.
func (api *API) SaveField(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = httpx.PathID(r, "id"); err != nil {
			httpx.Fail(w, r, err)
			return
		}
	}
	var body struct {
		TicketField *fieldIn `json:"ticket_field"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	in := body.TicketField
	if in == nil {
		httpx.Fail(w, r, apperr.Invalid("ticket_field", "required", "the body needs a ticket_field object"))
		return
	}
	f := ticket.Field{ID: id, Type: in.Type, Title: in.Title, Description: in.Description, Active: true, Required: in.Required,
		VisibleInPortal: in.VisibleInPortal, EditableInPortal: in.EditableInPortal, Position: in.Position, Options: in.CustomFieldOptions}
	if in.Active != nil {
		f.Active = *in.Active
	}
	saved, err := api.Tickets.SaveField(r.Context(), a, f)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	httpx.WriteJSON(w, status, map[string]any{"ticket_field": toFieldJSON(r, saved)})
}

// DeleteField: DELETE /api/v2/ticket_fields/{id}.
func (api *API) DeleteField(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	if err := api.Tickets.DeleteField(r.Context(), a, id); err != nil {
		httpx.Fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// UserTickets: GET /api/v2/users/{id}/tickets/requested and .../assigned.
func (api *API) UserTickets(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, ok := staff(w, r)
		if !ok {
			return
		}
		id, err := httpx.PathID(r, "id")
		if err != nil {
			httpx.Fail(w, r, err)
			return
		}
		api.listTickets(w, r, a, ticketListFor(kind, id), "tickets")
	}
}

// TicketEvents: GET /api/layan/v1/tickets/{id}/events: the audit trail.
func (api *API) TicketEvents(w http.ResponseWriter, r *http.Request) {
	a, ok := staff(w, r)
	if !ok {
		return
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	evs, err := api.Tickets.Events(r.Context(), a, id)
	if err != nil {
		httpx.Fail(w, r, err)
		return
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]any{"events": evs})
}
