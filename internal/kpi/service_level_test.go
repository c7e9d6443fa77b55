package kpi_test

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/automation"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/kpi"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

// serviceLevels scripts chats, logged work and SLA outcomes, written as the
// chat service, the ticket page's timer and the SLA engine write them. The
// clock starts on Monday 2026-11-02.
//
//	C1 Alice, chat, Support. Nov 2 10:00 requested; 10:02 Agent answers (waited 120 s);
//	   10:20 ended (18 min handled); 10:21 Agent solves: handling time 18 min.
//	C2 Bob, chat, Support. Nov 2 11:00 requested; 11:05 Bob leaves the queue: abandoned.
//	C3 Carol, chat, Billing. Nov 3 09:00 requested; 09:06 Admin answers (waited 360 s); still open.
//	T1 Alice, email, Support. Nov 3 10:00 created; 10:30 Agent logs 30 min; 11:00 Agent replies and
//	   solves (30 min; SLA first reply achieved); Nov 4 09:00 Alice replies (reopened); 09:30 Agent
//	   logs 15 min; 10:00 solves again (45 min before the last resolution; resolution achieved).
//	T2 Bob, email, Support. Nov 4 08:00 created; 12:00 Agent solves, no work logged (not in the
//	   handling sample; SLA first reply breached, resolution achieved).
//	Week 1: handling (18 + 45) / 2 = 31.5 min; speed of answer (120 + 360) / 2 = 240 s;
//	abandonment 1 / (1 + 2) = 33.3 %; SLA 3 achieved of 4 = 75 %.
func serviceLevels(t *testing.T, w *testkit.World) (t2 int64) {
	t.Helper()
	ctx := context.Background()
	sys := auth.SystemActor()
	at := func(day, hour, minute int) time.Time {
		t.Helper()
		target := time.Date(2026, 11, day, hour, minute, 0, 0, time.UTC)
		if target.Before(w.Clock.Now()) {
			t.Fatalf("clock would go back to %v", target)
		}
		w.Clock.Advance(target.Sub(w.Clock.Now()))
		return target
	}
	create := func(req auth.Actor, via string, group int64) int64 {
		t.Helper()
		tk, err := w.Tickets.Create(ctx, sys, ticket.NewTicket{Subject: "s", RequesterID: req.UserID, Via: via,
			GroupID: group, Comment: ticket.NewComment{Body: "help"}})
		if err != nil {
			t.Fatal(err)
		}
		return tk.ID
	}
	upd := func(a auth.Actor, id int64, pt ticket.Patch) {
		t.Helper()
		if _, err := w.Tickets.Update(ctx, a, id, pt); err != nil {
			t.Fatal(err)
		}
	}
	event := func(e events.Event) {
		t.Helper()
		e.CreatedAt = w.Clock.Now()
		if err := w.DB.WithTx(ctx, func(tx *sql.Tx) error { return events.Insert(ctx, tx, []events.Event{e}) }); err != nil {
			t.Fatal(err)
		}
	}
	logWork := func(id int64, d time.Duration, source string) { // the ticket page's timer or a manual entry
		t.Helper()
		if _, err := w.Tickets.LogWork(ctx, w.Agent, id, d, source); err != nil {
			t.Fatal(err)
		}
	}
	solve := func(a auth.Actor, id int64) {
		upd(a, id, ticket.Patch{Status: p("solved"), AssigneeID: p(a.UserID), Comment: &ticket.NewComment{Body: "done"}})
	}

	at(2, 10, 0)
	c1 := create(w.Alice, "chat", w.Support.ID)
	at(2, 10, 2)
	event(events.Event{TicketID: c1, ActorID: w.Agent.UserID, Type: kpi.EventChatAnswered, After: p("120000")})
	at(2, 10, 20)
	event(events.Event{TicketID: c1, ActorID: w.Agent.UserID, Type: kpi.EventChatEnded, After: p(`{"duration_ms":1200000,"handle_ms":1080000}`)})
	at(2, 10, 21)
	solve(w.Agent, c1)
	at(2, 11, 0)
	c2 := create(w.Bob, "chat", w.Support.ID)
	at(2, 11, 5)
	event(events.Event{TicketID: c2, ActorID: w.Bob.UserID, Type: kpi.EventChatAbandoned, After: p("300000")})
	event(events.Event{TicketID: c2, ActorID: w.Bob.UserID, Type: kpi.EventChatEnded, After: p(`{"duration_ms":300000,"handle_ms":0}`)})

	at(3, 9, 0)
	c3 := create(w.Carol, "chat", w.Billing.ID)
	at(3, 9, 6)
	event(events.Event{TicketID: c3, ActorID: w.Admin.UserID, Type: kpi.EventChatAnswered, After: p("360000")})
	at(3, 10, 0)
	t1 := create(w.Alice, "email", w.Support.ID)
	at(3, 10, 30)
	logWork(t1, 30*time.Minute, ticket.WorkTimer)
	at(3, 11, 0)
	solve(w.Agent, t1)
	event(events.Event{TicketID: t1, Type: kpi.EventSLAAchieved, Field: "first_reply_time"})
	at(4, 8, 0)
	t2 = create(w.Bob, "email", w.Support.ID)
	at(4, 9, 0)
	upd(w.Alice, t1, ticket.Patch{Comment: &ticket.NewComment{Body: "still broken"}})
	at(4, 9, 30)
	logWork(t1, 15*time.Minute, ticket.WorkManual)
	at(4, 10, 0)
	solve(w.Agent, t1)
	event(events.Event{TicketID: t1, Type: kpi.EventSLAAchieved, Field: "full_resolution_time"})
	at(4, 12, 0)
	event(events.Event{TicketID: t2, Type: kpi.EventSLABreached, Field: "first_reply_time"})
	solve(w.Agent, t2)
	event(events.Event{TicketID: t2, Type: kpi.EventSLAAchieved, Field: "full_resolution_time"})
	at(9, 9, 0)
	return t2
}

func TestServiceLevelFixture(t *testing.T) {
	t.Parallel()
	eachEngine(t, func(t *testing.T, d *db.DB, engine func(*kpi.Service) *kpi.Service) {
		w := testkit.NewWorld(t, d)
		t2 := serviceLevels(t, w)
		ctx := context.Background()
		s := engine(kpi.NewService(d, w.Clock.Now, testkit.QuietLogger()))

		r, err := s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqi(t, "resolved", r.Resolved, 3)
		eqi(t, "handled", r.HandledCount, 2)
		eqf(t, "handling", r.HandlingAvgMinutes, 31.5)
		eqi(t, "chats answered", r.ChatsAnswered, 2)
		eqf(t, "speed of answer", r.ChatASASeconds, 240)
		eqi(t, "chats abandoned", r.ChatsAbandoned, 1)
		eqf(t, "abandonment", r.ChatAbandonPercent, 100.0/3)
		eqi(t, "sla met", r.SLAMet, 3)
		eqi(t, "sla missed", r.SLAMissed, 1)
		eqf(t, "sla attainment", r.SLAAttainmentPercent, 75)
		for _, name := range []string{"handling_avg_minutes", "chat_asa_seconds", "chat_abandon_percent", "sla_attainment_percent"} {
			if !kpi.Known(name) || kpi.Value(r, name) == nil {
				t.Errorf("%s is not a reportable KPI", name)
			}
		}

		// First response in business hours (weekdays 09–17 UTC): C1 21 min, T1 1 h, and T2
		// (created 08:00, answered 12:00) 3 h instead of 4.
		eqf(t, "frt", r.FirstResponseAvgHours, (21.0/60+1+4)/3)
		eqf(t, "frt business without schedules: calendar", r.FirstResponseBusinessAvgHours, (21.0/60+1+4)/3)
		biz := engine(kpi.NewService(d, w.Clock.Now, testkit.QuietLogger()))
		biz.SetWorkingTime(func(context.Context) kpi.WorkingTime {
			day := automation.WeekdayHours(time.UTC, automation.Interval{Start: automation.HM(9, 0), End: automation.HM(17, 0)})
			return func(_ int64, from, to time.Time) time.Duration { return day.Elapsed(from, to) }
		})
		if _, err := biz.RebuildRollups(ctx); err != nil { // the facts measured calendar time so far
			t.Fatal(err)
		}
		rb, err := biz.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "frt business", rb.FirstResponseBusinessAvgHours, (21.0/60+1+3)/3)
		eqf(t, "frt calendar beside it", rb.FirstResponseAvgHours, (21.0/60+1+4)/3)

		// By day: T1's first resolution (Nov 3) had 30 min of work, its last (Nov 4) 45.
		days, err := s.Series(ctx, w.Admin, kpi.Query{From: w1From, To: w1To}, "day")
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "Nov 2 handling", days[0].HandlingAvgMinutes, 18)
		eqf(t, "Nov 2 abandonment", days[0].ChatAbandonPercent, 50)
		eqf(t, "Nov 3 handling", days[1].HandlingAvgMinutes, 30)
		eqf(t, "Nov 3 speed of answer", days[1].ChatASASeconds, 360)
		eqf(t, "Nov 4 handling", days[2].HandlingAvgMinutes, 45)
		eqf(t, "Nov 4 sla", days[2].SLAAttainmentPercent, 200.0/3)
		nilf(t, "Nov 5 handling", days[3].HandlingAvgMinutes)

		// Billing: only C3 (answered, not abandoned, nothing resolved).
		g, err := s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To, Filter: kpi.Filter{GroupID: w.Billing.ID}})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "billing speed of answer", g.ChatASASeconds, 360)
		eqf(t, "billing abandonment", g.ChatAbandonPercent, 0)
		nilf(t, "billing handling", g.HandlingAvgMinutes)
		nilf(t, "billing sla", g.SLAAttainmentPercent)

		// The chat channel alone; an agent's own figures (the chats they answered,
		// the tickets they resolved).
		c, err := s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To, Filter: kpi.Filter{Channel: "chat"}})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "chat handling", c.HandlingAvgMinutes, 18)
		eqf(t, "chat abandonment", c.ChatAbandonPercent, 100.0/3)
		a, err := s.Compute(ctx, w.Agent, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "agent speed of answer", a.ChatASASeconds, 120)
		eqf(t, "agent handling", a.HandlingAvgMinutes, 31.5)
		// T2's first reply was breached while it had no assignee: not the agent's.
		eqf(t, "agent sla", a.SLAAttainmentPercent, 100)

		// Work logged on Nov 9, after T2's resolution, does not change week 1:
		// handling time counts the work before the resolution.
		if _, err := w.Tickets.LogWork(ctx, w.Agent, t2, 10*time.Minute, ticket.WorkManual); err != nil {
			t.Fatal(err)
		}
		r, err = s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "handling after later work", r.HandlingAvgMinutes, 31.5)
	})
}
