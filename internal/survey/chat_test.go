package survey_test

import (
	"context"
	"database/sql"
	"testing"

	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/survey"
	"layan/internal/testkit"
)

// The chat widget's end-of-chat rating is an event; it becomes the ticket's
// CSAT response, so the KPIs count chat too.
func TestChatRatingsBecomeCSAT(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		s := survey.NewService(d, w.Tickets, survey.DefaultConfig(), w.Clock.Now, testkit.QuietLogger())
		tk := solved(t, w, w.Alice)
		rate := func(ticketID int64, score, comment string) {
			t.Helper()
			ev := events.Event{TicketID: ticketID, ActorID: w.Alice.UserID, Type: survey.EventChatRated, Field: "score",
				After: events.Str(score), CreatedAt: w.Clock.Now()}
			if comment != "" {
				ev.Before = events.Str(comment)
			}
			if err := d.WithTx(ctx, func(tx *sql.Tx) error { return events.Insert(ctx, tx, []events.Event{ev}) }); err != nil {
				t.Fatal(err)
			}
		}
		rate(tk.ID, "2", "slow")
		rate(tk.ID, "9", "") // off the scale: dropped
		if n, err := s.RecordChatRatings(ctx); err != nil || n != 2 {
			t.Fatalf("read %d, %v", n, err)
		}
		list, err := s.List(ctx, w.Admin, survey.ListQuery{Kind: survey.CSAT, Answered: true})
		if err != nil || len(list) != 1 || *list[0].Score != 2 || list[0].Comment != "slow" || list[0].TicketID != tk.ID {
			t.Fatalf("responses: %+v %v", list, err)
		}
		// A second rating replaces the first; the cursor moves on.
		rate(tk.ID, "5", "")
		if n, _ := s.RecordChatRatings(ctx); n != 1 {
			t.Fatalf("second batch: %d", n)
		}
		if n, _ := s.RecordChatRatings(ctx); n != 0 {
			t.Fatalf("read again: %d", n)
		}
		list, _ = s.List(ctx, w.Admin, survey.ListQuery{Kind: survey.CSAT, Answered: true})
		if len(list) != 1 || *list[0].Score != 5 || list[0].Comment != "slow" {
			t.Fatalf("after the second rating: %+v", list)
		}
	})
}
