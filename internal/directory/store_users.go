package directory

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/db"
)

const userColumns = `id, name, COALESCE(email, ''), role, locale, time_zone, COALESCE(organization_id, 0),
	COALESCE(default_group_id, 0), COALESCE(external_id, ''), phone, details, notes, tags, restricted_to_groups,
	active, suspended, verified, password_hash <> '', last_login_at, created_at, updated_at`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var tags string
	var last sql.NullInt64
	var created, updated int64
	err := sc.Scan(&u.ID, &u.Name, &u.Email, &u.Role, &u.Locale, &u.TimeZone, &u.OrganizationID,
		&u.DefaultGroupID, &u.ExternalID, &u.Phone, &u.Details, &u.Notes, &tags, &u.RestrictedToGroups,
		&u.Active, &u.Suspended, &u.Verified, &u.HasPassword, &last, &created, &updated)
	if err != nil {
		return u, err
	}
	u.Tags = SplitTags(tags)
	if last.Valid {
		u.LastLoginAt = db.Time(last.Int64)
	}
	u.CreatedAt, u.UpdatedAt = db.Time(created), db.Time(updated)
	return u, nil
}

func nullStr(s string) sql.NullString { return sql.NullString{String: s, Valid: s != ""} }

func getUser(ctx context.Context, q db.Querier, where string, arg any) (User, error) {
	u, err := scanUser(q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return u, apperr.NotFound("user")
	}
	return u, err
}

func insertUser(ctx context.Context, q db.Querier, in UserInput, hash string, now int64) (int64, error) {
	var id int64
	err := q.QueryRowContext(ctx, `INSERT INTO users (name, email, role, locale, time_zone, organization_id,
		default_group_id, external_id, phone, details, notes, tags, restricted_to_groups, password_hash, verified,
		created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$16) RETURNING id`,
		in.Name, nullStr(in.Email), in.Role, in.Locale, in.TimeZone, db.NullID(in.OrganizationID),
		db.NullID(in.DefaultGroupID), nullStr(in.ExternalID), in.Phone, in.Details, in.Notes, JoinTags(in.Tags),
		in.RestrictedToGroups, hash, in.Verified, now).Scan(&id)
	return id, classifyUserErr(err)
}

func classifyUserErr(err error) error {
	switch {
	case err == nil:
		return nil
	case db.IsUniqueViolation(err) && strings.Contains(err.Error(), "external_id"):
		return apperr.Invalid("external_id", "taken", "is already used by another user")
	case db.IsUniqueViolation(err):
		return apperr.Invalid("email", "taken", "is already used by another user")
	case db.IsForeignKeyViolation(err):
		return apperr.Invalid("organization_id", "not_found", "refers to an organization or group that does not exist")
	}
	return err
}

func listUsers(ctx context.Context, q db.Querier, role string, p Page) ([]User, int, error) {
	args := []any{}
	where := "1=1"
	if role != "" {
		where = "role = $1"
		args = append(args, role)
	}
	var total int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	sqlq := "SELECT " + userColumns + " FROM users WHERE " + where
	if p.Keyset {
		args = append(args, p.After)
		sqlq += " AND id > $" + strconv.Itoa(len(args))
		args = append(args, p.PerPage+1)
		sqlq += " ORDER BY id LIMIT $" + strconv.Itoa(len(args))
	} else {
		args = append(args, p.PerPage, p.Offset())
		sqlq += " ORDER BY id LIMIT $" + strconv.Itoa(len(args)-1) + " OFFSET $" + strconv.Itoa(len(args))
	}
	users, err := queryUsers(ctx, q, sqlq, args...)
	return users, total, err
}

func queryUsers(ctx context.Context, q db.Querier, sqlq string, args ...any) ([]User, error) {
	rows, err := q.QueryContext(ctx, sqlq, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []User{}
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}
