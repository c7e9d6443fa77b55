package db

import (
	"context"
	"database/sql"
	"time"
)

// checkpointer copies the SQLite write-ahead log back into the database file
// from its own connection. SQLite's automatic checkpoint would run on the
// writer connection right after a commit, holding up every writer queued
// behind it for the copy and its fsync; a passive checkpoint from another
// connection never blocks writers or readers.
type checkpointer struct {
	conn    *sql.DB
	commits func() int64
	every   time.Duration
	quit    chan struct{}
	stopped chan struct{}
}

func startCheckpointer(dsn string, commits func() int64) (*checkpointer, error) {
	conn, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	conn.SetMaxOpenConns(1)
	c := &checkpointer{conn: conn, commits: commits, every: time.Second,
		quit: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c, nil
}

func (c *checkpointer) run() {
	defer close(c.stopped)
	t := time.NewTicker(c.every)
	defer t.Stop()
	last := c.commits()
	for {
		select {
		case <-c.quit:
			return
		case <-t.C:
		}
		if n := c.commits(); n != last { // idle databases are left alone
			last = n
			c.checkpoint(context.Background(), "PASSIVE")
		}
	}
}

// checkpoint runs one checkpoint; a failure (a reader holding an old
// snapshot, say) only means the log is copied at a later turn.
func (c *checkpointer) checkpoint(ctx context.Context, mode string) {
	var busy, logPages, copied int
	_ = c.conn.QueryRowContext(ctx, "PRAGMA wal_checkpoint("+mode+")").Scan(&busy, &logPages, &copied)
}

func (c *checkpointer) close() {
	close(c.quit)
	<-c.stopped
	c.checkpoint(context.Background(), "PASSIVE")
	_ = c.conn.Close()
}
