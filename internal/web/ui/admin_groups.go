package ui

import (
	"net/http"
	"slices"

	"layan/internal/directory"
)

// Groups: teams of agents that tickets are routed to. Create, rename,
// describe, delete, and add or remove members.

type groupRow struct {
	G       directory.Group
	Members int
}

type groupsPage struct {
	Rows []groupRow
	Form *formState
}

var groupFields = map[string][2]string{
	"name": {"name", "common.name"}, "description": {"description", "admin.description"},
}

// adminGroups: GET /admin/groups.
func (p *Pages) adminGroups(w http.ResponseWriter, r *http.Request) {
	p.renderGroups(w, r, p.adminView(r, "nav.groups"), http.StatusOK, newForm())
}

func (p *Pages) renderGroups(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	groups, err := p.d.Dir.ListGroups(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	gp := &groupsPage{Form: f}
	for _, g := range groups {
		members, err := p.d.Dir.GroupMembers(r.Context(), v.Actor, g.ID)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		gp.Rows = append(gp.Rows, groupRow{G: g, Members: len(members)})
	}
	v.Data = gp
	p.render(w, r, status, "admin_groups", v)
}

// createGroup: POST /admin/groups (name, description).
func (p *Pages) createGroup(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "nav.groups")
	f := formFrom(r, "name", "description")
	g, err := p.d.Dir.CreateGroup(r.Context(), v.Actor, f.V("name"), f.V("description"))
	if err != nil {
		if !applyError(v, f, err, groupFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderGroups(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/groups/"+itoa(g.ID)+"?done=created", http.StatusSeeOther)
}

type groupPage struct {
	G         directory.Group
	Members   []directory.User
	Candidate []directory.User // staff not in the group
	Form      *formState
}

// adminGroup: GET /admin/groups/{id}.
func (p *Pages) adminGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "nav.groups")
	g, err := p.d.Dir.GetGroup(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := newForm()
	f.Values.Set("name", g.Name)
	f.Values.Set("description", g.Description)
	p.renderGroup(w, r, v, http.StatusOK, g, f)
}

func (p *Pages) renderGroup(w http.ResponseWriter, r *http.Request, v *View, status int, g directory.Group, f *formState) {
	ctx := r.Context()
	memberIDs, err := p.d.Dir.GroupMembers(ctx, v.Actor, g.ID)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	staff, err := p.staffUsers(ctx, v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	gp := &groupPage{G: g, Form: f}
	for _, u := range staff {
		if slices.Contains(memberIDs, u.ID) {
			gp.Members = append(gp.Members, u)
		} else {
			gp.Candidate = append(gp.Candidate, u)
		}
	}
	v.Title = g.Name
	v.Data = gp
	p.render(w, r, status, "admin_group", v)
}

// saveGroup: POST /admin/groups/{id} (name, description).
func (p *Pages) saveGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "nav.groups")
	f := formFrom(r, "name", "description")
	name, desc := f.V("name"), f.V("description")
	g, err := p.d.Dir.UpdateGroup(r.Context(), v.Actor, id, &name, &desc)
	if err != nil {
		if !applyError(v, f, err, groupFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		if g, err = p.d.Dir.GetGroup(r.Context(), v.Actor, id); err != nil {
			p.fail(w, r, err)
			return
		}
		p.renderGroup(w, r, v, http.StatusUnprocessableEntity, g, f)
		return
	}
	http.Redirect(w, r, "/admin/groups/"+itoa(g.ID)+"?done=saved", http.StatusSeeOther)
}

// addGroupMember: POST /admin/groups/{id}/members (user_id).
func (p *Pages) addGroupMember(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	users := ids([]string{r.PostFormValue("user_id")})
	if len(users) == 0 {
		http.Redirect(w, r, "/admin/groups/"+itoa(id), http.StatusSeeOther)
		return
	}
	if err := p.d.Dir.AddMember(r.Context(), currentActor(r), users[0], id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/groups/"+itoa(id)+"?done=added", http.StatusSeeOther)
}

// removeGroupMember: POST /admin/groups/{id}/members/{user}/remove.
func (p *Pages) removeGroupMember(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	uid, ok := p.pathID(w, r, "user")
	if !ok {
		return
	}
	if err := p.d.Dir.RemoveMember(r.Context(), currentActor(r), uid, id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/groups/"+itoa(id)+"?done=removed", http.StatusSeeOther)
}

// deleteGroup: POST /admin/groups/{id}/delete (confirm=1). Its tickets keep
// their history.
func (p *Pages) deleteGroup(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" {
		http.Redirect(w, r, "/admin/groups/"+itoa(id), http.StatusSeeOther)
		return
	}
	if err := p.d.Dir.DeleteGroup(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/groups?done=deleted", http.StatusSeeOther)
}
