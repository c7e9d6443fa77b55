package directory

import (
	"context"
	"database/sql"
	"log/slog"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Service is the directory's API for handlers, the CLI and other domains.
type Service struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger
}

// NewService builds the service; now is the clock (tests pass a fake one).
func NewService(d *db.DB, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, now: now, log: log}
}

func (s *Service) validateUserInput(in *UserInput) error {
	in.Name = strings.TrimSpace(in.Name)
	if err := checkText("name", in.Name, 255, true); err != nil {
		return err
	}
	var err error
	if in.Email, err = NormalizeEmail("email", in.Email); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = auth.RoleEndUser
	}
	if !auth.ValidRole(in.Role) {
		return apperr.Invalid("role", "invalid_role", "must be admin, agent, light_agent or end_user")
	}
	if in.Locale == "" {
		in.Locale = "en"
	} else if l := NormalizeLocale(in.Locale); l == "" {
		return apperr.Invalid("locale", "invalid_locale", "must be en, id or fa")
	} else {
		in.Locale = l
	}
	if in.TimeZone == "" {
		in.TimeZone = "UTC"
	}
	if err := checkTimeZone(in.TimeZone); err != nil {
		return err
	}
	for _, f := range []struct{ name, v string }{{"external_id", in.ExternalID}, {"phone", in.Phone}} {
		if err := checkText(f.name, f.v, 255, false); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{{"details", in.Details}, {"notes", in.Notes}} {
		if err := checkText(f.name, f.v, 10000, false); err != nil {
			return err
		}
	}
	if in.Tags, err = NormalizeTags(in.Tags); err != nil {
		return err
	}
	if in.Role != auth.RoleEndUser && in.Email == "" {
		return apperr.Invalid("email", "required", "is required for staff")
	}
	if in.Password != "" {
		if err := auth.ValidatePassword(in.Password); err != nil {
			return apperr.Invalid("password", "too_short", err.Error())
		}
	}
	return nil
}

// canManageRole: admins manage everyone; agents create and edit customers only.
func canManageRole(a auth.Actor, role string) bool {
	if a.IsAdmin() {
		return true
	}
	return a.Role == auth.RoleAgent && role == auth.RoleEndUser
}

// CreateUser adds a user. Admins create any role; agents create customers.
func (s *Service) CreateUser(ctx context.Context, a auth.Actor, in UserInput) (User, error) {
	if err := s.validateUserInput(&in); err != nil {
		return User{}, err
	}
	if !canManageRole(a, in.Role) {
		return User{}, apperr.Forbidden("create a user with role " + in.Role)
	}
	hash := ""
	if in.Password != "" {
		var err error
		if hash, err = auth.HashPassword(in.Password); err != nil {
			return User{}, err
		}
	}
	// A customer whose email domain belongs to an organisation joins it.
	if in.OrganizationID == 0 && in.Role == auth.RoleEndUser && in.Email != "" {
		domain := in.Email[strings.LastIndex(in.Email, "@")+1:]
		_ = s.db.R.QueryRowContext(ctx, `SELECT organization_id FROM organization_domains WHERE domain = $1`, domain).Scan(&in.OrganizationID)
	}
	var u User
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		id, err := insertUser(ctx, tx, in, hash, db.Millis(s.now()))
		if err != nil {
			return err
		}
		u, err = getUser(ctx, tx, "id = $1", id)
		return err
	})
	return u, err
}

// FindOrCreateCustomer returns the user with this email, creating an end user
// when there is none. Channels and ticket creation use it for new requesters.
func (s *Service) FindOrCreateCustomer(ctx context.Context, email, name, locale string) (User, error) {
	e, err := NormalizeEmail("requester.email", email)
	if err != nil {
		return User{}, err
	}
	if e == "" {
		return User{}, apperr.Invalid("requester.email", "required", "is required")
	}
	if u, err := getUser(ctx, s.db.Reads(), "email = $1", e); err == nil {
		return u, nil
	}
	if strings.TrimSpace(name) == "" {
		name = e[:strings.Index(e, "@")]
	}
	u, err := s.CreateUser(ctx, auth.SystemActor(), UserInput{Name: name, Email: e, Role: auth.RoleEndUser, Locale: locale})
	if v, ok := apperr.AsValidation(err); ok && v.Key == "taken" {
		return getUser(ctx, s.db.Reads(), "email = $1", e) // created concurrently
	}
	return u, err
}

// GetUser reads a user: staff read anyone; a customer reads only themselves.
func (s *Service) GetUser(ctx context.Context, a auth.Actor, id int64) (User, error) {
	if !a.IsStaff() && !a.System && a.UserID != id {
		return User{}, apperr.NotFound("user")
	}
	return getUser(ctx, s.db.R, "id = $1", id)
}

// UserByEmail finds a user by address (staff and system only).
func (s *Service) UserByEmail(ctx context.Context, a auth.Actor, email string) (User, error) {
	if !a.IsStaff() && !a.System {
		return User{}, apperr.Forbidden("look up users")
	}
	return getUser(ctx, s.db.Reads(), "email = $1", strings.ToLower(strings.TrimSpace(email)))
}

// UsersByIDs reads several users for side-loading; missing ids are skipped.
// Callers pass ids taken from records the actor may already see.
func (s *Service) UsersByIDs(ctx context.Context, a auth.Actor, ids []int64) ([]User, error) {
	if len(ids) == 0 {
		return []User{}, nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return queryUsers(ctx, s.db.R, "SELECT "+userColumns+" FROM users WHERE id IN ("+db.Placeholders(1, len(ids))+")", args...)
}

// ListUsers pages through users (staff only), optionally of one role.
func (s *Service) ListUsers(ctx context.Context, a auth.Actor, role string, p Page) ([]User, int, error) {
	if !a.IsStaff() && !a.System {
		return nil, 0, apperr.Forbidden("list users")
	}
	if role != "" && !auth.ValidRole(role) {
		return nil, 0, apperr.Invalid("role", "invalid_role", "must be admin, agent, light_agent or end_user")
	}
	return listUsers(ctx, s.db.R, role, p.Normalize())
}

// SearchUsers matches name, email, phone or external id (staff only).
func (s *Service) SearchUsers(ctx context.Context, a auth.Actor, query string, p Page) ([]User, int, error) {
	if !a.IsStaff() && !a.System {
		return nil, 0, apperr.Forbidden("search users")
	}
	p = p.Normalize()
	query = strings.TrimSpace(query)
	if err := checkText("query", query, 500, false); err != nil {
		return nil, 0, err
	}
	like := "%" + escapeLike(strings.ToLower(query)) + "%"
	where := `(lower(name) LIKE $1 ESCAPE '\' OR email LIKE $1 ESCAPE '\' OR phone LIKE $1 ESCAPE '\' OR external_id = $2)`
	users, err := queryUsers(ctx, s.db.R, "SELECT "+userColumns+" FROM users WHERE "+where+" ORDER BY id LIMIT $3 OFFSET $4",
		like, query, p.PerPage, p.Offset())
	if err != nil || p.NoCount {
		return users, len(users), err
	}
	var total int
	err = s.db.R.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE "+where, like, query).Scan(&total)
	return users, total, err
}

func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// UpdateUser changes a user. Admins change anyone; agents change customers;
// every user may change their own name, locale, time zone and password.
func (s *Service) UpdateUser(ctx context.Context, a auth.Actor, id int64, p UserPatch) (User, error) {
	cur, err := getUser(ctx, s.db.R, "id = $1", id)
	if err != nil {
		return User{}, err
	}
	self := a.UserID == id && !a.System
	if !canManageRole(a, cur.Role) && !self {
		if !a.IsStaff() {
			return User{}, apperr.NotFound("user")
		}
		return User{}, apperr.Forbidden("change this user")
	}
	if self && !a.IsAdmin() && (p.Role != nil || p.OrganizationID != nil || p.RestrictedToGroups != nil ||
		p.Suspended != nil || p.Tags != nil || p.Notes != nil || p.ExternalID != nil || p.DefaultGroupID != nil ||
		(p.Email != nil && !a.IsStaff())) {
		return User{}, apperr.Forbidden("change these fields of your own profile")
	}
	in := UserInput{Name: cur.Name, Email: cur.Email, Role: cur.Role, Locale: cur.Locale, TimeZone: cur.TimeZone,
		OrganizationID: cur.OrganizationID, DefaultGroupID: cur.DefaultGroupID, ExternalID: cur.ExternalID,
		Phone: cur.Phone, Details: cur.Details, Notes: cur.Notes, Tags: cur.Tags, RestrictedToGroups: cur.RestrictedToGroups}
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&in.Name, p.Name)
	set(&in.Email, p.Email)
	set(&in.Role, p.Role)
	set(&in.Locale, p.Locale)
	set(&in.TimeZone, p.TimeZone)
	set(&in.ExternalID, p.ExternalID)
	set(&in.Phone, p.Phone)
	set(&in.Details, p.Details)
	set(&in.Notes, p.Notes)
	set(&in.Password, p.Password)
	if p.OrganizationID != nil {
		in.OrganizationID = *p.OrganizationID
	}
	if p.DefaultGroupID != nil {
		in.DefaultGroupID = *p.DefaultGroupID
	}
	if p.Tags != nil {
		in.Tags = *p.Tags
	}
	if p.RestrictedToGroups != nil {
		in.RestrictedToGroups = *p.RestrictedToGroups
	}
	if err := s.validateUserInput(&in); err != nil {
		return User{}, err
	}
	if !canManageRole(a, in.Role) && !(self && in.Role == cur.Role) {
		return User{}, apperr.Forbidden("give role " + in.Role)
	}
	suspended := cur.Suspended
	if p.Suspended != nil {
		suspended = *p.Suspended
	}
	var out User
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE users SET name=$1, email=$2, role=$3, locale=$4, time_zone=$5,
			organization_id=$6, default_group_id=$7, external_id=$8, phone=$9, details=$10, notes=$11, tags=$12,
			restricted_to_groups=$13, suspended=$14, updated_at=$15 WHERE id=$16`,
			in.Name, nullStr(in.Email), in.Role, in.Locale, in.TimeZone, db.NullID(in.OrganizationID),
			db.NullID(in.DefaultGroupID), nullStr(in.ExternalID), in.Phone, in.Details, in.Notes, JoinTags(in.Tags),
			in.RestrictedToGroups, suspended, db.Millis(s.now()), id)
		if err != nil {
			return classifyUserErr(err)
		}
		if in.Password != "" {
			hash, err := auth.HashPassword(in.Password)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE users SET password_hash=$1 WHERE id=$2`, hash, id); err != nil {
				return err
			}
			// A new password ends every other session.
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id=$1`, id); err != nil {
				return err
			}
		}
		if suspended {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id=$1`, id); err != nil {
				return err
			}
		}
		out, err = getUser(ctx, tx, "id = $1", id)
		return err
	})
	return out, err
}

// CountUsers returns how many users exist (the demo seeder checks for an empty workspace).
func (s *Service) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}
