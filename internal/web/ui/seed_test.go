package ui_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
	"time"

	"layan/internal/testkit"
)

// seedTickets inserts n tickets straight into the database in large batches:
// the ticket service would take minutes for 100,000, and a view benchmark
// needs only the rows, not their events or search terms. Test-only SQL.
func seedTickets(tb testing.TB, w *testkit.World, n int) {
	tb.Helper()
	ctx := context.Background()
	requesters := []int64{w.Alice.UserID, w.Bob.UserID, w.Carol.UserID}
	// More customers, so side-loading names is realistic.
	err := w.DB.WithTx(ctx, func(tx *sql.Tx) error {
		for i := 0; i < 500; i++ {
			var id int64
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (name, email, role, created_at, updated_at)
				VALUES ($1, $2, 'end_user', 0, 0) RETURNING id`, fmt.Sprintf("Customer %d", i),
				fmt.Sprintf("c%d@bench.test", i)).Scan(&id); err != nil {
				return err
			}
			requesters = append(requesters, id)
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	agents := []int64{w.Agent.UserID, w.Admin.UserID, w.Restricted.UserID}
	groups := []int64{w.Support.ID, w.Billing.ID}
	statuses := []string{"new", "open", "open", "pending", "hold", "solved", "solved", "solved", "closed", "closed",
		"closed", "closed", "closed", "closed", "closed", "closed", "closed", "closed", "closed", "closed"}
	priorities := []string{"", "low", "normal", "normal", "high", "urgent"}
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()
	const batch = 500
	err = w.DB.WithTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < n; start += batch {
			end := min(start+batch, n)
			var sb strings.Builder
			args := make([]any, 0, (end-start)*9)
			sb.WriteString(`INSERT INTO tickets (subject, description, status, priority, via_channel, requester_id, submitter_id,
			assignee_id, group_id, created_at, updated_at) VALUES `)
			for i := start; i < end; i++ {
				if i > start {
					sb.WriteString(", ")
				}
				k := len(args)
				fmt.Fprintf(&sb, "($%d, $%d, $%d, $%d, 'email', $%d, $%d, $%d, $%d, $%d, $%d)",
					k+1, k+2, k+3, k+4, k+5, k+5, k+6, k+7, k+8, k+9)
				st := statuses[i%len(statuses)]
				var assignee any
				if st != "new" && i%7 != 0 {
					assignee = agents[i%len(agents)]
				}
				created := base + int64(i)*60_000
				args = append(args, fmt.Sprintf("Order %d has not arrived yet", i), "Where is my parcel?", st,
					priorities[i%len(priorities)], requesters[i%len(requesters)], assignee, groups[i%len(groups)],
					created, created+int64(i%97)*3_600_000)
			}
			if _, err := tx.ExecContext(ctx, sb.String(), args...); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := w.DB.W.ExecContext(ctx, `ANALYZE`); err != nil {
		tb.Fatal(err)
	}
}
