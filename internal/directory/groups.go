package directory

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

const groupColumns = `id, name, description, is_default, created_at, updated_at`

func scanGroup(sc interface{ Scan(...any) error }) (Group, error) {
	var g Group
	var c, u int64
	err := sc.Scan(&g.ID, &g.Name, &g.Description, &g.Default, &c, &u)
	g.CreatedAt, g.UpdatedAt = db.Time(c), db.Time(u)
	return g, err
}

func validateGroup(name, desc string) error {
	if err := checkText("name", strings.TrimSpace(name), 255, true); err != nil {
		return err
	}
	return checkText("description", desc, 2000, false)
}

func groupErr(err error) error {
	if db.IsUniqueViolation(err) {
		return apperr.Invalid("name", "taken", "is already used by another group")
	}
	return err
}

// CreateGroup adds a group (admins).
func (s *Service) CreateGroup(ctx context.Context, a auth.Actor, name, desc string) (Group, error) {
	if !a.IsAdmin() {
		return Group{}, apperr.Forbidden("create groups")
	}
	if err := validateGroup(name, desc); err != nil {
		return Group{}, err
	}
	now := db.Millis(s.now())
	g, err := scanGroup(s.db.W.QueryRowContext(ctx, `INSERT INTO groups (name, description, created_at, updated_at)
		VALUES ($1, $2, $3, $3) RETURNING `+groupColumns, strings.TrimSpace(name), desc, now))
	return g, groupErr(err)
}

// UpdateGroup renames or describes a group (admins).
func (s *Service) UpdateGroup(ctx context.Context, a auth.Actor, id int64, name, desc *string) (Group, error) {
	if !a.IsAdmin() {
		return Group{}, apperr.Forbidden("change groups")
	}
	g, err := s.GetGroup(ctx, a, id)
	if err != nil {
		return g, err
	}
	if name != nil {
		g.Name = strings.TrimSpace(*name)
	}
	if desc != nil {
		g.Description = *desc
	}
	if err := validateGroup(g.Name, g.Description); err != nil {
		return Group{}, err
	}
	g, err = scanGroup(s.db.W.QueryRowContext(ctx, `UPDATE groups SET name=$1, description=$2, updated_at=$3
		WHERE id=$4 AND NOT deleted RETURNING `+groupColumns, g.Name, g.Description, db.Millis(s.now()), id))
	return g, groupErr(err)
}

// DeleteGroup marks a group deleted; its tickets keep their history.
func (s *Service) DeleteGroup(ctx context.Context, a auth.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("delete groups")
	}
	res, err := s.db.W.ExecContext(ctx, `UPDATE groups SET deleted = TRUE, name = name || ' (deleted ' || id || ')', updated_at=$1 WHERE id=$2 AND NOT deleted`,
		db.Millis(s.now()), id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("group")
	}
	_, err = s.db.W.ExecContext(ctx, `DELETE FROM group_memberships WHERE group_id = $1`, id)
	return err
}

// GetGroup reads a group (staff).
func (s *Service) GetGroup(ctx context.Context, a auth.Actor, id int64) (Group, error) {
	if !a.IsStaff() && !a.System {
		return Group{}, apperr.Forbidden("read groups")
	}
	g, err := scanGroup(s.db.R.QueryRowContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE id=$1 AND NOT deleted`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return g, apperr.NotFound("group")
	}
	return g, err
}

// ListGroups lists live groups (staff).
func (s *Service) ListGroups(ctx context.Context, a auth.Actor) ([]Group, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("list groups")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+groupColumns+` FROM groups WHERE NOT deleted ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Group{}
	for rows.Next() {
		g, err := scanGroup(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// AddMember puts a staff user in a group (admins). Idempotent.
func (s *Service) AddMember(ctx context.Context, a auth.Actor, userID, groupID int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("change group membership")
	}
	u, err := getUser(ctx, s.db.R, "id = $1", userID)
	if err != nil {
		return err
	}
	if u.Role == auth.RoleEndUser {
		return apperr.Invalid("user_id", "not_staff", "customers cannot join groups")
	}
	if _, err := s.GetGroup(ctx, a, groupID); err != nil {
		return err
	}
	_, err = s.db.W.ExecContext(ctx, `INSERT INTO group_memberships (user_id, group_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT DO NOTHING`, userID, groupID, db.Millis(s.now()))
	return err
}

// RemoveMember takes a user out of a group (admins).
func (s *Service) RemoveMember(ctx context.Context, a auth.Actor, userID, groupID int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("change group membership")
	}
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM group_memberships WHERE user_id=$1 AND group_id=$2`, userID, groupID)
	return err
}

// GroupMembers lists the ids of a group's members (staff).
func (s *Service) GroupMembers(ctx context.Context, a auth.Actor, groupID int64) ([]int64, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("read groups")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT user_id FROM group_memberships WHERE group_id=$1 ORDER BY user_id`, groupID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}
