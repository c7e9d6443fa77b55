package ui

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"layan/internal/auth"
	"layan/internal/events"
	"layan/internal/ticket"
)

// countCache keeps the ticket counts of views. Counting 25,000 open tickets
// out of 100,000 costs tens of milliseconds on SQLite, too much to repeat on
// every page view; so a count is served from memory until a ticket changes
// (any event bumps the generation), and then recomputed in the background
// while the page shows the previous number (stale-while-revalidate).
type countCache struct {
	tickets *ticket.Service
	now     func() time.Time
	log     *slog.Logger
	gen     atomic.Int64

	mu      sync.Mutex
	entries map[string]*countEntry
}

type countEntry struct {
	n          int
	gen        int64
	at         time.Time
	refreshing bool
}

// countMaxAge refreshes a count even without events (other nodes' changes);
// countMinAge stops a busy workspace from recounting on every page.
const (
	countMaxAge    = time.Minute
	countMinAge    = 2 * time.Second
	countMaxKeys   = 2000
	countTimeLimit = 10 * time.Second
)

func newCountCache(t *ticket.Service, bus *events.Bus, now func() time.Time, log *slog.Logger) *countCache {
	c := &countCache{tickets: t, now: now, log: log, entries: map[string]*countEntry{}}
	if bus != nil {
		bus.Subscribe(func(e events.Event) {
			if e.Type != events.WorkLogged { // logged time changes no count
				c.gen.Add(1)
			}
		})
	}
	return c
}

// scopeKey groups actors who see the same tickets: every admin and
// unrestricted agent sees all; a restricted agent sees their own set.
func scopeKey(a auth.Actor) string {
	if a.IsAdmin() || (a.IsStaff() && !a.RestrictedToGroups) {
		return "all"
	}
	return "u" + itoa(a.UserID)
}

// count returns the number of tickets q selects for a. The first time it
// counts synchronously; later it answers from memory.
func (c *countCache) count(ctx context.Context, a auth.Actor, key string, q ticket.ListQuery) (int, error) {
	key = scopeKey(a) + "|" + key
	now := c.now()
	gen := c.gen.Load()
	c.mu.Lock()
	e, ok := c.entries[key]
	if ok {
		n := e.n
		stale := (e.gen != gen && now.Sub(e.at) >= countMinAge) || now.Sub(e.at) >= countMaxAge
		if stale && !e.refreshing {
			e.refreshing = true
			go c.refresh(a, key, q, gen)
		}
		c.mu.Unlock()
		return n, nil
	}
	c.mu.Unlock()
	n, err := c.compute(ctx, a, q)
	if err != nil {
		return 0, err
	}
	c.store(key, n, gen, now)
	return n, nil
}

func (c *countCache) compute(ctx context.Context, a auth.Actor, q ticket.ListQuery) (int, error) {
	q.PerPage, q.Page, q.After, q.Before = 1, 1, "", ""
	res, err := c.tickets.List(ctx, a, q)
	return res.Count, err
}

func (c *countCache) refresh(a auth.Actor, key string, q ticket.ListQuery, gen int64) {
	ctx, cancel := context.WithTimeout(context.Background(), countTimeLimit)
	defer cancel()
	start := c.now()
	n, err := c.compute(ctx, a, q)
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[key]
	if e == nil {
		return
	}
	e.refreshing = false
	if err != nil {
		c.log.Warn("ui: recount failed", "err", err)
		return
	}
	e.n, e.gen, e.at = n, gen, start
}

func (c *countCache) store(key string, n int, gen int64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.entries) >= countMaxKeys {
		clear(c.entries) // crude but bounded; counts come back on the next views
	}
	c.entries[key] = &countEntry{n: n, gen: gen, at: at}
}
