package kb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/kb/evalset"
	"layan/internal/testkit"
)

// TestRetrievalEvaluation measures search on the evaluation set: for every
// answerable question, the rank of the expected article (same topic, same
// language) among an anonymous visitor's results in their locale. It prints
// recall@1, recall@5 and MRR per language and fails below recall@5 = 0.9.
func TestRetrievalEvaluation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := kb.NewService(d, w.Bus, w.Clock.Now, testkit.QuietLogger())
		ctx := context.Background()
		ids, err := evalset.Seed(ctx, s, w.Agent)
		if err != nil {
			t.Fatal(err)
		}
		type stats struct {
			n, r1, r5 int
			mrr       float64
		}
		per := map[string]*stats{}
		var misses []string
		for _, q := range evalset.Questions() {
			if q.Key == evalset.None {
				continue
			}
			want := ids[evalset.ID(q.Key, q.Lang)]
			res, err := s.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: q.Text, Locale: q.Lang, Kinds: []string{"article"}, Limit: 10})
			if err != nil {
				t.Fatalf("%q: %v", q.Text, err)
			}
			st := per[q.Lang]
			if st == nil {
				st = &stats{}
				per[q.Lang] = st
			}
			st.n++
			rank := 0
			for i, h := range res.Hits {
				if h.ID == want {
					rank = i + 1
					break
				}
			}
			if rank == 1 {
				st.r1++
			}
			if rank >= 1 && rank <= 5 {
				st.r5++
			}
			if rank > 0 {
				st.mrr += 1 / float64(rank)
			}
			if rank != 1 {
				top := ""
				if len(res.Hits) > 0 {
					top = res.Hits[0].Title
				}
				misses = append(misses, fmt.Sprintf("  %s rank %d: %q → top %q", q.Lang, rank, q.Text, top))
			}
		}
		t.Logf("retrieval on %d articles (%s):", len(ids), d.Dialect)
		for _, l := range []string{"en", "id", "fa"} {
			st := per[l]
			if st == nil || st.n == 0 {
				t.Fatalf("no questions in %s", l)
			}
			r5 := float64(st.r5) / float64(st.n)
			t.Logf("  %s: %d questions  recall@1 %.3f  recall@5 %.3f  MRR %.3f", l, st.n, float64(st.r1)/float64(st.n), r5, st.mrr/float64(st.n))
			if r5 < 0.9 {
				t.Errorf("%s: recall@5 %.3f is below 0.9", l, r5)
			}
		}
		if testing.Verbose() {
			t.Logf("not first:\n%s", strings.Join(misses, "\n"))
		}
	})
}
