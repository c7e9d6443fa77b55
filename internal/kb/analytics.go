package kb

import (
	"context"
	"database/sql"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
)

// Event types of self-service outcomes, for the KPI readers.
const (
	// EventDeflection: a customer found their answer without a ticket —
	// "this solved it" on a suggestion, or leaving the request form after
	// reading one. after: {"article_id", "kind", "how", "source"} as text.
	EventDeflection = "kb.deflection"
	// EventSearchClick: a search result was opened.
	EventSearchClick = "kb.search_click"
)

// RecordClick notes that a search's result was opened.
func (s *Service) RecordClick(ctx context.Context, a auth.Actor, searchID int64, kind string, refID int64) error {
	if kind != "article" && kind != "faq" && kind != KindForum {
		return apperr.Invalid("kind", "invalid", "must be article, faq or forum")
	}
	if err := s.searches.flush(ctx); err != nil { // the search may still be queued
		s.log.Warn("kb: record searches", "err", err)
	}
	var uid sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT user_id FROM kb_searches WHERE id = $1`, searchID).Scan(&uid)
	if err != nil {
		return apperr.NotFound("search")
	}
	if uid.Valid && uid.Int64 != a.UserID {
		return apperr.NotFound("search")
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO kb_search_clicks (search_id, kind, ref_id, created_at) VALUES ($1, $2, $3, $4)`,
		searchID, kind, refID, db.Millis(s.now()))
	return err
}

// QueryStat is one query in the analytics.
type QueryStat struct {
	Query    string
	Locale   string
	Searches int
	Clicks   int
	LastAt   time.Time
}

// Analytics are the search figures for managers.
type Analytics struct {
	Searches    int
	ZeroResults int
	Clicks      int
	Top         []QueryStat // most frequent queries
	Zero        []QueryStat // most frequent queries that found nothing
}

// SearchAnalytics summarises the searches since a time (admins only).
func (s *Service) SearchAnalytics(ctx context.Context, a auth.Actor, since time.Time, limit int) (Analytics, error) {
	if !a.System && !a.IsAdmin() {
		return Analytics{}, apperr.Forbidden("read search analytics")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	if err := s.searches.flush(ctx); err != nil {
		s.log.Warn("kb: record searches", "err", err)
	}
	var out Analytics
	from := db.Millis(since)
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*), COALESCE(SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), 0),
		(SELECT count(*) FROM kb_search_clicks c JOIN kb_searches q ON q.id = c.search_id WHERE q.created_at >= $1)
		FROM kb_searches WHERE created_at >= $1`, from).Scan(&out.Searches, &out.ZeroResults, &out.Clicks); err != nil {
		return out, err
	}
	list := func(zero bool) ([]QueryStat, error) {
		cond := ""
		if zero {
			cond = " AND q.results = 0"
		}
		rows, err := s.db.R.QueryContext(ctx, `SELECT q.query, q.locale, count(*), COALESCE(SUM((SELECT count(*) FROM kb_search_clicks c
			WHERE c.search_id = q.id)), 0), MAX(q.created_at) FROM kb_searches q WHERE q.created_at >= $1`+cond+`
			GROUP BY q.query, q.locale ORDER BY count(*) DESC, MAX(q.created_at) DESC LIMIT `+strconv.Itoa(limit), from)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		out := []QueryStat{}
		for rows.Next() {
			var st QueryStat
			var at int64
			if err := rows.Scan(&st.Query, &st.Locale, &st.Searches, &st.Clicks, &at); err != nil {
				return nil, err
			}
			st.LastAt = db.Time(at)
			out = append(out, st)
		}
		return out, rows.Err()
	}
	var err error
	if out.Top, err = list(false); err != nil {
		return out, err
	}
	out.Zero, err = list(true)
	return out, err
}

// Deflection is a self-service outcome to record.
type Deflection struct {
	ArticleID int64
	Kind      string // article or faq
	How       string // "solved" (the customer said so) or "left" (left the form after reading)
	Source    string // request_form, bot, search
	Query     string
}

// RecordDeflection writes a deflection event: the KPI readers count
// self-service resolutions from it.
func (s *Service) RecordDeflection(ctx context.Context, a auth.Actor, d Deflection) error {
	if d.Kind == "" {
		d.Kind = "article"
	}
	switch {
	case d.How != "solved" && d.How != "left":
		return apperr.Invalid("how", "invalid", "must be solved or left")
	case d.Kind != "article" && d.Kind != "faq" && d.Kind != KindForum:
		return apperr.Invalid("kind", "invalid", "must be article, faq or forum")
	case d.Source != "request_form" && d.Source != "bot" && d.Source != "search":
		return apperr.Invalid("source", "invalid", "must be request_form, bot or search")
	}
	if err := checkText("query", d.Query, MaxQuery, false); err != nil {
		return err
	}
	if d.Kind == KindForum {
		if !s.forumThreadIndexed(ctx, d.ArticleID) {
			return apperr.NotFound("community post")
		}
	} else if d.Kind == "article" {
		if _, err := s.GetArticle(ctx, a, d.ArticleID, ""); err != nil {
			return err
		}
	} else if _, err := s.GetFAQ(ctx, a, d.ArticleID); err != nil {
		return err
	}
	ev := events.Event{ActorID: a.UserID, Type: EventDeflection, Field: d.Kind, CreatedAt: s.now(),
		After: events.Str(`{"id":` + itoa(d.ArticleID) + `,"kind":"` + d.Kind + `","how":"` + d.How + `","source":"` + d.Source + `"}`)}
	evs := []events.Event{ev}
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error { return events.Insert(ctx, tx, evs) }); err != nil {
		return err
	}
	s.bus.Publish(evs)
	return nil
}

// CountEvents counts events of a type since a time (for tests and reports).
func (s *Service) CountEvents(ctx context.Context, typ string, since time.Time) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE type = $1 AND created_at >= $2`, typ, db.Millis(since)).Scan(&n)
	return n, err
}
