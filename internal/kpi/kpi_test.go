package kpi_test

import (
	"context"
	"database/sql"
	"errors"
	"math"
	"strconv"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/kpi"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func p[T any](v T) *T { return &v }

var (
	w1From = time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	w1To   = time.Date(2026, 11, 9, 0, 0, 0, 0, time.UTC)
	w2To   = time.Date(2026, 11, 16, 0, 0, 0, 0, time.UTC)
)

// history scripts the fixture. The clock starts on Monday 2026-11-02 09:00 UTC.
//
//	T1 Alice, email, Support, tag billing. 09:00 created; 11:00 Agent replies and takes it (FRT 2 h);
//	   13:00 Agent solves (resolution 4 h, one reply, never reopened: FCR).
//	T2 Bob, web, Support. 13:00 created; 14:00 internal note (no response); 16:00 Agent replies and
//	   takes it (FRT 3 h); 17:00 reassigned to Admin (transfer) and priority urgent (escalation);
//	   18:00 Admin replies and solves; Nov 3 10:00 Bob replies (reopened); 12:00 Admin solves again
//	   (resolution 23 h to the last solve).
//	T3 Carol, email, Billing, tag shipping. Nov 3 13:00 created; 14:00 moved to Support (transfer);
//	   never answered: backlog.
//	T4 Alice, web, Support. Nov 4 09:00 created, 10:00 deleted: counts nowhere.
//	T5 Bob, email, Support. Nov 9 09:00 created (the second week).
func history(t *testing.T, w *testkit.World) (ids [5]int64) {
	t.Helper()
	ctx := context.Background()
	sys := auth.SystemActor()
	create := func(req auth.Actor, via string, group int64, tags ...string) int64 {
		tk, err := w.Tickets.Create(ctx, sys, ticket.NewTicket{Subject: "s", RequesterID: req.UserID, Via: via,
			GroupID: group, Tags: tags, Comment: ticket.NewComment{Body: "help"}})
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
	reply := func(body string) *ticket.NewComment { return &ticket.NewComment{Body: body} }
	at := func(day, hour int) {
		t.Helper()
		target := time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC)
		if target.Before(w.Clock.Now()) {
			t.Fatalf("clock would go back to %v", target)
		}
		w.Clock.Advance(target.Sub(w.Clock.Now()))
	}
	at(2, 9)
	ids[0] = create(w.Alice, "email", w.Support.ID, "billing")
	at(2, 11)
	upd(w.Agent, ids[0], ticket.Patch{AssigneeID: p(w.Agent.UserID), Comment: reply("hello")})
	at(2, 13)
	upd(w.Agent, ids[0], ticket.Patch{Status: p("solved")})
	ids[1] = create(w.Bob, "web", w.Support.ID)
	at(2, 14)
	upd(w.Agent, ids[1], ticket.Patch{Comment: &ticket.NewComment{Body: "note", Public: p(false)}})
	at(2, 16)
	upd(w.Agent, ids[1], ticket.Patch{AssigneeID: p(w.Agent.UserID), Comment: reply("looking")})
	at(2, 17)
	upd(w.Agent, ids[1], ticket.Patch{AssigneeID: p(w.Admin.UserID), Priority: p("urgent")})
	at(2, 18)
	upd(w.Admin, ids[1], ticket.Patch{Status: p("solved"), Comment: reply("fixed")})
	at(3, 10)
	upd(w.Bob, ids[1], ticket.Patch{Comment: reply("still broken")})
	at(3, 12)
	upd(w.Admin, ids[1], ticket.Patch{Status: p("solved")})
	at(3, 13)
	ids[2] = create(w.Carol, "email", w.Billing.ID, "shipping")
	at(3, 14)
	upd(w.Admin, ids[2], ticket.Patch{GroupID: p(w.Support.ID)})
	at(4, 9)
	ids[3] = create(w.Alice, "web", w.Support.ID)
	at(4, 10)
	if err := w.Tickets.Delete(ctx, w.Admin, ids[3]); err != nil {
		t.Fatal(err)
	}
	at(9, 9)
	ids[4] = create(w.Bob, "email", w.Support.ID)

	// Surveys, customer events and deflections, written as their services would.
	ms := func(day, hour int) int64 { return db.Millis(time.Date(2026, 11, day, hour, 0, 0, 0, time.UTC)) }
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := w.DB.W.ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	survey := func(kind string, tk, cust, agent, group int64, channel string, score int, at int64) {
		exec(`INSERT INTO survey_responses (kind, ticket_id, customer_id, agent_id, group_id, channel, score, offered_at, answered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8)`, kind, db.NullID(tk), cust, db.NullID(agent), db.NullID(group), channel, score, at)
	}
	// CSAT: 5 and 4 are good, 2 is bad: 2 of 3 = 66.67 %.
	survey("csat", ids[0], w.Alice.UserID, w.Agent.UserID, w.Support.ID, "email", 5, ms(2, 14))
	survey("csat", ids[1], w.Bob.UserID, w.Admin.UserID, w.Support.ID, "web", 2, ms(3, 13))
	survey("csat", ids[2], w.Carol.UserID, 0, w.Support.ID, "email", 4, ms(5, 9))
	// NPS: 10 and 9 promoters, 3 detractor, 7 passive: (2 - 1) / 4 = +25.
	survey("nps", 0, w.Alice.UserID, 0, 0, "", 10, ms(4, 9))
	survey("nps", 0, w.Carol.UserID, 0, 0, "", 9, ms(4, 9))
	survey("nps", 0, w.Bob.UserID, 0, 0, "", 3, ms(4, 9))
	survey("nps", 0, w.Bob.UserID, 0, 0, "", 7, ms(5, 9))
	// CES: (2 + 5) / 2 = 3.5.
	survey("ces", ids[0], w.Alice.UserID, w.Agent.UserID, w.Support.ID, "email", 2, ms(2, 15))
	survey("ces", ids[1], w.Bob.UserID, w.Admin.UserID, w.Support.ID, "web", 5, ms(3, 14))
	// Retention: Alice, Bob (cancelled in September, bought again in October) and Carol are
	// customers on Nov 2; Carol cancels on Nov 5: 2 of 3 = 66.67 %. Week 2: 2 of 2 = 100 %.
	cust := func(id int64, typ string, at time.Time) {
		exec(`INSERT INTO customer_events (customer_id, type, occurred_at, created_at) VALUES ($1, $2, $3, $3)`, id, typ, db.Millis(at))
	}
	cust(w.Alice.UserID, "signup", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC))
	cust(w.Bob.UserID, "cancellation", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC))
	cust(w.Bob.UserID, "purchase", time.Date(2026, 10, 15, 0, 0, 0, 0, time.UTC))
	cust(w.Carol.UserID, "signup", time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC))
	cust(w.Carol.UserID, "cancellation", time.Date(2026, 11, 5, 0, 0, 0, 0, time.UTC))
	// Deflections: two in week 1: 2 / (2 + 3 tickets) = 40 %.
	defl := []events.Event{
		{ActorID: w.Bob.UserID, Type: kpi.EventDeflection, Field: "article", After: p(`{"how":"solved"}`), CreatedAt: time.Date(2026, 11, 3, 8, 0, 0, 0, time.UTC)},
		{ActorID: w.Alice.UserID, Type: kpi.EventDeflection, Field: "faq", After: p(`{"how":"left"}`), CreatedAt: time.Date(2026, 11, 6, 8, 0, 0, 0, time.UTC)},
	}
	if err := w.DB.WithTx(ctx, func(tx *sql.Tx) error { return events.Insert(ctx, tx, defl) }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func eqf(t *testing.T, name string, got *float64, want float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %v", name, want)
		return
	}
	if math.Abs(*got-want) > 0.01 {
		t.Errorf("%s = %v, want %v", name, *got, want)
	}
}

func nilf(t *testing.T, name string, got *float64) {
	t.Helper()
	if got != nil {
		t.Errorf("%s = %v, want none", name, *got)
	}
}

func eqi(t *testing.T, name string, got, want int) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %d, want %d", name, got, want)
	}
}

// eachEngine runs fn on the rollups and on the replay, each on fresh databases.
func eachEngine(t *testing.T, fn func(t *testing.T, d *db.DB, engine func(*kpi.Service) *kpi.Service)) {
	for name, engine := range map[string]func(*kpi.Service) *kpi.Service{
		"rollups": func(s *kpi.Service) *kpi.Service { return s },
		"replay":  func(s *kpi.Service) *kpi.Service { return s.ReplayEngine() },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testkit.EachDB(t, func(t *testing.T, d *db.DB) { fn(t, d, engine) })
		})
	}
}

// eachHistory runs fn on the fixture's history (the clock then Monday Nov 9
// 09:00), with each engine on fresh databases.
func eachHistory(t *testing.T, fn func(t *testing.T, w *testkit.World, s *kpi.Service)) {
	eachEngine(t, func(t *testing.T, d *db.DB, engine func(*kpi.Service) *kpi.Service) {
		w := testkit.NewWorld(t, d)
		history(t, w)
		fn(t, w, engine(kpi.NewService(d, w.Clock.Now, testkit.QuietLogger())))
	})
}

func TestFixture(t *testing.T) {
	t.Parallel()
	eachHistory(t, func(t *testing.T, w *testkit.World, s *kpi.Service) {
		ctx := context.Background()

		r, err := s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqi(t, "created", r.Created, 3)
		eqi(t, "resolved", r.Resolved, 2)
		eqi(t, "reopened", r.Reopened, 1)
		eqi(t, "backlog", r.Backlog, 1)
		eqi(t, "first responses", r.FirstResponseCount, 2)
		eqf(t, "frt avg", r.FirstResponseAvgHours, 2.5)
		eqf(t, "frt median", r.FirstResponseMedianHours, 2.5)
		eqf(t, "resolution avg", r.ResolutionAvgHours, 13.5)
		eqf(t, "resolution median", r.ResolutionMedianHours, 13.5)
		eqf(t, "fcr", r.FCRPercent, 50)
		eqf(t, "escalation", r.EscalationPercent, 50)
		eqf(t, "transfer", r.TransferPercent, 50)
		eqi(t, "transfer events", r.TransferEvents, 2)
		eqi(t, "csat n", r.CSATResponses, 3)
		eqf(t, "csat", r.CSATPercent, 200.0/3)
		eqi(t, "nps n", r.NPSResponses, 4)
		eqf(t, "nps", r.NPS, 25)
		eqf(t, "ces", r.CESAverage, 3.5)
		eqf(t, "retention", r.RetentionPercent, 200.0/3)
		eqi(t, "deflections", r.Deflections, 2)
		eqf(t, "deflection", r.DeflectionPercent, 40)
		eqi(t, "email", r.VolumeByChannel["email"], 2)
		eqi(t, "web", r.VolumeByChannel["web"], 1)
		eqi(t, "support", r.VolumeByGroup[itoa(w.Support.ID)], 2)
		eqi(t, "billing (at creation)", r.VolumeByGroup[itoa(w.Billing.ID)], 1)
		eqi(t, "tag billing", r.VolumeByTag["billing"], 1)
		eqi(t, "tag shipping", r.VolumeByTag["shipping"], 1)

		// By group: T3 was created in Billing, so it is not Support's volume, but it is
		// Support's backlog now; its transfer happened while it was in Billing.
		g, err := s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To, Filter: kpi.Filter{GroupID: w.Support.ID}})
		if err != nil {
			t.Fatal(err)
		}
		eqi(t, "support created", g.Created, 2)
		eqi(t, "support resolved", g.Resolved, 2)
		eqi(t, "support backlog", g.Backlog, 1)
		eqi(t, "support transfer events", g.TransferEvents, 1)
		eqi(t, "support csat n", g.CSATResponses, 3)
		nilf(t, "support retention", g.RetentionPercent)
		nilf(t, "support deflection", g.DeflectionPercent)

		// An agent sees their own figures: first responses they wrote, tickets solved while theirs.
		a, err := s.Compute(ctx, w.Agent, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqi(t, "agent first responses", a.FirstResponseCount, 2)
		eqi(t, "agent resolved", a.Resolved, 1)
		eqf(t, "agent resolution", a.ResolutionAvgHours, 4)
		eqf(t, "agent fcr", a.FCRPercent, 100)
		eqi(t, "agent csat n", a.CSATResponses, 1)
		eqf(t, "agent csat", a.CSATPercent, 100)
		if _, err := s.Compute(ctx, w.Agent, kpi.Query{From: w1From, To: w1To, Filter: kpi.Filter{AgentID: w.Admin.UserID}}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agent reading another agent: %v", err)
		}
		if _, err := s.Compute(ctx, w.Alice, kpi.Query{From: w1From, To: w1To}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer reading KPIs: %v", err)
		}

		// Weekly series: the second week has T5 only, and nothing resolved.
		ser, err := s.Series(ctx, w.Admin, kpi.Query{From: w1From, To: w2To}, "week")
		if err != nil {
			t.Fatal(err)
		}
		if len(ser) != 2 {
			t.Fatalf("series has %d buckets", len(ser))
		}
		eqi(t, "week 1 created", ser[0].Created, 3)
		eqi(t, "week 2 created", ser[1].Created, 1)
		eqi(t, "week 2 backlog", ser[1].Backlog, 2)
		eqi(t, "week 2 resolved", ser[1].Resolved, 0)
		nilf(t, "week 2 resolution", ser[1].ResolutionAvgHours)
		eqf(t, "week 2 retention", ser[1].RetentionPercent, 100)
		eqf(t, "week 2 deflection", ser[1].DeflectionPercent, 0)
		days, err := s.Series(ctx, w.Admin, kpi.Query{From: w1From, To: w1To}, "day")
		if err != nil {
			t.Fatal(err)
		}
		eqi(t, "days", len(days), 7)
		eqi(t, "Nov 2 resolved", days[0].Resolved, 2)
		eqi(t, "Nov 3 resolved", days[1].Resolved, 1)
		eqi(t, "Nov 3 reopened", days[1].Reopened, 1)
		eqf(t, "Nov 3 resolution", days[1].ResolutionAvgHours, 23)

		// A late event (an import written today about Nov 4) changes week 1 at the next read:
		// nothing is cached. The bot's deflection on Nov 4 makes 3 / (3 + 3) = 50 %.
		late := []events.Event{{ActorID: w.Bob.UserID, Type: kpi.EventDeflection, Field: "article", After: p(`{"how":"solved"}`),
			CreatedAt: time.Date(2026, 11, 4, 12, 0, 0, 0, time.UTC)}}
		if err := w.DB.WithTx(ctx, func(tx *sql.Tx) error { return events.Insert(ctx, tx, late) }); err != nil {
			t.Fatal(err)
		}
		r, err = s.Compute(ctx, w.Admin, kpi.Query{From: w1From, To: w1To})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "deflection after a late event", r.DeflectionPercent, 50)
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestPairWarnings(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	prev := kpi.Result{ResolutionAvgHours: f(10), CSATPercent: f(90), FirstResponseAvgHours: f(2), NPS: f(20), RetentionPercent: f(95)}
	cur := kpi.Result{ResolutionAvgHours: f(6), CSATPercent: f(80), FirstResponseAvgHours: f(3), NPS: f(30), RetentionPercent: f(95)}
	ws := kpi.PairWarnings(cur, prev)
	// Resolution faster but CSAT down: a warning. First response slower and CSAT down: both
	// worse, no pair warning. NPS up, retention flat: none.
	if len(ws) != 1 || ws[0].Improved != "resolution_avg_hours" || ws[0].Worsened != "csat_percent" || ws[0].Change != -4 || ws[0].Partner != -10 {
		t.Fatalf("warnings: %+v", ws)
	}
	cur.RetentionPercent = f(90)
	if ws := kpi.PairWarnings(cur, prev); len(ws) != 2 || ws[1].Improved != "nps" {
		t.Fatalf("nps ↔ retention: %+v", ws)
	}
}

func TestGoals(t *testing.T) {
	t.Parallel()
	eachHistory(t, func(t *testing.T, w *testkit.World, s *kpi.Service) {
		ctx := context.Background()
		deadline := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC) // weeks of Nov 2, 9, 16, 23
		if _, err := s.CreateGoal(ctx, w.Agent, kpi.Goal{Name: "x", KPI: "created", Target: 1, StartAt: w1From, Deadline: deadline}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agent setting a goal: %v", err)
		}
		if _, err := s.CreateGoal(ctx, w.Admin, kpi.Goal{Name: "x", KPI: "nope", Target: 1, Deadline: deadline}); err == nil {
			t.Error("unknown KPI accepted")
		}
		vol, err := s.CreateGoal(ctx, w.Admin, kpi.Goal{Name: "Volume", KPI: "created", Target: 2, StartAt: w1From, Deadline: deadline})
		if err != nil {
			t.Fatal(err)
		}
		res, err := s.CreateGoal(ctx, w.Admin, kpi.Goal{Name: "Fast", KPI: "resolution_avg_hours", Target: 20, StartAt: w1From,
			Deadline: deadline, OwnerGroupID: w.Support.ID})
		if err != nil {
			t.Fatal(err)
		}
		// Volume: weeks 3 and 1 (so far): the line 3 − 2x gives −3 in week 3 (index 3): off track.
		p1, err := s.GoalProgress(ctx, w.Admin, vol.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(p1.Points) != 2 || p1.Status != "off_track" {
			t.Errorf("volume progress: %+v", p1)
		}
		eqf(t, "volume current", p1.Current, 1)
		eqf(t, "volume projected", p1.Projected, -3)
		// Resolution time for Support: 13.5 h in week 1, no data in week 2: flat, on track.
		p2, err := s.GoalProgress(ctx, w.Agent, res.ID)
		if err != nil {
			t.Fatal(err)
		}
		if p2.Status != "on_track" || p2.Points[1].Value != nil {
			t.Errorf("resolution progress: %+v", p2)
		}
		eqf(t, "resolution projected", p2.Projected, 13.5)
		// Agents see their groups' goals only; customers none.
		if gs, _ := s.Goals(ctx, w.Agent); len(gs) != 1 || gs[0].ID != res.ID {
			t.Errorf("agent goals: %+v", gs)
		}
		if _, err := s.GoalProgress(ctx, w.Restricted, res.ID); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("other group's goal: %v", err)
		}
		if _, err := s.Goals(ctx, w.Alice); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("customer goals: %v", err)
		}
		// After the deadline: achieved or missed.
		w.Clock.Advance(30 * 24 * time.Hour)
		if p, _ := s.GoalProgress(ctx, w.Admin, res.ID); p.Status != "achieved" {
			t.Errorf("after the deadline: %s", p.Status)
		}
		if p, _ := s.GoalProgress(ctx, w.Admin, vol.ID); p.Status != "missed" || len(p.Points) != 4 {
			t.Errorf("volume after the deadline: %s %d", p.Status, len(p.Points))
		}
		if err := s.DeleteGoal(ctx, w.Admin, vol.ID); err != nil {
			t.Fatal(err)
		}
	})
}
