package ui

import (
	"io"
	"net/http"
	"strconv"

	"layan/internal/channel/email"
)

// Email that did not become a ticket on its own, for agents: messages that
// failed to ingest (kept raw, never dropped; retry after a fix) and replies
// from someone who is not on the ticket, held for approval (the "Ticket
// Trick" guard): approve lets it in, reject keeps it out. The raw message
// downloads for a closer look.

type emailMessagesPage struct {
	Status   string // failed or held
	Messages []email.Message
	Next     string
	CanAct   bool
}

const emailPageSize = 50

// emailMessages: GET /agent/email/messages?status=failed|held&before=.
func (p *Pages) emailMessages(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	v := p.view(r)
	status := r.URL.Query().Get("status")
	if status == "" {
		status = email.StatusFailed
	}
	if status != email.StatusFailed && status != email.StatusHeld {
		p.notFound(w, r)
		return
	}
	before, ok := queryID(r, "before")
	if !ok {
		p.notFound(w, r)
		return
	}
	ms, err := p.d.Email.ListMessages(r.Context(), v.Actor, email.MessageFilter{Status: status, BeforeID: before, Limit: emailPageSize + 1})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := &emailMessagesPage{Status: status, Messages: ms, CanAct: v.Actor.CanEditTickets()}
	if len(ms) > emailPageSize {
		d.Messages = ms[:emailPageSize]
		d.Next = "/agent/email/messages?status=" + status + "&before=" + strconv.FormatInt(d.Messages[emailPageSize-1].ID, 10)
	}
	switch r.URL.Query().Get("done") {
	case "retried":
		v.Flash, v.FlashKind = v.T("mailadmin.retried"), "ok"
	case "still_failed":
		v.Flash, v.FlashKind = v.T("mailadmin.still_failed"), "error"
	case "approved":
		v.Flash, v.FlashKind = v.T("mailadmin.approved"), "ok"
	case "rejected":
		v.Flash, v.FlashKind = v.T("mailadmin.rejected"), "ok"
	}
	v.Title, v.Nav, v.Data = v.T("mailadmin.messages_title"), "inbox", d
	p.render(w, r, http.StatusOK, "email_messages", v)
}

// emailMessageAction: POST /agent/email/messages/{id}/{action} (retry,
// approve, reject).
func (p *Pages) emailMessageAction(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	a := currentActor(r)
	ctx := r.Context()
	back, done := email.StatusFailed, ""
	switch r.PathValue("action") {
	case "retry":
		res, err := p.d.Email.Retry(ctx, a, id)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		done = "retried"
		if res.Status == email.StatusFailed {
			done = "still_failed"
		}
	case "approve":
		if _, err := p.d.Email.Approve(ctx, a, id); err != nil {
			p.fail(w, r, err)
			return
		}
		back, done = email.StatusHeld, "approved"
	case "reject":
		if err := p.d.Email.Reject(ctx, a, id); err != nil {
			p.fail(w, r, err)
			return
		}
		back, done = email.StatusHeld, "rejected"
	default:
		p.notFound(w, r)
		return
	}
	http.Redirect(w, r, "/agent/email/messages?status="+back+"&done="+done, http.StatusSeeOther)
}

// emailMessageRaw: GET /agent/email/messages/{id}/raw, as an .eml download
// (never shown inline: it is untrusted content).
func (p *Pages) emailMessageRaw(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	_, raw, err := p.d.Email.RawMessage(r.Context(), currentActor(r), id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	defer raw.Close()
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	h.Set("Content-Disposition", `attachment; filename="message-`+strconv.FormatInt(id, 10)+`.eml"`)
	h.Set("X-Content-Type-Options", "nosniff")
	_, _ = io.Copy(w, raw)
}
