package chatapi

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/coder/websocket"

	"layan/internal/channel/chat"
)

// outboxSize bounds what a slow socket may owe; past it the socket is
// closed and the client resumes by seq (nothing committed is lost).
const outboxSize = 256

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

// conn is one WebSocket, visitor's or agent's. Everything it sends goes
// through one goroutine, which keeps per-conversation cursors: a message
// whose seq is not above the cursor is dropped (duplicate), one above the
// next is preceded by the gap read from the database.
type conn struct {
	ws     *websocket.Conn
	chat   *chat.Service
	out    chan item
	cursor map[string]int64
	// onNote lets the agent side react to queue/assigned notes (nil: send as is).
	onNote func(ctx context.Context, n chat.Note) []byte

	mu     sync.Mutex
	closed bool
	done   chan struct{}
}

func newConn(ws *websocket.Conn, svc *chat.Service) *conn {
	return &conn{ws: ws, chat: svc, out: make(chan item, outboxSize), cursor: map[string]int64{}, done: make(chan struct{})}
}

// Notify implements chat.Sink: never blocks.
func (c *conn) Notify(n chat.Note) { c.enqueue(item{note: &n}) }

func (c *conn) enqueue(it item) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	select {
	case c.out <- it:
	default:
		c.closed = true // too slow: drop the socket, the client resumes
		close(c.done)
	}
}

func (c *conn) send(v any) {
	b, err := json.Marshal(v)
	if err == nil {
		c.enqueue(item{frame: b})
	}
}

func (c *conn) sendRaw(b []byte) { c.enqueue(item{frame: b}) }

// stop ends the writer (idempotent).
func (c *conn) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.closed = true
		close(c.done)
	}
}

// writeLoop sends until the socket ends; it pings every 30 s.
func (c *conn) writeLoop(ctx context.Context) {
	ping := time.NewTicker(30 * time.Second)
	defer ping.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.done:
			// Flush what is queued (e.g. a final error frame), then close.
			for {
				select {
				case it := <-c.out:
					if it.frame != nil {
						_ = c.write(ctx, it.frame)
					}
				default:
					c.ws.Close(websocket.StatusGoingAway, "")
					return
				}
			}
		case <-ping.C:
			pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			err := c.ws.Ping(pctx)
			cancel()
			if err != nil {
				c.ws.CloseNow()
				return
			}
		case it := <-c.out:
			if err := c.handle(ctx, it); err != nil {
				c.ws.CloseNow()
				return
			}
		}
	}
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
