package views_test

import (
	"context"
	"errors"
	"strconv"
	"testing"

	"layan/internal/apperr"
	"layan/internal/db"
	"layan/internal/testkit"
	"layan/internal/views"
)

var ctx = context.Background()

func TestSavedViews(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := views.NewService(d, w.Clock.Now)

		mine, err := s.Create(ctx, w.Agent, views.Input{Name: "  My pending  ", Filter: "status=pending&assignee=me&order=asc"})
		if err != nil {
			t.Fatal(err)
		}
		if mine.Name != "My pending" || mine.Filter != "assignee=me&order=asc&status=pending" || mine.Shared || mine.OwnerID != w.Agent.UserID {
			t.Fatalf("created %+v", mine)
		}
		// Agents cannot share; admins can.
		if _, err := s.Create(ctx, w.Agent, views.Input{Name: "x", Shared: true}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("agent shared a view: %v", err)
		}
		shared, err := s.Create(ctx, w.Admin, views.Input{Name: "Billing", Filter: "group=" + itoa(w.Billing.ID), Shared: true})
		if err != nil {
			t.Fatal(err)
		}
		adminOwn, err := s.Create(ctx, w.Admin, views.Input{Name: "Admin only"})
		if err != nil {
			t.Fatal(err)
		}

		list, err := s.List(ctx, w.Agent)
		if err != nil || len(list) != 2 || list[0].ID != shared.ID || list[1].ID != mine.ID {
			t.Fatalf("agent's list %+v %v", list, err)
		}
		list, err = s.List(ctx, w.Restricted)
		if err != nil || len(list) != 1 || list[0].ID != shared.ID {
			t.Fatalf("other agent's list %+v %v", list, err)
		}
		list, err = s.List(ctx, w.Admin)
		if err != nil || len(list) != 2 { // Admin only, Billing; not the agent's
			t.Fatalf("admin's list %+v %v", list, err)
		}

		// Another agent neither sees nor deletes a personal view.
		if _, err := s.Get(ctx, w.Restricted, mine.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other agent got a personal view: %v", err)
		}
		if err := s.Delete(ctx, w.Restricted, mine.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("other agent deleted a personal view: %v", err)
		}
		if _, err := s.Get(ctx, w.Agent, adminOwn.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("agent got the admin's personal view: %v", err)
		}
		// An agent sees but cannot delete a shared view.
		if got, err := s.Get(ctx, w.Agent, shared.ID); err != nil || got.Name != "Billing" {
			t.Fatalf("shared view %+v %v", got, err)
		}
		if err := s.Delete(ctx, w.Agent, shared.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("agent deleted a shared view: %v", err)
		}

		// Customers get nothing.
		for _, c := range []func() error{
			func() error { _, err := s.List(ctx, w.Alice); return err },
			func() error { _, err := s.Get(ctx, w.Alice, shared.ID); return err },
			func() error { _, err := s.Create(ctx, w.Alice, views.Input{Name: "x"}); return err },
			func() error { return s.Delete(ctx, w.Alice, shared.ID) },
		} {
			if err := c(); !errors.Is(err, apperr.ErrForbidden) {
				t.Fatalf("customer: %v", err)
			}
		}

		// Bad names and filters.
		for _, in := range []views.Input{
			{Name: ""}, {Name: "a\x00b"}, {Name: string(make([]rune, 81))},
			{Name: "x", Filter: "status=bogus"}, {Name: "x", Filter: "assignee=-3"}, {Name: "x", Filter: "group=abc"},
			{Name: "x", Filter: "sort=priority"}, {Name: "x", Filter: "order=up"}, {Name: "x", Filter: "evil=1"},
			{Name: "x", Filter: "status=open&status=new"}, {Name: "x", Filter: "%zz"},
		} {
			if _, err := s.Create(ctx, w.Agent, in); err == nil {
				t.Fatalf("accepted %+v", in)
			} else if _, ok := apperr.AsValidation(err); !ok {
				t.Fatalf("%+v: not a validation error: %v", in, err)
			}
		}

		// Owner deletes their own; an admin deletes a shared one.
		if err := s.Delete(ctx, w.Agent, mine.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, w.Admin, shared.ID); err != nil {
			t.Fatal(err)
		}
		list, err = s.List(ctx, w.Agent)
		if err != nil || len(list) != 0 {
			t.Fatalf("after delete %+v %v", list, err)
		}
		if _, err := s.Get(ctx, w.Agent, mine.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Fatalf("deleted view: %v", err)
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
