package ui

import (
	"net/http"
	"strconv"

	"layan/internal/kb"
)

// The FAQ in the agent workspace: the items of one language (the portal's
// home shows those marked "home"), a form to add one, and delete.

type kbFAQAdmin struct {
	L          string
	Items      []kb.FAQ
	Categories []kbCategoryView
	CanWrite   bool
	Form       *formState
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
	p.showFAQAdmin(w, r, v, http.StatusOK, l, f)
}

func (p *Pages) showFAQAdmin(w http.ResponseWriter, r *http.Request, v *View, status int, l string, f *formState) {
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
	v.Data = &kbFAQAdmin{L: l, Items: items, Categories: home.Categories, CanWrite: v.Actor.CanEditTickets(), Form: f}
	p.render(w, r, status, "kb_faq_admin", v)
}

// kbFAQCreate: POST /agent/kb/faq.
func (p *Pages) kbFAQCreate(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	f := formFrom(r, "locale", "question", "answer", "category_id", "visibility", "home")
	cid, _ := strconv.ParseInt(f.V("category_id"), 10, 64)
	it, err := p.d.KB.SaveFAQ(r.Context(), v.Actor, 0, kb.FAQInput{CategoryID: cid, Locale: f.V("locale"), Question: f.V("question"),
		Answer: f.Values.Get("answer"), Visibility: f.V("visibility"), Home: f.On("home")})
	if err == nil {
		http.Redirect(w, r, "/agent/kb/faq?locale="+it.Locale+"&done=saved", http.StatusSeeOther)
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
	p.showFAQAdmin(w, r, v, http.StatusUnprocessableEntity, l, f)
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
