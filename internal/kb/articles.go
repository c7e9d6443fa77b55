package kb

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/sanitize"
)

// Event types of the knowledge base (ticket_id is empty; field names the
// record, after holds its id and locale).
const (
	EventArticleCreated   = "kb.article_created"
	EventArticlePublished = "kb.article_published"
	EventArticleUpdated   = "kb.article_updated"
	EventArticleDeleted   = "kb.article_deleted"
	EventTranslationSaved = "kb.translation_saved"
	EventFAQSaved         = "kb.faq_saved"
)

// ArticleInput creates an article with its first translation.
type ArticleInput struct {
	SectionID  int64
	Locale     string
	Title      string
	Body       string // Markdown
	Draft      bool
	Visibility string
	Labels     []string
	Position   *int
	Promoted   bool
}

// ArticlePatch changes an article's own fields; nil leaves a field alone.
type ArticlePatch struct {
	SectionID    *int64
	Visibility   *string
	Labels       *[]string
	Position     *int
	Promoted     *bool
	SourceLocale *string
}

// TranslationInput writes an article's text in one locale.
type TranslationInput struct {
	Title *string
	Body  *string // Markdown
	Draft *bool
	Note  string // a version note
}

func checkArticleText(title, body string) error {
	if err := checkText("title", title, MaxTitle, true); err != nil {
		return err
	}
	return checkText("body", body, MaxBody, false)
}

// CreateArticle adds an article to a section.
func (s *Service) CreateArticle(ctx context.Context, a auth.Actor, in ArticleInput) (Article, error) {
	ids, err := s.ImportArticles(ctx, a, []ArticleInput{in})
	if err != nil {
		return Article{}, err
	}
	return s.GetArticle(ctx, a, ids[0], in.Locale)
}

// ImportArticles adds many articles in one transaction (imports, seeding).
func (s *Service) ImportArticles(ctx context.Context, a auth.Actor, ins []ArticleInput) ([]int64, error) {
	if err := canWrite(a); err != nil {
		return nil, err
	}
	for i := range ins {
		in := &ins[i]
		var err error
		if in.Locale, err = checkLocale("locale", in.Locale); err != nil {
			return nil, err
		}
		in.Title = strings.TrimSpace(in.Title)
		if err := checkArticleText(in.Title, in.Body); err != nil {
			return nil, err
		}
		if in.Visibility, err = checkVisibility(in.Visibility); err != nil {
			return nil, err
		}
		if in.Labels, err = normLabels(in.Labels); err != nil {
			return nil, err
		}
	}
	now := s.now()
	ids := make([]int64, 0, len(ins))
	var evs []events.Event
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		sections := map[int64]bool{}
		for _, in := range ins {
			if !sections[in.SectionID] {
				var one int
				if err := tx.QueryRowContext(ctx, `SELECT 1 FROM kb_sections WHERE id = $1`, in.SectionID).Scan(&one); err != nil {
					if errors.Is(err, sql.ErrNoRows) {
						return apperr.Invalid("section_id", "not_found", "names no section")
					}
					return err
				}
				sections[in.SectionID] = true
			}
			pos := 0
			if in.Position != nil {
				pos = *in.Position
			}
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO kb_articles (section_id, author_id, visibility, source_locale, labels, position,
				promoted, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id`,
				in.SectionID, db.NullID(a.UserID), in.Visibility, in.Locale, strings.Join(in.Labels, " "), pos, in.Promoted,
				db.Millis(now)).Scan(&id); err != nil {
				return err
			}
			if err := setLabels(ctx, tx, id, in.Labels); err != nil {
				return err
			}
			tr := Translation{ArticleID: id, Locale: in.Locale, Title: in.Title, BodyMD: in.Body, Draft: in.Draft, Version: 1, AuthorID: a.UserID}
			if err := insertTranslation(ctx, tx, &tr, db.Millis(now)); err != nil {
				return err
			}
			evs = append(evs, s.event(a, EventArticleCreated, "article", ref(id, in.Locale)))
			if !in.Draft {
				evs = append(evs, s.event(a, EventArticlePublished, "article", ref(id, in.Locale)))
			}
			if err := s.reindexArticle(ctx, tx, id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return s.writeEvents(ctx, tx, evs)
	})
	if err != nil {
		return nil, err
	}
	s.bus.Publish(evs)
	return ids, nil
}

func ref(id int64, locale string) string { return strconv.FormatInt(id, 10) + ":" + locale }

// renderMarkdown turns Markdown into sanitised HTML.
func renderMarkdown(md string) string { return sanitize.HTML(markdownToHTML(md)) }

func insertTranslation(ctx context.Context, tx *sql.Tx, t *Translation, now int64) error {
	t.BodyHTML = renderMarkdown(t.BodyMD)
	if err := tx.QueryRowContext(ctx, `INSERT INTO kb_translations (article_id, locale, title, body_md, body_html, draft, version,
		author_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
		t.ArticleID, t.Locale, t.Title, t.BodyMD, t.BodyHTML, t.Draft, t.Version, db.NullID(t.AuthorID), now).Scan(&t.ID); err != nil {
		if db.IsUniqueViolation(err) {
			return apperr.Conflict("a translation in " + t.Locale + " exists")
		}
		return err
	}
	return insertVersion(ctx, tx, *t, "", now)
}

func insertVersion(ctx context.Context, tx *sql.Tx, t Translation, note string, now int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_versions (translation_id, version, title, body_md, draft, author_id, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, t.ID, t.Version, t.Title, t.BodyMD, t.Draft, db.NullID(t.AuthorID), note, now)
	return err
}

func setLabels(ctx context.Context, tx *sql.Tx, id int64, labels []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM kb_article_labels WHERE article_id = $1`, id); err != nil {
		return err
	}
	for _, l := range labels {
		if _, err := tx.ExecContext(ctx, `INSERT INTO kb_article_labels (article_id, label) VALUES ($1, $2)`, id, l); err != nil {
			return err
		}
	}
	return nil
}

// UpdateArticle changes the article's own fields (section, visibility,
// labels, position, promotion, source locale) and re-indexes it.
func (s *Service) UpdateArticle(ctx context.Context, a auth.Actor, id int64, p ArticlePatch) (Article, error) {
	if err := canWrite(a); err != nil {
		return Article{}, err
	}
	var evs []events.Event
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		cur, err := getArticleRow(ctx, tx, id)
		if err != nil {
			return err
		}
		if p.SectionID != nil {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM kb_sections WHERE id = $1`, *p.SectionID).Scan(&one); err != nil {
				return apperr.Invalid("section_id", "not_found", "names no section")
			}
			cur.SectionID = *p.SectionID
		}
		if p.Visibility != nil {
			if cur.Visibility, err = checkVisibility(*p.Visibility); err != nil {
				return err
			}
		}
		if p.Labels != nil {
			if cur.Labels, err = normLabels(*p.Labels); err != nil {
				return err
			}
			if err := setLabels(ctx, tx, id, cur.Labels); err != nil {
				return err
			}
		}
		if p.Position != nil {
			cur.Position = *p.Position
		}
		if p.Promoted != nil {
			cur.Promoted = *p.Promoted
		}
		if p.SourceLocale != nil {
			if cur.SourceLocale, err = checkLocale("source_locale", *p.SourceLocale); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET section_id = $1, visibility = $2, labels = $3, position = $4,
			promoted = $5, source_locale = $6, updated_at = $7 WHERE id = $8`, cur.SectionID, cur.Visibility,
			strings.Join(cur.Labels, " "), cur.Position, cur.Promoted, cur.SourceLocale, db.Millis(s.now()), id); err != nil {
			return err
		}
		evs = append(evs, s.event(a, EventArticleUpdated, "article", ref(id, cur.SourceLocale)))
		if err := s.reindexArticle(ctx, tx, id); err != nil {
			return err
		}
		return s.writeEvents(ctx, tx, evs)
	})
	if err != nil {
		return Article{}, err
	}
	s.bus.Publish(evs)
	return s.GetArticle(ctx, a, id, "")
}

// SaveTranslation creates or updates the article's text in locale. Every
// change of title, body or draft state is a new version. Changing the source
// locale's text marks the other translations outdated; writing a translation
// clears its mark.
func (s *Service) SaveTranslation(ctx context.Context, a auth.Actor, articleID int64, locale string, in TranslationInput) (Translation, bool, error) {
	if err := canWrite(a); err != nil {
		return Translation{}, false, err
	}
	locale, err := checkLocale("locale", locale)
	if err != nil {
		return Translation{}, false, err
	}
	var out Translation
	var created bool
	var evs []events.Event
	now := db.Millis(s.now())
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		art, err := getArticleRow(ctx, tx, articleID)
		if err != nil {
			return err
		}
		cur, err := getTranslation(ctx, tx, articleID, locale)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			created = true
			t := Translation{ArticleID: articleID, Locale: locale, Version: 1, AuthorID: a.UserID, Draft: true}
			if in.Title != nil {
				t.Title = strings.TrimSpace(*in.Title)
			}
			if in.Body != nil {
				t.BodyMD = *in.Body
			}
			if in.Draft != nil {
				t.Draft = *in.Draft
			}
			if err := checkArticleText(t.Title, t.BodyMD); err != nil {
				return err
			}
			if err := insertTranslation(ctx, tx, &t, now); err != nil {
				return err
			}
			out = t
			evs = append(evs, s.event(a, EventTranslationSaved, "article", ref(articleID, locale)))
			if !t.Draft {
				evs = append(evs, s.event(a, EventArticlePublished, "article", ref(articleID, locale)))
			}
		case err != nil:
			return err
		default:
			t := cur
			if in.Title != nil {
				t.Title = strings.TrimSpace(*in.Title)
			}
			if in.Body != nil {
				t.BodyMD = *in.Body
			}
			if in.Draft != nil {
				t.Draft = *in.Draft
			}
			if err := checkArticleText(t.Title, t.BodyMD); err != nil {
				return err
			}
			changed := t.Title != cur.Title || t.BodyMD != cur.BodyMD
			if !changed && t.Draft == cur.Draft {
				out = cur
				return nil
			}
			t.Version = cur.Version + 1
			t.AuthorID = a.UserID
			t.BodyHTML = renderMarkdown(t.BodyMD)
			if locale != art.SourceLocale {
				t.Outdated = false
			}
			if _, err := tx.ExecContext(ctx, `UPDATE kb_translations SET title = $1, body_md = $2, body_html = $3, draft = $4,
				outdated = $5, version = $6, author_id = $7, updated_at = $8 WHERE id = $9`,
				t.Title, t.BodyMD, t.BodyHTML, t.Draft, t.Outdated, t.Version, db.NullID(t.AuthorID), now, t.ID); err != nil {
				return err
			}
			if err := insertVersion(ctx, tx, t, in.Note, now); err != nil {
				return err
			}
			if changed && locale == art.SourceLocale {
				if _, err := tx.ExecContext(ctx, `UPDATE kb_translations SET outdated = TRUE WHERE article_id = $1 AND locale <> $2`,
					articleID, locale); err != nil {
					return err
				}
			}
			out = t
			evs = append(evs, s.event(a, EventTranslationSaved, "article", ref(articleID, locale)))
			if cur.Draft && !t.Draft {
				evs = append(evs, s.event(a, EventArticlePublished, "article", ref(articleID, locale)))
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE kb_articles SET updated_at = $1 WHERE id = $2`, now, articleID); err != nil {
			return err
		}
		if err := s.reindexArticle(ctx, tx, articleID); err != nil {
			return err
		}
		return s.writeEvents(ctx, tx, evs)
	})
	if err != nil {
		return Translation{}, false, err
	}
	s.bus.Publish(evs)
	return out, created, nil
}

// DeleteTranslation removes a translation other than the source.
func (s *Service) DeleteTranslation(ctx context.Context, a auth.Actor, articleID int64, locale string) error {
	if err := canWrite(a); err != nil {
		return err
	}
	locale = NormalizeLocale(locale)
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		art, err := getArticleRow(ctx, tx, articleID)
		if err != nil {
			return err
		}
		if locale == art.SourceLocale {
			return apperr.Invalid("locale", "source_locale", "the source translation cannot be deleted")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM kb_translations WHERE article_id = $1 AND locale = $2`, articleID, locale)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("translation")
		}
		return unindex(ctx, tx, "article", articleID, locale)
	})
}

// DeleteArticle removes the article, its translations, versions and votes.
func (s *Service) DeleteArticle(ctx context.Context, a auth.Actor, id int64) error {
	if err := canWrite(a); err != nil {
		return err
	}
	var evs []events.Event
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := getArticleRow(ctx, tx, id); err != nil {
			return err
		}
		for _, l := range Locales {
			if err := unindex(ctx, tx, "article", id, l); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM kb_articles WHERE id = $1`, id); err != nil {
			return err
		}
		evs = append(evs, s.event(a, EventArticleDeleted, "article", strconv.FormatInt(id, 10)))
		return s.writeEvents(ctx, tx, evs)
	})
	if err == nil {
		s.bus.Publish(evs)
	}
	return err
}

// reindexArticle brings the index in line with the article: its published
// translations in, drafts and deleted ones out.
func (s *Service) reindexArticle(ctx context.Context, q *sql.Tx, id int64) error {
	art, err := getArticleRow(ctx, q, id)
	if err != nil {
		return err
	}
	trs, err := translations(ctx, q, id)
	if err != nil {
		return err
	}
	now := db.Millis(s.now())
	for _, l := range Locales {
		i := slices.IndexFunc(trs, func(t Translation) bool { return t.Locale == l })
		if i < 0 || trs[i].Draft {
			if err := unindex(ctx, q, "article", id, l); err != nil {
				return err
			}
			continue
		}
		t := trs[i]
		if err := index(ctx, q, doc{kind: "article", ref: id, locale: l, level: level(art.Visibility), category: art.CategoryID,
			section: art.SectionID, labels: art.Labels, title: t.Title, body: sanitize.Text(t.BodyHTML)}, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) reindexSection(ctx context.Context, tx *sql.Tx, sectionID int64) error {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM kb_articles WHERE section_id = $1`, sectionID)
	if err != nil {
		return err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if err := s.reindexArticle(ctx, tx, id); err != nil {
			return err
		}
	}
	return rows.Err()
}

const articleCols = `a.id, a.section_id, s.category_id, COALESCE(a.author_id, 0), a.visibility, a.source_locale, a.labels,
	a.position, a.promoted, a.view_count, a.vote_up, a.vote_down, a.created_at, a.updated_at`

func scanArticle(sc interface{ Scan(...any) error }) (Article, error) {
	var a Article
	var labels string
	var ca, ua int64
	err := sc.Scan(&a.ID, &a.SectionID, &a.CategoryID, &a.AuthorID, &a.Visibility, &a.SourceLocale, &labels, &a.Position,
		&a.Promoted, &a.ViewCount, &a.VoteUp, &a.VoteDown, &ca, &ua)
	a.Labels = strings.Fields(labels)
	if a.Labels == nil {
		a.Labels = []string{}
	}
	a.CreatedAt, a.UpdatedAt = db.Time(ca), db.Time(ua)
	return a, err
}

func getArticleRow(ctx context.Context, q db.Querier, id int64) (Article, error) {
	a, err := scanArticle(q.QueryRowContext(ctx, `SELECT `+articleCols+` FROM kb_articles a JOIN kb_sections s ON s.id = a.section_id
		WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, apperr.NotFound("article")
	}
	return a, err
}

const translationCols = `id, article_id, locale, title, body_md, body_html, draft, outdated, version, COALESCE(author_id, 0), created_at, updated_at`

func scanTranslation(sc interface{ Scan(...any) error }) (Translation, error) {
	var t Translation
	var ca, ua int64
	err := sc.Scan(&t.ID, &t.ArticleID, &t.Locale, &t.Title, &t.BodyMD, &t.BodyHTML, &t.Draft, &t.Outdated, &t.Version,
		&t.AuthorID, &ca, &ua)
	t.CreatedAt, t.UpdatedAt = db.Time(ca), db.Time(ua)
	return t, err
}

func getTranslation(ctx context.Context, q db.Querier, articleID int64, locale string) (Translation, error) {
	t, err := scanTranslation(q.QueryRowContext(ctx, `SELECT `+translationCols+` FROM kb_translations WHERE article_id = $1 AND locale = $2`,
		articleID, locale))
	if errors.Is(err, sql.ErrNoRows) {
		return t, apperr.NotFound("translation")
	}
	return t, err
}

func translations(ctx context.Context, q db.Querier, articleIDs ...int64) ([]Translation, error) {
	if len(articleIDs) == 0 {
		return nil, nil
	}
	args := make([]any, len(articleIDs))
	for i, id := range articleIDs {
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT `+translationCols+` FROM kb_translations WHERE article_id IN (`+
		db.Placeholders(1, len(args))+`) ORDER BY article_id, locale`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Translation
	for rows.Next() {
		t, err := scanTranslation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// choose picks the translation a reader sees: their locale, else the source
// locale, else any; customers never see drafts.
func choose(art *Article, trs []Translation, locale string, staff bool) bool {
	var best *Translation
	rank := func(t Translation) int {
		switch t.Locale {
		case locale:
			return 0
		case art.SourceLocale:
			return 1
		}
		return 2 + slices.Index(Locales, t.Locale)
	}
	art.TranslatedLocales, art.OutdatedLocales = []string{}, []string{}
	for i := range trs {
		t := trs[i]
		if t.ArticleID != art.ID || (t.Draft && !staff) {
			continue
		}
		art.TranslatedLocales = append(art.TranslatedLocales, t.Locale)
		if t.Outdated {
			art.OutdatedLocales = append(art.OutdatedLocales, t.Locale)
		}
		if best == nil || rank(t) < rank(*best) {
			best = &trs[i]
		}
	}
	if best == nil {
		return false
	}
	art.Translation = *best
	return true
}

// GetArticle reads an article in locale (with fallback). Articles the actor
// may not read, and articles without a published translation for customers,
// are not found.
func (s *Service) GetArticle(ctx context.Context, a auth.Actor, id int64, locale string) (Article, error) {
	art, err := getArticleRow(ctx, s.db.R, id)
	if err != nil {
		return art, err
	}
	if level(art.Visibility) > readerLevel(a) {
		return Article{}, apperr.NotFound("article")
	}
	trs, err := translations(ctx, s.db.R, id)
	if err != nil {
		return art, err
	}
	if !choose(&art, trs, NormalizeLocale(locale), readerLevel(a) == 2) {
		return Article{}, apperr.NotFound("article")
	}
	return art, nil
}

// Translations lists an article's translations (drafts for staff only).
func (s *Service) Translations(ctx context.Context, a auth.Actor, articleID int64) ([]Translation, error) {
	if _, err := s.GetArticle(ctx, a, articleID, ""); err != nil {
		return nil, err
	}
	trs, err := translations(ctx, s.db.R, articleID)
	if err != nil {
		return nil, err
	}
	out := []Translation{}
	for _, t := range trs {
		if !t.Draft || readerLevel(a) == 2 {
			out = append(out, t)
		}
	}
	return out, nil
}

// ArticleFilter narrows a list.
type ArticleFilter struct {
	SectionID  int64
	CategoryID int64
	Label      string
	Locale     string
	Page       int
	PerPage    int
	SortBy     string // position (default), created_at, updated_at, title
}

// ListArticles lists the articles the actor may read, in locale with fallback.
func (s *Service) ListArticles(ctx context.Context, a auth.Actor, f ArticleFilter) ([]Article, int, error) {
	lvl := readerLevel(a)
	conds := []string{"CASE a.visibility WHEN 'public' THEN 0 WHEN 'signed_in' THEN 1 ELSE 2 END <= $1"}
	args := []any{lvl}
	if lvl < 2 {
		conds = append(conds, "EXISTS (SELECT 1 FROM kb_translations t WHERE t.article_id = a.id AND NOT t.draft)")
	}
	if f.SectionID != 0 {
		args = append(args, f.SectionID)
		conds = append(conds, "a.section_id = $"+strconv.Itoa(len(args)))
	}
	if f.CategoryID != 0 {
		args = append(args, f.CategoryID)
		conds = append(conds, "s.category_id = $"+strconv.Itoa(len(args)))
	}
	if f.Label != "" {
		args = append(args, strings.ToLower(f.Label))
		conds = append(conds, "EXISTS (SELECT 1 FROM kb_article_labels l WHERE l.article_id = a.id AND l.label = $"+strconv.Itoa(len(args))+")")
	}
	where := strings.Join(conds, " AND ")
	var total int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_articles a JOIN kb_sections s ON s.id = a.section_id WHERE `+where,
		args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := map[string]string{"": "a.position, a.id", "position": "a.position, a.id", "created_at": "a.created_at DESC, a.id DESC",
		"updated_at": "a.updated_at DESC, a.id DESC"}[f.SortBy]
	if order == "" {
		order = "a.position, a.id"
	}
	if f.PerPage <= 0 || f.PerPage > 100 {
		f.PerPage = 30
	}
	if f.Page <= 0 {
		f.Page = 1
	}
	args = append(args, f.PerPage, (f.Page-1)*f.PerPage)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+articleCols+` FROM kb_articles a JOIN kb_sections s ON s.id = a.section_id WHERE `+
		where+` ORDER BY `+order+` LIMIT $`+strconv.Itoa(len(args)-1)+` OFFSET $`+strconv.Itoa(len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	var arts []Article
	var ids []int64
	for rows.Next() {
		art, err := scanArticle(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		arts = append(arts, art)
		ids = append(ids, art.ID)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	trs, err := translations(ctx, s.db.R, ids...)
	if err != nil {
		return nil, 0, err
	}
	out := []Article{}
	for _, art := range arts {
		if choose(&art, trs, NormalizeLocale(f.Locale), lvl == 2) {
			out = append(out, art)
		}
	}
	return out, total, nil
}

// RecordView counts a reader's view of an article.
func (s *Service) RecordView(ctx context.Context, a auth.Actor, id int64) error {
	if _, err := s.GetArticle(ctx, a, id, ""); err != nil {
		return err
	}
	_, err := s.db.W.ExecContext(ctx, `UPDATE kb_articles SET view_count = view_count + 1 WHERE id = $1`, id)
	return err
}
