package kb_test

import (
	"context"
	"slices"
	"testing"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/testkit"
)

// A word searched for before any document had it is cached as absent; when
// another node publishes it (a write this process's cache does not hear of),
// the next search must still find it.
func TestWordPublishedElsewhereIsFoundAtOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := f.kb.CreateArticle(ctx, f.w.Agent, kb.ArticleInput{SectionID: f.section.ID, Locale: "en",
			Title: "Track a parcel", Body: "Open My orders to track the parcel."}); err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{"zqlorbit", "parcel zqlorbit"} {
			if r, err := f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: q, Locale: "en"}); err != nil || (q == "zqlorbit") != (len(r.Hits) == 0) {
				t.Fatalf("%q before: %d hits, %v", q, len(r.Hits), err)
			}
		}
		gen := kb.IndexGen()
		art, err := f.kb.CreateArticle(ctx, f.w.Agent, kb.ArticleInput{SectionID: f.section.ID, Locale: "en",
			Title: "The zqlorbit gift", Body: "Every order earns a zqlorbit."})
		if err != nil {
			t.Fatal(err)
		}
		kb.SetIndexGen(gen) // as if another node had written it
		for _, q := range []string{"zqlorbit", "parcel zqlorbit"} {
			r, err := f.kb.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: q, Locale: "en"})
			if err != nil || !slices.Contains(hitIDs(r), art.ID) || q == "zqlorbit" && len(r.Hits) != 1 {
				t.Fatalf("%q after: %+v, %v", q, r.Hits, err)
			}
		}
	})
}
