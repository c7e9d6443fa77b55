package journey_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/db"
	"layan/internal/journey"
	"layan/internal/testkit"
)

func TestJourneyAndChurnRisk(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		s := journey.NewService(d, w.Clock.Now, testkit.QuietLogger())
		w.NewTicket(t, w.Bob, w.Support.ID, "one", "a")
		w.NewTicket(t, w.Bob, w.Support.ID, "two", "b")
		w.NewTicket(t, w.Carol, w.Support.ID, "only", "c")
		rec := func(e journey.Event) {
			t.Helper()
			if _, err := s.Record(ctx, w.Agent, e); err != nil {
				t.Fatal(err)
			}
		}
		rec(journey.Event{CustomerID: w.Alice.UserID, Type: "signup"})
		rec(journey.Event{CustomerID: w.Alice.UserID, Type: "purchase", ValueCents: 5000})
		rec(journey.Event{CustomerID: w.Alice.UserID, Type: "custom", Name: "upgraded plan", ValueCents: 1})
		rec(journey.Event{CustomerID: w.Bob.UserID, Type: "purchase", ValueCents: 1200})
		for _, bad := range []journey.Event{
			{CustomerID: w.Agent.UserID, Type: "signup"},
			{CustomerID: w.Alice.UserID, Type: "custom"},
			{CustomerID: w.Alice.UserID, Type: "refund"},
			{CustomerID: w.Alice.UserID, Type: "purchase", ValueCents: -1},
		} {
			if _, err := s.Record(ctx, w.Admin, bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
		if _, err := s.Record(ctx, w.Alice, journey.Event{CustomerID: w.Alice.UserID, Type: "signup"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer recording: %v", err)
		}
		w.Clock.Advance(5 * 7 * 24 * time.Hour)
		rec(journey.Event{CustomerID: w.Alice.UserID, Type: "cancellation"})
		j, err := s.ForCustomer(ctx, w.Agent, w.Alice.UserID)
		if err != nil || len(j.Events) != 4 || j.LifetimeValueCents != 5000 {
			t.Fatalf("journey: %+v %v", j, err)
		}
		// Alice cancelled (value 50.00 first); Bob wrote twice, then nothing for 5 weeks;
		// Carol wrote once: no pattern.
		rs, err := s.ChurnRisk(ctx, w.Admin, 4)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) != 2 || rs[0].CustomerID != w.Alice.UserID || rs[0].Reason != "cancelled" || rs[0].LifetimeValueCents != 5000 ||
			rs[1].CustomerID != w.Bob.UserID || rs[1].Reason != "silent" || rs[1].Tickets != 2 {
			t.Errorf("churn risk: %+v", rs)
		}
		if rs, _ := s.ChurnRisk(ctx, w.Admin, 6); len(rs) != 1 {
			t.Errorf("six silent weeks: %+v", rs)
		}
		if _, err := s.ChurnRisk(ctx, w.Agent, 4); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agent churn list: %v", err)
		}
	})
}
