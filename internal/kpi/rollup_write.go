package kpi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
)

// Keeping the rollups current (docs/kpis.md, "Rollups"). events.Insert lists
// every ticket it writes an event for in kpi_dirty, in the same transaction.
// Rolling a ticket replays its whole history, replaces its facts and applies
// the difference (new facts − old facts) to kpi_daily, in one transaction that
// also deletes the kpi_dirty rows it read: a crash leaves the rows, and the
// ticket is rolled again (rolling is idempotent).

// rollLock is the PostgreSQL advisory lock that keeps two nodes from rolling
// at once (one could write facts older than the other's).
const rollLock = 7_146_590_014

// dirtyBatch is how many kpi_dirty rows one transaction takes.
const dirtyBatch = 2000

// RunRollups keeps the rollups current until ctx ends: it builds them when
// they were never built, then rolls the dirty tickets every interval.
func (s *Service) RunRollups(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.CatchUp(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("kpi rollups", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// CatchUp builds the rollups if they were never built, then rolls every dirty
// ticket. Reads call it, so a figure is current even before the worker runs.
func (s *Service) CatchUp(ctx context.Context) error {
	if !s.built.Load() {
		if err := s.buildIfMissing(ctx); err != nil {
			return err
		}
	}
	for {
		// A cheap look without the lock: usually nothing is dirty.
		var one int64
		err := s.db.R.QueryRowContext(ctx, `SELECT id FROM kpi_dirty ORDER BY id LIMIT 1`).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("kpi: read kpi_dirty: %w", err)
		}
		n, err := s.rollDirty(ctx)
		if err != nil {
			return err
		}
		if n < dirtyBatch {
			return nil
		}
	}
}

// rollDirty rolls up to dirtyBatch dirty rows' tickets in one transaction.
func (s *Service) rollDirty(ctx context.Context) (int, error) {
	s.roll.Lock()
	defer s.roll.Unlock()
	var n int
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if s.db.Dialect == db.Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, rollLock); err != nil {
				return err
			}
		}
		// Read under the lock, in the transaction: the events read below are
		// at least as new as these rows.
		rows, err := tx.QueryContext(ctx, `SELECT id, ticket_id FROM kpi_dirty ORDER BY id LIMIT `+itoa(dirtyBatch))
		if err != nil {
			return err
		}
		var ids []any
		var tickets []int64
		seen := map[int64]bool{}
		for rows.Next() {
			var id, t int64
			if err := rows.Scan(&id, &t); err != nil {
				rows.Close()
				return err
			}
			ids = append(ids, id)
			if !seen[t] {
				seen[t] = true
				tickets = append(tickets, t)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		n = len(ids)
		if n == 0 {
			return nil
		}
		if err := s.rollTickets(ctx, tx, tickets); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `DELETE FROM kpi_dirty WHERE id IN (`+s.db.Dialect.Params(1, len(ids))+`)`, ids...)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("kpi: roll up dirty tickets: %w", err)
	}
	return n, nil
}

// rollTickets replaces the tickets' facts and applies the difference to kpi_daily.
func (s *Service) rollTickets(ctx context.Context, tx *sql.Tx, ids []int64) error {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	in := `(` + s.db.Dialect.Params(1, len(ids)) + `)`
	diff := map[dkey]*drow{}
	rows, err := tx.QueryContext(ctx, `SELECT `+joinCols(factCols)+` FROM kpi_facts WHERE ticket_id IN `+in, args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			rows.Close()
			return err
		}
		addDaily(diff, f, -1)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, table := range []string{"kpi_facts", "kpi_fact_tags"} {
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+table+` WHERE ticket_id IN `+in, args...); err != nil {
			return err
		}
	}
	ts, people, err := loadTickets(ctx, tx, `t.id IN `+in, `e.ticket_id IN `+in, args)
	if err != nil {
		return err
	}
	var out, tagOut [][]any
	for _, t := range ts {
		facts, deleted := extract(t, people.staff, people.locales[t.requester], s.workingTime(ctx))
		if !deleted.IsZero() {
			continue // deleted tickets count only in periods before their deletion, from a replay (rollup_read.go)
		}
		for _, f := range facts {
			addDaily(diff, f, 1)
			out = append(out, f.values())
		}
		tagOut = tagRows(tagOut, facts)
	}
	if err := db.InsertRows(ctx, s.db.Dialect, s.db.Prepared(tx), "kpi_facts", factCols, out); err != nil {
		return err
	}
	if err := db.InsertRows(ctx, s.db.Dialect, s.db.Prepared(tx), "kpi_fact_tags", tagFactCols, tagOut); err != nil {
		return err
	}
	return upsertDaily(ctx, s.db.Dialect, tx, diff)
}

type people struct {
	roles, locales map[int64]string
}

func (p people) staff(id int64) bool {
	r := p.roles[id]
	return r == auth.RoleAdmin || r == auth.RoleAgent || r == auth.RoleLightAgent
}

// loadTickets reads the tickets matching where (on tickets t), their events
// (eventsWhere, on events e) in time order, their state at creation, and the
// users they name.
func loadTickets(ctx context.Context, q db.Querier, where, eventsWhere string, args []any) ([]*tick, people, error) {
	p := people{roles: map[int64]string{}, locales: map[int64]string{}}
	byID := map[int64]*tick{}
	var ts []*tick
	rows, err := q.QueryContext(ctx, `SELECT t.id, t.status, t.via_channel, t.requester_id, COALESCE(t.organization_id, 0),
		COALESCE(t.group_id, 0), COALESCE(t.assignee_id, 0), t.priority, t.tags, u.locale
		FROM tickets t JOIN users u ON u.id = t.requester_id WHERE `+where, args...)
	if err != nil {
		return nil, p, err
	}
	for rows.Next() {
		t := &tick{}
		var tags, loc string
		if err := rows.Scan(&t.id, &t.cur.status, &t.channel, &t.requester, &t.cur.org, &t.cur.group, &t.cur.assignee,
			&t.cur.priority, &tags, &loc); err != nil {
			rows.Close()
			return nil, p, err
		}
		t.cur.tags = directory.SplitTags(tags)
		p.locales[t.requester] = loc
		byID[t.id] = t
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, p, err
	}
	rows, err = q.QueryContext(ctx, `SELECT e.id, e.ticket_id, COALESCE(e.actor_id, 0), e.type, e.field, e.before, e.after, e.created_at,
		COALESCE(u.role, '') FROM events e LEFT JOIN users u ON u.id = e.actor_id
		WHERE `+eventsWhere+` ORDER BY e.ticket_id, e.id`, args...)
	if err != nil {
		return nil, p, err
	}
	for rows.Next() {
		var e events.Event
		var at int64
		var role string
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorID, &e.Type, &e.Field, &e.Before, &e.After, &at, &role); err != nil {
			rows.Close()
			return nil, p, err
		}
		e.CreatedAt = db.Time(at)
		p.roles[e.ActorID] = role
		if t := byID[e.TicketID]; t != nil {
			t.evs = append(t.evs, e)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, p, err
	}
	for _, t := range ts {
		sortEvents(t.evs)
		t.init = t.initial()
	}
	return ts, p, nil
}

func joinCols(cols []string) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c
	}
	return s
}
