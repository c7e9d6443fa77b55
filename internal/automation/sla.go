package automation

import (
	"slices"
	"time"
)

// SLA metrics (Zendesk's names where it has them).
const (
	MetricFirstReply = "first_reply_time"
	MetricNextReply  = "next_reply_time"
	MetricResolution = "full_resolution_time"
)

// Metrics in display order.
var Metrics = []string{MetricFirstReply, MetricNextReply, MetricResolution}

// SLA clock states.
const (
	StateActive     = "active"
	StatePaused     = "paused"
	StateBreachSoon = "breach_soon"
	StateBreached   = "breached"
	StateAchieved   = "achieved"
)

// Target is a metric's goal for one priority.
type Target struct {
	Priority      string `json:"priority"`
	Metric        string `json:"metric"`
	Minutes       int    `json:"target"`
	BusinessHours bool   `json:"business_hours"`
}

// PolicyFilter selects the tickets a policy applies to; empty lists match all.
type PolicyFilter struct {
	Priorities      []string `json:"priorities,omitempty"`
	OrganizationIDs []int64  `json:"organization_ids,omitempty"`
	GroupIDs        []int64  `json:"group_ids,omitempty"`
	Tags            []string `json:"tags,omitempty"` // any of (customer tier tags such as "vip")
	Via             []string `json:"via,omitempty"`
}

// Policy is an SLA policy. The first matching policy by Position applies.
type Policy struct {
	ID          int64        `json:"id"`
	Title       string       `json:"title"`
	Description string       `json:"description"`
	Position    int          `json:"position"`
	Filter      PolicyFilter `json:"filter"`
	Targets     []Target     `json:"policy_metrics"`
	// PauseOn lists the statuses during which the clocks stop (default
	// pending and hold).
	PauseOn []string `json:"pause_on"`
	// BreachSoon is how long before the due time a clock counts as about
	// to breach (default: a quarter of the target, at most one hour).
	BreachSoonMinutes int `json:"breach_soon_minutes"`
	// EscalationActions run once when a clock of the ticket breaches
	// (e.g. raise the priority, add a tag, move to a group, notify).
	EscalationActions []Action `json:"escalation_actions,omitempty"`
}

// Subject is what a policy is matched against.
type Subject struct {
	Priority       string
	OrganizationID int64
	GroupID        int64
	Tags           []string
	Via            string
}

// Matches reports whether the filter selects s.
func (f PolicyFilter) Matches(s Subject) bool {
	if len(f.Priorities) > 0 && !slices.Contains(f.Priorities, s.Priority) {
		return false
	}
	if len(f.OrganizationIDs) > 0 && !slices.Contains(f.OrganizationIDs, s.OrganizationID) {
		return false
	}
	if len(f.GroupIDs) > 0 && !slices.Contains(f.GroupIDs, s.GroupID) {
		return false
	}
	if len(f.Via) > 0 && !slices.Contains(f.Via, s.Via) {
		return false
	}
	if len(f.Tags) > 0 {
		hit := false
		for _, t := range f.Tags {
			if slices.Contains(s.Tags, t) {
				hit = true
				break
			}
		}
		if !hit {
			return false
		}
	}
	return true
}

// SelectPolicy returns the first policy (by Position, then ID) matching s.
func SelectPolicy(ps []Policy, s Subject) (Policy, bool) {
	sorted := slices.Clone(ps)
	slices.SortStableFunc(sorted, func(a, b Policy) int {
		if a.Position != b.Position {
			return a.Position - b.Position
		}
		return int(a.ID - b.ID)
	})
	for _, p := range sorted {
		if p.Filter.Matches(s) {
			return p, true
		}
	}
	return Policy{}, false
}

// Moment kinds of a ticket's timeline.
const (
	KindCreated       = "created"
	KindStatus        = "status"         // Status holds the new status
	KindAgentReply    = "agent_reply"    // a public comment by staff
	KindCustomerReply = "customer_reply" // a public comment by the requester side
	KindPriority      = "priority"       // Value holds the new priority
)

// Moment is one step of a ticket's history as the SLA clocks see it,
// derived from the events table.
type Moment struct {
	At     time.Time
	Kind   string
	Status string
}

// Clock is the state of one metric for a ticket at a given instant.
type Clock struct {
	Metric  string        `json:"metric"`
	State   string        `json:"state"`
	Target  time.Duration `json:"-"`
	Elapsed time.Duration `json:"-"`
	// DueAt is when the target is reached if the clock keeps running (zero
	// when stopped or paused).
	DueAt time.Time `json:"due_at"`
	// BreachedAt is when the clock went past its target (zero if it did not).
	BreachedAt time.Time `json:"breached_at"`
	Business   bool      `json:"business_hours"`
}

// Remaining is the time left before breach (negative when breached).
func (c Clock) Remaining() time.Duration { return c.Target - c.Elapsed }

func (p Policy) pauseOn() []string {
	if p.PauseOn == nil {
		return []string{"pending", "hold"}
	}
	return p.PauseOn
}

func (p Policy) breachSoon(target time.Duration) time.Duration {
	if p.BreachSoonMinutes > 0 {
		return time.Duration(p.BreachSoonMinutes) * time.Minute
	}
	return min(target/4, time.Hour)
}

// Compute evaluates the policy's clocks for a ticket of the given priority
// from its timeline (in time order) at now. sched is the ticket group's
// business hours (nil: calendar hours only).
func (p Policy) Compute(priority string, timeline []Moment, sched *Schedule, now time.Time) []Clock {
	var out []Clock
	for _, m := range Metrics {
		for _, t := range p.Targets {
			if t.Metric != m || t.Priority != priority || t.Minutes <= 0 {
				continue
			}
			var s *Schedule
			if t.BusinessHours {
				s = sched
			}
			c := p.computeOne(m, time.Duration(t.Minutes)*time.Minute, timeline, s, now)
			c.Business = t.BusinessHours && sched != nil
			out = append(out, c)
		}
	}
	return out
}

// computeOne walks the timeline: the clock runs while the metric is open and
// the ticket is not in a pausing status; elapsed time is working time of s.
func (p Policy) computeOne(metric string, target time.Duration, tl []Moment, s *Schedule, now time.Time) Clock {
	pause := p.pauseOn()
	c := Clock{Metric: metric, Target: target}
	status := "new"
	open := false    // the metric is measuring
	started := false // it was ever measuring
	replied := false // an agent replied at least once
	var elapsed time.Duration
	var breachedAt time.Time
	var since time.Time // start of the current running stretch
	running := func() bool { return open && !slices.Contains(pause, status) }
	stop := func(at time.Time) {
		if running() && !since.IsZero() {
			add := s.Elapsed(since, at)
			if breachedAt.IsZero() && elapsed+add > target {
				breachedAt = s.Add(since, target-elapsed)
			}
			elapsed += add
		}
		since = time.Time{}
	}
	resume := func(at time.Time) {
		if running() {
			since = at
		}
	}
	for _, m := range tl {
		if m.At.After(now) {
			break
		}
		stop(m.At)
		switch m.Kind {
		case KindCreated:
			if m.Status != "" {
				status = m.Status
			}
			if metric != MetricNextReply {
				open, started = true, true
			}
		case KindStatus:
			status = m.Status
			if metric == MetricResolution {
				if status == "solved" || status == "closed" {
					open = false
				} else if started {
					open = true // reopened: the resolution clock goes on
				}
			}
		case KindAgentReply:
			replied = true
			if metric != MetricResolution {
				open = false
			}
		case KindCustomerReply:
			if metric == MetricNextReply && replied && !open {
				// a new next-reply stretch: its own elapsed time
				open, started = true, true
				elapsed, breachedAt = 0, time.Time{}
			}
		}
		resume(m.At)
	}
	stop(now)
	c.Elapsed = elapsed
	c.BreachedAt = breachedAt
	isRunning := open && !slices.Contains(pause, status)
	switch {
	case !started:
		c.State = "" // never started (next reply before any exchange)
	case !breachedAt.IsZero() || elapsed > target:
		c.State = StateBreached
		if isRunning {
			c.DueAt = s.Add(now, target-elapsed) // in the past: keep the due time
			if !breachedAt.IsZero() {
				c.DueAt = breachedAt
			}
		}
	case !open:
		c.State = StateAchieved
	case !isRunning:
		c.State = StatePaused
	default:
		c.DueAt = s.Add(now, target-elapsed)
		if target-elapsed <= p.breachSoon(target) {
			c.State = StateBreachSoon
		} else {
			c.State = StateActive
		}
	}
	return c
}
