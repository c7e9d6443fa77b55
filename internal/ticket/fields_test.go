package ticket_test

import (
	"context"
	"errors"
	"testing"

	"layan/internal/apperr"
	"layan/internal/db"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func TestCustomFieldsAreTypedAndCustomersSetOnlyPortalFields(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		if _, err := w.Tickets.SaveField(ctx, w.Agent, ticket.Field{Title: "x", Type: "text"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("agent defined a field: %v", err)
		}
		order, err := w.Tickets.SaveField(ctx, w.Admin, ticket.Field{Title: "Order number", Type: "integer", Active: true, EditableInPortal: true})
		if err != nil {
			t.Fatal(err)
		}
		reason, err := w.Tickets.SaveField(ctx, w.Admin, ticket.Field{Title: "Reason", Type: "tagger", Active: true,
			Options: []ticket.FieldOption{{Name: "Late", Value: "late"}, {Name: "Broken", Value: "broken"}}})
		if err != nil {
			t.Fatal(err)
		}
		tk, err := w.Tickets.Create(ctx, w.Alice, ticket.NewTicket{Subject: "x", Comment: ticket.NewComment{Body: "y"},
			CustomFields: map[int64]any{order.ID: "1042"}})
		if err != nil {
			t.Fatal(err)
		}
		if tk.CustomFields[order.ID] != float64(1042) {
			t.Fatalf("order field = %#v", tk.CustomFields[order.ID])
		}
		if _, err := w.Tickets.Create(ctx, w.Alice, ticket.NewTicket{Subject: "x", Comment: ticket.NewComment{Body: "y"},
			CustomFields: map[int64]any{reason.ID: "late"}}); err == nil {
			t.Fatal("customer set an agent-only field")
		}
		bad := []map[int64]any{{order.ID: "12.5"}, {order.ID: true}, {reason.ID: "lost"}, {reason.ID: 3.0}, {999: "x"}}
		for _, f := range bad {
			if _, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{CustomFields: f}); err == nil {
				t.Errorf("accepted %v", f)
			}
		}
		got, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{CustomFields: map[int64]any{reason.ID: "broken"}})
		if err != nil || got.CustomFields[reason.ID] != "broken" || got.CustomFields[order.ID] != float64(1042) {
			t.Fatalf("update = %v, %v", got.CustomFields, err)
		}
		visible, _ := w.Tickets.Fields(ctx, w.Bob)
		if len(visible) != 1 || visible[0].ID != order.ID {
			t.Fatalf("customer sees fields %v", visible)
		}
	})
}
