package forum

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/search/analyze"
)

// PostInput is a new post, or an edit of one.
type PostInput struct {
	TopicID int64
	Kind    string // default question
	Title   string
	Body    string // Markdown
	Locale  string // "" detects it from the text (the author's language as hint)
}

func (in *PostInput) validate(a auth.Actor) error {
	in.Title = strings.Join(strings.Fields(in.Title), " ") // one line: it becomes a mail subject
	if err := checkText("title", in.Title, MaxTitle, true); err != nil {
		return err
	}
	if err := checkText("details", in.Body, MaxBody, true); err != nil {
		return err
	}
	if in.Kind == "" {
		in.Kind = Question
	}
	if !slices.Contains(Kinds, in.Kind) {
		return apperr.Invalid("kind", "invalid", "must be question, idea or discussion")
	}
	if in.Locale != "" {
		if in.Locale = kb.NormalizeLocale(in.Locale); in.Locale == "" {
			return apperr.Invalid("locale", "invalid_locale", "must be en, id or fa")
		}
		return nil
	}
	hint, _ := analyze.ParseLang(kb.NormalizeLocale(a.Locale))
	in.Locale = string(analyze.Detect(in.Title+"\n"+in.Body, hint))
	if kb.NormalizeLocale(in.Locale) == "" {
		in.Locale = "en"
	}
	return nil
}

// CreatePost publishes a post, or queues it for a moderator when its author
// is new to the community or it looks like spam. The author follows it.
func (s *Service) CreatePost(ctx context.Context, a auth.Actor, in PostInput) (Post, error) {
	if err := mustMember(a); err != nil {
		return Post{}, err
	}
	if err := in.validate(a); err != nil {
		return Post{}, err
	}
	now := db.Millis(s.now())
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var one int
		if err := tx.QueryRowContext(ctx, `SELECT 1 FROM forum_topics WHERE id = $1`, in.TopicID).Scan(&one); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return apperr.Invalid("topic_id", "not_found", "names no topic")
			}
			return err
		}
		status, score, err := s.admit(ctx, tx, a, in.Title, in.Body)
		if err != nil {
			return err
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO forum_posts (topic_id, author_id, kind, locale, title, title_terms, body_md,
			body_html, status, spam_score, follower_count, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $11) RETURNING id`,
			in.TopicID, a.UserID, in.Kind, in.Locale, in.Title, titleTerms(in.Locale, in.Title), in.Body, render(in.Body), status, score,
			now).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_follows (post_id, user_id, created_at) VALUES ($1, $2, $3)`, id, a.UserID, now); err != nil {
			return err
		}
		if status == Published {
			return s.postPublished(ctx, tx, id)
		}
		return nil
	})
	if err != nil {
		return Post{}, err
	}
	return s.GetPost(ctx, a, id)
}

// admit decides whether new content by a is published or queued, after the
// rate limit: staff publish; a member who is not yet trusted (no post of
// theirs approved) or content scoring as spam waits for a moderator.
func (s *Service) admit(ctx context.Context, tx *sql.Tx, a auth.Actor, title, body string) (string, int, error) {
	if isStaff(a) {
		return Published, 0, nil
	}
	since := db.Millis(s.now().Add(-s.RateWindow))
	var recent int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM forum_posts WHERE author_id = $1 AND created_at > $2)
		+ (SELECT count(*) FROM forum_answers WHERE author_id = $1 AND created_at > $2)`, a.UserID, since).Scan(&recent); err != nil {
		return "", 0, err
	}
	if s.RateLimit > 0 && recent >= s.RateLimit {
		return "", 0, apperr.Invalid("details", "rate_limited", "you are posting too fast; try again in a few minutes")
	}
	score, err := s.spamScore(ctx, tx, a.UserID, title, body)
	if err != nil {
		return "", 0, err
	}
	var trusted bool
	err = tx.QueryRowContext(ctx, `SELECT trusted FROM forum_members WHERE user_id = $1`, a.UserID).Scan(&trusted)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return "", 0, err
	}
	if !trusted || score >= s.SpamThreshold {
		return Queued, score, nil
	}
	return Published, score, nil
}

const postCols = `p.id, p.topic_id, p.author_id, u.name, u.role, COALESCE(m.specialist, FALSE), COALESCE(m.reputation, 0),
	p.kind, p.locale, p.title, %BODY%, p.status, p.locked, p.spam_score, p.accepted_id, p.merged_into, p.ticket_id,
	p.article_id, p.vote_sum, p.vote_count, p.answer_count, p.view_count, p.follower_count, p.first_answer_at, p.solved_at,
	p.created_at, p.updated_at
	FROM forum_posts p JOIN users u ON u.id = p.author_id LEFT JOIN forum_members m ON m.user_id = p.author_id`

var (
	postSelect     = strings.Replace(postCols, "%BODY%", "p.body_md, p.body_html", 1)
	postListSelect = strings.Replace(postCols, "%BODY%", "'', p.body_html", 1) // lists carry the HTML (Zendesk's details), not the source
)

func scanPost(sc interface{ Scan(...any) error }) (Post, error) {
	var p Post
	var role string
	var spec bool
	var fa, sa, ca, ua int64
	err := sc.Scan(&p.ID, &p.TopicID, &p.Author.ID, &p.Author.Name, &role, &spec, &p.Author.Reputation,
		&p.Kind, &p.Locale, &p.Title, &p.BodyMD, &p.BodyHTML, &p.Status, &p.Locked, &p.SpamScore, &p.AcceptedID, &p.MergedInto,
		&p.TicketID, &p.ArticleID, &p.VoteSum, &p.VoteCount, &p.AnswerCount, &p.ViewCount, &p.FollowerCount, &fa, &sa, &ca, &ua)
	p.Author.Staff = role != auth.RoleEndUser
	p.Author.Specialist = spec || p.Author.Reputation >= SpecialistReputation
	if fa != 0 {
		p.FirstAnswerAt = db.Time(fa)
	}
	if sa != 0 {
		p.SolvedAt = db.Time(sa)
	}
	p.CreatedAt, p.UpdatedAt = db.Time(ca), db.Time(ua)
	return p, err
}

// GetPost reads a post the actor may see: published ones, their own queued
// ones, and (staff) everything. Others are not found.
func (s *Service) GetPost(ctx context.Context, a auth.Actor, id int64) (Post, error) {
	p, err := s.post(ctx, s.db.R, id)
	if err != nil {
		return Post{}, err
	}
	if !visible(a, p.Status, p.Author.ID) {
		return Post{}, apperr.NotFound("post")
	}
	return p, nil
}

func (s *Service) post(ctx context.Context, q db.Querier, id int64) (Post, error) {
	p, err := scanPost(q.QueryRowContext(ctx, `SELECT `+postSelect+` WHERE p.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Post{}, apperr.NotFound("post")
	}
	return p, err
}

// ListQuery selects a page of posts, newest first. Pages are keyset pages:
// Before is the last id of the previous page, so page 5,000 costs what page
// one does.
type ListQuery struct {
	TopicID  int64
	AuthorID int64
	Kind     string
	Status   string // staff only: queued or hidden; default published
	Solved   *bool
	Before   int64
	Limit    int // default 30, at most MaxPage
}

// ListPosts returns a page of posts (without bodies) and whether more follow.
func (s *Service) ListPosts(ctx context.Context, a auth.Actor, q ListQuery) ([]Post, bool, error) {
	if q.Limit <= 0 {
		q.Limit = 30
	}
	if q.Limit > MaxPage || q.Before < 0 {
		return nil, false, apperr.Invalid("per_page", "invalid", "a page holds at most 100 posts")
	}
	if q.Status == "" {
		q.Status = Published
	}
	if q.Status != Published {
		if !isStaff(a) {
			return nil, false, apperr.Forbidden("list unpublished posts")
		}
		if q.Status != Queued && q.Status != Hidden {
			return nil, false, apperr.Invalid("status", "invalid", "must be published, queued or hidden")
		}
	}
	if q.Kind != "" && !slices.Contains(Kinds, q.Kind) {
		return nil, false, apperr.Invalid("kind", "invalid", "must be question, idea or discussion")
	}
	where := []string{"p.status = $1"}
	args := []any{q.Status}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, strings.ReplaceAll(cond, "?", "$"+itoa(int64(len(args)))))
	}
	if q.TopicID != 0 {
		add("p.topic_id = ?", q.TopicID)
	}
	if q.AuthorID != 0 {
		add("p.author_id = ?", q.AuthorID)
	}
	if q.Kind != "" {
		add("p.kind = ?", q.Kind)
	}
	if q.Solved != nil {
		if *q.Solved {
			where = append(where, "p.accepted_id <> 0")
		} else {
			where = append(where, "p.accepted_id = 0")
		}
	}
	if q.Before > 0 {
		add("p.id < ?", q.Before)
	}
	args = append(args, q.Limit+1)
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+postListSelect+` WHERE `+strings.Join(where, " AND ")+
		` ORDER BY p.id DESC LIMIT $`+itoa(int64(len(args))), args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	out := []Post{}
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, false, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > q.Limit
	if more {
		out = out[:q.Limit]
	}
	return out, more, nil
}

// PostPatch changes a post: its author (while it is not locked) or a
// moderator edits the text; moderators also move it to another topic.
type PostPatch struct {
	Title   *string
	Body    *string
	TopicID *int64
	Kind    *string
}

// UpdatePost applies a patch; a moderator's change is logged.
func (s *Service) UpdatePost(ctx context.Context, a auth.Actor, id int64, pt PostPatch) (Post, error) {
	if err := mustMember(a); err != nil {
		return Post{}, err
	}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := s.post(ctx, tx, id)
		if err != nil {
			return err
		}
		if !visible(a, p.Status, p.Author.ID) {
			return apperr.NotFound("post")
		}
		mod := isMod(a)
		if !mod && (p.Author.ID != a.UserID || p.Locked || pt.TopicID != nil) {
			return apperr.Forbidden("edit this post")
		}
		in := PostInput{TopicID: p.TopicID, Kind: p.Kind, Title: p.Title, Body: p.BodyMD, Locale: p.Locale}
		if pt.Title != nil {
			in.Title = *pt.Title
		}
		if pt.Body != nil {
			in.Body = *pt.Body
		}
		if pt.Kind != nil {
			in.Kind = *pt.Kind
		}
		if pt.TopicID != nil {
			in.TopicID = *pt.TopicID
			var one int
			if err := tx.QueryRowContext(ctx, `SELECT 1 FROM forum_topics WHERE id = $1`, in.TopicID).Scan(&one); err != nil {
				return apperr.Invalid("topic_id", "not_found", "names no topic")
			}
		}
		if err := in.validate(a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET topic_id = $1, kind = $2, title = $3, body_md = $4, body_html = $5,
			updated_at = $6, title_terms = $7 WHERE id = $8`, in.TopicID, in.Kind, in.Title, in.Body, render(in.Body), db.Millis(s.now()),
			titleTerms(in.Locale, in.Title), id); err != nil {
			return err
		}
		if mod && p.Author.ID != a.UserID {
			action := "edit"
			if in.TopicID != p.TopicID {
				action = "move"
			}
			if err := s.logAction(ctx, tx, a, action, "post", id, id, ""); err != nil {
				return err
			}
		}
		return s.reindex(ctx, tx, id)
	})
	if err != nil {
		return Post{}, err
	}
	return s.GetPost(ctx, a, id)
}

// DeletePost removes a post with its answers: its author, or a moderator.
func (s *Service) DeletePost(ctx context.Context, a auth.Actor, id int64) error {
	if err := mustMember(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		p, err := s.post(ctx, tx, id)
		if err != nil {
			return err
		}
		if !visible(a, p.Status, p.Author.ID) {
			return apperr.NotFound("post")
		}
		if !isMod(a) && p.Author.ID != a.UserID {
			return apperr.Forbidden("delete this post")
		}
		if p.AcceptedID != 0 {
			if err := s.addReputation(ctx, tx, s.answerAuthor(ctx, tx, p.AcceptedID), -PointsAccepted, -1); err != nil {
				return err
			}
		}
		if err := kb.UnindexForumThread(ctx, tx, id); err != nil {
			return err
		}
		for _, q := range []string{`DELETE FROM forum_votes WHERE target = 'answer' AND target_id IN (SELECT id FROM forum_answers WHERE post_id = $1)`,
			`DELETE FROM forum_votes WHERE target = 'post' AND target_id = $1`, `DELETE FROM forum_views WHERE post_id = $1`,
			`DELETE FROM forum_answers WHERE post_id = $1`, `DELETE FROM forum_follows WHERE post_id = $1`,
			`DELETE FROM forum_reports WHERE post_id = $1`,
			`DELETE FROM forum_posts WHERE id = $1`} {
			if _, err := tx.ExecContext(ctx, q, id); err != nil {
				return err
			}
		}
		if isMod(a) && p.Author.ID != a.UserID {
			return s.logAction(ctx, tx, a, "delete", "post", id, id, p.Title)
		}
		return nil
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
