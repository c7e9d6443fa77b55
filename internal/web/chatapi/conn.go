package chatapi

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/coder/websocket"

	"layan/internal/channel/chat"
)

// Outbox sizes bound what a slow socket may owe; past it the socket is
// closed and the client resumes by seq (nothing committed is lost). A
// visitor's socket carries one conversation; an agent's, many. The queue is
// a slice grown on demand, so an idle socket owes nothing whatever the
// bound; a visitor's must still hold the answers to a burst of frames up to
// the rate limit (each send is answered by an ack or an error, and echoed).
const (
	visitorOutbox = 256
	agentOutbox   = 4096
)

// item is what the writer goroutine does next: send a note (messages go
// through the cursor), replay a conversation from the database, or send a
// prepared frame.
type item struct {
	note   *chat.Note
	replay *replay
	frame  []byte
	forget string // stop tracking a conversation's cursor (unwatched)
}

type replay struct {
	conv  string
	after int64
}

// conn is one WebSocket, visitor's or agent's. What it sends is queued
// and written by one drain goroutine at a time, started when the queue
// fills and ended when it empties, so an idle socket holds no goroutine
// but its reader. The drain keeps per-conversation cursors: a message
// whose seq is not above the cursor is dropped (duplicate), one above the
// next is preceded by the gap read from the database.
type conn struct {
	ws     *websocket.Conn
	chat   *chat.Service
	ctx    context.Context
	limit  int
	cursor map[string]int64 // touched only by the drain goroutine
	// onNote lets the agent side react to queue/assigned notes (nil: send as is).
	onNote func(ctx context.Context, n chat.Note) []byte

	mu      sync.Mutex
	queue   []item
	running bool
	closed  bool
	// queueNoted: a queue-changed note is already waiting; another adds
	// nothing (the agent gets the whole queue once).
	queueNoted bool
}

func newConn(ctx context.Context, ws *websocket.Conn, svc *chat.Service, outbox int) *conn {
	return &conn{ws: ws, chat: svc, ctx: ctx, limit: outbox, cursor: map[string]int64{}}
}

// Notify implements chat.Sink: never blocks.
func (c *conn) Notify(n chat.Note) {
	if n.Kind == chat.NoteQueue {
		c.mu.Lock()
		skip := c.queueNoted
		c.queueNoted = true
		c.mu.Unlock()
		if skip {
			return
		}
	}
	c.enqueue(item{note: &n})
}

func (c *conn) enqueue(it item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if len(c.queue) >= c.limit {
		c.closed = true // too slow: drop the socket, the client resumes
		c.queue = nil
		go c.ws.CloseNow()
		return
	}
	c.queue = append(c.queue, it)
	if !c.running {
		c.running = true
		go c.drain()
	}
}

func (c *conn) drain() {
	for {
		c.mu.Lock()
		if len(c.queue) == 0 || c.closed {
			c.running = false
			c.queue = nil
			c.mu.Unlock()
			return
		}
		it := c.queue[0]
		c.queue = c.queue[1:]
		if it.note != nil && it.note.Kind == chat.NoteQueue {
			c.queueNoted = false
		}
		c.mu.Unlock()
		if err := c.handle(c.ctx, it); err != nil {
			c.stop()
			c.ws.CloseNow()
		}
	}
}

func (c *conn) send(v any) {
	b, err := json.Marshal(v)
	if err == nil {
		c.enqueue(item{frame: b})
	}
}

func (c *conn) sendRaw(b []byte) { c.enqueue(item{frame: b}) }

// stop drops what is queued and refuses more (idempotent).
func (c *conn) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	c.queue = nil
}

func (c *conn) handle(ctx context.Context, it item) error {
	switch {
	case it.frame != nil:
		return c.write(ctx, it.frame)
	case it.replay != nil:
		return c.replay(ctx, it.replay.conv, it.replay.after)
	case it.forget != "":
		delete(c.cursor, it.forget)
		return nil
	case it.note != nil:
		n := *it.note
		if n.Kind == chat.NoteMessage {
			return c.deliverMessage(ctx, n)
		}
		if c.onNote != nil {
			if b := c.onNote(ctx, n); b != nil {
				return c.write(ctx, b)
			}
			return nil
		}
		return c.write(ctx, n.Frame)
	}
	return nil
}

// deliverMessage sends a message note once and in order.
func (c *conn) deliverMessage(ctx context.Context, n chat.Note) error {
	last, watching := c.cursor[n.Conv]
	if !watching || n.Seq <= last {
		return nil
	}
	if n.Seq > last+1 {
		ms, err := c.chat.MessagesBetween(ctx, n.Conv, last, n.Seq-1)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := c.writeJSON(ctx, m); err != nil {
				return err
			}
			c.cursor[n.Conv] = m.Seq
		}
	}
	c.cursor[n.Conv] = n.Seq
	return c.write(ctx, n.Frame)
}

// replay sends every message with seq > after, then watches from there.
func (c *conn) replay(ctx context.Context, conv string, after int64) error {
	if cur, ok := c.cursor[conv]; ok && cur > after {
		after = cur
	}
	for {
		ms, err := c.chat.MessagesBetween(ctx, conv, after, after+500)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if err := c.writeJSON(ctx, m); err != nil {
				return err
			}
			after = m.Seq
		}
		if len(ms) < 500 {
			break
		}
	}
	c.cursor[conv] = after
	return nil
}

func (c *conn) writeJSON(ctx context.Context, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return c.write(ctx, b)
}

func (c *conn) write(ctx context.Context, b []byte) error {
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	return c.ws.Write(wctx, websocket.MessageText, b)
}

// watch subscribes the socket to a conversation and replays seq > after.
// Subscribing first, then replaying in the writer, leaves no window: notes
// that arrive meanwhile are queued behind the replay and deduplicated.
func (c *conn) watch(conv string, after int64) {
	c.chat.Hub().Watch(conv, c)
	c.enqueue(item{replay: &replay{conv: conv, after: after}})
}

func (c *conn) unwatch(conv string) {
	c.chat.Hub().Unwatch(conv, c)
	c.enqueue(item{forget: conv})
}

// errorFrame is the protocol's error frame.
func errorFrame(code, msg, ref string) map[string]any {
	f := map[string]any{"type": "error", "code": code, "message": msg}
	if ref != "" {
		f["ref"] = ref
	}
	return f
}
