package measureapi

import (
	"net/http"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/web/httpx"
)

// ListSuggestions: GET /api/layan/v1/suggestions?status= (staff).
func (api *API) ListSuggestions(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	l, err := api.Surveys.Suggestions(r.Context(), a, r.URL.Query().Get("status"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"suggestions": l}, nil
}

type suggestionIn struct {
	Suggestion *struct {
		Title  string `json:"title"`
		Body   string `json:"body"`
		Status string `json:"status"`
	} `json:"suggestion"`
}

func (api *API) decodeSuggestion(w http.ResponseWriter, r *http.Request) (suggestionIn, error) {
	var in suggestionIn
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return in, err
	}
	if in.Suggestion == nil {
		return in, apperr.Invalid("suggestion", "required", "the body needs a suggestion object")
	}
	return in, nil
}

// PostSuggestion: POST /api/layan/v1/suggestions {"suggestion": {"title", "body"}}.
func (api *API) PostSuggestion(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := api.decodeSuggestion(w, r)
	if err != nil {
		return 0, nil, err
	}
	sg, err := api.Surveys.PostSuggestion(r.Context(), a, in.Suggestion.Title, in.Suggestion.Body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"suggestion": sg}, nil
}

// ShowSuggestion: GET /api/layan/v1/suggestions/{id} with its comments.
func (api *API) ShowSuggestion(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	sg, err := api.Surveys.GetSuggestion(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	cs, err := api.Surveys.SuggestionComments(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"suggestion": sg, "comments": cs}, nil
}

// SetSuggestionStatus: PUT /api/layan/v1/suggestions/{id} {"suggestion": {"status"}} (managers).
func (api *API) SetSuggestionStatus(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := api.decodeSuggestion(w, r)
	if err != nil {
		return 0, nil, err
	}
	sg, err := api.Surveys.SetSuggestionStatus(r.Context(), a, id, in.Suggestion.Status)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"suggestion": sg}, nil
}

// Vote: POST (vote) or DELETE (withdraw) /api/layan/v1/suggestions/{id}/vote.
func (api *API) Vote(up bool) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		sg, err := api.Surveys.Vote(r.Context(), a, id, up)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"suggestion": sg}, nil
	}
}

// CommentSuggestion: POST /api/layan/v1/suggestions/{id}/comments {"comment": {"body"}}.
func (api *API) CommentSuggestion(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	var in struct {
		Comment *struct {
			Body string `json:"body"`
		} `json:"comment"`
	}
	if err := httpx.DecodeJSON(w, r, api.MaxBody, &in); err != nil {
		return 0, nil, err
	}
	if in.Comment == nil {
		return 0, nil, apperr.Invalid("comment", "required", "the body needs a comment object")
	}
	c, err := api.Surveys.CommentSuggestion(r.Context(), a, id, in.Comment.Body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"comment": c}, nil
}
