package automation_test

import (
	"context"
	"testing"

	"layan/internal/automation"
	"layan/internal/db"
	"layan/internal/routing"
	"layan/internal/testkit"
)

// Routing sees the ticket as the triggers left it: a trigger that moves a
// new ticket to Billing gets it assigned to a Billing agent, not to one of
// the group it arrived in.
func TestRoutingFollowsTriggerGroup(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w, s, _ := setup(t, d)
		for _, a := range []int64{w.Agent.UserID, w.Restricted.UserID} {
			if _, err := s.SetAvailability(ctx, w.Admin, automation.Availability{UserID: a, Status: routing.Online}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SaveRouting(ctx, w.Admin, automation.RoutingConfig{Enabled: true, Mode: routing.RoundRobin}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.SaveRule(ctx, w.Admin, automation.Rule{Kind: automation.KindTrigger, Title: "Invoices to Billing", Active: true,
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "subject_includes_word", Operator: "includes", Value: "invoice"}}},
			Actions:    []automation.Action{{Field: "group_id", Value: itoa(w.Billing.ID)}, {Field: "current_tags", Value: "billing"}}}); err != nil {
			t.Fatal(err)
		}
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Wrong invoice total", "Please fix")
		plain := w.NewTicket(t, w.Alice, w.Support.ID, "Login broken", "Please fix")
		process(t, s)
		got, _ := w.Tickets.Get(ctx, w.Admin, tk.ID)
		if got.GroupID != w.Billing.ID || got.AssigneeID != w.Restricted.UserID {
			t.Fatalf("invoice ticket: group %d assignee %d, want Billing %d and %d", got.GroupID, got.AssigneeID, w.Billing.ID, w.Restricted.UserID)
		}
		got, _ = w.Tickets.Get(ctx, w.Admin, plain.ID)
		if got.GroupID != w.Support.ID || got.AssigneeID != w.Agent.UserID {
			t.Fatalf("other ticket: group %d assignee %d, want Support and %d", got.GroupID, got.AssigneeID, w.Agent.UserID)
		}
	})
}
