package helpcenter

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/kb"
)

func newVoterKey() string {
	b := make([]byte, 18)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Search: GET /api/v2/help_center/articles/search?query=&locale=&category=&section=&label_names=
// (Zendesk's article search; results are articles with a snippet). Layan
// adds ?include=faq to mix FAQ items in, and search_id for click tracking.
func (api *API) Search(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q := r.URL.Query()
	p, err := readPage(r, 25)
	if err != nil {
		return 0, nil, err
	}
	req := kb.SearchRequest{Query: q.Get("query"), Locale: locale(r, a), Limit: p.PerPage, Offset: (p.Page - 1) * p.PerPage,
		Kinds: []string{"article"}, Record: p.Page == 1 && q.Get("record") != "false", Source: "api"}
	if req.Query == "" {
		return 0, nil, apperr.Invalid("query", "required", "is required")
	}
	if strings.Contains(q.Get("include"), "faq") {
		req.Kinds = []string{"article", "faq"} // not forum threads: their ids are not articles'
	}
	if strings.Contains(q.Get("include"), "forum") { // solved community threads, e.g. for the request form's suggestions
		req.Kinds = append(req.Kinds, kb.KindForum)
	}
	if q.Get("source") == "portal" || q.Get("source") == "request_form" {
		req.Source = q.Get("source")
	}
	for name, dst := range map[string]*int64{"category": &req.CategoryID, "section": &req.SectionID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				return 0, nil, apperr.Invalid(name, "invalid", "must be an id")
			}
			*dst = n
		}
	}
	if l := q.Get("label_names"); l != "" {
		req.Label = strings.Split(l, ",")[0]
	}
	if q.Get("locale") != "" && q.Get("multibrand") != "true" && q.Get("all_locales") != "true" {
		// Zendesk searches one locale when asked; Layan ranks it first but
		// keeps others unless ?only_locale=true.
		req.OnlyLocale = boolParam(r, "only_locale")
	}
	res, err := api.KB.Search(r.Context(), a, req)
	if err != nil {
		return 0, nil, err
	}
	out := make([]any, 0, len(res.Hits))
	for _, h := range res.Hits {
		conf := h.Confidence
		if h.Kind == kb.KindForum {
			out = append(out, map[string]any{"id": h.ID, "result_type": "community_post", "title": h.Title, "name": h.Title,
				"snippet": h.Snippet, "locale": h.Locale, "confidence": conf,
				"html_url": baseURL(r) + "/community/posts/" + strconv.FormatInt(h.ID, 10)})
			continue
		}
		if h.Kind == "faq" {
			out = append(out, map[string]any{"id": h.ID, "result_type": "faq", "title": h.Title, "name": h.Title, "snippet": h.Snippet,
				"locale": h.Locale, "category_id": h.CategoryID, "confidence": conf,
				"html_url": htmlURL(r, h.Locale, "faq#faq-"+strconv.FormatInt(h.ID, 10))})
			continue
		}
		art, err := api.KB.GetArticle(r.Context(), a, h.ID, h.Locale)
		if err != nil {
			continue // changed since it was indexed
		}
		j := toArticleJSON(r, art, a.IsStaff())
		j.Snippet, j.ResultType, j.Confidence = h.Snippet, "article", &conf
		if !boolParam(r, "with_body") {
			j.Body = ""
		}
		out = append(out, j)
	}
	body := envelope(r, "results", out, p, res.Total)
	if res.SearchID != 0 {
		body["search_id"] = res.SearchID
	}
	return http.StatusOK, body, nil
}

// RecordClick: POST /api/layan/v1/kb/searches/{id}/clicks {"click": {"kind", "id"}}.
func (api *API) RecordClick(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	sid, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[struct {
		Kind string `json:"kind"`
		ID   int64  `json:"id"`
	}](w, r, api.MaxBody, "click")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KB.RecordClick(r.Context(), a, sid, in.Kind, in.ID)
}

// RecordDeflection: POST /api/layan/v1/kb/deflections
// {"deflection": {"article_id", "kind", "how", "source", "query"}}.
func (api *API) RecordDeflection(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[struct {
		ArticleID int64  `json:"article_id"`
		Kind      string `json:"kind"`
		How       string `json:"how"`
		Source    string `json:"source"`
		Query     string `json:"query"`
	}](w, r, api.MaxBody, "deflection")
	if err != nil {
		return 0, nil, err
	}
	err = api.KB.RecordDeflection(r.Context(), a, kb.Deflection{ArticleID: in.ArticleID, Kind: in.Kind, How: in.How, Source: in.Source, Query: in.Query})
	return http.StatusNoContent, nil, err
}

// Analytics: GET /api/layan/v1/kb/analytics?days=30 (admins): search counts,
// top queries and zero-result queries.
func (api *API) Analytics(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	days, err := strconvDefault(r.URL.Query().Get("days"), 30)
	if err != nil {
		return 0, nil, err
	}
	an, err := api.KB.SearchAnalytics(r.Context(), a, time.Now().AddDate(0, 0, -days), 50)
	if err != nil {
		return 0, nil, err
	}
	conv := func(list []kb.QueryStat) []map[string]any {
		out := []map[string]any{}
		for _, s := range list {
			out = append(out, map[string]any{"query": s.Query, "locale": s.Locale, "searches": s.Searches, "clicks": s.Clicks,
				"last_at": ts(s.LastAt)})
		}
		return out
	}
	return http.StatusOK, map[string]any{"searches": an.Searches, "zero_results": an.ZeroResults, "clicks": an.Clicks,
		"top_queries": conv(an.Top), "zero_result_queries": conv(an.Zero)}, nil
}

func strconvDefault(s string, def int) (int, error) {
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 3660 {
		return 0, apperr.Invalid("days", "invalid", "must be a number of days")
	}
	return n, nil
}

type faqJSON struct {
	ID         int64  `json:"id"`
	CategoryID *int64 `json:"category_id"`
	Locale     string `json:"locale"`
	Question   string `json:"question"`
	Answer     string `json:"answer"`
	AnswerMD   string `json:"answer_markdown,omitempty"`
	Visibility string `json:"visibility"`
	Position   int    `json:"position"`
	Home       bool   `json:"home"`
	CreatedAt  string `json:"created_at"`
	UpdatedAt  string `json:"updated_at"`
}

func toFAQJSON(f kb.FAQ, staff bool) faqJSON {
	out := faqJSON{ID: f.ID, Locale: f.Locale, Question: f.Question, Answer: f.AnswerHTML, Visibility: f.Visibility,
		Position: f.Position, Home: f.Home, CreatedAt: ts(f.CreatedAt), UpdatedAt: ts(f.UpdatedAt)}
	if f.CategoryID != 0 {
		out.CategoryID = &f.CategoryID
	}
	if staff {
		out.AnswerMD = f.AnswerMD
	}
	return out
}

// ListFAQ: GET /api/layan/v1/kb/faq?locale=&category_id=&home=true.
func (api *API) ListFAQ(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var cat int64
	if v := r.URL.Query().Get("category_id"); v != "" {
		var err error
		if cat, err = strconv.ParseInt(v, 10, 64); err != nil {
			return 0, nil, apperr.Invalid("category_id", "invalid", "must be an id")
		}
	}
	fs, err := api.KB.ListFAQ(r.Context(), a, kb.FAQFilter{Locale: locale(r, a), CategoryID: cat, HomeOnly: boolParam(r, "home")})
	if err != nil {
		return 0, nil, err
	}
	out := make([]faqJSON, len(fs))
	for i, f := range fs {
		out[i] = toFAQJSON(f, a.IsStaff())
	}
	return http.StatusOK, map[string]any{"faq": out, "count": len(out)}, nil
}

type faqIn struct {
	CategoryID int64           `json:"category_id"`
	Locale     string          `json:"locale"`
	Question   string          `json:"question"`
	Answer     string          `json:"answer"`
	Visibility string          `json:"visibility"`
	Position   int             `json:"position"`
	Home       bool            `json:"home"`
	ID         json.RawMessage `json:"id"`
}

// SaveFAQ: POST /api/layan/v1/kb/faq and PUT /api/layan/v1/kb/faq/{id}.
func (api *API) SaveFAQ(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r, "id"); err != nil {
			return 0, nil, err
		}
	}
	in, err := decode[faqIn](w, r, api.MaxBody, "faq")
	if err != nil {
		return 0, nil, err
	}
	f, err := api.KB.SaveFAQ(r.Context(), a, id, kb.FAQInput{CategoryID: in.CategoryID, Locale: in.Locale, Question: in.Question,
		Answer: in.Answer, Visibility: in.Visibility, Position: in.Position, Home: in.Home})
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if id == 0 {
		status = http.StatusCreated
	}
	return status, map[string]any{"faq": toFAQJSON(f, true)}, nil
}

// DeleteFAQ: DELETE /api/layan/v1/kb/faq/{id}.
func (api *API) DeleteFAQ(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KB.DeleteFAQ(r.Context(), a, id)
}

// Versions: GET /api/layan/v1/kb/articles/{id}/translations/{locale}/versions (staff).
func (api *API) Versions(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	vs, err := api.KB.Versions(r.Context(), a, id, r.PathValue("locale"))
	if err != nil {
		return 0, nil, err
	}
	out := []map[string]any{}
	for _, v := range vs {
		var author *int64
		if v.AuthorID != 0 {
			author = &v.AuthorID
		}
		out = append(out, map[string]any{"version": v.Version, "title": v.Title, "body_markdown": v.BodyMD, "draft": v.Draft,
			"author_id": author, "note": v.Note, "created_at": ts(v.CreatedAt)})
	}
	return http.StatusOK, map[string]any{"versions": out}, nil
}

// Diff: GET .../versions/diff?from=1&to=2 (staff).
func (api *API) Diff(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	from, err1 := strconv.ParseInt(r.URL.Query().Get("from"), 10, 64)
	to, err2 := strconv.ParseInt(r.URL.Query().Get("to"), 10, 64)
	if err1 != nil || err2 != nil {
		return 0, nil, apperr.Invalid("from", "invalid", "from and to must be version numbers")
	}
	lines, err := api.KB.DiffVersions(r.Context(), a, id, r.PathValue("locale"), from, to)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]string, len(lines))
	for i, l := range lines {
		out[i] = map[string]string{"op": string(l.Op), "text": l.Text}
	}
	return http.StatusOK, map[string]any{"diff": out}, nil
}

// Restore: POST .../versions/{version}/restore (staff).
func (api *API) Restore(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	n, err := pathID(r, "version")
	if err != nil {
		return 0, nil, err
	}
	t, err := api.KB.RestoreVersion(r.Context(), a, id, r.PathValue("locale"), n)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"translation": toTranslationJSON(r, t, true)}, nil
}
