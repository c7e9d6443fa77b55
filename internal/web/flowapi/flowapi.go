// Package flowapi serves the flow of work over HTTP: triggers, automations,
// macros and SLA policies in Zendesk's API v2 paths and shapes (and the same
// under /api/layan/v1/), and Layan's own business-hours schedules, webhooks
// with their delivery log, routing settings, agent availability and ticket
// SLA state. Admins manage; agents read and apply macros; the automation
// service enforces it.
package flowapi

import (
	"context"
	"net/http"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/automation"
	"layan/internal/collab"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
	"layan/internal/web/zendesk"
)

// API holds the service the handlers call.
type API struct {
	Flow    *automation.Service
	MaxBody int64
	// Collab, when set, serves followers, CCs, notifications and side
	// conversations (collab.go).
	Collab *collab.Service
}

// Routes registers every endpoint with v2 (authenticated, CSRF-checked,
// rate-limited). staff(...) answers customers 403; the service decides
// between admins (manage) and agents (read, apply macros).
func (api *API) Routes(v2 func(string, http.HandlerFunc)) {
	staff := zendesk.Staff
	for _, p := range []string{"/api/v2", "/api/layan/v1"} {
		v2("GET "+p+"/triggers", staff(api.listRules(automation.KindTrigger)))                                                                               // staff
		v2("POST "+p+"/triggers", staff(api.saveRule(automation.KindTrigger, false)))                                                                        // admins
		v2("GET "+p+"/triggers/{id}", staff(api.showRule(automation.KindTrigger)))                                                                           // staff
		v2("PUT "+p+"/triggers/{id}", staff(api.saveRule(automation.KindTrigger, true)))                                                                     // admins
		v2("DELETE "+p+"/triggers/{id}", staff(api.delete(automation.KindTrigger)))                                                                          // admins
		v2("GET "+p+"/automations", staff(api.listRules(automation.KindAutomation)))                                                                         // staff
		v2("POST "+p+"/automations", staff(api.saveRule(automation.KindAutomation, false)))                                                                  // admins
		v2("GET "+p+"/automations/{id}", staff(api.showRule(automation.KindAutomation)))                                                                     // staff
		v2("PUT "+p+"/automations/{id}", staff(api.saveRule(automation.KindAutomation, true)))                                                               // admins
		v2("DELETE "+p+"/automations/{id}", staff(api.delete(automation.KindAutomation)))                                                                    // admins
		v2("GET "+p+"/macros", staff(api.listMacros(false)))                                                                                                 // staff
		v2("GET "+p+"/macros/active", staff(api.listMacros(true)))                                                                                           // staff
		v2("POST "+p+"/macros", staff(api.saveMacro(false)))                                                                                                 // admins
		v2("GET "+p+"/macros/{id}", staff(api.showMacro))                                                                                                    // staff
		v2("PUT "+p+"/macros/{id}", staff(api.saveMacro(true)))                                                                                              // admins
		v2("DELETE "+p+"/macros/{id}", staff(api.delete(automation.KindMacro)))                                                                              // admins
		v2("GET "+p+"/tickets/{ticket_id}/macros/{id}/apply", staff(api.previewMacro))                                                                       // staff who may read the ticket
		v2("GET "+p+"/slas/policies", staff(api.listPolicies))                                                                                               // staff
		v2("POST "+p+"/slas/policies", staff(saveDoc(api, "sla_policy", false, func(p *automation.Policy, id int64) { p.ID = id }, api.Flow.SavePolicy)))    // admins
		v2("GET "+p+"/slas/policies/{id}", staff(api.showPolicy))                                                                                            // staff
		v2("PUT "+p+"/slas/policies/{id}", staff(saveDoc(api, "sla_policy", true, func(p *automation.Policy, id int64) { p.ID = id }, api.Flow.SavePolicy))) // admins
		v2("DELETE "+p+"/slas/policies/{id}", staff(api.delete(automation.KindSLAPolicy)))                                                                   // admins
	}
	const own = "/api/layan/v1"
	v2("POST "+own+"/tickets/{ticket_id}/macros/{id}/apply", staff(api.applyMacro))                                                                         // agents who may edit the ticket
	v2("GET "+own+"/tickets/{id}/sla", staff(api.ticketSLA))                                                                                                // staff who may read the ticket
	v2("GET "+own+"/sla", staff(api.slaList))                                                                                                               // staff: ?state=breach_soon|breached|active|paused
	v2("GET "+own+"/schedules", staff(getDoc("schedules", api.Flow.Schedules)))                                                                             // staff
	v2("POST "+own+"/schedules", staff(saveDoc(api, "schedule", false, func(d *automation.ScheduleDoc, id int64) { d.ID = id }, api.Flow.SaveSchedule)))    // admins
	v2("PUT "+own+"/schedules/{id}", staff(saveDoc(api, "schedule", true, func(d *automation.ScheduleDoc, id int64) { d.ID = id }, api.Flow.SaveSchedule))) // admins
	v2("DELETE "+own+"/schedules/{id}", staff(api.delete(automation.KindSchedule)))                                                                         // admins
	v2("GET "+own+"/webhooks", staff(getDoc("webhooks", api.Flow.Webhooks)))                                                                                // admins
	v2("POST "+own+"/webhooks", staff(saveDoc(api, "webhook", false, func(h *automation.Webhook, id int64) { h.ID = id }, api.Flow.SaveWebhook)))           // admins
	v2("PUT "+own+"/webhooks/{id}", staff(saveDoc(api, "webhook", true, func(h *automation.Webhook, id int64) { h.ID = id }, api.Flow.SaveWebhook)))        // admins
	v2("DELETE "+own+"/webhooks/{id}", staff(api.delete(automation.KindWebhook)))                                                                           // admins
	v2("GET "+own+"/webhooks/{id}/deliveries", staff(api.deliveries))                                                                                       // admins
	v2("GET "+own+"/flow/settings", staff(getDoc("settings", api.Flow.Settings)))                                                                           // admins: webhook allow-list
	v2("PUT "+own+"/flow/settings", staff(putDoc(api, "settings", api.Flow.SaveSettings)))                                                                  // admins
	v2("GET "+own+"/routing", staff(getDoc("routing", api.Flow.Routing)))                                                                                   // staff
	v2("PUT "+own+"/routing", staff(putDoc(api, "routing", api.Flow.SaveRouting)))                                                                          // admins
	v2("GET "+own+"/availability", staff(getDoc("availability", api.Flow.Availabilities)))                                                                  // staff
	v2("PUT "+own+"/availability/{id}", staff(api.setAvailability))                                                                                         // the agent themself or admins
	api.collabRoutes(v2)
}

// getDoc serves a read that needs nothing but the actor, under key.
func getDoc[T any](key string, get func(context.Context, auth.Actor) (T, error)) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		v, err := get(r.Context(), a)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{key: v}, nil
	}
}

// putDoc serves the replacement of a singleton document sent as {"<key>": {...}}.
func putDoc[T any](api *API, key string, save func(context.Context, auth.Actor, T) (T, error)) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		var v T
		if err := api.decodeObject(w, r, key, &v); err != nil {
			return 0, nil, err
		}
		saved, err := save(r.Context(), a, v)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{key: saved}, nil
	}
}

// saveDoc serves the create (POST) and update (PUT .../{id}) of a flow object
// sent as {"<key>": {...}}: the path id, or 0 on create, replaces any id in
// the body, and the saved object comes back under the same key.
func saveDoc[T any](api *API, key string, update bool, setID func(*T, int64), save func(context.Context, auth.Actor, T) (T, error)) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		var v T
		if err := api.decodeObject(w, r, key, &v); err != nil {
			return 0, nil, err
		}
		id, status := int64(0), http.StatusCreated
		if update {
			var err error
			if id, err = httpx.PathID(r, "id"); err != nil {
				return 0, nil, err
			}
			status = http.StatusOK
		}
		setID(&v, id)
		saved, err := save(r.Context(), a, v)
		if err != nil {
			return 0, nil, err
		}
		return status, map[string]any{key: saved}, nil
	}
}

// decodeObject reads {"<key>": {...}} into v; the inner object may carry
// read-only fields a client sends back (url, created_at), which are ignored.
func (api *API) decodeObject(w http.ResponseWriter, r *http.Request, key string, v any) error {
	return httpx.DecodeObject(w, r, api.MaxBody, key, v, httpx.ObjectRules{UseNumber: true})
}

func plural(kind string) string {
	switch kind {
	case automation.KindSLAPolicy:
		return "sla_policies"
	}
	return kind + "s"
}

func listBody(key string, items any, n int) map[string]any {
	return map[string]any{key: items, "count": n, "next_page": nil, "previous_page": nil}
}

// ---- triggers and automations

type ruleIn struct {
	Title       string                `json:"title"`
	Description string                `json:"description"`
	Active      *bool                 `json:"active"`
	Position    int                   `json:"position"`
	Conditions  automation.Conditions `json:"conditions"`
	Actions     []automation.Action   `json:"actions"`
}

func (api *API) listRules(kind string) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		rs, err := api.Flow.Rules(r.Context(), a, kind)
		if err != nil {
			return 0, nil, err
		}
		if rs == nil {
			rs = []automation.Rule{}
		}
		return http.StatusOK, listBody(plural(kind), rs, len(rs)), nil
	}
}

func (api *API) showRule(kind string) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		rule, err := api.Flow.Rule(r.Context(), a, kind, id)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{kind: rule}, nil
	}
}

func (api *API) saveRule(kind string, update bool) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		var id int64
		if update {
			var err error
			if id, err = httpx.PathID(r, "id"); err != nil {
				return 0, nil, err
			}
		}
		var in ruleIn
		if err := api.decodeObject(w, r, kind, &in); err != nil {
			return 0, nil, err
		}
		rule := automation.Rule{ID: id, Kind: kind, Title: in.Title, Description: in.Description, Active: in.Active == nil || *in.Active,
			Position: in.Position, Conditions: in.Conditions, Actions: in.Actions}
		if update && in.Active == nil {
			if old, err := api.Flow.Rule(r.Context(), a, kind, id); err == nil {
				rule.Active = old.Active
			}
		}
		saved, err := api.Flow.SaveRule(r.Context(), a, rule)
		if err != nil {
			return 0, nil, err
		}
		status := http.StatusCreated
		if update {
			status = http.StatusOK
		}
		return status, map[string]any{kind: saved}, nil
	}
}

func (api *API) delete(kind string) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		if err := api.Flow.Delete(r.Context(), a, kind, id); err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, nil
	}
}

// ---- macros

type macroIn struct {
	Title       string              `json:"title"`
	Description string              `json:"description"`
	Active      *bool               `json:"active"`
	Position    int                 `json:"position"`
	Actions     []automation.Action `json:"actions"`
	Replies     map[string]string   `json:"replies"`
	Canned      bool                `json:"canned"`
}

func (api *API) listMacros(activeOnly bool) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		ms, err := api.Flow.Macros(r.Context(), a)
		if err != nil {
			return 0, nil, err
		}
		out := []automation.Macro{}
		for _, m := range ms {
			if !activeOnly || m.Active {
				out = append(out, m)
			}
		}
		return http.StatusOK, listBody("macros", out, len(out)), nil
	}
}

func (api *API) showMacro(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	m, err := api.Flow.Macro(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"macro": m}, nil
}

func (api *API) saveMacro(update bool) zendesk.Endpoint {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		var id int64
		if update {
			var err error
			if id, err = httpx.PathID(r, "id"); err != nil {
				return 0, nil, err
			}
		}
		var in macroIn
		if err := api.decodeObject(w, r, "macro", &in); err != nil {
			return 0, nil, err
		}
		m := automation.Macro{ID: id, Title: in.Title, Description: in.Description, Active: in.Active == nil || *in.Active,
			Position: in.Position, Actions: in.Actions, Replies: in.Replies, Canned: in.Canned}
		saved, err := api.Flow.SaveMacro(r.Context(), a, m)
		if err != nil {
			return 0, nil, err
		}
		status := http.StatusCreated
		if update {
			status = http.StatusOK
		}
		return status, map[string]any{"macro": saved}, nil
	}
}

func macroResult(t ticket.Ticket, p ticket.Patch) map[string]any {
	tk := map[string]any{"id": t.ID}
	if p.Status != nil {
		tk["status"] = *p.Status
	}
	if p.Priority != nil {
		tk["priority"] = *p.Priority
	}
	if p.Type != nil {
		tk["type"] = *p.Type
	}
	if p.GroupID != nil {
		tk["group_id"] = *p.GroupID
	}
	if p.AssigneeID != nil {
		tk["assignee_id"] = *p.AssigneeID
	}
	tags := append([]string(nil), t.Tags...)
	if p.Tags != nil {
		tags = *p.Tags
	}
	for _, add := range p.AddTags {
		tags = append(tags, add)
	}
	if p.Tags != nil || len(p.AddTags) > 0 || len(p.RemoveTags) > 0 {
		out := []string{}
		for _, x := range tags {
			keep := true
			for _, rm := range p.RemoveTags {
				if x == rm {
					keep = false
				}
			}
			if keep {
				out = append(out, x)
			}
		}
		tk["tags"] = out
	}
	res := map[string]any{"ticket": tk}
	if p.Comment != nil {
		res["comment"] = map[string]any{"body": p.Comment.Body, "public": p.Comment.Public == nil || *p.Comment.Public}
	}
	return map[string]any{"result": res}
}

func (api *API) previewMacro(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	tid, err := httpx.PathID(r, "ticket_id")
	if err != nil {
		return 0, nil, err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	t, p, err := api.Flow.MacroPreview(r.Context(), a, id, tid)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, macroResult(t, p), nil
}

func (api *API) applyMacro(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	tid, err := httpx.PathID(r, "ticket_id")
	if err != nil {
		return 0, nil, err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Flow.ApplyMacro(r.Context(), a, id, tid)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"ticket": map[string]any{"id": t.ID, "status": t.Status, "priority": t.Priority,
		"group_id": t.GroupID, "assignee_id": t.AssigneeID, "tags": t.Tags, "updated_at": t.UpdatedAt.Format(time.RFC3339)}}, nil
}

// ---- SLA

func (api *API) listPolicies(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	ps, err := api.Flow.Policies(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	if ps == nil {
		ps = []automation.Policy{}
	}
	return http.StatusOK, listBody("sla_policies", ps, len(ps)), nil
}

func (api *API) showPolicy(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := api.Flow.Policy(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"sla_policy": p}, nil
}

func (api *API) ticketSLA(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	s, err := api.Flow.SLAFor(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"sla": s}, nil
}

func (api *API) slaList(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	n, err := httpx.QueryInt(r, "limit", 100)
	if err != nil {
		return 0, nil, err
	}
	state := r.URL.Query().Get("state")
	switch state {
	case "", automation.StateActive, automation.StateBreachSoon, automation.StateBreached, automation.StatePaused, automation.StateAchieved:
	default:
		return 0, nil, apperr.Invalid("state", "invalid", "active, breach_soon, breached, paused or achieved")
	}
	l, err := api.Flow.SLAList(r.Context(), a, state, n)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"slas": l, "count": len(l)}, nil
}

// ---- schedules

// ---- webhooks

func (api *API) deliveries(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	ds, err := api.Flow.Deliveries(r.Context(), a, id, 100)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"deliveries": ds}, nil
}

// ---- routing

func (api *API) setAvailability(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var v automation.Availability
	if err := api.decodeObject(w, r, "availability", &v); err != nil {
		return 0, nil, err
	}
	v.UserID = id
	saved, err := api.Flow.SetAvailability(r.Context(), a, v)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"availability": saved}, nil
}
