package ticket_test

import (
	"context"
	"errors"
	"testing"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/search"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func TestEveryRoleSeesOnlyWhatItMay(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		alices := w.NewTicket(t, w.Alice, w.Support.ID, "Paket belum sampai", "pesanan saya belum sampai")
		carols := w.NewTicket(t, w.Carol, w.Billing.ID, "Invoice wrong", "invoice amount is wrong")
		bobs := w.NewTicket(t, w.Bob, w.Billing.ID, "سفارش من نرسیده", "سفارش من هنوز نرسیده است")

		cases := []struct {
			name    string
			actor   auth.Actor
			visible map[int64]bool
		}{
			{"admin", w.Admin, map[int64]bool{alices.ID: true, carols.ID: true, bobs.ID: true}},
			{"agent", w.Agent, map[int64]bool{alices.ID: true, carols.ID: true, bobs.ID: true}},
			{"agent restricted to billing", w.Restricted, map[int64]bool{carols.ID: true, bobs.ID: true}},
			{"light agent", w.Light, map[int64]bool{alices.ID: true, carols.ID: true, bobs.ID: true}},
			{"customer in sharing org", w.Alice, map[int64]bool{alices.ID: true, carols.ID: true}},
			{"customer alone", w.Bob, map[int64]bool{bobs.ID: true}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				for _, id := range []int64{alices.ID, carols.ID, bobs.ID} {
					_, err := w.Tickets.Get(ctx, c.actor, id)
					if c.visible[id] && err != nil {
						t.Errorf("get %d: %v", id, err)
					}
					if !c.visible[id] && !errors.Is(err, apperr.ErrNotFound) {
						t.Errorf("get %d: want not found, got %v", id, err)
					}
					_, err = w.Tickets.Comments(ctx, c.actor, id, 0, 100)
					if !c.visible[id] && !errors.Is(err, apperr.ErrNotFound) {
						t.Errorf("comments of %d: want not found, got %v", id, err)
					}
				}
				many, err := w.Tickets.ShowMany(ctx, c.actor, []int64{alices.ID, carols.ID, bobs.ID})
				if err != nil {
					t.Fatal(err)
				}
				assertSet(t, "show_many", many, c.visible)
				list, err := w.Tickets.List(ctx, c.actor, ticket.ListQuery{})
				if err != nil {
					t.Fatal(err)
				}
				assertSet(t, "list", list.Tickets, c.visible)
				if list.Count != len(c.visible) {
					t.Errorf("list count = %d, want %d", list.Count, len(c.visible))
				}
				q, _ := search.Parse("status<solved")
				found, total, err := w.Tickets.Search(ctx, c.actor, q, ticket.SearchOptions{})
				if err != nil {
					t.Fatal(err)
				}
				assertSet(t, "search", found, c.visible)
				if total != len(c.visible) {
					t.Errorf("search total = %d, want %d", total, len(c.visible))
				}
			})
		}
	})
}

func assertSet(t *testing.T, what string, got []ticket.Ticket, want map[int64]bool) {
	t.Helper()
	seen := map[int64]bool{}
	for _, tk := range got {
		if !want[tk.ID] {
			t.Errorf("%s returned ticket %d the actor may not see", what, tk.ID)
		}
		seen[tk.ID] = true
	}
	if len(seen) != len(want) {
		t.Errorf("%s returned %d tickets, want %d", what, len(seen), len(want))
	}
}

func TestWhatEachRoleMayChange(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Refund", "I want a refund")
		high := "high"
		pub, priv := true, false

		// Light agent: internal note yes, public reply silently becomes internal, fields no.
		got, err := w.Tickets.Update(ctx, w.Light, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "warehouse: shipped", Public: &pub}})
		if err != nil {
			t.Fatal(err)
		}
		cs, _ := w.Tickets.Comments(ctx, w.Admin, tk.ID, 0, 100)
		if last := cs[len(cs)-1]; last.Public {
			t.Error("light agent wrote a public comment")
		}
		if _, err := w.Tickets.Update(ctx, w.Light, tk.ID, ticket.Patch{Priority: &high}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("light agent changed priority: %v", err)
		}
		// Customer: public comment yes, internal note no, fields no, solve yes.
		if _, err := w.Tickets.Update(ctx, w.Alice, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "secret", Public: &priv}}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer wrote an internal note: %v", err)
		}
		if _, err := w.Tickets.Update(ctx, w.Alice, tk.ID, ticket.Patch{Priority: &high}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer changed priority: %v", err)
		}
		if _, err := w.Tickets.Update(ctx, w.Bob, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "hi"}}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("another customer commented: %v", err)
		}
		// Customers never see internal notes.
		cs, _ = w.Tickets.Comments(ctx, w.Alice, tk.ID, 0, 100)
		for _, c := range cs {
			if !c.Public {
				t.Errorf("customer sees internal note %q", c.Body)
			}
		}
		solved := "solved"
		got, err = w.Tickets.Update(ctx, w.Alice, tk.ID, ticket.Patch{Status: &solved})
		if err != nil || got.Status != "solved" {
			t.Fatalf("customer could not mark solved: %v %v", got.Status, err)
		}
		// A customer's reply reopens a solved ticket.
		got, err = w.Tickets.Update(ctx, w.Alice, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "still broken"}})
		if err != nil || got.Status != "open" {
			t.Fatalf("reply did not reopen: %v %v", got.Status, err)
		}
		// Restricted agent cannot touch a Support ticket.
		if _, err := w.Tickets.Update(ctx, w.Restricted, tk.ID, ticket.Patch{Priority: &high}); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("restricted agent changed another group's ticket: %v", err)
		}
		if err := w.Tickets.Delete(ctx, w.Alice, tk.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer deleted: %v", err)
		}
		if err := w.Tickets.Delete(ctx, w.Agent, tk.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Tickets.Get(ctx, w.Admin, tk.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("deleted ticket still readable: %v", err)
		}
	})
}
