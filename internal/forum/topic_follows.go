package forum

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/i18n"
	"layan/internal/mail"
	"layan/internal/sanitize"
)

// FollowTopic subscribes the actor to new posts in a topic (on false:
// unsubscribes). Following twice, or unfollowing what one does not follow,
// changes nothing.
func (s *Service) FollowTopic(ctx context.Context, a auth.Actor, topicID int64, on bool) error {
	if err := mustMember(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM forum_topics WHERE id = $1`, topicID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.NotFound("topic")
			}
			return err
		}
		if !on {
			_, err := tx.ExecContext(ctx, `DELETE FROM forum_topic_follows WHERE topic_id = $1 AND user_id = $2`, topicID, a.UserID)
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO forum_topic_follows (topic_id, user_id, created_at) VALUES ($1, $2, $3)
			ON CONFLICT (topic_id, user_id) DO NOTHING`, topicID, a.UserID, db.Millis(s.now()))
		return err
	})
}

// FollowingTopic reports whether the actor follows the topic.
func (s *Service) FollowingTopic(ctx context.Context, a auth.Actor, topicID int64) bool {
	if a.UserID == 0 {
		return false
	}
	var one int
	return s.db.R.QueryRowContext(ctx, `SELECT 1 FROM forum_topic_follows WHERE topic_id = $1 AND user_id = $2`,
		topicID, a.UserID).Scan(&one) == nil
}

// postPublished queues a mail to each follower of the post's topic but its
// author, in the transaction that publishes the post (created by a trusted
// member, or approved from the queue). The job key makes it once per post
// and follower.
func (s *Service) postPublished(ctx context.Context, tx *sql.Tx, postID int64) error {
	return s.queueNotices(ctx, tx, `SELECT f.user_id FROM forum_topic_follows f JOIN forum_posts p ON p.topic_id = f.topic_id
		WHERE p.id = $1 AND f.user_id <> p.author_id ORDER BY f.user_id LIMIT 10000`, []any{postID},
		func(u int64) (notifyJob, string) {
			return notifyJob{PostID: postID, UserID: u}, fmt.Sprintf("forum.post.%d.%d", postID, u)
		})
}

// mailNewPost mails one topic follower about a new post, in their language,
// if they may still read it.
func (s *Service) mailNewPost(ctx context.Context, n notifyJob) error {
	reader, email, ok, err := s.mailReader(ctx, n.UserID)
	if !ok || err != nil {
		return err
	}
	p, err := s.GetPost(ctx, reader, n.PostID)
	if errors.Is(err, apperr.ErrNotFound) || (err == nil && p.Status != Published) {
		return nil // hidden or deleted since
	}
	if err != nil {
		return err
	}
	topic, err := s.GetTopic(ctx, reader, p.TopicID)
	if err != nil {
		return nil
	}
	l := i18n.Normalize(reader.Locale)
	link := strings.TrimRight(s.BaseURL, "/") + "/community/posts/" + itoa(p.ID)
	text := i18n.T(l, "forum.mail.new_post_body", "author", p.Author.Name, "topic", topic.Name, "title", p.Title) + "\n\n" +
		sanitize.Text(p.BodyHTML) + "\n\n" + link + "\n\n" + i18n.T(l, "forum.mail.unfollow_topic_hint")
	return s.Mail.Send(ctx, mail.Message{To: email, Locale: l, Text: text,
		Subject: i18n.T(l, "forum.mail.new_post_subject", "topic", topic.Name, "title", p.Title),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}
