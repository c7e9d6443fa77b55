package forum

import (
	"context"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/kb"
)

// Hit is a solved thread found by search.
type Hit struct {
	PostID  int64
	Locale  string
	Title   string
	Snippet string // HTML: escaped text, matches in <em>
	Score   float64
}

// Search finds solved threads through the knowledge base's multilingual
// search (the same analysers, typo tolerance and ranking as articles), so a
// question asked in Persian is found in Persian, Indonesian in Indonesian.
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
	for _, h := range res.Hits {
		out = append(out, Hit{PostID: h.ID, Locale: h.Locale, Title: h.Title, Snippet: h.Snippet, Score: h.Score})
	}
	return out, nil
}
