package kb

import (
	"context"
	"strings"

	"layan/internal/auth"
)

// Related lists up to n other articles the reader may read that answer
// similar questions: a search for the article's title and labels, in the
// reader's locale first, leaving the article itself out.
func (s *Service) Related(ctx context.Context, a auth.Actor, articleID int64, locale string, n int) ([]Hit, error) {
	art, err := s.GetArticle(ctx, a, articleID, locale)
	if err != nil {
		return nil, err
	}
	q := art.Translation.Title
	if len(art.Labels) > 0 {
		q += " " + strings.ReplaceAll(strings.Join(art.Labels, " "), "_", " ")
	}
	if r := []rune(q); len(r) > MaxQuery {
		q = string(r[:MaxQuery])
	}
	if n <= 0 {
		n = 5
	}
	res, err := s.Search(ctx, a, SearchRequest{Query: q, Locale: locale, Kinds: []string{"article"}, Exclude: []int64{articleID}, Limit: n})
	if err != nil {
		return nil, err
	}
	return res.Hits, nil
}
