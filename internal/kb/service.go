package kb

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
)

// Service runs every knowledge-base change and read.
type Service struct {
	db  *db.DB
	bus *events.Bus
	now func() time.Time
	log *slog.Logger

	// PostingsPerTerm bounds how many documents a query reads per term
	// (the best-weighted first); see search.go.
	PostingsPerTerm int

	stmtMu  sync.Mutex
	stmts   map[int]*sql.Stmt
	inStmts map[string]*sql.Stmt

	dfs         dfCache      // document frequencies, for searches
	docMeta     docCache     // documents' ranking fields, for searches
	nearWords   nearCache    // index words near a query's unknown words
	searches    searchLog    // recorded searches on their way to kb_searches
	searchStmts atomic.Int64 // statements sent by searches, for the benchmark
}

// SearchStatements is how many statements searches have sent to the
// database so far: on PostgreSQL each is a round trip, so the benchmark
// reports it per search.
func (s *Service) SearchStatements() int64 { return s.searchStmts.Load() }

// NewService builds the service.
func NewService(d *db.DB, bus *events.Bus, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	s := &Service{db: d, bus: bus, now: now, log: log, PostingsPerTerm: 160}
	s.searches.s = s
	return s
}

// Close writes the searches still queued for the analytics; call it before
// closing the database. Searches recorded after it are written at once.
func (s *Service) Close(ctx context.Context) error {
	return s.searches.close(ctx)
}

// canWrite: admins and agents write the knowledge base.
func canWrite(a auth.Actor) error {
	if a.System || a.CanEditTickets() {
		return nil
	}
	return apperr.Forbidden("edit the knowledge base")
}

// NormalizeLocale maps "id-ID", "FA" etc. to a knowledge-base locale, or "".
func NormalizeLocale(l string) string {
	l = strings.ToLower(strings.TrimSpace(l))
	if i := strings.IndexAny(l, "-_"); i >= 0 {
		l = l[:i]
	}
	if l == "in" {
		l = "id"
	}
	if slices.Contains(Locales, l) {
		return l
	}
	return ""
}

func checkLocale(field, l string) (string, error) {
	n := NormalizeLocale(l)
	if n == "" {
		return "", apperr.Invalid(field, "invalid_locale", "must be en, id or fa")
	}
	return n, nil
}

func checkText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return apperr.Invalid(field, "invalid", "is not valid UTF-8")
	}
	if required && strings.TrimSpace(s) == "" {
		return apperr.Invalid(field, "required", "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, "too_long", "is too long")
	}
	return nil
}

func checkVisibility(v string) (string, error) {
	switch v {
	case "":
		return Public, nil
	case Public, SignedIn, Internal:
		return v, nil
	}
	return "", apperr.Invalid("visibility", "invalid", "must be public, signed_in or internal")
}

// normLabels lower-cases, trims and de-duplicates labels.
func normLabels(in []string) ([]string, error) {
	out := []string{}
	for _, l := range in {
		l = strings.ToLower(strings.Join(strings.Fields(l), "_"))
		if l == "" || slices.Contains(out, l) {
			continue
		}
		if utf8.RuneCountInString(l) > 64 {
			return nil, apperr.Invalid("label_names", "too_long", "a label is too long")
		}
		out = append(out, l)
	}
	if len(out) > MaxLabels {
		return nil, apperr.Invalid("label_names", "too_many", "has too many labels")
	}
	return out, nil
}

// publish writes events in tx; call bus.Publish with them after commit.
func (s *Service) writeEvents(ctx context.Context, tx *sql.Tx, evs []events.Event) error {
	return events.Insert(ctx, tx, evs)
}

func (s *Service) event(a auth.Actor, typ, field string, after string) events.Event {
	return events.Event{ActorID: a.UserID, Type: typ, Field: field, After: events.Str(after), CreatedAt: s.now()}
}

// ---- Categories ----

// CategoryInput creates or translates a category.
type CategoryInput struct {
	Locale      string
	Name        string
	Description string
	Position    *int
}

func (in *CategoryInput) validate() error {
	var err error
	if in.Locale, err = checkLocale("locale", in.Locale); err != nil {
		return err
	}
	in.Name = strings.TrimSpace(in.Name)
	if err := checkText("name", in.Name, MaxName, true); err != nil {
		return err
	}
	return checkText("description", in.Description, 2000, false)
}

// CreateCategory adds a category with its first translation.
func (s *Service) CreateCategory(ctx context.Context, a auth.Actor, in CategoryInput) (Category, error) {
	if err := canWrite(a); err != nil {
		return Category{}, err
	}
	if err := in.validate(); err != nil {
		return Category{}, err
	}
	now := db.Millis(s.now())
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		pos := 0
		if in.Position != nil {
			pos = *in.Position
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO kb_categories (position, source_locale, created_at, updated_at)
			VALUES ($1, $2, $3, $3) RETURNING id`, pos, in.Locale, now).Scan(&id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kb_category_translations (category_id, locale, name, description) VALUES ($1, $2, $3, $4)`,
			id, in.Locale, in.Name, in.Description)
		return err
	})
	if err != nil {
		return Category{}, err
	}
	return s.GetCategory(ctx, a, id, in.Locale)
}

// UpdateCategory sets the category's text in in.Locale (adding a translation)
// and its position.
func (s *Service) UpdateCategory(ctx context.Context, a auth.Actor, id int64, in CategoryInput) (Category, error) {
	if err := canWrite(a); err != nil {
		return Category{}, err
	}
	if err := in.validate(); err != nil {
		return Category{}, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE kb_categories SET updated_at = $1, position = COALESCE($2, position) WHERE id = $3`,
			db.Millis(s.now()), in.Position, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("category")
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO kb_category_translations (category_id, locale, name, description) VALUES ($1, $2, $3, $4)
			ON CONFLICT (category_id, locale) DO UPDATE SET name = excluded.name, description = excluded.description`,
			id, in.Locale, in.Name, in.Description)
		return err
	})
	if err != nil {
		return Category{}, err
	}
	return s.GetCategory(ctx, a, id, in.Locale)
}

// DeleteCategory removes an empty category (its sections must go first).
func (s *Service) DeleteCategory(ctx context.Context, a auth.Actor, id int64) error {
	if err := canWrite(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kb_sections WHERE category_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Invalid("category", "not_empty", "delete or move its sections first")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM kb_categories WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("category")
		}
		return nil
	})
}

// GetCategory reads a category in locale (falling back to its source locale).
func (s *Service) GetCategory(ctx context.Context, a auth.Actor, id int64, locale string) (Category, error) {
	cs, err := s.categories(ctx, `WHERE c.id = $1`, id, NormalizeLocale(locale))
	if err != nil {
		return Category{}, err
	}
	if len(cs) == 0 {
		return Category{}, apperr.NotFound("category")
	}
	return cs[0], nil
}

// ListCategories lists every category in position order.
func (s *Service) ListCategories(ctx context.Context, a auth.Actor, locale string) ([]Category, error) {
	return s.categories(ctx, `WHERE $1 = 0`, 0, NormalizeLocale(locale))
}

func (s *Service) categories(ctx context.Context, where string, arg any, locale string) ([]Category, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.position, c.source_locale, c.created_at, c.updated_at,
		tr.locale, tr.name, tr.description
		FROM kb_categories c JOIN kb_category_translations tr ON tr.category_id = c.id
		AND tr.locale = (SELECT t2.locale FROM kb_category_translations t2 WHERE t2.category_id = c.id
			ORDER BY CASE WHEN t2.locale = $2 THEN 0 WHEN t2.locale = c.source_locale THEN 1 ELSE 2 END LIMIT 1)
		`+where+` ORDER BY c.position, c.id`, arg, locale)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Category{}
	for rows.Next() {
		var c Category
		var ca, ua int64
		if err := rows.Scan(&c.ID, &c.Position, &c.SourceLocale, &ca, &ua, &c.Locale, &c.Name, &c.Description); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = db.Time(ca), db.Time(ua)
		out = append(out, c)
	}
	return out, rows.Err()
}

// ---- Sections ----

// SectionInput creates or translates a section.
type SectionInput struct {
	CategoryID  int64
	Locale      string
	Name        string
	Description string
	Position    *int
}

// CreateSection adds a section to a category.
func (s *Service) CreateSection(ctx context.Context, a auth.Actor, in SectionInput) (Section, error) {
	if err := canWrite(a); err != nil {
		return Section{}, err
	}
	ci := CategoryInput{Locale: in.Locale, Name: in.Name, Description: in.Description}
	if err := ci.validate(); err != nil {
		return Section{}, err
	}
	now := db.Millis(s.now())
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM kb_categories WHERE id = $1`, in.CategoryID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("category_id", "not_found", "names no category")
			}
			return err
		}
		pos := 0
		if in.Position != nil {
			pos = *in.Position
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO kb_sections (category_id, position, source_locale, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $4) RETURNING id`, in.CategoryID, pos, ci.Locale, now).Scan(&id); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kb_section_translations (section_id, locale, name, description) VALUES ($1, $2, $3, $4)`,
			id, ci.Locale, ci.Name, ci.Description)
		return err
	})
	if err != nil {
		return Section{}, err
	}
	return s.GetSection(ctx, a, id, ci.Locale)
}

// UpdateSection sets the section's text in in.Locale, its position, and moves
// it to in.CategoryID when that is not zero.
func (s *Service) UpdateSection(ctx context.Context, a auth.Actor, id int64, in SectionInput) (Section, error) {
	if err := canWrite(a); err != nil {
		return Section{}, err
	}
	ci := CategoryInput{Locale: in.Locale, Name: in.Name, Description: in.Description}
	if err := ci.validate(); err != nil {
		return Section{}, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if in.CategoryID != 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM kb_categories WHERE id = $1`, in.CategoryID).Scan(&one); err != nil {
				return apperr.Invalid("category_id", "not_found", "names no category")
			}
		}
		res, err := tx.ExecContext(ctx, `UPDATE kb_sections SET updated_at = $1, position = COALESCE($2, position),
			category_id = CASE WHEN $3 = 0 THEN category_id ELSE $3 END WHERE id = $4`,
			db.Millis(s.now()), in.Position, in.CategoryID, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("section")
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO kb_section_translations (section_id, locale, name, description) VALUES ($1, $2, $3, $4)
			ON CONFLICT (section_id, locale) DO UPDATE SET name = excluded.name, description = excluded.description`,
			id, ci.Locale, ci.Name, ci.Description); err != nil {
			return err
		}
		if in.CategoryID != 0 {
			return s.reindexSection(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return Section{}, err
	}
	return s.GetSection(ctx, a, id, ci.Locale)
}

// DeleteSection removes a section without articles.
func (s *Service) DeleteSection(ctx context.Context, a auth.Actor, id int64) error {
	if err := canWrite(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM kb_articles WHERE section_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Invalid("section", "not_empty", "delete or move its articles first")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM kb_sections WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("section")
		}
		return nil
	})
}

// GetSection reads a section in locale.
func (s *Service) GetSection(ctx context.Context, a auth.Actor, id int64, locale string) (Section, error) {
	ss, err := s.sections(ctx, `WHERE c.id = $1`, id, NormalizeLocale(locale))
	if err != nil {
		return Section{}, err
	}
	if len(ss) == 0 {
		return Section{}, apperr.NotFound("section")
	}
	return ss[0], nil
}

// ListSections lists sections, of one category when categoryID is not zero.
func (s *Service) ListSections(ctx context.Context, a auth.Actor, categoryID int64, locale string) ([]Section, error) {
	if categoryID != 0 {
		return s.sections(ctx, `WHERE c.category_id = $1`, categoryID, NormalizeLocale(locale))
	}
	return s.sections(ctx, `WHERE $1 = 0`, 0, NormalizeLocale(locale))
}

func (s *Service) sections(ctx context.Context, where string, arg any, locale string) ([]Section, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.id, c.category_id, c.position, c.source_locale, c.created_at, c.updated_at,
		tr.locale, tr.name, tr.description
		FROM kb_sections c JOIN kb_section_translations tr ON tr.section_id = c.id
		AND tr.locale = (SELECT t2.locale FROM kb_section_translations t2 WHERE t2.section_id = c.id
			ORDER BY CASE WHEN t2.locale = $2 THEN 0 WHEN t2.locale = c.source_locale THEN 1 ELSE 2 END LIMIT 1)
		`+where+` ORDER BY c.position, c.id`, arg, locale)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Section{}
	for rows.Next() {
		var c Section
		var ca, ua int64
		if err := rows.Scan(&c.ID, &c.CategoryID, &c.Position, &c.SourceLocale, &ca, &ua, &c.Locale, &c.Name, &c.Description); err != nil {
			return nil, err
		}
		c.CreatedAt, c.UpdatedAt = db.Time(ca), db.Time(ua)
		out = append(out, c)
	}
	return out, rows.Err()
}
