package events

import "sync"

// Bus delivers committed events to subscribers in process. Each subscriber has
// its own queue and goroutine, so a slow reader never blocks a writer; readers
// that must not miss anything after a crash replay the log by event id.
type Bus struct {
	mu   sync.Mutex
	subs map[int]*subscriber
	next int
}

type subscriber struct {
	mu     sync.Mutex
	cond   *sync.Cond
	queue  []Event
	closed bool
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[int]*subscriber{}} }

// Subscribe calls fn for every published event, in publish order, on its own
// goroutine. The returned function unsubscribes.
func (b *Bus) Subscribe(fn func(Event)) (unsubscribe func()) {
	s := &subscriber{}
	s.cond = sync.NewCond(&s.mu)
	b.mu.Lock()
	id := b.next
	b.next++
	b.subs[id] = s
	b.mu.Unlock()
	go s.run(fn)
	return func() {
		b.mu.Lock()
		delete(b.subs, id)
		b.mu.Unlock()
		s.mu.Lock()
		s.closed = true
		s.cond.Signal()
		s.mu.Unlock()
	}
}

func (s *subscriber) run(fn func(Event)) {
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closed {
			s.cond.Wait()
		}
		if s.closed {
			s.mu.Unlock()
			return
		}
		batch := s.queue
		s.queue = nil
		s.mu.Unlock()
		for _, e := range batch {
			fn(e)
		}
	}
}

// Publish hands committed events to every subscriber. Call it only after the
// transaction that wrote them has committed.
func (b *Bus) Publish(evs []Event) {
	if b == nil || len(evs) == 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.subs {
		s.mu.Lock()
		s.queue = append(s.queue, evs...)
		s.cond.Signal()
		s.mu.Unlock()
	}
}
