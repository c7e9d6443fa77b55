package ui

import (
	"net/http"
	"strconv"

	"layan/internal/kb"
)

// The FAQ in the agent workspace: the items of one language (the portal's
// home shows those marked "home"), a form to add one or edit one
// (?edit=ID), and delete.

type kbFAQAdmin struct {
	L          string
	Items      []kb.FAQ
	Categories []kbCategoryView
	CanWrite   bool
	Form       *formState
	EditID     int64 // the item the form edits; 0: a new one
}

// kbFAQList: GET /agent/kb/faq?locale=.
func (p *Pages) kbFAQList(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	l := kb.NormalizeLocale(r.URL.Query().Get("locale"))
	if l == "" {
		l = kbLocale(v)
	}
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Flash, v.FlashKind = v.T("kb.faq_saved"), "ok"
	case "deleted":
		v.Flash, v.FlashKind = v.T("kb.faq_deleted"), "ok"
	}
	f := newForm()
	f.Values.Set("locale", l)
	f.Values.Set("visibility", kb.Public)
	var editID int64
	if e := r.URL.Query().Get("edit"); e != "" {
		id, err := strconv.ParseInt(e, 10, 64)
		if err != nil || id <= 0 {
			p.notFound(w, r)
			return
		}
		it, err := p.d.KB.GetFAQ(r.Context(), v.Actor, id)
		if err != nil {
			p.fail(w, r, err)
			return
		}
		editID, l = it.ID, it.Locale
		f.Values.Set("locale", it.Locale)
		f.Values.Set("question", it.Question)
		f.Values.Set("answer", it.AnswerMD)
		f.Values.Set("category_id", strconv.FormatInt(it.CategoryID, 10))
		f.Values.Set("visibility", it.Visibility)
		if it.Home {
			f.Values.Set("home", "1")
		}
	}
	p.showFAQAdmin(w, r, v, http.StatusOK, l, f, editID)
}

func (p *Pages) showFAQAdmin(w http.ResponseWriter, r *http.Request, v *View, status int, l string, f *formState, editID int64) {
	items, err := p.d.KB.ListFAQ(r.Context(), v.Actor, kb.FAQFilter{Locale: l})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	home, err := p.kbHomeData(r.Context(), v, l)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav = v.T("kb.faq"), "kb"
	v.Data = &kbFAQAdmin{L: l, Items: items, Categories: home.Categories, CanWrite: v.Actor.CanEditTickets(), Form: f, EditID: editID}
	p.render(w, r, status, "kb_faq_admin", v)
}

// kbFAQCreate: POST /agent/kb/faq.
func (p *Pages) kbFAQCreate(w http.ResponseWriter, r *http.Request) { p.kbFAQSave(w, r, 0) }

// kbFAQUpdate: POST /agent/kb/faq/{id}.
func (p *Pages) kbFAQUpdate(w http.ResponseWriter, r *http.Request) {
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	p.kbFAQSave(w, r, id)
}

func (p *Pages) kbFAQSave(w http.ResponseWriter, r *http.Request, id int64) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	f := formFrom(r, "locale", "question", "answer", "category_id", "visibility", "home")
	cid, _ := strconv.ParseInt(f.V("category_id"), 10, 64)
	it, err := p.d.KB.SaveFAQ(r.Context(), v.Actor, id, kb.FAQInput{CategoryID: cid, Locale: f.V("locale"), Question: f.V("question"),
		Answer: f.Values.Get("answer"), Visibility: f.V("visibility"), Home: f.On("home")})
	if err == nil {
		http.Redirect(w, r, "/agent/kb/faq?locale="+it.Locale+"&done=saved#faq-"+strconv.FormatInt(it.ID, 10), http.StatusSeeOther)
		return
	}
	if !applyError(v, f, err, map[string][2]string{"question": {"question", "kb.field.question"}, "answer": {"answer", "kb.field.answer"},
		"locale": {"locale", "kb.field.locale"}, "visibility": {"visibility", "kb.field.visibility"}, "category_id": {"category_id", "kb.category"}}) {
		p.fail(w, r, err)
		return
	}
	f.Failed(v)
	l := kb.NormalizeLocale(f.V("locale"))
	if l == "" {
		l = kbLocale(v)
	}
	p.showFAQAdmin(w, r, v, http.StatusUnprocessableEntity, l, f, id)
}

// kbFAQDelete: POST /agent/kb/faq/{id}/delete.
func (p *Pages) kbFAQDelete(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	if err := p.d.KB.DeleteFAQ(r.Context(), currentActor(r), id); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/kb/faq?locale="+kb.NormalizeLocale(r.URL.Query().Get("locale"))+"&done=deleted", http.StatusSeeOther)
}
