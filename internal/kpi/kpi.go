// Package kpi computes the help desk's key performance indicators from the
// event log (never from ticket fields that a later edit overwrites), the
// survey responses and the customer events. docs/kpis.md defines each figure.
//
// Periods that start and end at UTC midnight (every report, series and goal)
// are read from rollups kept per day (rollup_*.go); a late event marks its
// ticket dirty and the ticket is re-rolled before the next read. Other
// periods, and the tests' reference, replay the event log (replay.go).
package kpi

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
)

// Events of other packages the figures count (their writers own the names:
// kb.EventDeflection, chat.Event*, automation.EventSLA*, events.WorkLogged).
const (
	EventDeflection    = "kb.deflection"
	EventChatAnswered  = "chat.answered"  // after: ms the visitor waited in the queue
	EventChatAbandoned = "chat.abandoned" // the visitor left while queued
	EventChatEnded     = "chat.ended"     // after: {"duration_ms": …, "handle_ms": …}
	EventSLAAchieved   = "sla.achieved"   // field: the target's metric
	EventSLABreached   = "sla.breached"
	EventWorkLogged    = events.WorkLogged // after: ms of agent work (ticket.LogWork)
)

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

	FirstResponseCount            int      `json:"first_response_count"`
	FirstResponseAvgHours         *float64 `json:"first_response_avg_hours"`
	FirstResponseMedianHours      *float64 `json:"first_response_median_hours"`
	FirstResponseBusinessAvgHours *float64 `json:"first_response_business_avg_hours"`
	ResolutionAvgHours            *float64 `json:"resolution_avg_hours"`
	ResolutionMedianHours         *float64 `json:"resolution_median_hours"`
	FCRPercent                    *float64 `json:"fcr_percent"`
	EscalationPercent             *float64 `json:"escalation_percent"`
	TransferPercent               *float64 `json:"transfer_percent"`
	TransferEvents                int      `json:"transfer_events"`

	HandledCount       int      `json:"handled_count"`
	HandlingAvgMinutes *float64 `json:"handling_avg_minutes"`

	ChatsAnswered        int      `json:"chats_answered"`
	ChatASASeconds       *float64 `json:"chat_asa_seconds"`
	ChatsAbandoned       int      `json:"chats_abandoned"`
	ChatAbandonPercent   *float64 `json:"chat_abandon_percent"`
	SLAMet               int      `json:"sla_met"`
	SLAMissed            int      `json:"sla_missed"`
	SLAAttainmentPercent *float64 `json:"sla_attainment_percent"`

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
	db     *db.DB
	now    func() time.Time
	log    *slog.Logger
	replay bool // answer from the event log only (ReplayEngine)

	// roll serialises this process's roll-ups (the worker and the reads that
	// catch up); other nodes are kept out by a database lock (rollup_write.go).
	roll  *sync.Mutex
	built *atomic.Bool // the rollups were built (kpi_rollup_state has its row)
	cust  *custCache   // customer events for retention (live.go)

	hours func(context.Context) WorkingTime // business hours (SetWorkingTime); nil: calendar
}

// WorkingTime measures the business time between two instants for a group.
type WorkingTime func(group int64, from, to time.Time) time.Duration

// SetWorkingTime gives the engine the groups' business hours (automation's
// schedules) for first response time in business hours; load is called once
// per roll or replay. Call it before the service is used.
func (s *Service) SetWorkingTime(load func(context.Context) WorkingTime) { s.hours = load }

func (s *Service) workingTime(ctx context.Context) WorkingTime {
	if s.hours == nil {
		return func(_ int64, from, to time.Time) time.Duration { return max(to.Sub(from), 0) }
	}
	return s.hours(ctx)
}

// NewService returns the KPI service.
func NewService(d *db.DB, now func() time.Time, log *slog.Logger) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{db: d, now: now, log: log, roll: &sync.Mutex{}, built: &atomic.Bool{}, cust: &custCache{}}
}

// ReplayEngine returns the service answering every period by replaying the
// event log, without the rollups: the reference the rollups are checked
// against, and an escape hatch while rollups are rebuilt.
func (s *Service) ReplayEngine() *Service {
	c := *s
	c.replay = true
	return &c
}

// midnight reports whether t is 00:00 UTC: rollups hold whole UTC days.
func midnight(t time.Time) bool { return t.Equal(t.UTC().Truncate(24 * time.Hour)) }

// compute answers buckets (whole days from the rollups when they allow it).
func (s *Service) compute(ctx context.Context, bs [][2]time.Time, f Filter) ([]Result, error) {
	rs, err := s.computeSets(ctx, [][][2]time.Time{bs}, f)
	if err != nil {
		return nil, err
	}
	return rs[0], nil
}

// computeSets answers several sets of buckets with one filter: the sets of
// whole days from the rollups, read together; the others by one replay.
func (s *Service) computeSets(ctx context.Context, sets [][][2]time.Time, f Filter) ([][]Result, error) {
	out := make([][]Result, len(sets))
	var aligned, other [][][2]time.Time
	var alignedAt, otherAt []int
	var end time.Time
	for k, bs := range sets {
		ok := !s.replay
		for _, b := range bs {
			ok = ok && midnight(b[0]) && midnight(b[1])
		}
		if ok {
			aligned, alignedAt = append(aligned, bs), append(alignedAt, k)
		} else {
			other, otherAt = append(other, bs), append(otherAt, k)
			if e := bs[len(bs)-1][1]; e.After(end) {
				end = e
			}
		}
	}
	if len(aligned) > 0 {
		accs, err := s.fromRollups(ctx, aligned, f)
		if err != nil {
			return nil, err
		}
		for j, k := range alignedAt {
			out[k] = make([]Result, len(sets[k]))
			for i, b := range sets[k] {
				out[k][i] = accs[j][i].finish(b[0], b[1], f)
			}
		}
	}
	if len(other) > 0 {
		d, err := s.load(ctx, end)
		if err != nil {
			return nil, err
		}
		for _, k := range otherAt {
			out[k] = make([]Result, len(sets[k]))
			for i, b := range sets[k] {
				out[k][i] = d.compute(b[0], b[1], f)
			}
		}
	}
	return out, nil
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
	rs, err := s.compute(ctx, [][2]time.Time{{q.From, q.To}}, f)
	if err != nil {
		return Result{}, err
	}
	return rs[0], nil
}

// Compare returns every KPI of q and of the period before it (Previous),
// in one read.
func (s *Service) Compare(ctx context.Context, a auth.Actor, q Query) (cur, before Result, err error) {
	cur, before, _, err = s.page(ctx, a, q, "")
	return cur, before, err
}

// Page returns what the KPI dashboard shows for q: every KPI of the period,
// of the previous one (Previous) and of each bucket of q (by day, week or
// month), reading the rollups once for the three.
func (s *Service) Page(ctx context.Context, a auth.Actor, q Query, by string) (cur, before Result, series []Result, err error) {
	return s.page(ctx, a, q, by)
}

// page is Page without the series when by is "".
func (s *Service) page(ctx context.Context, a auth.Actor, q Query, by string) (cur, before Result, series []Result, err error) {
	f, err := Authorize(a, q.Filter)
	if err != nil {
		return cur, before, nil, err
	}
	if err := checkPeriod(q.From, q.To); err != nil {
		return cur, before, nil, err
	}
	prev := Previous(q)
	sets := [][][2]time.Time{{{q.From, q.To}}, {{prev.From, prev.To}}}
	if by != "" {
		bs, err := Buckets(q.From, q.To, by)
		if err != nil {
			return cur, before, nil, err
		}
		sets = append(sets, bs)
	}
	rs, err := s.computeSets(ctx, sets, f)
	if err != nil {
		return cur, before, nil, err
	}
	if by != "" {
		series = rs[2]
	}
	return rs[0][0], rs[1][0], series, nil
}

// Previous is the period of the same length just before q (q's filter).
func Previous(q Query) Query {
	p := q
	p.From, p.To = q.From.Add(-q.To.Sub(q.From)), q.From
	return p
}

// Report is what a report shows: a period by bucket and in total, next to
// the same buckets one period earlier (for months, as many months earlier)
// and the total of the previous period of the same length (Previous).
type Report struct {
	Series, PreviousSeries []Result
	Total, PreviousTotal   Result
}

// Report reads q by bucket and in total, with the previous period, in one
// pass over the rollups (the four reads share its queries).
func (s *Service) Report(ctx context.Context, a auth.Actor, q Query, by string) (Report, error) {
	f, err := Authorize(a, q.Filter)
	if err != nil {
		return Report{}, err
	}
	if err := checkPeriod(q.From, q.To); err != nil {
		return Report{}, err
	}
	bs, err := Buckets(q.From, q.To, by)
	if err != nil {
		return Report{}, err
	}
	first := bs[0][0]
	from := first.Add(-bs[len(bs)-1][1].Sub(first))
	if by == "month" {
		from = first.AddDate(0, -len(bs), 0)
	}
	pbs, err := Buckets(from, first, by)
	if err != nil {
		return Report{}, err
	}
	prev := Previous(q)
	rs, err := s.computeSets(ctx, [][][2]time.Time{bs, pbs, {{q.From, q.To}}, {{prev.From, prev.To}}}, f)
	if err != nil {
		return Report{}, err
	}
	return Report{Series: rs[0], PreviousSeries: rs[1], Total: rs[2][0], PreviousTotal: rs[3][0]}, nil
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
	return s.compute(ctx, bs, f)
}
