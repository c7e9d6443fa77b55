package ticket

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
)

// Sources of logged work: the ticket page's visit timer, a duration the
// agent typed (a phone call, work done elsewhere), or an API client.
const (
	WorkTimer  = "timer"
	WorkManual = "manual"
	WorkAPI    = "api"
)

// WorkSources lists the valid sources.
var WorkSources = []string{WorkTimer, WorkManual, WorkAPI}

// Bounds of one logged stretch. Shorter is noise (a page opened and left);
// longer is a tab left open overnight, not work.
const (
	MinWork = time.Second
	MaxWork = 12 * time.Hour
)

// WorkEntry is one logged stretch: an events.WorkLogged row.
type WorkEntry struct {
	ID        int64 // the event's id
	TicketID  int64
	AgentID   int64         // who worked
	Source    string        // WorkTimer, WorkManual or WorkAPI
	Duration  time.Duration // whole milliseconds
	CreatedAt time.Time     // when it was logged
}

// AgentWork is one agent's total on a ticket.
type AgentWork struct {
	AgentID int64
	Total   time.Duration
	Entries int
}

// WorkTotals sums a ticket's logged work, overall and per agent (the
// largest first, then by agent id).
type WorkTotals struct {
	Total   time.Duration
	Entries int
	Agents  []AgentWork
}

// LogWork records that the actor worked d on the ticket, as one
// events.WorkLogged event in its own transaction. Staff who may read the
// ticket may log their own time on it (light agents too: they work on the
// tickets they see, as their internal notes do); customers may not. The
// ticket itself does not change, so a reply being written on it is not made
// stale.
func (s *Service) LogWork(ctx context.Context, a auth.Actor, ticketID int64, d time.Duration, source string) (WorkEntry, error) {
	if !a.IsStaff() || a.UserID == 0 {
		return WorkEntry{}, apperr.Forbidden("log work time")
	}
	if !slices.Contains(WorkSources, source) {
		return WorkEntry{}, apperr.Invalid("source", "invalid", "must be timer, manual or api")
	}
	d = d.Truncate(time.Millisecond)
	if d < MinWork || d > MaxWork {
		return WorkEntry{}, apperr.Invalid("seconds", "out_of_range", "must be between 1 second and 12 hours")
	}
	rule := s.visibility(ctx, a)
	now := s.now().UTC()
	ev := events.Event{TicketID: ticketID, ActorID: a.UserID, Type: events.WorkLogged, Field: source,
		After: events.Str(strconv.FormatInt(d.Milliseconds(), 10)), CreatedAt: now}
	evs := []events.Event{ev}
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		t, err := getTicket(ctx, tx, ticketID)
		if err != nil {
			return err
		}
		if !rule.canRead(t) {
			return apperr.NotFound("ticket")
		}
		return events.Insert(ctx, s.db.Prepared(tx), evs)
	})
	if err != nil {
		return WorkEntry{}, err
	}
	s.bus.Publish(evs)
	return WorkEntry{ID: evs[0].ID, TicketID: ticketID, AgentID: a.UserID, Source: source, Duration: d, CreatedAt: now}, nil
}

// WorkLog lists the work logged on a ticket, oldest first, with its totals.
// Staff who may read the ticket only: customers never see it.
func (s *Service) WorkLog(ctx context.Context, a auth.Actor, ticketID int64) ([]WorkEntry, WorkTotals, error) {
	if !a.IsStaff() && !a.System {
		return nil, WorkTotals{}, apperr.Forbidden("read work time")
	}
	if _, _, err := s.readable(ctx, a, ticketID); err != nil {
		return nil, WorkTotals{}, err
	}
	rows, err := s.db.Reads().QueryContext(ctx,
		`SELECT id, COALESCE(actor_id, 0), field, after, created_at FROM events
		 WHERE ticket_id = $1 AND type = $2 ORDER BY id`, ticketID, events.WorkLogged)
	if err != nil {
		return nil, WorkTotals{}, err
	}
	defer rows.Close()
	out := []WorkEntry{}
	for rows.Next() {
		e := WorkEntry{TicketID: ticketID}
		var after sql.NullString
		var at int64
		if err := rows.Scan(&e.ID, &e.AgentID, &e.Source, &after, &at); err != nil {
			return nil, WorkTotals{}, err
		}
		ms, err := strconv.ParseInt(after.String, 10, 64)
		if err != nil || ms < 0 {
			continue // not written by LogWork: nothing to count
		}
		e.Duration, e.CreatedAt = time.Duration(ms)*time.Millisecond, db.Time(at)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, WorkTotals{}, err
	}
	return out, sumWork(out), nil
}

// WorkTotal is a ticket's logged work in total and per agent (staff only).
func (s *Service) WorkTotal(ctx context.Context, a auth.Actor, ticketID int64) (WorkTotals, error) {
	_, tot, err := s.WorkLog(ctx, a, ticketID)
	return tot, err
}

func sumWork(entries []WorkEntry) WorkTotals {
	var t WorkTotals
	idx := map[int64]int{}
	for _, e := range entries {
		t.Total += e.Duration
		t.Entries++
		i, ok := idx[e.AgentID]
		if !ok {
			i = len(t.Agents)
			idx[e.AgentID] = i
			t.Agents = append(t.Agents, AgentWork{AgentID: e.AgentID})
		}
		t.Agents[i].Total += e.Duration
		t.Agents[i].Entries++
	}
	slices.SortFunc(t.Agents, func(x, y AgentWork) int {
		return cmp.Or(cmp.Compare(y.Total, x.Total), cmp.Compare(x.AgentID, y.AgentID))
	})
	return t
}
