package ui

import (
	"net/http"
	"slices"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/i18n"
)

// Agents: everyone who works in the workspace, with their role and groups.
// An admin adds an agent with a password, or invites them: the agent gets a
// mail with a link to choose their own. The page edits role, groups,
// restriction to groups, and suspension.

type agentRow struct {
	U      directory.User
	Groups []string
}

type agentsPage struct {
	Rows    []agentRow
	Groups  []directory.Group
	Roles   []string
	Locales []string
	Form    *formState
}

// adminAgents: GET /admin/agents.
func (p *Pages) adminAgents(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "admin.agents")
	f := newForm()
	f.Values.Set("role", auth.RoleAgent)
	f.Values.Set("locale", p.settings(r.Context()).DefaultLocale)
	p.renderAgents(w, r, v, http.StatusOK, f)
}

func (p *Pages) renderAgents(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	ctx := r.Context()
	a := v.Actor
	users, err := p.staffUsers(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	member, err := p.memberships(ctx, a, groups)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ap := &agentsPage{Groups: groups, Roles: staffRoles, Locales: i18n.Supported, Form: f}
	for _, u := range users {
		row := agentRow{U: u}
		for _, g := range groups {
			if slices.Contains(member[u.ID], g.ID) {
				row.Groups = append(row.Groups, g.Name)
			}
		}
		ap.Rows = append(ap.Rows, row)
	}
	v.Data = ap
	p.render(w, r, status, "admin_agents", v)
}

var agentFields = map[string][2]string{
	"name": {"name", "common.name"}, "email": {"email", "common.email"}, "role": {"role", "admin.role"},
	"password": {"password", "auth.password"}, "locale": {"locale", "nav.language"},
	"time_zone": {"time_zone", "common.time_zone"},
}

// createAgent: POST /admin/agents (name, email, role, locale, group_id…,
// restricted, password). Without a password the agent is invited by mail.
func (p *Pages) createAgent(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := currentActor(r)
	v := p.adminView(r, "admin.agents")
	f := formFrom(r, "name", "email", "role", "locale", "group_id", "restricted")
	if !slices.Contains(staffRoles, f.V("role")) {
		f.Set("role", v.T("error.invalid", "field", v.T("admin.role")))
	}
	pw := r.PostFormValue("password")
	if f.Failed(v) {
		p.renderAgents(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	u, err := p.d.Dir.CreateUser(ctx, a, directory.UserInput{Name: f.V("name"), Email: f.V("email"), Role: f.V("role"),
		Locale: f.V("locale"), Password: pw, Verified: true, RestrictedToGroups: f.On("restricted")})
	if err != nil {
		if !applyError(v, f, err, agentFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderAgents(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	for _, g := range ids(f.Values["group_id"]) {
		if err := p.d.Dir.AddMember(ctx, a, u.ID, g); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	done := "created"
	if pw == "" {
		p.invite(r, v, u)
		done = "invited"
	}
	http.Redirect(w, r, "/admin/agents?done="+done, http.StatusSeeOther)
}

// invite mails a new agent a link to choose their password (a password-reset
// link, valid for an hour; after that "Forgot your password?" sends another).
func (p *Pages) invite(r *http.Request, v *View, u directory.User) {
	token, _, ok, err := p.d.Dir.RequestPasswordReset(r.Context(), u.Email)
	if err != nil || !ok {
		p.d.Log.Error("ui: invitation link not issued", "user", u.ID, "err", err)
		return
	}
	l := i18n.Normalize(u.Locale)
	p.send(r.Context(), accountMail{To: u.Email, Locale: l, Name: u.Name,
		Subject: i18n.T(l, "email.invite_subject", "brand", v.Brand.Name),
		Paragraphs: []string{i18n.T(l, "email.invite_body", "name", v.Actor.Name, "brand", v.Brand.Name,
			"role", i18n.T(l, "role."+u.Role), "when", p.expiresIn(l, directory.ResetPasswordTTL))},
		Link: p.accountLink(r, "/portal/password/reset", token), LinkText: i18n.T(l, "email.choose_password")})
}

type agentPage struct {
	U       directory.User
	Groups  []directory.Group
	Roles   []string
	Locales []string
	Form    *formState
	Self    bool
}

// adminAgent: GET /admin/agents/{id}.
func (p *Pages) adminAgent(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "admin.agents")
	u, err := p.d.Dir.GetUser(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if u.Role == auth.RoleEndUser {
		http.Redirect(w, r, "/admin/customers/"+itoa(id), http.StatusSeeOther)
		return
	}
	groups, err := p.d.Dir.ListGroups(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	member, err := p.memberships(r.Context(), v.Actor, groups)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := newForm()
	f.Values.Set("name", u.Name)
	f.Values.Set("email", u.Email)
	f.Values.Set("role", u.Role)
	f.Values.Set("locale", u.Locale)
	f.Values.Set("time_zone", u.TimeZone)
	if u.RestrictedToGroups {
		f.Values.Set("restricted", "1")
	}
	if u.Suspended {
		f.Values.Set("suspended", "1")
	}
	for _, g := range member[u.ID] {
		f.Values.Add("group_id", itoa(g))
	}
	p.renderAgent(w, r, v, http.StatusOK, u, groups, f)
}

func (p *Pages) renderAgent(w http.ResponseWriter, r *http.Request, v *View, status int, u directory.User,
	groups []directory.Group, f *formState) {
	roles := append(slices.Clone(staffRoles), auth.RoleEndUser)
	v.Title = u.Name
	v.Data = &agentPage{U: u, Groups: groups, Roles: roles, Locales: i18n.Supported, Form: f, Self: u.ID == v.Actor.UserID}
	p.render(w, r, status, "admin_agent", v)
}

// saveAgent: POST /admin/agents/{id}. An admin cannot take away their own
// admin role or suspend themselves (nobody would be left to undo it).
func (p *Pages) saveAgent(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	a := currentActor(r)
	v := p.adminView(r, "admin.agents")
	u, err := p.d.Dir.GetUser(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := formFrom(r, "name", "email", "role", "locale", "time_zone", "group_id", "restricted", "suspended")
	role := f.V("role")
	if !slices.Contains(staffRoles, role) && role != auth.RoleEndUser {
		f.Set("role", v.T("error.invalid", "field", v.T("admin.role")))
	}
	if id == a.UserID && role != auth.RoleAdmin {
		f.Set("role", v.T("admin.cannot_demote_self"))
	}
	if id == a.UserID && f.On("suspended") {
		f.Set("suspended", v.T("admin.cannot_suspend_self"))
	}
	if f.Failed(v) {
		p.renderAgent(w, r, v, http.StatusUnprocessableEntity, u, groups, f)
		return
	}
	name, email, locale, tz := f.V("name"), f.V("email"), f.V("locale"), f.V("time_zone")
	restricted, suspended := f.On("restricted"), f.On("suspended")
	patch := directory.UserPatch{Name: &name, Email: &email, Role: &role, Locale: &locale, TimeZone: &tz,
		RestrictedToGroups: &restricted, Suspended: &suspended}
	if _, err := p.d.Dir.UpdateUser(ctx, a, id, patch); err != nil {
		if !applyError(v, f, err, agentFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderAgent(w, r, v, http.StatusUnprocessableEntity, u, groups, f)
		return
	}
	member, err := p.memberships(ctx, a, groups)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	want := ids(f.Values["group_id"])
	if role == auth.RoleEndUser {
		want = nil // customers are in no group
	}
	for _, g := range groups {
		had, has := slices.Contains(member[id], g.ID), slices.Contains(want, g.ID)
		switch {
		case has && !had:
			err = p.d.Dir.AddMember(ctx, a, id, g.ID)
		case had && !has:
			err = p.d.Dir.RemoveMember(ctx, a, id, g.ID)
		}
		if err != nil {
			p.fail(w, r, err)
			return
		}
	}
	if role == auth.RoleEndUser {
		http.Redirect(w, r, "/admin/customers/"+itoa(id)+"?done=saved", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/admin/agents/"+itoa(id)+"?done=saved", http.StatusSeeOther)
}
