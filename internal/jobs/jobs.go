// Package jobs is a small durable job queue in the database: jobs survive a
// restart, run at least once, and are retried with exponential back-off until
// they succeed or run out of attempts (then they are kept as "dead" for an
// operator to see). On PostgreSQL several nodes claim jobs concurrently with
// SELECT ... FOR UPDATE SKIP LOCKED; on SQLite the single writer connection
// serialises claims. A claim is a lease: a worker that dies mid-job leaves the
// job to be claimed again when the lease ends.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"layan/internal/db"
)

// Job is one claimed unit of work.
type Job struct {
	ID      int64
	Queue   string
	Payload string
	// Attempt counts from 1 for the first run.
	Attempt     int
	MaxAttempts int
}

// Options of a new job.
type Options struct {
	// Key makes the job unique: a second Enqueue with the same key is a no-op
	// (so replaying the event log does not send a mail twice).
	Key string
	// Delay postpones the first run.
	Delay time.Duration
	// MaxAttempts defaults to 10.
	MaxAttempts int
}

// Permanent marks an error that retrying cannot fix: the job goes dead at once.
type Permanent struct{ Err error }

func (p Permanent) Error() string { return "permanent: " + p.Err.Error() }
func (p Permanent) Unwrap() error { return p.Err }

// Queue is the job table.
type Queue struct {
	db  *db.DB
	now func() time.Time
	log *slog.Logger
	// Backoff gives the delay before retry n (1-based); the default doubles
	// from 5 s up to one hour, with jitter.
	Backoff func(attempt int) time.Duration

	mu   sync.Mutex
	wake map[string]chan struct{}
}

// New returns the queue on d.
func New(d *db.DB, now func() time.Time, log *slog.Logger) *Queue {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Queue{db: d, now: now, log: log, Backoff: DefaultBackoff, wake: map[string]chan struct{}{}}
}

// DefaultBackoff: 5 s, 10 s, 20 s ... capped at one hour, ±20 % jitter.
func DefaultBackoff(attempt int) time.Duration {
	d := 5 * time.Second
	for i := 1; i < attempt && d < time.Hour; i++ {
		d *= 2
	}
	d = min(d, time.Hour)
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

func (q *Queue) wakeChan(queue string) chan struct{} {
	q.mu.Lock()
	defer q.mu.Unlock()
	ch, ok := q.wake[queue]
	if !ok {
		ch = make(chan struct{}, 1)
		q.wake[queue] = ch
	}
	return ch
}

// notify wakes a local worker of queue without waiting for its poll.
func (q *Queue) notify(queue string) {
	select {
	case q.wakeChan(queue) <- struct{}{}:
	default:
	}
}

// Enqueue adds a job in its own statement. It reports false when a job with
// the same key already exists.
func (q *Queue) Enqueue(ctx context.Context, queue, payload string, o Options) (bool, error) {
	ok, err := q.EnqueueTx(ctx, q.db.W, queue, payload, o)
	if err == nil && ok {
		q.notify(queue)
	}
	return ok, err
}

// EnqueueTx adds a job inside the caller's transaction, so it exists if and
// only if the caller's change commits. Call Notify after the commit.
func (q *Queue) EnqueueTx(ctx context.Context, x db.Querier, queue, payload string, o Options) (bool, error) {
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	now := q.now()
	key := sql.NullString{String: o.Key, Valid: o.Key != ""}
	res, err := x.ExecContext(ctx, `INSERT INTO jobs (queue, payload, dedupe_key, max_attempts, run_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT DO NOTHING`,
		queue, payload, key, o.MaxAttempts, db.Millis(now.Add(o.Delay)), db.Millis(now))
	if err != nil {
		return false, fmt.Errorf("enqueue %s: %w", queue, err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Notify wakes local workers of queue (after EnqueueTx committed).
func (q *Queue) Notify(queue string) { q.notify(queue) }

// Claim takes the next due job of queue for lease, or returns nil.
func (q *Queue) Claim(ctx context.Context, queue string, lease time.Duration) (*Job, error) {
	now := db.Millis(q.now())
	lock := ""
	if q.db.Dialect == db.Postgres {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	j := &Job{Queue: queue}
	err := q.db.W.QueryRowContext(ctx, `UPDATE jobs SET attempts = attempts + 1, locked_until = $1, updated_at = $2
		WHERE id = (SELECT id FROM jobs WHERE queue = $3 AND state = 'queued' AND run_at <= $2 AND locked_until < $2
		            ORDER BY run_at, id LIMIT 1`+lock+`)
		RETURNING id, payload, attempts, max_attempts`, now+lease.Milliseconds(), now, queue).
		Scan(&j.ID, &j.Payload, &j.Attempt, &j.MaxAttempts)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim %s: %w", queue, err)
	}
	return j, nil
}

// Complete marks a job done.
func (q *Queue) Complete(ctx context.Context, j *Job) error {
	_, err := q.db.W.ExecContext(ctx, `UPDATE jobs SET state = 'done', locked_until = 0, last_error = '', updated_at = $1 WHERE id = $2`,
		db.Millis(q.now()), j.ID)
	return err
}

// Fail records err: the job runs again after the back-off, or goes dead
// when it is permanent or out of attempts. It reports whether it is dead.
func (q *Queue) Fail(ctx context.Context, j *Job, cause error) (dead bool, err error) {
	msg := cause.Error()
	if len(msg) > 2000 {
		msg = msg[:2000]
	}
	var p Permanent
	now := q.now()
	if errors.As(cause, &p) || j.Attempt >= j.MaxAttempts {
		_, err = q.db.W.ExecContext(ctx, `UPDATE jobs SET state = 'dead', locked_until = 0, last_error = $1, updated_at = $2 WHERE id = $3`,
			msg, db.Millis(now), j.ID)
		return true, err
	}
	_, err = q.db.W.ExecContext(ctx, `UPDATE jobs SET run_at = $1, locked_until = 0, last_error = $2, updated_at = $3 WHERE id = $4`,
		db.Millis(now.Add(q.Backoff(j.Attempt))), msg, db.Millis(now), j.ID)
	return false, err
}

// Retry puts a dead job back in the queue, due now, with fresh attempts.
func (q *Queue) Retry(ctx context.Context, id int64) error {
	now := db.Millis(q.now())
	res, err := q.db.W.ExecContext(ctx, `UPDATE jobs SET state = 'queued', attempts = 0, run_at = $1, locked_until = 0, updated_at = $1
		WHERE id = $2 AND state = 'dead'`, now, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("job %d is not dead", id)
	}
	return nil
}

// Stats counts jobs of a queue by state.
type Stats struct{ Queued, Done, Dead int }

// Stats reads the counts of queue.
func (q *Queue) Stats(ctx context.Context, queue string) (Stats, error) {
	var s Stats
	rows, err := q.db.R.QueryContext(ctx, `SELECT state, count(*) FROM jobs WHERE queue = $1 GROUP BY state`, queue)
	if err != nil {
		return s, err
	}
	defer rows.Close()
	for rows.Next() {
		var st string
		var n int
		if err := rows.Scan(&st, &n); err != nil {
			return s, err
		}
		switch st {
		case "queued":
			s.Queued = n
		case "done":
			s.Done = n
		case "dead":
			s.Dead = n
		}
	}
	return s, rows.Err()
}

// Handler runs one job; an error schedules a retry.
type Handler func(ctx context.Context, j *Job) error

// WorkerOptions tune Work.
type WorkerOptions struct {
	Concurrency int           // parallel jobs; default 2
	Poll        time.Duration // how often to look for due jobs when idle; default 1 s
	Lease       time.Duration // how long a claim lasts; default 5 min
}

// Work runs h on the jobs of queue until ctx ends. Jobs that fail are
// retried later; a panic in h is a failure, not a crash.
func (q *Queue) Work(ctx context.Context, queue string, h Handler, o WorkerOptions) {
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Lease <= 0 {
		o.Lease = 5 * time.Minute
	}
	wake := q.wakeChan(queue)
	var wg sync.WaitGroup
	for range o.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTimer(0)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				case <-wake:
				}
				for ctx.Err() == nil {
					ran, err := q.runOne(ctx, queue, h, o.Lease)
					if err != nil && ctx.Err() == nil {
						q.log.Warn("job queue", "queue", queue, "err", err)
						break
					}
					if !ran {
						break
					}
				}
				t.Reset(o.Poll)
			}
		}()
	}
	wg.Wait()
}

func (q *Queue) runOne(ctx context.Context, queue string, h Handler, lease time.Duration) (bool, error) {
	j, err := q.Claim(ctx, queue, lease)
	if err != nil || j == nil {
		return false, err
	}
	jctx, cancel := context.WithTimeout(ctx, lease)
	herr := safeRun(jctx, h, j)
	cancel()
	// Record the outcome even when ctx is ending, so a finished job is not rerun.
	bg := context.WithoutCancel(ctx)
	if herr == nil {
		return true, q.Complete(bg, j)
	}
	if ctx.Err() != nil {
		// Shutting down: give the job back without counting it as failed.
		_, err := q.db.W.ExecContext(bg, `UPDATE jobs SET locked_until = 0, attempts = attempts - 1 WHERE id = $1 AND state = 'queued'`, j.ID)
		return false, err
	}
	dead, err := q.Fail(bg, j, herr)
	if dead {
		q.log.Error("job failed for good", "queue", queue, "job", j.ID, "attempts", j.Attempt, "err", herr)
	} else {
		q.log.Warn("job failed, will retry", "queue", queue, "job", j.ID, "attempt", j.Attempt, "err", herr)
	}
	return true, err
}

func safeRun(ctx context.Context, h Handler, j *Job) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return h(ctx, j)
}
