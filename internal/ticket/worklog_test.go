package ticket_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func workEvents(t *testing.T, w *testkit.World, ticketID int64) []events.Event {
	t.Helper()
	all, err := w.Tickets.Events(context.Background(), w.Admin, ticketID)
	if err != nil {
		t.Fatal(err)
	}
	var out []events.Event
	for _, e := range all {
		if e.Type == events.WorkLogged {
			out = append(out, e)
		}
	}
	return out
}

func TestLogWorkWritesOneEventWithinTheBounds(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Printer on fire", "it smokes")
		before, _ := w.Tickets.Get(ctx, w.Agent, tk.ID)
		published := make(chan events.Event, 10)
		defer w.Bus.Subscribe(func(e events.Event) { published <- e })()
		if _, err := d.W.ExecContext(ctx, `DELETE FROM kpi_dirty`); err != nil {
			t.Fatal(err)
		}

		cases := []struct {
			d      time.Duration
			source string
			ok     bool
		}{
			{999 * time.Millisecond, ticket.WorkTimer, false},
			{0, ticket.WorkManual, false},
			{-time.Minute, ticket.WorkAPI, false},
			{12*time.Hour + time.Millisecond, ticket.WorkManual, false},
			{90 * time.Second, "stopwatch", false},
			{time.Second, ticket.WorkTimer, true},
			{12 * time.Hour, ticket.WorkManual, true},
			{1500*time.Millisecond + 400*time.Microsecond, ticket.WorkAPI, true}, // kept in whole milliseconds
		}
		for _, c := range cases {
			w.Clock.Advance(time.Minute)
			e, err := w.Tickets.LogWork(ctx, w.Agent, tk.ID, c.d, c.source)
			if !c.ok {
				if _, isValidation := apperr.AsValidation(err); !isValidation {
					t.Errorf("%v %s: want a validation error, got %v", c.d, c.source, err)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%v %s: %v", c.d, c.source, err)
			}
			if e.ID == 0 || e.AgentID != w.Agent.UserID || e.Source != c.source || !e.CreatedAt.Equal(w.Clock.Now()) {
				t.Errorf("entry %+v", e)
			}
		}

		got := workEvents(t, w, tk.ID)
		want := []struct{ field, after string }{{"timer", "1000"}, {"manual", "43200000"}, {"api", "1500"}}
		if len(got) != len(want) {
			t.Fatalf("%d work events, want %d (refused entries write nothing): %+v", len(got), len(want), got)
		}
		for i, e := range got {
			if e.Field != want[i].field || e.After == nil || *e.After != want[i].after || e.Before != nil ||
				e.ActorID != w.Agent.UserID || e.TicketID != tk.ID {
				t.Errorf("event %d: %+v (after %v), want field %s after %s", i, e, e.After, want[i].field, want[i].after)
			}
		}
		wantDelivered(t, published, got)
		var dirty int
		if err := d.R.QueryRowContext(ctx, `SELECT count(*) FROM kpi_dirty WHERE ticket_id = $1`, tk.ID).Scan(&dirty); err != nil || dirty == 0 {
			t.Errorf("the ticket is not marked for the KPI rollups: %d %v", dirty, err)
		}
		// Logging time changes nothing on the ticket: a reply being written stays current.
		after, _ := w.Tickets.Get(ctx, w.Agent, tk.ID)
		if !after.UpdatedAt.Equal(before.UpdatedAt) {
			t.Errorf("updated_at moved from %v to %v", before.UpdatedAt, after.UpdatedAt)
		}
	})
}

func TestWhoMayLogAndReadWorkTime(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		support := w.NewTicket(t, w.Alice, w.Support.ID, "Order 77", "late")
		billing := w.NewTicket(t, w.Carol, w.Billing.ID, "Invoice 9", "wrong")

		cases := []struct {
			name   string
			actor  auth.Actor
			ticket int64
			want   error // nil: allowed
		}{
			{"agent", w.Agent, support.ID, nil},
			{"admin", w.Admin, support.ID, nil},
			{"light agent who sees the ticket", w.Light, support.ID, nil},
			{"restricted agent on their group's ticket", w.Restricted, billing.ID, nil},
			{"restricted agent on another group's ticket", w.Restricted, support.ID, apperr.ErrNotFound},
			{"requester", w.Alice, support.ID, apperr.ErrForbidden},
			{"customer of the sharing organisation", w.Carol, support.ID, apperr.ErrForbidden},
			{"other customer", w.Bob, support.ID, apperr.ErrForbidden},
			{"the system (no agent to credit)", auth.SystemActor(), support.ID, apperr.ErrForbidden},
			{"no such ticket", w.Agent, support.ID + 1000, apperr.ErrNotFound},
		}
		for _, c := range cases {
			_, err := logFive(ctx, w, c.actor, c.ticket)
			if c.want == nil && err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
			if c.want != nil && !errors.Is(err, c.want) {
				t.Errorf("%s: want %v, got %v", c.name, c.want, err)
			}
		}

		// Totals: everyone's time, per agent, the largest first; each logs only as themselves.
		tot, err := w.Tickets.WorkTotal(ctx, w.Light, support.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tot.Total != 3*5*time.Minute || tot.Entries != 3 || len(tot.Agents) != 3 {
			t.Fatalf("totals %+v", tot)
		}
		for _, ag := range tot.Agents {
			if ag.Total != 5*time.Minute || ag.Entries != 1 {
				t.Errorf("agent total %+v", ag)
			}
		}
		if _, err := logFive(ctx, w, w.Agent, support.ID); err != nil {
			t.Fatal(err)
		}
		tot, _ = w.Tickets.WorkTotal(ctx, w.Admin, support.ID)
		if tot.Agents[0].AgentID != w.Agent.UserID || tot.Agents[0].Total != 10*time.Minute {
			t.Errorf("the agent with the most time comes first: %+v", tot.Agents)
		}
		entries, _, err := w.Tickets.WorkLog(ctx, w.Agent, support.ID)
		if err != nil || len(entries) != 4 || entries[0].AgentID != w.Agent.UserID || entries[1].AgentID != w.Admin.UserID {
			t.Errorf("entries %+v %v", entries, err)
		}

		// Customers never read it, not even on their own ticket; restricted agents not outside their groups.
		for _, c := range []struct {
			name string
			err  error
			want error
		}{
			{"requester", totalErr(ctx, w, w.Alice, support.ID), apperr.ErrForbidden},
			{"other customer", totalErr(ctx, w, w.Bob, support.ID), apperr.ErrForbidden},
			{"restricted agent", totalErr(ctx, w, w.Restricted, support.ID), apperr.ErrNotFound},
		} {
			if !errors.Is(c.err, c.want) {
				t.Errorf("%s reads the totals: want %v, got %v", c.name, c.want, c.err)
			}
		}

		// A deleted ticket takes no more time.
		if err := w.Tickets.Delete(ctx, w.Admin, billing.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := logFive(ctx, w, w.Admin, billing.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("work on a deleted ticket: %v", err)
		}
	})
}

// logFive logs five minutes of a's manual work on ticket id.
func logFive(ctx context.Context, w *testkit.World, a auth.Actor, id int64) (ticket.WorkEntry, error) {
	w.Clock.Advance(time.Second)
	return w.Tickets.LogWork(ctx, a, id, 5*time.Minute, ticket.WorkManual)
}

func totalErr(ctx context.Context, w *testkit.World, a auth.Actor, id int64) error {
	_, err := w.Tickets.WorkTotal(ctx, a, id)
	return err
}
