package ui

import (
	"net/http"

	"strconv"
	"strings"

	"layan/internal/kb"
)

// The knowledge base in the agent workspace: the list of articles (every
// visibility, drafts too) with search, categories and sections, and the
// article editor: one translation per locale (en/id/fa) in Markdown, saved
// as a draft or published, marked outdated when the source changed since,
// and the article's own settings (section, visibility, labels).

type kbAgentRow struct {
	A       kb.Article
	Status  string // published, draft
	Updated When
}

type kbAgentList struct {
	Q          string
	Rows       []kbAgentRow
	Hits       []hcLink
	Searched   bool
	Categories []kbCategoryView
	CanWrite   bool
	Admin      bool
	L          string
}

// kbAgentHome: GET /agent/kb[?q=].
func (p *Pages) kbAgentHome(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	ctx := r.Context()
	l := kbLocale(v)
	d := &kbAgentList{Q: strings.TrimSpace(r.URL.Query().Get("q")), CanWrite: v.Actor.CanEditTickets(), Admin: v.Actor.IsAdmin(), L: l}
	home, err := p.kbHomeData(ctx, v, l)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Categories = home.Categories
	if d.Q != "" {
		d.Searched = true
		res, err := p.d.KB.Search(ctx, v.Actor, kb.SearchRequest{Query: d.Q, Locale: l, Limit: 50})
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, h := range hitLinks(l, res.Hits) {
			if h.Kind == "article" {
				h.URL = "/agent/kb/articles/" + itoa(h.ID) + "?locale=" + h.Locale
			}
			d.Hits = append(d.Hits, h)
		}
	} else {
		arts, _, err := p.d.KB.ListArticles(ctx, v.Actor, kb.ArticleFilter{Locale: l, PerPage: 100, SortBy: "updated_at"})
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, a := range arts {
			st := "published"
			if a.Translation.Draft {
				st = "draft"
			}
			d.Rows = append(d.Rows, kbAgentRow{A: a, Status: st, Updated: v.When(a.UpdatedAt)})
		}
	}
	switch r.URL.Query().Get("done") {
	case "category":
		v.Flash, v.FlashKind = v.T("kb.category_created"), "ok"
	case "section":
		v.Flash, v.FlashKind = v.T("kb.section_created"), "ok"
	}
	v.Title, v.Nav, v.Data = v.T("kb.title"), "kb", d
	p.render(w, r, http.StatusOK, "kb_agent", v)
}

// kbCreateCategory: POST /agent/kb/categories (name, locale).
func (p *Pages) kbCreateCategory(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	_, err := p.d.KB.CreateCategory(r.Context(), currentActor(r), kb.CategoryInput{Locale: r.PostFormValue("locale"),
		Name: r.PostFormValue("name"), Description: r.PostFormValue("description")})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/kb?done=category", http.StatusSeeOther)
}

// kbCreateSection: POST /agent/kb/sections (category_id, name, locale).
func (p *Pages) kbCreateSection(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	cid, _ := strconv.ParseInt(r.PostFormValue("category_id"), 10, 64)
	_, err := p.d.KB.CreateSection(r.Context(), currentActor(r), kb.SectionInput{CategoryID: cid, Locale: r.PostFormValue("locale"),
		Name: r.PostFormValue("name"), Description: r.PostFormValue("description")})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/kb?done=section", http.StatusSeeOther)
}

// kbEditor is the editor of one article in one locale (or a new article).
type kbEditor struct {
	New      bool
	ID       int64
	L        string // the translation being edited
	Tabs     []kbTab
	Form     *formState
	Sections []kbSectionChoice
	A        kb.Article
	Exists   bool // this locale has a translation
	Draft    bool
	Outdated bool
	Source   bool // this locale is the article's source
	Version  int64
	Images   []kbImageView
	Preview  string
	Versions []kbVersionView
}

type kbTab struct {
	Code, URL, State string // state: published, draft, outdated, missing
	Current          bool
}

type kbSectionChoice struct {
	ID   int64
	Name string
}

func (p *Pages) sectionChoices(r *http.Request, v *View) ([]kbSectionChoice, error) {
	l := kbLocale(v)
	home, err := p.kbHomeData(r.Context(), v, l)
	if err != nil {
		return nil, err
	}
	var out []kbSectionChoice
	for _, c := range home.Categories {
		for _, s := range c.Sections {
			out = append(out, kbSectionChoice{ID: s.ID, Name: c.C.Name + " › " + s.Name})
		}
	}
	return out, nil
}

// kbNewArticle: GET /agent/kb/new.
func (p *Pages) kbNewArticle(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	f := newForm()
	f.Values.Set("locale", kbLocale(v))
	f.Values.Set("visibility", kb.Public)
	p.showNewArticle(w, r, v, http.StatusOK, f)
}

func (p *Pages) showNewArticle(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	secs, err := p.sectionChoices(r, v)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav, v.Page = v.T("kb.new_article"), "kb", "kb-editor"
	v.Data = &kbEditor{New: true, Form: f, Sections: secs, L: f.V("locale")}
	p.render(w, r, status, "kb_editor", v)
}

// kbCreateArticle: POST /agent/kb/articles.
func (p *Pages) kbCreateArticle(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	f := formFrom(r, "section_id", "locale", "title", "body", "visibility", "labels", "publish")
	sid, _ := strconv.ParseInt(f.V("section_id"), 10, 64)
	art, err := p.d.KB.CreateArticle(r.Context(), v.Actor, kb.ArticleInput{SectionID: sid, Locale: f.V("locale"), Title: f.V("title"),
		Body: f.Values.Get("body"), Draft: !f.On("publish"), Visibility: f.V("visibility"), Labels: splitList(f.V("labels"))})
	if err == nil {
		http.Redirect(w, r, "/agent/kb/articles/"+itoa(art.ID)+"?locale="+art.SourceLocale+"&done=saved", http.StatusSeeOther)
		return
	}
	if !applyError(v, f, err, kbFields) {
		p.fail(w, r, err)
		return
	}
	f.Failed(v)
	p.showNewArticle(w, r, v, http.StatusUnprocessableEntity, f)
}

// kbFields maps the service's field names to the editor's inputs and labels.
var kbFields = map[string][2]string{
	"title": {"title", "kb.field.title"}, "body": {"body", "kb.field.body"}, "section_id": {"section_id", "kb.field.section"},
	"locale": {"locale", "kb.field.locale"}, "visibility": {"visibility", "kb.field.visibility"}, "label_names": {"labels", "kb.field.labels"},
}

// kbArticle: GET /agent/kb/articles/{id}?locale=.
func (p *Pages) kbArticle(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.view(r)
	switch r.URL.Query().Get("done") {
	case "saved":
		v.Flash, v.FlashKind = v.T("kb.saved"), "ok"
	case "published":
		v.Flash, v.FlashKind = v.T("kb.published"), "ok"
	case "settings":
		v.Flash, v.FlashKind = v.T("kb.settings_saved"), "ok"
	case "image":
		v.Flash, v.FlashKind = v.T("kb.image_uploaded"), "ok"
	case "restored":
		v.Flash, v.FlashKind = v.T("kb.restored"), "ok"
	}
	p.showArticleEditor(w, r, v, http.StatusOK, id, kb.NormalizeLocale(r.URL.Query().Get("locale")), nil)
}

func (p *Pages) showArticleEditor(w http.ResponseWriter, r *http.Request, v *View, status int, id int64, l string, f *formState) {
	ctx := r.Context()
	art, err := p.d.KB.GetArticle(ctx, v.Actor, id, l)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if l == "" {
		l = art.SourceLocale
	}
	trs, err := p.d.KB.Translations(ctx, v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	e := &kbEditor{ID: id, L: l, A: art, Source: l == art.SourceLocale, Preview: articleURL(l, id)}
	if f == nil {
		f = newForm()
		f.Values.Set("publish", "1")
	}
	for _, c := range kb.Locales {
		tab := kbTab{Code: c, URL: "/agent/kb/articles/" + itoa(id) + "?locale=" + c, State: "missing", Current: c == l}
		for _, t := range trs {
			if t.Locale != c {
				continue
			}
			tab.State = "published"
			if t.Draft {
				tab.State = "draft"
			} else if t.Outdated {
				tab.State = "outdated"
			}
			if c == l {
				e.Exists, e.Draft, e.Outdated, e.Version = true, t.Draft, t.Outdated, t.Version
				if len(f.Values["title"]) == 0 {
					f.Values.Set("title", t.Title)
					f.Values.Set("body", t.BodyMD)
					if t.Draft {
						f.Values.Del("publish")
					}
				}
			}
		}
		e.Tabs = append(e.Tabs, tab)
	}
	e.Form = f
	if e.Sections, err = p.sectionChoices(r, v); err != nil {
		p.fail(w, r, err)
		return
	}
	if e.Images, err = p.kbImages(r, id); err != nil {
		p.fail(w, r, err)
		return
	}
	if e.Exists {
		if e.Versions, err = p.kbVersions(r, v, id, l); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	title := art.Translation.Title
	v.Title, v.Nav, v.Page, v.Data = v.T("kb.edit_article")+" · "+title, "kb", "kb-editor", e
	p.render(w, r, status, "kb_editor", v)
}

// kbSaveArticle: POST /agent/kb/articles/{id}?locale=: action=translation
// (title, body, publish) or action=settings (section, visibility, labels).
func (p *Pages) kbSaveArticle(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	v := p.view(r)
	ctx := r.Context()
	l := kb.NormalizeLocale(r.URL.Query().Get("locale"))
	if r.PostFormValue("action") == "restore" {
		p.kbRestore(w, r, id, l)
		return
	}
	if r.PostFormValue("action") == "settings" {
		sid, _ := strconv.ParseInt(r.PostFormValue("section_id"), 10, 64)
		vis := r.PostFormValue("visibility")
		labels := splitList(r.PostFormValue("labels"))
		patch := kb.ArticlePatch{Visibility: &vis, Labels: &labels}
		if sid != 0 {
			patch.SectionID = &sid
		}
		if _, err := p.d.KB.UpdateArticle(ctx, v.Actor, id, patch); err != nil {
			p.fail(w, r, err)
			return
		}
		http.Redirect(w, r, "/agent/kb/articles/"+itoa(id)+"?locale="+l+"&done=settings", http.StatusSeeOther)
		return
	}
	if l == "" {
		p.errorPage(w, r, http.StatusUnprocessableEntity, "error.invalid_input")
		return
	}
	f := formFrom(r, "title", "body", "publish", "note")
	title, body, draft := f.V("title"), f.Values.Get("body"), !f.On("publish")
	tr, _, err := p.d.KB.SaveTranslation(ctx, v.Actor, id, l, kb.TranslationInput{Title: &title, Body: &body, Draft: &draft, Note: f.V("note")})
	if err == nil {
		done := "saved"
		if !tr.Draft {
			done = "published"
		}
		http.Redirect(w, r, "/agent/kb/articles/"+itoa(id)+"?locale="+l+"&done="+done, http.StatusSeeOther)
		return
	}
	if !applyError(v, f, err, kbFields) {
		p.fail(w, r, err)
		return
	}
	f.Failed(v)
	p.showArticleEditor(w, r, v, http.StatusUnprocessableEntity, id, l, f)
}

// kbPanel: GET /agent/kb/panel?q=: the ticket page's knowledge-base panel,
// an HTML fragment: public and internal articles with buttons that put a
// link to the article, or its text, into the reply.
func (p *Pages) kbPanel(w http.ResponseWriter, r *http.Request) {
	if p.d.KB == nil {
		p.notFound(w, r)
		return
	}
	v := p.view(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if rs := []rune(q); len(rs) > kb.MaxQuery {
		q = string(rs[:kb.MaxQuery])
	}
	l := kb.NormalizeLocale(r.URL.Query().Get("locale"))
	if l == "" {
		l = kbLocale(v)
	}
	var items []kbPanelItem
	if q != "" {
		res, err := p.d.KB.Search(r.Context(), v.Actor, kb.SearchRequest{Query: q, Locale: l, Kinds: []string{"article"}, Limit: 6})
		if err != nil {
			p.fail(w, r, err)
			return
		}
		for _, h := range res.Hits {
			art, err := p.d.KB.GetArticle(r.Context(), v.Actor, h.ID, h.Locale)
			if err != nil {
				continue
			}
			u := p.publicURL(r) + articleURL(h.Locale, h.ID)
			items = append(items, kbPanelItem{Hit: hitLinks(l, []kb.Hit{h})[0], Internal: art.Visibility == kb.Internal,
				LinkText: h.Title + ": " + u, FullText: h.Title + "\n\n" + h.Body + "\n\n" + u})
		}
	}
	v.Data = &kbPanelData{Q: q, Items: items}
	p.renderTo(w, r, http.StatusOK, "kb_agent", "kb-panel-results", v)
}

type kbPanelData struct {
	Q     string
	Items []kbPanelItem
}

type kbPanelItem struct {
	Hit      hcLink
	Internal bool
	LinkText string // what "insert link" puts in the reply
	FullText string // what "insert text" puts in the reply
}

// publicURL is the site's address for links sent to customers.
func (p *Pages) publicURL(r *http.Request) string {
	if p.d.PublicURL != "" {
		return strings.TrimSuffix(p.d.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
