package forum

import (
	"context"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/kb"
	"layan/internal/search/analyze"
)

// Hit is a thread found by search.
type Hit struct {
	PostID  int64
	Locale  string
	Title   string
	Snippet string // HTML: escaped text, matches in <em> (solved threads)
	Score   float64
	Solved  bool
}

// titleTerms is a title's analysed terms between spaces, so that a term is
// found with LIKE '% term %'.
func titleTerms(locale, title string) string {
	l, _ := analyze.ParseLang(locale)
	if l == "" {
		l = analyze.English
	}
	terms := analyze.DocTerms(l, title)
	if len(terms) == 0 {
		return ""
	}
	return " " + strings.Join(terms, " ") + " "
}

// openQuestions finds published threads without an accepted answer whose
// titles share at least half of the query's words (after the same
// analysis), most shared first: before asking, a customer sees whether the
// question is already open. It scans titles, so it looks at the newest
// 20,000 posts only.
func (s *Service) openQuestions(ctx context.Context, query, locale string, limit int, skip map[int64]bool) ([]Hit, error) {
	hint, _ := analyze.ParseLang(locale)
	_, words := analyze.Query(query, hint)
	if len(words) > 6 {
		words = words[:6]
	}
	var score []string
	var args []any
	for _, w := range words {
		var ors []string
		for _, alt := range w.Alts {
			if len(ors) == 4 {
				break
			}
			args = append(args, "% "+strings.NewReplacer("%", "", "_", "").Replace(alt.Term)+" %")
			ors = append(ors, "p.title_terms LIKE $"+itoa(int64(len(args))))
		}
		if len(ors) > 0 {
			score = append(score, "CASE WHEN "+strings.Join(ors, " OR ")+" THEN 1 ELSE 0 END")
		}
	}
	if len(score) == 0 {
		return nil, nil
	}
	need := (len(score) + 1) / 2
	args = append(args, need, limit)
	q := `SELECT id, locale, title, score FROM (SELECT p.id, p.locale, p.title, (` + strings.Join(score, " + ") + `) AS score
		FROM forum_posts p WHERE p.status = 'published' AND p.accepted_id = 0 AND p.merged_into = 0
		AND p.id > (SELECT COALESCE(max(id), 0) - 20000 FROM forum_posts)) AS m
		WHERE score >= $` + itoa(int64(len(args)-1)) + ` ORDER BY score DESC, id DESC LIMIT $` + itoa(int64(len(args)))
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.PostID, &h.Locale, &h.Title, &h.Score); err != nil {
			return nil, err
		}
		if !skip[h.PostID] {
			out = append(out, h)
		}
	}
	return out, rows.Err()
}

// Search finds solved threads through the knowledge base's multilingual
// search (the same analysers, typo tolerance and ranking as articles), so a
// question asked in Persian is found in Persian, Indonesian in Indonesian;
// then open questions with similar titles.
func (s *Service) Search(ctx context.Context, a auth.Actor, query, locale string, limit int) ([]Hit, error) {
	if s.KB == nil {
		return nil, apperr.Conflict("search is not available")
	}
	if strings.TrimSpace(query) == "" {
		return []Hit{}, nil
	}
	res, err := s.KB.Search(ctx, a, kb.SearchRequest{Query: query, Locale: locale, Kinds: []string{kb.KindForum},
		Limit: max(1, min(limit, 50)), Source: "forum"})
	if err != nil {
		return nil, err
	}
	out := make([]Hit, 0, len(res.Hits))
	seen := map[int64]bool{}
	for _, h := range res.Hits {
		out = append(out, Hit{PostID: h.ID, Locale: h.Locale, Title: h.Title, Snippet: h.Snippet, Score: h.Score, Solved: true})
		seen[h.ID] = true
	}
	open, err := s.openQuestions(ctx, query, locale, max(1, min(limit, 50)), seen)
	if err != nil {
		return nil, err
	}
	return append(out, open...), nil
}
