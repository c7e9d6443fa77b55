package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"layan/internal/auth"
	"layan/internal/ticket"
	"layan/internal/views"
	"layan/internal/web/httpx"
)

// savedPrefix starts the key of a saved view: /agent/views/saved-{id}.
const savedPrefix = "saved-"

// savedDefs turns the actor's saved views (their own and the shared ones)
// into inbox views. The stored filter fixes what it names: a status narrows
// the statuses, an assignee or a group is fixed; sort and order are defaults.
func (p *Pages) savedDefs(ctx context.Context, a auth.Actor) ([]viewDef, error) {
	if p.d.Views == nil {
		return nil, nil
	}
	list, err := p.d.Views.List(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]viewDef, 0, len(list))
	for _, sv := range list {
		qs, _ := url.ParseQuery(sv.Filter) // validated when saved
		d := viewDef{Key: savedPrefix + itoa(sv.ID), Label: sv.Name, Saved: true, Shared: sv.Shared,
			SavedID: sv.ID, CanDelete: sv.OwnerID == a.UserID || a.IsAdmin(),
			Query: ticket.ListQuery{Statuses: unsolved}, Sort: qs.Get("sort"), Order: qs.Get("order")}
		if st := qs.Get("status"); st != "" {
			d.Query.Statuses = []string{st}
		}
		if as := qs.Get("assignee"); as != "" {
			d.FixedAssignee, d.Assignee = true, as
			switch as {
			case "me":
				d.Query.AssigneeID = a.UserID
			case "none":
				d.Query.AssigneeID = -1
			default:
				d.Query.AssigneeID, _ = strconv.ParseInt(as, 10, 64)
			}
		}
		if g := qs.Get("group"); g != "" {
			d.FixedGroup, d.Group = true, g
			d.Query.GroupID, _ = strconv.ParseInt(g, 10, 64)
		}
		out = append(out, d)
	}
	return out, nil
}

// allDefs are the built-in views followed by the saved ones.
func (p *Pages) allDefs(ctx context.Context, v *View, a auth.Actor) ([]viewDef, error) {
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		return nil, err
	}
	saved, err := p.savedDefs(ctx, a)
	if err != nil {
		return nil, err
	}
	return append(viewDefs(v, a, groups), saved...), nil
}

// saveView: POST /agent/saved-views (name, shared, view, status, assignee,
// group, sort, order) saves the view as filtered now: what the view fixes
// and what the filter bar narrows, as one query string.
func (p *Pages) saveView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := httpx.ActorFrom(ctx)
	if p.d.Views == nil {
		p.notFound(w, r)
		return
	}
	if err := r.ParseForm(); err != nil {
		p.fail(w, r, err)
		return
	}
	defs, err := p.allDefs(ctx, p.view(r), a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var def *viewDef
	for i := range defs {
		if defs[i].Key == r.PostFormValue("view") {
			def = &defs[i]
		}
	}
	if def == nil {
		p.notFound(w, r)
		return
	}
	f := inboxFilter{Status: r.PostFormValue("status"), Assignee: r.PostFormValue("assignee"), Group: r.PostFormValue("group"),
		Sort: r.PostFormValue("sort"), Order: r.PostFormValue("order")}
	f.apply(*def, a)
	qs := url.Values{}
	set := func(k, v string) {
		if v != "" {
			qs.Set(k, v)
		}
	}
	set("status", f.Status)
	if f.Status == "" && len(def.Query.Statuses) == 1 {
		set("status", def.Query.Statuses[0])
	}
	set("assignee", f.Assignee)
	set("assignee", def.Assignee)
	set("group", f.Group)
	set("group", def.Group)
	set("sort", f.Sort)
	set("order", f.Order)
	sv, err := p.d.Views.Create(ctx, a, views.Input{Name: r.PostFormValue("name"), Filter: qs.Encode(),
		Shared: r.PostFormValue("shared") == "1"})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/views/"+savedPrefix+itoa(sv.ID), http.StatusSeeOther)
}

// deleteView: POST /agent/saved-views/{id}/delete.
func (p *Pages) deleteView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a, _ := httpx.ActorFrom(ctx)
	id, err := strconv.ParseInt(strings.TrimSpace(r.PathValue("id")), 10, 64)
	if p.d.Views == nil || err != nil || id <= 0 {
		p.notFound(w, r)
		return
	}
	if err := p.d.Views.Delete(ctx, a, id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/views/all-open", http.StatusSeeOther)
}
