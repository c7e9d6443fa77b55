package kpi

// The replay engine: every ticket's events, replayed in time order. It is the
// definition the rollups are tested against (docs/kpis.md), and it answers
// periods that do not start and end at UTC midnight.

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
)

// --- loading ---------------------------------------------------------------

type tstate struct {
	status   string
	group    int64
	assignee int64
	org      int64
	priority string
	tags     []string
}

type tick struct {
	id        int64
	channel   string
	requester int64
	cur       tstate
	evs       []events.Event // in time order (sortEvents)
	init      tstate         // the state at creation (initial)
}

// sortEvents puts a ticket's events in time order, ties in write order: a
// backdated event (an import) applies at the moment it says it happened.
func sortEvents(evs []events.Event) {
	slices.SortStableFunc(evs, func(a, b events.Event) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
}

// before returns the events before t (evs in time order).
func before(evs []events.Event, t time.Time) []events.Event {
	n, _ := slices.BinarySearchFunc(evs, t, func(e events.Event, t time.Time) int {
		if e.CreatedAt.Before(t) {
			return -1
		}
		return 1
	})
	return evs[:n]
}

type survey struct {
	kind    string
	agent   int64
	group   int64
	channel string
	org     int64
	lang    string
	score   int
	at      time.Time
}

type custEvent struct {
	customer int64
	org      int64
	typ      string
	at       time.Time
}

type data struct {
	tickets     []*tick
	roles       map[int64]string
	locales     map[int64]string
	userOrg     map[int64]int64
	surveys     []survey
	cust        []custEvent
	deflections []time.Time
	worked      WorkingTime
}

func (s *Service) load(ctx context.Context, to time.Time) (*data, error) {
	d := &data{roles: map[int64]string{}, locales: map[int64]string{}, userOrg: map[int64]int64{}, worked: s.workingTime(ctx)}
	end := db.Millis(to)
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, role, locale, COALESCE(organization_id, 0) FROM users`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var id, org int64
		var role, loc string
		if err := rows.Scan(&id, &role, &loc, &org); err != nil {
			rows.Close()
			return nil, err
		}
		d.roles[id], d.locales[id], d.userOrg[id] = role, loc, org
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	byID := map[int64]*tick{}
	rows, err = s.db.R.QueryContext(ctx, `SELECT id, status, via_channel, requester_id, COALESCE(organization_id, 0),
		COALESCE(group_id, 0), COALESCE(assignee_id, 0), priority, tags FROM tickets WHERE created_at < $1 ORDER BY id`, end)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		t := &tick{}
		var tags string
		if err := rows.Scan(&t.id, &t.cur.status, &t.channel, &t.requester, &t.cur.org, &t.cur.group, &t.cur.assignee,
			&t.cur.priority, &tags); err != nil {
			rows.Close()
			return nil, err
		}
		t.cur.tags = directory.SplitTags(tags)
		byID[t.id] = t
		d.tickets = append(d.tickets, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	// Every event of these tickets, also those after the period: the state at
	// creation is rolled back from the first change of each field, wherever
	// that change falls (compute ignores the events at or after its end).
	rows, err = s.db.R.QueryContext(ctx, `SELECT id, ticket_id, COALESCE(actor_id, 0), type, field, before, after, created_at
		FROM events WHERE ticket_id IS NOT NULL ORDER BY ticket_id, id`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var e events.Event
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorID, &e.Type, &e.Field, &e.Before, &e.After, &at); err != nil {
			rows.Close()
			return nil, err
		}
		e.CreatedAt = db.Time(at)
		if t := byID[e.TicketID]; t != nil {
			t.evs = append(t.evs, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, t := range d.tickets {
		sortEvents(t.evs)
		t.init = t.initial()
	}

	rows, err = s.db.R.QueryContext(ctx, `SELECT kind, COALESCE(agent_id, 0), COALESCE(group_id, 0), channel, customer_id, score, answered_at
		FROM survey_responses WHERE answered_at IS NOT NULL AND answered_at < $1`, end)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var sv survey
		var cust, at int64
		if err := rows.Scan(&sv.kind, &sv.agent, &sv.group, &sv.channel, &cust, &sv.score, &at); err != nil {
			rows.Close()
			return nil, err
		}
		sv.at, sv.org, sv.lang = db.Time(at), d.userOrg[cust], d.locales[cust]
		d.surveys = append(d.surveys, sv)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = s.db.R.QueryContext(ctx, `SELECT customer_id, type, occurred_at FROM customer_events
		WHERE type IN ('signup', 'purchase', 'cancellation') AND occurred_at < $1 ORDER BY occurred_at, id`, end)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ce custEvent
		var at int64
		if err := rows.Scan(&ce.customer, &ce.typ, &at); err != nil {
			rows.Close()
			return nil, err
		}
		ce.at, ce.org = db.Time(at), d.userOrg[ce.customer]
		d.cust = append(d.cust, ce)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}

	rows, err = s.db.R.QueryContext(ctx, `SELECT created_at FROM events WHERE type = $1 AND created_at < $2`, EventDeflection, end)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var at int64
		if err := rows.Scan(&at); err != nil {
			rows.Close()
			return nil, err
		}
		d.deflections = append(d.deflections, db.Time(at))
	}
	rows.Close()
	return d, rows.Err()
}

// --- replay ---------------------------------------------------------------

// initial rolls the ticket's current state back to its state at creation:
// for every field, the "before" of its first change event.
func (t *tick) initial() tstate {
	st := t.cur
	st.tags = slices.Clone(t.cur.tags)
	seen := map[string]bool{}
	for _, e := range t.evs {
		key := e.Field
		if e.Type == events.Assigned || e.Type == events.Reassigned {
			key = "assignee_id"
		}
		if e.Type == events.TicketCreated {
			if e.After != nil {
				st.status = *e.After
			}
			seen["status"] = true
			continue
		}
		if seen[key] || (e.Type != events.FieldChanged && e.Type != events.Assigned && e.Type != events.Reassigned && e.Type != events.StatusChanged) {
			continue
		}
		seen[key] = true
		apply(&st, key, e.Before)
	}
	return st
}

func apply(st *tstate, field string, v *string) {
	s := ""
	if v != nil {
		s = *v
	}
	switch field {
	case "status":
		st.status = s
	case "group_id":
		st.group = atoi(s)
	case "assignee_id":
		st.assignee = atoi(s)
	case "organization_id":
		st.org = atoi(s)
	case "priority":
		st.priority = s
	case "tags":
		st.tags = directory.SplitTags(s)
	}
}

func atoi(s string) int64 { n, _ := strconv.ParseInt(s, 10, 64); return n }

func (d *data) matches(t *tick, st tstate, f Filter) bool {
	switch {
	case f.Channel != "" && t.channel != f.Channel,
		f.GroupID != 0 && st.group != f.GroupID,
		f.AgentID != 0 && st.assignee != f.AgentID,
		f.OrganizationID != 0 && st.org != f.OrganizationID,
		f.Tag != "" && !slices.Contains(st.tags, f.Tag),
		f.Language != "" && d.locales[t.requester] != f.Language:
		return false
	}
	return true
}

func in(t, from, to time.Time) bool { return !t.Before(from) && t.Before(to) }

func resolvedStatus(s string) bool { return s == "solved" || s == "closed" }

var priorityRank = map[string]int{"": 0, "low": 1, "normal": 2, "high": 3, "urgent": 4}

func hours(d time.Duration) float64 { return d.Hours() }

func (d *data) staff(id int64) bool {
	r := d.roles[id]
	return r == auth.RoleAdmin || r == auth.RoleAgent || r == auth.RoleLightAgent
}

// compute replays each ticket's events before to and counts those of [from, to).
func (d *data) compute(from, to time.Time, f Filter) Result {
	return d.accumulate(from, to, f).finish(from, to, f)
}

func (d *data) accumulate(from, to time.Time, f Filter) *acc {
	a := newAcc()
	a.frt, a.res = []float64{}, []float64{}
	for _, t := range d.tickets {
		evs := before(t.evs, to)
		if len(evs) == 0 || evs[0].Type != events.TicketCreated {
			continue
		}
		if slices.ContainsFunc(evs, func(e events.Event) bool { return e.Type == events.TicketDeleted }) {
			continue // deleted (spam, mistakes) before the end of the period: counts nowhere
		}
		st := t.init
		st.tags = slices.Clone(t.init.tags)
		created := evs[0].CreatedAt
		firstComment := true
		responded := false
		replies := 0 // public staff replies after the opening comment
		escalated, transferred, reopenedEver := false, false, false
		reopenedHere := false
		var lastSolve *time.Time
		var solveReplies int
		var solveEsc, solveTr bool
		var work, solveWork int64 // agent work logged so far, and before the counted resolution
		var solveState tstate
		for _, e := range evs {
			switch e.Type {
			case events.TicketCreated:
				if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
					a.created++
					a.volCh[t.channel]++
					a.volGr[strconv.FormatInt(st.group, 10)]++
					for _, tag := range st.tags {
						a.volTag[tag]++
					}
				}
			case events.CommentAdded:
				if firstComment {
					firstComment = false
					break
				}
				if e.Field == "public" && d.staff(e.ActorID) {
					replies++
					if !responded {
						responded = true
						g := f
						g.AgentID = 0
						if in(e.CreatedAt, from, to) && d.matches(t, st, g) && (f.AgentID == 0 || f.AgentID == e.ActorID) {
							a.frtN++
							a.frtSum += hours(e.CreatedAt.Sub(created))
							a.frtBizSum += hours(d.worked(st.group, created, e.CreatedAt))
							a.frt = append(a.frt, hours(e.CreatedAt.Sub(created)))
						}
					}
				}
			case events.Assigned, events.Reassigned:
				if e.Type == events.Reassigned {
					transferred = true
					if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
						a.transfers++
					}
				}
				apply(&st, "assignee_id", e.After)
			case events.FieldChanged:
				if e.Field == "group_id" && st.group != 0 {
					transferred = true
					if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
						a.transfers++
					}
				}
				if escalates(e, st) {
					escalated = true
				}
				apply(&st, e.Field, e.After)
			case events.StatusChanged:
				if resolves(e) && in(e.CreatedAt, from, to) {
					at := e.CreatedAt
					lastSolve, solveReplies, solveEsc, solveTr, solveWork = &at, replies, escalated, transferred, work
					solveState = st
				}
				apply(&st, "status", e.After)
			case events.Reopened:
				reopenedEver = true
				if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
					reopenedHere = true
				}
			case EventChatAnswered:
				g := f
				g.AgentID = 0
				if in(e.CreatedAt, from, to) && d.matches(t, st, g) && (f.AgentID == 0 || f.AgentID == e.ActorID) {
					a.asaN++
					a.asaSum += eventMs(e)
				}
			case EventChatAbandoned:
				if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
					a.abandoned++
				}
			case EventSLAAchieved, EventSLABreached:
				if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
					if e.Type == EventSLAAchieved {
						a.slaMet++
					} else {
						a.slaMissed++
					}
				}
			case EventWorkLogged, EventChatEnded:
				work += workMs(e)
			}
		}
		if reopenedHere {
			a.reopened++
		}
		if lastSolve != nil && d.matches(t, solveState, f) {
			a.resolved++
			a.resSum += hours(lastSolve.Sub(created))
			a.res = append(a.res, hours(lastSolve.Sub(created)))
			if solveReplies == 1 && !reopenedEver {
				a.fcr++
			}
			if solveEsc {
				a.esc++
			}
			if solveTr {
				a.tr++
			}
			a.takeWork(solveWork, 1)
		}
		if !resolvedStatus(st.status) && d.matches(t, st, f) {
			a.backlog++
		}
	}

	for _, sv := range d.surveys {
		if !in(sv.at, from, to) || (f.Channel != "" && sv.channel != f.Channel) || (f.GroupID != 0 && sv.group != f.GroupID) ||
			(f.AgentID != 0 && sv.agent != f.AgentID) || (f.OrganizationID != 0 && sv.org != f.OrganizationID) ||
			(f.Language != "" && sv.lang != f.Language) || f.Tag != "" {
			continue
		}
		a.addSurvey(sv.kind, sv.score, 1)
	}

	if !f.ticketOnly() {
		// Retention: customers active at the start (signed up or bought before
		// from, not cancelled before from) who did not cancel during the period.
		active := map[int64]bool{}
		for _, ce := range d.cust {
			if !ce.at.Before(from) || (f.OrganizationID != 0 && ce.org != f.OrganizationID) {
				continue
			}
			if ce.typ == "cancellation" {
				delete(active, ce.customer)
			} else {
				active[ce.customer] = true
			}
		}
		churned := map[int64]bool{}
		for _, ce := range d.cust {
			if ce.typ == "cancellation" && in(ce.at, from, to) && active[ce.customer] {
				churned[ce.customer] = true
			}
		}
		a.retention = pct(len(active)-len(churned), len(active))
		for _, at := range d.deflections {
			if in(at, from, to) {
				a.deflections++
			}
		}
	}
	return a
}

// addSurvey counts n answers of one score.
func (a *acc) addSurvey(kind string, score, n int) {
	switch kind {
	case "csat":
		a.csatN += n
		if score >= 4 {
			a.csatGood += n
		}
	case "nps":
		a.npsN += n
		if score >= 9 {
			a.promoters += n
		} else if score <= 6 {
			a.detractors += n
		}
	case "ces":
		a.cesN += n
		a.cesSum += score * n
	}
}

// resolves reports whether a status change is a resolution: to solved or
// closed from neither (solved → closed is not a second resolution).
func resolves(e events.Event) bool {
	before, after := "", ""
	if e.Before != nil {
		before = *e.Before
	}
	if e.After != nil {
		after = *e.After
	}
	return resolvedStatus(after) && !resolvedStatus(before)
}

// escalates reports whether a field change raises the priority to high or
// urgent or adds the tag escalated.
func escalates(e events.Event, st tstate) bool {
	if e.Field == "priority" && e.After != nil && priorityRank[*e.After] >= 3 && priorityRank[*e.After] > priorityRank[st.priority] {
		return true
	}
	return e.Field == "tags" && e.After != nil && slices.Contains(directory.SplitTags(*e.After), "escalated") && !slices.Contains(st.tags, "escalated")
}
