package views

import (
	"context"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Service saves, lists and deletes saved views. Staff only: a personal view
// is seen by its owner alone, a shared one (created by an admin) by all
// staff; only the owner or an admin deletes one.
type Service struct {
	db  *db.DB
	now func() time.Time
}

// NewService builds the service; now is the clock (nil: time.Now).
func NewService(d *db.DB, now func() time.Time) *Service {
	if now == nil {
		now = time.Now
	}
	return &Service{db: d, now: now}
}

func staff(a auth.Actor) error {
	if a.System || !a.IsStaff() || a.UserID == 0 {
		return apperr.Forbidden("use saved views")
	}
	return nil
}

// Create validates and stores a view owned by a. Only admins may share.
func (s *Service) Create(ctx context.Context, a auth.Actor, in Input) (View, error) {
	if err := staff(a); err != nil {
		return View{}, err
	}
	if in.Shared && !a.IsAdmin() {
		return View{}, apperr.Forbidden("share a view")
	}
	name, err := ValidName(in.Name)
	if err != nil {
		return View{}, err
	}
	filter, err := ValidFilter(in.Filter)
	if err != nil {
		return View{}, err
	}
	v := View{OwnerID: a.UserID, Name: name, Filter: filter, Shared: in.Shared, CreatedAt: s.now().UTC().Truncate(time.Millisecond)}
	if v.ID, err = insert(ctx, s.db.W, v); err != nil {
		return View{}, err
	}
	return v, nil
}

// List returns a's own views and the shared ones, by name.
func (s *Service) List(ctx context.Context, a auth.Actor) ([]View, error) {
	if err := staff(a); err != nil {
		return nil, err
	}
	return visible(ctx, s.db.R, a.UserID)
}

// Get returns one view a may see; others are apperr.ErrNotFound.
func (s *Service) Get(ctx context.Context, a auth.Actor, id int64) (View, error) {
	if err := staff(a); err != nil {
		return View{}, err
	}
	v, err := byID(ctx, s.db.R, id)
	if err != nil {
		return View{}, err
	}
	if !v.Shared && v.OwnerID != a.UserID {
		return View{}, apperr.NotFound("saved view")
	}
	return v, nil
}

// Delete removes a view: its owner, or an admin for a shared one. A
// personal view of someone else is apperr.ErrNotFound; a shared view of
// someone else, for an agent, apperr.ErrForbidden.
func (s *Service) Delete(ctx context.Context, a auth.Actor, id int64) error {
	v, err := s.Get(ctx, a, id)
	if err != nil {
		return err
	}
	if v.OwnerID != a.UserID && !a.IsAdmin() {
		return apperr.Forbidden("delete this view")
	}
	return remove(ctx, s.db.W, id)
}
