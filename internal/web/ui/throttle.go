package ui

import (
	"sync"
	"time"
)

// throttle counts failed sign-ins per key (an account, an IP) in a fixed
// window; at max failures the key is blocked until the window ends. Only
// failures count, so an office behind one address can still sign in.
// In memory per node: with N nodes an attacker gets N times the budget.
type throttle struct {
	max    int
	window time.Duration
	now    func() time.Time

	mu    sync.Mutex
	keys  map[string]*failures
	swept time.Time
}

type failures struct {
	start time.Time
	n     int
}

func newThrottle(max int, window time.Duration, now func() time.Time) *throttle {
	return &throttle{max: max, window: window, now: now, keys: map[string]*failures{}}
}

// blocked reports whether any key is blocked, and until when.
func (t *throttle) blocked(keys ...string) (time.Time, bool) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var until time.Time
	for _, k := range keys {
		f := t.keys[k]
		if f == nil || now.Sub(f.start) >= t.window || f.n < t.max {
			continue
		}
		if end := f.start.Add(t.window); end.After(until) {
			until = end
		}
	}
	return until, !until.IsZero()
}

// fail records one failure on every key.
func (t *throttle) fail(keys ...string) {
	now := t.now()
	t.mu.Lock()
	defer t.mu.Unlock()
	t.sweep(now)
	for _, k := range keys {
		f := t.keys[k]
		if f == nil || now.Sub(f.start) >= t.window {
			f = &failures{start: now}
			t.keys[k] = f
		}
		f.n++
	}
}

// reset forgets a key (an account after a successful sign-in).
func (t *throttle) reset(key string) {
	t.mu.Lock()
	delete(t.keys, key)
	t.mu.Unlock()
}

// sweep drops expired windows now and then, so memory stays bounded.
func (t *throttle) sweep(now time.Time) {
	if now.Sub(t.swept) < t.window {
		return
	}
	t.swept = now
	for k, f := range t.keys {
		if now.Sub(f.start) >= t.window {
			delete(t.keys, k)
		}
	}
}
