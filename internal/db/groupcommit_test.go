package db_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"layan/internal/db"
	"layan/internal/testkit"
)

// Concurrent transactions share commits on SQLite, yet each stays
// all-or-nothing: a failing one leaves none of its writes, even those made
// before it failed, and its neighbours in the batch are saved.
func TestConcurrentTransactionsEachAllOrNothing(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		const n = 120
		ins := "INSERT INTO groups (name, created_at, updated_at) VALUES ($1, 1, 1)"
		if _, err := d.W.Exec(ins, "taken"); err != nil {
			t.Fatal(err)
		}
		var queued atomic.Int32
		start := make(chan struct{})
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				queued.Add(1)
				errs[i] = d.WithTx(ctx, func(tx *sql.Tx) error {
					if i == 0 { // hold the writer until the others wait for it
						for queued.Load() < n {
							time.Sleep(time.Millisecond)
						}
						time.Sleep(20 * time.Millisecond)
					}
					if _, err := tx.Exec(ins, fmt.Sprintf("g-%d", i)); err != nil {
						return err
					}
					if i%4 == 1 {
						_, err := tx.Exec(ins, "taken") // unique violation after a good write
						return err
					}
					if i%4 == 2 {
						return errors.New("changed my mind")
					}
					return nil
				})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			var c int
			if err := d.R.QueryRow("SELECT count(*) FROM groups WHERE name = $1", fmt.Sprintf("g-%d", i)).Scan(&c); err != nil {
				t.Fatal(err)
			}
			switch i % 4 {
			case 1:
				if !db.IsUniqueViolation(err) || c != 0 {
					t.Errorf("tx %d: err %v, %d rows; want the unique violation and no row", i, err, c)
				}
			case 2:
				if err == nil || c != 0 {
					t.Errorf("tx %d: err %v, %d rows; want its error and no row", i, err, c)
				}
			default:
				if err != nil || c != 1 {
					t.Errorf("tx %d: err %v, %d rows; want saved", i, err, c)
				}
			}
		}
		if d.Dialect == db.SQLite {
			if c := d.Commits(); c >= n/2 {
				t.Errorf("%d commits for %d transactions: they were not grouped", c, n)
			}
		}
	})
}

// A panic inside a transaction reaches its caller and saves nothing; the
// writer goes on serving the others.
func TestPanicInTransactionReachesCaller(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		func() {
			defer func() {
				if p := recover(); p != "boom" {
					t.Fatalf("recovered %v, want boom", p)
				}
			}()
			_ = d.WithTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.Exec("INSERT INTO groups (name, created_at, updated_at) VALUES ('panicky', 1, 1)"); err != nil {
					return err
				}
				panic("boom")
			})
		}()
		if err := d.WithTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.Exec("INSERT INTO groups (name, created_at, updated_at) VALUES ('after', 1, 1)")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		var names []string
		rows, err := d.R.Query("SELECT name FROM groups WHERE name IN ('panicky', 'after')")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var s string
			_ = rows.Scan(&s)
			names = append(names, s)
		}
		if len(names) != 1 || names[0] != "after" {
			t.Fatalf("saved %v, want only [after]", names)
		}
	})
}

// A caller that gave up before its turn leaves nothing behind.
func TestCancelledTransactionDoesNotRun(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		ran := false
		err := d.WithTx(ctx, func(tx *sql.Tx) error { ran = true; return nil })
		if !errors.Is(err, context.Canceled) || ran {
			t.Fatalf("err %v, ran %v; want context.Canceled and not run", err, ran)
		}
	})
}

// Deferred writes run at the end of their own transaction, in order, and
// only for transactions that succeeded; a failing one fails the transaction.
func TestDeferredWritesRunAtTheEndOfTheirTransaction(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		ins := "INSERT INTO groups (name, created_at, updated_at) VALUES ($1, 1, 1)"
		var wg sync.WaitGroup
		errs := make([]error, 30)
		for i := range errs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = d.WithTx(ctx, func(tx *sql.Tx) error {
					d.Defer(tx, func(ctx context.Context, tx *sql.Tx) error {
						// Runs after the function: the row it made is there to rename.
						_, err := tx.ExecContext(ctx, "UPDATE groups SET name = name || '-done' WHERE name = $1", fmt.Sprintf("d-%d", i))
						return err
					})
					if _, err := tx.Exec(ins, fmt.Sprintf("d-%d", i)); err != nil {
						return err
					}
					if i%3 == 1 {
						return errors.New("fails after deferring")
					}
					if i%3 == 2 {
						d.Defer(tx, func(ctx context.Context, tx *sql.Tx) error {
							_, err := tx.ExecContext(ctx, ins, "taken-by-deferred")
							if err == nil {
								_, err = tx.ExecContext(ctx, ins, "taken-by-deferred")
							}
							return err
						})
					}
					return nil
				})
			}()
		}
		wg.Wait()
		// On SQLite a failing deferred write aborts its whole batch, so only
		// the transactions that deferred nothing that failed, and were not in
		// a batch with one, may be saved; each is saved whole or not at all.
		for i, err := range errs {
			var done, plain int
			_ = d.R.QueryRow("SELECT count(*) FROM groups WHERE name = $1", fmt.Sprintf("d-%d-done", i)).Scan(&done)
			_ = d.R.QueryRow("SELECT count(*) FROM groups WHERE name = $1", fmt.Sprintf("d-%d", i)).Scan(&plain)
			switch {
			case plain != 0:
				t.Errorf("tx %d: saved without its deferred write", i)
			case i%3 != 0 && (err == nil || done != 0):
				t.Errorf("tx %d: err %v, saved %d; want an error and nothing saved", i, err, done)
			case i%3 == 0 && (err == nil) != (done == 1):
				t.Errorf("tx %d: err %v but saved %d", i, err, done)
			}
		}
		if d.Dialect == db.Postgres { // no batches: every good transaction is saved
			for i := 0; i < len(errs); i += 3 {
				if errs[i] != nil {
					t.Errorf("tx %d: %v", i, errs[i])
				}
			}
		}
		var taken int
		_ = d.R.QueryRow("SELECT count(*) FROM groups WHERE name = 'taken-by-deferred'").Scan(&taken)
		if taken != 0 {
			t.Errorf("a failed deferred write left %d rows", taken)
		}
	})
}
