package helpcenter

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/kb"
)

type articleJSON struct {
	ID                int64    `json:"id"`
	URL               string   `json:"url"`
	HTMLURL           string   `json:"html_url"`
	AuthorID          *int64   `json:"author_id"`
	CommentsDisabled  bool     `json:"comments_disabled"`
	Draft             bool     `json:"draft"`
	Promoted          bool     `json:"promoted"`
	Position          int      `json:"position"`
	VoteSum           int64    `json:"vote_sum"`
	VoteCount         int64    `json:"vote_count"`
	SectionID         int64    `json:"section_id"`
	CreatedAt         string   `json:"created_at"`
	UpdatedAt         string   `json:"updated_at"`
	EditedAt          string   `json:"edited_at"`
	Name              string   `json:"name"`
	Title             string   `json:"title"`
	SourceLocale      string   `json:"source_locale"`
	Locale            string   `json:"locale"`
	Outdated          bool     `json:"outdated"`
	OutdatedLocales   []string `json:"outdated_locales"`
	PermissionGroupID *int64   `json:"permission_group_id"`
	UserSegmentID     *int64   `json:"user_segment_id"`
	LabelNames        []string `json:"label_names"`
	Body              string   `json:"body"`
	// Layan's additions.
	Visibility  string   `json:"visibility"`
	ViewCount   int64    `json:"view_count"`
	CategoryID  int64    `json:"category_id"`
	BodyMD      string   `json:"body_markdown,omitempty"` // staff only
	Translated  []string `json:"translated_locales"`
	Snippet     string   `json:"snippet,omitempty"`
	ResultType  string   `json:"result_type,omitempty"`
	Confidence  *float64 `json:"confidence,omitempty"`
	ArticleKind string   `json:"kind,omitempty"`
}

func toArticleJSON(r *http.Request, a kb.Article, staff bool) articleJSON {
	t := a.Translation
	id := strconv.FormatInt(a.ID, 10)
	out := articleJSON{ID: a.ID, URL: apiURL(r, t.Locale+"/articles/"+id), HTMLURL: htmlURL(r, t.Locale, "articles/"+id),
		Draft: t.Draft, Promoted: a.Promoted, Position: a.Position, VoteSum: a.VoteUp - a.VoteDown, VoteCount: a.VoteUp + a.VoteDown,
		SectionID: a.SectionID, CreatedAt: ts(a.CreatedAt), UpdatedAt: ts(a.UpdatedAt), EditedAt: ts(t.UpdatedAt), Name: t.Title,
		Title: t.Title, SourceLocale: a.SourceLocale, Locale: t.Locale, Outdated: t.Outdated, OutdatedLocales: a.OutdatedLocales,
		LabelNames: a.Labels, Body: t.BodyHTML, Visibility: a.Visibility, ViewCount: a.ViewCount, CategoryID: a.CategoryID,
		Translated: a.TranslatedLocales}
	if a.AuthorID != 0 {
		out.AuthorID = &a.AuthorID
	}
	if staff {
		out.BodyMD = t.BodyMD
	}
	return out
}

type articleIn struct {
	Title      *string   `json:"title"`
	Body       *string   `json:"body"`
	Locale     string    `json:"locale"`
	Draft      *bool     `json:"draft"`
	Promoted   *bool     `json:"promoted"`
	Position   *int      `json:"position"`
	LabelNames *[]string `json:"label_names"`
	SectionID  *int64    `json:"section_id"`
	Visibility *string   `json:"visibility"`
	// Zendesk fields accepted and ignored.
	UserSegmentID     json.RawMessage `json:"user_segment_id"`
	PermissionGroupID json.RawMessage `json:"permission_group_id"`
	CommentsDisabled  json.RawMessage `json:"comments_disabled"`
	ContentTagIDs     json.RawMessage `json:"content_tag_ids"`
	AuthorID          json.RawMessage `json:"author_id"`
	Name              json.RawMessage `json:"name"`
	ID                json.RawMessage `json:"id"`
	URL               json.RawMessage `json:"url"`
	HTMLURL           json.RawMessage `json:"html_url"`
	SourceLocale      *string         `json:"source_locale"`
	CreatedAt         json.RawMessage `json:"created_at"`
	UpdatedAt         json.RawMessage `json:"updated_at"`
}

func (api *API) articleBody(r *http.Request, a auth.Actor, art kb.Article) map[string]any {
	return map[string]any{"article": toArticleJSON(r, art, a.IsStaff())}
}

// ListArticles: GET /api/v2/help_center[/{locale}]/articles,
// /sections/{id}/articles, /categories/{id}/articles; ?label_names=.
func (api *API) ListArticles(kind string) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		p, err := readPage(r, 30)
		if err != nil {
			return 0, nil, err
		}
		f := kb.ArticleFilter{Locale: locale(r, a), Page: p.Page, PerPage: p.PerPage, SortBy: r.URL.Query().Get("sort_by")}
		if labels := r.URL.Query().Get("label_names"); labels != "" {
			f.Label = strings.Split(labels, ",")[0]
		}
		switch kind {
		case "section", "category":
			id, err := pathID(r, "id")
			if err != nil {
				return 0, nil, err
			}
			if kind == "section" {
				f.SectionID = id
			} else {
				f.CategoryID = id
			}
		}
		arts, total, err := api.KB.ListArticles(r.Context(), a, f)
		if err != nil {
			return 0, nil, err
		}
		out := make([]articleJSON, len(arts))
		for i, art := range arts {
			out[i] = toArticleJSON(r, art, a.IsStaff())
		}
		return http.StatusOK, envelope(r, "articles", out, p, total), nil
	}
}

// ShowArticle: GET /api/v2/help_center[/{locale}]/articles/{id}. A reader's
// visit counts as a view unless ?count_view=false.
func (api *API) ShowArticle(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	art, err := api.KB.GetArticle(r.Context(), a, id, locale(r, a))
	if err != nil {
		return 0, nil, err
	}
	if r.URL.Query().Get("count_view") != "false" && !a.IsStaff() {
		_ = api.KB.RecordView(r.Context(), a, id)
	}
	return http.StatusOK, api.articleBody(r, a, art), nil
}

// CreateArticle: POST /api/v2/help_center[/{locale}]/sections/{id}/articles.
// body is Markdown (HTML is accepted too and sanitised).
func (api *API) CreateArticle(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	sec, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[articleIn](w, r, api.MaxBody, "article")
	if err != nil {
		return 0, nil, err
	}
	l := in.Locale
	if l == "" {
		l = locale(r, a)
	}
	art, err := api.KB.CreateArticle(r.Context(), a, kb.ArticleInput{SectionID: sec, Locale: l, Title: deref(in.Title),
		Body: deref(in.Body), Draft: deref(in.Draft), Visibility: deref(in.Visibility), Labels: deref(in.LabelNames),
		Position: in.Position, Promoted: deref(in.Promoted)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, api.articleBody(r, a, art), nil
}

// UpdateArticle: PUT /api/v2/help_center[/{locale}]/articles/{id}: the
// article's own fields; title/body/draft go to the locale's translation, as
// Zendesk does for the source locale.
func (api *API) UpdateArticle(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[articleIn](w, r, api.MaxBody, "article")
	if err != nil {
		return 0, nil, err
	}
	art, err := api.KB.UpdateArticle(r.Context(), a, id, kb.ArticlePatch{SectionID: in.SectionID, Visibility: in.Visibility,
		Labels: in.LabelNames, Position: in.Position, Promoted: in.Promoted, SourceLocale: in.SourceLocale})
	if err != nil {
		return 0, nil, err
	}
	l := in.Locale
	if l == "" {
		l = r.PathValue("locale")
	}
	if l == "" {
		l = art.SourceLocale
	}
	if in.Title != nil || in.Body != nil || in.Draft != nil {
		if _, _, err := api.KB.SaveTranslation(r.Context(), a, id, l, kb.TranslationInput{Title: in.Title, Body: in.Body, Draft: in.Draft}); err != nil {
			return 0, nil, err
		}
	}
	art, err = api.KB.GetArticle(r.Context(), a, id, l)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, api.articleBody(r, a, art), nil
}

// DeleteArticle: DELETE /api/v2/help_center/articles/{id}.
func (api *API) DeleteArticle(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KB.DeleteArticle(r.Context(), a, id)
}

type translationJSON struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	HTMLURL     string `json:"html_url"`
	SourceID    int64  `json:"source_id"`
	SourceType  string `json:"source_type"`
	Locale      string `json:"locale"`
	Title       string `json:"title"`
	Body        string `json:"body"`
	Outdated    bool   `json:"outdated"`
	Draft       bool   `json:"draft"`
	Hidden      bool   `json:"hidden"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
	UpdatedByID *int64 `json:"updated_by_id"`
	CreatedByID *int64 `json:"created_by_id"`
	Version     int64  `json:"version"`
	BodyMD      string `json:"body_markdown,omitempty"`
}

func toTranslationJSON(r *http.Request, t kb.Translation, staff bool) translationJSON {
	id := strconv.FormatInt(t.ArticleID, 10)
	out := translationJSON{ID: t.ID, URL: apiURL(r, "articles/"+id+"/translations/"+t.Locale), HTMLURL: htmlURL(r, t.Locale, "articles/"+id),
		SourceID: t.ArticleID, SourceType: "Article", Locale: t.Locale, Title: t.Title, Body: t.BodyHTML, Outdated: t.Outdated,
		Draft: t.Draft, CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt), Version: t.Version}
	if t.AuthorID != 0 {
		out.UpdatedByID, out.CreatedByID = &t.AuthorID, &t.AuthorID
	}
	if staff {
		out.BodyMD = t.BodyMD
	}
	return out
}

type translationIn struct {
	Locale      string          `json:"locale"`
	Title       *string         `json:"title"`
	Body        *string         `json:"body"`
	Draft       *bool           `json:"draft"`
	Outdated    json.RawMessage `json:"outdated"`
	Hidden      json.RawMessage `json:"hidden"`
	ID          json.RawMessage `json:"id"`
	SourceID    json.RawMessage `json:"source_id"`
	SourceType  json.RawMessage `json:"source_type"`
	UpdatedByID json.RawMessage `json:"updated_by_id"`
	CreatedByID json.RawMessage `json:"created_by_id"`
	Note        string          `json:"version_note"`
}

// ListTranslations: GET /api/v2/help_center/articles/{id}/translations.
func (api *API) ListTranslations(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	trs, err := api.KB.Translations(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]translationJSON, len(trs))
	for i, t := range trs {
		out[i] = toTranslationJSON(r, t, a.IsStaff())
	}
	return http.StatusOK, envelope(r, "translations", out, page{1, max(len(out), 1)}, len(out)), nil
}

// MissingTranslations: GET /api/v2/help_center/articles/{id}/translations/missing.
func (api *API) MissingTranslations(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	trs, err := api.KB.Translations(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	missing := []string{}
	for _, l := range kb.Locales {
		found := false
		for _, t := range trs {
			found = found || t.Locale == l
		}
		if !found {
			missing = append(missing, l)
		}
	}
	return http.StatusOK, map[string]any{"locales": missing}, nil
}

// ShowTranslation: GET /api/v2/help_center/articles/{id}/translations/{locale}.
func (api *API) ShowTranslation(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	trs, err := api.KB.Translations(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	want := kb.NormalizeLocale(r.PathValue("locale"))
	for _, t := range trs {
		if t.Locale == want {
			return http.StatusOK, map[string]any{"translation": toTranslationJSON(r, t, a.IsStaff())}, nil
		}
	}
	return 0, nil, apperr.NotFound("translation")
}

// SaveTranslation: POST /api/v2/help_center/articles/{id}/translations
// (locale in the body) and PUT .../translations/{locale}.
func (api *API) SaveTranslation(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[translationIn](w, r, api.MaxBody, "translation")
	if err != nil {
		return 0, nil, err
	}
	l := r.PathValue("locale")
	if l == "" {
		l = in.Locale
		if l == "" {
			return 0, nil, apperr.Invalid("locale", "required", "is required")
		}
	}
	if r.Method == http.MethodPost && in.Draft == nil {
		f := false
		in.Draft = &f // Zendesk publishes new translations unless draft is set
	}
	t, created, err := api.KB.SaveTranslation(r.Context(), a, id, l, kb.TranslationInput{Title: in.Title, Body: in.Body, Draft: in.Draft, Note: in.Note})
	if err != nil {
		return 0, nil, err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return status, map[string]any{"translation": toTranslationJSON(r, t, true)}, nil
}

// DeleteTranslation: DELETE /api/v2/help_center/articles/{id}/translations/{locale}.
func (api *API) DeleteTranslation(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.KB.DeleteTranslation(r.Context(), a, id, r.PathValue("locale"))
}

type voteJSON struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	UserID    *int64 `json:"user_id"`
	Value     int    `json:"value"`
	ItemID    int64  `json:"item_id"`
	ItemType  string `json:"item_type"`
	Comment   string `json:"comment,omitempty"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`
}

func toVoteJSON(r *http.Request, v kb.Vote) voteJSON {
	out := voteJSON{ID: v.ID, URL: apiURL(r, "votes/"+strconv.FormatInt(v.ID, 10)), Value: v.Value, ItemID: v.ArticleID,
		ItemType: "Article", Comment: v.Comment, CreatedAt: ts(v.CreatedAt), UpdatedAt: ts(v.CreatedAt)}
	if v.UserID != 0 {
		out.UserID = &v.UserID
	}
	return out
}

// VoterCookie identifies an anonymous visitor's votes.
const VoterCookie = "layan_voter"

// Vote: POST /api/v2/help_center/articles/{id}/up and /down, with an
// optional body {"vote": {"comment": "..."}}. Anonymous visitors vote once per
// visitor cookie.
func (api *API) Vote(value int) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := pathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		var comment string
		if r.ContentLength > 0 {
			in, err := decode[struct {
				Comment string `json:"comment"`
				Locale  string `json:"locale"`
			}](w, r, api.MaxBody, "vote")
			if err != nil {
				return 0, nil, err
			}
			comment = in.Comment
		}
		key := ""
		if a.UserID == 0 {
			if c, err := r.Cookie(VoterCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 128 {
				key = c.Value
			} else {
				key = newVoterKey()
				http.SetCookie(w, &http.Cookie{Name: VoterCookie, Value: key, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
					SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
			}
		}
		v, err := api.KB.Vote(r.Context(), a, id, kb.VoteInput{Value: value, Comment: comment, Locale: locale(r, a), VoterKey: key})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{"vote": toVoteJSON(r, v)}, nil
	}
}

// ListVotes: GET /api/v2/help_center/articles/{id}/votes (staff).
func (api *API) ListVotes(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	vs, err := api.KB.Votes(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]voteJSON, len(vs))
	for i, v := range vs {
		out[i] = toVoteJSON(r, v)
	}
	return http.StatusOK, envelope(r, "votes", out, page{1, max(len(out), 1)}, len(out)), nil
}
