package ui

import (
	"net/http"
	"strconv"

	"layan/internal/channel/email"
	"layan/internal/directory"
)

// Support addresses (admins): each is tied to a group and a language and
// fed by IMAP polling and/or the inbound SMTP listener; replies go out
// through its SMTP relay. Passwords in the IMAP and SMTP URLs are never
// shown: the form carries the redacted URL, and sending it back unchanged
// keeps the stored one. DKIM keys are set over the API or CLI.

type emailAddressesPage struct {
	Rows   []email.Address // redacted
	Groups []directory.Group
	Form   *formState
}

type emailAddressPage struct {
	A      email.Address // redacted
	Groups []directory.Group
	Form   *formState
}

var emailAddressFields = map[string][2]string{
	"email": {"email", "common.email"}, "name": {"name", "common.name"}, "group_id": {"group_id", "ticket.group"},
	"locale": {"locale", "mailadmin.locale"}, "imap_url": {"imap_url", "mailadmin.imap_url"},
	"smtp_url": {"smtp_url", "mailadmin.smtp_url"}, "unknown_reply": {"unknown_reply", "mailadmin.unknown_reply"},
}

func (p *Pages) emailOff(w http.ResponseWriter, r *http.Request) bool {
	if p.d.Email == nil {
		p.notFound(w, r)
		return true
	}
	return false
}

// adminEmail: GET /admin/email.
func (p *Pages) adminEmail(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	f := newForm()
	f.Values.Set("locale", "en")
	f.Values.Set("unknown_reply", "new_ticket")
	f.Values.Set("active", "1")
	p.renderEmailAddresses(w, r, p.adminView(r, "mailadmin.title"), http.StatusOK, f)
}

func (p *Pages) renderEmailAddresses(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	as, err := p.d.Email.ListAddresses(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	groups, err := p.d.Dir.ListGroups(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d := &emailAddressesPage{Groups: groups, Form: f}
	for _, a := range as {
		d.Rows = append(d.Rows, a.Redacted())
	}
	v.Data = d
	p.render(w, r, status, "admin_email", v)
}

// addressInput reads the address form.
func addressInput(f *formState) email.AddressInput {
	s := func(name string) *string { v := f.V(name); return &v }
	gid, _ := strconv.ParseInt(f.V("group_id"), 10, 64)
	active := f.On("active")
	return email.AddressInput{Email: s("email"), Name: s("name"), GroupID: &gid, Locale: s("locale"),
		IMAPURL: s("imap_url"), SMTPURL: s("smtp_url"), UnknownReply: s("unknown_reply"), Active: &active}
}

var addressFormNames = []string{"email", "name", "group_id", "locale", "imap_url", "smtp_url", "unknown_reply", "active"}

// createEmailAddress: POST /admin/email.
func (p *Pages) createEmailAddress(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	v := p.adminView(r, "mailadmin.title")
	f := formFrom(r, addressFormNames...)
	a, err := p.d.Email.AddAddress(r.Context(), v.Actor, addressInput(f))
	if err != nil {
		if !applyError(v, f, err, emailAddressFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderEmailAddresses(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	http.Redirect(w, r, "/admin/email/"+itoa(a.ID)+"?done=created", http.StatusSeeOther)
}

// adminEmailAddress: GET /admin/email/{id}.
func (p *Pages) adminEmailAddress(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "mailadmin.title")
	a, err := p.d.Email.GetAddress(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	a = a.Redacted()
	f := newForm()
	f.Values.Set("email", a.Email)
	f.Values.Set("name", a.Name)
	f.Values.Set("group_id", strconv.FormatInt(a.GroupID, 10))
	f.Values.Set("locale", a.Locale)
	f.Values.Set("imap_url", a.IMAPURL)
	f.Values.Set("smtp_url", a.SMTPURL)
	f.Values.Set("unknown_reply", a.UnknownReply)
	if a.Active {
		f.Values.Set("active", "1")
	}
	p.renderEmailAddress(w, r, v, http.StatusOK, a, f)
}

func (p *Pages) renderEmailAddress(w http.ResponseWriter, r *http.Request, v *View, status int, a email.Address, f *formState) {
	groups, err := p.d.Dir.ListGroups(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title = a.Email
	v.Data = &emailAddressPage{A: a, Groups: groups, Form: f}
	p.render(w, r, status, "admin_email_address", v)
}

// saveEmailAddress: POST /admin/email/{id}.
func (p *Pages) saveEmailAddress(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "mailadmin.title")
	f := formFrom(r, addressFormNames...)
	if _, err := p.d.Email.UpdateAddress(r.Context(), v.Actor, id, addressInput(f)); err != nil {
		if !applyError(v, f, err, emailAddressFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		a, gerr := p.d.Email.GetAddress(r.Context(), v.Actor, id)
		if gerr != nil {
			p.fail(w, r, gerr)
			return
		}
		p.renderEmailAddress(w, r, v, http.StatusUnprocessableEntity, a.Redacted(), f)
		return
	}
	http.Redirect(w, r, "/admin/email/"+itoa(id)+"?done=saved", http.StatusSeeOther)
}

// deleteEmailAddress: POST /admin/email/{id}/delete.
func (p *Pages) deleteEmailAddress(w http.ResponseWriter, r *http.Request) {
	if p.emailOff(w, r) {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if err := p.d.Email.DeleteAddress(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/email?done=deleted", http.StatusSeeOther)
}
