package jobs_test

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"layan/internal/db"
	"layan/internal/jobs"
	"layan/internal/testkit"
)

func TestEnqueueClaimCompleteAndDedupe(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
		q := jobs.New(d, clock.Now, testkit.QuietLogger())
		ok, err := q.Enqueue(ctx, "mail", `{"n":1}`, jobs.Options{Key: "ev:1"})
		if err != nil || !ok {
			t.Fatalf("enqueue: %v %v", ok, err)
		}
		if ok, err := q.Enqueue(ctx, "mail", `{"n":1}`, jobs.Options{Key: "ev:1"}); err != nil || ok {
			t.Fatalf("duplicate key enqueued: %v %v", ok, err)
		}
		if _, err := q.Enqueue(ctx, "mail", `{"n":2}`, jobs.Options{Delay: time.Minute}); err != nil {
			t.Fatal(err)
		}
		j, err := q.Claim(ctx, "mail", time.Minute)
		if err != nil || j == nil || j.Payload != `{"n":1}` || j.Attempt != 1 {
			t.Fatalf("claim = %+v, %v", j, err)
		}
		// Leased: nobody else gets it; the delayed one is not due.
		if j2, err := q.Claim(ctx, "mail", time.Minute); err != nil || j2 != nil {
			t.Fatalf("second claim = %+v, %v", j2, err)
		}
		if err := q.Complete(ctx, j); err != nil {
			t.Fatal(err)
		}
		clock.Advance(2 * time.Minute)
		j, _ = q.Claim(ctx, "mail", time.Minute)
		if j == nil || j.Payload != `{"n":2}` {
			t.Fatalf("delayed job not due: %+v", j)
		}
		// A lease that runs out makes the job claimable again (a dead worker).
		clock.Advance(2 * time.Minute)
		j, _ = q.Claim(ctx, "mail", time.Minute)
		if j == nil || j.Attempt != 2 {
			t.Fatalf("expired lease not reclaimed: %+v", j)
		}
	})
}

func TestRetriesWithBackoffThenDead(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		clock := testkit.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
		q := jobs.New(d, clock.Now, testkit.QuietLogger())
		q.Backoff = func(n int) time.Duration { return time.Duration(n) * time.Minute }
		if _, err := q.Enqueue(ctx, "mail", "x", jobs.Options{MaxAttempts: 3}); err != nil {
			t.Fatal(err)
		}
		for attempt := 1; attempt <= 3; attempt++ {
			j, err := q.Claim(ctx, "mail", time.Minute)
			if err != nil || j == nil {
				t.Fatalf("attempt %d: no job (%v)", attempt, err)
			}
			dead, err := q.Fail(ctx, j, errors.New("smtp down"))
			if err != nil || dead != (attempt == 3) {
				t.Fatalf("attempt %d: dead=%v err=%v", attempt, dead, err)
			}
			if j2, _ := q.Claim(ctx, "mail", time.Minute); j2 != nil {
				t.Fatalf("attempt %d: retried before its back-off", attempt)
			}
			clock.Advance(time.Duration(attempt)*time.Minute + time.Millisecond)
		}
		st, _ := q.Stats(ctx, "mail")
		if st.Dead != 1 || st.Queued != 0 {
			t.Fatalf("stats %+v", st)
		}
		// Permanent errors go dead at once; Retry revives.
		if _, err := q.Enqueue(ctx, "mail", "y", jobs.Options{}); err != nil {
			t.Fatal(err)
		}
		j, _ := q.Claim(ctx, "mail", time.Minute)
		if dead, _ := q.Fail(ctx, j, jobs.Permanent{Err: errors.New("550 no such user")}); !dead {
			t.Fatal("permanent error was retried")
		}
		if err := q.Retry(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
		if j, _ := q.Claim(ctx, "mail", time.Minute); j == nil || j.Payload != "y" {
			t.Fatalf("revived job not claimed: %+v", j)
		}
	})
}

// Many workers, real clock: every job runs exactly once when none fails.
func TestWorkersRunEachJobOnce(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		q := jobs.New(d, nil, testkit.QuietLogger())
		q.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
		const n = 60
		for i := range n {
			if _, err := q.Enqueue(ctx, "w", string(rune('a'+i%26)), jobs.Options{}); err != nil {
				t.Fatal(err)
			}
		}
		var runs atomic.Int64
		var mu sync.Mutex
		seen := map[int64]int{}
		failedOnce := map[int64]bool{}
		done := make(chan struct{})
		go func() {
			q.Work(ctx, "w", func(ctx context.Context, j *jobs.Job) error {
				mu.Lock()
				defer mu.Unlock()
				if j.ID%10 == 0 && !failedOnce[j.ID] {
					failedOnce[j.ID] = true
					panic("boom") // a panicking handler is a failure, retried
				}
				seen[j.ID]++
				runs.Add(1)
				return nil
			}, jobs.WorkerOptions{Concurrency: 4, Poll: 20 * time.Millisecond})
			close(done)
		}()
		deadline := time.Now().Add(20 * time.Second)
		for runs.Load() < n && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		mu.Lock()
		defer mu.Unlock()
		if len(seen) != n {
			t.Fatalf("%d distinct jobs ran, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("job %d ran %d times", id, c)
			}
		}
	})
}
