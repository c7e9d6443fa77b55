package survey_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/survey"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func p[T any](v T) *T { return &v }

func solved(t *testing.T, w *testkit.World, req auth.Actor) ticket.Ticket {
	t.Helper()
	tk, err := w.Tickets.Create(context.Background(), w.Agent, ticket.NewTicket{Subject: "s", RequesterID: req.UserID,
		GroupID: w.Support.ID, AssigneeID: w.Agent.UserID, Via: "email", Comment: ticket.NewComment{Body: "b"}})
	if err != nil {
		t.Fatal(err)
	}
	tk, err = w.Tickets.Update(context.Background(), w.Agent, tk.ID, ticket.Patch{Status: p("solved")})
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

func TestSurveys(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		s := survey.NewService(d, w.Tickets, survey.DefaultConfig(), w.Clock.Now, testkit.QuietLogger())
		sys := auth.SystemActor()
		t1, t2 := solved(t, w, w.Alice), solved(t, w, w.Bob)

		r1, ok, err := s.OfferForTicket(ctx, sys, t1.ID, survey.CSAT)
		if err != nil || !ok {
			t.Fatalf("offer: %v %v", ok, err)
		}
		if r1.AgentID != w.Agent.UserID || r1.GroupID != w.Support.ID || r1.Channel != "email" || r1.CustomerID != w.Alice.UserID {
			t.Errorf("offer not tied to the ticket: %+v", r1)
		}
		if _, ok, _ := s.OfferForTicket(ctx, sys, t1.ID, survey.CSAT); ok {
			t.Error("offered twice for one ticket")
		}
		r2, _, err := s.OfferForTicket(ctx, sys, t2.ID, survey.CSAT)
		if err != nil {
			t.Fatal(err)
		}
		tok1, err := s.Token(ctx, r1)
		if err != nil {
			t.Fatal(err)
		}
		tok2, _ := s.Token(ctx, r2)
		// Forgeries: another id with this signature, a changed signature, garbage.
		_, sig1, _ := strings.Cut(tok1, ".")
		id2, _, _ := strings.Cut(tok2, ".")
		for _, bad := range []string{id2 + "." + sig1, tok1[:len(tok1)-1] + "A", tok1 + "x", "1", "", "x.y"} {
			if bad == tok1 {
				continue
			}
			if _, err := s.AnswerByToken(ctx, bad, 1, nil); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("forged token %q: %v", bad, err)
			}
		}
		if _, err := s.AnswerByToken(ctx, tok1, 6, nil); err == nil {
			t.Error("CSAT score 6 accepted")
		}
		good, _ := survey.ParseScore("good")
		got, err := s.AnswerByToken(ctx, tok1, good, p("  quick and kind "))
		if err != nil || got.Score == nil || *got.Score != 5 || got.Comment != "quick and kind" || got.AnsweredAt.IsZero() {
			t.Fatalf("answer: %+v %v", got, err)
		}
		// A one-click change keeps the comment.
		got, err = s.AnswerByToken(ctx, tok1, 4, nil)
		if err != nil || *got.Score != 4 || got.Comment != "quick and kind" {
			t.Fatalf("change: %+v %v", got, err)
		}

		// The requester rates through the API; nobody else may.
		if _, err := s.RateTicket(ctx, w.Carol, t2.ID, 1, nil); err == nil {
			t.Error("Carol rated Bob's ticket")
		}
		if r, err := s.RateTicket(ctx, w.Bob, t2.ID, 1, p("slow")); err != nil || *r.Score != 1 || r.ID != r2.ID {
			t.Errorf("Bob rates: %+v %v", r, err)
		}

		// Results: admins all, agents their own, customers nothing.
		if l, err := s.List(ctx, w.Admin, survey.ListQuery{Kind: survey.CSAT}); err != nil || len(l) != 2 {
			t.Errorf("admin list: %d %v", len(l), err)
		}
		if l, err := s.List(ctx, w.Restricted, survey.ListQuery{}); err != nil || len(l) != 0 {
			t.Errorf("other agent list: %d %v", len(l), err)
		}
		if _, err := s.List(ctx, w.Alice, survey.ListQuery{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer list: %v", err)
		}
		if _, err := s.Get(ctx, w.Restricted, r1.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other agent show: %v", err)
		}

		// NPS: sampled, at most once per 90 days, never within 7 days of another survey.
		s.Sample = func() float64 { return 0.1 }
		if _, ok, _ := s.OfferNPS(ctx, sys, w.Alice.UserID); ok {
			t.Error("NPS offered the day after a CSAT survey")
		}
		w.Clock.Advance(8 * 24 * time.Hour)
		n1, ok, err := s.OfferNPS(ctx, sys, w.Alice.UserID)
		if err != nil || !ok {
			t.Fatalf("nps: %v %v", ok, err)
		}
		w.Clock.Advance(30 * 24 * time.Hour)
		if _, ok, _ := s.OfferNPS(ctx, sys, w.Alice.UserID); ok {
			t.Error("NPS offered twice in 90 days")
		}
		w.Clock.Advance(61 * 24 * time.Hour)
		s.Sample = func() float64 { return 0.9 }
		if _, ok, _ := s.OfferNPS(ctx, sys, w.Alice.UserID); ok {
			t.Error("NPS offered to a customer outside the sample")
		}
		s.Sample = func() float64 { return 0.2 }
		if _, ok, _ := s.OfferNPS(ctx, sys, w.Alice.UserID); !ok {
			t.Error("NPS not offered after the cooldown")
		}
		tokN, _ := s.Token(ctx, n1)
		if _, err := s.AnswerByToken(ctx, tokN, 11, nil); err == nil {
			t.Error("NPS 11 accepted")
		}
		if r, err := s.AnswerByToken(ctx, tokN, 0, p("why")); err != nil || *r.Score != 0 {
			t.Errorf("NPS 0: %+v %v", r, err)
		}
		if _, _, err := s.OfferNPS(ctx, w.Agent, w.Bob.UserID); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agent offering: %v", err)
		}

		// Solving a ticket offers CSAT and CES from the bus.
		stop := s.Watch(w.Bus)
		defer stop()
		t3 := solved(t, w, w.Carol)
		deadline := time.Now().Add(5 * time.Second)
		for {
			l, _ := s.List(ctx, w.Admin, survey.ListQuery{})
			n := 0
			for _, r := range l {
				if r.TicketID == t3.ID {
					n++
				}
			}
			if n == 2 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("watch offered %d surveys for the solved ticket", n)
			}
			time.Sleep(10 * time.Millisecond)
		}
	})
}
