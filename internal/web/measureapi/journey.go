package measureapi

import (
	"net/http"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/journey"
	"layan/internal/web/httpx"
	"layan/internal/web/zendesk"
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

// JourneyContacts: GET /api/layan/v1/journey/contacts?organization_id= —
// tickets by week since each customer's first purchase, by channel and by
// topic (admins).
func (api *API) JourneyContacts(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	org, err := parseID(r, "organization_id")
	if err != nil {
		return 0, nil, err
	}
	c, err := api.Journey.ContactsByWeek(r.Context(), a, org)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"journey_contacts": c}, nil
}

// ChurnedVsRetained: GET /api/layan/v1/journey/churned_vs_retained?organization_id=
// — contacts, contact share and CSAT of churned and retained customers (admins).
func (api *API) ChurnedVsRetained(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	org, err := parseID(r, "organization_id")
	if err != nil {
		return 0, nil, err
	}
	c, err := api.Journey.ChurnedVsRetained(r.Context(), a, org)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"churned_vs_retained": c}, nil
}

// ReachOut: POST /api/layan/v1/churn_risk/{customer_id}/reach_out
// {"subject", "message"} → 201 {"ticket"}: a proactive ticket to the
// customer, assigned to the caller (admins and agents).
func (api *API) ReachOut(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "customer_id")
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Subject string `json:"subject"`
		Message string `json:"message"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	t, err := api.Journey.ReachOut(r.Context(), a, journey.ReachOut{CustomerID: id, Subject: in.Subject, Message: in.Message, Via: "api"})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"ticket": zendesk.TicketJSON(r, t)}, nil
}
