package kb

import (
	"context"
	"database/sql"
	"time"

	"layan/internal/db"
)

// KindForum marks a solved community thread in the search index: the forum
// (package forum) indexes the question with its accepted answer, so the
// portal search and the chatbot find answers that no article covers yet.
const KindForum = "forum"

// IndexForumThread writes (or rewrites) a solved thread into the index in the
// caller's transaction. It is public (level 0): only published threads are
// indexed, and the forum removes them when they are hidden or unsolved.
func IndexForumThread(ctx context.Context, tx *sql.Tx, postID int64, locale, title, body string, now time.Time) error {
	l := NormalizeLocale(locale)
	if l == "" {
		l = "en"
	}
	return index(ctx, tx, doc{kind: KindForum, ref: postID, locale: l, title: title, body: body}, db.Millis(now))
}

// forumThreadIndexed reports whether a solved thread is in the index (so
// public), for deflections recorded against it.
func (s *Service) forumThreadIndexed(ctx context.Context, postID int64) bool {
	var one int
	return s.db.R.QueryRowContext(ctx, `SELECT 1 FROM kb_docs WHERE kind = $1 AND ref_id = $2 LIMIT 1`, KindForum, postID).Scan(&one) == nil
}

// UnindexForumThread removes a thread from the index, if it is there.
func UnindexForumThread(ctx context.Context, tx *sql.Tx, postID int64) error {
	for _, l := range Locales {
		if err := unindex(ctx, tx, KindForum, postID, l); err != nil {
			return err
		}
	}
	return nil
}
