package ui

import (
	"context"
	"net/http"
	"slices"
	"strconv"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/ticket"
	"layan/internal/web/httpx"
)

type ticketPage struct {
	T            ticket.Ticket
	Stamp        string // updated_at in Unix milliseconds: the reply's base version
	Requester    directory.User
	ReqLocal     string // the requester's wall-clock time
	Assignee     string
	GroupName    string
	Org          *directory.Organization
	Owner        *directory.User
	Comments     []commentView
	Fields       []fieldView
	Agents       []directory.User
	Groups       []directory.Group
	Earlier      []ticket.Ticket
	EarlierMore  bool // the requester has more tickets than the panel lists
	EarlierCount int  // all the requester's tickets
	CanEdit      bool
	Light        bool
	Statuses     []string
	Priorities   []string
	Types        []string
	Languages    []string
	Draft        draft
	Notice       string
	Flow         flowPanel      // macros and SLA (ticket_flow.go)
	Community    *communityLink // the community thread it was made from (ticket_community.go)
	Work         workPanel      // time worked on it (worklog.go)
}

// draft is what the agent had typed, kept when a reply is refused.
type draft struct {
	Body     string
	Internal bool
	Uploads  []pendingUpload
}

type pendingUpload struct{ Token, Name string }

type commentView struct {
	ticket.Comment
	Author      string
	AuthorStaff bool
}

type fieldView struct {
	F       ticket.Field
	Value   string
	Values  []string
	Checked bool
}

// earlierLimit bounds the side panel's list; the customer page pages through all.
const earlierLimit = 25

func (p *Pages) ticketID(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.notFound(w, r)
		return 0, false
	}
	return id, true
}

// ticketPage: GET /agent/tickets/{id}; ?fragment=live returns only the parts
// that live updates swap in.
func (p *Pages) ticketPage(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	v := p.view(r)
	if r.URL.Query().Get("fragment") == "live" {
		if err := p.loadTicket(r.Context(), v, id, draft{}); err != nil {
			p.fail(w, r, err)
			return
		}
		p.renderTo(w, r, http.StatusOK, "ticket", "live", v)
		return
	}
	switch r.URL.Query().Get("done") {
	case "reply":
		v.Flash, v.FlashKind = v.T("reply.sent"), "ok"
	case "note":
		v.Flash, v.FlashKind = v.T("reply.note_saved"), "ok"
	case "saved":
		v.Flash, v.FlashKind = v.T("ticket.saved", "id", id), "ok"
	case "macro":
		v.Flash, v.FlashKind = v.T("flow.macro_applied"), "ok"
	case "collab", "side":
		v.Flash, v.FlashKind = v.T("common.saved"), "ok"
	case "community":
		v.Flash, v.FlashKind = v.T("forum.ticket_answered"), "ok"
	case "time":
		v.Flash, v.FlashKind = v.T("worklog.logged"), "ok"
	}
	p.showTicket(w, r, v, http.StatusOK, id, draft{})
}

// showTicket renders the ticket page, with a draft and notice after a refused reply.
func (p *Pages) showTicket(w http.ResponseWriter, r *http.Request, v *View, status int, id int64, d draft) {
	if err := p.loadTicket(r.Context(), v, id, d); err != nil {
		p.fail(w, r, err)
		return
	}
	tp := v.Data.(*ticketPage)
	v.Title = v.T("ticket.number", "id", id) + " · " + tp.T.Subject
	v.Page, v.Nav = "ticket", "inbox"
	p.render(w, r, status, "ticket", v)
}

// loadTicket gathers everything the ticket page shows, through the services
// and with the viewer's permissions.
func (p *Pages) loadTicket(ctx context.Context, v *View, id int64, d draft) error {
	a := v.Actor
	t, err := p.d.Tickets.Get(ctx, a, id)
	if err != nil {
		return err
	}
	tp := &ticketPage{T: t, Stamp: strconv.FormatInt(t.UpdatedAt.UnixMilli(), 10), CanEdit: a.CanEditTickets(),
		Light: a.Role == auth.RoleLightAgent, Priorities: ticket.Priorities, Types: ticket.Types, Languages: ticket.Languages, Draft: d}
	for _, s := range ticket.Statuses {
		if s != "new" || t.Status == "new" {
			tp.Statuses = append(tp.Statuses, s)
		}
	}
	if tp.Comments, err = p.conversation(ctx, a, id); err != nil {
		return err
	}
	if tp.Agents, err = p.agents(ctx, a); err != nil {
		return err
	}
	if tp.Groups, err = p.d.Dir.ListGroups(ctx, a); err != nil {
		return err
	}
	for _, g := range tp.Groups {
		if g.ID == t.GroupID {
			tp.GroupName = g.Name
		}
	}
	for _, u := range tp.Agents {
		if u.ID == t.AssigneeID {
			tp.Assignee = u.Name
		}
	}
	if tp.Fields, err = p.fields(ctx, a, t); err != nil {
		return err
	}
	if err := p.requesterPanel(ctx, v, tp); err != nil {
		return err
	}
	p.loadFlowPanel(ctx, v, tp)
	p.loadCommunityLink(ctx, v, tp)
	p.loadWorkPanel(ctx, v, tp)
	v.Data = tp
	return nil
}

// conversation reads every comment (in pages of 100) and names the authors.
func (p *Pages) conversation(ctx context.Context, a auth.Actor, id int64) ([]commentView, error) {
	var all []ticket.Comment
	var after int64
	for {
		cs, err := p.d.Tickets.Comments(ctx, a, id, after, 100)
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
		if len(cs) < 100 {
			break
		}
		after = cs[len(cs)-1].ID
	}
	var ids []int64
	for _, c := range all {
		if !slices.Contains(ids, c.AuthorID) {
			ids = append(ids, c.AuthorID)
		}
	}
	users, err := p.d.Dir.UsersByIDs(ctx, a, ids)
	if err != nil {
		return nil, err
	}
	byID := map[int64]directory.User{}
	for _, u := range users {
		byID[u.ID] = u
	}
	out := make([]commentView, len(all))
	for i, c := range all {
		u := byID[c.AuthorID]
		out[i] = commentView{Comment: c, Author: u.Name, AuthorStaff: u.Role != "" && u.Role != auth.RoleEndUser}
	}
	return out, nil
}

// fields pairs each active custom field with the ticket's value as form text.
func (p *Pages) fields(ctx context.Context, a auth.Actor, t ticket.Ticket) ([]fieldView, error) {
	defs, err := p.d.Tickets.Fields(ctx, a)
	if err != nil {
		return nil, err
	}
	var out []fieldView
	for _, f := range defs {
		if !f.Active {
			continue
		}
		fv := fieldView{F: f}
		switch x := t.CustomFields[f.ID].(type) {
		case string:
			fv.Value = x
		case bool:
			fv.Checked = x
		case float64:
			fv.Value = strconv.FormatFloat(x, 'f', -1, 64)
		case []any:
			for _, e := range x {
				if s, ok := e.(string); ok {
					fv.Values = append(fv.Values, s)
				}
			}
		}
		out = append(out, fv)
	}
	return out, nil
}

// requesterPanel fills the side panel: the customer, their organisation and
// its account owner, and their other tickets on every channel.
func (p *Pages) requesterPanel(ctx context.Context, v *View, tp *ticketPage) error {
	a := v.Actor
	u, err := p.d.Dir.GetUser(ctx, a, tp.T.RequesterID)
	if err != nil {
		return err
	}
	tp.Requester = u
	if u.TimeZone != "" {
		tp.ReqLocal = formatClock(v.Locale, v.Now.In(loadLocation(u.TimeZone)))
	}
	orgID := u.OrganizationID
	if orgID == 0 {
		orgID = tp.T.OrganizationID
	}
	if orgID != 0 {
		if o, err := p.d.Dir.GetOrganization(ctx, a, orgID); err == nil {
			tp.Org = &o
			if o.AccountOwnerID != 0 {
				if owner, err := p.d.Dir.GetUser(ctx, a, o.AccountOwnerID); err == nil {
					tp.Owner = &owner
				}
			}
		}
	}
	res, err := p.d.Tickets.List(ctx, a, ticket.ListQuery{RequesterID: u.ID, Sort: "updated_at", Desc: true, PerPage: earlierLimit})
	if err != nil {
		return err
	}
	tp.EarlierMore, tp.EarlierCount = res.Count > len(res.Tickets), res.Count
	for _, t := range res.Tickets {
		if t.ID != tp.T.ID {
			tp.Earlier = append(tp.Earlier, t)
		}
	}
	return nil
}

// currentActor is the signed-in actor; the staff middleware guarantees one.
func currentActor(r *http.Request) auth.Actor {
	a, _ := httpx.ActorFrom(r.Context())
	return a
}
