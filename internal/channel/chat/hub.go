package chat

import (
	"encoding/json"
	"sync"
)

// Note kinds carried by the hub.
const (
	NoteMessage  = "message"  // to the conversation's sockets
	NoteStatus   = "status"   // to the conversation's sockets
	NoteTyping   = "typing"   // to the conversation's sockets
	NoteRead     = "read"     // to the conversation's sockets
	NoteQueue    = "queue"    // to every agent: the queue changed
	NoteAssigned = "assigned" // to one agent
	NotePresence = "presence" // to every agent
)

// Note is one committed change on its way to sockets: Frame is the frame to
// send as it is. For messages Seq lets each socket drop duplicates and fill
// gaps from the database.
type Note struct {
	Kind  string          `json:"k"`
	Conv  string          `json:"c,omitempty"`
	Agent int64           `json:"a,omitempty"`
	Seq   int64           `json:"s,omitempty"`
	Frame json.RawMessage `json:"f"`
}

// Sink receives notes; Notify must not block (queue or drop and resync).
type Sink interface{ Notify(Note) }

// Broker carries notes between nodes. Publish sends to every node, this one
// included; Start calls deliver for each note received.
type Broker interface {
	Publish(Note) error
	Start(deliver func(Note)) (stop func(), err error)
}

// LocalBroker is the single-node broker: publish is delivery.
type LocalBroker struct {
	mu      sync.RWMutex
	deliver func(Note)
}

// Publish delivers at once.
func (b *LocalBroker) Publish(n Note) error {
	b.mu.RLock()
	d := b.deliver
	b.mu.RUnlock()
	if d != nil {
		d(n)
	}
	return nil
}

// Start sets the delivery function.
func (b *LocalBroker) Start(deliver func(Note)) (func(), error) {
	b.mu.Lock()
	b.deliver = deliver
	b.mu.Unlock()
	return func() {}, nil
}

// Hub holds this node's sockets by conversation and by agent.
type Hub struct {
	broker Broker
	mu     sync.RWMutex
	convs  map[string]map[Sink]struct{}
	agents map[int64]map[Sink]struct{}
	stop   func()
}

// NewHub starts delivering the broker's notes to local sinks.
func NewHub(b Broker) (*Hub, error) {
	if b == nil {
		b = &LocalBroker{}
	}
	h := &Hub{broker: b, convs: map[string]map[Sink]struct{}{}, agents: map[int64]map[Sink]struct{}{}}
	stop, err := b.Start(h.deliver)
	if err != nil {
		return nil, err
	}
	h.stop = stop
	return h, nil
}

// Close stops receiving from the broker.
func (h *Hub) Close() { h.stop() }

// Publish sends a note to every node.
func (h *Hub) Publish(n Note) error { return h.broker.Publish(n) }

func (h *Hub) deliver(n Note) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	switch n.Kind {
	case NoteMessage, NoteStatus, NoteTyping, NoteRead:
		for s := range h.convs[n.Conv] {
			s.Notify(n)
		}
	case NoteAssigned:
		for s := range h.agents[n.Agent] {
			s.Notify(n)
		}
	case NoteQueue, NotePresence:
		for _, set := range h.agents {
			for s := range set {
				s.Notify(n)
			}
		}
	}
}

// Watch subscribes s to a conversation.
func (h *Hub) Watch(conv string, s Sink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.convs[conv]
	if set == nil {
		set = map[Sink]struct{}{}
		h.convs[conv] = set
	}
	set[s] = struct{}{}
}

// Unwatch removes s from a conversation.
func (h *Hub) Unwatch(conv string, s Sink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.convs[conv]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.convs, conv)
		}
	}
}

// AddAgent registers an agent's socket for queue, presence and assignments.
func (h *Hub) AddAgent(id int64, s Sink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	set := h.agents[id]
	if set == nil {
		set = map[Sink]struct{}{}
		h.agents[id] = set
	}
	set[s] = struct{}{}
}

// RemoveAgent unregisters it.
func (h *Hub) RemoveAgent(id int64, s Sink) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if set := h.agents[id]; set != nil {
		delete(set, s)
		if len(set) == 0 {
			delete(h.agents, id)
		}
	}
}

// Counts reports the sockets held (for the bench and metrics).
func (h *Hub) Counts() (conversations, agents int) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	return len(h.convs), len(h.agents)
}
