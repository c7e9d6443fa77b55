package kb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"layan/internal/db"
)

// searchLog keeps the recorded searches (analytics) off the search path: a
// search takes an id and queues its row; the rows are written in batches,
// every flushEvery or once flushBatch are queued, and before anything reads
// them (RecordClick, SearchAnalytics). Writing each one on the search meant
// a write transaction per search: on SQLite a wait behind every other writer,
// on PostgreSQL a commit (WAL flush) per search.
//
// Close writes what is queued; rows queued when the process dies unclean
// (at most flushEvery of them) are lost, as analytics may be.
type searchLog struct {
	s *Service

	mu      sync.Mutex
	pending []searchRow
	ids     []int64 // ids reserved for coming searches
	nextID  int64   // SQLite: the next id (0: not read yet)
	started bool
	closed  bool
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}

	flushMu sync.Mutex // one batch at a time, in queue order
}

type searchRow struct {
	id      int64
	query   string
	locale  string
	results int
	userID  sql.NullInt64
	source  string
	at      int64
}

const (
	flushEvery = time.Second
	flushBatch = 256
	idBlock    = 64 // PostgreSQL: ids reserved per round trip
)

// add queues a search and returns its id.
func (l *searchLog) add(ctx context.Context, r searchRow) (int64, error) {
	id, err := l.id(ctx)
	if err != nil {
		return 0, err
	}
	r.id = id
	l.mu.Lock()
	if l.closed { // after Close: written at once
		l.mu.Unlock()
		return id, l.write(ctx, []searchRow{r})
	}
	l.pending = append(l.pending, r)
	full := len(l.pending) >= flushBatch
	if !l.started {
		l.started = true
		l.kick, l.stop, l.done = make(chan struct{}, 1), make(chan struct{}), make(chan struct{})
		go l.run()
	}
	l.mu.Unlock()
	if full {
		select {
		case l.kick <- struct{}{}:
		default:
		}
	}
	return id, nil
}

// id reserves an id for a search. On PostgreSQL ids come from the table's
// own sequence, a block at a time, so that other nodes' searches never take
// the same one; on SQLite (one process writes the file) they follow the
// largest id stored.
func (l *searchLog) id(ctx context.Context) (int64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.s.db.Dialect != db.Postgres {
		if l.nextID == 0 {
			var max int64
			if err := l.s.db.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM kb_searches`).Scan(&max); err != nil {
				return 0, err
			}
			l.nextID = max + 1
		}
		l.nextID++
		return l.nextID - 1, nil
	}
	if len(l.ids) == 0 {
		rows, err := l.s.db.R.QueryContext(ctx, `SELECT nextval(pg_get_serial_sequence('kb_searches', 'id')) FROM generate_series(1, $1)`, idBlock)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return 0, err
			}
			l.ids = append(l.ids, id)
		}
		if err := rows.Err(); err != nil {
			return 0, err
		}
		if len(l.ids) == 0 {
			return 0, errors.New("kb: no search id reserved")
		}
	}
	id := l.ids[0]
	l.ids = l.ids[1:]
	return id, nil
}

func (l *searchLog) run() {
	defer close(l.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-t.C:
		case <-l.kick:
		case <-l.stop:
			return
		}
		if err := l.flush(context.Background()); err != nil {
			l.s.log.Warn("kb: record searches", "err", err)
		}
	}
}

// flush writes the queued searches.
func (l *searchLog) flush(ctx context.Context) error {
	l.flushMu.Lock()
	defer l.flushMu.Unlock()
	l.mu.Lock()
	rows := l.pending
	l.pending = nil
	l.mu.Unlock()
	var errs []error
	for len(rows) > 0 {
		n := min(len(rows), 100)
		if err := l.write(ctx, rows[:n]); err != nil {
			errs = append(errs, err)
		}
		rows = rows[n:]
	}
	return errors.Join(errs...)
}

// write inserts rows in one transaction; if that fails (a user deleted
// meanwhile, an id taken by another process on the same SQLite file), one
// by one, so one bad row does not lose the others.
func (l *searchLog) write(ctx context.Context, rows []searchRow) error {
	if err := l.s.db.WithTx(ctx, func(tx *sql.Tx) error { return insertSearches(ctx, tx, rows) }); err == nil || len(rows) == 1 {
		return err
	}
	var errs []error
	for _, r := range rows {
		err := l.s.db.WithTx(ctx, func(tx *sql.Tx) error { return insertSearches(ctx, tx, []searchRow{r}) })
		if err != nil && db.IsUniqueViolation(err) { // keep the search under a new id
			r.id = 0
			err = l.s.db.WithTx(ctx, func(tx *sql.Tx) error { return insertSearches(ctx, tx, []searchRow{r}) })
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func insertSearches(ctx context.Context, tx *sql.Tx, rows []searchRow) error {
	if len(rows) == 1 && rows[0].id == 0 { // the table numbers it
		r := rows[0]
		_, err := tx.ExecContext(ctx, `INSERT INTO kb_searches (query, locale, results, user_id, source, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, r.query, r.locale, r.results, r.userID, r.source, r.at)
		return err
	}
	var b strings.Builder
	args := make([]any, 0, 7*len(rows))
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		n := len(args)
		fmt.Fprintf(&b, "($%d, $%d, $%d, $%d, $%d, $%d, $%d)", n+1, n+2, n+3, n+4, n+5, n+6, n+7)
		args = append(args, r.id, r.query, r.locale, r.results, r.userID, r.source, r.at)
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO kb_searches (id, query, locale, results, user_id, source, created_at) VALUES `+b.String(), args...)
	return err
}

// close writes what is queued and stops the writer.
func (l *searchLog) close(ctx context.Context) error {
	l.mu.Lock()
	started, already := l.started, l.closed
	l.closed = true
	l.mu.Unlock()
	if started && !already {
		close(l.stop)
		<-l.done
	}
	return l.flush(ctx)
}
