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
