package ui

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"layan/internal/auth"
	"layan/internal/events"
)

// Live updates are Server-Sent Events: one stream per open ticket page (the
// ticket's events and who else is there) and one per inbox (something in the
// visible lists changed). Before anything about a ticket is sent, the
// viewer's right to see it is checked again through the ticket service.

// sse prepares a streaming response; the server's write timeout would
// otherwise cut every stream after two minutes.
type sse struct {
	w  http.ResponseWriter
	rc *http.ResponseController
}

func startSSE(w http.ResponseWriter) *sse {
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	w.WriteHeader(http.StatusOK)
	s := &sse{w: w, rc: rc}
	s.raw("retry: 3000\n\n")
	return s
}

func (s *sse) raw(msg string) bool {
	if _, err := fmt.Fprint(s.w, msg); err != nil {
		return false
	}
	return s.rc.Flush() == nil
}

// send writes one named event with a JSON payload.
func (s *sse) send(event string, v any) bool {
	b, err := json.Marshal(v)
	if err != nil {
		return false
	}
	return s.raw("event: " + event + "\ndata: " + string(b) + "\n\n")
}

// stopping is closed when the http.Server serving r begins a graceful
// shutdown: streams never go idle, so without this Shutdown would wait for
// its whole timeout. Browsers reconnect to the next server by themselves.
func (p *Pages) stopping(r *http.Request) <-chan struct{} {
	srv, _ := r.Context().Value(http.ServerContextKey).(*http.Server)
	if srv == nil {
		return nil
	}
	p.shutdownMu.Lock()
	defer p.shutdownMu.Unlock()
	if p.shutdown == nil {
		p.shutdown = map[*http.Server]chan struct{}{}
	}
	ch, ok := p.shutdown[srv]
	if !ok {
		ch = make(chan struct{})
		p.shutdown[srv] = ch
		srv.RegisterOnShutdown(func() { close(ch) })
	}
	return ch
}

// tick is how often streams re-check presence expiry; every pingEvery ticks a
// comment keeps proxies from closing an idle stream.
const (
	tick      = 5 * time.Second
	pingEvery = 5
)

// ticketChange is what the ticket page learns about an event.
type ticketChange struct {
	Stamp   string   `json:"stamp"`
	By      []string `json:"by"`
	Comment bool     `json:"comment"`
	Self    bool     `json:"self"`
}

// ticketLive: GET /agent/tickets/{id}/live.
func (p *Pages) ticketLive(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	a := currentActor(r)
	cur, err := p.d.Tickets.Get(ctx, a, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	stop := p.stopping(r)
	evc := make(chan events.Event, 256)
	unsubscribe := p.d.Bus.Subscribe(func(e events.Event) {
		// Logged work time is no change to the ticket: it must not move the
		// page's version (an agent's own event would acknowledge others').
		if e.TicketID == id && e.Type != events.WorkLogged {
			select {
			case evc <- e:
			default: // full: later events still bring the page up to date
			}
		}
	})
	defer unsubscribe()
	leave := p.presence.join(id, a.UserID, a.Name)
	defer leave()
	changed, unwatch := p.presence.watch(id)
	defer unwatch()

	s := startSSE(w)
	// The version now: a page that reconnects after missing events sees
	// that it is behind and refreshes.
	if !s.send("hello", ticketChange{Stamp: itoa(cur.UpdatedAt.UnixMilli()), By: []string{}}) {
		return
	}
	last := ""
	sendPresence := func() bool {
		peers := p.presence.others(id, a.UserID)
		b, _ := json.Marshal(peers)
		if string(b) == last {
			return true
		}
		last = string(b)
		return s.send("presence", peers)
	}
	if !sendPresence() {
		return
	}
	names := map[int64]string{}
	t := time.NewTicker(tick)
	defer t.Stop()
	for n := 1; ; n++ {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case e := <-evc:
			batch := drain(evc, e)
			cur, err := p.d.Tickets.Get(ctx, a, id)
			if err != nil {
				s.send("gone", struct{}{})
				return
			}
			ch := ticketChange{Stamp: itoa(cur.UpdatedAt.UnixMilli()), By: []string{}, Self: true}
			for _, e := range batch {
				if e.Type == events.CommentAdded {
					ch.Comment = true
				}
				if e.ActorID != a.UserID {
					ch.Self = false
				}
				if name := p.actorName(ctx, a, e.ActorID, names); name != "" && !slices.Contains(ch.By, name) {
					ch.By = append(ch.By, name)
				}
			}
			if !s.send("ticket", ch) {
				return
			}
		case <-changed:
			if !sendPresence() {
				return
			}
		case <-t.C:
			if !sendPresence() || (n%pingEvery == 0 && !s.raw(": ping\n\n")) {
				return
			}
		}
	}
}

// inboxLive: GET /agent/live tells an open inbox that a ticket it may show
// changed, at most once per inboxQuiet.
func (p *Pages) inboxLive(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	a := currentActor(r)
	evc := make(chan events.Event, 256)
	unsubscribe := p.d.Bus.Subscribe(func(e events.Event) {
		if e.TicketID != 0 && e.Type != events.WorkLogged { // logged time changes no list
			select {
			case evc <- e:
			default:
			}
		}
	})
	defer unsubscribe()
	stop := p.stopping(r)
	s := startSSE(w)
	t := time.NewTicker(tick * pingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-stop:
			return
		case e := <-evc:
			batch := drain(evc, e)
			if p.anyVisible(ctx, a, batch) && !s.send("changed", struct{}{}) {
				return
			}
			// Coalesce bursts (a bulk action is many events).
			select {
			case <-ctx.Done():
				return
			case <-time.After(inboxQuiet):
			}
		case <-t.C:
			if !s.raw(": ping\n\n") {
				return
			}
		}
	}
}

const inboxQuiet = 2 * time.Second

// drain takes whatever else is queued, so a burst becomes one update.
func drain(evc chan events.Event, first events.Event) []events.Event {
	batch := []events.Event{first}
	for {
		select {
		case e := <-evc:
			batch = append(batch, e)
		default:
			return batch
		}
	}
}

func (p *Pages) anyVisible(ctx context.Context, a auth.Actor, batch []events.Event) bool {
	seen := map[int64]bool{}
	for _, e := range batch {
		if seen[e.TicketID] {
			continue
		}
		seen[e.TicketID] = true
		if _, err := p.d.Tickets.Get(ctx, a, e.TicketID); err == nil {
			return true
		}
	}
	return false
}

func (p *Pages) actorName(ctx context.Context, a auth.Actor, id int64, cache map[int64]string) string {
	if id == 0 {
		return ""
	}
	if n, ok := cache[id]; ok {
		return n
	}
	n := ""
	if u, err := p.d.Dir.GetUser(ctx, a, id); err == nil {
		n = u.Name
	}
	cache[id] = n
	return n
}

// presenceBeat: POST /agent/tickets/{id}/presence (state=replying|idle),
// sent by the reply box while the agent types.
func (p *Pages) presenceBeat(w http.ResponseWriter, r *http.Request) {
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a := currentActor(r)
	if _, err := p.d.Tickets.Get(r.Context(), a, id); err != nil {
		p.fail(w, r, err)
		return
	}
	p.presence.beat(id, a.UserID, a.Name, r.PostFormValue("state") == "replying")
	w.WriteHeader(http.StatusNoContent)
}
