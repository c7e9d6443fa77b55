package zendesk

import (
	"net/http"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

// timeEntryJSON is one logged stretch of work (Layan's own API).
type timeEntryJSON struct {
	ID           int64     `json:"id"`
	TicketID     int64     `json:"ticket_id"`
	AgentID      int64     `json:"agent_id"`
	Source       string    `json:"source"`
	Seconds      int64     `json:"seconds"`
	Milliseconds int64     `json:"milliseconds"`
	CreatedAt    time.Time `json:"created_at"`
}

type agentWorkJSON struct {
	AgentID      int64 `json:"agent_id"`
	Seconds      int64 `json:"seconds"`
	Milliseconds int64 `json:"milliseconds"`
	Entries      int   `json:"entries"`
}

type workTotalsJSON struct {
	Seconds      int64           `json:"seconds"`
	Milliseconds int64           `json:"milliseconds"`
	Entries      int             `json:"entries"`
	Agents       []agentWorkJSON `json:"agents"`
}

func timeEntry(e ticket.WorkEntry) timeEntryJSON {
	return timeEntryJSON{ID: e.ID, TicketID: e.TicketID, AgentID: e.AgentID, Source: e.Source,
		Seconds: int64(e.Duration / time.Second), Milliseconds: e.Duration.Milliseconds(), CreatedAt: e.CreatedAt.UTC()}
}

// CreateTimeEntry: POST /api/layan/v1/tickets/{id}/time_entries
// {"seconds": N, "source": "api"}: the caller logs N seconds of their own
// work on the ticket (1 s to 12 h; source api by default, or timer|manual).
func (api *API) CreateTimeEntry(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	var body struct {
		Seconds int64  `json:"seconds"`
		Source  string `json:"source"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &body); err != nil {
		return 0, nil, err
	}
	if body.Source == "" {
		body.Source = ticket.WorkAPI
	}
	// Checked before multiplying, so a huge number cannot wrap into range.
	if body.Seconds < int64(ticket.MinWork/time.Second) || body.Seconds > int64(ticket.MaxWork/time.Second) {
		return 0, nil, apperr.Invalid("seconds", "out_of_range", "must be between 1 and 43200 (12 hours)")
	}
	e, err := api.Tickets.LogWork(r.Context(), a, id, time.Duration(body.Seconds)*time.Second, body.Source)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"time_entry": timeEntry(e)}, nil
}

// ListTimeEntries: GET /api/layan/v1/tickets/{id}/time_entries: the work
// logged on the ticket, oldest first, and its totals (per agent, the
// largest first).
func (api *API) ListTimeEntries(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := idFromPath(r)
	if err != nil {
		return 0, nil, err
	}
	entries, tot, err := api.Tickets.WorkLog(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]timeEntryJSON, len(entries))
	for i, e := range entries {
		out[i] = timeEntry(e)
	}
	totals := workTotalsJSON{Seconds: int64(tot.Total / time.Second), Milliseconds: tot.Total.Milliseconds(),
		Entries: tot.Entries, Agents: make([]agentWorkJSON, len(tot.Agents))}
	for i, ag := range tot.Agents {
		totals.Agents[i] = agentWorkJSON{AgentID: ag.AgentID, Seconds: int64(ag.Total / time.Second),
			Milliseconds: ag.Total.Milliseconds(), Entries: ag.Entries}
	}
	return http.StatusOK, map[string]any{"time_entries": out, "totals": totals}, nil
}
