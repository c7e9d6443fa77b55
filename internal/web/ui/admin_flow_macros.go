package ui

import (
	"net/http"
	"strconv"
	"strings"

	"layan/internal/automation"
	"layan/internal/i18n"
)

// Macros: one click on the ticket page makes several field changes and a
// reply in the customer's language. A canned response only replies.

type macrosPage struct{ Macros []automation.Macro }

// adminMacros: GET /admin/macros.
func (p *Pages) adminMacros(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.macros")
	ms, err := p.d.Flow.Macros(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Data = &macrosPage{Macros: ms}
	p.render(w, r, http.StatusOK, "admin_macros", v)
}

type replyBox struct{ Locale, Text string }

type macroPage struct {
	ID      int64
	Form    *formState
	Actions []actRow
	Replies []replyBox
	Hints   []option
}

func macroForm(m automation.Macro) *formState {
	f := newForm()
	f.Values.Set("title", m.Title)
	f.Values.Set("description", m.Description)
	f.Values.Set("position", strconv.Itoa(m.Position))
	if m.Active {
		f.Values.Set("active", "1")
	}
	if m.Canned {
		f.Values.Set("canned", "1")
	}
	return f
}

func (p *Pages) renderMacro(w http.ResponseWriter, r *http.Request, v *View, status int, m automation.Macro, f *formState) {
	mp := &macroPage{ID: m.ID, Form: f, Actions: v.actRows(m.Actions), Hints: p.valueHints(r, v)}
	for _, loc := range i18n.Supported {
		mp.Replies = append(mp.Replies, replyBox{Locale: loc, Text: m.Replies[loc]})
	}
	if m.ID != 0 {
		v.Title = m.Title
	}
	v.Data = mp
	p.render(w, r, status, "admin_macro", v)
}

// newMacroForm: GET /admin/macros/new.
func (p *Pages) newMacroForm(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.macros")
	m := automation.Macro{Active: true}
	p.renderMacro(w, r, v, http.StatusOK, m, macroForm(m))
}

// adminMacro: GET /admin/macros/{id}.
func (p *Pages) adminMacro(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.adminView(r, "flow.macros")
	m, err := p.d.Flow.Macro(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	p.renderMacro(w, r, v, http.StatusOK, m, macroForm(m))
}

var macroFields = map[string][2]string{
	"title": {"title", "flow.rule_title"}, "actions": {"actions", "flow.actions"}, "replies": {"replies", "flow.replies"},
}

// saveMacro: POST /admin/macros and /admin/macros/{id}.
func (p *Pages) saveMacro(w http.ResponseWriter, r *http.Request) {
	v := p.adminView(r, "flow.macros")
	var id int64
	if r.PathValue("id") != "" {
		var ok bool
		if id, ok = p.pathID(w, r, "id"); !ok {
			return
		}
	}
	f := formFrom(r, "title", "description", "position", "active", "canned")
	m := automation.Macro{ID: id, Title: f.V("title"), Description: f.V("description"), Active: f.On("active"),
		Canned: f.On("canned"), Actions: actionsFrom(r), Replies: map[string]string{}}
	for _, loc := range i18n.Supported {
		if text := strings.TrimSpace(r.PostFormValue("reply_" + loc)); text != "" {
			m.Replies[loc] = text
		}
	}
	pos, err := strconv.Atoi(f.V("position"))
	if f.V("position") != "" && (err != nil || pos < 0 || pos > 100000) {
		f.Set("position", v.T("error.invalid", "field", v.T("flow.position")))
	}
	m.Position = pos
	if !f.Failed(v) {
		saved, err := p.d.Flow.SaveMacro(r.Context(), v.Actor, m)
		if err == nil {
			http.Redirect(w, r, "/admin/macros/"+itoa(saved.ID)+"?done=saved", http.StatusSeeOther)
			return
		}
		if !applyError(v, f, err, macroFields) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
	}
	p.renderMacro(w, r, v, http.StatusUnprocessableEntity, m, f)
}

// applyMacro: POST /agent/tickets/{id}/macro (macro_id). The automation
// service checks the agent may edit the ticket and fills the placeholders.
func (p *Pages) applyMacro(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	mid, err := strconv.ParseInt(r.PostFormValue("macro_id"), 10, 64)
	if err != nil || mid <= 0 {
		http.Redirect(w, r, "/agent/tickets/"+itoa(id), http.StatusSeeOther)
		return
	}
	if _, err := p.d.Flow.ApplyMacro(r.Context(), currentActor(r), mid, id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/tickets/"+itoa(id)+"?done=macro", http.StatusSeeOther)
}
