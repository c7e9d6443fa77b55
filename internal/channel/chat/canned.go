package chat

import (
	"context"
	"strings"
	"unicode/utf8"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// CannedList lists saved replies whose title or body contains q.
func (s *Service) CannedList(ctx context.Context, a auth.Actor, q string) ([]Canned, error) {
	if !a.IsStaff() {
		return nil, refuse(CodeForbidden, apperr.Forbidden("read canned replies"), "agents only")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, title, body FROM chat_canned ORDER BY title, id LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	q = strings.ToLower(strings.TrimSpace(q))
	out := []Canned{}
	for rows.Next() {
		var c Canned
		if err := rows.Scan(&c.ID, &c.Title, &c.Body); err != nil {
			return nil, err
		}
		if q == "" || strings.Contains(strings.ToLower(c.Title), q) || strings.Contains(strings.ToLower(c.Body), q) {
			out = append(out, c)
		}
	}
	return out, rows.Err()
}

// CannedCreate saves a reply (admins).
func (s *Service) CannedCreate(ctx context.Context, a auth.Actor, title, body string) (Canned, error) {
	if !a.IsAdmin() {
		return Canned{}, apperr.Forbidden("manage canned replies")
	}
	c := Canned{Title: strings.TrimSpace(title), Body: strings.TrimSpace(body)}
	if c.Title == "" || utf8.RuneCountInString(c.Title) > 200 {
		return Canned{}, apperr.Invalid("title", "invalid", "is required, at most 200 characters")
	}
	if c.Body == "" || utf8.RuneCountInString(c.Body) > MaxTextRunes {
		return Canned{}, apperr.Invalid("body", "invalid", "is required, at most 4000 characters")
	}
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO chat_canned (title, body, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id`,
		c.Title, c.Body, db.NullID(a.UserID), db.Millis(s.now())).Scan(&c.ID)
	return c, err
}

// CannedDelete removes a reply (admins).
func (s *Service) CannedDelete(ctx context.Context, a auth.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("manage canned replies")
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM chat_canned WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("canned reply")
	}
	return nil
}

// AdminSettings reads the settings with the secret (admins).
func (s *Service) AdminSettings(ctx context.Context, a auth.Actor) (Settings, error) {
	if !a.IsAdmin() {
		return Settings{}, apperr.Forbidden("read chat settings")
	}
	return s.Settings(ctx)
}

// UpdateSettings changes the limits or rotates the identity secret (admins).
func (s *Service) UpdateSettings(ctx context.Context, a auth.Actor, p SettingsPatch) (Settings, error) {
	if !a.IsAdmin() {
		return Settings{}, apperr.Forbidden("change chat settings")
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return st, err
	}
	if p.MaxChats != nil {
		if *p.MaxChats < 1 || *p.MaxChats > 50 {
			return st, apperr.Invalid("max_chats_per_agent", "range", "must be 1 to 50")
		}
		st.MaxChats = *p.MaxChats
	}
	if p.IdleAwayMinutes != nil {
		if *p.IdleAwayMinutes < 1 || *p.IdleAwayMinutes > 240 {
			return st, apperr.Invalid("idle_away_minutes", "range", "must be 1 to 240")
		}
		st.IdleAwayMinutes = *p.IdleAwayMinutes
	}
	if p.RotateSecret {
		st.IdentitySecret = randomSecret()
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE chat_settings SET max_chats = $1, idle_away_minutes = $2, identity_secret = $3 WHERE id = 1`,
		st.MaxChats, st.IdleAwayMinutes, st.IdentitySecret); err != nil {
		return st, err
	}
	s.mu.Lock()
	s.settings = nil
	s.mu.Unlock()
	return s.Settings(ctx)
}
