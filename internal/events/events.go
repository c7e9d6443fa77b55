// Package events is the event log and the bus that carries committed events to
// the readers (realtime, automation, KPIs). A domain service writes the event
// row in the same transaction as the change, then publishes after commit.
package events

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"layan/internal/db"
)

// Event types of the ticket core.
const (
	TicketCreated = "ticket.created"
	FieldChanged  = "ticket.field_changed"
	CommentAdded  = "ticket.comment_added"
	Assigned      = "ticket.assigned"
	Reassigned    = "ticket.reassigned"
	StatusChanged = "ticket.status_changed"
	Reopened      = "ticket.reopened"
	Merged        = "ticket.merged"
	TicketDeleted = "ticket.deleted"
	// WorkLogged is one stretch of an agent's work on a ticket, for the
	// handling-time KPI: ActorID is the agent, Field the source ("timer",
	// "manual" or "api"), After the duration in whole milliseconds as
	// decimal text, CreatedAt when it was logged. It changes nothing on the
	// ticket (updated_at stays), so it runs no triggers.
	WorkLogged = "ticket.work_logged"
)

// Event is one row of the log. Before/After hold the old and new value of the
// field (or a JSON summary) as text; nil means "none".
type Event struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id,omitempty"`
	ActorID   int64     `json:"actor_id,omitempty"`
	Type      string    `json:"type"`
	Field     string    `json:"field,omitempty"`
	Before    *string   `json:"before"`
	After     *string   `json:"after"`
	CreatedAt time.Time `json:"created_at"`
}

// Str is a helper for Before/After.
func Str(s string) *string { return &s }

// Insert writes the events in the caller's transaction, in one statement,
// and sets their ids. Ids are allocated in row order on both engines (rowid
// max+1 on SQLite, nextval per row on PostgreSQL), so the returned ids,
// sorted, belong to the rows in order whatever order RETURNING uses.
func Insert(ctx context.Context, q db.Querier, evs []Event) error {
	if len(evs) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO events (ticket_id, actor_id, type, field, before, after, created_at) VALUES `)
	args := make([]any, 0, 7*len(evs))
	for i, e := range evs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + db.Placeholders(7*i+1, 7) + ")")
		args = append(args, db.NullID(e.TicketID), db.NullID(e.ActorID), e.Type, e.Field, e.Before, e.After, db.Millis(e.CreatedAt))
	}
	b.WriteString(" RETURNING id")
	rows, err := q.QueryContext(ctx, b.String(), args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	ids := make([]int64, 0, len(evs))
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(ids) != len(evs) {
		return fmt.Errorf("events: inserted %d rows, got %d ids", len(evs), len(ids))
	}
	slices.Sort(ids)
	for i := range evs {
		evs[i].ID = ids[i]
	}
	return markDirty(ctx, q, evs)
}

// markDirty lists the events' tickets in kpi_dirty, in the same transaction,
// so the KPI rollups re-roll them: a late event (a reopening, a backdated
// import) then corrects the days it touches, and nothing is missed when a
// node stops between the commit and the roll-up (docs/kpis.md, "Rollups").
func markDirty(ctx context.Context, q db.Querier, evs []Event) error {
	var tickets []any
	for _, e := range evs {
		if e.TicketID != 0 && !slices.Contains(tickets, any(e.TicketID)) {
			tickets = append(tickets, e.TicketID)
		}
	}
	if len(tickets) == 0 {
		return nil
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO kpi_dirty (ticket_id) VALUES `)
	for i := range tickets {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + db.Placeholders(i+1, 1) + ")")
	}
	if _, err := q.ExecContext(ctx, b.String(), tickets...); err != nil {
		return fmt.Errorf("events: mark tickets for the KPI rollups: %w", err)
	}
	return nil
}

// ForTicket reads a ticket's events in order (the audit trail).
func ForTicket(ctx context.Context, q db.Querier, ticketID int64) ([]Event, error) {
	rows, err := q.QueryContext(ctx,
		`SELECT id, COALESCE(actor_id, 0), type, field, before, after, created_at
		 FROM events WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e := Event{TicketID: ticketID}
		var at int64
		if err := rows.Scan(&e.ID, &e.ActorID, &e.Type, &e.Field, &e.Before, &e.After, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}
