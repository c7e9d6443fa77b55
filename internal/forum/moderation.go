package forum

import (
	"context"
	"database/sql"
	"errors"
	"regexp"
	"strings"
	"time"
	"unicode"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// ---- Spam ----

var linkRE = regexp.MustCompile(`(?i)https?://|(^|[\s(\[])www\.`)

// spamWords are phrases that in a support community are nearly always
// advertising (English, Indonesian, Persian).
var spamWords = []string{"casino", "viagra", "crypto giveaway", "free money", "work from home", "judi online", "slot gacor",
	"pinjaman online", "kasino", "شرط بندی", "کازینو", "وام فوری"}

// spamScore rates how much new content looks like spam: links (more than
// one weighs more), advertising phrases, the same text posted again by the
// same member within a day, and a shouted title.
func (s *Service) spamScore(ctx context.Context, tx *sql.Tx, userID int64, title, body string) (int, error) {
	text := strings.ToLower(title + "\n" + body)
	score := 0
	if n := len(linkRE.FindAllStringIndex(text, -1)); n > 0 {
		score += 1 + 2*(n-1)
	}
	words := 0
	for _, w := range spamWords {
		if strings.Contains(text, w) {
			words++
		}
	}
	score += 3 * min(words, 2)
	since := db.Millis(s.now().Add(-dayLength))
	var repeats int
	if err := tx.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM forum_posts WHERE author_id = $1 AND created_at > $2 AND body_md = $3)
		+ (SELECT count(*) FROM forum_answers WHERE author_id = $1 AND created_at > $2 AND body_md = $3)`,
		userID, since, body).Scan(&repeats); err != nil {
		return 0, err
	}
	if repeats > 0 {
		score += 5
	}
	if shouted(title) {
		score++
	}
	return score, nil
}

func shouted(title string) bool {
	upper, letters := 0, 0
	for _, r := range title {
		if unicode.IsLetter(r) && unicode.IsUpper(r) != unicode.IsLower(r) { // cased scripts only
			letters++
			if unicode.IsUpper(r) {
				upper++
			}
		}
	}
	return letters >= 12 && upper*10 >= letters*9
}

// ---- Moderation actions ----

// Moderation actions.
const (
	ActApprove = "approve"
	ActHide    = "hide"
	ActUnhide  = "unhide"
	ActLock    = "lock"
	ActUnlock  = "unlock"
)

// Moderate applies a moderator's action to a post or an answer and logs it:
// approve (a queued item is published and its author trusted from then on),
// hide, unhide, lock and unlock (posts).
func (s *Service) Moderate(ctx context.Context, a auth.Actor, target string, id int64, action, note string) error {
	if err := mustMod(a); err != nil {
		return err
	}
	if target != "post" && target != "answer" {
		return apperr.Invalid("target", "invalid", "must be post or answer")
	}
	if err := checkText("note", note, MaxReason, false); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var postID, authorID, parentID int64
		var status string
		var locked bool
		var err error
		if target == "post" {
			postID = id
			err = tx.QueryRowContext(ctx, `SELECT author_id, status, locked FROM forum_posts WHERE id = $1`, id).Scan(&authorID, &status, &locked)
		} else {
			err = tx.QueryRowContext(ctx, `SELECT post_id, parent_id, author_id, status FROM forum_answers WHERE id = $1`, id).
				Scan(&postID, &parentID, &authorID, &status)
		}
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound(target)
		}
		if err != nil {
			return err
		}
		table := "forum_posts"
		if target == "answer" {
			table = "forum_answers"
		}
		setStatus := func(to string) error {
			_, err := tx.ExecContext(ctx, `UPDATE `+table+` SET status = $1 WHERE id = $2`, to, id)
			return err
		}
		switch action {
		case ActApprove, ActUnhide:
			if (action == ActApprove && status != Queued) || (action == ActUnhide && status != Hidden) {
				return apperr.Invalid("action", "invalid_state", "the "+target+" is "+status)
			}
			if err := setStatus(Published); err != nil {
				return err
			}
			if action == ActApprove {
				if _, err := tx.ExecContext(ctx, `INSERT INTO forum_members (user_id, trusted) VALUES ($1, TRUE)
					ON CONFLICT (user_id) DO UPDATE SET trusted = TRUE`, authorID); err != nil {
					return err
				}
			}
			if target == "answer" {
				if err := s.answerPublished(ctx, tx, id); err != nil {
					return err
				}
			}
			if target == "post" && action == ActApprove {
				if err := s.postPublished(ctx, tx, id); err != nil {
					return err
				}
			}
		case ActHide:
			if status == Hidden {
				return apperr.Invalid("action", "invalid_state", "the "+target+" is hidden already")
			}
			if err := setStatus(Hidden); err != nil {
				return err
			}
			if target == "answer" && status == Published && parentID == 0 {
				if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET answer_count = answer_count - 1 WHERE id = $1`, postID); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `UPDATE forum_reports SET resolved_at = $1 WHERE target = $2 AND target_id = $3 AND resolved_at = 0`,
				db.Millis(s.now()), target, id); err != nil {
				return err
			}
		case ActLock, ActUnlock:
			if target != "post" {
				return apperr.Invalid("action", "invalid", "only posts are locked")
			}
			if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET locked = $1 WHERE id = $2`, action == ActLock, id); err != nil {
				return err
			}
		default:
			return apperr.Invalid("action", "invalid", "must be approve, hide, unhide, lock or unlock")
		}
		if err := s.logAction(ctx, tx, a, action, target, id, postID, note); err != nil {
			return err
		}
		return s.reindex(ctx, tx, postID)
	})
}

// Merge closes a duplicate: the source post's answers move to the target,
// its followers follow the target, and the source is hidden with a pointer
// to the target (its page redirects there).
func (s *Service) Merge(ctx context.Context, a auth.Actor, sourceID, targetID int64) error {
	if err := mustMod(a); err != nil {
		return err
	}
	if sourceID == targetID {
		return apperr.Invalid("target_id", "invalid", "a post cannot be merged into itself")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		src, err := s.post(ctx, tx, sourceID)
		if err != nil {
			return err
		}
		dst, err := s.post(ctx, tx, targetID)
		if errors.Is(err, apperr.ErrNotFound) || (err == nil && dst.MergedInto != 0) {
			return apperr.Invalid("target_id", "not_found", "names no post to merge into")
		}
		if err != nil {
			return err
		}
		if src.AcceptedID != 0 {
			if prev := s.answerAuthor(ctx, tx, src.AcceptedID); prev != src.Author.ID {
				if err := s.addReputation(ctx, tx, prev, -PointsAccepted, -1); err != nil {
					return err
				}
			}
		}
		now := db.Millis(s.now())
		if _, err := tx.ExecContext(ctx, `UPDATE forum_answers SET post_id = $1 WHERE post_id = $2`, targetID, sourceID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_follows (post_id, user_id, created_at)
			SELECT CAST($1 AS BIGINT), user_id, created_at FROM forum_follows WHERE post_id = $2
			ON CONFLICT (post_id, user_id) DO NOTHING`, targetID, sourceID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET
			answer_count = (SELECT count(*) FROM forum_answers WHERE post_id = $1 AND parent_id = 0 AND status = 'published'),
			follower_count = (SELECT count(*) FROM forum_follows WHERE post_id = $1), view_count = view_count + $2 WHERE id = $1`,
			targetID, src.ViewCount); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET status = 'hidden', merged_into = $1, accepted_id = 0, answer_count = 0,
			updated_at = $2 WHERE id = $3`, targetID, now, sourceID); err != nil {
			return err
		}
		if err := s.logAction(ctx, tx, a, "merge", "post", sourceID, targetID, "#"+itoa(sourceID)+" → #"+itoa(targetID)); err != nil {
			return err
		}
		if err := s.reindex(ctx, tx, sourceID); err != nil {
			return err
		}
		return s.reindex(ctx, tx, targetID)
	})
}

// MergedInto says where a merged post went, for a redirect; anyone who could
// have seen the post may ask.
func (s *Service) MergedInto(ctx context.Context, id int64) int64 {
	var to int64
	_ = s.db.R.QueryRowContext(ctx, `SELECT merged_into FROM forum_posts WHERE id = $1`, id).Scan(&to)
	return to
}

func (s *Service) logAction(ctx context.Context, tx *sql.Tx, a auth.Actor, action, target string, id, postID int64, note string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO forum_modlog (actor_id, action, target, target_id, post_id, note, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, a.UserID, action, target, id, postID, note, db.Millis(s.now()))
	return err
}

// ModLog lists the latest moderator actions (staff), newest first.
func (s *Service) ModLog(ctx context.Context, a auth.Actor, limit int) ([]LogEntry, error) {
	if !isStaff(a) {
		return nil, apperr.Forbidden("read the moderation log")
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT l.id, l.actor_id, COALESCE(u.name, ''), l.action, l.target, l.target_id, l.post_id,
		l.note, l.created_at FROM forum_modlog l LEFT JOIN users u ON u.id = l.actor_id ORDER BY l.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []LogEntry{}
	for rows.Next() {
		var e LogEntry
		var ca int64
		if err := rows.Scan(&e.ID, &e.ActorID, &e.Actor, &e.Action, &e.Target, &e.TargetID, &e.PostID, &e.Note, &ca); err != nil {
			return nil, err
		}
		e.CreatedAt = db.Time(ca)
		out = append(out, e)
	}
	return out, rows.Err()
}

// QueueItem is a post or answer waiting for a moderator.
type QueueItem struct {
	Target    string
	ID        int64
	PostID    int64
	Title     string // the post's
	BodyHTML  string
	Author    Author
	SpamScore int
	Reports   int
	CreatedAt time.Time
}

// ---- Reports ----

// AutoQueueReports is how many members' reports send published content back
// to the moderation queue until a moderator looks at it.
const AutoQueueReports = 3

// Report records a member's report of a post or answer they can see. A
// second report of the same thing by the same member changes nothing.
func (s *Service) Report(ctx context.Context, a auth.Actor, target string, id int64, reason string) error {
	if err := mustMember(a); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if err := checkText("reason", reason, MaxReason, true); err != nil {
		return err
	}
	var postID int64
	switch target {
	case "post":
		p, err := s.GetPost(ctx, a, id)
		if err != nil {
			return err
		}
		postID = p.ID
	case "answer":
		x, err := s.GetAnswer(ctx, a, id)
		if err != nil {
			return err
		}
		postID = x.PostID
	default:
		return apperr.Invalid("target", "invalid", "must be post or answer")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO forum_reports (target, target_id, post_id, reporter_id, reason, created_at)
			VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (target, target_id, reporter_id) DO NOTHING`,
			target, id, postID, a.UserID, reason, db.Millis(s.now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		var open int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_reports WHERE target = $1 AND target_id = $2 AND resolved_at = 0`,
			target, id).Scan(&open); err != nil {
			return err
		}
		if open < AutoQueueReports {
			return nil
		}
		table := "forum_posts"
		if target == "answer" {
			table = "forum_answers"
		}
		res, err = tx.ExecContext(ctx, `UPDATE `+table+` SET status = 'queued' WHERE id = $1 AND status = 'published'`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 && target == "answer" {
			if _, err := tx.ExecContext(ctx, `UPDATE forum_posts SET answer_count = answer_count - 1 WHERE id = $1
				AND (SELECT parent_id FROM forum_answers WHERE id = $2) = 0`, postID, id); err != nil {
				return err
			}
		}
		return s.reindex(ctx, tx, postID)
	})
}

// Reports lists the open reports (staff), oldest first.
func (s *Service) Reports(ctx context.Context, a auth.Actor) ([]Report, error) {
	if !isStaff(a) {
		return nil, apperr.Forbidden("read reports")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT r.id, r.target, r.target_id, r.post_id, r.reporter_id, u.name, r.reason, r.created_at
		FROM forum_reports r JOIN users u ON u.id = r.reporter_id WHERE r.resolved_at = 0 ORDER BY r.id LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Report{}
	for rows.Next() {
		var r Report
		var ca int64
		if err := rows.Scan(&r.ID, &r.Target, &r.TargetID, &r.PostID, &r.ReporterID, &r.Reporter, &r.Reason, &ca); err != nil {
			return nil, err
		}
		r.CreatedAt = db.Time(ca)
		out = append(out, r)
	}
	return out, rows.Err()
}

// DismissReport closes a report without action (moderators).
func (s *Service) DismissReport(ctx context.Context, a auth.Actor, id int64) error {
	if err := mustMod(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var target string
		var targetID, postID int64
		err := tx.QueryRowContext(ctx, `SELECT target, target_id, post_id FROM forum_reports WHERE id = $1 AND resolved_at = 0`, id).
			Scan(&target, &targetID, &postID)
		if errors.Is(err, sql.ErrNoRows) {
			return apperr.NotFound("report")
		}
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE forum_reports SET resolved_at = $1 WHERE id = $2`, db.Millis(s.now()), id); err != nil {
			return err
		}
		return s.logAction(ctx, tx, a, "dismiss_report", target, targetID, postID, "")
	})
}

// ---- The queue ----

// Queue lists the posts and answers waiting for a moderator (staff), oldest first.
func (s *Service) Queue(ctx context.Context, a auth.Actor) ([]QueueItem, error) {
	if !isStaff(a) {
		return nil, apperr.Forbidden("read the moderation queue")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT 'post', p.id, p.id, p.title, p.body_html, p.author_id, u.name, p.spam_score, p.created_at
		FROM forum_posts p JOIN users u ON u.id = p.author_id WHERE p.status = 'queued'
		UNION ALL
		SELECT 'answer', a.id, a.post_id, p.title, a.body_html, a.author_id, u.name, a.spam_score, a.created_at
		FROM forum_answers a JOIN forum_posts p ON p.id = a.post_id JOIN users u ON u.id = a.author_id WHERE a.status = 'queued'
		ORDER BY 9 LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []QueueItem{}
	for rows.Next() {
		var q QueueItem
		var ca int64
		if err := rows.Scan(&q.Target, &q.ID, &q.PostID, &q.Title, &q.BodyHTML, &q.Author.ID, &q.Author.Name, &q.SpamScore, &ca); err != nil {
			return nil, err
		}
		q.CreatedAt = db.Time(ca)
		out = append(out, q)
	}
	return out, rows.Err()
}

// ---- Members ----

// SetSpecialist awards or withdraws the "community specialist" badge (moderators).
func (s *Service) SetSpecialist(ctx context.Context, a auth.Actor, userID int64, on bool) error {
	if err := mustMod(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_members (user_id, specialist, trusted) VALUES ($1, $2, $2)
			ON CONFLICT (user_id) DO UPDATE SET specialist = $2, trusted = forum_members.trusted OR $2`, userID, on); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.NotFound("user")
			}
			return err
		}
		action := "award_specialist"
		if !on {
			action = "withdraw_specialist"
		}
		return s.logAction(ctx, tx, a, action, "user", userID, 0, "")
	})
}

// SetTrusted lets a member's posts skip the queue (or not) (moderators).
func (s *Service) SetTrusted(ctx context.Context, a auth.Actor, userID int64, on bool) error {
	if err := mustMod(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO forum_members (user_id, trusted) VALUES ($1, $2)
			ON CONFLICT (user_id) DO UPDATE SET trusted = $2`, userID, on); err != nil {
			if db.IsForeignKeyViolation(err) {
				return apperr.NotFound("user")
			}
			return err
		}
		action := "trust"
		if !on {
			action = "distrust"
		}
		return s.logAction(ctx, tx, a, action, "user", userID, 0, "")
	})
}

// GetMember reads a member's public profile.
func (s *Service) GetMember(ctx context.Context, a auth.Actor, userID int64) (Member, error) {
	var m Member
	var role string
	var ca int64
	err := s.db.R.QueryRowContext(ctx, `SELECT u.id, u.name, u.role, u.created_at, COALESCE(m.reputation, 0), COALESCE(m.accepted, 0),
		COALESCE(m.trusted, FALSE), COALESCE(m.specialist, FALSE),
		(SELECT count(*) FROM forum_posts p WHERE p.author_id = u.id AND p.status = 'published'),
		(SELECT count(*) FROM forum_answers x WHERE x.author_id = u.id AND x.status = 'published')
		FROM users u LEFT JOIN forum_members m ON m.user_id = u.id WHERE u.id = $1`, userID).
		Scan(&m.UserID, &m.Name, &role, &ca, &m.Reputation, &m.Accepted, &m.Trusted, &m.Specialist, &m.Posts, &m.Answers)
	if errors.Is(err, sql.ErrNoRows) {
		return Member{}, apperr.NotFound("user")
	}
	if err != nil {
		return Member{}, err
	}
	// Only people who took part in the community have a public profile.
	if m.Posts == 0 && m.Answers == 0 && !isStaff(a) && a.UserID != userID {
		return Member{}, apperr.NotFound("user")
	}
	m.Staff = role != auth.RoleEndUser
	m.Specialist = m.Specialist || m.Reputation >= SpecialistReputation
	m.JoinedAt = db.Time(ca)
	return m, nil
}
