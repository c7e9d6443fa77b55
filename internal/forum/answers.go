package forum

import (
	"context"
	"database/sql"
	"errors"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/sanitize"
)

// AnswerInput is a new answer (ParentID 0) or a comment on an answer.
type AnswerInput struct {
	ParentID int64
	Body     string // Markdown
}

// AddAnswer answers a post, or comments on one of its answers. Locked posts
// take answers from moderators only. Like posts, answers of members who are
// not yet trusted, and spam, wait for a moderator.
func (s *Service) AddAnswer(ctx context.Context, a auth.Actor, postID int64, in AnswerInput) (Answer, error) {
	if err := mustMember(a); err != nil {
		return Answer{}, err
	}
	if err := checkText("body", in.Body, MaxBody, true); err != nil {
		return Answer{}, err
	}
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := s.post(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !visible(a, p.Status, p.Author.ID) {
			return apperr.NotFound("post")
		}
		if p.Locked && !isMod(a) {
			return apperr.Invalid("post", "locked", "this post is locked")
		}
		if in.ParentID != 0 {
			var parentPost, grand int64
			var st string
			err := tx.QueryRowContext(ctx, `SELECT post_id, parent_id, status FROM forum_answers WHERE id = $1`, in.ParentID).Scan(&parentPost, &grand, &st)
			if errors.Is(err, sql.ErrNoRows) || (err == nil && (parentPost != postID || grand != 0 || st != Published)) {
				return apperr.Invalid("parent_id", "not_found", "names no answer of this post")
			}
			if err != nil {
				return err
			}
		}
		status, score, err := s.admit(ctx, tx, a, "", in.Body)
		if err != nil {
			return err
		}
		now := db.Millis(s.now())
		if err := tx.QueryRowContext(ctx, `INSERT INTO forum_answers (post_id, parent_id, author_id, body_md, body_html, status,
			official, spam_score, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id`,
			postID, in.ParentID, a.UserID, in.Body, render(in.Body), status, isStaff(a) && !a.System, score, now).Scan(&id); err != nil {
			return err
		}
		if status == Published {
			return s.answerPublished(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return Answer{}, err
	}
	return s.GetAnswer(ctx, a, id)
}

// answerPublished updates the post's counters and tells its followers.
func (s *Service) answerPublished(ctx context.Context, tx *sql.Tx, id int64) error {
	var postID, parentID, authorID, created int64
	if err := tx.QueryRowContext(ctx, `SELECT post_id, parent_id, author_id, created_at FROM forum_answers WHERE id = $1`, id).
		Scan(&postID, &parentID, &authorID, &created); err != nil {
		return err
	}
	if parentID == 0 {
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET answer_count = answer_count + 1,
			first_answer_at = CASE WHEN first_answer_at = 0 AND author_id <> $1 THEN $2 ELSE first_answer_at END,
			updated_at = $3 WHERE id = $4`, authorID, created, db.Millis(s.now()), postID); err != nil {
			return err
		}
	}
	return s.notifyFollowers(ctx, tx, postID, id, authorID)
}

const answerSelect = `SELECT a.id, a.post_id, a.parent_id, a.author_id, u.name, u.role, COALESCE(m.specialist, FALSE),
	COALESCE(m.reputation, 0), a.body_md, a.body_html, a.status, a.official, a.spam_score, a.vote_sum, a.vote_count,
	a.created_at, a.updated_at
	FROM forum_answers a JOIN users u ON u.id = a.author_id LEFT JOIN forum_members m ON m.user_id = a.author_id`

func scanAnswer(sc interface{ Scan(...any) error }) (Answer, error) {
	var x Answer
	var role string
	var spec bool
	var ca, ua int64
	err := sc.Scan(&x.ID, &x.PostID, &x.ParentID, &x.Author.ID, &x.Author.Name, &role, &spec, &x.Author.Reputation,
		&x.BodyMD, &x.BodyHTML, &x.Status, &x.Official, &x.SpamScore, &x.VoteSum, &x.VoteCount, &ca, &ua)
	x.Author.Staff = role != auth.RoleEndUser
	x.Author.Specialist = spec || x.Author.Reputation >= SpecialistReputation
	x.CreatedAt, x.UpdatedAt = db.Time(ca), db.Time(ua)
	return x, err
}

func (s *Service) answer(ctx context.Context, q db.Querier, id int64) (Answer, error) {
	x, err := scanAnswer(q.QueryRowContext(ctx, answerSelect+` WHERE a.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Answer{}, apperr.NotFound("answer")
	}
	return x, err
}

// GetAnswer reads an answer the actor may see (and whose post they may see).
func (s *Service) GetAnswer(ctx context.Context, a auth.Actor, id int64) (Answer, error) {
	x, err := s.answer(ctx, s.db.R, id)
	if err != nil {
		return Answer{}, err
	}
	p, err := s.GetPost(ctx, a, x.PostID)
	if err != nil || !visible(a, x.Status, x.Author.ID) {
		return Answer{}, apperr.NotFound("answer")
	}
	x.Accepted = p.AcceptedID == x.ID
	return x, nil
}

// ListAnswers returns the answers and comments of a post the actor may see,
// oldest first; the accepted one is marked.
func (s *Service) ListAnswers(ctx context.Context, a auth.Actor, postID int64) ([]Answer, error) {
	p, err := s.GetPost(ctx, a, postID)
	if err != nil {
		return nil, err
	}
	return s.AnswersOf(ctx, a, p)
}

// AnswersOf is ListAnswers for a post the caller has just read with GetPost
// (the thread page), saving the second read of the post.
func (s *Service) AnswersOf(ctx context.Context, a auth.Actor, p Post) ([]Answer, error) {
	rows, err := s.db.R.QueryContext(ctx, answerSelect+` WHERE a.post_id = $1 ORDER BY a.id`, p.ID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Answer{}
	for rows.Next() {
		x, err := scanAnswer(rows)
		if err != nil {
			return nil, err
		}
		if !visible(a, x.Status, x.Author.ID) {
			continue
		}
		x.Accepted = x.ID == p.AcceptedID
		out = append(out, x)
	}
	return out, rows.Err()
}

// UpdateAnswer changes an answer's text: its author (the post not locked) or a moderator.
func (s *Service) UpdateAnswer(ctx context.Context, a auth.Actor, id int64, body string) (Answer, error) {
	if err := mustMember(a); err != nil {
		return Answer{}, err
	}
	if err := checkText("body", body, MaxBody, true); err != nil {
		return Answer{}, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		x, err := s.answer(ctx, tx, id)
		if err != nil {
			return err
		}
		p, err := s.post(ctx, tx, x.PostID)
		if err != nil {
			return err
		}
		if !visible(a, x.Status, x.Author.ID) || !visible(a, p.Status, p.Author.ID) {
			return apperr.NotFound("answer")
		}
		mod := isMod(a)
		if !mod && (x.Author.ID != a.UserID || p.Locked) {
			return apperr.Forbidden("edit this answer")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_answers SET body_md = $1, body_html = $2, updated_at = $3 WHERE id = $4`,
			body, render(body), db.Millis(s.now()), id); err != nil {
			return err
		}
		if mod && x.Author.ID != a.UserID {
			if err := s.logAction(ctx, tx, a, "edit", "answer", id, x.PostID, ""); err != nil {
				return err
			}
		}
		return s.reindex(ctx, tx, x.PostID)
	})
	if err != nil {
		return Answer{}, err
	}
	return s.GetAnswer(ctx, a, id)
}

// Accept marks answerID as the accepted answer of a question: only the
// asker or a moderator may. The answer's author earns reputation (not for
// accepting one's own answer), and the thread joins the search index.
// answerID 0 withdraws the acceptance.
func (s *Service) Accept(ctx context.Context, a auth.Actor, postID, answerID int64) (Post, error) {
	if err := mustMember(a); err != nil {
		return Post{}, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := s.post(ctx, tx, postID)
		if err != nil {
			return err
		}
		if !visible(a, p.Status, p.Author.ID) {
			return apperr.NotFound("post")
		}
		if p.Author.ID != a.UserID && !isMod(a) {
			return apperr.Forbidden("accept an answer to someone else's question")
		}
		if p.Kind != Question {
			return apperr.Invalid("kind", "not_question", "only questions have an accepted answer")
		}
		if p.Status != Published {
			return apperr.Invalid("post", "not_published", "the post waits for a moderator")
		}
		if answerID == p.AcceptedID {
			return nil
		}
		if answerID != 0 {
			x, err := s.answer(ctx, tx, answerID)
			if errors.Is(err, apperr.ErrNotFound) || (err == nil && (x.PostID != postID || x.ParentID != 0 || x.Status != Published)) {
				return apperr.Invalid("answer_id", "not_found", "names no published answer of this post")
			}
			if err != nil {
				return err
			}
			if x.Author.ID != p.Author.ID {
				if err := s.addReputation(ctx, tx, x.Author.ID, PointsAccepted, 1); err != nil {
					return err
				}
			}
		}
		if p.AcceptedID != 0 {
			if prev := s.answerAuthor(ctx, tx, p.AcceptedID); prev != p.Author.ID {
				if err := s.addReputation(ctx, tx, prev, -PointsAccepted, -1); err != nil {
					return err
				}
			}
		}
		now := db.Millis(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET accepted_id = CAST($1 AS BIGINT),
			solved_at = CASE WHEN CAST($1 AS BIGINT) = 0 THEN 0 WHEN solved_at = 0 THEN CAST($2 AS BIGINT) ELSE solved_at END,
			updated_at = CAST($2 AS BIGINT) WHERE id = $3`, answerID, now, postID); err != nil {
			return err
		}
		if p.Author.ID != a.UserID {
			if err := s.logAction(ctx, tx, a, "accept", "answer", answerID, postID, ""); err != nil {
				return err
			}
		}
		return s.reindex(ctx, tx, postID)
	})
	if err != nil {
		return Post{}, err
	}
	return s.GetPost(ctx, a, postID)
}

func (s *Service) answerAuthor(ctx context.Context, tx *sql.Tx, id int64) int64 {
	var uid int64
	_ = tx.QueryRowContext(ctx, `SELECT author_id FROM forum_answers WHERE id = $1`, id).Scan(&uid)
	return uid
}

// addReputation changes a member's reputation (and accepted-answer count).
func (s *Service) addReputation(ctx context.Context, tx *sql.Tx, userID, points, accepted int64) error {
	if userID == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO forum_members (user_id, reputation, accepted) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET reputation = forum_members.reputation + $2, accepted = forum_members.accepted + $3`,
		userID, points, accepted)
	return err
}

// reindex keeps the search index in step with a thread: a published question
// with a published accepted answer is indexed (the question and the answer),
// anything else is not.
func (s *Service) reindex(ctx context.Context, tx *sql.Tx, postID int64) error {
	p, err := s.post(ctx, tx, postID)
	if errors.Is(err, apperr.ErrNotFound) {
		return kb.UnindexForumThread(ctx, tx, postID)
	}
	if err != nil {
		return err
	}
	if p.Status != Published || p.AcceptedID == 0 {
		return kb.UnindexForumThread(ctx, tx, postID)
	}
	x, err := s.answer(ctx, tx, p.AcceptedID)
	if err != nil || x.Status != Published {
		return kb.UnindexForumThread(ctx, tx, postID)
	}
	if err := kb.UnindexForumThread(ctx, tx, postID); err != nil { // the locale may have changed
		return err
	}
	body := sanitize.Text(p.BodyHTML) + "\n\n" + sanitize.Text(x.BodyHTML)
	return kb.IndexForumThread(ctx, tx, postID, p.Locale, p.Title, body, s.now())
}
