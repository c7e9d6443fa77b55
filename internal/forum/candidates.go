package forum

import (
	"context"
	"slices"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/search/analyze"
)

// Candidate is a cluster of similar questions: a subject the community keeps
// asking about, which the knowledge base may be missing.
type Candidate struct {
	Title    string // the most viewed question's
	PostIDs  []int64
	Count    int
	Views    int64
	Solved   int
	Promoted bool // one of them is already an article draft
}

// KBCandidates clusters the recent questions whose titles share most of
// their terms (after each language's analysis) and ranks the clusters of
// two or more by count, then views (staff).
func (s *Service) KBCandidates(ctx context.Context, a auth.Actor, limit int) ([]Candidate, error) {
	if !isStaff(a) {
		return nil, apperr.Forbidden("read knowledge-base candidates")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, title, locale, view_count, accepted_id, article_id FROM forum_posts
		WHERE status = 'published' AND kind = 'question' ORDER BY id DESC LIMIT 3000`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type q struct {
		id, views, accepted, article int64
		title                        string
		terms                        []string
	}
	var qs []q
	for rows.Next() {
		var x q
		var locale string
		if err := rows.Scan(&x.id, &x.title, &locale, &x.views, &x.accepted, &x.article); err != nil {
			return nil, err
		}
		l, _ := analyze.ParseLang(locale)
		if l == "" {
			l = analyze.English
		}
		for _, t := range analyze.DocTerms(l, x.title) {
			if !analyze.IsStop(l, t) && !slices.Contains(x.terms, t) {
				x.terms = append(x.terms, t)
			}
		}
		if len(x.terms) > 0 {
			qs = append(qs, x)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	type cluster struct {
		terms []string
		posts []q
	}
	// Terms in more than one question of twenty say little about the subject
	// ("where", "problem"); clusters are looked up by the others only.
	df := map[string]int{}
	for _, x := range qs {
		for _, t := range x.terms {
			df[t]++
		}
	}
	common := max(5, len(qs)/20)
	var cs []*cluster
	byTerm := map[string][]int{} // rarer term → clusters whose first question has it
	for _, x := range qs {
		best, bestSim := -1, 0.0
		tried := map[int]bool{}
		for _, t := range x.terms { // only clusters sharing a rarer term can be similar
			if df[t] > common {
				continue
			}
			for _, ci := range byTerm[t] {
				if tried[ci] {
					continue
				}
				tried[ci] = true
				if sim := similarity(cs[ci].terms, x.terms); sim > bestSim {
					best, bestSim = ci, sim
				}
			}
		}
		if best >= 0 && bestSim >= 0.6 {
			cs[best].posts = append(cs[best].posts, x)
			continue
		}
		cs = append(cs, &cluster{terms: x.terms, posts: []q{x}})
		for _, t := range x.terms {
			if df[t] <= common {
				byTerm[t] = append(byTerm[t], len(cs)-1)
			}
		}
	}
	out := []Candidate{}
	for _, c := range cs {
		if len(c.posts) < 2 {
			continue
		}
		cand := Candidate{Count: len(c.posts)}
		var top int64 = -1
		for _, p := range c.posts {
			cand.PostIDs = append(cand.PostIDs, p.id)
			cand.Views += p.views
			if p.accepted != 0 {
				cand.Solved++
			}
			if p.article != 0 {
				cand.Promoted = true
			}
			if p.views > top {
				top, cand.Title = p.views, p.title
			}
		}
		out = append(out, cand)
	}
	slices.SortStableFunc(out, func(x, y Candidate) int {
		if x.Count != y.Count {
			return y.Count - x.Count
		}
		return int(y.Views - x.Views)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// similarity is the share of the shorter title's terms that the other has
// (titles of one subject differ in their extra words: "reset password" and
// "password reset link broken"); at least two terms must be shared unless
// a title has only one.
func similarity(a, b []string) float64 {
	inter := 0
	for _, t := range a {
		if slices.Contains(b, t) {
			inter++
		}
	}
	short := min(len(a), len(b))
	if short == 0 || inter < min(2, short) {
		return 0
	}
	return float64(inter) / float64(short)
}
