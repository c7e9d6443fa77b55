package directory

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// SessionTTL is how long a browser session lives without being renewed.
const SessionTTL = 14 * 24 * time.Hour

// ActorFor builds the Actor of a user: role, organisation and groups.
// Suspended or inactive users get ErrUnauthorized.
func (s *Service) ActorFor(ctx context.Context, userID int64) (auth.Actor, error) {
	u, err := getUser(ctx, s.db.Reads(), "id = $1", userID)
	if err != nil {
		return auth.Actor{}, apperr.ErrUnauthorized
	}
	if u.Suspended || !u.Active {
		return auth.Actor{}, apperr.ErrUnauthorized
	}
	a := auth.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, Role: u.Role, Locale: u.Locale,
		OrganizationID: u.OrganizationID, RestrictedToGroups: u.RestrictedToGroups}
	if a.IsStaff() {
		rows, err := s.db.Reads().QueryContext(ctx, `SELECT group_id FROM group_memberships WHERE user_id = $1 ORDER BY group_id`, u.ID)
		if err != nil {
			return auth.Actor{}, err
		}
		defer rows.Close()
		for rows.Next() {
			var g int64
			if err := rows.Scan(&g); err != nil {
				return auth.Actor{}, err
			}
			a.GroupIDs = append(a.GroupIDs, g)
		}
		if err := rows.Err(); err != nil {
			return auth.Actor{}, err
		}
	}
	return a, nil
}

// CreateToken issues an API token for a user and returns the secret, which is
// never stored: only its digest is. Admins issue tokens for anyone; a staff
// member for themselves.
func (s *Service) CreateToken(ctx context.Context, a auth.Actor, userID int64, name string) (string, error) {
	if !a.IsAdmin() && !(a.IsStaff() && a.UserID == userID) {
		return "", apperr.Forbidden("create an API token")
	}
	if err := checkText("name", name, 255, false); err != nil {
		return "", err
	}
	if _, err := getUser(ctx, s.db.R, "id = $1", userID); err != nil {
		return "", err
	}
	secret := auth.NewSecret()
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO api_tokens (user_id, name, digest, created_at) VALUES ($1, $2, $3, $4)`,
		userID, name, auth.Digest(secret), db.Millis(s.now()))
	return secret, err
}

// Token is an issued API token, without its secret.
type Token struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt time.Time
	LastUsed  time.Time
}

// ListTokens lists a user's tokens (admins: anyone's).
func (s *Service) ListTokens(ctx context.Context, a auth.Actor, userID int64) ([]Token, error) {
	if !a.IsAdmin() && a.UserID != userID {
		return nil, apperr.Forbidden("list API tokens")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, user_id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Token{}
	for rows.Next() {
		var t Token
		var c int64
		var l sql.NullInt64
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &c, &l); err != nil {
			return nil, err
		}
		t.CreatedAt = db.Time(c)
		if l.Valid {
			t.LastUsed = db.Time(l.Int64)
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// RevokeToken deletes a token.
func (s *Service) RevokeToken(ctx context.Context, a auth.Actor, tokenID int64) error {
	var owner int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT user_id FROM api_tokens WHERE id = $1`, tokenID).Scan(&owner); err != nil {
		return apperr.NotFound("token")
	}
	if !a.IsAdmin() && a.UserID != owner {
		return apperr.NotFound("token")
	}
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM api_tokens WHERE id = $1`, tokenID)
	return err
}

// ActorForToken resolves an API token. When email is given (HTTP Basic
// "email/token:SECRET"), it must be the token owner's.
func (s *Service) ActorForToken(ctx context.Context, email, secret string) (auth.Actor, error) {
	var userID int64
	var ownerEmail sql.NullString
	err := s.db.Reads().QueryRowContext(ctx, `SELECT t.user_id, u.email FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.digest = $1`,
		auth.Digest(secret)).Scan(&userID, &ownerEmail)
	if err != nil {
		return auth.Actor{}, apperr.ErrUnauthorized
	}
	if email != "" && !equalFoldASCII(email, ownerEmail.String) {
		return auth.Actor{}, apperr.ErrUnauthorized
	}
	return s.ActorFor(ctx, userID)
}

func equalFoldASCII(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// ErrBadCredentials is the one answer for a wrong email or password, so the
// response does not reveal which accounts exist.
var ErrBadCredentials = errors.New("invalid email or password")

// Authenticate checks an email and password. The hash runs even for unknown
// emails, so timing does not reveal them either. Customers (end users) must
// have verified their address (VerifyEmail or ResetPassword) before a password
// signs them in; until then they get the same ErrBadCredentials. Staff are
// verified by whoever creates them.
func (s *Service) Authenticate(ctx context.Context, email, password string) (User, error) {
	e, _ := NormalizeEmail("email", email)
	var id int64
	var hash string
	err := s.db.R.QueryRowContext(ctx, `SELECT id, password_hash FROM users
		WHERE email = $1 AND active AND NOT suspended AND (verified OR role <> $2)`, e, auth.RoleEndUser).Scan(&id, &hash)
	if err != nil || hash == "" {
		auth.CheckPassword(dummyHash, password)
		return User{}, ErrBadCredentials
	}
	if !auth.CheckPassword(hash, password) {
		return User{}, ErrBadCredentials
	}
	_, _ = s.db.W.ExecContext(ctx, `UPDATE users SET last_login_at = $1 WHERE id = $2`, db.Millis(s.now()), id)
	return getUser(ctx, s.db.R, "id = $1", id)
}

var dummyHash, _ = auth.HashPassword("not-a-real-password")

// Session is a signed-in browser.
type Session struct {
	Secret string // the cookie value; only its digest is stored
	CSRF   string
	UserID int64
}

// CreateSession starts a browser session. A fresh secret on every login is
// the session-id rotation that defeats fixation.
func (s *Service) CreateSession(ctx context.Context, userID int64) (Session, error) {
	sess := Session{Secret: auth.NewSecret(), CSRF: auth.NewSecret(), UserID: userID}
	now := s.now()
	_, err := s.db.W.ExecContext(ctx, `INSERT INTO sessions (digest, user_id, csrf, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		auth.Digest(sess.Secret), userID, sess.CSRF, db.Millis(now), db.Millis(now.Add(SessionTTL)))
	return sess, err
}

// ActorForSession resolves a session cookie; it returns the CSRF token too.
func (s *Service) ActorForSession(ctx context.Context, secret string) (auth.Actor, string, error) {
	var userID, expires int64
	var csrf string
	err := s.db.Reads().QueryRowContext(ctx, `SELECT user_id, csrf, expires_at FROM sessions WHERE digest = $1`, auth.Digest(secret)).
		Scan(&userID, &csrf, &expires)
	if err != nil || expires < db.Millis(s.now()) {
		return auth.Actor{}, "", apperr.ErrUnauthorized
	}
	a, err := s.ActorFor(ctx, userID)
	return a, csrf, err
}

// DeleteSession signs a browser out.
func (s *Service) DeleteSession(ctx context.Context, secret string) error {
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM sessions WHERE digest = $1`, auth.Digest(secret))
	return err
}
