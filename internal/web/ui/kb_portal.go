package ui

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"layan/internal/auth"
	"layan/internal/i18n"
	"layan/internal/kb"
)

// The help centre in the portal, at Zendesk's addresses (/hc/{locale}/...,
// the html_url the Help Center API returns): categories, sections, articles
// with related articles and "was this helpful?", the FAQ and search. Anyone
// may read public articles; signed-in customers also those for signed-in
// customers; internal articles are for staff only (the kb service decides).
// The locale in the path is the language of the content and of the page.

// hcLink is one entry of a list of articles or search results.
type hcLink struct {
	Kind    string
	ID      int64
	Locale  string // the language the text is in
	Title   string
	Snippet string // escaped HTML with <em> marks (search results)
	URL     string
	Other   bool // in another language than the page's
}

// hcPage is what every help-centre page shares.
type hcPage struct {
	L     string   // content locale
	Alt   []hcAlt  // the same page in the other languages
	Query string   // the search box
	Crumb []hcLink // breadcrumbs
}

type hcAlt struct{ Code, URL, Name string } // Name in its own language

func (h *hcPage) HC() *hcPage { return h }

// hcView prepares a help-centre page: the locale from the path (404 when it
// is not en, id or fa), the page in that language, links to the others.
func (p *Pages) hcView(w http.ResponseWriter, r *http.Request) (*View, *hcPage, bool) {
	l := kb.NormalizeLocale(r.PathValue("locale"))
	if p.d.KB == nil || l == "" || l != r.PathValue("locale") {
		p.notFound(w, r)
		return nil, nil, false
	}
	v := p.view(r)
	v.Locale, v.Dir, v.Nav, v.Page = l, i18n.Dir(l), "portal", "hc"
	rest := strings.TrimPrefix(r.URL.Path, "/hc/"+l)
	hp := &hcPage{L: l}
	for _, c := range kb.Locales {
		if c != l {
			u := "/hc/" + c + rest
			if r.URL.RawQuery != "" {
				u += "?" + r.URL.RawQuery
			}
			hp.Alt = append(hp.Alt, hcAlt{Code: c, URL: u, Name: i18n.T(c, "lang."+c)})
		}
	}
	v.Langs = nil // the page offers its own language links (hp.Alt)
	return v, hp, true
}

// kbLocale is the knowledge-base locale for a page's language.
func kbLocale(v *View) string {
	if l := kb.NormalizeLocale(v.Locale); l != "" {
		return l
	}
	return "en"
}

func articleURL(l string, id int64) string { return "/hc/" + l + "/articles/" + itoa(id) }

func hitLinks(l string, hits []kb.Hit) []hcLink {
	out := make([]hcLink, 0, len(hits))
	for _, h := range hits {
		out = append(out, hcLink{Kind: h.Kind, ID: h.ID, Locale: h.Locale, Title: h.Title, Snippet: h.Snippet,
			URL: kb.Path(h.Kind, h.ID, l), Other: h.Locale != l})
	}
	return out
}

// hcRoot: GET /hc sends the visitor to the help centre in their language.
func (p *Pages) hcRoot(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/hc/"+kbLocale(p.view(r)), http.StatusSeeOther)
}

// kbHome is the help centre's front: categories with their sections, the
// FAQ items chosen for the home page. The portal home shows it too.
type kbHome struct {
	L          string
	Categories []kbCategoryView
	FAQ        []kb.FAQ
}

type kbCategoryView struct {
	C        kb.Category
	Sections []kb.Section
}

func (p *Pages) kbHomeData(ctx context.Context, v *View, l string) (*kbHome, error) {
	if p.d.KB == nil {
		return nil, nil
	}
	cats, err := p.d.KB.ListCategories(ctx, v.Actor, l)
	if err != nil {
		return nil, err
	}
	secs, err := p.d.KB.ListSections(ctx, v.Actor, 0, l)
	if err != nil {
		return nil, err
	}
	h := &kbHome{L: l}
	for _, c := range cats {
		cv := kbCategoryView{C: c}
		for _, s := range secs {
			if s.CategoryID == c.ID {
				cv.Sections = append(cv.Sections, s)
			}
		}
		h.Categories = append(h.Categories, cv)
	}
	h.FAQ, err = p.d.KB.ListFAQ(ctx, v.Actor, kb.FAQFilter{Locale: l, HomeOnly: true, Limit: 7})
	return h, err
}

type hcHomePage struct {
	*hcPage
	Home *kbHome
}

// hcHome: GET /hc/{locale}.
func (p *Pages) hcHome(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	home, err := p.kbHomeData(r.Context(), v, hp.L)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if r.URL.Query().Get("done") == "deflected" {
		v.Flash, v.FlashKind = v.T("kb.deflected_thanks"), "ok"
	}
	v.Title = v.T("kb.help_center")
	v.Data = &hcHomePage{hcPage: hp, Home: home}
	p.render(w, r, http.StatusOK, "kb_home", v)
}

type hcListPage struct {
	*hcPage
	Name, Description string
	Groups            []hcGroup
}

type hcGroup struct {
	Title, URL string
	Articles   []hcLink
}

func (p *Pages) articleLinks(ctx context.Context, v *View, l string, f kb.ArticleFilter) ([]hcLink, error) {
	f.Locale, f.PerPage = l, 100
	arts, _, err := p.d.KB.ListArticles(ctx, v.Actor, f)
	if err != nil {
		return nil, err
	}
	out := make([]hcLink, 0, len(arts))
	for _, a := range arts {
		out = append(out, hcLink{Kind: "article", ID: a.ID, Locale: a.Translation.Locale, Title: a.Translation.Title,
			URL: articleURL(l, a.ID), Other: a.Translation.Locale != l})
	}
	return out, nil
}

// hcCategory: GET /hc/{locale}/categories/{id}: its sections and their articles.
func (p *Pages) hcCategory(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	c, err := p.d.KB.GetCategory(ctx, v.Actor, id, hp.L)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	secs, err := p.d.KB.ListSections(ctx, v.Actor, id, hp.L)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	lp := &hcListPage{hcPage: hp, Name: c.Name, Description: c.Description}
	for _, s := range secs {
		links, err := p.articleLinks(ctx, v, hp.L, kb.ArticleFilter{SectionID: s.ID})
		if err != nil {
			p.fail(w, r, err)
			return
		}
		lp.Groups = append(lp.Groups, hcGroup{Title: s.Name, URL: "/hc/" + hp.L + "/sections/" + itoa(s.ID), Articles: links})
	}
	hp.Crumb = []hcLink{{Title: v.T("kb.help_center"), URL: "/hc/" + hp.L}}
	v.Title, v.Data = c.Name, lp
	p.render(w, r, http.StatusOK, "kb_list", v)
}

// hcSection: GET /hc/{locale}/sections/{id}: its articles.
func (p *Pages) hcSection(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	s, err := p.d.KB.GetSection(ctx, v.Actor, id, hp.L)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	links, err := p.articleLinks(ctx, v, hp.L, kb.ArticleFilter{SectionID: id})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	hp.Crumb = []hcLink{{Title: v.T("kb.help_center"), URL: "/hc/" + hp.L}}
	if c, err := p.d.KB.GetCategory(ctx, v.Actor, s.CategoryID, hp.L); err == nil {
		hp.Crumb = append(hp.Crumb, hcLink{Title: c.Name, URL: "/hc/" + hp.L + "/categories/" + itoa(c.ID)})
	}
	v.Title = s.Name
	v.Data = &hcListPage{hcPage: hp, Name: s.Name, Description: s.Description, Groups: []hcGroup{{Articles: links}}}
	p.render(w, r, http.StatusOK, "kb_list", v)
}

type hcArticlePage struct {
	*hcPage
	A        kb.Article
	Fallback bool // not written in the page's language: shown in its source language
	Related  []hcLink
	Updated  When
	// From the request form's suggestions: the customer may say it solved
	// the problem (a deflection) instead of sending the request.
	Deflect   bool
	DeflectQ  string
	Token     string // a visitor's double-submit token for the vote form
	Voted     string // "up" or "down" after a vote
	Internal  bool
	Translate []string // locales an agent may still add
}

// hcArticle: GET /hc/{locale}/articles/{id}.
func (p *Pages) hcArticle(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	ctx := r.Context()
	art, err := p.d.KB.GetArticle(ctx, v.Actor, id, hp.L)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.d.KB.RecordView(ctx, v.Actor, id); err != nil {
		p.d.Log.Warn("kb: record view", "err", err)
	}
	if sid, err := strconv.ParseInt(r.URL.Query().Get("search"), 10, 64); err == nil && sid > 0 {
		// A result opened from the search page; someone else's search id is ignored.
		_ = p.d.KB.RecordClick(ctx, v.Actor, sid, "article", id)
	}
	rel, err := p.d.KB.Related(ctx, v.Actor, id, hp.L, 5)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	ap := &hcArticlePage{hcPage: hp, A: art, Fallback: art.Translation.Locale != hp.L, Related: hitLinks(hp.L, rel),
		Updated: v.When(art.Translation.UpdatedAt), Voted: q.Get("voted"), Internal: art.Visibility == kb.Internal,
		Deflect: q.Get("from") == "request_form" && v.SignedIn && !v.Staff, DeflectQ: q.Get("q")}
	hp.Crumb = []hcLink{{Title: v.T("kb.help_center"), URL: "/hc/" + hp.L}}
	if s, err := p.d.KB.GetSection(ctx, v.Actor, art.SectionID, hp.L); err == nil {
		if c, err := p.d.KB.GetCategory(ctx, v.Actor, s.CategoryID, hp.L); err == nil {
			hp.Crumb = append(hp.Crumb, hcLink{Title: c.Name, URL: "/hc/" + hp.L + "/categories/" + itoa(c.ID)})
		}
		hp.Crumb = append(hp.Crumb, hcLink{Title: s.Name, URL: "/hc/" + hp.L + "/sections/" + itoa(s.ID)})
	}
	if !v.SignedIn {
		ap.Token = hcFormToken(w, r)
	}
	if ap.Voted != "" {
		v.Flash, v.FlashKind = v.T("kb.vote_thanks"), "ok"
	}
	v.Title, v.Data = art.Translation.Title, ap
	p.render(w, r, http.StatusOK, "kb_article", v)
}

// hcVote: POST /hc/{locale}/articles/{id}/vote: value up|down and an
// optional comment. Visitors who are not signed in vote too, once per
// article per browser: the form's double-submit cookie (digested) is their
// voter key, and an IP may vote a bounded number of times an hour.
func (p *Pages) hcVote(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	id, ok := p.pathID(w, r, "id")
	if !ok {
		return
	}
	in := kb.VoteInput{Value: map[string]int{"up": 1, "down": -1}[r.PostFormValue("value")], Comment: r.PostFormValue("comment"), Locale: hp.L}
	if !v.SignedIn {
		if !hcFormTokenOK(r) {
			p.errorPage(w, r, http.StatusForbidden, "error.csrf")
			return
		}
		if !p.accountLimits.ip.Allow("vote:" + clientIP(r)).Allowed {
			p.errorPage(w, r, http.StatusTooManyRequests, "error.rate_limited")
			return
		}
		c, _ := r.Cookie(hcFormCookie)
		in.VoterKey = auth.Digest(c.Value)
	}
	if _, err := p.d.KB.Vote(r.Context(), v.Actor, id, in); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, articleURL(hp.L, id)+"?voted="+r.PostFormValue("value"), http.StatusSeeOther)
}

// hcDeflect: POST /hc/{locale}/deflections (signed in): "this solved it" on
// an article suggested by the request form (how=solved), or the customer
// left the form without sending it after opening a suggestion (how=left,
// sent by the form's script as the page closes). The KPI engine counts
// either as a self-service resolution.
func (p *Pages) hcDeflect(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	id, err := strconv.ParseInt(r.PostFormValue("article_id"), 10, 64)
	if err != nil || id <= 0 {
		p.errorPage(w, r, http.StatusUnprocessableEntity, "error.invalid_input")
		return
	}
	q := r.PostFormValue("q")
	if rs := []rune(q); len(rs) > kb.MaxQuery {
		q = string(rs[:kb.MaxQuery])
	}
	how := r.PostFormValue("how")
	if how == "" {
		how = "solved"
	}
	if err := p.d.KB.RecordDeflection(r.Context(), v.Actor, kb.Deflection{ArticleID: id, Kind: "article", How: how,
		Source: "request_form", Query: q}); err != nil {
		p.fail(w, r, err)
		return
	}
	if how == "left" { // a beacon from a page being closed: nobody reads the answer
		w.WriteHeader(http.StatusNoContent)
		return
	}
	http.Redirect(w, r, "/hc/"+hp.L+"?done=deflected", http.StatusSeeOther)
}

type hcSearchPage struct {
	*hcPage
	Hits  []hcLink
	Total int
	Error string
}

// hcSearch: GET /hc/{locale}/search?q=: articles and FAQ items the visitor
// may read, their language first (recorded for search analytics).
func (p *Pages) hcSearch(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	hp.Query = strings.TrimSpace(r.URL.Query().Get("q"))
	sp := &hcSearchPage{hcPage: hp}
	v.Title, v.Data = v.T("kb.search_title"), sp
	if hp.Query == "" {
		p.render(w, r, http.StatusOK, "kb_search", v)
		return
	}
	res, err := p.d.KB.Search(r.Context(), v.Actor, kb.SearchRequest{Query: hp.Query, Locale: hp.L, Limit: 20, Record: true, Source: "portal"})
	if err != nil {
		if _, bad := errorKey(err); bad == "error.invalid_input" {
			sp.Error = v.T("kb.search_invalid")
			p.render(w, r, http.StatusUnprocessableEntity, "kb_search", v)
			return
		}
		p.fail(w, r, err)
		return
	}
	sp.Hits, sp.Total = hitLinks(hp.L, res.Hits), res.Total
	if res.SearchID != 0 { // opening a result counts as the search's click (analytics)
		for i := range sp.Hits {
			if sp.Hits[i].Kind == "article" {
				sp.Hits[i].URL += "?search=" + itoa(res.SearchID)
			}
		}
	}
	p.render(w, r, http.StatusOK, "kb_search", v)
}

type hcFAQPage struct {
	*hcPage
	Items []kb.FAQ
}

// hcFAQ: GET /hc/{locale}/faq: every FAQ item in the language.
func (p *Pages) hcFAQ(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	items, err := p.d.KB.ListFAQ(r.Context(), v.Actor, kb.FAQFilter{Locale: hp.L})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	hp.Crumb = []hcLink{{Title: v.T("kb.help_center"), URL: "/hc/" + hp.L}}
	v.Title, v.Data = v.T("kb.faq"), &hcFAQPage{hcPage: hp, Items: items}
	p.render(w, r, http.StatusOK, "kb_faq", v)
}

// hcSuggest: GET /hc/{locale}/suggest?q=: the request form's suggestions, an
// HTML fragment its script puts under the form (not recorded as a search:
// the customer is typing, not searching).
func (p *Pages) hcSuggest(w http.ResponseWriter, r *http.Request) {
	v, hp, ok := p.hcView(w, r)
	if !ok {
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if rs := []rune(q); len(rs) > kb.MaxQuery {
		q = string(rs[:kb.MaxQuery])
	}
	var links []hcLink
	if q != "" {
		res, err := p.d.KB.Search(r.Context(), v.Actor, kb.SearchRequest{Query: q, Locale: hp.L, Kinds: []string{"article"}, Limit: 5})
		if err != nil {
			p.fail(w, r, err)
			return
		}
		links = hitLinks(hp.L, res.Hits)
		for i := range links {
			links[i].URL += "?from=request_form&q=" + url.QueryEscape(q)
		}
	}
	v.Data = links
	p.renderTo(w, r, http.StatusOK, "kb_home", "kb-suggestions", v)
}
