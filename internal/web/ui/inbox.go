package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

// pageSize is how many tickets a view shows at once.
const pageSize = 50

type inboxPage struct {
	Views    []viewDef
	Current  viewDef
	Filter   inboxFilter
	Filtered bool
	Count    int
	Rows     []inboxRow
	Statuses []string // the statuses the status filter offers
	// BulkStatuses are the statuses a bulk action may set.
	BulkStatuses []string
	Agents       []directory.User
	Groups       []directory.Group
	Prev         string
	Next         string
	CanEdit      bool
	Back         string
	// SaveViews offers "Save as view"; CanShare the shared option (admins).
	SaveViews, CanShare bool
}

// inboxRow is one ticket of a list with its display strings prepared in Go:
// a template action costs a reflective call, and a view has 50 rows.
type inboxRow struct {
	T         ticket.Ticket
	Requester string
	Assignee  string
	Group     string
	TID       string // "#123" in the page's digits
	Select    string // the checkbox's label
	Status    string // translated
	Priority  string // translated, "" when unset
	Channel   string // translated
	Updated   When
	// SLA is the ticket's SLA state when it needs attention (breach_soon,
	// breached) or runs ("active"), SLALabel its words (sla_rows.go).
	SLA, SLALabel string
	SLADue        When
}

// agentHome: GET /agent opens the agent's own open tickets.
func (p *Pages) agentHome(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/agent/views/my-open", http.StatusSeeOther)
}

// inbox: GET /agent/views/{view}?status=&assignee=&group=&sort=&order=&after=|before=
func (p *Pages) inbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := httpx.ActorFrom(ctx)
	v := p.view(r)
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	saved, err := p.savedDefs(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	defs := append(viewDefs(v, a, groups), saved...)
	key := r.PathValue("view")
	cur := -1
	for i, d := range defs {
		if d.Key == key {
			cur = i
		}
	}
	if cur < 0 {
		p.notFound(w, r)
		return
	}
	qs := r.URL.Query()
	f := inboxFilter{Status: qs.Get("status"), Assignee: qs.Get("assignee"), Group: qs.Get("group"),
		Sort: qs.Get("sort"), Order: qs.Get("order"), After: qs.Get("after"), Before: qs.Get("before")}
	q := f.apply(defs[cur], a)
	q.PerPage = pageSize
	switch {
	case f.Before != "":
		q.Before = f.Before
	case f.After != "":
		q.After = f.After
	default:
		q.Keyset = true // the first page; counts come from countCache
	}
	res, err := p.d.Tickets.List(ctx, a, q)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for i := range defs {
		if defs[i].Count, err = p.counts.count(ctx, a, queryKey(defs[i].Query), defs[i].Query); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	page := inboxPage{Views: defs, Current: defs[cur], Filter: f, Filtered: f.filtered(), Groups: groups,
		CanEdit: a.CanEditTickets(), Back: r.URL.RequestURI(), Count: defs[cur].Count,
		BulkStatuses: []string{"open", "pending", "hold", "solved"}, SaveViews: p.d.Views != nil, CanShare: a.IsAdmin()}
	if page.Filtered {
		if page.Count, err = p.counts.count(ctx, a, queryKey(q), q); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	if len(defs[cur].Query.Statuses) > 1 {
		page.Statuses = defs[cur].Query.Statuses
	}
	if page.Agents, err = p.agents(ctx, a); err != nil {
		p.fail(w, r, err)
		return
	}
	if page.Rows, err = p.rows(ctx, v, res.Tickets, groups, page.Agents); err != nil {
		p.fail(w, r, err)
		return
	}
	page.Prev, page.Next = pager(r.URL, f, res)
	v.Title = defs[cur].Label
	v.Page, v.Nav = "inbox", "inbox"
	v.Flash, v.FlashKind = bulkFlash(v, qs)
	v.Data = page
	p.render(w, r, http.StatusOK, "inbox", v)
}

// pager builds the newer/older links of a cursor page.
func pager(u *url.URL, f inboxFilter, res ticket.ListResult) (prev, next string) {
	link := func(k, cursor string) string {
		q := u.Query()
		q.Del("after")
		q.Del("before")
		q.Del("bulk_ok")
		q.Del("bulk_failed")
		q.Set(k, cursor)
		return u.Path + "?" + q.Encode()
	}
	switch {
	case f.Before != "":
		if res.HasMore {
			prev = link("before", res.Before)
		}
		if res.After != "" {
			next = link("after", res.After)
		}
	case f.After != "":
		if res.Before != "" {
			prev = link("before", res.Before)
		}
		if res.HasMore {
			next = link("after", res.After)
		}
	default:
		if res.HasMore {
			next = link("after", res.After)
		}
	}
	return prev, next
}

// agents lists who tickets can be assigned to: admins and agents (staff
// only: every caller is behind staffOnly).
func (p *Pages) agents(ctx context.Context, a auth.Actor) ([]directory.User, error) {
	return p.agentList.get("agents", func() ([]directory.User, error) {
		var out []directory.User
		for _, role := range []string{auth.RoleAgent, auth.RoleAdmin} {
			us, _, err := p.d.Dir.ListUsers(ctx, a, role, directory.Page{PerPage: 100})
			if err != nil {
				return nil, err
			}
			for _, u := range us {
				if !u.Suspended {
					out = append(out, u)
				}
			}
		}
		return out, nil
	})
}

// rows side-loads the names a list shows, with one query for all requesters.
func (p *Pages) rows(ctx context.Context, v *View, ts []ticket.Ticket, groups []directory.Group, agents []directory.User) ([]inboxRow, error) {
	a := v.Actor
	names := map[int64]string{}
	for _, u := range agents {
		names[u.ID] = u.Name
	}
	var ids []int64
	seen := map[int64]bool{}
	for _, t := range ts {
		for _, id := range []int64{t.RequesterID, t.AssigneeID} {
			if _, ok := names[id]; !ok && id != 0 && !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	users, err := p.d.Dir.UsersByIDs(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	gnames := map[int64]string{}
	for _, g := range groups {
		gnames[g.ID] = g.Name
	}
	out := make([]inboxRow, len(ts))
	for i, t := range ts {
		out[i] = inboxRow{T: t, Requester: names[t.RequesterID], Assignee: names[t.AssigneeID], Group: gnames[t.GroupID],
			TID: i18n.Digits(v.Locale, "#"+itoa(t.ID)), Select: v.T("bulk.select_ticket", "id", t.ID), Status: v.T("status." + t.Status),
			Channel: v.T(channelKey(t.Via)), Updated: v.When(t.UpdatedAt)}
		if t.Priority != "" {
			out[i].Priority = v.T("priority." + t.Priority)
		}
	}
	p.slaRows(ctx, v, out)
	return out, nil
}

// bulkFlash reports the outcome of a bulk action named in the query string.
func bulkFlash(v *View, qs url.Values) (string, string) {
	ok, _ := strconv.Atoi(qs.Get("bulk_ok"))
	failed, _ := strconv.Atoi(qs.Get("bulk_failed"))
	switch {
	case failed > 0:
		return v.T("bulk.partly_failed", "ok", ok, "failed", failed), "error"
	case ok > 0:
		return v.T("bulk.updated", "count", ok), "ok"
	}
	return "", ""
}
