package ui

import (
	"net/http"
	"strconv"
	"strings"

	"layan/internal/directory"
	"layan/internal/search"
	"layan/internal/ticket"
)

type searchPage struct {
	Q         string
	Error     string
	Direct    *ticket.Ticket // "#123" or "123" names a ticket
	Tickets   []inboxRow
	Total     int
	Customers []directory.User
	CustTotal int
	Orgs      []directory.Organization
	Page      int
	Next      string
	Prev      string
}

const searchPageSize = 25

// search: GET /agent/search?q=&page= looks through tickets (Zendesk query
// syntax: words, "phrases", status:open, tags:vip, assignee:me …) and
// customers and organisations by name, email or phone.
func (p *Pages) search(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := currentActor(r)
	v := p.view(r)
	sp := searchPage{Q: strings.TrimSpace(r.URL.Query().Get("q")), Page: 1}
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 && n <= 400 {
		sp.Page = n
	}
	v.Title, v.Nav, v.Page = v.T("nav.search"), "search", "list"
	v.Data = &sp
	if sp.Q == "" {
		p.render(w, r, http.StatusOK, "search", v)
		return
	}
	if id, err := strconv.ParseInt(strings.TrimPrefix(sp.Q, "#"), 10, 64); err == nil && id > 0 {
		if t, err := p.d.Tickets.Get(ctx, a, id); err == nil {
			sp.Direct = &t
		}
	}
	q, err := search.Parse(sp.Q)
	if err != nil {
		sp.Error = v.T("search.invalid")
		p.render(w, r, http.StatusOK, "search", v)
		return
	}
	ts, total, err := p.d.Tickets.Search(ctx, a, q, ticket.SearchOptions{Page: sp.Page, PerPage: searchPageSize})
	if err != nil {
		if _, key := errorKey(err); key == "error.invalid_input" {
			sp.Error = v.T("search.invalid")
			p.render(w, r, http.StatusOK, "search", v)
			return
		}
		p.fail(w, r, err)
		return
	}
	sp.Total = total
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if sp.Tickets, err = p.rows(ctx, v, ts, groups, nil); err != nil {
		p.fail(w, r, err)
		return
	}
	if sp.Page*searchPageSize < total {
		sp.Next = "/agent/search?q=" + urlQuery(sp.Q) + "&page=" + strconv.Itoa(sp.Page+1)
	}
	if sp.Page > 1 {
		sp.Prev = "/agent/search?q=" + urlQuery(sp.Q) + "&page=" + strconv.Itoa(sp.Page-1)
	}
	// People and organisations match the free text only (no field clauses).
	if text := strings.TrimSpace(strings.Join(append(q.Words, q.Phrases...), " ")); text != "" && sp.Page == 1 {
		if sp.Customers, sp.CustTotal, err = p.d.Dir.SearchUsers(ctx, a, text, directory.Page{PerPage: 10}); err != nil {
			p.fail(w, r, err)
			return
		}
		if sp.Orgs, err = p.d.Dir.SearchOrganizations(ctx, a, text, 5); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	p.render(w, r, http.StatusOK, "search", v)
}
