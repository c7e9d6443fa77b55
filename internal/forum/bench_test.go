package forum_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/forum"
	"layan/internal/kb"
	"layan/internal/testkit"
)

// seedPosts writes n published questions in two topics straight into the table
// (the service's path is what the other tests cover; this is volume).
func seedPosts(b *testing.B, d *db.DB, topics []int64, authorID int64, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for start := 0; start < n; start += 500 {
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			var q strings.Builder
			q.WriteString(`INSERT INTO forum_posts (topic_id, author_id, kind, locale, title, title_terms, body_md, body_html, status,
				created_at, updated_at) VALUES `)
			var args []any
			for i := start; i < min(n, start+500); i++ {
				if i > start {
					q.WriteString(", ")
				}
				k := len(args)
				fmt.Fprintf(&q, "($%d, $%d, 'question', 'en', $%d, $%d, 'body', '<p>body</p>', 'published', $%d, $%d)",
					k+1, k+2, k+3, k+4, k+5, k+6)
				word := fmt.Sprintf("parcel%d", i%997) // a title word shared by about 100 posts
				args = append(args, topics[i%len(topics)], authorID, fmt.Sprintf("Where is my %s, question %d", word, i),
					" where is my "+word+" question "+fmt.Sprint(i)+" ",
					db.Millis(now.Add(time.Duration(i)*time.Minute)), db.Millis(now.Add(time.Duration(i)*time.Minute)))
			}
			_, err := tx.ExecContext(ctx, q.String(), args...)
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkListPosts pages through 100,000 posts, 30 a page, newest first:
// the first page, page 1,000 and the last page cost the same, because a
// page starts from the previous page's last id (keyset pagination) instead
// of skipping rows. On SQLite, and on PostgreSQL when configured.
//
//	go test ./internal/forum/ -run '^$' -bench ListPosts
func BenchmarkListPosts(b *testing.B) {
	for _, e := range testkit.Engines() {
		b.Run(string(e), func(b *testing.B) {
			d := testkit.NewDB(b, e)
			w := testkit.NewWorld(b, d)
			s := forum.NewService(d, w.Clock.Now, testkit.QuietLogger())
			s.KB = kb.NewService(d, w.Bus, w.Clock.Now, testkit.QuietLogger())
			ctx := context.Background()
			var topics []int64
			for _, name := range []string{"Shipping", "Billing"} {
				t, err := s.CreateTopic(ctx, w.Agent, forum.TopicInput{Name: name})
				if err != nil {
					b.Fatal(err)
				}
				topics = append(topics, t.ID)
			}
			t0 := time.Now()
			seedPosts(b, d, topics, w.Alice.UserID, 100_000)
			b.Logf("seeded 100,000 posts in %v", time.Since(t0).Round(time.Millisecond))
			if _, err := d.W.Exec(`ANALYZE forum_posts`); err != nil { // as autovacuum / optimize would, after a bulk load
				b.Fatal(err)
			}
			var maxID int64
			if err := d.R.QueryRow(`SELECT max(id) FROM forum_posts`).Scan(&maxID); err != nil {
				b.Fatal(err)
			}
			for _, c := range []struct {
				name   string
				before int64
				topic  int64
			}{
				{"page-1", 0, 0},
				{"page-1000", maxID - 30*999, 0},
				{"last-page", 31, 0},
				{"topic/page-1", 0, topics[0]},
				{"topic/page-1000", maxID - 60*999, topics[0]},
			} {
				b.Run(c.name, func(b *testing.B) {
					for b.Loop() {
						ps, _, err := s.ListPosts(ctx, auth.Actor{}, forum.ListQuery{Before: c.before, TopicID: c.topic, Limit: 30})
						if err != nil || len(ps) != 30 {
							b.Fatalf("%d posts, %v", len(ps), err)
						}
					}
				})
			}
			// The moderators' desk: clusters of the newest 3,000 questions.
			b.Run("kb-candidates", func(b *testing.B) {
				for b.Loop() {
					cs, err := s.KBCandidates(ctx, w.Agent, 10)
					if err != nil || len(cs) == 0 {
						b.Fatalf("%d candidates, %v", len(cs), err)
					}
				}
			})
			// The community search: solved threads from the index (none
			// here) and open questions by title among the newest 20,000.
			b.Run("search-open", func(b *testing.B) {
				for b.Loop() {
					hits, err := s.Search(ctx, auth.Actor{}, "where is parcel500", "en", 20)
					if err != nil || len(hits) == 0 {
						b.Fatalf("%d hits, %v", len(hits), err)
					}
				}
			})
		})
	}
}
