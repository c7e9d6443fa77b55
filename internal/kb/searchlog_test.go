package kb_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/testkit"
)

// Recorded searches are queued off the search path; every one of them must
// reach kb_searches under the id its search returned, by Close at the latest.
func TestRecordedSearchesAreWrittenByClose(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		if _, err := f.kb.CreateArticle(ctx, f.w.Agent, kb.ArticleInput{SectionID: f.section.ID, Locale: "en",
			Title: "Track a parcel", Body: "Open My orders to track the parcel."}); err != nil {
			t.Fatal(err)
		}
		const n = 300 // more than one batch
		ids := make([]int64, n)
		var wg sync.WaitGroup
		errs := make(chan error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				a := auth.Actor{}
				if i%2 == 0 {
					a = f.w.Bob
				}
				r, err := f.kb.Search(ctx, a, kb.SearchRequest{Query: fmt.Sprintf("track parcel %d", i), Locale: "en", Record: true})
				if err != nil || r.SearchID == 0 {
					errs <- fmt.Errorf("search %d: id %d, %v", i, r.SearchID, err)
				}
				ids[i] = r.SearchID
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		if err := f.kb.Close(ctx); err != nil {
			t.Fatal(err)
		}
		for i, id := range ids {
			var q string
			var uid *int64
			if err := d.R.QueryRowContext(ctx, `SELECT query, user_id FROM kb_searches WHERE id = $1`, id).Scan(&q, &uid); err != nil {
				t.Fatalf("search %d (id %d): %v", i, id, err)
			}
			if want := fmt.Sprintf("track parcel %d", i); q != want || (uid != nil) != (i%2 == 0) {
				t.Fatalf("search %d (id %d): %q user %v", i, id, q, uid)
			}
		}
		var rows int
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_searches`).Scan(&rows); err != nil || rows != n {
			t.Fatalf("%d searches stored, want %d (%v)", rows, n, err)
		}
		// After Close a recorded search is written at once.
		r, err := f.kb.Search(ctx, f.w.Bob, kb.SearchRequest{Query: "parcel", Locale: "en", Record: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_searches WHERE id = $1`, r.SearchID).Scan(&rows); err != nil || rows != 1 {
			t.Fatalf("search after Close: %d rows (%v)", rows, err)
		}
	})
}
