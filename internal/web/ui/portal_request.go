package ui

import (
	"net/http"
	"strings"

	"layan/internal/auth"
	"layan/internal/ticket"
)

// One request as its customer sees it: the public conversation, the custom
// fields shown in the portal, a reply box with attachments and a button to
// mark it solved. A request the customer may not read is a 404, like any
// unknown number (the ticket service decides).

type requestPage struct {
	T           ticket.Ticket
	Status      string
	StatusClass string
	Requester   string // named when it is not the viewer (shared requests)
	Comments    []commentView
	Fields      []shownField
	CanReply    bool
	CanSolve    bool
	Closed      bool
	Form        *formState
	Uploads     []pendingUpload
	MaxFiles    int
	MaxSize     string
	// Rating is the requester's CSAT on a solved request (portal_rating.go).
	Rating *portalRating
}

// portalRequest: GET /portal/requests/{id}. Staff are sent to the ticket in
// their workspace, where they see everything.
func (p *Pages) portalRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	v := p.view(r)
	if v.Staff {
		http.Redirect(w, r, "/agent/tickets/"+itoa(id), http.StatusSeeOther)
		return
	}
	switch r.URL.Query().Get("done") {
	case "created":
		v.Flash, v.FlashKind = v.T("portal.request_received", "id", id), "ok"
	case "reply":
		v.Flash, v.FlashKind = v.T("reply.sent"), "ok"
	case "solved":
		v.Flash, v.FlashKind = v.T("portal.solved_thanks"), "ok"
	case "rated":
		v.Flash, v.FlashKind = v.T("survey.comment_saved"), "ok"
	}
	p.showRequest(w, r, v, http.StatusOK, id, newForm(), nil)
}

func (p *Pages) showRequest(w http.ResponseWriter, r *http.Request, v *View, status int, id int64, f *formState,
	ups []pendingUpload) {
	ctx := r.Context()
	a := v.Actor
	t, err := p.d.Tickets.Get(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	rp := &requestPage{T: t, Form: f, Uploads: ups, MaxFiles: maxFilesPerReply, MaxSize: formatSize(v.Locale, p.d.MaxUploadBytes),
		Closed: t.Status == "closed"}
	key, class := portalStatus(t.Status)
	rp.Status, rp.StatusClass = v.T(key), class
	all, err := p.conversation(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, c := range all {
		if c.Public { // the service gives customers public comments only; this keeps it so for anyone
			rp.Comments = append(rp.Comments, c)
		}
	}
	mine := t.RequesterID == a.UserID
	if !mine {
		for _, c := range all {
			if c.AuthorID == t.RequesterID {
				rp.Requester = c.Author
				break
			}
		}
		if rp.Requester == "" {
			if us, err := p.d.Dir.UsersByIDs(ctx, a, []int64{t.RequesterID}); err == nil && len(us) == 1 {
				rp.Requester = us[0].Name
			}
		}
	}
	rp.CanReply = !rp.Closed && (mine || p.orgSharesComments(r, v, t))
	rp.CanSolve = mine && t.Status != "solved" && t.Status != "closed"
	if mine && !rp.CanSolve {
		rp.Rating = p.portalRatingOf(r, v, t.ID)
	}
	defs, err := p.d.Tickets.Fields(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, d := range defs {
		if !d.Active || !d.VisibleInPortal {
			continue
		}
		if s := showFieldValue(v.Locale, d, t.CustomFields[d.ID]); s != "" {
			rp.Fields = append(rp.Fields, shownField{Title: d.Title, Value: s})
		}
	}
	v.Title, v.Nav = v.T("ticket.number", "id", id)+" · "+t.Subject, "portal-requests"
	v.Data = rp
	p.render(w, r, status, "portal_request", v)
}

// orgSharesComments: customers may comment on their organisation's requests
// when it shares comments too (the service checks it again).
func (p *Pages) orgSharesComments(r *http.Request, v *View, t ticket.Ticket) bool {
	a := v.Actor
	if a.Role != auth.RoleEndUser || a.OrganizationID == 0 || t.OrganizationID != a.OrganizationID {
		return false
	}
	o, err := p.d.Dir.GetOrganization(r.Context(), a, a.OrganizationID)
	return err == nil && o.SharedTickets && o.SharedComments
}

// updateRequest: POST /portal/requests/{id}: a reply (body, attachments) or,
// with action=solve, marking the request solved. Customers change nothing
// else; the ticket service enforces that too.
func (p *Pages) updateRequest(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a := currentActor(r)
	if a.IsStaff() {
		p.forbidden(w, r) // staff answer from their workspace
		return
	}
	if err := parseUploadForm(r); err != nil {
		p.fail(w, r, err)
		return
	}
	ctx := r.Context()
	v := p.view(r)
	if _, err := p.d.Tickets.Get(ctx, a, id); err != nil {
		p.fail(w, r, err)
		return
	}
	if r.PostFormValue("action") == "solve" {
		solved := "solved"
		if _, err := p.d.Tickets.Update(ctx, a, id, ticket.Patch{Status: &solved}); err != nil {
			p.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/portal/requests/"+itoa(id)+"?done=solved", http.StatusSeeOther)
		return
	}
	f := formFrom(r, "body")
	ups, err := p.collectUploads(r, v, a, f)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	body := strings.TrimSpace(r.PostFormValue("body"))
	if body == "" && len(ups) == 0 {
		f.Set("body", v.T("error.required", "field", v.T("reply.body")))
	}
	if !f.Failed(v) {
		_, err := p.d.Tickets.Update(ctx, a, id, ticket.Patch{Comment: &ticket.NewComment{Body: body,
			Uploads: uploadTokens(ups), Via: "web"}})
		if err == nil {
			http.Redirect(w, r, "/portal/requests/"+itoa(id)+"?done=reply", http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, map[string][2]string{
			"comment.body": {"body", "reply.body"}, "comment.uploads": {"attachments", "reply.attachments"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.showRequest(w, r, v, http.StatusUnprocessableEntity, id, f, ups)
}
