package ui

import (
	"sync"
	"time"
)

// ttlCache keeps values that every page needs and that rarely change (the
// list of agents, a user's time zone) for a few seconds, to save queries on
// the hot pages. Bounded: it forgets everything when it grows too big.
type ttlCache[K comparable, V any] struct {
	ttl time.Duration
	now func() time.Time
	max int

	mu sync.Mutex
	m  map[K]ttlEntry[V]
}

type ttlEntry[V any] struct {
	v  V
	at time.Time
}

func newTTLCache[K comparable, V any](ttl time.Duration, max int, now func() time.Time) *ttlCache[K, V] {
	return &ttlCache[K, V]{ttl: ttl, max: max, now: now, m: map[K]ttlEntry[V]{}}
}

// get returns the cached value of k, loading it when missing or old.
// Errors are not cached.
func (c *ttlCache[K, V]) get(k K, load func() (V, error)) (V, error) {
	now := c.now()
	c.mu.Lock()
	e, ok := c.m[k]
	c.mu.Unlock()
	if ok && now.Sub(e.at) < c.ttl && !now.Before(e.at) {
		return e.v, nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[k] = ttlEntry[V]{v: v, at: now}
	c.mu.Unlock()
	return v, nil
}
