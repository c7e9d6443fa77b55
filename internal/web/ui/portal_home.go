package ui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"layan/internal/i18n"
	"layan/internal/ticket"
)

// The customer portal's home: a welcome, the help-centre search (the
// knowledge-base pages fill in its results), the way to a new request and
// the customer's latest requests.

type portalHomePage struct {
	Recent []portalRow
	Count  int
	KB     *kbHome // the help centre's categories and FAQ (kb_portal.go)
}

// portalRow is one request in a customer's list, with display strings ready.
type portalRow struct {
	T           ticket.Ticket
	TID         string
	Status      string // the customer's wording: open, awaiting your reply, solved
	StatusClass string
	Requester   string
	Mine        bool
	Updated     When
}

// portalStatus words a ticket status for customers: they do not need to know
// "new" from "open" or "hold", only whether we owe them an answer, they owe
// us one, or it is done.
func portalStatus(s string) (key, class string) {
	switch s {
	case "pending":
		return "portal.status.awaiting_reply", "pending"
	case "solved", "closed":
		return "portal.status.solved", "solved"
	}
	return "portal.status.open", "open"
}

// portalRows prepares a list of requests; names of other requesters (an
// organisation's shared requests) are looked up.
func (p *Pages) portalRows(ctx context.Context, v *View, ts []ticket.Ticket) ([]portalRow, error) {
	var others []int64
	for _, t := range ts {
		if t.RequesterID != v.Actor.UserID && !slices.Contains(others, t.RequesterID) {
			others = append(others, t.RequesterID)
		}
	}
	names := map[int64]string{v.Actor.UserID: v.Actor.Name}
	if len(others) > 0 {
		us, err := p.d.Dir.UsersByIDs(ctx, v.Actor, others)
		if err != nil {
			return nil, err
		}
		for _, u := range us {
			names[u.ID] = u.Name
		}
	}
	out := make([]portalRow, len(ts))
	for i, t := range ts {
		key, class := portalStatus(t.Status)
		out[i] = portalRow{T: t, TID: "#" + i18n.Digits(v.Locale, itoa(t.ID)), Status: v.T(key), StatusClass: class,
			Requester: names[t.RequesterID], Mine: t.RequesterID == v.Actor.UserID, Updated: v.When(t.UpdatedAt)}
	}
	return out, nil
}

// portalHome: GET /portal.
func (p *Pages) portalHome(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	hp := &portalHomePage{}
	res, err := p.d.Tickets.List(r.Context(), v.Actor, ticket.ListQuery{RequesterID: v.Actor.UserID,
		Sort: "updated_at", Desc: true, PerPage: 5})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if hp.Recent, err = p.portalRows(r.Context(), v, res.Tickets); err != nil {
		p.fail(w, r, err)
		return
	}
	hp.Count = res.Count
	if hp.KB, err = p.kbHomeData(r.Context(), v, kbLocale(v)); err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav = v.T("portal.help_center"), "portal"
	v.Data = hp
	p.render(w, r, http.StatusOK, "portal", v)
}

type portalSearchPage struct{ Q string }

// portalSearch: GET /portal/search?q=. The knowledge-base pages replace this
// with article results; until then it says so and offers a request.
func (p *Pages) portalSearch(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if p.d.KB != nil { // the help centre's search
		http.Redirect(w, r, "/hc/"+kbLocale(v)+"/search?q="+url.QueryEscape(q), http.StatusSeeOther)
		return
	}
	v.Title, v.Nav = v.T("portal.search_title"), "portal"
	v.Data = &portalSearchPage{Q: q}
	p.render(w, r, http.StatusOK, "portal_search", v)
}
