// Package db opens the SQLite or PostgreSQL database, applies the embedded
// migrations and runs transactions. The same SQL ($N placeholders) serves both.
package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers "pgx"
	_ "modernc.org/sqlite"             // registers "sqlite"
)

// Dialect names the database engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB holds a writer pool and a reader pool. On SQLite the writer is a single
// connection whose transactions begin IMMEDIATE, so writers queue in Go instead
// of failing with SQLITE_BUSY; readers run in parallel thanks to WAL.
// On PostgreSQL both are the same pool.
type DB struct {
	Dialect Dialect
	W       *sql.DB
	R       *sql.DB
	// Where is a printable location without secrets.
	Where string

	group *groupCommit // SQLite: batches concurrent WithTx calls into one commit

	mu       sync.Mutex
	deferred map[*sql.Tx]*[]Deferred // PostgreSQL: Defer's lists of open transactions

	stmts stmtCache // SQLite: statements prepared on the writer (see Prepared)
	reads stmtCache // SQLite: statements prepared on the readers (see Reads)
}

// Open opens the database named by url, or the SQLite file in dataDir when url
// is empty. It does not migrate; call Migrate.
func Open(ctx context.Context, rawURL, dataDir string) (*DB, error) {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return openPostgres(ctx, rawURL)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "file:")
	if path == "" {
		if dataDir == "" {
			dataDir = "layan-data"
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path = filepath.Join(dataDir, "layan.db")
	} else if rawURL != "" && !strings.HasPrefix(rawURL, "sqlite://") && !strings.HasPrefix(rawURL, "file:") {
		return nil, fmt.Errorf("database url must start with postgres:// or sqlite:// (got %q)", redact(rawURL))
	}
	return openSQLite(ctx, path)
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create database dir: %w", err)
		}
	}
	base := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_pragma=journal_mode(WAL)&_pragma=temp_store(MEMORY)"
	// The writer's page cache is 8 MB (SQLite's default is 2 MB): a batch of
	// ticket creations touches the full-text index and a dozen ticket
	// indexes, and re-reading their pages cost ~8% of a creation's CPU
	// (bench api, 100,000 tickets: 0.65 → 0.60 ms, 1,921 → 2,060/s).
	// It checkpoints the WAL every 300 pages (default 1,000): the commit that
	// checkpoints holds up every request of its batch, and smaller, more
	// frequent checkpoints keep that wait short (creation p99 22.8 → 18.7 ms;
	// 4,000 pages: 27.3 ms).
	w, err := sql.Open("sqlite", base+"&_txlock=immediate&_pragma=cache_size(-8000)&_pragma=wal_autocheckpoint(300)")
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", base+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(8)
	r.SetMaxIdleConns(8)
	r.SetConnMaxIdleTime(5 * time.Minute)
	d := &DB{Dialect: SQLite, W: w, R: r, Where: path}
	if d.group, err = startGroupCommit(ctx, w, &d.stmts); err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	return d, nil
}

func openPostgres(ctx context.Context, rawURL string) (*DB, error) {
	p, err := sql.Open("pgx", rawURL)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(32)
	p.SetMaxIdleConns(32)
	p.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := p.PingContext(pctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect to postgres %s: %w", redact(rawURL), err)
	}
	return &DB{Dialect: Postgres, W: p, R: p, Where: redact(rawURL)}, nil
}

// redact removes the password from a database URL for logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable url)"
	}
	if u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
		}
	}
	return u.String()
}

// Close closes both pools.
func (d *DB) Close() error {
	if d.group != nil {
		d.group.close()
	}
	d.stmts.close()
	d.reads.close()
	err := d.W.Close()
	if d.R != d.W {
		err = errors.Join(err, d.R.Close())
	}
	return err
}

// Ping checks that the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.R.PingContext(ctx) }

// WithTx runs fn in a write transaction and commits it when fn returns nil;
// when fn fails nothing it wrote is kept. On SQLite, transactions that queue
// for the single writer share a commit (see groupCommit); fn must therefore
// do its writes through tx only, as it must anyway to be atomic.
func (d *DB) WithTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if d.group != nil {
		return d.group.do(ctx, fn)
	}
	tx, err := d.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	var deferred []Deferred
	d.mu.Lock()
	if d.deferred == nil {
		d.deferred = map[*sql.Tx]*[]Deferred{}
	}
	d.deferred[tx] = &deferred
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		delete(d.deferred, tx)
		d.mu.Unlock()
		if p := recover(); p != nil { // roll back, or the open transaction keeps its locks
			_ = tx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := runDeferred(tx, deferred); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Deferred is a write Defer keeps for the end of a transaction.
type Deferred func(ctx context.Context, tx *sql.Tx) error

// Defer runs fn at the end of the WithTx transaction tx, after its function
// has returned without error and before the commit; if fn fails, the
// transaction fails. It is for index maintenance (full-text rows): SQLite's
// FTS5 writes its pending changes to disk at every savepoint, so the group
// commit runs these writes after the savepoints of the batch, once for all.
// Deferred writes run in the order they were deferred, with a context that
// is not the caller's, and must not be read back inside the transaction.
func (d *DB) Defer(tx *sql.Tx, fn Deferred) {
	if d.group != nil && d.group.add(tx, fn) {
		return
	}
	d.mu.Lock()
	list := d.deferred[tx]
	if list != nil {
		*list = append(*list, fn)
	}
	d.mu.Unlock()
	if list == nil {
		panic("db: Defer called outside the WithTx transaction")
	}
}

func runDeferred(tx *sql.Tx, fns []Deferred) error {
	for _, fn := range fns {
		if err := fn(context.Background(), tx); err != nil {
			return err
		}
	}
	return nil
}

// Querier is what both *sql.DB and *sql.Tx offer.
type Querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Millis converts a time to the stored form: Unix milliseconds.
func Millis(t time.Time) int64 { return t.UnixMilli() }

// Time converts stored Unix milliseconds back to UTC time.
func Time(ms int64) time.Time { return time.UnixMilli(ms).UTC() }

// NullMillis stores a zero time as NULL.
func NullMillis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// NullID stores 0 as NULL for optional foreign keys.
func NullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// IsUniqueViolation reports whether err is a unique-constraint failure on either engine.
func IsUniqueViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint failed") || strings.Contains(s, "SQLSTATE 23505")
}

// IsForeignKeyViolation reports whether err is a foreign-key failure on either engine.
func IsForeignKeyViolation(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "FOREIGN KEY constraint failed") || strings.Contains(s, "SQLSTATE 23503")
}

// Placeholders returns "$start, $start+1, ..." n times, for IN lists.
func Placeholders(start, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", start+i)
	}
	return b.String()
}
