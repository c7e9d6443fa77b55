package ticket

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"layan/internal/db"
)

// countTTL bounds how stale a remembered total can be when the tickets change
// without this process knowing: another node's writes, or a user's deletion
// nulling assignees through a foreign key.
const countTTL = 2 * time.Second

// counts remembers the totals of offset-paged lists and filter-only searches.
// Counting walks every matching index entry (100,000 of them for an admin's
// inbox, most of the page's cost), while the total only changes when a
// ticket does: each committed write here bumps the generation, which drops
// every remembered total.
type counts struct {
	gen atomic.Uint64
	mu  sync.Mutex
	m   map[string]countEntry
}

type countEntry struct {
	gen uint64
	at  time.Time
	n   int
}

const maxCounts = 1024

// changed is called after a ticket write commits (never before: a count taken
// between the commit and the bump is tagged with the old generation and so
// dropped).
func (c *counts) changed() { c.gen.Add(1) }

// count returns `SELECT count(*) FROM tickets t WHERE cond`, remembered while
// no ticket changed and for at most countTTL.
func (c *counts) count(ctx context.Context, q db.Querier, cond string, args []any) (int, error) {
	key := countKey(cond, args)
	gen := c.gen.Load()
	now := time.Now()
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && e.gen == gen && now.Sub(e.at) < countTTL {
		return e.n, nil
	}
	var n int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM tickets t WHERE `+cond, args...).Scan(&n); err != nil {
		return 0, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCounts {
		c.m = make(map[string]countEntry)
	}
	c.m[key] = countEntry{gen: gen, at: now, n: n}
	c.mu.Unlock()
	return n, nil
}

func countKey(cond string, args []any) string {
	var b strings.Builder
	b.WriteString(cond)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%T:%v", a, a)
	}
	return b.String()
}
