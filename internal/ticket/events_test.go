package ticket_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func eventTypes(evs []events.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = e.Type + ":" + e.Field
	}
	return out
}

func TestEveryChangeIsAnEventInTheSameTransaction(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		got := make(chan events.Event, 100)
		defer w.Bus.Subscribe(func(e events.Event) { got <- e })()

		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Order late", "where is my order")
		w.Clock.Advance(time.Minute)
		pri, open, solved := "high", "open", "solved"
		steps := []struct {
			patch ticket.Patch
			want  []string
		}{
			{ticket.Patch{Priority: &pri, AssigneeID: &w.Agent.UserID}, []string{"ticket.field_changed:priority", "ticket.assigned:assignee_id", "ticket.status_changed:status"}},
			{ticket.Patch{AssigneeID: &w.Admin.UserID}, []string{"ticket.reassigned:assignee_id"}},
			{ticket.Patch{Status: &solved, Comment: &ticket.NewComment{Body: "Delivered today."}}, []string{"ticket.status_changed:status", "ticket.comment_added:public"}},
			{ticket.Patch{Status: &open}, []string{"ticket.status_changed:status", "ticket.reopened:status"}},
			{ticket.Patch{AddTags: []string{"VIP", "vip"}}, []string{"ticket.field_changed:tags"}},
		}
		for i, st := range steps {
			w.Clock.Advance(time.Minute)
			if _, err := w.Tickets.Update(ctx, w.Agent, tk.ID, st.patch); err != nil {
				t.Fatalf("step %d: %v", i, err)
			}
		}
		log, err := w.Tickets.Events(ctx, w.Admin, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		want = append(want, "ticket.created:", "ticket.comment_added:public")
		for _, st := range steps {
			want = append(want, st.want...)
		}
		if g := eventTypes(log); len(g) != len(want) {
			t.Fatalf("events = %v\nwant   %v", g, want)
		} else {
			for i := range want {
				if g[i] != want[i] {
					t.Fatalf("event %d = %s, want %s (all: %v)", i, g[i], want[i], g)
				}
			}
		}
		for _, e := range log {
			if e.ActorID == 0 || e.CreatedAt.IsZero() {
				t.Errorf("event without actor or time: %+v", e)
			}
		}
		if r := log[5]; r.Type != events.Reassigned || *r.Before != itoa(w.Agent.UserID) || *r.After != itoa(w.Admin.UserID) {
			t.Errorf("reassignment before/after = %+v", r)
		}
		// The bus delivered the same events, after commit, in order.
		wantDelivered(t, got, log)
		// A failed update writes no event and changes nothing.
		bad := "exploded"
		if _, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{Status: &bad, Priority: &pri}); err == nil {
			t.Fatal("invalid status accepted")
		}
		after, _ := w.Tickets.Events(ctx, w.Admin, tk.ID)
		if len(after) != len(log) {
			t.Fatalf("failed update wrote %d events", len(after)-len(log))
		}
	})
}

func itoa(i int64) string { return strconv.FormatInt(i, 10) }

func TestMergeClosesSourcesAndRecordsBothSides(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		target := w.NewTicket(t, w.Alice, w.Support.ID, "Refund", "first")
		src := w.NewTicket(t, w.Alice, w.Support.ID, "Refund again", "second")
		if _, err := w.Tickets.Merge(ctx, w.Light, target.ID, []int64{src.ID}, "", ""); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("light agent merged: %v", err)
		}
		if _, err := w.Tickets.Merge(ctx, w.Agent, target.ID, []int64{src.ID}, "", ""); err != nil {
			t.Fatal(err)
		}
		s, _ := w.Tickets.Get(ctx, w.Agent, src.ID)
		if s.Status != "closed" {
			t.Fatalf("source status = %s", s.Status)
		}
		for id, field := range map[int64]string{src.ID: "merged_into", target.ID: "merged_from"} {
			log, _ := w.Tickets.Events(ctx, w.Admin, id)
			found := false
			for _, e := range log {
				found = found || (e.Type == events.Merged && e.Field == field)
			}
			if !found {
				t.Errorf("ticket %d has no %s event", id, field)
			}
		}
		// A closed ticket takes no more changes.
		if _, err := w.Tickets.Update(ctx, w.Agent, src.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "x"}}); err == nil {
			t.Fatal("closed ticket accepted a comment")
		}
	})
}

func TestSafeUpdateDetectsCollisions(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Help", "please")
		stale := tk.UpdatedAt
		w.Clock.Advance(time.Minute)
		if _, err := w.Tickets.Update(ctx, w.Admin, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "first reply"}}); err != nil {
			t.Fatal(err)
		}
		_, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{UpdatedStamp: stale, Comment: &ticket.NewComment{Body: "second reply"}})
		if !errors.Is(err, apperr.ErrConflict) {
			t.Fatalf("stale update: %v", err)
		}
	})
}

// wantDelivered waits for the bus to deliver log's events in order: it
// delivers after commit, on its own goroutine.
func wantDelivered(t *testing.T, bus <-chan events.Event, log []events.Event) {
	t.Helper()
	for i := range log {
		select {
		case e := <-bus:
			if e.ID != log[i].ID {
				t.Fatalf("bus event %d has id %d, log has %d", i, e.ID, log[i].ID)
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("bus delivered only %d of %d events", i, len(log))
		}
	}
}
