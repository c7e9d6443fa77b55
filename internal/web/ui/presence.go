package ui

import (
	"slices"
	"strings"
	"sync"
	"time"
)

// presence knows who has a ticket open and who is writing a reply, for the
// collision warning. An open live connection means "viewing"; a heartbeat
// from the reply box means "replying" for replyTTL. It is per node: with
// several nodes, presence needs the shared event transport (NATS) later.
type presence struct {
	now func() time.Time

	mu    sync.Mutex
	rooms map[int64]*room
}

type room struct {
	people   map[int64]*visitor
	watchers map[chan struct{}]struct{}
}

type visitor struct {
	name     string
	conns    int
	replying time.Time // last "replying" heartbeat
}

// replyTTL is how long one heartbeat keeps someone "replying"; the reply box
// sends one every few seconds while its text changes.
const replyTTL = 15 * time.Second

// Peer is another person on the same ticket, as the page shows them.
type Peer struct {
	Name     string `json:"name"`
	Replying bool   `json:"replying"`
}

func newPresence(now func() time.Time) *presence {
	return &presence{now: now, rooms: map[int64]*room{}}
}

func (p *presence) room(ticket int64) *room {
	r := p.rooms[ticket]
	if r == nil {
		r = &room{people: map[int64]*visitor{}, watchers: map[chan struct{}]struct{}{}}
		p.rooms[ticket] = r
	}
	return r
}

// join marks user as viewing ticket until the returned func is called.
func (p *presence) join(ticket, user int64, name string) (leave func()) {
	p.mu.Lock()
	r := p.room(ticket)
	v := r.people[user]
	if v == nil {
		v = &visitor{name: name}
		r.people[user] = v
	}
	v.conns++
	p.notify(r)
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		defer p.mu.Unlock()
		v.conns--
		if v.conns <= 0 {
			delete(r.people, user)
		}
		p.notify(r)
		p.gc(ticket, r)
	}
}

// beat records a heartbeat from user's reply box: replying or not.
func (p *presence) beat(ticket, user int64, name string, replying bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.room(ticket)
	v := r.people[user]
	if v == nil {
		v = &visitor{name: name}
		r.people[user] = v
	}
	was := p.isReplying(v)
	if replying {
		v.replying = p.now()
	} else {
		v.replying = time.Time{}
	}
	if was != replying {
		p.notify(r)
	}
	p.gc(ticket, r)
}

func (p *presence) isReplying(v *visitor) bool {
	return !v.replying.IsZero() && p.now().Sub(v.replying) < replyTTL
}

// others lists everyone on ticket but user, replying first, by name.
func (p *presence) others(ticket, user int64) []Peer {
	p.mu.Lock()
	defer p.mu.Unlock()
	r := p.rooms[ticket]
	if r == nil {
		return []Peer{}
	}
	out := []Peer{}
	for id, v := range r.people {
		if id == user {
			continue
		}
		if v.conns <= 0 && !p.isReplying(v) {
			continue
		}
		out = append(out, Peer{Name: v.name, Replying: p.isReplying(v)})
	}
	slices.SortFunc(out, func(a, b Peer) int {
		if a.Replying != b.Replying {
			if a.Replying {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out
}

// watch signals (coalesced) whenever someone joins, leaves or starts or
// stops replying on ticket.
func (p *presence) watch(ticket int64) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	p.mu.Lock()
	r := p.room(ticket)
	r.watchers[ch] = struct{}{}
	p.mu.Unlock()
	return ch, func() {
		p.mu.Lock()
		delete(r.watchers, ch)
		p.gc(ticket, r)
		p.mu.Unlock()
	}
}

func (p *presence) notify(r *room) {
	for ch := range r.watchers {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// gc drops people whose heartbeats expired without a connection, and empty rooms.
func (p *presence) gc(ticket int64, r *room) {
	for id, v := range r.people {
		if v.conns <= 0 && !p.isReplying(v) {
			delete(r.people, id)
		}
	}
	if len(r.people) == 0 && len(r.watchers) == 0 {
		delete(p.rooms, ticket)
	}
}
