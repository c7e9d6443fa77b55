package ratelimit

import (
	"testing"
	"time"
)

func TestLimiterRefillsOverTheWindow(t *testing.T) {
	now := time.Unix(0, 0)
	l := New(3, time.Minute, func() time.Time { return now })
	for i := 0; i < 3; i++ {
		if r := l.Allow("u1"); !r.Allowed || r.Remaining != 2-i {
			t.Fatalf("request %d: %+v", i, r)
		}
	}
	r := l.Allow("u1")
	if r.Allowed || r.RetryAfter <= 0 || r.RetryAfter > 20*time.Second {
		t.Fatalf("4th request: %+v", r)
	}
	if !l.Allow("u2").Allowed {
		t.Fatal("another key was limited")
	}
	now = now.Add(20 * time.Second)
	if !l.Allow("u1").Allowed {
		t.Fatal("no refill after 20s")
	}
	if New(0, time.Minute, nil).Allow("x").Allowed != true {
		t.Fatal("limit 0 must mean unlimited")
	}
}
