package forum

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/i18n"
	"layan/internal/jobs"
	"layan/internal/mail"
	"layan/internal/sanitize"
)

const dayLength = 24 * time.Hour

// ---- Votes ----

// Vote records a member's vote on a post or answer they can see: 1 up, -1
// down, 0 withdraws it. The author's reputation follows; one's own content
// takes no votes.
func (s *Service) Vote(ctx context.Context, a auth.Actor, target string, id int64, value int) error {
	if err := mustMember(a); err != nil {
		return err
	}
	if value < -1 || value > 1 {
		return apperr.Invalid("value", "invalid", "must be 1, -1 or 0")
	}
	var authorID int64
	switch target {
	case "post":
		p, err := s.GetPost(ctx, a, id)
		if err != nil {
			return err
		}
		authorID = p.Author.ID
	case "answer":
		x, err := s.GetAnswer(ctx, a, id)
		if err != nil {
			return err
		}
		authorID = x.Author.ID
	default:
		return apperr.Invalid("target", "invalid", "must be post or answer")
	}
	if authorID == a.UserID {
		return apperr.Invalid("value", "own_content", "you cannot vote on your own "+target)
	}
	table := "forum_posts"
	if target == "answer" {
		table = "forum_answers"
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		old := 0
		err := tx.QueryRowContext(ctx, `SELECT value FROM forum_votes WHERE target = $1 AND target_id = $2 AND user_id = $3`,
			target, id, a.UserID).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if old == value {
			return nil
		}
		if value == 0 {
			_, err = tx.ExecContext(ctx, `DELETE FROM forum_votes WHERE target = $1 AND target_id = $2 AND user_id = $3`, target, id, a.UserID)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO forum_votes (target, target_id, user_id, value, created_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (target, target_id, user_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at`,
				target, id, a.UserID, value, db.Millis(s.now()))
		}
		if err != nil {
			return err
		}
		count := 0
		if old == 0 {
			count = 1
		} else if value == 0 {
			count = -1
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET vote_sum = vote_sum + $1, vote_count = vote_count + $2 WHERE id = $3`,
			value-old, count, id); err != nil {
			return err
		}
		return s.addReputation(ctx, tx, authorID, int64(PointsVote*(value-old)), 0)
	})
}

// MyVotes are the actor's votes on a post and its answers ("post:1" → 1).
func (s *Service) MyVotes(ctx context.Context, a auth.Actor, postID int64) (map[string]int, error) {
	out := map[string]int{}
	if a.UserID == 0 {
		return out, nil
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT target, target_id, value FROM forum_votes WHERE user_id = $1 AND
		((target = 'post' AND target_id = $2) OR (target = 'answer' AND target_id IN (SELECT id FROM forum_answers WHERE post_id = $2)))`,
		a.UserID, postID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var t string
		var id int64
		var v int
		if err := rows.Scan(&t, &id, &v); err != nil {
			return nil, err
		}
		out[fmt.Sprintf("%s:%d", t, id)] = v
	}
	return out, rows.Err()
}

// ---- Views ----

// RecordView counts a view of a published post once per visitor and day
// (UTC). visitor is "u<id>" for members, or an anonymous visitor's cookie.
func (s *Service) RecordView(ctx context.Context, postID int64, visitor string) error {
	if visitor == "" || len(visitor) > 100 {
		return nil
	}
	day := s.now().UTC().Unix() / 86400
	var one int
	if s.db.R.QueryRowContext(ctx, `SELECT 1 FROM forum_views WHERE post_id = $1 AND visitor = $2 AND day = $3`,
		postID, visitor, day).Scan(&one) == nil {
		return nil // counted today already: no write
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO forum_views (post_id, visitor, day)
			SELECT id, $2, $3 FROM forum_posts WHERE id = $1 AND status = 'published'
			ON CONFLICT (post_id, visitor, day) DO NOTHING`, postID, visitor, day)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE forum_posts SET view_count = view_count + 1 WHERE id = $1`, postID)
		return err
	})
}

// ---- Follows and notifications ----

// Follow subscribes the actor to new answers of a post (on false: unsubscribes).
func (s *Service) Follow(ctx context.Context, a auth.Actor, postID int64, on bool) error {
	if err := mustMember(a); err != nil {
		return err
	}
	if _, err := s.GetPost(ctx, a, postID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		delta := 1
		if on {
			res, err = tx.ExecContext(ctx, `INSERT INTO forum_follows (post_id, user_id, created_at) VALUES ($1, $2, $3)
				ON CONFLICT (post_id, user_id) DO NOTHING`, postID, a.UserID, db.Millis(s.now()))
		} else {
			delta = -1
			res, err = tx.ExecContext(ctx, `DELETE FROM forum_follows WHERE post_id = $1 AND user_id = $2`, postID, a.UserID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE forum_posts SET follower_count = follower_count + $1 WHERE id = $2`, delta, postID)
		return err
	})
}

// Following reports whether the actor follows the post.
func (s *Service) Following(ctx context.Context, a auth.Actor, postID int64) bool {
	if a.UserID == 0 {
		return false
	}
	var one int
	return s.db.R.QueryRowContext(ctx, `SELECT 1 FROM forum_follows WHERE post_id = $1 AND user_id = $2`, postID, a.UserID).Scan(&one) == nil
}

// NotifyQueue is the job queue of follow notifications: one job per
// published answer and follower, sent by HandleNotifyJob.
const NotifyQueue = "forum.notify"

// notifyJob names a new answer (to a post's follower) or a new post (to its
// topic's follower).
type notifyJob struct {
	AnswerID int64 `json:"answer_id,omitempty"`
	PostID   int64 `json:"post_id,omitempty"`
	UserID   int64 `json:"user_id"`
}

// notifyFollowers queues a mail to each follower of the post but the
// answer's author, in the transaction that publishes the answer. The job
// key makes it once per answer and follower, however often it is published.
func (s *Service) notifyFollowers(ctx context.Context, tx *sql.Tx, postID, answerID, authorID int64) error {
	return s.queueNotices(ctx, tx, `SELECT user_id FROM forum_follows WHERE post_id = $1 AND user_id <> $2 ORDER BY user_id LIMIT 10000`,
		[]any{postID, authorID}, func(u int64) (notifyJob, string) {
			return notifyJob{AnswerID: answerID, UserID: u}, fmt.Sprintf("forum.answer.%d.%d", answerID, u)
		})
}

// queueNotices enqueues, in tx, one notification job for each user the
// query returns (at most 10,000), with the job and its idempotency key.
func (s *Service) queueNotices(ctx context.Context, tx *sql.Tx, query string, args []any, job func(user int64) (notifyJob, string)) error {
	if s.Jobs == nil {
		return nil
	}
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	var users []int64
	for rows.Next() {
		var u int64
		if err := rows.Scan(&u); err != nil {
			rows.Close()
			return err
		}
		users = append(users, u)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, u := range users {
		j, key := job(u)
		payload, _ := json.Marshal(j)
		if _, err := s.Jobs.EnqueueTx(ctx, tx, NotifyQueue, string(payload), jobs.Options{Key: key}); err != nil {
			return err
		}
	}
	return nil
}

// HandleNotifyJob mails one follower about a new answer or a new post, in
// their language, if they may still read it.
func (s *Service) HandleNotifyJob(ctx context.Context, j *jobs.Job) error {
	var n notifyJob
	if err := json.Unmarshal([]byte(j.Payload), &n); err != nil {
		return jobs.Permanent{Err: err}
	}
	if s.Mail == nil {
		return nil
	}
	if n.PostID != 0 {
		return s.mailNewPost(ctx, n)
	}
	reader, email, ok, err := s.mailReader(ctx, n.UserID)
	if !ok || err != nil {
		return err
	}
	x, err := s.GetAnswer(ctx, reader, n.AnswerID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && x.Status != Published) {
		return nil // hidden or deleted since
	}
	if err != nil {
		return err
	}
	p, err := s.GetPost(ctx, reader, x.PostID)
	if err != nil {
		return nil
	}
	l := i18n.Normalize(reader.Locale)
	link := strings.TrimRight(s.BaseURL, "/") + "/community/posts/" + itoa(p.ID) + "#answer-" + itoa(x.ID)
	text := i18n.T(l, "forum.mail.new_answer_body", "author", x.Author.Name, "title", p.Title) + "\n\n" +
		sanitize.Text(x.BodyHTML) + "\n\n" + link + "\n\n" + i18n.T(l, "forum.mail.unfollow_hint")
	return s.Mail.Send(ctx, mail.Message{To: email, Locale: l, Text: text,
		Subject: i18n.T(l, "forum.mail.new_answer_subject", "title", p.Title),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}

// mailReader is the follower as a reader, with their address; ok is false
// when they can no longer be mailed (gone, inactive, no address).
func (s *Service) mailReader(ctx context.Context, userID int64) (reader auth.Actor, email string, ok bool, err error) {
	var addr sql.NullString
	var locale, role string
	var active bool
	err = s.db.R.QueryRowContext(ctx, `SELECT email, locale, role, active FROM users WHERE id = $1`, userID).Scan(&addr, &locale, &role, &active)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!addr.Valid || addr.String == "" || !active)) {
		return auth.Actor{}, "", false, nil
	}
	if err != nil {
		return auth.Actor{}, "", false, err
	}
	return auth.Actor{UserID: userID, Role: role, Locale: locale}, addr.String, true, nil
}
