package ui

import (
	"net/http"
	"strings"

	"layan/internal/directory"
)

// Organisations: customer companies, their email domains (a customer who
// signs up with one joins the organisation), whether their members see each
// other's requests, and their account owner.

type orgRow struct {
	O     directory.Organization
	Owner string
}

type orgsPage struct {
	Rows   []orgRow
	Count  int
	Q      string
	Prev   string
	Next   string
	Owners []directory.User // admins and agents
	Form   *formState
}

var orgFields = map[string][2]string{
	"name": {"name", "common.name"}, "domain_names": {"domains", "organization.domains"},
	"account_owner_id": {"account_owner_id", "organization.account_owner"}, "tags": {"tags", "ticket.tags"},
	"details": {"details", "admin.details"}, "notes": {"notes", "admin.notes"},
	"group_id": {"group_id", "ticket.group"},
}

// owners are the staff who can own an account: admins and agents.
func (p *Pages) owners(r *http.Request, v *View) ([]directory.User, map[int64]string, error) {
	staff, err := p.staffUsers(r.Context(), v.Actor)
	if err != nil {
		return nil, nil, err
	}
	var out []directory.User
	names := map[int64]string{}
	for _, u := range staff {
		names[u.ID] = u.Name
		if u.Role != "light_agent" && !u.Suspended {
			out = append(out, u)
		}
	}
	return out, names, nil
}

// adminOrgs: GET /admin/organizations?q=&page=.
func (p *Pages) adminOrgs(w http.ResponseWriter, r *http.Request) {
	f := newForm()
	p.renderOrgs(w, r, p.adminView(r, "nav.organizations"), http.StatusOK, f)
}

func (p *Pages) renderOrgs(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	ctx := r.Context()
	op := &orgsPage{Form: f, Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	var orgs []directory.Organization
	var err error
	page := pageParam(r)
	if op.Q != "" {
		orgs, err = p.d.Dir.SearchOrganizations(ctx, v.Actor, op.Q, 100)
		op.Count = len(orgs)
	} else {
		orgs, op.Count, err = p.d.Dir.ListOrganizations(ctx, v.Actor, directory.Page{Page: page, PerPage: 50})
		op.Prev, op.Next = offsetPager("/admin/organizations?", page, 50, op.Count)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var names map[int64]string
	if op.Owners, names, err = p.owners(r, v); err != nil {
		p.fail(w, r, err)
		return
	}
	for _, o := range orgs {
		op.Rows = append(op.Rows, orgRow{O: o, Owner: names[o.AccountOwnerID]})
	}
	v.Data = op
	p.render(w, r, status, "admin_orgs", v)
}

// orgInput reads the organisation form.
func orgInput(f *formState) directory.OrgInput {
	return directory.OrgInput{Name: f.V("name"), DomainNames: splitList(f.V("domains")),
		SharedTickets: f.On("shared_tickets"), SharedComments: f.On("shared_tickets") && f.On("shared_comments"),
		AccountOwnerID: firstID(f.V("account_owner_id")), Tags: splitList(f.V("tags")),
		Details: f.Values.Get("details"), Notes: f.Values.Get("notes")}
}

func firstID(s string) int64 {
	if v := ids([]string{s}); len(v) > 0 {
		return v[0]
	}
	return 0
}

var orgFormNames = []string{"name", "domains", "shared_tickets", "shared_comments", "account_owner_id", "tags", "details", "notes"}

// createOrg: POST /admin/organizations.
func (p *Pages) createOrg(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "nav.organizations")
	f := formFrom(r, orgFormNames...)
	o, err := p.d.Dir.CreateOrganization(r.Context(), v.Actor, orgInput(f))
	if err != nil {
		if !applyError(v, f, err, orgFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderOrgs(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/organizations/"+itoa(o.ID)+"?done=created", http.StatusSeeOther)
}

type orgPage struct {
	O      directory.Organization
	Owners []directory.User
	Form   *formState
}

// adminOrg: GET /admin/organizations/{id}.
func (p *Pages) adminOrg(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "nav.organizations")
	o, err := p.d.Dir.GetOrganization(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := newForm()
	f.Values.Set("name", o.Name)
	f.Values.Set("domains", strings.Join(o.DomainNames, " "))
	if o.SharedTickets {
		f.Values.Set("shared_tickets", "1")
	}
	if o.SharedComments {
		f.Values.Set("shared_comments", "1")
	}
	if o.AccountOwnerID != 0 {
		f.Values.Set("account_owner_id", itoa(o.AccountOwnerID))
	}
	f.Values.Set("tags", strings.Join(o.Tags, " "))
	f.Values.Set("details", o.Details)
	f.Values.Set("notes", o.Notes)
	p.renderOrg(w, r, v, http.StatusOK, o, f)
}

func (p *Pages) renderOrg(w http.ResponseWriter, r *http.Request, v *View, status int, o directory.Organization, f *formState) {
	owners, _, err := p.owners(r, v)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title = o.Name
	v.Data = &orgPage{O: o, Owners: owners, Form: f}
	p.render(w, r, status, "admin_org", v)
}

// saveOrg: POST /admin/organizations/{id}.
func (p *Pages) saveOrg(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	v := p.adminView(r, "nav.organizations")
	o, err := p.d.Dir.GetOrganization(ctx, v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	f := formFrom(r, orgFormNames...)
	in := orgInput(f)
	_, err = p.d.Dir.UpdateOrganization(ctx, v.Actor, id, directory.OrgPatch{Name: &in.Name, DomainNames: &in.DomainNames,
		SharedTickets: &in.SharedTickets, SharedComments: &in.SharedComments, AccountOwnerID: &in.AccountOwnerID,
		Tags: &in.Tags, Details: &in.Details, Notes: &in.Notes})
	if err != nil {
		if !applyError(v, f, err, orgFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderOrg(w, r, v, http.StatusUnprocessableEntity, o, f)
		return
	}
	http.Redirect(w, r, "/admin/organizations/"+itoa(id)+"?done=saved", http.StatusSeeOther)
}

// deleteOrg: POST /admin/organizations/{id}/delete (confirm=1). Its people
// and tickets stay, without an organisation.
func (p *Pages) deleteOrg(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if r.PostFormValue("confirm") != "1" {
		http.Redirect(w, r, "/admin/organizations/"+itoa(id), http.StatusSeeOther)
		return
	}
	if err := p.d.Dir.DeleteOrganization(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/organizations?done=deleted", http.StatusSeeOther)
}
