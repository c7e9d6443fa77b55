// Package ratelimit is an in-memory token bucket per key (user id, IP). Each
// node limits on its own; with N nodes behind a balancer a client gets at most
// N times the limit, which is acceptable for abuse protection.
package ratelimit

import (
	"math"
	"sync"
	"time"
)

// Limiter allows Limit requests per Window per key, refilled continuously.
type Limiter struct {
	Limit  int
	Window time.Duration
	now    func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

// New makes a limiter; now may be nil for the real clock.
func New(limit int, window time.Duration, now func() time.Time) *Limiter {
	if now == nil {
		now = time.Now
	}
	return &Limiter{Limit: limit, Window: window, now: now, buckets: map[string]*bucket{}}
}

// Result says whether a request may go on, how many remain, and when to retry.
type Result struct {
	Allowed    bool
	Remaining  int
	RetryAfter time.Duration
}

// Allow takes one token from key's bucket.
func (l *Limiter) Allow(key string) Result {
	if l == nil || l.Limit <= 0 {
		return Result{Allowed: true, Remaining: math.MaxInt32}
	}
	now := l.now()
	rate := float64(l.Limit) / l.Window.Seconds()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(l.Limit), last: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(float64(l.Limit), b.tokens+now.Sub(b.last).Seconds()*rate)
	b.last = now
	if b.tokens < 1 {
		wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
		return Result{Allowed: false, Remaining: 0, RetryAfter: wait}
	}
	b.tokens--
	return Result{Allowed: true, Remaining: int(b.tokens)}
}

// sweep drops full buckets now and then, so memory stays bounded by active keys.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < l.Window {
		return
	}
	l.swept = now
	for k, b := range l.buckets {
		if now.Sub(b.last) > l.Window {
			delete(l.buckets, k)
		}
	}
}
