package kpi_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"layan/internal/automation"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/kpi"
	"layan/internal/testkit"
)

// gen writes a random history straight into tickets and events (through
// events.Insert, so kpi_dirty is written as in production): status walks with
// reopenings and several resolutions, replies, notes, assignments, transfers,
// escalations, tag and organisation changes, deletions, plus surveys,
// deflections and customer events.
type gen struct {
	t       *testing.T
	w       *testkit.World
	r       *rand.Rand
	base    time.Time
	staff   []int64
	custs   []int64
	groups  []int64
	orgs    map[int64]int64 // customer → organisation (0 = none)
	tickets []*gticket
}

type gticket struct {
	id                     int64
	requester              int64
	status, priority, tags string
	group, assignee, org   int64
	last                   time.Time
	deleted                bool
}

func (g *gen) exec(q string, args ...any) {
	g.t.Helper()
	if _, err := g.w.DB.W.ExecContext(context.Background(), q, args...); err != nil {
		g.t.Fatal(err)
	}
}

func (g *gen) insert(evs []events.Event) {
	g.t.Helper()
	if err := g.w.DB.WithTx(context.Background(), func(tx *sql.Tx) error { return events.Insert(context.Background(), tx, evs) }); err != nil {
		g.t.Fatal(err)
	}
}

func str(v int64) *string {
	if v == 0 {
		return nil
	}
	s := strconv.FormatInt(v, 10)
	return &s
}

func (g *gen) pick(xs []int64) int64 { return xs[g.r.IntN(len(xs))] }

var tagPool = []string{"billing", "shipping", "vip", "escalated"}

func (g *gen) randomTags() string {
	var ts []string
	for _, t := range tagPool[:3] {
		if g.r.IntN(3) == 0 {
			ts = append(ts, t)
		}
	}
	return strings.Join(ts, " ")
}

// ticket creates a ticket at `at` and walks it for up to steps actions.
func (g *gen) ticket(at time.Time, steps int) {
	ctx := context.Background()
	tk := &gticket{requester: g.pick(g.custs), status: "new", priority: "normal", tags: g.randomTags()}
	tk.org = g.orgs[tk.requester]
	if g.r.IntN(4) > 0 {
		tk.group = g.pick(g.groups)
	}
	channel := []string{"email", "web", "chat"}[g.r.IntN(3)]
	err := g.w.DB.W.QueryRowContext(ctx, `INSERT INTO tickets (subject, status, priority, via_channel, requester_id, submitter_id,
		group_id, organization_id, tags, created_at, updated_at) VALUES ('s', 'new', 'normal', $1, $2, $2, $3, $4, $5, $6, $6) RETURNING id`,
		channel, tk.requester, db.NullID(tk.group), db.NullID(tk.org), tk.tags, db.Millis(at)).Scan(&tk.id)
	if err != nil {
		g.t.Fatal(err)
	}
	g.tickets = append(g.tickets, tk)
	tk.last = at
	g.insert([]events.Event{
		{TicketID: tk.id, ActorID: tk.requester, Type: events.TicketCreated, Field: "status", After: events.Str("new"), CreatedAt: at},
		{TicketID: tk.id, ActorID: tk.requester, Type: events.CommentAdded, Field: "public", CreatedAt: at},
	})
	for range steps {
		g.step(tk, tk.last.Add(time.Duration(g.r.IntN(60*60*30))*time.Second))
	}
}

// step applies one random action to tk at `at` (which may be before its
// last event: a backdated write).
func (g *gen) step(tk *gticket, at time.Time) {
	if tk.deleted {
		return
	}
	if at.After(tk.last) {
		tk.last = at
	}
	id := tk.id
	var evs []events.Event
	ev := func(actor int64, typ, field string, before, after *string) {
		evs = append(evs, events.Event{TicketID: id, ActorID: actor, Type: typ, Field: field, Before: before, After: after, CreatedAt: at})
	}
	setStatus := func(actor int64, s string) {
		old := tk.status
		ev(actor, events.StatusChanged, "status", events.Str(old), events.Str(s))
		if old == "solved" && (s == "new" || s == "open" || s == "pending" || s == "hold") {
			ev(actor, events.Reopened, "status", events.Str(old), events.Str(s))
		}
		tk.status = s
	}
	agent := g.pick(g.staff)
	if n := g.r.IntN(100); n < 15 { // service levels: chats, logged work, SLA outcomes
		switch n % 5 {
		case 0:
			ev(agent, kpi.EventChatAnswered, "", nil, str(g.r.Int64N(600_000)))
		case 1:
			ev(tk.requester, kpi.EventChatAbandoned, "", nil, str(g.r.Int64N(600_000)))
		case 2:
			ev(agent, kpi.EventChatEnded, "", nil, events.Str(fmt.Sprintf(`{"duration_ms":5,"handle_ms":%d}`, g.r.Int64N(1_800_000))))
		case 3:
			ev(agent, kpi.EventWorkLogged, "timer", nil, str(1000+g.r.Int64N(3_600_000)))
		case 4:
			ev(0, []string{kpi.EventSLAAchieved, kpi.EventSLABreached}[g.r.IntN(2)], "first_reply_time", nil, nil)
		}
		g.insert(evs)
		return
	}
	switch n := g.r.IntN(100); {
	case n < 25: // a staff reply, often taking the ticket
		ev(agent, events.CommentAdded, "public", nil, nil)
		if tk.assignee == 0 && g.r.IntN(2) == 0 {
			ev(agent, events.Assigned, "assignee_id", nil, str(agent))
			tk.assignee = agent
		}
		if tk.status == "new" {
			setStatus(agent, "open")
		}
	case n < 32:
		ev(agent, events.CommentAdded, "private", nil, nil)
	case n < 42: // the customer answers: a solved ticket reopens
		ev(tk.requester, events.CommentAdded, "public", nil, nil)
		if tk.status == "solved" || tk.status == "pending" {
			setStatus(tk.requester, "open")
		}
	case n < 50:
		if tk.assignee != 0 && tk.assignee != agent {
			ev(agent, events.Reassigned, "assignee_id", str(tk.assignee), str(agent))
			tk.assignee = agent
		}
	case n < 57:
		ng := g.pick(g.groups)
		if ng != tk.group {
			ev(agent, events.FieldChanged, "group_id", str(tk.group), str(ng))
			tk.group = ng
		}
	case n < 62:
		np := []string{"low", "normal", "high", "urgent"}[g.r.IntN(4)]
		ev(agent, events.FieldChanged, "priority", events.Str(tk.priority), events.Str(np))
		tk.priority = np
	case n < 67:
		nt := g.randomTags()
		if g.r.IntN(3) == 0 {
			nt = strings.TrimSpace(nt + " escalated")
		}
		ev(agent, events.FieldChanged, "tags", events.Str(tk.tags), events.Str(nt))
		tk.tags = nt
	case n < 69:
		no := int64(0)
		if g.r.IntN(2) == 0 {
			no = g.w.Acme.ID
		}
		ev(agent, events.FieldChanged, "organization_id", str(tk.org), str(no))
		tk.org = no
	case n < 88:
		if tk.status != "solved" && tk.status != "closed" {
			if g.r.IntN(3) == 0 {
				ev(agent, events.CommentAdded, "public", nil, nil)
			}
			setStatus(agent, "solved")
		}
	case n < 92:
		if tk.status == "solved" {
			setStatus(agent, "closed")
		}
	case n < 96:
		if tk.status == "open" {
			setStatus(agent, []string{"pending", "hold"}[g.r.IntN(2)])
		}
	case n < 98:
		if tk.status == "solved" {
			setStatus(agent, "open") // an agent reopens
		}
	default:
		ev(agent, events.TicketDeleted, "", nil, nil)
		tk.deleted = true
	}
	if len(evs) == 0 {
		return
	}
	g.insert(evs)
	g.exec(`UPDATE tickets SET status = $1, priority = $2, tags = $3, group_id = $4, assignee_id = $5, organization_id = $6,
		deleted_at = $7 WHERE id = $8`, tk.status, tk.priority, tk.tags, db.NullID(tk.group), db.NullID(tk.assignee), db.NullID(tk.org),
		map[bool]any{true: db.Millis(at), false: nil}[tk.deleted], tk.id)
}

// extras writes surveys, deflections and customer events in [from, to).
func (g *gen) extras(from time.Time, days int) {
	at := func() time.Time { return from.Add(time.Duration(g.r.Int64N(int64(days) * int64(24*time.Hour)))) }
	for range 40 {
		kind := []string{"csat", "nps", "ces"}[g.r.IntN(3)]
		score := map[string]int{"csat": 1 + g.r.IntN(5), "nps": g.r.IntN(11), "ces": 1 + g.r.IntN(7)}[kind]
		ms := db.Millis(at())
		g.exec(`INSERT INTO survey_responses (kind, customer_id, agent_id, group_id, channel, score, offered_at, answered_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $7)`, kind, g.pick(g.custs), db.NullID(g.pick(g.staff)), db.NullID(g.pick(g.groups)),
			[]string{"email", "web", "chat"}[g.r.IntN(3)], score, ms)
	}
	for range 10 {
		g.insert([]events.Event{{ActorID: g.pick(g.custs), Type: kpi.EventDeflection, Field: "article", CreatedAt: at()}})
	}
	for range 12 {
		typ := []string{"signup", "purchase", "cancellation"}[g.r.IntN(3)]
		ms := db.Millis(at())
		g.exec(`INSERT INTO customer_events (customer_id, type, occurred_at, created_at) VALUES ($1, $2, $3, $3)`, g.pick(g.custs), typ, ms)
	}
}

func newGen(t *testing.T, w *testkit.World, seed uint64) *gen {
	g := &gen{t: t, w: w, r: rand.New(rand.NewPCG(seed, 7)), base: time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC),
		staff:  []int64{w.Agent.UserID, w.Admin.UserID, w.Restricted.UserID, w.Light.UserID},
		custs:  []int64{w.Alice.UserID, w.Bob.UserID, w.Carol.UserID},
		groups: []int64{w.Support.ID, w.Billing.ID},
		orgs:   map[int64]int64{}}
	g.exec(`UPDATE users SET locale = 'id' WHERE id = $1`, w.Bob.UserID)
	g.exec(`UPDATE users SET locale = 'fa' WHERE id = $1`, w.Carol.UserID)
	var org sql.NullInt64
	for _, c := range g.custs {
		if err := w.DB.R.QueryRow(`SELECT organization_id FROM users WHERE id = $1`, c).Scan(&org); err != nil {
			t.Fatal(err)
		}
		g.orgs[c] = org.Int64
	}
	return g
}

// same reports the first difference between two results, or "".
func same(got, want kpi.Result) string {
	fl := func(name string, g, w *float64) string {
		if kpi.Agree(g, w) {
			return ""
		}
		return fmt.Sprintf("%s: rollups %v, replay %v", name, deref(g), deref(w))
	}
	checks := []string{
		fl("frt avg", got.FirstResponseAvgHours, want.FirstResponseAvgHours),
		fl("frt median", got.FirstResponseMedianHours, want.FirstResponseMedianHours),
		fl("resolution avg", got.ResolutionAvgHours, want.ResolutionAvgHours),
		fl("resolution median", got.ResolutionMedianHours, want.ResolutionMedianHours),
		fl("fcr", got.FCRPercent, want.FCRPercent),
		fl("escalation", got.EscalationPercent, want.EscalationPercent),
		fl("transfer", got.TransferPercent, want.TransferPercent),
		fl("csat", got.CSATPercent, want.CSATPercent),
		fl("nps", got.NPS, want.NPS),
		fl("ces", got.CESAverage, want.CESAverage),
		fl("retention", got.RetentionPercent, want.RetentionPercent),
		fl("deflection", got.DeflectionPercent, want.DeflectionPercent),
		fl("handling", got.HandlingAvgMinutes, want.HandlingAvgMinutes),
		fl("frt business", got.FirstResponseBusinessAvgHours, want.FirstResponseBusinessAvgHours),
		fl("speed of answer", got.ChatASASeconds, want.ChatASASeconds),
		fl("abandonment", got.ChatAbandonPercent, want.ChatAbandonPercent),
		fl("sla attainment", got.SLAAttainmentPercent, want.SLAAttainmentPercent),
	}
	for _, c := range checks {
		if c != "" {
			return c
		}
	}
	ints := [][3]any{{"created", got.Created, want.Created}, {"resolved", got.Resolved, want.Resolved},
		{"reopened", got.Reopened, want.Reopened}, {"backlog", got.Backlog, want.Backlog},
		{"first responses", got.FirstResponseCount, want.FirstResponseCount}, {"transfer events", got.TransferEvents, want.TransferEvents},
		{"csat n", got.CSATResponses, want.CSATResponses}, {"nps n", got.NPSResponses, want.NPSResponses},
		{"ces n", got.CESResponses, want.CESResponses}, {"deflections", got.Deflections, want.Deflections},
		{"handled", got.HandledCount, want.HandledCount}, {"chats answered", got.ChatsAnswered, want.ChatsAnswered},
		{"chats abandoned", got.ChatsAbandoned, want.ChatsAbandoned}, {"sla met", got.SLAMet, want.SLAMet},
		{"sla missed", got.SLAMissed, want.SLAMissed}}
	for _, c := range ints {
		if c[1] != c[2] {
			return fmt.Sprintf("%s: rollups %v, replay %v", c[0], c[1], c[2])
		}
	}
	for name, m := range map[string][2]map[string]int{"by channel": {got.VolumeByChannel, want.VolumeByChannel},
		"by group": {got.VolumeByGroup, want.VolumeByGroup}, "by tag": {got.VolumeByTag, want.VolumeByTag}} {
		if !maps.Equal(m[0], m[1]) {
			return fmt.Sprintf("volume %s: rollups %v, replay %v", name, m[0], m[1])
		}
	}
	return ""
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// compareEngines checks random periods and filters, and series, on both engines.
func compareEngines(t *testing.T, g *gen, roll, replay *kpi.Service, rounds int) {
	t.Helper()
	ctx := context.Background()
	admin := g.w.Admin
	filters := []kpi.Filter{{}, {Channel: "email"}, {GroupID: g.w.Support.ID}, {AgentID: g.w.Agent.UserID},
		{OrganizationID: g.w.Acme.ID}, {Tag: "billing"}, {Tag: "escalated"}, {Language: "id"},
		{GroupID: g.w.Billing.ID, Channel: "web"}, {OrganizationID: g.w.Acme.ID, Tag: "vip"}, {AgentID: g.w.Admin.UserID, Language: "fa"},
		{Tag: "billing", GroupID: g.w.Support.ID}, {Tag: "billing", Channel: "email"}}
	for i := range rounds {
		from := g.base.AddDate(0, 0, g.r.IntN(60)-5)
		to := from.AddDate(0, 0, 1+g.r.IntN(45))
		f := filters[i%len(filters)]
		q := kpi.Query{From: from, To: to, Filter: f}
		got, err := roll.Compute(ctx, admin, q)
		if err != nil {
			t.Fatal(err)
		}
		want, err := replay.Compute(ctx, admin, q)
		if err != nil {
			t.Fatal(err)
		}
		if d := same(got, want); d != "" {
			t.Fatalf("Compute %s..%s %+v: %s", from.Format(time.DateOnly), to.Format(time.DateOnly), f, d)
		}
	}
	for _, by := range []string{"day", "week"} {
		for _, f := range filters {
			q := kpi.Query{From: g.base, To: g.base.AddDate(0, 0, 50), Filter: f}
			got, err := roll.Series(ctx, admin, q, by)
			if err != nil {
				t.Fatal(err)
			}
			want, err := replay.Series(ctx, admin, q, by)
			if err != nil {
				t.Fatal(err)
			}
			for i := range want {
				if d := same(got[i], want[i]); d != "" {
					t.Fatalf("Series by %s %+v, bucket %s: %s", by, f, want[i].From.Format(time.DateOnly), d)
				}
			}
		}
	}
	// The KPI page reads the period, the previous one and the series together.
	for i, f := range filters {
		from := g.base.AddDate(0, 0, 10+g.r.IntN(30))
		n := 1 + g.r.IntN(30)
		q := kpi.Query{From: from, To: from.AddDate(0, 0, n), Filter: f}
		by := []string{"day", "week"}[i%2]
		cur, before, series, err := roll.Page(ctx, admin, q, by)
		if err != nil {
			t.Fatal(err)
		}
		wcur, wbefore, wseries, err := replay.Page(ctx, admin, q, by)
		if err != nil {
			t.Fatal(err)
		}
		if d := same(cur, wcur); d != "" {
			t.Fatalf("Page %+v, period: %s", f, d)
		}
		if d := same(before, wbefore); d != "" {
			t.Fatalf("Page %+v, previous period: %s", f, d)
		}
		if len(series) != len(wseries) {
			t.Fatalf("Page %+v: %d buckets, want %d", f, len(series), len(wseries))
		}
		for i := range wseries {
			if d := same(series[i], wseries[i]); d != "" {
				t.Fatalf("Page %+v, by %s, bucket %s: %s", f, by, wseries[i].From.Format(time.DateOnly), d)
			}
		}
	}
	// A report reads its buckets and the same buckets one period earlier
	// (months: as many months earlier), with both totals.
	for i, f := range filters {
		from := g.base.AddDate(0, 0, 40+g.r.IntN(30))
		by := []string{"day", "week", "month"}[i%3]
		q := kpi.Query{From: from, To: from.AddDate(0, 0, 1+g.r.IntN(60)), Filter: f}
		got, err := roll.Report(ctx, admin, q, by)
		if err != nil {
			t.Fatal(err)
		}
		want, err := replay.Report(ctx, admin, q, by)
		if err != nil {
			t.Fatal(err)
		}
		if d := same(got.Total, want.Total); d != "" {
			t.Fatalf("Report %+v, total: %s", f, d)
		}
		if d := same(got.PreviousTotal, want.PreviousTotal); d != "" {
			t.Fatalf("Report %+v, previous total: %s", f, d)
		}
		if len(got.Series) != len(want.Series) || len(got.PreviousSeries) != len(got.Series) || len(want.PreviousSeries) != len(want.Series) {
			t.Fatalf("Report %+v by %s: %d and %d buckets, want %d and %d", f, by, len(got.Series), len(got.PreviousSeries), len(want.Series), len(want.Series))
		}
		for i := range want.Series {
			if d := same(got.Series[i], want.Series[i]); d != "" {
				t.Fatalf("Report %+v, by %s, bucket %s: %s", f, by, want.Series[i].From.Format(time.DateOnly), d)
			}
			if d := same(got.PreviousSeries[i], want.PreviousSeries[i]); d != "" {
				t.Fatalf("Report %+v, by %s, previous bucket %s: %s", f, by, want.PreviousSeries[i].From.Format(time.DateOnly), d)
			}
		}
	}
}

// TestRollupsMatchReplay builds a random history, compares the rollups with
// the replay, then writes late events (backdated changes, reopenings of
// tickets solved weeks ago, deletions) and compares again: once with reads
// catching up themselves, once after the worker ran.
func TestRollupsMatchReplay(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		g := newGen(t, w, 1)
		roll := kpi.NewService(d, w.Clock.Now, testkit.QuietLogger())
		// Support works in Jakarta's office hours, the other groups around the clock.
		jakarta, err := time.LoadLocation("Asia/Jakarta")
		if err != nil {
			t.Fatal(err)
		}
		office := automation.WeekdayHours(jakarta, automation.Interval{Start: automation.HM(9, 0), End: automation.HM(17, 0)})
		roll.SetWorkingTime(func(context.Context) kpi.WorkingTime {
			return func(group int64, from, to time.Time) time.Duration {
				if group == w.Support.ID {
					return office.Elapsed(from, to)
				}
				return to.Sub(from)
			}
		})
		replay := roll.ReplayEngine()
		ctx := context.Background()
		for range 80 {
			g.ticket(g.base.Add(time.Duration(g.r.Int64N(int64(40*24*time.Hour)))), g.r.IntN(9))
		}
		g.extras(g.base, 50)
		if all, err := replay.Compute(ctx, w.Admin, kpi.Query{From: g.base, To: g.base.AddDate(0, 0, 60)}); err != nil || all.Resolved < 20 || all.Reopened < 3 || all.TransferEvents < 5 {
			t.Fatalf("the random history is too thin to test anything: %+v, %v", all, err)
		}
		compareEngines(t, g, roll, replay, 40)

		// Late events, read before any worker runs.
		late := func() {
			for range 40 {
				tk := g.tickets[g.r.IntN(len(g.tickets))]
				at := tk.last.Add(-time.Duration(g.r.Int64N(int64(72 * time.Hour)))) // often before its last event
				if g.r.IntN(2) == 0 {
					at = tk.last.Add(time.Duration(g.r.Int64N(int64(10 * 24 * time.Hour))))
				}
				g.step(tk, at)
			}
			g.extras(g.base, 50)
		}
		late()
		compareEngines(t, g, roll, replay, 40)

		// Late events again, then the worker: kpi_dirty empties and the
		// figures still match.
		late()
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() { roll.RunRollups(wctx, time.Hour); close(done) }()
		deadline := time.Now().Add(20 * time.Second)
		for {
			var n int
			if err := d.R.QueryRow(`SELECT COUNT(*) FROM kpi_dirty`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d dirty rows left after the worker ran", n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		compareEngines(t, g, roll, replay, 40)

		// A rebuild from scratch gives the same rollups as the incremental rolls.
		if _, err := roll.RebuildRollups(ctx); err != nil {
			t.Fatal(err)
		}
		compareEngines(t, g, roll, replay, 20)
	})
}

// TestLateReopenCorrectsLastWeek: a ticket solved last week with one reply
// is a first contact resolution of a period that ends after today; a
// reopening written today takes it back, before and after the worker runs.
func TestLateReopenCorrectsLastWeek(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		ctx := context.Background()
		g := newGen(t, w, 2)
		s := kpi.NewService(d, w.Clock.Now, testkit.QuietLogger())
		monday := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
		g.ticket(monday.Add(9*time.Hour), 0)
		tk := g.tickets[0]
		tk.group = 0
		agent := w.Agent.UserID
		g.insert([]events.Event{
			{TicketID: tk.id, ActorID: agent, Type: events.CommentAdded, Field: "public", CreatedAt: monday.Add(10 * time.Hour)},
			{TicketID: tk.id, ActorID: agent, Type: events.StatusChanged, Field: "status", Before: events.Str("new"), After: events.Str("solved"), CreatedAt: monday.Add(11 * time.Hour)},
		})
		g.exec(`UPDATE tickets SET status = 'solved' WHERE id = $1`, tk.id)
		month := kpi.Query{From: monday, To: monday.AddDate(0, 0, 28)}
		r, err := s.Compute(ctx, w.Admin, month)
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "fcr before", r.FCRPercent, 100)
		eqi(t, "backlog before", r.Backlog, 0)
		if _, err := s.Compute(ctx, w.Admin, month); err != nil { // rolled: nothing dirty now
			t.Fatal(err)
		}
		// Ten days later the customer writes back: reopened.
		reopenAt := monday.AddDate(0, 0, 10)
		g.insert([]events.Event{
			{TicketID: tk.id, ActorID: tk.requester, Type: events.StatusChanged, Field: "status", Before: events.Str("solved"), After: events.Str("open"), CreatedAt: reopenAt},
			{TicketID: tk.id, ActorID: tk.requester, Type: events.Reopened, Field: "status", Before: events.Str("solved"), After: events.Str("open"), CreatedAt: reopenAt},
		})
		g.exec(`UPDATE tickets SET status = 'open' WHERE id = $1`, tk.id)
		// Read before the worker: the read rolls the ticket itself.
		r, err = s.Compute(ctx, w.Admin, month)
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "fcr after the reopening", r.FCRPercent, 0)
		eqi(t, "reopened", r.Reopened, 1)
		eqi(t, "backlog", r.Backlog, 1)
		// The first week alone ends before the reopening: still a first contact resolution.
		wk, err := s.Compute(ctx, w.Admin, kpi.Query{From: monday, To: monday.AddDate(0, 0, 7)})
		if err != nil {
			t.Fatal(err)
		}
		eqf(t, "week 1 fcr", wk.FCRPercent, 100)
		// Solved again a day later: one resolution in the month, measured to the last solve.
		solveAt := reopenAt.Add(24 * time.Hour)
		g.insert([]events.Event{{TicketID: tk.id, ActorID: agent, Type: events.StatusChanged, Field: "status",
			Before: events.Str("open"), After: events.Str("solved"), CreatedAt: solveAt}})
		g.exec(`UPDATE tickets SET status = 'solved' WHERE id = $1`, tk.id)
		if err := s.CatchUp(ctx); err != nil { // as the worker would
			t.Fatal(err)
		}
		var dirty int
		if err := d.R.QueryRow(`SELECT COUNT(*) FROM kpi_dirty`).Scan(&dirty); err != nil || dirty != 0 {
			t.Fatalf("dirty rows after the worker: %d, %v", dirty, err)
		}
		r, err = s.Compute(ctx, w.Admin, month)
		if err != nil {
			t.Fatal(err)
		}
		eqi(t, "resolved once", r.Resolved, 1)
		eqf(t, "resolution to the last solve", r.ResolutionAvgHours, solveAt.Sub(monday.Add(9*time.Hour)).Hours())
		eqf(t, "fcr", r.FCRPercent, 0)
	})
}
