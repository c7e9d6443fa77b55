package automation

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/routing"
	"layan/internal/ticket"
)

// batchSize is how many events one Process round reads.
const batchSize = 500

// Process reads the events after this reader's cursor and, for each ticket
// update (the events one change wrote together), runs triggers, routing,
// SLA clocks and webhooks. The cursor moves after each update, so a crash
// replays at most one update; webhook jobs are keyed by event id so a replay
// does not send twice. Returns how many events were read.
func (s *Service) Process(ctx context.Context) (int, error) {
	s.procMu.Lock()
	defer s.procMu.Unlock()
	total := 0
	for {
		after, err := s.cursor(ctx, cursorName)
		if err != nil {
			return total, err
		}
		evs, err := s.readEvents(ctx, after)
		if err != nil || len(evs) == 0 {
			return total, err
		}
		full := len(evs) == batchSize
		evs = s.beforeGap(after, evs)
		if len(evs) == 0 {
			return total, nil
		}
		total += len(evs)
		// The reader's own updates (rules' changes) are cheap and safe to
		// replay (they run no triggers; webhook jobs are keyed by event id),
		// so the cursor moves past them with the next update, not each time.
		var unsaved int64
		for i := 0; i < len(evs); {
			j := i + 1
			for j < len(evs) && sameUpdate(evs[i], evs[j]) {
				j++
			}
			if err := s.handle(ctx, evs[i:j]); err != nil && ctx.Err() == nil {
				s.log.Warn("automation: update not processed", "ticket", evs[i].TicketID, "event", evs[i].ID, "err", err)
			}
			if own := evs[i].ActorID == 0 && evs[i].Type != events.TicketCreated; own {
				unsaved = evs[j-1].ID
			} else {
				if err := s.setCursor(ctx, cursorName, evs[j-1].ID); err != nil {
					return total, err
				}
				unsaved = 0
			}
			i = j
		}
		if unsaved != 0 {
			if err := s.setCursor(ctx, cursorName, unsaved); err != nil {
				return total, err
			}
		}
		if !full {
			return total, nil
		}
	}
}

// GapWait is how long the reader waits for a missing event id on PostgreSQL,
// where a transaction that took a lower id may commit after a higher one
// (a rolled-back transaction leaves the gap for good).
const GapWait = 3 * time.Second

// beforeGap cuts evs at the first hole in the ids, until the hole has been
// seen for GapWait (wall time), so a late commit is not skipped by the cursor.
// SQLite has one writer: ids commit in order there.
func (s *Service) beforeGap(after int64, evs []events.Event) []events.Event {
	if s.db.Dialect != db.Postgres {
		return evs
	}
	prev := after
	for i, e := range evs {
		if prev != 0 && e.ID != prev+1 {
			seen, ok := s.gaps[prev+1]
			if !ok {
				if s.gaps == nil || len(s.gaps) > 1000 {
					s.gaps = map[int64]time.Time{}
				}
				s.gaps[prev+1] = time.Now()
				return evs[:i]
			}
			if time.Since(seen) < GapWait {
				return evs[:i]
			}
			delete(s.gaps, prev+1)
		}
		prev = e.ID
	}
	return evs
}

func sameUpdate(a, b events.Event) bool {
	return a.TicketID == b.TicketID && a.ActorID == b.ActorID && a.CreatedAt.Equal(b.CreatedAt) && b.Type != events.TicketCreated
}

func (s *Service) readEvents(ctx context.Context, after int64) ([]events.Event, error) {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT id, COALESCE(ticket_id, 0), COALESCE(actor_id, 0), type, field, before, after, created_at
		 FROM events WHERE id > $1 ORDER BY id LIMIT $2`, after, batchSize)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []events.Event
	for rows.Next() {
		var e events.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorID, &e.Type, &e.Field, &e.Before, &e.After, &at); err != nil {
			return nil, err
		}
		e.CreatedAt = db.Time(at)
		out = append(out, e)
	}
	return out, rows.Err()
}

// handle processes one ticket update.
func (s *Service) handle(ctx context.Context, evs []events.Event) error {
	first := evs[0]
	if first.TicketID == 0 {
		return nil
	}
	// Logged work time changes nothing on the ticket: it is no update for
	// the triggers or the SLA clocks, only an event for webhooks.
	workOnly := !slices.ContainsFunc(evs, func(e events.Event) bool { return e.Type != events.WorkLogged })
	sys := auth.SystemActor()
	t, err := s.tickets.Get(ctx, sys, first.TicketID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	created := first.Type == events.TicketCreated
	// Loop guard across updates: the changes this reader makes itself are
	// written by the system actor (actor 0) and do not run triggers again.
	// (Within one update RunTriggers bounds the rounds.)
	ownUpdate := first.ActorID == 0 && !created
	if !ownUpdate && !workOnly && t.Status != "closed" {
		if err := s.runTriggers(ctx, t, evs, created); err != nil {
			return err
		}
	}
	if err := s.webhooksFor(ctx, t, evs); err != nil {
		return err
	}
	if workOnly {
		return nil
	}
	return s.refreshSLA(ctx, first.TicketID)
}

func (s *Service) runTriggers(ctx context.Context, t ticket.Ticket, evs []events.Event, created bool) error {
	f := s.facts(ctx, t)
	f.Created = created
	for _, e := range evs {
		switch e.Type {
		case events.FieldChanged, events.StatusChanged, events.Assigned, events.Reassigned:
			if e.Field != "" {
				before := ""
				if e.Before != nil {
					before = *e.Before
				}
				if _, seen := f.Changed[e.Field]; !seen {
					f.Changed[e.Field] = before
				}
			}
		case events.CommentAdded:
			if e.After == nil {
				continue
			}
			var cid int64
			fmt.Sscan(*e.After, &cid)
			cs, err := s.tickets.Comments(ctx, auth.SystemActor(), t.ID, cid-1, 1)
			if err == nil && len(cs) == 1 {
				f.Comment, f.Public = cs[0].Body, cs[0].Public
			}
		}
	}
	// The ticket's language (detected when it was made, or set by an agent);
	// tickets from before the field existed are detected here.
	f.Language = t.Language
	if f.Language == "" && created {
		f.Language = routing.DetectLanguage(t.Subject + "\n" + f.Comment)
	}
	set, err := s.ruleSet(ctx, KindTrigger)
	if err != nil {
		return err
	}
	ph := Placeholders{}
	out := set.Run(f, ph.Render)
	patch := out.Patch
	changed := out.Changed

	// Routing: a new unassigned ticket, as the triggers left it (they may
	// have set its group, tags or assignee).
	if c := s.routingConfig(ctx); c.Enabled && created {
		now := out.Ticket
		if now.AssigneeID == 0 && now.Status != "solved" && now.Status != "closed" {
			agents, err := s.agents(ctx)
			if err != nil {
				return err
			}
			s.router.Mode = c.Mode
			d := s.router.Pick(agents, s.routeRequest(ctx, now, f.Language, c), s.now())
			if d.AgentID != 0 {
				id := d.AgentID
				patch.AssigneeID = &id
				changed = true
			}
		}
	}
	if changed {
		s.withAuthor(ctx, t, &patch)
		if _, err := s.tickets.Update(ctx, auth.SystemActor(), t.ID, patch); err != nil {
			return fmt.Errorf("apply triggers %v: %w", out.Fired, err)
		}
	}
	for _, eff := range out.Effects {
		s.effect(ctx, t, evs[len(evs)-1], eff)
	}
	return nil
}

// effect performs a rule's side effect.
func (s *Service) effect(ctx context.Context, t ticket.Ticket, ev events.Event, e Effect) {
	switch e.Kind {
	case "webhook":
		var hookID int64
		fmt.Sscan(e.Target, &hookID)
		body := "{}"
		if len(e.Args) > 0 && json.Valid([]byte(e.Args[0])) {
			body = e.Args[0]
		} else if len(e.Args) > 0 {
			b, _ := json.Marshal(map[string]any{"message": e.Args[0], "ticket_id": t.ID})
			body = string(b)
		}
		key := fmt.Sprintf("webhook:%d:rule:%d:event:%d", hookID, e.RuleID, ev.ID)
		if err := s.enqueueWebhook(ctx, key, webhookJob{WebhookID: hookID, EventID: ev.ID, EventType: "trigger", TicketID: t.ID, Body: json.RawMessage(body)}); err != nil {
			s.log.Warn("automation: webhook effect", "err", err)
		}
	case "notify_user":
		// Notifications go out through subscribed webhooks and the log;
		// email notification templates belong to the email channel.
		s.log.Info("automation: notify", "ticket", t.ID, "target", e.Target, "rule", e.RuleID)
	}
}

// webhooksFor enqueues one delivery per subscribed webhook and event.
func (s *Service) webhooksFor(ctx context.Context, t ticket.Ticket, evs []events.Event) error {
	hooks, err := s.webhooks(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	for _, e := range evs {
		for _, h := range hooks {
			if !h.Subscribed(e.Type) {
				continue
			}
			body, _ := json.Marshal(map[string]any{
				"event": e,
				"ticket": map[string]any{"id": t.ID, "subject": t.Subject, "status": t.Status, "priority": t.Priority,
					"requester_id": t.RequesterID, "assignee_id": t.AssigneeID, "group_id": t.GroupID, "tags": t.Tags},
			})
			key := fmt.Sprintf("webhook:%d:event:%d", h.ID, e.ID)
			if err := s.enqueueWebhook(ctx, key, webhookJob{WebhookID: h.ID, EventID: e.ID, EventType: e.Type, TicketID: t.ID, Body: body}); err != nil {
				return err
			}
		}
	}
	return nil
}

// ---- SLA

// TicketSLA is a ticket's current SLA state.
type TicketSLA struct {
	TicketID int64     `json:"ticket_id"`
	PolicyID int64     `json:"policy_id"`
	State    string    `json:"state"`
	NextDue  time.Time `json:"next_due_at"`
	Clocks   []Clock   `json:"clocks"`
}

// timeline turns a ticket's events into the moments the SLA clocks see.
func (s *Service) timeline(ctx context.Context, ticketID int64) ([]Moment, error) {
	evs, err := events.ForTicket(ctx, s.db.R, ticketID)
	if err != nil {
		return nil, err
	}
	roles := map[int64]bool{} // actor → staff
	var createdAt time.Time
	var out []Moment
	for _, e := range evs {
		switch e.Type {
		case events.TicketCreated:
			createdAt = e.CreatedAt
			st := "new"
			if e.After != nil {
				st = *e.After
			}
			out = append(out, Moment{At: e.CreatedAt, Kind: KindCreated, Status: st})
		case events.StatusChanged:
			if e.After != nil {
				out = append(out, Moment{At: e.CreatedAt, Kind: KindStatus, Status: *e.After})
			}
		case events.CommentAdded:
			if e.Field != "public" || e.CreatedAt.Equal(createdAt) {
				continue // internal notes and the opening message do not reply
			}
			staff, ok := roles[e.ActorID]
			if !ok {
				if e.ActorID != 0 {
					a, err := s.dir.ActorFor(ctx, e.ActorID)
					staff = err == nil && a.IsStaff()
				} else {
					staff = true // rules and the system reply as the workspace
				}
				roles[e.ActorID] = staff
			}
			kind := KindCustomerReply
			if staff {
				kind = KindAgentReply
			}
			out = append(out, Moment{At: e.CreatedAt, Kind: kind})
		}
	}
	// A status change and a comment of one update: the comment first, so a
	// reply that sets pending counts as a reply before the pause.
	slices.SortStableFunc(out, func(a, b Moment) int { return a.At.Compare(b.At) })
	return out, nil
}

var stateRank = map[string]int{"": 0, StateAchieved: 1, StatePaused: 2, StateActive: 3, StateBreachSoon: 4, StateBreached: 5}

// SLAFor computes a ticket's SLA now (staff only).
func (s *Service) SLAFor(ctx context.Context, a auth.Actor, ticketID int64) (TicketSLA, error) {
	if err := staffOnly(a); err != nil {
		return TicketSLA{}, err
	}
	t, err := s.tickets.Get(ctx, a, ticketID)
	if err != nil {
		return TicketSLA{}, err
	}
	return s.computeSLA(ctx, t)
}

func (s *Service) computeSLA(ctx context.Context, t ticket.Ticket) (TicketSLA, error) {
	out := TicketSLA{TicketID: t.ID, Clocks: []Clock{}}
	ps, err := s.policies(ctx)
	if err != nil {
		return out, err
	}
	subjPrio := t.Priority
	if subjPrio == "" {
		subjPrio = "normal"
	}
	p, ok := SelectPolicy(ps, Subject{Priority: subjPrio, OrganizationID: t.OrganizationID, GroupID: t.GroupID, Tags: t.Tags, Via: t.Via})
	if !ok {
		return out, nil
	}
	tl, err := s.timeline(ctx, t.ID)
	if err != nil {
		return out, err
	}
	out.PolicyID = p.ID
	prio := t.Priority
	if prio == "" {
		prio = "normal" // a ticket without a priority is measured as normal
	}
	out.Clocks = p.Compute(prio, tl, s.scheduleFor(ctx, t.GroupID), s.now())
	for _, c := range out.Clocks {
		if stateRank[c.State] > stateRank[out.State] {
			out.State = c.State
		}
		if !c.DueAt.IsZero() && (c.State == StateActive || c.State == StateBreachSoon) && (out.NextDue.IsZero() || c.DueAt.Before(out.NextDue)) {
			out.NextDue = c.DueAt
		}
	}
	return out, nil
}

// refreshSLA recomputes and stores a ticket's SLA; on a new breach it runs
// the policy's escalation actions once.
func (s *Service) refreshSLA(ctx context.Context, ticketID int64) error {
	t, err := s.tickets.Get(ctx, auth.SystemActor(), ticketID)
	if errors.Is(err, apperr.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	cur, err := s.computeSLA(ctx, t)
	if err != nil {
		return err
	}
	var old, oldClocks string
	stored := s.db.R.QueryRowContext(ctx, `SELECT state, clocks FROM ticket_slas WHERE ticket_id = $1`, ticketID).Scan(&old, &oldClocks) == nil
	if cur.PolicyID == 0 {
		if !stored {
			return nil // nothing to clear: no write (most tickets, in a workspace without SLA policies)
		}
		_, err := s.db.W.ExecContext(ctx, `DELETE FROM ticket_slas WHERE ticket_id = $1`, ticketID)
		return err
	}
	clocks, _ := json.Marshal(cur.Clocks)
	outcomes := slaOutcomes(ticketID, oldClocks, cur.Clocks, s.now())
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO ticket_slas (ticket_id, policy_id, state, next_due_at, clocks, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
			 ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, state = excluded.state,
			   next_due_at = excluded.next_due_at, clocks = excluded.clocks, updated_at = excluded.updated_at`,
			ticketID, cur.PolicyID, cur.State, db.NullMillis(cur.NextDue), string(clocks), db.Millis(s.now())); err != nil {
			return err
		}
		return events.Insert(ctx, tx, outcomes)
	}); err != nil {
		return err
	}
	if cur.State == StateBreached && old != StateBreached {
		p, err := s.getObject(ctx, KindSLAPolicy, cur.PolicyID)
		if err != nil {
			return nil
		}
		pol, _ := policyFrom(p)
		if len(pol.EscalationActions) > 0 && t.Status != "closed" {
			f := s.facts(ctx, t)
			out := Outcome{}
			for _, a := range pol.EscalationActions {
				applyAction(&out, &f, pol.ID, a, Placeholders{}.Render)
			}
			s.withAuthor(ctx, t, &out.Patch)
			if _, err := s.tickets.Update(ctx, auth.SystemActor(), t.ID, out.Patch); err != nil {
				return fmt.Errorf("sla escalation: %w", err)
			}
		}
	}
	return nil
}

// SLAList lists stored SLA states, most urgent first (state filter optional:
// breach_soon, breached, active, paused, achieved) for views.
func (s *Service) SLAList(ctx context.Context, a auth.Actor, state string, limit int) ([]TicketSLA, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	q := `SELECT ticket_id, policy_id, state, COALESCE(next_due_at, 0), clocks FROM ticket_slas`
	args := []any{}
	if state != "" {
		q += ` WHERE state = $1`
		args = append(args, state)
	}
	q += fmt.Sprintf(` ORDER BY next_due_at IS NULL, next_due_at, ticket_id LIMIT %d`, limit)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []TicketSLA{}
	for rows.Next() {
		var x TicketSLA
		var due int64
		var clocks string
		if err := rows.Scan(&x.TicketID, &x.PolicyID, &x.State, &due, &clocks); err != nil {
			return nil, err
		}
		if due != 0 {
			x.NextDue = db.Time(due)
		}
		_ = json.Unmarshal([]byte(clocks), &x.Clocks)
		out = append(out, x)
	}
	return out, rows.Err()
}

// SLAStates returns the stored SLA state of each of the tickets that has
// one (for lists: one query for a page of tickets).
func (s *Service) SLAStates(ctx context.Context, a auth.Actor, ticketIDs []int64) (map[int64]TicketSLA, error) {
	if err := staffOnly(a); err != nil {
		return nil, err
	}
	out := map[int64]TicketSLA{}
	if len(ticketIDs) == 0 {
		return out, nil
	}
	args := make([]any, len(ticketIDs))
	for i, id := range ticketIDs {
		args[i] = id
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT ticket_id, policy_id, state, COALESCE(next_due_at, 0) FROM ticket_slas WHERE ticket_id IN (`+
		db.Placeholders(1, len(args))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var x TicketSLA
		var due int64
		if err := rows.Scan(&x.TicketID, &x.PolicyID, &x.State, &due); err != nil {
			return nil, err
		}
		if due != 0 {
			x.NextDue = db.Time(due)
		}
		out[x.TicketID] = x
	}
	return out, rows.Err()
}

// ---- time-based work

// Tick runs the time-based work once at the service's now: SLA clocks that
// come due, automations, and out-of-office reassignment.
func (s *Service) Tick(ctx context.Context) error {
	s.procMu.Lock()
	defer s.procMu.Unlock()
	now := s.now()
	// SLA clocks that may have changed state by now.
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT ticket_id FROM ticket_slas WHERE state IN ('active', 'breach_soon') AND next_due_at <= $1 ORDER BY ticket_id`,
		db.Millis(now.Add(24*time.Hour)))
	if err != nil {
		return err
	}
	var due []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		due = append(due, id)
	}
	rows.Close()
	for _, id := range due {
		if err := s.refreshSLA(ctx, id); err != nil {
			s.log.Warn("automation: sla refresh", "ticket", id, "err", err)
		}
	}
	if err := s.runAutomations(ctx, now); err != nil {
		return err
	}
	if c := s.routingConfig(ctx); c.Enabled && c.ReassignAbsent {
		if err := s.reassignAbsent(ctx, c, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) runAutomations(ctx context.Context, now time.Time) error {
	rules, err := s.rules(ctx, KindAutomation)
	if err != nil {
		return err
	}
	active := slices.DeleteFunc(rules, func(r Rule) bool { return !r.Active })
	if len(active) == 0 {
		return nil
	}
	sys := auth.SystemActor()
	for page := 1; ; page++ {
		res, err := s.tickets.List(ctx, sys, ticket.ListQuery{Statuses: []string{"new", "open", "pending", "hold", "solved"}, Sort: "id", PerPage: 100, Page: page})
		if err != nil {
			return err
		}
		for _, t := range res.Tickets {
			statusAt := s.statusSince(ctx, t.ID)
			f := s.facts(ctx, t)
			f.Now, f.StatusAt = now, statusAt
			var pending []Rule
			for _, r := range active {
				if r.Match(f) && !s.ranBefore(ctx, r.ID, t.ID, statusAt) {
					pending = append(pending, r)
				}
			}
			if len(pending) == 0 {
				continue
			}
			out := RunTriggers(pending, f, Placeholders{}.Render)
			for _, id := range out.Fired {
				if _, err := s.db.W.ExecContext(ctx,
					`INSERT INTO automation_runs (rule_id, ticket_id, stamp, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
					id, t.ID, db.Millis(statusAt), db.Millis(now)); err != nil {
					return err
				}
			}
			if out.Changed {
				s.withAuthor(ctx, t, &out.Patch)
				if _, err := s.tickets.Update(ctx, sys, t.ID, out.Patch); err != nil {
					s.log.Warn("automation: apply", "ticket", t.ID, "rules", out.Fired, "err", err)
				}
			}
			for _, e := range out.Effects {
				s.effect(ctx, t, events.Event{ID: -now.UnixMilli()}, e)
			}
		}
		if len(res.Tickets) < 100 {
			return nil
		}
	}
}

func (s *Service) ranBefore(ctx context.Context, ruleID, ticketID int64, stamp time.Time) bool {
	var n int
	_ = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM automation_runs WHERE rule_id = $1 AND ticket_id = $2 AND stamp = $3`,
		ruleID, ticketID, db.Millis(stamp)).Scan(&n)
	return n > 0
}

// reassignAbsent moves the open tickets of out-of-office agents. Each move is
// a ticket update, so the ticket service writes a ticket.reassigned event.
func (s *Service) reassignAbsent(ctx context.Context, c RoutingConfig, now time.Time) error {
	agents, err := s.agents(ctx)
	if err != nil {
		return err
	}
	var absent []int64
	for _, a := range agents {
		if a.Absent(now) {
			absent = append(absent, a.ID)
		}
	}
	if len(absent) == 0 {
		return nil
	}
	sys := auth.SystemActor()
	var open []routing.OpenTicket
	for _, id := range absent {
		res, err := s.tickets.List(ctx, sys, ticket.ListQuery{AssigneeID: id, Statuses: []string{"new", "open", "pending", "hold"}, Sort: "id", PerPage: 100})
		if err != nil {
			return err
		}
		for _, t := range res.Tickets {
			f := s.facts(ctx, t)
			open = append(open, routing.OpenTicket{Request: s.routeRequest(ctx, t, f.Language, c), AssigneeID: id})
		}
	}
	s.router.Mode = c.Mode
	for _, m := range s.router.ReassignAbsent(agents, open, now) {
		to := m.To
		if _, err := s.tickets.Update(ctx, sys, m.TicketID, ticket.Patch{AssigneeID: &to}); err != nil {
			s.log.Warn("automation: reassign", "ticket", m.TicketID, "err", err)
		}
	}
	return nil
}

// Run processes events as they are published (and every poll interval, for
// events of other nodes) and runs Tick every tick interval, until ctx ends.
func (s *Service) Run(ctx context.Context, bus *events.Bus, poll, tick time.Duration) {
	if poll <= 0 {
		poll = 2 * time.Second
	}
	if tick <= 0 {
		tick = time.Minute
	}
	wake := make(chan struct{}, 1)
	if bus != nil {
		unsub := bus.Subscribe(func(events.Event) {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		defer unsub()
	}
	pt := time.NewTicker(poll)
	defer pt.Stop()
	tt := time.NewTicker(tick)
	defer tt.Stop()
	token := rand.Int64N(1<<62) + 1
	for {
		leader := s.lead(ctx, token)
		if leader {
			if _, err := s.Process(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("automation: process", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-pt.C:
		case <-tt.C:
			if leader {
				if err := s.Tick(ctx); err != nil && ctx.Err() == nil {
					s.log.Warn("automation: tick", "err", err)
				}
			}
		}
	}
}

// leaseFor is how long a node leads the flow-of-work reader without renewing.
const leaseFor = 30 * time.Second

// lead takes or renews the leader lease (one node reads events and runs the
// ticker; with several nodes the others wait until the lease runs out).
func (s *Service) lead(ctx context.Context, token int64) bool {
	now := s.now()
	res, err := s.db.W.ExecContext(ctx,
		`INSERT INTO flow_cursors (name, last_event_id, updated_at) VALUES ('leader', $1, $2)
		 ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at
		 WHERE flow_cursors.last_event_id = excluded.last_event_id OR flow_cursors.updated_at < $3`,
		token, db.Millis(now), db.Millis(now.Add(-leaseFor)))
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("automation: leader lease", "err", err)
		}
		return false
	}
	n, _ := res.RowsAffected()
	return n == 1
}
