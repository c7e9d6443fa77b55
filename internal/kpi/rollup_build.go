package kpi

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"layan/internal/db"
)

// RebuildStats describes a full build of the rollups.
type RebuildStats struct {
	Tickets, Facts, DailyRows int
	Elapsed                   time.Duration
}

// buildChunk is how many tickets (by id) a build step reads at once: the
// events of 20,000 tickets fit in memory comfortably.
const buildChunk = 20_000

// RebuildRollups builds the rollups from the whole event log, replacing them:
// on first start (CatchUp calls it), after a bulk import that bypassed
// events.Insert, or after a change of definitions. Reads wait for it.
func (s *Service) RebuildRollups(ctx context.Context) (RebuildStats, error) {
	s.roll.Lock()
	defer s.roll.Unlock()
	return s.rebuild(ctx, false)
}

// buildIfMissing builds the rollups unless some process built them already.
func (s *Service) buildIfMissing(ctx context.Context) error {
	s.roll.Lock()
	defer s.roll.Unlock()
	var at int64
	err := s.db.R.QueryRowContext(ctx, `SELECT built_at FROM kpi_rollup_state WHERE id = 1`).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = s.rebuild(ctx, true)
	}
	if err != nil {
		return fmt.Errorf("kpi: build the rollups: %w", err)
	}
	s.built.Store(true)
	return nil
}

// rebuild builds the rollups; when missing, only if no other node built
// them while this one waited for the lock.
func (s *Service) rebuild(ctx context.Context, missing bool) (RebuildStats, error) {
	start := time.Now()
	var st RebuildStats
	if s.db.Dialect == db.Postgres {
		// A session lock on a connection held for the whole build.
		conn, err := s.db.W.Conn(ctx)
		if err != nil {
			return st, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock($1)`, rollLock); err != nil {
			return st, fmt.Errorf("kpi: lock the rollups: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, rollLock)
		var at int64
		err = conn.QueryRowContext(ctx, `SELECT built_at FROM kpi_rollup_state WHERE id = 1`).Scan(&at)
		if missing && err == nil {
			return st, nil
		}
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return st, err
		}
	}
	// The dirty rows written so far are covered by this build; later ones
	// (events committed while it runs) stay for the next roll.
	var dirty []any
	rows, err := s.db.R.QueryContext(ctx, `SELECT id FROM kpi_dirty`)
	if err != nil {
		return st, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return st, err
		}
		dirty = append(dirty, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return st, err
	}
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM kpi_rollup_state`, `DELETE FROM kpi_facts`, `DELETE FROM kpi_fact_tags`, `DELETE FROM kpi_daily`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return st, fmt.Errorf("kpi: clear the rollups: %w", err)
	}
	s.built.Store(false)
	if s.db.Dialect == db.SQLite {
		// A big page cache on the writer while kpi_daily is filled: its rows
		// are updated all over the table, and the default 2 MB cache spills.
		if _, err := s.db.W.ExecContext(ctx, `PRAGMA cache_size = -262144`); err != nil {
			return st, err
		}
		defer s.db.W.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = -2000`)
	}

	var maxID int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM tickets`).Scan(&maxID); err != nil {
		return st, err
	}
	daily := map[dkey]*drow{}
	worked := s.workingTime(ctx)
	flushDaily := func() error {
		st.DailyRows += len(daily)
		err := s.db.WithTx(ctx, func(tx *sql.Tx) error { return upsertDaily(ctx, s.db.Dialect, tx, daily) })
		clear(daily)
		return err
	}
	for lo := int64(0); lo < maxID; lo += buildChunk {
		args := []any{lo, lo + buildChunk}
		ts, p, err := loadTickets(ctx, s.db.R, `t.id > $1 AND t.id <= $2`, `e.ticket_id > $1 AND e.ticket_id <= $2`, args)
		if err != nil {
			return st, fmt.Errorf("kpi: read tickets %d-%d: %w", lo+1, lo+buildChunk, err)
		}
		var out, tagOut [][]any
		for _, t := range ts {
			facts, deleted := extract(t, p.staff, p.locales[t.requester], worked)
			if !deleted.IsZero() {
				continue
			}
			for _, f := range facts {
				addDaily(daily, f, 1)
				out = append(out, f.values())
			}
			tagOut = tagRows(tagOut, facts)
		}
		st.Tickets += len(ts)
		st.Facts += len(out)
		if err := s.db.BulkInsert(ctx, "kpi_facts", factCols, out); err != nil {
			return st, fmt.Errorf("kpi: write facts: %w", err)
		}
		if err := s.db.BulkInsert(ctx, "kpi_fact_tags", tagFactCols, tagOut); err != nil {
			return st, fmt.Errorf("kpi: write facts by tag: %w", err)
		}
		// Tickets are numbered in time order, so a day's rows are mostly
		// complete when flushed; the few later facts add to them (upsert).
		if len(daily) > 100_000 {
			if err := flushDaily(); err != nil {
				return st, err
			}
		}
	}
	if err := flushDaily(); err != nil {
		return st, err
	}
	if err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		for start := 0; start < len(dirty); start += 1000 {
			part := dirty[start:min(start+1000, len(dirty))]
			if _, err := tx.ExecContext(ctx, `DELETE FROM kpi_dirty WHERE id IN (`+s.db.Dialect.Params(1, len(part))+`)`, part...); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO kpi_rollup_state (id, built_at) VALUES (1, $1)`, db.Millis(s.now()))
		return err
	}); err != nil {
		return st, fmt.Errorf("kpi: finish the rollups: %w", err)
	}
	if s.db.Dialect == db.Postgres {
		// Fresh tables: give the planner their statistics now, and set the
		// visibility map, without which the covering indexes' scans fetch
		// every row from the heap (a 90-day read: 750 ms → 16 ms for the
		// reopenings). Autovacuum would do it eventually, if it is on.
		if _, err := s.db.W.ExecContext(ctx, `VACUUM (ANALYZE) kpi_facts, kpi_fact_tags, kpi_daily`); err != nil {
			return st, err
		}
	}
	s.built.Store(true)
	st.Elapsed = time.Since(start)
	return st, nil
}
