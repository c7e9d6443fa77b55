package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// groupCommit runs SQLite write transactions in batches. SQLite has one
// writer, so concurrent WithTx calls queue anyway; most of a small
// transaction's cost is its commit (writing the changed pages to the WAL,
// flushing the full-text index into a new segment), so the transactions that
// queued while one batch ran share the next commit. Each keeps its own
// all-or-nothing result: it runs inside a SAVEPOINT that is rolled back when
// its function fails, and its caller returns only after the commit, so
// nothing is reported saved before it is durable.
//
// The functions of one batch run one after another on the writer connection,
// in arrival order, each seeing the writes of those before it: the same
// order the single writer connection would have given them one by one.
type groupCommit struct {
	w       *sql.DB
	stmts   *stmtCache
	queue   chan *txRequest
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once

	savepoint, release, rollbackTo *sql.Stmt

	commits atomic.Int64 // batches committed, for tests and metrics

	// running is the request whose function runs now, on the committer
	// goroutine; Defer adds to its list.
	mu      sync.Mutex
	running *txRequest
	tx      *sql.Tx
}

// maxBatch bounds the work one commit waits for, so a caller's latency stays
// about one batch of small transactions.
const maxBatch = 64

type txRequest struct {
	ctx      context.Context
	fn       func(*sql.Tx) error
	err      error
	panicked any
	done     chan struct{}
	deferred []Deferred
}

var errClosed = errors.New("database closed")

func startGroupCommit(ctx context.Context, w *sql.DB, stmts *stmtCache) (*groupCommit, error) {
	g := &groupCommit{w: w, stmts: stmts, queue: make(chan *txRequest), quit: make(chan struct{}), stopped: make(chan struct{})}
	var err error
	prepare := func(q string) *sql.Stmt {
		if err != nil {
			return nil
		}
		var st *sql.Stmt
		st, err = w.PrepareContext(ctx, q)
		return st
	}
	g.savepoint = prepare("SAVEPOINT group_commit")
	g.release = prepare("RELEASE group_commit")
	g.rollbackTo = prepare("ROLLBACK TO group_commit")
	if err != nil {
		return nil, fmt.Errorf("group commit: %w", err)
	}
	go g.run()
	return g, nil
}

// do queues fn and waits until its batch has committed or failed. A panic in
// fn is raised again here, in the caller's goroutine.
func (g *groupCommit) do(ctx context.Context, fn func(*sql.Tx) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan struct{})}
	select {
	case g.queue <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-g.quit:
		return errClosed
	}
	<-r.done
	if r.panicked != nil {
		panic(r.panicked)
	}
	return r.err
}

func (g *groupCommit) close() {
	g.once.Do(func() {
		close(g.quit)
		<-g.stopped
		for _, st := range []*sql.Stmt{g.savepoint, g.release, g.rollbackTo} {
			_ = st.Close()
		}
	})
}

func (g *groupCommit) run() {
	defer close(g.stopped)
	batch := make([]*txRequest, 0, maxBatch)
	for {
		select {
		case r := <-g.queue:
			batch = append(batch[:0], r)
		case <-g.quit:
			return
		}
	drain: // take whoever queued meanwhile, without waiting for more
		for len(batch) < maxBatch {
			select {
			case r := <-g.queue:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		g.commit(batch)
		for _, r := range batch {
			close(r.done)
		}
		g.stmts.prepare(context.Background(), g.w)
	}
}

func (g *groupCommit) commit(batch []*txRequest) {
	tx, err := g.w.BeginTx(context.Background(), nil)
	if err != nil {
		failAll(batch, fmt.Errorf("begin: %w", err))
		return
	}
	if len(batch) == 1 { // alone: the transaction is its own savepoint
		r := batch[0]
		if g.runOne(r, tx); r.failed() {
			_ = tx.Rollback()
			return
		}
		if err := runDeferred(tx, r.deferred); err != nil {
			_ = tx.Rollback()
			r.err = err
			return
		}
		if err := tx.Commit(); err != nil {
			r.err = fmt.Errorf("commit: %w", err)
			return
		}
		g.commits.Add(1)
		return
	}
	ctx := context.Background()
	committed := 0
	for _, r := range batch {
		if _, err := tx.StmtContext(ctx, g.savepoint).ExecContext(ctx); err != nil {
			abort(tx, batch, err)
			return
		}
		if g.runOne(r, tx); r.failed() {
			if _, err := tx.StmtContext(ctx, g.rollbackTo).ExecContext(ctx); err != nil {
				abort(tx, batch, err)
				return
			}
		} else {
			committed++
		}
		if _, err := tx.StmtContext(ctx, g.release).ExecContext(ctx); err != nil {
			abort(tx, batch, err)
			return
		}
	}
	if committed == 0 {
		_ = tx.Rollback()
		return
	}
	for _, r := range batch {
		if r.failed() {
			continue
		}
		if err := runDeferred(tx, r.deferred); err != nil {
			abort(tx, batch, err)
			return
		}
	}
	if err := tx.Commit(); err != nil {
		failAll(batch, fmt.Errorf("commit: %w", err))
		return
	}
	g.commits.Add(1)
}

func (g *groupCommit) runOne(r *txRequest, tx *sql.Tx) {
	g.mu.Lock()
	g.running, g.tx = r, tx
	g.mu.Unlock()
	r.run(tx)
	g.mu.Lock()
	g.running, g.tx = nil, nil
	g.mu.Unlock()
}

// add queues fn for the end of the batch when tx is the batch's transaction.
func (g *groupCommit) add(tx *sql.Tx, fn Deferred) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.running == nil || g.tx != tx {
		return false
	}
	g.running.deferred = append(g.running.deferred, fn)
	return true
}

// run calls fn unless the caller has given up already; a panic is kept to be
// raised in the caller's goroutine.
func (r *txRequest) run(tx *sql.Tx) {
	if err := r.ctx.Err(); err != nil {
		r.err = err
		return
	}
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
		}
	}()
	r.err = r.fn(tx)
}

func (r *txRequest) failed() bool { return r.err != nil || r.panicked != nil }

// abort ends a batch whose transaction SQLite rolled back on its own (an
// interrupted statement, a full disk): nothing of it was saved, so every
// request that had succeeded is told so.
func abort(tx *sql.Tx, batch []*txRequest, err error) {
	_ = tx.Rollback()
	failAll(batch, fmt.Errorf("transaction aborted: %w", err))
}

func failAll(batch []*txRequest, err error) {
	for _, r := range batch {
		if !r.failed() {
			r.err = err
		}
	}
}

// Commits is the number of SQLite group commits so far; 0 on PostgreSQL.
// Transactions per commit tells how much the batching saves.
func (d *DB) Commits() int64 {
	if d.group == nil {
		return 0
	}
	return d.group.commits.Load()
}
