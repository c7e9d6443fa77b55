package automation_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"layan/internal/automation"
	"layan/internal/db"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

// Logged work time is no update of the ticket: triggers on "Change" do not run.
func TestLoggedWorkRunsNoTriggers(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, s, _ := setup(t, d)
		if _, err := s.SaveRule(ctx, w.Admin, automation.Rule{Kind: automation.KindTrigger, Title: "touched", Active: true,
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "update_type", Operator: "is", Value: "Change"}}},
			Actions:    []automation.Action{{Field: "current_tags", Value: "touched"}}}); err != nil {
			t.Fatal(err)
		}
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Slow site", "pages take a minute")
		process(t, s)
		w.Clock.Advance(time.Minute)
		if _, err := w.Tickets.LogWork(ctx, w.Agent, tk.ID, 10*time.Minute, ticket.WorkManual); err != nil {
			t.Fatal(err)
		}
		process(t, s)
		if got, _ := w.Tickets.Get(ctx, w.Admin, tk.ID); slices.Contains(got.Tags, "touched") {
			t.Fatal("logging work ran the triggers")
		}
		// A real change does.
		w.Clock.Advance(time.Minute)
		pri := "high"
		if _, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{Priority: &pri}); err != nil {
			t.Fatal(err)
		}
		process(t, s)
		if got, _ := w.Tickets.Get(ctx, w.Admin, tk.ID); !slices.Contains(got.Tags, "touched") {
			t.Fatalf("the trigger did not run on a change: %v", got.Tags)
		}
	})
}
