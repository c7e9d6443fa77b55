package measureapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/survey"
	"layan/internal/web/httpx"
)

// Rating is Zendesk's satisfaction_rating shape (CSAT). A 1–5 answer maps to
// good (4–5) or bad (1–3); layan_score keeps the number.
type Rating struct {
	ID          int64     `json:"id"`
	URL         string    `json:"url"`
	AssigneeID  *int64    `json:"assignee_id"`
	GroupID     *int64    `json:"group_id"`
	RequesterID int64     `json:"requester_id"`
	TicketID    int64     `json:"ticket_id"`
	Score       string    `json:"score"`
	Comment     string    `json:"comment"`
	LayanScore  *int      `json:"layan_score"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func idOrNil(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func rating(r *http.Request, s survey.Response) Rating {
	out := Rating{ID: s.ID, AssigneeID: idOrNil(s.AgentID), GroupID: idOrNil(s.GroupID), RequesterID: s.CustomerID,
		TicketID: s.TicketID, Score: "offered", Comment: s.Comment, LayanScore: s.Score, CreatedAt: s.OfferedAt, UpdatedAt: s.OfferedAt}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	out.URL = scheme + "://" + r.Host + "/api/v2/satisfaction_ratings/" + strconv.FormatInt(s.ID, 10) + ".json"
	if s.Score != nil {
		out.Score = "bad"
		if *s.Score >= 4 {
			out.Score = "good"
		}
		out.UpdatedAt = s.AnsweredAt
	}
	return out
}

// ListRatings: GET /api/v2/satisfaction_ratings?score=offered|received|good|bad&start_time&end_time (Unix seconds).
func (api *API) ListRatings(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q := survey.ListQuery{Kind: survey.CSAT}
	v := r.URL.Query()
	for _, p := range []struct {
		name string
		dst  *time.Time
	}{{"start_time", &q.From}, {"end_time", &q.To}} {
		if s := v.Get(p.name); s != "" {
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil {
				return 0, nil, apperr.Invalid(p.name, "invalid", "must be Unix seconds")
			}
			*p.dst = time.Unix(n, 0).UTC()
		}
	}
	score := v.Get("score")
	switch score {
	case "", "offered", "received", "good", "bad", "received_with_comment":
	default:
		return 0, nil, apperr.Invalid("score", "invalid", "must be offered, received, good or bad")
	}
	q.Answered = score != "" && score != "offered"
	out := []Rating{}
	for {
		page, err := api.Surveys.List(r.Context(), a, q)
		if err != nil {
			return 0, nil, err
		}
		for _, s := range page {
			rt := rating(r, s)
			if (score == "offered" && s.Score != nil) || ((score == "good" || score == "bad") && rt.Score != score) ||
				(score == "received_with_comment" && rt.Comment == "") {
				continue
			}
			out = append(out, rt)
		}
		if len(page) < 100 || len(out) >= 1000 {
			break
		}
		q.AfterID = page[len(page)-1].ID
	}
	return http.StatusOK, map[string]any{"satisfaction_ratings": out, "next_page": nil, "previous_page": nil, "count": len(out)}, nil
}

// ShowRating: GET /api/v2/satisfaction_ratings/{id}.
func (api *API) ShowRating(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	s, err := api.Surveys.Get(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	if s.Kind != survey.CSAT {
		return 0, nil, apperr.NotFound("satisfaction rating")
	}
	return http.StatusOK, map[string]any{"satisfaction_rating": rating(r, s)}, nil
}

type answerIn struct {
	Score   json.RawMessage `json:"score"`
	Comment *string         `json:"comment"`
}

func (in answerIn) score() (int, error) {
	var s string
	if err := json.Unmarshal(in.Score, &s); err == nil {
		return survey.ParseScore(s)
	}
	var n int
	if err := json.Unmarshal(in.Score, &n); err != nil {
		return 0, apperr.Invalid("score", "required", "score is required")
	}
	return n, nil
}

// RateTicket: POST /api/v2/tickets/{id}/satisfaction_rating
// {"satisfaction_rating": {"score": "good"|"bad"|1..5, "comment": "..."}} — the requester only.
func (api *API) RateTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Rating *answerIn `json:"satisfaction_rating"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Rating == nil {
		return 0, nil, apperr.Invalid("satisfaction_rating", "required", "the body needs a satisfaction_rating object")
	}
	score, err := in.Rating.score()
	if err != nil {
		return 0, nil, err
	}
	s, err := api.Surveys.RateTicket(r.Context(), a, id, score, in.Rating.Comment)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"satisfaction_rating": rating(r, s)}, nil
}

// Survey is what a signed link shows.
type Survey struct {
	Kind     string `json:"kind"`
	TicketID int64  `json:"ticket_id,omitempty"`
	Min      int    `json:"min"`
	Max      int    `json:"max"`
	Score    *int   `json:"score"`
	Comment  string `json:"comment"`
}

func view(s survey.Response) Survey {
	v := Survey{Kind: s.Kind, TicketID: s.TicketID, Min: 1, Max: 5, Score: s.Score, Comment: s.Comment}
	switch s.Kind {
	case survey.NPS:
		v.Min, v.Max = 0, 10
	case survey.CES:
		v.Max = 7
	}
	return v
}

// ShowSurvey: GET /api/layan/v1/surveys/{token}[?score=good|bad|N] — the
// one-click link of an email: with a score it records the answer.
func (api *API) ShowSurvey(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	tok := r.PathValue("token")
	if sc := r.URL.Query().Get("score"); sc != "" {
		n, err := survey.ParseScore(sc)
		if err != nil {
			return 0, nil, err
		}
		s, err := api.Surveys.AnswerByToken(r.Context(), tok, n, nil)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"survey": view(s)}, nil
	}
	s, err := api.Surveys.ByToken(r.Context(), tok)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"survey": view(s)}, nil
}

// AnswerSurvey: POST /api/layan/v1/surveys/{token} {"score": ..., "comment": "..."}.
func (api *API) AnswerSurvey(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var in answerIn
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	n, err := in.score()
	if err != nil {
		return 0, nil, err
	}
	s, err := api.Surveys.AnswerByToken(r.Context(), r.PathValue("token"), n, in.Comment)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"survey": view(s)}, nil
}
