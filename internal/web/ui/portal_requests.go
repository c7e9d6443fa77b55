package ui

import (
	"net/http"
	"strings"

	"layan/internal/directory"
	"layan/internal/ticket"
)

// A customer's requests: the list (theirs, or their organisation's when it
// shares tickets) and the form for a new one.

type requestsPage struct {
	Rows      []portalRow
	Count     int
	Scope     string // "mine" or "org"
	Status    string // "", "open" or "solved"
	OrgShared bool
	OrgName   string
	Prev      string
	Next      string
}

// portalPageSize is how many requests a list page shows.
const portalPageSize = 25

// sharedOrg is the customer's organisation when it shares tickets.
func (p *Pages) sharedOrg(r *http.Request, v *View) (directory.Organization, bool) {
	a := v.Actor
	if a.OrganizationID == 0 {
		return directory.Organization{}, false
	}
	o, err := p.d.Dir.GetOrganization(r.Context(), a, a.OrganizationID)
	if err != nil || !o.SharedTickets {
		return o, false
	}
	return o, true
}

// portalRequests: GET /portal/requests?scope=mine|org&status=open|solved&page=N.
func (p *Pages) portalRequests(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	qs := r.URL.Query()
	rp := &requestsPage{Scope: "mine", Status: qs.Get("status")}
	org, shared := p.sharedOrg(r, v)
	rp.OrgShared, rp.OrgName = shared, org.Name
	q := ticket.ListQuery{RequesterID: v.Actor.UserID, Sort: "updated_at", Desc: true, PerPage: portalPageSize,
		Page: pageParam(r)}
	if qs.Get("scope") == "org" && shared {
		rp.Scope = "org"
		q.RequesterID, q.OrganizationID = 0, org.ID
	}
	switch rp.Status {
	case "open":
		q.Statuses = []string{"new", "open", "pending", "hold"}
	case "solved":
		q.Statuses = []string{"solved", "closed"}
	default:
		rp.Status = ""
	}
	res, err := p.d.Tickets.List(r.Context(), v.Actor, q)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if rp.Rows, err = p.portalRows(r.Context(), v, res.Tickets); err != nil {
		p.fail(w, r, err)
		return
	}
	rp.Count = res.Count
	base := "/portal/requests?scope=" + rp.Scope + "&"
	if rp.Status != "" {
		base += "status=" + rp.Status + "&"
	}
	rp.Prev, rp.Next = offsetPager(base, q.Page, portalPageSize, res.Count)
	v.Title, v.Nav = v.T("portal.my_requests"), "portal-requests"
	if rp.Scope == "org" {
		v.Title = v.T("portal.org_requests")
	}
	v.Data = rp
	p.render(w, r, http.StatusOK, "portal_requests", v)
}

type newRequestPage struct {
	Form     *formState
	Fields   []fieldView
	Uploads  []pendingUpload
	MaxFiles int
	MaxSize  string
}

// newRequestForm: GET /portal/requests/new.
func (p *Pages) newRequestForm(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	defs, err := p.customerFields(r, v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderNewRequest(w, r, v, http.StatusOK, newForm(), defs, nil)
}

func (p *Pages) renderNewRequest(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState,
	defs []ticket.Field, ups []pendingUpload) {
	v.Title, v.Nav = v.T("portal.submit_request"), "portal-new"
	v.Data = &newRequestPage{Form: f, Fields: fieldInputs(defs, f), Uploads: ups, MaxFiles: maxFilesPerReply,
		MaxSize: formatSize(v.Locale, p.d.MaxUploadBytes)}
	p.render(w, r, status, "portal_new", v)
}

var requestFields = map[string][2]string{
	"subject": {"subject", "ticket.subject"}, "comment.body": {"description", "ticket.description"},
	"comment.uploads": {"attachments", "reply.attachments"},
}

// createRequest: POST /portal/requests (multipart: subject, description,
// attachments, cf_<id>). A refused form comes back with what was typed and
// the files already uploaded.
func (p *Pages) createRequest(w http.ResponseWriter, r *http.Request) {
	if err := parseUploadForm(r); err != nil {
		p.fail(w, r, err)
		return
	}
	a := currentActor(r)
	v := p.view(r)
	defs, err := p.customerFields(r, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	names := []string{"subject", "description"}
	for _, d := range defs {
		names = append(names, "cf_"+itoa(d.ID))
	}
	f := formFrom(r, names...)
	ups, err := p.collectUploads(r, v, a, f)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if f.V("subject") == "" {
		f.Set("subject", v.T("error.required", "field", v.T("ticket.subject")))
	}
	if f.V("description") == "" {
		f.Set("description", v.T("error.required", "field", v.T("ticket.description")))
	}
	values := customFieldValues(v, defs, f)
	if !f.Failed(v) {
		t, err := p.d.Tickets.Create(r.Context(), a, ticket.NewTicket{Subject: f.V("subject"), Via: "web",
			CustomFields: values, Comment: ticket.NewComment{Body: strings.TrimSpace(r.PostFormValue("description")),
				Uploads: uploadTokens(ups), Via: "web"}})
		if err == nil {
			http.Redirect(w, r, "/portal/requests/"+itoa(t.ID)+"?done=created", http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, requestFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.renderNewRequest(w, r, v, http.StatusUnprocessableEntity, f, defs, ups)
}
