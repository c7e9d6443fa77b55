package ui

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/collab"
	"layan/internal/directory"
)

// Collaboration on the ticket page: followers (follow it myself, or add a
// colleague), CCs, side conversations with a third party; the agent's
// notifications page; and the public page where the third party answers a
// side conversation through its link (the token is the permission).

type collabPanel struct {
	On         bool
	P          collab.Participants
	Following  bool
	Candidates []directory.User // staff not following yet
	Sides      []sideView
	Names      map[int64]string
}

type sideView struct {
	collab.SideConversation
	Open bool
}

// loadCollab fills the ticket page's collaboration panel (empty on error:
// the page works without it).
func (p *Pages) loadCollab(ctx context.Context, v *View, tp *ticketPage) {
	if p.d.Collab == nil {
		return
	}
	a := v.Actor
	parts, err := p.d.Collab.Participants(ctx, a, tp.T.ID)
	if err != nil {
		return
	}
	cp := &tp.Flow.Collab
	cp.On, cp.P, cp.Names = true, parts, map[int64]string{}
	for _, f := range parts.Followers {
		cp.Following = cp.Following || f.ID == a.UserID
		cp.Names[f.ID] = f.Name
	}
	for _, u := range tp.Agents {
		cp.Names[u.ID] = u.Name
		following := false
		for _, f := range parts.Followers {
			following = following || f.ID == u.ID
		}
		if !following && u.ID != a.UserID {
			cp.Candidates = append(cp.Candidates, u)
		}
	}
	sides, err := p.d.Collab.SideConversations(ctx, a, tp.T.ID)
	if err != nil {
		return
	}
	var ids []int64
	for _, s := range sides {
		cp.Sides = append(cp.Sides, sideView{SideConversation: s, Open: s.Status == "open"})
		for _, m := range s.Messages {
			if _, ok := cp.Names[m.AuthorID]; !ok && m.AuthorID != 0 {
				ids = append(ids, m.AuthorID)
			}
		}
	}
	if us, err := p.d.Dir.UsersByIDs(ctx, a, ids); err == nil {
		for _, u := range us {
			cp.Names[u.ID] = u.Name
		}
	}
}

func (p *Pages) backToTicket(w http.ResponseWriter, r *http.Request, id int64, done string) {
	http.Redirect(w, r, "/agent/tickets/"+itoa(id)+"?done="+done+"#collab", http.StatusSeeOther)
}

// collabFail shows a refused collaboration change as a notice on the
// ticket page (validation), or the error page.
func (p *Pages) collabFail(w http.ResponseWriter, r *http.Request, id int64, err error) {
	ve, ok := apperr.AsValidation(err)
	if !ok {
		p.fail(w, r, err)
		return
	}
	v := p.view(r)
	label := map[string]string{"to": "collab.side_to", "body": "collab.side_message", "subject": "collab.side_subject",
		"user_id": "collab.person", "email": "common.email"}[ve.Field]
	if label == "" {
		label = "collab.person"
	}
	v.Flash, v.FlashKind = fieldMessage(v, v.T(label), ve), "error"
	p.showTicket(w, r, v, http.StatusUnprocessableEntity, id, draft{})
}

// followTicket: POST /agent/tickets/{id}/followers (action follow|unfollow,
// user_id: empty for myself).
func (p *Pages) followTicket(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a := currentActor(r)
	uid := a.UserID
	if s := r.PostFormValue("user_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			p.collabFail(w, r, id, apperr.Invalid("user_id", "invalid", "bad user"))
			return
		}
		uid = n
	}
	var err error
	if r.PostFormValue("action") == "unfollow" {
		err = p.d.Collab.Unfollow(r.Context(), a, id, uid)
	} else {
		err = p.d.Collab.Follow(r.Context(), a, id, uid)
	}
	if err != nil {
		p.collabFail(w, r, id, err)
		return
	}
	p.backToTicket(w, r, id, "collab")
}

// addCC: POST /agent/tickets/{id}/ccs (email).
func (p *Pages) addCC(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	if _, err := p.d.Collab.AddCC(r.Context(), currentActor(r), id, 0, r.PostFormValue("email")); err != nil {
		p.collabFail(w, r, id, err)
		return
	}
	p.backToTicket(w, r, id, "collab")
}

// removeCC: POST /agent/tickets/{id}/ccs/{user}/remove.
func (p *Pages) removeCC(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	uid, ok := p.pathID(w, r, "user")
	if !ok {
		return
	}
	if err := p.d.Collab.RemoveCC(r.Context(), currentActor(r), id, uid); err != nil {
		p.collabFail(w, r, id, err)
		return
	}
	p.backToTicket(w, r, id, "collab")
}

// startSide: POST /agent/tickets/{id}/side (to, subject, body).
func (p *Pages) startSide(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	if _, err := p.d.Collab.StartSide(r.Context(), currentActor(r), id, r.PostFormValue("to"), r.PostFormValue("subject"),
		r.PostFormValue("body")); err != nil {
		p.collabFail(w, r, id, err)
		return
	}
	p.backToTicket(w, r, id, "side")
}

// sideAction: POST /agent/side/{id}/reply (body) and /agent/side/{id}/close.
func (p *Pages) sideAction(close bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sid, ok := p.pathID(w, r, "id")
		if !ok {
			return
		}
		a := currentActor(r)
		c, err := p.d.Collab.SideConversation(r.Context(), a, sid)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		if close {
			err = p.d.Collab.CloseSide(r.Context(), a, sid)
		} else {
			_, err = p.d.Collab.ReplySide(r.Context(), a, sid, r.PostFormValue("body"))
		}
		if err != nil {
			p.collabFail(w, r, c.TicketID, err)
			return
		}
		p.backToTicket(w, r, c.TicketID, "side")
	}
}

type notificationsPage struct {
	Items  []collab.Notification
	Names  map[int64]string
	Unread int
}

// notificationsList: GET /agent/notifications.
func (p *Pages) notificationsList(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	v.Title, v.Nav = v.T("collab.notifications"), "notifications"
	ns, err := p.d.Collab.Notifications(r.Context(), v.Actor, false, 100)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	np := &notificationsPage{Items: ns, Names: map[int64]string{}}
	var ids []int64
	for _, n := range ns {
		if !n.Read {
			np.Unread++
		}
		if n.ActorID != 0 {
			ids = append(ids, n.ActorID)
		}
	}
	if us, err := p.d.Dir.UsersByIDs(r.Context(), v.Actor, ids); err == nil {
		for _, u := range us {
			np.Names[u.ID] = u.Name
		}
	}
	v.Data = np
	p.render(w, r, http.StatusOK, "notifications", v)
}

// readNotification: POST /agent/notifications/read (id: one, opening its
// ticket; none: all).
func (p *Pages) readNotification(w http.ResponseWriter, r *http.Request) {
	a := currentActor(r)
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if id < 0 {
		id = 0
	}
	if err := p.d.Collab.MarkRead(r.Context(), a, id); err != nil {
		p.fail(w, r, err)
		return
	}
	if t, err := strconv.ParseInt(r.PostFormValue("ticket_id"), 10, 64); err == nil && t > 0 && id != 0 {
		http.Redirect(w, r, "/agent/tickets/"+itoa(t), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, "/agent/notifications", http.StatusSeeOther)
}

type sidePublicPage struct {
	T     collab.ExternalThread
	Token string // the form's double-submit token
	Body  string
	Error string
	Sent  bool
}

// sidePublic: GET /portal/side/{token}: the third party's view of a side
// conversation.
func (p *Pages) sidePublic(w http.ResponseWriter, r *http.Request) {
	p.renderSidePublic(w, r, http.StatusOK, "", "", r.URL.Query().Get("sent") == "1")
}

func (p *Pages) renderSidePublic(w http.ResponseWriter, r *http.Request, status int, body, msg string, sent bool) {
	v := p.view(r)
	th, err := p.d.Collab.External(r.Context(), r.PathValue("token"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the address
	v.Title = th.Subject
	v.Data = &sidePublicPage{T: th, Token: formToken(w, r), Body: body, Error: msg, Sent: sent}
	p.render(w, r, status, "side_public", v)
}

// sideReplyPublic: POST /portal/side/{token} (body).
func (p *Pages) sideReplyPublic(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	body := r.PostFormValue("body")
	if !formTokenOK(r) {
		p.renderSidePublic(w, r, http.StatusForbidden, body, v.T("error.csrf"), false)
		return
	}
	if !p.accountLimits.ip.Allow("side:" + clientIP(r)).Allowed {
		p.renderSidePublic(w, r, http.StatusTooManyRequests, body, v.T("error.rate_limited"), false)
		return
	}
	err := p.d.Collab.ExternalReply(r.Context(), r.PathValue("token"), body)
	if ve, ok := apperr.AsValidation(err); ok {
		p.renderSidePublic(w, r, http.StatusUnprocessableEntity, body, fieldMessage(v, v.T("collab.side_message"), ve), false)
		return
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/portal/side/"+strings.TrimSpace(r.PathValue("token"))+"?sent=1", http.StatusSeeOther)
}
