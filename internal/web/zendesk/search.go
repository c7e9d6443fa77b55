package zendesk

import (
	"net/http"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/search"
	"layan/internal/ticket"
)

// Search: GET /api/v2/search.json?query=... (Zendesk's unified search).
// Results carry "result_type"; tickets come first, then users and
// organisations matching the free words.
func (api *API) Search(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	raw := r.URL.Query().Get("query")
	q, err := search.Parse(raw)
	if err != nil {
		return 0, nil, apperr.Invalid("query", "invalid_query", err.Error())
	}
	p, err := readOffsetPage(r)
	if err != nil {
		return 0, nil, err
	}
	opts := ticket.SearchOptions{Page: p.Page, PerPage: p.PerPage, SortBy: r.URL.Query().Get("sort_by"),
		Asc: strings.EqualFold(r.URL.Query().Get("sort_order"), "asc")}
	results := []any{}
	count := 0
	text := strings.Join(append(q.Words, q.Phrases...), " ")
	switch q.Type {
	case "", "ticket":
		ts, total, err := api.Tickets.Search(r.Context(), a, q, opts)
		if err != nil {
			return 0, nil, err
		}
		for _, t := range ts {
			results = append(results, ticketResult{toTicketJSON(r, t), "ticket"})
		}
		count = total
		if q.Type == "" && p.Page == 1 && len(q.Clauses) == 0 && text != "" {
			users, n, err := api.Dir.SearchUsers(r.Context(), a, text, directory.Page{PerPage: 10, NoCount: true})
			if err != nil {
				return 0, nil, err
			}
			for _, u := range users {
				results = append(results, userResult{toUserJSON(r, u, a), "user"})
			}
			orgs, err := api.Dir.SearchOrganizations(r.Context(), a, text, 10)
			if err != nil {
				return 0, nil, err
			}
			for _, o := range orgs {
				results = append(results, orgResult{toOrgJSON(r, o), "organization"})
			}
			count += n + len(orgs)
		}
	case "user":
		users, total, err := api.Dir.SearchUsers(r.Context(), a, userSearchText(q), directory.Page{Page: p.Page, PerPage: p.PerPage})
		if err != nil {
			return 0, nil, err
		}
		for _, u := range users {
			results = append(results, userResult{toUserJSON(r, u, a), "user"})
		}
		count = total
	case "organization":
		orgs, err := api.Dir.SearchOrganizations(r.Context(), a, text, p.PerPage)
		if err != nil {
			return 0, nil, err
		}
		for _, o := range orgs {
			results = append(results, orgResult{toOrgJSON(r, o), "organization"})
		}
		count = len(orgs)
	case "group":
		gs, err := api.Dir.ListGroups(r.Context(), a)
		if err != nil {
			return 0, nil, err
		}
		for _, g := range gs {
			if text == "" || strings.Contains(strings.ToLower(g.Name), strings.ToLower(text)) {
				results = append(results, groupResult{toGroupJSON(r, g), "group"})
			}
		}
		count = len(results)
	default:
		return 0, nil, apperr.Invalid("query", "invalid_query", "type must be ticket, user, organization or group")
	}
	next, prev := pageLinks(r, p, count)
	return http.StatusOK, map[string]any{"results": results, "next_page": next, "previous_page": prev, "count": count, "facets": nil}, nil
}

// userSearchText takes free words and email:/name: clauses of a user search.
func userSearchText(q search.Query) string {
	parts := append(q.Words, q.Phrases...)
	for _, c := range q.Clauses {
		if c.Field == "email" || c.Field == "name" || c.Field == "phone" {
			parts = append(parts, c.Value)
		}
	}
	return strings.Join(parts, " ")
}

// SearchCount: GET /api/v2/search/count.json?query=.
func (api *API) SearchCount(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q, err := search.Parse(r.URL.Query().Get("query"))
	if err != nil {
		return 0, nil, apperr.Invalid("query", "invalid_query", err.Error())
	}
	if q.Type != "" && q.Type != "ticket" {
		return 0, nil, apperr.Invalid("query", "invalid_query", "count supports tickets")
	}
	_, total, err := api.Tickets.Search(r.Context(), a, q, ticket.SearchOptions{PerPage: 1})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"count": total}, nil
}

// Search results are the resource objects with Zendesk's result_type added;
// embedding flattens the fields into one JSON object.
type ticketResult struct {
	ticketJSON
	ResultType string `json:"result_type"`
}

type userResult struct {
	userJSON
	ResultType string `json:"result_type"`
}

type orgResult struct {
	orgJSON
	ResultType string `json:"result_type"`
}

type groupResult struct {
	groupJSON
	ResultType string `json:"result_type"`
}
