package ui

import (
	"net/http"
	"net/url"
	"strconv"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

type customerPage struct {
	U       directory.User
	Local   string
	Org     *directory.Organization
	Owner   *directory.User
	Tickets []inboxRow
	Count   int
	Page    int
	Next    string
	Prev    string
	Journey *customerJourney // nil: no journey service
}

// customerJourney is the customer page's journey section: the customer's
// events (journey package) and lifetime value.
type customerJourney struct {
	Events   []journeyEventRow
	Value    string
	ReachOut bool // the viewer may reach out to this customer
}

type journeyEventRow struct {
	Type, Name, Value, Date string
	ISO                     string
}

// customer: GET /agent/customers/{id}: a person's profile and every ticket
// they have opened, on every channel, newest first.
func (p *Pages) customer(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := currentActor(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	u, err := p.d.Dir.GetUser(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	cp := customerPage{U: u, Page: 1}
	if n, err := strconv.Atoi(r.URL.Query().Get("page")); err == nil && n > 1 {
		cp.Page = n
	}
	if u.TimeZone != "" {
		cp.Local = formatClock(v.Locale, v.Now.In(loadLocation(u.TimeZone)))
	}
	if u.OrganizationID != 0 {
		if o, err := p.d.Dir.GetOrganization(ctx, a, u.OrganizationID); err == nil {
			cp.Org = &o
			if o.AccountOwnerID != 0 {
				if owner, err := p.d.Dir.GetUser(ctx, a, o.AccountOwnerID); err == nil {
					cp.Owner = &owner
				}
			}
		}
	}
	res, err := p.d.Tickets.List(ctx, a, ticket.ListQuery{RequesterID: id, Sort: "updated_at", Desc: true,
		Page: cp.Page, PerPage: pageSize})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	cp.Count = res.Count
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if cp.Tickets, err = p.rows(ctx, v, res.Tickets, groups, nil); err != nil {
		p.fail(w, r, err)
		return
	}
	base := "/agent/customers/" + itoa(id) + "?page="
	if cp.Page*pageSize < res.Count {
		cp.Next = base + strconv.Itoa(cp.Page+1)
	}
	if cp.Page > 1 {
		cp.Prev = base + strconv.Itoa(cp.Page-1)
	}
	if p.d.Journey != nil && u.Role == auth.RoleEndUser {
		j, err := p.d.Journey.ForCustomer(ctx, a, id)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		cj := &customerJourney{Value: formatMoney(v.Locale, j.LifetimeValueCents), ReachOut: a.CanEditTickets()}
		// Newest first, as the tickets.
		for i := len(j.Events) - 1; i >= 0; i-- {
			e := j.Events[i]
			row := journeyEventRow{Type: v.T("journey.type." + e.Type), Name: e.Name, Date: i18n.FormatDate(v.Locale, e.OccurredAt, v.Loc),
				ISO: e.OccurredAt.UTC().Format("2006-01-02T15:04:05Z")}
			if e.ValueCents != 0 {
				row.Value = formatMoney(v.Locale, e.ValueCents)
			}
			cj.Events = append(cj.Events, row)
		}
		cp.Journey = cj
	}
	v.Title, v.Nav, v.Page = u.Name, "search", "list"
	v.Data = &cp
	p.render(w, r, http.StatusOK, "customer", v)
}

// shortcuts: GET /agent/shortcuts documents the keyboard shortcuts (the same
// list as the "?" overlay, for those who prefer a page).
func (p *Pages) shortcuts(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	v.Title, v.Nav = v.T("shortcuts.title"), "shortcuts"
	p.render(w, r, http.StatusOK, "shortcuts", v)
}

func urlQuery(s string) string { return url.QueryEscape(s) }
