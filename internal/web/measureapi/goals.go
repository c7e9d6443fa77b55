package measureapi

import (
	"net/http"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/kpi"
	"layan/internal/web/httpx"
)

type goalIn struct {
	Name         string  `json:"name"`
	KPI          string  `json:"kpi"`
	Target       float64 `json:"target"`
	StartAt      string  `json:"start_at"`
	Deadline     string  `json:"deadline"`
	OwnerGroupID int64   `json:"owner_group_id"`
	OwnerAgentID int64   `json:"owner_agent_id"`
}

// ListGoals: GET /api/layan/v1/goals.
func (api *API) ListGoals(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	gs, err := api.KPI.Goals(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"goals": gs}, nil
}

// CreateGoal: POST /api/layan/v1/goals {"goal": {name, kpi, target, start_at, deadline, owner_group_id|owner_agent_id}}.
func (api *API) CreateGoal(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var in struct {
		Goal *goalIn `json:"goal"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Goal == nil {
		return 0, nil, apperr.Invalid("goal", "required", "the body needs a goal object")
	}
	g := kpi.Goal{Name: in.Goal.Name, KPI: in.Goal.KPI, Target: in.Goal.Target, OwnerGroupID: in.Goal.OwnerGroupID, OwnerAgentID: in.Goal.OwnerAgentID}
	var err error
	if in.Goal.StartAt != "" {
		if g.StartAt, err = parseTime("start_at", in.Goal.StartAt); err != nil {
			return 0, nil, err
		}
	}
	if g.Deadline, err = parseTime("deadline", in.Goal.Deadline); err != nil {
		return 0, nil, err
	}
	g, err = api.KPI.CreateGoal(r.Context(), a, g)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"goal": g}, nil
}

// ShowGoal: GET /api/layan/v1/goals/{id} — the goal with its weekly progress,
// the trend projected to the deadline and on_track/off_track.
func (api *API) ShowGoal(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := api.KPI.GoalProgress(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"progress": p}, nil
}

// DeleteGoal: DELETE /api/layan/v1/goals/{id}.
func (api *API) DeleteGoal(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KPI.DeleteGoal(r.Context(), a, id)
}
