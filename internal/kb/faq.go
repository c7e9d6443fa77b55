package kb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/sanitize"
)

// FAQInput creates or replaces a FAQ item.
type FAQInput struct {
	CategoryID int64
	Locale     string
	Question   string
	Answer     string // Markdown
	Visibility string
	Position   int
	Home       bool
}

func (in *FAQInput) validate() error {
	var err error
	if in.Locale, err = checkLocale("locale", in.Locale); err != nil {
		return err
	}
	in.Question = strings.TrimSpace(in.Question)
	if err := checkText("question", in.Question, MaxTitle, true); err != nil {
		return err
	}
	if err := checkText("answer", in.Answer, 20_000, true); err != nil {
		return err
	}
	in.Visibility, err = checkVisibility(in.Visibility)
	return err
}

// SaveFAQ creates (id 0) or replaces a FAQ item and indexes it.
func (s *Service) SaveFAQ(ctx context.Context, a auth.Actor, id int64, in FAQInput) (FAQ, error) {
	if err := canWrite(a); err != nil {
		return FAQ{}, err
	}
	if err := in.validate(); err != nil {
		return FAQ{}, err
	}
	html := renderMarkdown(in.Answer)
	now := db.Millis(s.now())
	var evs []events.Event
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if in.CategoryID != 0 {
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM kb_categories WHERE id = $1`, in.CategoryID).Scan(&one); err != nil {
				return apperr.Invalid("category_id", "not_found", "names no category")
			}
		}
		if id == 0 {
			if err := tx.QueryRowContext(ctx, `INSERT INTO kb_faqs (category_id, locale, question, answer_md, answer_html, visibility,
				position, home, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
				db.NullID(in.CategoryID), in.Locale, in.Question, in.Answer, html, in.Visibility, in.Position, in.Home, now).Scan(&id); err != nil {
				return err
			}
		} else {
			var old string
			if err := tx.QueryRowContext(ctx, `SELECT locale FROM kb_faqs WHERE id = $1`, id).Scan(&old); err != nil {
				if errors.Is(err, sql.ErrNoRows) {
					return apperr.NotFound("faq")
				}
				return err
			}
			if err := unindex(ctx, tx, "faq", id, old); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE kb_faqs SET category_id = $1, locale = $2, question = $3, answer_md = $4,
				answer_html = $5, visibility = $6, position = $7, home = $8, updated_at = $9 WHERE id = $10`,
				db.NullID(in.CategoryID), in.Locale, in.Question, in.Answer, html, in.Visibility, in.Position, in.Home, now, id); err != nil {
				return err
			}
		}
		if err := index(ctx, tx, doc{kind: "faq", ref: id, locale: in.Locale, level: level(in.Visibility), category: in.CategoryID,
			title: in.Question, body: sanitize.Text(html)}, now); err != nil {
			return err
		}
		evs = []events.Event{s.event(a, EventFAQSaved, "faq", strconv.FormatInt(id, 10)+":"+in.Locale)}
		return s.writeEvents(ctx, tx, evs)
	})
	if err != nil {
		return FAQ{}, err
	}
	s.bus.Publish(evs)
	return s.GetFAQ(ctx, a, id)
}

// DeleteFAQ removes a FAQ item.
func (s *Service) DeleteFAQ(ctx context.Context, a auth.Actor, id int64) error {
	if err := canWrite(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var l string
		if err := tx.QueryRowContext(ctx, `SELECT locale FROM kb_faqs WHERE id = $1`, id).Scan(&l); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("faq")
			}
			return err
		}
		if err := unindex(ctx, tx, "faq", id, l); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM kb_faqs WHERE id = $1`, id)
		return err
	})
}

const faqCols = `id, COALESCE(category_id, 0), locale, question, answer_md, answer_html, visibility, position, home, created_at, updated_at`

func scanFAQ(sc interface{ Scan(...any) error }) (FAQ, error) {
	var f FAQ
	var ca, ua int64
	err := sc.Scan(&f.ID, &f.CategoryID, &f.Locale, &f.Question, &f.AnswerMD, &f.AnswerHTML, &f.Visibility, &f.Position, &f.Home, &ca, &ua)
	f.CreatedAt, f.UpdatedAt = db.Time(ca), db.Time(ua)
	return f, err
}

// GetFAQ reads one FAQ item the actor may see.
func (s *Service) GetFAQ(ctx context.Context, a auth.Actor, id int64) (FAQ, error) {
	f, err := scanFAQ(s.db.R.QueryRowContext(ctx, `SELECT `+faqCols+` FROM kb_faqs WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && level(f.Visibility) > readerLevel(a)) {
		return FAQ{}, apperr.NotFound("faq")
	}
	return f, err
}

// FAQFilter narrows the FAQ list.
type FAQFilter struct {
	Locale     string // required
	CategoryID int64
	HomeOnly   bool
	Limit      int
}

// ListFAQ lists FAQ items in a locale by position.
func (s *Service) ListFAQ(ctx context.Context, a auth.Actor, f FAQFilter) ([]FAQ, error) {
	conds := []string{"locale = $1", "CASE visibility WHEN 'public' THEN 0 WHEN 'signed_in' THEN 1 ELSE 2 END <= $2"}
	args := []any{NormalizeLocale(f.Locale), readerLevel(a)}
	if f.CategoryID != 0 {
		args = append(args, f.CategoryID)
		conds = append(conds, "category_id = $3")
	}
	if f.HomeOnly {
		conds = append(conds, "home")
	}
	if f.Limit <= 0 || f.Limit > 500 {
		f.Limit = 500
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+faqCols+` FROM kb_faqs WHERE `+strings.Join(conds, " AND ")+
		` ORDER BY position, id LIMIT `+strconv.Itoa(f.Limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []FAQ{}
	for rows.Next() {
		f, err := scanFAQ(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}
