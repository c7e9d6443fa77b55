package kb

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// VoteInput is a "was this helpful?" answer. VoterKey identifies an anonymous
// visitor (a cookie value); signed-in users vote as themselves.
type VoteInput struct {
	Value    int // 1 or -1
	Comment  string
	Locale   string
	VoterKey string
}

// Vote records or changes the reader's vote on an article.
func (s *Service) Vote(ctx context.Context, a auth.Actor, articleID int64, in VoteInput) (Vote, error) {
	if in.Value != 1 && in.Value != -1 {
		return Vote{}, apperr.Invalid("value", "invalid", "must be 1 or -1")
	}
	in.Comment = strings.TrimSpace(in.Comment)
	if err := checkText("comment", in.Comment, MaxComment, false); err != nil {
		return Vote{}, err
	}
	if _, err := s.GetArticle(ctx, a, articleID, in.Locale); err != nil {
		return Vote{}, err
	}
	key := "u:" + itoa(a.UserID)
	if a.UserID == 0 {
		if len(in.VoterKey) < 16 || len(in.VoterKey) > 128 {
			return Vote{}, apperr.Invalid("voter", "required", "an anonymous vote needs a visitor key")
		}
		key = "v:" + in.VoterKey
	}
	v := Vote{ArticleID: articleID, UserID: a.UserID, Value: in.Value, Comment: in.Comment, Locale: NormalizeLocale(in.Locale), CreatedAt: s.now()}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var old int
		err := tx.QueryRowContext(ctx, `SELECT id, value FROM kb_votes WHERE article_id = $1 AND voter_key = $2`, articleID, key).Scan(&v.ID, &old)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `INSERT INTO kb_votes (article_id, voter_key, user_id, value, comment, locale, created_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, articleID, key, db.NullID(a.UserID), in.Value, in.Comment, v.Locale,
				db.Millis(v.CreatedAt)).Scan(&v.ID); err != nil {
				return err
			}
		case err != nil:
			return err
		default:
			if _, err := tx.ExecContext(ctx, `UPDATE kb_votes SET value = $1, comment = $2, locale = $3, created_at = $4 WHERE id = $5`,
				in.Value, in.Comment, v.Locale, db.Millis(v.CreatedAt), v.ID); err != nil {
				return err
			}
			if err := count(ctx, tx, articleID, old, -1); err != nil {
				return err
			}
		}
		return count(ctx, tx, articleID, in.Value, 1)
	})
	return v, err
}

func count(ctx context.Context, tx *sql.Tx, articleID int64, value, delta int) error {
	col := "vote_up"
	if value < 0 {
		col = "vote_down"
	}
	_, err := tx.ExecContext(ctx, `UPDATE kb_articles SET `+col+` = `+col+` + $1 WHERE id = $2`, delta, articleID)
	return err
}

// Votes lists an article's votes with their comments (staff only).
func (s *Service) Votes(ctx context.Context, a auth.Actor, articleID int64) ([]Vote, error) {
	if readerLevel(a) < 2 {
		return nil, apperr.Forbidden("read votes")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, article_id, COALESCE(user_id, 0), value, comment, locale, created_at
		FROM kb_votes WHERE article_id = $1 ORDER BY id DESC LIMIT 1000`, articleID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Vote{}
	for rows.Next() {
		var v Vote
		var at int64
		if err := rows.Scan(&v.ID, &v.ArticleID, &v.UserID, &v.Value, &v.Comment, &v.Locale, &at); err != nil {
			return nil, err
		}
		v.CreatedAt = db.Time(at)
		out = append(out, v)
	}
	return out, rows.Err()
}
