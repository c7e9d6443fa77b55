package collab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
)

// cursorName is this reader's row in flow_cursors (00012 starts it at the
// end of the log, so an upgrade does not notify about old notes).
const cursorName = "collab"

// Process reads the comments added since the last run and notifies: staff
// @mentioned in an internal note, and the ticket's followers of any new
// message (not its author). Notifications are unique per person and
// comment, so a replay after a crash notifies nobody twice. Returns how many
// events were read.
func (s *Service) Process(ctx context.Context) (int, error) {
	s.procMu.Lock()
	defer s.procMu.Unlock()
	var after int64
	err := s.db.R.QueryRowContext(ctx, `SELECT last_event_id FROM flow_cursors WHERE name = $1`, cursorName).Scan(&after)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT id, COALESCE(ticket_id, 0), COALESCE(actor_id, 0), type, field, after FROM events WHERE id > $1 ORDER BY id LIMIT 500`, after)
	if err != nil {
		return 0, err
	}
	var evs []events.Event
	for rows.Next() {
		var e events.Event
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorID, &e.Type, &e.Field, &e.After); err != nil {
			rows.Close()
			return 0, err
		}
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	evs = s.beforeGap(after, evs)
	var staff []directory.User // loaded at the first mention of the batch
	for _, e := range evs {
		if e.Type == events.CommentAdded && e.TicketID != 0 && e.After != nil {
			if err := s.onComment(ctx, e, &staff); err != nil && ctx.Err() == nil {
				s.log.Warn("collab: comment not processed", "event", e.ID, "err", err)
			}
		}
	}
	if len(evs) > 0 {
		_, err = s.db.W.ExecContext(ctx,
			`INSERT INTO flow_cursors (name, last_event_id, updated_at) VALUES ($1, $2, $3)
			 ON CONFLICT (name) DO UPDATE SET last_event_id = excluded.last_event_id, updated_at = excluded.updated_at`,
			cursorName, evs[len(evs)-1].ID, db.Millis(s.now()))
	}
	return len(evs), err
}

func (s *Service) onComment(ctx context.Context, e events.Event, staff *[]directory.User) error {
	var cid int64
	fmt.Sscan(*e.After, &cid)
	cs, err := s.tickets.Comments(ctx, auth.SystemActor(), e.TicketID, cid-1, 1)
	if err != nil || len(cs) != 1 || cs[0].ID != cid {
		return err
	}
	c := cs[0]
	done := []int64{c.AuthorID}
	if !c.Public {
		if handles := Mentions(c.Body); len(handles) > 0 {
			if *staff == nil {
				if *staff, err = s.staff(ctx); err != nil {
					return err
				}
			}
			for _, id := range resolve(handles, *staff) {
				if slices.Contains(done, id) || !s.canSee(ctx, id, e.TicketID) {
					continue
				}
				if _, err := s.notify(ctx, id, e.TicketID, KindMention, c.ID, c.AuthorID, c.Body); err != nil {
					return err
				}
				done = append(done, id)
			}
		}
	}
	watchers, err := s.ids(ctx, `SELECT user_id FROM ticket_watchers WHERE ticket_id = $1 ORDER BY user_id`, e.TicketID)
	if err != nil {
		return err
	}
	for _, id := range watchers {
		if slices.Contains(done, id) || !s.canSee(ctx, id, e.TicketID) {
			continue
		}
		if _, err := s.notify(ctx, id, e.TicketID, KindFollowed, c.ID, c.AuthorID, c.Body); err != nil {
			return err
		}
	}
	return nil
}

// gapWait: on PostgreSQL a transaction that took a lower event id may commit
// after a higher one; the reader waits this long at a hole before moving on.
const gapWait = 3 * time.Second

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
			if time.Since(seen) < gapWait {
				return evs[:i]
			}
			delete(s.gaps, prev+1)
		}
		prev = e.ID
	}
	return evs
}

// Run processes events as they are published and every poll, until ctx ends.
func (s *Service) Run(ctx context.Context, poll time.Duration) {
	if poll <= 0 {
		poll = 2 * time.Second
	}
	wake := make(chan struct{}, 1)
	if s.bus != nil {
		defer s.bus.Subscribe(func(events.Event) {
			select {
			case wake <- struct{}{}:
			default:
			}
		})()
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		for {
			n, err := s.Process(ctx)
			if err != nil && ctx.Err() == nil {
				s.log.Warn("collab: process", "err", err)
			}
			if n < 500 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}
