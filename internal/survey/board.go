package survey

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// The agents' suggestion board (feedback to management, seed 001 step 11):
// staff post, vote and comment; managers (admins) set the status.

// Suggestion statuses.
var SuggestionStatuses = []string{"new", "planned", "done", "declined"}

// Suggestion is one idea on the board.
type Suggestion struct {
	ID        int64     `json:"id"`
	AuthorID  int64     `json:"author_id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	Status    string    `json:"status"`
	Votes     int       `json:"votes"`
	Voted     bool      `json:"voted"` // by the reader
	Comments  int       `json:"comments"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// SuggestionComment is a reply on the board.
type SuggestionComment struct {
	ID        int64     `json:"id"`
	AuthorID  int64     `json:"author_id"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

func staffOnly(a auth.Actor) error {
	if !a.IsStaff() {
		return apperr.Forbidden("the suggestion board")
	}
	return nil
}

func checkText(field, s string, max int, required bool) (string, error) {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		return s, apperr.Invalid(field, "required", "is required")
	case !utf8.ValidString(s) || utf8.RuneCountInString(s) > max:
		return s, apperr.Invalid(field, "too_long", "too long")
	}
	return s, nil
}

// PostSuggestion adds an idea.
func (s *Service) PostSuggestion(ctx context.Context, a auth.Actor, title, body string) (Suggestion, error) {
	if err := staffOnly(a); err != nil {
		return Suggestion{}, err
	}
	var err error
	if title, err = checkText("title", title, 200, true); err != nil {
		return Suggestion{}, err
	}
	if body, err = checkText("body", body, 10000, false); err != nil {
		return Suggestion{}, err
	}
	now := s.now().UTC()
	sg := Suggestion{AuthorID: a.UserID, Title: title, Body: body, Status: "new", CreatedAt: now, UpdatedAt: now}
	err = s.db.W.QueryRowContext(ctx, `INSERT INTO suggestions (author_id, title, body, status, created_at, updated_at)
		VALUES ($1, $2, $3, 'new', $4, $4) RETURNING id`, a.UserID, title, body, db.Millis(now)).Scan(&sg.ID)
	return sg, err
}

const suggestionSelect = `SELECT s.id, COALESCE(s.author_id, 0), s.title, s.body, s.status, s.created_at, s.updated_at,
	(SELECT COUNT(*) FROM suggestion_votes v WHERE v.suggestion_id = s.id),
	(SELECT COUNT(*) FROM suggestion_votes v WHERE v.suggestion_id = s.id AND v.user_id = $1),
	(SELECT COUNT(*) FROM suggestion_comments c WHERE c.suggestion_id = s.id)
	FROM suggestions s`

func scanSuggestion(row interface{ Scan(...any) error }) (Suggestion, error) {
	var sg Suggestion
	var ca, ua int64
	var mine int
	err := row.Scan(&sg.ID, &sg.AuthorID, &sg.Title, &sg.Body, &sg.Status, &ca, &ua, &sg.Votes, &mine, &sg.Comments)
	sg.CreatedAt, sg.UpdatedAt, sg.Voted = db.Time(ca), db.Time(ua), mine > 0
	return sg, err
}

// Suggestions lists the board, most votes first ("" = every status).
func (s *Service) Suggestions(ctx context.Context, a auth.Actor, status string) ([]Suggestion, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	q, args := suggestionSelect, []any{a.UserID}
	if status != "" {
		q += ` WHERE s.status = $2`
		args = append(args, status)
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY 8 DESC, s.id DESC LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Suggestion{}
	for rows.Next() {
		sg, err := scanSuggestion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sg)
	}
	return out, rows.Err()
}

// GetSuggestion shows one idea.
func (s *Service) GetSuggestion(ctx context.Context, a auth.Actor, id int64) (Suggestion, error) {
	if err := staffOnly(a); err != nil {
		return Suggestion{}, err
	}
	sg, err := scanSuggestion(s.db.R.QueryRowContext(ctx, suggestionSelect+` WHERE s.id = $2`, a.UserID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return sg, apperr.NotFound("suggestion")
	}
	return sg, err
}

// Vote adds (up) or withdraws the reader's vote; one vote per person.
func (s *Service) Vote(ctx context.Context, a auth.Actor, id int64, up bool) (Suggestion, error) {
	if _, err := s.GetSuggestion(ctx, a, id); err != nil {
		return Suggestion{}, err
	}
	var err error
	if up {
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO suggestion_votes (suggestion_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, a.UserID)
	} else {
		_, err = s.db.W.ExecContext(ctx, `DELETE FROM suggestion_votes WHERE suggestion_id = $1 AND user_id = $2`, id, a.UserID)
	}
	if err != nil {
		return Suggestion{}, err
	}
	return s.GetSuggestion(ctx, a, id)
}

// CommentSuggestion adds a reply.
func (s *Service) CommentSuggestion(ctx context.Context, a auth.Actor, id int64, body string) (SuggestionComment, error) {
	if _, err := s.GetSuggestion(ctx, a, id); err != nil {
		return SuggestionComment{}, err
	}
	body, err := checkText("body", body, 10000, true)
	if err != nil {
		return SuggestionComment{}, err
	}
	c := SuggestionComment{AuthorID: a.UserID, Body: body, CreatedAt: s.now().UTC()}
	err = s.db.W.QueryRowContext(ctx, `INSERT INTO suggestion_comments (suggestion_id, author_id, body, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		id, a.UserID, body, db.Millis(c.CreatedAt)).Scan(&c.ID)
	return c, err
}

// SuggestionComments lists the replies in order.
func (s *Service) SuggestionComments(ctx context.Context, a auth.Actor, id int64) ([]SuggestionComment, error) {
	if _, err := s.GetSuggestion(ctx, a, id); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, COALESCE(author_id, 0), body, created_at FROM suggestion_comments
		WHERE suggestion_id = $1 ORDER BY id LIMIT 1000`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SuggestionComment{}
	for rows.Next() {
		var c SuggestionComment
		var at int64
		if err := rows.Scan(&c.ID, &c.AuthorID, &c.Body, &at); err != nil {
			return nil, err
		}
		c.CreatedAt = db.Time(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// SetSuggestionStatus moves an idea to new, planned, done or declined (managers).
func (s *Service) SetSuggestionStatus(ctx context.Context, a auth.Actor, id int64, status string) (Suggestion, error) {
	if !a.IsAdmin() {
		return Suggestion{}, apperr.Forbidden("set a suggestion's status")
	}
	valid := false
	for _, st := range SuggestionStatuses {
		valid = valid || st == status
	}
	if !valid {
		return Suggestion{}, apperr.Invalid("status", "invalid", "must be new, planned, done or declined")
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE suggestions SET status = $1, updated_at = $2 WHERE id = $3`, status, db.Millis(s.now()), id)
	if err != nil {
		return Suggestion{}, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return Suggestion{}, apperr.NotFound("suggestion")
	}
	return s.GetSuggestion(ctx, a, id)
}
