package kpi

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Goal is a SMART goal: a KPI (specific, measurable), a target (achievable
// is the manager's call), an owner (relevant to a team or an agent) and a
// deadline (time-bound). Progress is measured weekly from the start.
type Goal struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	KPI          string    `json:"kpi"`
	Target       float64   `json:"target"`
	StartAt      time.Time `json:"start_at"`
	Deadline     time.Time `json:"deadline"`
	OwnerGroupID int64     `json:"owner_group_id,omitempty"`
	OwnerAgentID int64     `json:"owner_agent_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
}

// Point is one week of a goal's KPI.
type Point struct {
	From  time.Time `json:"from"`
	Value *float64  `json:"value"`
}

// Progress is a goal's state: the weekly values so far, the least-squares
// trend projected to the deadline, and whether that reaches the target.
type Progress struct {
	Goal      Goal     `json:"goal"`
	Points    []Point  `json:"points"`
	Current   *float64 `json:"current"`
	Projected *float64 `json:"projected"`
	Status    string   `json:"status"` // on_track, off_track, achieved, missed, no_data
}

func (g Goal) filter() Filter { return Filter{GroupID: g.OwnerGroupID, AgentID: g.OwnerAgentID} }

// CreateGoal saves a goal (admins).
func (s *Service) CreateGoal(ctx context.Context, a auth.Actor, g Goal) (Goal, error) {
	if !a.IsAdmin() {
		return Goal{}, apperr.Forbidden("set goals")
	}
	g.Name = strings.TrimSpace(g.Name)
	switch {
	case g.Name == "" || len(g.Name) > 200:
		return Goal{}, apperr.Invalid("name", "required", "a name of at most 200 characters")
	case !Known(g.KPI):
		return Goal{}, apperr.Invalid("kpi", "invalid", "unknown KPI")
	case g.OwnerGroupID != 0 && g.OwnerAgentID != 0:
		return Goal{}, apperr.Invalid("owner_agent_id", "invalid", "the owner is a group or an agent, not both")
	}
	now := s.now().UTC()
	if g.StartAt.IsZero() {
		g.StartAt = now
	}
	if !g.Deadline.After(g.StartAt) {
		return Goal{}, apperr.Invalid("deadline", "invalid", "the deadline must be after the start")
	}
	g.CreatedAt = now
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO kpi_goals (name, kpi, target, start_at, deadline, owner_group_id, owner_agent_id, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`, g.Name, g.KPI, g.Target, db.Millis(g.StartAt), db.Millis(g.Deadline),
		db.NullID(g.OwnerGroupID), db.NullID(g.OwnerAgentID), db.NullID(a.UserID), db.Millis(now)).Scan(&g.ID)
	if db.IsForeignKeyViolation(err) {
		return Goal{}, apperr.Invalid("owner", "invalid", "no such group or agent")
	}
	return g, err
}

const goalCols = `id, name, kpi, target, start_at, deadline, COALESCE(owner_group_id, 0), COALESCE(owner_agent_id, 0), created_at`

func scanGoal(row interface{ Scan(...any) error }) (Goal, error) {
	var g Goal
	var st, dl, ca int64
	err := row.Scan(&g.ID, &g.Name, &g.KPI, &g.Target, &st, &dl, &g.OwnerGroupID, &g.OwnerAgentID, &ca)
	g.StartAt, g.Deadline, g.CreatedAt = db.Time(st), db.Time(dl), db.Time(ca)
	return g, err
}

func visibleGoal(a auth.Actor, g Goal) bool {
	return a.IsAdmin() || a.System || (a.IsStaff() && (g.OwnerAgentID == a.UserID || (g.OwnerGroupID != 0 && a.InGroup(g.OwnerGroupID))))
}

// Goals lists the goals an actor may see: admins all; agents their own and their groups'.
func (s *Service) Goals(ctx context.Context, a auth.Actor) ([]Goal, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("goals")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+goalCols+` FROM kpi_goals ORDER BY deadline, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Goal{}
	for rows.Next() {
		g, err := scanGoal(rows)
		if err != nil {
			return nil, err
		}
		if visibleGoal(a, g) {
			out = append(out, g)
		}
	}
	return out, rows.Err()
}

// DeleteGoal removes a goal (admins).
func (s *Service) DeleteGoal(ctx context.Context, a auth.Actor, id int64) error {
	if !a.IsAdmin() {
		return apperr.Forbidden("delete goals")
	}
	res, err := s.db.W.ExecContext(ctx, `DELETE FROM kpi_goals WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.NotFound("goal")
	}
	return nil
}

// GoalProgress measures a goal week by week from its start to now (or the
// deadline), fits a least-squares line through the weekly values and
// projects it to the deadline's week.
func (s *Service) GoalProgress(ctx context.Context, a auth.Actor, id int64) (Progress, error) {
	g, err := scanGoal(s.db.R.QueryRowContext(ctx, `SELECT `+goalCols+` FROM kpi_goals WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !visibleGoal(a, g)) {
		return Progress{}, apperr.NotFound("goal")
	}
	if err != nil {
		return Progress{}, err
	}
	now := s.now().UTC()
	end := now
	if g.Deadline.Before(end) {
		end = g.Deadline
	}
	p := Progress{Goal: g, Points: []Point{}, Status: "no_data"}
	if !g.StartAt.Before(end) {
		return p, nil
	}
	bs, err := Buckets(g.StartAt, end, "week")
	if err != nil {
		return p, err
	}
	rs, err := s.compute(ctx, bs, g.filter())
	if err != nil {
		return p, err
	}
	var xs, ys []float64
	for i, b := range bs {
		v := Value(rs[i], g.KPI)
		p.Points = append(p.Points, Point{From: b[0], Value: v})
		if v != nil {
			xs, ys = append(xs, float64(i)), append(ys, *v)
			p.Current = v
		}
	}
	if len(ys) == 0 {
		return p, nil
	}
	last, _ := Buckets(g.StartAt, g.Deadline, "week")
	proj := project(xs, ys, float64(len(last)-1))
	p.Projected = &proj
	meets := func(v float64) bool {
		if HigherIsBetter(g.KPI) {
			return v >= g.Target
		}
		return v <= g.Target
	}
	switch {
	case !now.Before(g.Deadline) && meets(*p.Current):
		p.Status = "achieved"
	case !now.Before(g.Deadline):
		p.Status = "missed"
	case meets(proj):
		p.Status = "on_track"
	default:
		p.Status = "off_track"
	}
	return p, nil
}

// project evaluates the least-squares line through (xs, ys) at x; with one
// point, the line is flat.
func project(xs, ys []float64, x float64) float64 {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx, sy, sxx, sxy = sx+xs[i], sy+ys[i], sxx+xs[i]*xs[i], sxy+xs[i]*ys[i]
	}
	den := n*sxx - sx*sx
	if den == 0 {
		return sy / n
	}
	slope := (n*sxy - sx*sy) / den
	return (sy-slope*sx)/n + slope*x
}
