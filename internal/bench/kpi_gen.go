package bench

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/kpi"
)

// kpiGen writes a help desk's year by bulk insert: organisations, groups,
// agents, customers, tickets with their whole event history (routing,
// assignment, replies, notes, transfers, escalations, resolutions,
// reopenings, closing, a few deletions), surveys, deflections and customer
// events. Tickets are created evenly over the year, in id order.
type kpiGen struct {
	tickets, perTicket, customers, agents, groups, orgs int
	now, start                                          time.Time
	seed                                                uint64

	rows int64 // rows written, for the insert rate
}

var kpiChannels = []string{"email", "email", "email", "web", "web", "chat", "chat", "api", "voice"}
var kpiLangs = []string{"en", "en", "en", "en", "id", "id", "fa"}
var kpiTags = []string{"billing", "shipping", "refund", "login", "bug", "feature", "vip", "invoice", "delivery", "account",
	"password", "mobile", "api", "export", "import", "pricing", "cancel", "upgrade", "outage", "feedback"}

func (g *kpiGen) firstAgent() int64    { return 2 }
func (g *kpiGen) firstCustomer() int64 { return 2 + int64(g.agents) }

// people writes groups, organisations, the admin (id 1), agents and customers.
func (g *kpiGen) people(ctx context.Context, d *db.DB) error {
	r := rand.New(rand.NewPCG(g.seed, 1))
	now := db.Millis(g.now)
	var rows [][]any
	for i := 1; i <= g.groups; i++ {
		rows = append(rows, []any{int64(i), fmt.Sprintf("Group %d", i), now, now})
	}
	if err := g.bulk(ctx, d, "groups", []string{"id", "name", "created_at", "updated_at"}, rows); err != nil {
		return err
	}
	rows = rows[:0]
	for i := 1; i <= g.orgs; i++ {
		rows = append(rows, []any{int64(i), fmt.Sprintf("Org %d", i), now, now})
	}
	if err := g.bulk(ctx, d, "organizations", []string{"id", "name", "created_at", "updated_at"}, rows); err != nil {
		return err
	}
	cols := []string{"id", "name", "email", "role", "locale", "organization_id", "created_at", "updated_at"}
	rows = [][]any{{int64(1), "Admin", "admin@bench.test", "admin", "en", nil, now, now}}
	for i := range g.agents {
		id := g.firstAgent() + int64(i)
		rows = append(rows, []any{id, fmt.Sprintf("Agent %d", i), fmt.Sprintf("agent%d@bench.test", i), "agent", "en", nil, now, now})
	}
	for i := range g.customers {
		id := g.firstCustomer() + int64(i)
		var org any
		if r.IntN(10) < 7 {
			org = int64(1 + r.IntN(g.orgs))
		}
		rows = append(rows, []any{id, fmt.Sprintf("Customer %d", i), fmt.Sprintf("c%d@bench.test", i), "end_user",
			kpiLangs[r.IntN(len(kpiLangs))], org, now, now})
		if len(rows) >= 50_000 {
			if err := g.bulk(ctx, d, "users", cols, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	return g.bulk(ctx, d, "users", cols, rows)
}

func (g *kpiGen) bulk(ctx context.Context, d *db.DB, table string, cols []string, rows [][]any) error {
	g.rows += int64(len(rows))
	return d.BulkInsert(ctx, table, cols, rows)
}

// lognormal returns a duration with the given median and spread (sigma).
func lognormal(r *rand.Rand, median time.Duration, sigma float64) time.Duration {
	return time.Duration(float64(median) * math.Exp(r.NormFloat64()*sigma))
}

type genTicket struct {
	id, requester, org         int64
	channel                    string
	status, priority, tags     string
	group, assignee            int64
	created, solvedAt, deleted time.Time
	evs                        []events.Event
	stopped                    bool
}

// ev appends an event unless it would be in the future (then the ticket's
// story stops there: it is still open today).
func (t *genTicket) ev(at time.Time, now time.Time, actor int64, typ, field string, before, after *string) bool {
	if t.stopped || at.After(now) {
		t.stopped = true
		return false
	}
	t.evs = append(t.evs, events.Event{TicketID: t.id, ActorID: actor, Type: typ, Field: field, Before: before, After: after, CreatedAt: at})
	return true
}

func idp(v int64) *string {
	if v == 0 {
		return nil
	}
	s := strconv.FormatInt(v, 10)
	return &s
}

func (t *genTicket) setStatus(at, now time.Time, actor int64, s string) bool {
	if !t.ev(at, now, actor, events.StatusChanged, "status", events.Str(t.status), events.Str(s)) {
		return false
	}
	if t.status == "solved" && (s == "open" || s == "pending") {
		t.ev(at, now, actor, events.Reopened, "status", events.Str(t.status), events.Str(s))
	}
	t.status = s
	if s == "solved" {
		t.solvedAt = at
	}
	return true
}

// ticket writes ticket id's story from its creation at t0.
func (g *kpiGen) ticket(r *rand.Rand, id int64, t0 time.Time) *genTicket {
	now := g.now
	t := &genTicket{id: id, requester: g.firstCustomer() + int64(r.IntN(g.customers)), channel: kpiChannels[r.IntN(len(kpiChannels))],
		status: "new", priority: "normal", created: t0}
	var tags []string
	for range r.IntN(3) {
		if tg := kpiTags[r.IntN(len(kpiTags))]; !slices.Contains(tags, tg) {
			tags = append(tags, tg)
		}
	}
	t.tags = strings.Join(tags, " ")
	if r.IntN(10) < 6 {
		t.group = int64(1 + r.IntN(g.groups))
	}
	t.ev(t0, now, t.requester, events.TicketCreated, "status", nil, events.Str("new"))
	t.ev(t0, now, t.requester, events.CommentAdded, "public", nil, nil)
	at := t0
	if t.group == 0 { // routed by a trigger a few minutes later: not a transfer
		at = at.Add(time.Duration(1+r.IntN(30)) * time.Minute)
		g0 := int64(1 + r.IntN(g.groups))
		if t.ev(at, now, 0, events.FieldChanged, "group_id", nil, idp(g0)) {
			t.group = g0
		}
	}
	// Agent k works in group k mod groups + 1.
	per := max(1, g.agents/g.groups)
	agentOf := func(group int64) int64 {
		k := (group - 1) + int64(g.groups)*int64(r.IntN(per))
		return g.firstAgent() + k%int64(g.agents)
	}
	agent := agentOf(t.group)
	if t.channel == "chat" { // queued: answered after a wait, or left (8 %)
		wait := lognormal(r, 40*time.Second, 1)
		if r.IntN(100) < 8 {
			t.ev(t0.Add(wait), now, t.requester, kpi.EventChatAbandoned, "", nil, idp(wait.Milliseconds()))
		} else if t.ev(t0.Add(wait), now, agent, kpi.EventChatAnswered, "", nil, idp(wait.Milliseconds())) {
			handle := lognormal(r, 9*time.Minute, 0.7)
			t.ev(t0.Add(wait+handle), now, agent, kpi.EventChatEnded, "", nil,
				events.Str(fmt.Sprintf(`{"duration_ms":%d,"handle_ms":%d}`, (wait+handle).Milliseconds(), handle.Milliseconds())))
		}
	}
	at = at.Add(lognormal(r, 40*time.Minute, 1.2))
	if t.ev(at, now, 0, events.Assigned, "assignee_id", nil, idp(agent)) {
		t.assignee = agent
	}
	at = at.Add(lognormal(r, 3*time.Hour, 1.3))
	if t.ev(at, now, agent, events.CommentAdded, "public", nil, nil) {
		t.setStatus(at, now, agent, "open")
		sla := kpi.EventSLAAchieved // first reply within 8 h
		if at.Sub(t0) > 8*time.Hour {
			sla = kpi.EventSLABreached
		}
		t.ev(at, now, 0, sla, "first_reply_time", nil, nil)
	}
	for range r.IntN(3) { // back and forth
		at = at.Add(lognormal(r, 8*time.Hour, 1))
		t.ev(at, now, t.requester, events.CommentAdded, "public", nil, nil)
		at = at.Add(lognormal(r, 2*time.Hour, 1))
		t.ev(at, now, t.assignee, events.CommentAdded, "public", nil, nil)
	}
	if r.IntN(100) < 6 { // escalated
		at = at.Add(lognormal(r, time.Hour, 1))
		p := []string{"high", "urgent"}[r.IntN(2)]
		if t.ev(at, now, t.assignee, events.FieldChanged, "priority", events.Str(t.priority), events.Str(p)) {
			t.priority = p
		}
	}
	if n := r.IntN(100); n < 12 { // transferred: to a colleague, or to another group
		at = at.Add(lognormal(r, 2*time.Hour, 1))
		if n < 8 {
			other := agentOf(t.group)
			if other != t.assignee && t.ev(at, now, t.assignee, events.Reassigned, "assignee_id", idp(t.assignee), idp(other)) {
				t.assignee = other
			}
		} else {
			ng := t.group%int64(g.groups) + 1
			if t.ev(at, now, t.assignee, events.FieldChanged, "group_id", idp(t.group), idp(ng)) {
				t.group = ng
			}
		}
	}
	at = at.Add(lognormal(r, 16*time.Hour, 1.1))
	if r.IntN(100) < 60 { // the agent's timer, sent with the solving update
		t.ev(at, now, t.assignee, kpi.EventWorkLogged, "timer", nil, idp(max(lognormal(r, 12*time.Minute, 0.9), time.Second).Milliseconds()))
	}
	t.setStatus(at, now, t.assignee, "solved")
	if r.IntN(100) < 8 { // the customer writes back: reopened, answered, solved again
		at = at.Add(lognormal(r, 30*time.Hour, 0.8))
		if t.ev(at, now, t.requester, events.CommentAdded, "public", nil, nil) {
			t.setStatus(at, now, t.requester, "open")
		}
		at = at.Add(lognormal(r, 4*time.Hour, 1))
		t.ev(at, now, t.assignee, events.CommentAdded, "public", nil, nil)
		at = at.Add(lognormal(r, 6*time.Hour, 1))
		t.setStatus(at, now, t.assignee, "solved")
	}
	if t.status == "solved" {
		t.setStatus(at.Add(96*time.Hour), now, 0, "closed")
	}
	// Internal notes up to the events per ticket asked for, in the story's span.
	last := t.evs[len(t.evs)-1].CreatedAt
	if extra := g.perTicket - len(t.evs); extra > 0 {
		for range r.IntN(2*extra + 1) {
			nat := t0.Add(time.Duration(r.Int64N(int64(last.Sub(t0)) + 1)))
			t.evs = append(t.evs, events.Event{TicketID: id, ActorID: t.assignee, Type: events.CommentAdded, Field: "private", CreatedAt: nat})
		}
		slices.SortStableFunc(t.evs, func(a, b events.Event) int { return a.CreatedAt.Compare(b.CreatedAt) })
	}
	if r.IntN(1000) == 0 { // spam, deleted
		t.deleted = last.Add(time.Hour)
		if t.deleted.Before(now) {
			t.evs = append(t.evs, events.Event{TicketID: id, ActorID: 1, Type: events.TicketDeleted, CreatedAt: t.deleted})
		} else {
			t.deleted = time.Time{}
		}
	}
	return t
}

var (
	ticketCols = []string{"id", "subject", "status", "priority", "via_channel", "requester_id", "submitter_id", "assignee_id",
		"group_id", "organization_id", "tags", "solved_at", "created_at", "updated_at", "deleted_at"}
	eventCols  = []string{"ticket_id", "actor_id", "type", "field", "before", "after", "created_at"}
	surveyCols = []string{"kind", "ticket_id", "customer_id", "agent_id", "group_id", "channel", "score", "offered_at", "answered_at"}
)

func nullID(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}

func nullStr(s *string) any {
	if s == nil {
		return nil
	}
	return *s
}

func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return db.Millis(t)
}

// chunk is the rows of a run of tickets.
type chunk struct{ tickets, events, surveys [][]any }

// ticketChunk generates tickets [lo, hi).
func (g *kpiGen) ticketChunk(lo, hi int, orgOf func(int64) int64) chunk {
	r := rand.New(rand.NewPCG(g.seed, uint64(lo)+2))
	span := g.now.Sub(g.start)
	var c chunk
	csatScores := []int64{5, 5, 5, 5, 5, 5, 5, 4, 4, 3, 2, 1, 1}
	for i := lo; i < hi; i++ {
		id := int64(i + 1)
		t0 := g.start.Add(time.Duration(float64(span) * (float64(i) + r.Float64()) / float64(g.tickets)))
		t := g.ticket(r, id, t0)
		t.org = orgOf(t.requester)
		last := t.evs[len(t.evs)-1].CreatedAt
		solved := any(nil)
		if t.status == "solved" || t.status == "closed" {
			solved = db.Millis(t.solvedAt)
		}
		c.tickets = append(c.tickets, []any{id, "Ticket " + strconv.FormatInt(id, 10), t.status, t.priority, t.channel, t.requester, t.requester,
			nullID(t.assignee), nullID(t.group), nullID(t.org), t.tags, solved, db.Millis(t0), db.Millis(last), nullTime(t.deleted)})
		for _, e := range t.evs {
			c.events = append(c.events, []any{e.TicketID, nullID(e.ActorID), e.Type, e.Field, nullStr(e.Before), nullStr(e.After), db.Millis(e.CreatedAt)})
		}
		if !t.solvedAt.IsZero() {
			for _, kind := range []string{"csat", "ces"} {
				if (kind == "csat" && r.IntN(4) != 0) || (kind == "ces" && r.IntN(20) != 0) {
					continue
				}
				ans := t.solvedAt.Add(lognormal(r, 5*time.Hour, 1))
				score := csatScores[r.IntN(len(csatScores))]
				if kind == "ces" {
					score = int64(1 + r.IntN(7))
				}
				if ans.After(g.now) {
					continue
				}
				c.surveys = append(c.surveys, []any{kind, id, t.requester, nullID(t.assignee), nullID(t.group), t.channel, score,
					db.Millis(t.solvedAt), db.Millis(ans)})
			}
		}
	}
	return c
}

// others writes NPS answers, deflections and customer events.
func (g *kpiGen) others(ctx context.Context, d *db.DB) error {
	r := rand.New(rand.NewPCG(g.seed, 3))
	span := g.now.Sub(g.start)
	at := func() int64 { return db.Millis(g.start.Add(time.Duration(r.Int64N(int64(span))))) }
	var surveys, defl, cust [][]any
	for i := range g.customers {
		c := g.firstCustomer() + int64(i)
		if r.IntN(20) == 0 {
			a := at()
			surveys = append(surveys, []any{"nps", nil, c, nil, nil, "", int64(r.IntN(11)), a, a})
		}
		signup := db.Millis(g.start.Add(-span)) + r.Int64N(2*int64(span/time.Millisecond))
		cust = append(cust, []any{c, "signup", signup, signup})
		if r.IntN(3) == 0 {
			p := at()
			cust = append(cust, []any{c, "purchase", p, p})
		}
		if r.IntN(10) == 0 {
			x := at()
			cust = append(cust, []any{c, "cancellation", x, x})
		}
	}
	for range g.tickets / 20 {
		defl = append(defl, []any{nil, g.firstCustomer() + int64(r.IntN(g.customers)), kpi.EventDeflection, "article", nil, `{"how":"solved"}`, at()})
	}
	if err := g.bulk(ctx, d, "survey_responses", surveyCols, surveys); err != nil {
		return err
	}
	if err := g.bulk(ctx, d, "events", eventCols, defl); err != nil {
		return err
	}
	return g.bulk(ctx, d, "customer_events", []string{"customer_id", "type", "occurred_at", "created_at"}, cust)
}

// generate writes everything; tickets in chunks, generated while the
// previous chunk is written.
func (g *kpiGen) generate(ctx context.Context, d *db.DB, progress func(done int)) error {
	if err := g.people(ctx, d); err != nil {
		return fmt.Errorf("people: %w", err)
	}
	orgs := map[int64]int64{}
	rows, err := d.R.QueryContext(ctx, `SELECT id, organization_id FROM users WHERE organization_id IS NOT NULL`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var id, org int64
		if err := rows.Scan(&id, &org); err != nil {
			rows.Close()
			return err
		}
		orgs[id] = org
	}
	rows.Close()
	const per = 10_000
	out := make(chan chunk, 1)
	go func() {
		defer close(out)
		for lo := 0; lo < g.tickets; lo += per {
			select {
			case out <- g.ticketChunk(lo, min(lo+per, g.tickets), func(c int64) int64 { return orgs[c] }):
			case <-ctx.Done():
				return
			}
		}
	}()
	done := 0
	for c := range out {
		if err := g.bulk(ctx, d, "tickets", ticketCols, c.tickets); err != nil {
			return err
		}
		if err := g.bulk(ctx, d, "events", eventCols, c.events); err != nil {
			return err
		}
		if err := g.bulk(ctx, d, "survey_responses", surveyCols, c.surveys); err != nil {
			return err
		}
		done += len(c.tickets)
		if progress != nil {
			progress(done)
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := g.others(ctx, d); err != nil {
		return err
	}
	if d.Dialect == db.Postgres { // explicit ids were written: move the sequences past them
		for _, t := range []string{"groups", "organizations", "users", "tickets"} {
			if _, err := d.W.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t+`', 'id'), (SELECT MAX(id) FROM `+t+`))`); err != nil {
				return err
			}
		}
		// Statistics, and the visibility map (index-only scans) that
		// autovacuum would set on a live database (it may be off here).
		if err := vacuumSchema(ctx, d.W); err != nil {
			return err
		}
	} else if _, err := d.W.ExecContext(ctx, `ANALYZE`); err != nil {
		return err
	}
	return nil
}
