package measureapi

import (
	"net/http"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/journey"
	"layan/internal/web/httpx"
)

// RecordCustomerEvent: POST /api/layan/v1/customer_events
// {"customer_event": {"customer_id", "type": signup|purchase|cancellation|custom, "name", "value_cents", "occurred_at"}}.
func (api *API) RecordCustomerEvent(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var in struct {
		Event *struct {
			CustomerID int64  `json:"customer_id"`
			Type       string `json:"type"`
			Name       string `json:"name"`
			ValueCents int64  `json:"value_cents"`
			OccurredAt string `json:"occurred_at"`
		} `json:"customer_event"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Event == nil {
		return 0, nil, apperr.Invalid("customer_event", "required", "the body needs a customer_event object")
	}
	e := journey.Event{CustomerID: in.Event.CustomerID, Type: in.Event.Type, Name: in.Event.Name, ValueCents: in.Event.ValueCents}
	if in.Event.OccurredAt != "" {
		t, err := time.Parse(time.RFC3339, in.Event.OccurredAt)
		if err != nil {
			return 0, nil, apperr.Invalid("occurred_at", "invalid", "use RFC 3339")
		}
		e.OccurredAt = t.UTC()
	}
	e, err := api.Journey.Record(r.Context(), a, e)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"customer_event": e}, nil
}

// CustomerJourney: GET /api/layan/v1/customers/{id}/journey — events and lifetime value.
func (api *API) CustomerJourney(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	j, err := api.Journey.ForCustomer(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"journey": j}, nil
}

// ChurnRisk: GET /api/layan/v1/churn_risk?weeks=4 (admins).
func (api *API) ChurnRisk(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	weeks := 4
	if v := r.URL.Query().Get("weeks"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return 0, nil, apperr.Invalid("weeks", "invalid", "a number of weeks")
		}
		weeks = n
	}
	rs, err := api.Journey.ChurnRisk(r.Context(), a, weeks)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"churn_risk": rs}, nil
}
