package forum

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/jobs"
	"layan/internal/kb"
	"layan/internal/mail"
	"layan/internal/sanitize"
	"layan/internal/ticket"
)

// Service runs every forum change and read; it checks who may do what.
type Service struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger

	// Optional links to the rest of Layan (nil: the feature answers 409).
	Tickets *ticket.Service // posts turned into tickets
	KB      *kb.Service     // solved threads promoted to article drafts
	Jobs    *jobs.Queue     // follow notifications (nil: none are sent)
	Mail    mail.Sender
	// BaseURL starts the links in notification mails ("https://help.example.com").
	BaseURL string

	// RateLimit is how many posts and answers a member may write per
	// RateWindow (staff are not limited).
	RateLimit  int
	RateWindow time.Duration
	// SpamThreshold is the spam score from which a post waits for a moderator
	// even when its author is trusted.
	SpamThreshold int
}

// NewService builds the service.
func NewService(d *db.DB, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, now: now, log: log, RateLimit: 10, RateWindow: 10 * time.Minute, SpamThreshold: 5}
}

// isStaff: staff read everything, including queued and hidden content.
func isStaff(a auth.Actor) bool { return a.System || a.IsStaff() }

// isMod: admins and agents moderate (light agents only read).
func isMod(a auth.Actor) bool { return a.System || a.CanEditTickets() }

// CanModerate reports whether a may moderate (for the pages' buttons).
func CanModerate(a auth.Actor) bool { return isMod(a) }

func mustMod(a auth.Actor) error {
	if !isMod(a) {
		return apperr.Forbidden("moderate the community")
	}
	return nil
}

func mustMember(a auth.Actor) error {
	if a.UserID == 0 && !a.System {
		return apperr.ErrUnauthorized
	}
	return nil
}

// visible says whether a reader sees content of this status and author.
func visible(a auth.Actor, status string, authorID int64) bool {
	switch {
	case status == Published, isStaff(a):
		return true
	case status == Queued:
		return a.UserID != 0 && a.UserID == authorID
	}
	return false
}

func checkText(field, s string, max int, required bool) error {
	if !utf8.ValidString(s) {
		return apperr.Invalid(field, "invalid", "is not valid UTF-8")
	}
	if required && strings.TrimSpace(s) == "" {
		return apperr.Invalid(field, "required", "is required")
	}
	if utf8.RuneCountInString(s) > max {
		return apperr.Invalid(field, "too_long", "is too long")
	}
	return nil
}

// md renders CommonMark with GitHub's extensions; raw HTML is escaped by
// goldmark's default renderer, and the result goes through sanitize.HTML
// anyway, which removes anything active (links get rel=nofollow).
var md = goldmark.New(goldmark.WithExtensions(extension.GFM))

// render turns a member's Markdown into safe HTML.
func render(src string) string {
	var b bytes.Buffer
	if err := md.Convert([]byte(src), &b); err != nil {
		return sanitize.FromText(src)
	}
	return sanitize.HTML(b.String())
}

// ---- Topics ----

// TopicInput creates or changes a topic.
type TopicInput struct {
	Name        string
	Description string
	Position    *int
}

func (in *TopicInput) validate() error {
	in.Name = strings.TrimSpace(in.Name)
	if err := checkText("name", in.Name, MaxName, true); err != nil {
		return err
	}
	return checkText("description", in.Description, 2000, false)
}

// CreateTopic adds a topic (moderators).
func (s *Service) CreateTopic(ctx context.Context, a auth.Actor, in TopicInput) (Topic, error) {
	if err := mustMod(a); err != nil {
		return Topic{}, err
	}
	if err := in.validate(); err != nil {
		return Topic{}, err
	}
	pos := 0
	if in.Position != nil {
		pos = *in.Position
	}
	now := db.Millis(s.now())
	var id int64
	if err := s.db.W.QueryRowContext(ctx, `INSERT INTO forum_topics (name, description, position, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $4) RETURNING id`, in.Name, in.Description, pos, now).Scan(&id); err != nil {
		return Topic{}, err
	}
	return s.GetTopic(ctx, a, id)
}

// UpdateTopic renames or moves a topic (moderators).
func (s *Service) UpdateTopic(ctx context.Context, a auth.Actor, id int64, in TopicInput) (Topic, error) {
	if err := mustMod(a); err != nil {
		return Topic{}, err
	}
	if err := in.validate(); err != nil {
		return Topic{}, err
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE forum_topics SET name = $1, description = $2, position = COALESCE($3, position),
		updated_at = $4 WHERE id = $5`, in.Name, in.Description, in.Position, db.Millis(s.now()), id)
	if err != nil {
		return Topic{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Topic{}, apperr.NotFound("topic")
	}
	return s.GetTopic(ctx, a, id)
}

// DeleteTopic removes a topic without posts (moderators).
func (s *Service) DeleteTopic(ctx context.Context, a auth.Actor, id int64) error {
	if err := mustMod(a); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM forum_posts WHERE topic_id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return apperr.Invalid("topic", "not_empty", "move or delete its posts first")
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM forum_topics WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return apperr.NotFound("topic")
		}
		return nil
	})
}

const topicCols = `t.id, t.name, t.description, t.position, t.created_at, t.updated_at,
	(SELECT count(*) FROM forum_posts p WHERE p.topic_id = t.id AND p.status = 'published')`

func scanTopic(sc interface{ Scan(...any) error }) (Topic, error) {
	var t Topic
	var ca, ua int64
	err := sc.Scan(&t.ID, &t.Name, &t.Description, &t.Position, &ca, &ua, &t.PostCount)
	t.CreatedAt, t.UpdatedAt = db.Time(ca), db.Time(ua)
	return t, err
}

// GetTopic reads a topic; topics are public.
func (s *Service) GetTopic(ctx context.Context, a auth.Actor, id int64) (Topic, error) {
	t, err := scanTopic(s.db.R.QueryRowContext(ctx, `SELECT `+topicCols+` FROM forum_topics t WHERE t.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Topic{}, apperr.NotFound("topic")
	}
	return t, err
}

// ListTopics lists every topic in position order.
func (s *Service) ListTopics(ctx context.Context, a auth.Actor) ([]Topic, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+topicCols+` FROM forum_topics t ORDER BY t.position, t.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Topic{}
	for rows.Next() {
		t, err := scanTopic(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}
