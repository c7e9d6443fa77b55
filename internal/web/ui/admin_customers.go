package ui

import (
	"net/http"
	"net/url"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/i18n"
)

// Customers: the people the workspace serves. List, search, edit (including
// their organisation) and suspend; a suspended customer cannot sign in and
// their sessions end.

type customersPage struct {
	Rows  []directory.User
	Orgs  map[int64]string
	Count int
	Q     string
	Prev  string
	Next  string
}

// adminCustomers: GET /admin/customers?q=&page=. Search matches name, email,
// phone and external id, and may find staff too (they link to their page).
func (p *Pages) adminCustomers(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := p.adminView(r, "nav.customers")
	cp := &customersPage{Q: strings.TrimSpace(r.URL.Query().Get("q")), Orgs: map[int64]string{}}
	page := pageParam(r)
	var err error
	base := "/admin/customers?"
	if cp.Q != "" {
		cp.Rows, cp.Count, err = p.d.Dir.SearchUsers(ctx, v.Actor, cp.Q, directory.Page{Page: page, PerPage: 50})
		base += "q=" + url.QueryEscape(cp.Q) + "&"
	} else {
		cp.Rows, cp.Count, err = p.d.Dir.ListUsers(ctx, v.Actor, auth.RoleEndUser, directory.Page{Page: page, PerPage: 50})
	}
	if err != nil {
		if _, ok := apperr.AsValidation(err); ok {
			cp.Rows, cp.Count = nil, 0
			v.Flash, v.FlashKind = v.T("error.invalid_input"), "error"
		} else {
			p.fail(w, r, err)
			return
		}
	}
	cp.Prev, cp.Next = offsetPager(base, page, 50, cp.Count)
	for _, u := range cp.Rows {
		if u.OrganizationID != 0 {
			if _, ok := cp.Orgs[u.OrganizationID]; !ok {
				if o, err := p.d.Dir.GetOrganization(ctx, v.Actor, u.OrganizationID); err == nil {
					cp.Orgs[u.OrganizationID] = o.Name
				}
			}
		}
	}
	v.Data = cp
	p.render(w, r, http.StatusOK, "admin_customers", v)
}

type customerEditPage struct {
	U       directory.User
	Orgs    []directory.Organization
	Locales []string
	Form    *formState
}

var customerFields = map[string][2]string{
	"name": {"name", "common.name"}, "email": {"email", "common.email"}, "phone": {"phone", "common.phone"},
	"organization_id": {"organization_id", "ticket.organization"}, "locale": {"locale", "nav.language"},
	"time_zone": {"time_zone", "common.time_zone"}, "tags": {"tags", "ticket.tags"},
	"details": {"details", "admin.details"}, "notes": {"notes", "admin.notes"},
}

var customerFormNames = []string{"name", "email", "phone", "organization_id", "locale", "time_zone", "tags", "details",
	"notes", "suspended"}

// adminCustomer: GET /admin/customers/{id}.
func (p *Pages) adminCustomer(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "nav.customers")
	u, err := p.d.Dir.GetUser(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if u.Role != auth.RoleEndUser {
		http.Redirect(w, r, "/admin/agents/"+itoa(id), http.StatusSeeOther)
		return
	}
	f := newForm()
	f.Values.Set("name", u.Name)
	f.Values.Set("email", u.Email)
	f.Values.Set("phone", u.Phone)
	if u.OrganizationID != 0 {
		f.Values.Set("organization_id", itoa(u.OrganizationID))
	}
	f.Values.Set("locale", u.Locale)
	f.Values.Set("time_zone", u.TimeZone)
	f.Values.Set("tags", strings.Join(u.Tags, " "))
	f.Values.Set("details", u.Details)
	f.Values.Set("notes", u.Notes)
	if u.Suspended {
		f.Values.Set("suspended", "1")
	}
	p.renderCustomer(w, r, v, http.StatusOK, u, f)
}

func (p *Pages) renderCustomer(w http.ResponseWriter, r *http.Request, v *View, status int, u directory.User, f *formState) {
	orgs, err := p.allOrganizations(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title = u.Name
	v.Data = &customerEditPage{U: u, Orgs: orgs, Locales: i18n.Supported, Form: f}
	p.render(w, r, status, "admin_customer", v)
}

// saveCustomer: POST /admin/customers/{id}.
func (p *Pages) saveCustomer(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	v := p.adminView(r, "nav.customers")
	u, err := p.d.Dir.GetUser(ctx, v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if u.Role != auth.RoleEndUser {
		p.notFound(w, r)
		return
	}
	f := formFrom(r, customerFormNames...)
	name, email, phone, locale, tz := f.V("name"), f.V("email"), f.V("phone"), f.V("locale"), f.V("time_zone")
	details, notes := f.Values.Get("details"), f.Values.Get("notes")
	org := firstID(f.V("organization_id"))
	tags := splitList(f.V("tags"))
	suspended := f.On("suspended")
	_, err = p.d.Dir.UpdateUser(ctx, v.Actor, id, directory.UserPatch{Name: &name, Email: &email, Phone: &phone,
		Locale: &locale, TimeZone: &tz, Details: &details, Notes: &notes, OrganizationID: &org, Tags: &tags,
		Suspended: &suspended})
	if err != nil {
		if !applyError(v, f, err, customerFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderCustomer(w, r, v, http.StatusUnprocessableEntity, u, f)
		return
	}
	http.Redirect(w, r, "/admin/customers/"+itoa(id)+"?done=saved", http.StatusSeeOther)
}
