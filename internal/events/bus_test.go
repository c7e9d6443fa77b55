package events

import (
	"testing"
	"time"
)

func TestBusDeliversInOrderToEverySubscriber(t *testing.T) {
	b := NewBus()
	got1 := make(chan int64, 10)
	got2 := make(chan int64, 10)
	u1 := b.Subscribe(func(e Event) { got1 <- e.ID })
	defer u1()
	u2 := b.Subscribe(func(e Event) { got2 <- e.ID })
	b.Publish([]Event{{ID: 1}, {ID: 2}})
	b.Publish([]Event{{ID: 3}})
	for _, ch := range []chan int64{got1, got2} {
		for want := int64(1); want <= 3; want++ {
			select {
			case id := <-ch:
				if id != want {
					t.Fatalf("got event %d, want %d", id, want)
				}
			case <-time.After(2 * time.Second):
				t.Fatalf("event %d not delivered", want)
			}
		}
	}
	u2()
	b.Publish([]Event{{ID: 4}})
	select {
	case id := <-got2:
		t.Fatalf("unsubscribed reader got event %d", id)
	case <-time.After(50 * time.Millisecond):
	}
	if id := <-got1; id != 4 {
		t.Fatalf("got %d, want 4", id)
	}
}
