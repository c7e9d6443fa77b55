package directory

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

// Self-service accounts for the customer portal: sign-up with email
// verification, and password reset. Both work with one-time links whose
// secret (auth.NewSecret, 256 bits) goes into the mail; the account_tokens
// table keeps only its SHA-256 digest. The handler builds the link from the
// returned secret and sends it with mail.Sender; nothing here sends mail.

// Purposes of account links, as stored in account_tokens.purpose.
const (
	PurposeVerifyEmail   = "verify_email"
	PurposeResetPassword = "reset_password"
)

// How long a link stays usable.
const (
	VerifyEmailTTL   = 48 * time.Hour
	ResetPasswordTTL = time.Hour
)

// maxPasswordLen bounds the input to argon2 (a megabyte password is a CPU
// attack, not a password).
const maxPasswordLen = 1024

// ErrInvalidToken is the one answer for a link that is unknown, expired,
// already used, of the wrong purpose, or whose user was suspended or changed
// address since it was sent. It is a ValidationError on field "token" with key
// "invalid_token", so the web layer can show a translated message.
var ErrInvalidToken error = &apperr.ValidationError{Field: "token", Key: "invalid_token",
	Msg: "the link is invalid, has expired or was already used"}

// ErrAlreadyRegistered is returned by SignUp when the address belongs to an
// account that cannot be claimed (staff, or a verified customer with a
// password, or a suspended one). The portal must answer exactly as on success
// ("we sent a link to this address") so the page does not reveal which
// addresses are registered; it may mail the owner a notice instead of a link.
var ErrAlreadyRegistered = errors.New("this email address already has an account")

// SignUpInput is what the portal's sign-up form sends.
type SignUpInput struct {
	Name     string
	Email    string
	Password string
	Locale   string // en, id or fa; "" means en (a claim keeps the user's locale)
}

// accountToken is a row of account_tokens.
type accountToken struct {
	UserID          int64
	Email           string
	NewName         string
	NewLocale       string
	NewPasswordHash string
}

// SignUp registers a customer and returns the secret of their email
// verification link (valid VerifyEmailTTL, single use).
//
//   - A new address creates an unverified end user holding the password; they
//     cannot sign in until VerifyEmail.
//   - An address of an existing customer who has no password (e.g. created by
//     an email ticket) or who is not verified yet is claimed: nothing about the
//     user changes now; the name, locale and password are kept with the link
//     and applied by VerifyEmail. The existing user is returned.
//   - Any other existing account: the user and ErrAlreadyRegistered, no link.
//
// Validation errors (fields name, email, password, locale) say nothing about
// existing accounts.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (User, string, error) {
	name := strings.TrimSpace(in.Name)
	if err := checkText("name", name, 255, true); err != nil {
		return User{}, "", err
	}
	email, err := NormalizeEmail("email", in.Email)
	if err != nil {
		return User{}, "", err
	}
	if email == "" {
		return User{}, "", apperr.Invalid("email", "required", "is required")
	}
	if err := checkPassword(in.Password); err != nil {
		return User{}, "", err
	}
	locale := ""
	if strings.TrimSpace(in.Locale) != "" {
		if locale = NormalizeLocale(in.Locale); locale == "" {
			return User{}, "", apperr.Invalid("locale", "invalid_locale", "must be en, id or fa")
		}
	}
	// Hash in every case, before the transaction: the answer takes as long
	// for a registered address as for a new one, and no write lock is held
	// during the slow hash.
	hash, err := auth.HashPassword(in.Password)
	if err != nil {
		return User{}, "", err
	}
	secret := auth.NewSecret()
	for attempt := 0; ; attempt++ {
		u, registered, err := s.signUpTx(ctx, name, email, locale, hash, secret)
		if v, ok := apperr.AsValidation(err); ok && v.Field == "email" && v.Key == "taken" && attempt == 0 {
			continue // created concurrently: look again
		}
		switch {
		case err != nil:
			return User{}, "", err
		case registered:
			return u, "", ErrAlreadyRegistered
		}
		return u, secret, nil
	}
}

func (s *Service) signUpTx(ctx context.Context, name, email, locale, hash, secret string) (u User, registered bool, err error) {
	now := s.now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		cur, err := getUser(ctx, tx, "email = $1", email)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			in := UserInput{Name: name, Email: email, Role: auth.RoleEndUser, Locale: locale, TimeZone: "UTC"}
			if in.Locale == "" {
				in.Locale = "en"
			}
			// A customer whose email domain belongs to an organisation joins it.
			domain := email[strings.LastIndex(email, "@")+1:]
			err := tx.QueryRowContext(ctx, `SELECT organization_id FROM organization_domains WHERE domain = $1`, domain).
				Scan(&in.OrganizationID)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			id, err := insertUser(ctx, tx, in, hash, db.Millis(now))
			if err != nil {
				return err
			}
			if err := insertAccountToken(ctx, tx, secret, PurposeVerifyEmail, accountToken{UserID: id, Email: email}, now, VerifyEmailTTL); err != nil {
				return err
			}
			u, err = getUser(ctx, tx, "id = $1", id)
			return err
		case err != nil:
			return err
		case claimable(cur):
			u = cur
			return insertAccountToken(ctx, tx, secret, PurposeVerifyEmail, accountToken{UserID: cur.ID, Email: email,
				NewName: name, NewLocale: locale, NewPasswordHash: hash}, now, VerifyEmailTTL)
		default:
			u, registered = cur, true
			return nil
		}
	})
	return u, registered, err
}

// claimable: a customer account that nobody has proven to own yet with a
// password of their own.
func claimable(u User) bool {
	return u.Role == auth.RoleEndUser && u.Active && !u.Suspended && (!u.Verified || !u.HasPassword)
}

// VerifyEmail uses a verification link: it marks the user verified and, for a
// claim, applies the name, locale and password given at sign-up (ending any
// sessions, as every password change does). Every other open verification
// link of the user dies with it. Unknown, used or expired links get
// ErrInvalidToken.
//
// Mail scanners open links on their own: the portal should answer GET on
// the link with a page whose button POSTs the token, and call VerifyEmail
// only on that POST (CheckAccountToken serves the GET).
func (s *Service) VerifyEmail(ctx context.Context, token string) (User, error) {
	if !plausibleToken(token) {
		return User{}, ErrInvalidToken
	}
	now := s.now()
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		t, cur, err := consumeAccountToken(ctx, tx, token, PurposeVerifyEmail, now)
		if err != nil {
			return err
		}
		name, locale, hash := cur.Name, cur.Locale, ""
		if t.NewName != "" {
			name = t.NewName
		}
		if t.NewLocale != "" {
			locale = t.NewLocale
		}
		if t.NewPasswordHash != "" {
			hash = t.NewPasswordHash
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET verified = TRUE, name = $1, locale = $2, updated_at = $3 WHERE id = $4`,
			name, locale, db.Millis(now), cur.ID); err != nil {
			return err
		}
		if hash != "" {
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, cur.ID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, cur.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL`,
			db.Millis(now), cur.ID, PurposeVerifyEmail); err != nil {
			return err
		}
		u, err = getUser(ctx, tx, "id = $1", cur.ID)
		return err
	})
	return u, err
}

// RequestPasswordReset issues a password-reset link (valid ResetPasswordTTL,
// single use) for the account with this address; earlier reset links of the
// user stop working. For an unknown, suspended or deactivated address it
// returns ok=false and no error: the page must say "if the address has an
// account, we sent a link" either way, and send mail only when ok. A
// malformed address is a validation error (field "email").
//
// It works for staff too, and for customers who never had a password.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) (token string, user User, ok bool, err error) {
	e, err := NormalizeEmail("email", email)
	if err != nil {
		return "", User{}, false, err
	}
	if e == "" {
		return "", User{}, false, apperr.Invalid("email", "required", "is required")
	}
	secret := auth.NewSecret()
	now := s.now()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		u, err := getUser(ctx, tx, "email = $1", e)
		if errors.Is(err, apperr.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !u.Active || u.Suspended {
			return nil
		}
		// Older reset links die; expired links of any purpose are swept.
		if _, err := tx.ExecContext(ctx, `DELETE FROM account_tokens WHERE user_id = $1 AND (purpose = $2 OR expires_at <= $3)`,
			u.ID, PurposeResetPassword, db.Millis(now)); err != nil {
			return err
		}
		if err := insertAccountToken(ctx, tx, secret, PurposeResetPassword, accountToken{UserID: u.ID, Email: e}, now, ResetPasswordTTL); err != nil {
			return err
		}
		user, ok = u, true
		return nil
	})
	if err != nil || !ok {
		return "", User{}, false, err
	}
	return secret, user, true, nil
}

// ResetPassword uses a reset link: it sets the new password, marks the
// address verified (the link proved the mailbox), ends every session of the
// user and kills every other open link of theirs. An unusable link is
// ErrInvalidToken; a weak password is a validation error on field "password"
// and leaves the link usable, so the form can be submitted again.
func (s *Service) ResetPassword(ctx context.Context, token, newPassword string) (User, error) {
	if !plausibleToken(token) {
		return User{}, ErrInvalidToken
	}
	if _, err := s.CheckAccountToken(ctx, PurposeResetPassword, token); err != nil {
		return User{}, err
	}
	if err := checkPassword(newPassword); err != nil {
		return User{}, err
	}
	hash, err := auth.HashPassword(newPassword)
	if err != nil {
		return User{}, err
	}
	now := s.now()
	var u User
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, cur, err := consumeAccountToken(ctx, tx, token, PurposeResetPassword, now)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash = $1, verified = TRUE, updated_at = $2 WHERE id = $3`,
			hash, db.Millis(now), cur.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, cur.ID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE account_tokens SET used_at = $1 WHERE user_id = $2 AND used_at IS NULL`,
			db.Millis(now), cur.ID); err != nil {
			return err
		}
		u, err = getUser(ctx, tx, "id = $1", cur.ID)
		return err
	})
	return u, err
}

// CheckAccountToken tells whether a link of the purpose is usable, without
// using it, and whose it is: for the GET of the verification and reset pages.
// It fails with ErrInvalidToken exactly when VerifyEmail or ResetPassword
// would.
func (s *Service) CheckAccountToken(ctx context.Context, purpose, token string) (User, error) {
	if (purpose != PurposeVerifyEmail && purpose != PurposeResetPassword) || !plausibleToken(token) {
		return User{}, ErrInvalidToken
	}
	var userID int64
	var email string
	err := s.db.R.QueryRowContext(ctx, `SELECT user_id, email FROM account_tokens
		WHERE digest = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3`,
		auth.Digest(token), purpose, db.Millis(s.now())).Scan(&userID, &email)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrInvalidToken
	}
	if err != nil {
		return User{}, err
	}
	return tokenUser(ctx, s.db.R, userID, email)
}

// PurgeAccountTokens deletes expired links; a periodic job may call it. It
// returns how many rows went.
func (s *Service) PurgeAccountTokens(ctx context.Context) (int64, error) {
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM account_tokens WHERE expires_at <= $1`, db.Millis(s.now()))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// consumeAccountToken marks a usable link used and returns it with its user.
// The conditional update makes a link single-use even when two requests race.
func consumeAccountToken(ctx context.Context, tx *sql.Tx, token, purpose string, now time.Time) (accountToken, User, error) {
	var t accountToken
	err := tx.QueryRowContext(ctx, `UPDATE account_tokens SET used_at = $1
		WHERE digest = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
		RETURNING user_id, email, new_name, new_locale, new_password_hash`,
		db.Millis(now), auth.Digest(token), purpose).Scan(&t.UserID, &t.Email, &t.NewName, &t.NewLocale, &t.NewPasswordHash)
	if errors.Is(err, sql.ErrNoRows) {
		return t, User{}, ErrInvalidToken
	}
	if err != nil {
		return t, User{}, err
	}
	u, err := tokenUser(ctx, tx, t.UserID, t.Email)
	return t, u, err
}

// tokenUser reads the user of a link; a user who changed address, or was
// suspended or deactivated since, makes the link invalid.
func tokenUser(ctx context.Context, q db.Querier, userID int64, email string) (User, error) {
	u, err := getUser(ctx, q, "id = $1", userID)
	if errors.Is(err, apperr.ErrNotFound) {
		return User{}, ErrInvalidToken
	}
	if err != nil {
		return User{}, err
	}
	if u.Email != email || !u.Active || u.Suspended {
		return User{}, ErrInvalidToken
	}
	return u, nil
}

func insertAccountToken(ctx context.Context, q db.Querier, secret, purpose string, t accountToken, now time.Time, ttl time.Duration) error {
	_, err := q.ExecContext(ctx, `INSERT INTO account_tokens (digest, user_id, purpose, email, new_name, new_locale,
		new_password_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		auth.Digest(secret), t.UserID, purpose, t.Email, t.NewName, t.NewLocale, t.NewPasswordHash,
		db.Millis(now), db.Millis(now.Add(ttl)))
	return err
}

// checkPassword applies auth.ValidatePassword and an upper bound.
func checkPassword(p string) error {
	if err := auth.ValidatePassword(p); err != nil {
		return apperr.Invalid("password", "too_short", err.Error())
	}
	if utf8.RuneCountInString(p) > maxPasswordLen {
		return apperr.Invalid("password", "too_long", "is too long")
	}
	return nil
}

// plausibleToken rejects what auth.NewSecret cannot have made (empty, huge,
// not base64url) before it reaches the database.
func plausibleToken(t string) bool {
	if len(t) < 32 || len(t) > 128 {
		return false
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
