package db

import (
	"context"
	"database/sql"
	"sync"
)

// Prepared returns tx as a Querier whose statements are prepared once on the
// SQLite writer connection and reused by every later transaction: SQLite
// (modernc) otherwise parses and plans each statement on every call, a
// quarter of the CPU of a ticket creation. On PostgreSQL it returns tx:
// pgx caches prepared statements per connection already.
//
// Use it on hot write paths with fixed SQL text; each distinct text is kept
// for the life of the database handle (up to maxPrepared of them).
func (d *DB) Prepared(tx *sql.Tx) Querier {
	if d.group == nil {
		return tx
	}
	return preparedTx{d: d, tx: tx}
}

const maxPrepared = 256

// stmtCache holds the statements prepared on the writer connection. A query
// seen for the first time runs unprepared and is prepared after its batch
// has committed: the writer's one connection is busy with the transaction
// until then.
type stmtCache struct {
	mu      sync.Mutex
	m       map[string]*sql.Stmt
	pending map[string]bool
}

func (c *stmtCache) get(query string) *sql.Stmt {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st
	}
	if len(c.m)+len(c.pending) < maxPrepared {
		if c.pending == nil {
			c.pending = map[string]bool{}
		}
		c.pending[query] = true
	}
	return nil
}

// prepare prepares the pending queries on w, whose connection must be free.
// A query that does not prepare is left unprepared: its callers get the
// error when they run it.
func (c *stmtCache) prepare(ctx context.Context, w *sql.DB) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q := range c.pending {
		delete(c.pending, q)
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			continue
		}
		if c.m == nil {
			c.m = map[string]*sql.Stmt{}
		}
		c.m[q] = st
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		_ = st.Close()
	}
	c.m, c.pending = nil, nil
}

type preparedTx struct {
	d  *DB
	tx *sql.Tx
}

func (p preparedTx) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := p.d.stmts.get(query); st != nil {
		return p.tx.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return p.tx.ExecContext(ctx, query, args...)
}

func (p preparedTx) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.d.stmts.get(query); st != nil {
		return p.tx.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return p.tx.QueryContext(ctx, query, args...)
}

func (p preparedTx) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.d.stmts.get(query); st != nil {
		return p.tx.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return p.tx.QueryRowContext(ctx, query, args...)
}

// Reads returns the reader pool as a Querier whose statements are prepared
// once (on each reader connection, by database/sql) and reused, for the
// queries run on every request (who is calling, may they see this). On
// PostgreSQL it returns the pool: pgx caches prepared statements itself.
func (d *DB) Reads() Querier {
	if d.Dialect != SQLite {
		return d.R
	}
	return preparedReads{d}
}

type preparedReads struct{ d *DB }

// stmt returns the reader statement for query, preparing it on first use,
// or nil when the cache is full or it does not prepare (the query then runs
// unprepared and reports its error itself).
func (p preparedReads) stmt(ctx context.Context, query string) *sql.Stmt {
	c := &p.d.reads
	c.mu.Lock()
	st, ok := c.m[query]
	full := len(c.m) >= maxPrepared
	c.mu.Unlock()
	if ok || full {
		return st
	}
	st, err := p.d.R.PrepareContext(ctx, query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[query]; ok { // prepared meanwhile by another request
		_ = st.Close()
		return old
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

func (p preparedReads) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.d.R.ExecContext(ctx, query, args...) // readers do not write; no cache
}

func (p preparedReads) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return p.d.R.QueryContext(ctx, query, args...)
}

func (p preparedReads) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := p.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return p.d.R.QueryRowContext(ctx, query, args...)
}
