// Package kpi computes the help desk's key performance indicators from the
// event log (never from ticket fields that a later edit overwrites), the
// survey responses and the customer events. docs/kpis.md defines each figure.
//
// The engine replays every ticket's events up to the end of the period, so a
// late event (written after the period was first reported) is always counted:
// there are no rollups to invalidate.
package kpi

import (
	"context"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
)

// EventDeflection is the knowledge base's self-service event (kb.EventDeflection).
const EventDeflection = "kb.deflection"

// Filter narrows the tickets a KPI counts. A ticket matches when the filter
// matches its state at the moment of the measured event (its group when it
// was solved, its tags when it was created, ...). Zero values match all.
type Filter struct {
	Channel        string `json:"channel,omitempty"`
	GroupID        int64  `json:"group_id,omitempty"`
	AgentID        int64  `json:"agent_id,omitempty"`
	OrganizationID int64  `json:"organization_id,omitempty"`
	Tag            string `json:"tag,omitempty"`
	Language       string `json:"language,omitempty"` // the requester's locale
}

func (f Filter) ticketOnly() bool {
	return f.Channel != "" || f.GroupID != 0 || f.AgentID != 0 || f.Tag != "" || f.Language != ""
}

// Query is a period [From, To) and a filter.
type Query struct {
	From, To time.Time
	Filter
}

// Result holds every KPI of one period. Pointers are nil when the figure has
// no data in the period (no sample, nothing to divide by).
type Result struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`

	Created  int `json:"created"`
	Resolved int `json:"resolved"`
	Reopened int `json:"reopened"`
	Backlog  int `json:"backlog"`

	FirstResponseCount       int      `json:"first_response_count"`
	FirstResponseAvgHours    *float64 `json:"first_response_avg_hours"`
	FirstResponseMedianHours *float64 `json:"first_response_median_hours"`
	ResolutionAvgHours       *float64 `json:"resolution_avg_hours"`
	ResolutionMedianHours    *float64 `json:"resolution_median_hours"`
	FCRPercent               *float64 `json:"fcr_percent"`
	EscalationPercent        *float64 `json:"escalation_percent"`
	TransferPercent          *float64 `json:"transfer_percent"`
	TransferEvents           int      `json:"transfer_events"`

	CSATResponses    int      `json:"csat_responses"`
	CSATPercent      *float64 `json:"csat_percent"`
	NPSResponses     int      `json:"nps_responses"`
	NPS              *float64 `json:"nps"`
	CESResponses     int      `json:"ces_responses"`
	CESAverage       *float64 `json:"ces_average"`
	RetentionPercent *float64 `json:"retention_percent"`

	Deflections       int      `json:"deflections"`
	DeflectionPercent *float64 `json:"deflection_percent"`

	VolumeByChannel map[string]int `json:"volume_by_channel"`
	VolumeByGroup   map[string]int `json:"volume_by_group"` // group id as text; "0" = no group
	VolumeByTag     map[string]int `json:"volume_by_tag"`
}

// Service computes KPIs.
type Service struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger
}

// NewService returns the KPI service.
func NewService(d *db.DB, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, now: now, log: log}
}

// Authorize checks who may read which figures and returns the filter to use:
// admins read everything; agents only their own figures (the agent filter is
// forced to themselves); customers read nothing.
func Authorize(a auth.Actor, f Filter) (Filter, error) {
	switch {
	case a.System || a.IsAdmin():
		return f, nil
	case a.IsStaff():
		if f.AgentID != 0 && f.AgentID != a.UserID {
			return f, apperr.Forbidden("another agent's figures")
		}
		f.AgentID = a.UserID
		return f, nil
	}
	return f, apperr.Forbidden("KPIs")
}

func checkPeriod(from, to time.Time) error {
	if from.IsZero() || to.IsZero() || !from.Before(to) {
		return apperr.Invalid("from", "invalid", "from must be before to")
	}
	return nil
}

// Compute returns every KPI of one period.
func (s *Service) Compute(ctx context.Context, a auth.Actor, q Query) (Result, error) {
	f, err := Authorize(a, q.Filter)
	if err != nil {
		return Result{}, err
	}
	if err := checkPeriod(q.From, q.To); err != nil {
		return Result{}, err
	}
	d, err := s.load(ctx, q.To)
	if err != nil {
		return Result{}, err
	}
	return d.compute(q.From, q.To, f), nil
}

// Buckets splits [from, to) into UTC days, ISO weeks (from Monday) or months.
func Buckets(from, to time.Time, by string) ([][2]time.Time, error) {
	from, to = from.UTC(), to.UTC()
	start := time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	step := func(t time.Time) time.Time { return t.AddDate(0, 0, 1) }
	switch by {
	case "day":
	case "week":
		wd := (int(start.Weekday()) + 6) % 7
		start = start.AddDate(0, 0, -wd)
		step = func(t time.Time) time.Time { return t.AddDate(0, 0, 7) }
	case "month":
		start = time.Date(start.Year(), start.Month(), 1, 0, 0, 0, 0, time.UTC)
		step = func(t time.Time) time.Time { return t.AddDate(0, 1, 0) }
	default:
		return nil, apperr.Invalid("by", "invalid", "must be day, week or month")
	}
	var out [][2]time.Time
	for t := start; t.Before(to); t = step(t) {
		out = append(out, [2]time.Time{t, step(t)})
		if len(out) > 3700 {
			return nil, apperr.Invalid("by", "too_many", "too many buckets")
		}
	}
	return out, nil
}

// Series computes every KPI for each bucket of [q.From, q.To).
func (s *Service) Series(ctx context.Context, a auth.Actor, q Query, by string) ([]Result, error) {
	f, err := Authorize(a, q.Filter)
	if err != nil {
		return nil, err
	}
	if err := checkPeriod(q.From, q.To); err != nil {
		return nil, err
	}
	bs, err := Buckets(q.From, q.To, by)
	if err != nil {
		return nil, err
	}
	d, err := s.load(ctx, bs[len(bs)-1][1])
	if err != nil {
		return nil, err
	}
	out := make([]Result, len(bs))
	for i, b := range bs {
		out[i] = d.compute(b[0], b[1], f)
	}
	return out, nil
}

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
	evs       []events.Event
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
}

func (s *Service) load(ctx context.Context, to time.Time) (*data, error) {
	d := &data{roles: map[int64]string{}, locales: map[int64]string{}, userOrg: map[int64]int64{}}
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

	rows, err = s.db.R.QueryContext(ctx, `SELECT id, ticket_id, COALESCE(actor_id, 0), type, field, before, after, created_at
		FROM events WHERE ticket_id IS NOT NULL AND created_at < $1 ORDER BY ticket_id, id`, end)
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

// compute replays each ticket and counts the events of [from, to).
func (d *data) compute(from, to time.Time, f Filter) Result {
	r := Result{From: from, To: to, VolumeByChannel: map[string]int{}, VolumeByGroup: map[string]int{}, VolumeByTag: map[string]int{}}
	var frt, res []float64
	var fcrYes, escYes, trYes int
	for _, t := range d.tickets {
		if len(t.evs) == 0 || t.evs[0].Type != events.TicketCreated {
			continue
		}
		if slices.ContainsFunc(t.evs, func(e events.Event) bool { return e.Type == events.TicketDeleted }) {
			continue // deleted (spam, mistakes) before the end of the period: counts nowhere
		}
		st := t.initial()
		created := t.evs[0].CreatedAt
		firstComment := true
		responded := false
		replies := 0 // public staff replies after the opening comment
		escalated, transferred, reopenedEver := false, false, false
		reopenedHere := false
		var lastSolve *time.Time
		var solveReplies int
		var solveEsc, solveTr bool
		var solveState tstate
		for _, e := range t.evs {
			switch e.Type {
			case events.TicketCreated:
				if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
					r.Created++
					r.VolumeByChannel[t.channel]++
					r.VolumeByGroup[strconv.FormatInt(st.group, 10)]++
					for _, tag := range st.tags {
						r.VolumeByTag[tag]++
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
							frt = append(frt, hours(e.CreatedAt.Sub(created)))
						}
					}
				}
			case events.Assigned, events.Reassigned:
				if e.Type == events.Reassigned {
					transferred = true
					if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
						r.TransferEvents++
					}
				}
				apply(&st, "assignee_id", e.After)
			case events.FieldChanged:
				if e.Field == "group_id" && st.group != 0 {
					transferred = true
					if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
						r.TransferEvents++
					}
				}
				if e.Field == "priority" && e.After != nil && priorityRank[*e.After] >= 3 && priorityRank[*e.After] > priorityRank[st.priority] {
					escalated = true
				}
				if e.Field == "tags" && e.After != nil && slices.Contains(directory.SplitTags(*e.After), "escalated") && !slices.Contains(st.tags, "escalated") {
					escalated = true
				}
				apply(&st, e.Field, e.After)
			case events.StatusChanged:
				before, after := "", ""
				if e.Before != nil {
					before = *e.Before
				}
				if e.After != nil {
					after = *e.After
				}
				if resolvedStatus(after) && !resolvedStatus(before) && in(e.CreatedAt, from, to) {
					at := e.CreatedAt
					lastSolve, solveReplies, solveEsc, solveTr = &at, replies, escalated, transferred
					solveState = st
				}
				apply(&st, "status", e.After)
			case events.Reopened:
				reopenedEver = true
				if in(e.CreatedAt, from, to) && d.matches(t, st, f) {
					reopenedHere = true
				}
			}
		}
		if reopenedHere {
			r.Reopened++
		}
		if lastSolve != nil && d.matches(t, solveState, f) {
			r.Resolved++
			res = append(res, hours(lastSolve.Sub(created)))
			if solveReplies == 1 && !reopenedEver {
				fcrYes++
			}
			if solveEsc {
				escYes++
			}
			if solveTr {
				trYes++
			}
		}
		if !resolvedStatus(st.status) && d.matches(t, st, f) {
			r.Backlog++
		}
	}
	r.FirstResponseCount = len(frt)
	r.FirstResponseAvgHours, r.FirstResponseMedianHours = mean(frt), median(frt)
	r.ResolutionAvgHours, r.ResolutionMedianHours = mean(res), median(res)
	r.FCRPercent = pct(fcrYes, r.Resolved)
	r.EscalationPercent = pct(escYes, r.Resolved)
	r.TransferPercent = pct(trYes, r.Resolved)

	var csatGood, promoters, detractors, cesSum int
	for _, sv := range d.surveys {
		if !in(sv.at, from, to) || (f.Channel != "" && sv.channel != f.Channel) || (f.GroupID != 0 && sv.group != f.GroupID) ||
			(f.AgentID != 0 && sv.agent != f.AgentID) || (f.OrganizationID != 0 && sv.org != f.OrganizationID) ||
			(f.Language != "" && sv.lang != f.Language) || f.Tag != "" {
			continue
		}
		switch sv.kind {
		case "csat":
			r.CSATResponses++
			if sv.score >= 4 {
				csatGood++
			}
		case "nps":
			r.NPSResponses++
			if sv.score >= 9 {
				promoters++
			} else if sv.score <= 6 {
				detractors++
			}
		case "ces":
			r.CESResponses++
			cesSum += sv.score
		}
	}
	r.CSATPercent = pct(csatGood, r.CSATResponses)
	if r.NPSResponses > 0 {
		v := float64(promoters-detractors) * 100 / float64(r.NPSResponses)
		r.NPS = &v
	}
	if r.CESResponses > 0 {
		v := float64(cesSum) / float64(r.CESResponses)
		r.CESAverage = &v
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
		r.RetentionPercent = pct(len(active)-len(churned), len(active))
		if f.OrganizationID == 0 {
			for _, at := range d.deflections {
				if in(at, from, to) {
					r.Deflections++
				}
			}
			r.DeflectionPercent = pct(r.Deflections, r.Deflections+r.Created)
		}
	}
	return r
}

func pct(n, of int) *float64 {
	if of == 0 {
		return nil
	}
	v := float64(n) * 100 / float64(of)
	return &v
}

func mean(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	var s float64
	for _, x := range xs {
		s += x
	}
	v := s / float64(len(xs))
	return &v
}

func median(xs []float64) *float64 {
	if len(xs) == 0 {
		return nil
	}
	ys := slices.Clone(xs)
	slices.Sort(ys)
	n := len(ys)
	v := ys[n/2]
	if n%2 == 0 {
		v = (ys[n/2-1] + ys[n/2]) / 2
	}
	return &v
}
