package chatapi

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/channel/chat"
	"layan/internal/web/httpx"
)

// agentWS serves an agent's WebSocket. Authentication is the session cookie
// (the Origin must be this server: websocket.Accept checks it) or an API token.
func (a *API) agentWS(w http.ResponseWriter, r *http.Request) {
	actor, ok := httpx.ActorFrom(r.Context())
	if !ok {
		a.fail(w, r, apperr.ErrUnauthorized)
		return
	}
	if !actor.IsStaff() {
		a.fail(w, r, apperr.Forbidden("use agent chat"))
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return
	}
	ws.SetReadLimit(chat.MaxFrameBytes)
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	defer cancel()
	c := newConn(ctx, ws, a.Chat, agentOutbox)
	watched := &watchSet{m: map[string]bool{}}
	c.onNote = func(ctx context.Context, n chat.Note) []byte {
		switch n.Kind {
		case chat.NoteQueue:
			q, err := a.Chat.Queue(ctx, actor)
			if err != nil {
				return nil
			}
			b, _ := json.Marshal(map[string]any{"type": "queue", "items": q})
			return b
		case chat.NoteAssigned:
			// A chat became this agent's: watch it from the start (the
			// replay follows this frame).
			var f struct {
				Conversation string `json:"conversation"`
			}
			if json.Unmarshal(n.Frame, &f) == nil && f.Conversation != "" && watched.add(f.Conversation) {
				c.watch(f.Conversation, 0)
			}
		}
		return n.Frame
	}
	hub := a.Chat.Hub()
	hub.AddAgent(actor.UserID, c)
	defer func() {
		hub.RemoveAgent(actor.UserID, c)
		for _, conv := range watched.all() {
			c.unwatch(conv)
		}
		c.stop()
	}()
	a.Chat.Touch(ctx, actor, true)
	mine, err := a.Chat.Conversations(ctx, actor, chat.StatusActive, true)
	if err != nil {
		mine = nil
	}
	c.send(map[string]any{"type": "welcome", "agent": chat.Person{ID: actor.UserID, Name: actor.Name}, "active": mine})
	if q, err := a.Chat.Queue(ctx, actor); err == nil {
		c.send(map[string]any{"type": "queue", "items": q})
	}
	subscribe := func(conv string, after int64) {
		if watched.add(conv) {
			c.watch(conv, after)
		} else {
			c.enqueue(item{replay: &replay{conv: conv, after: after}})
		}
	}
	unsubscribe := func(conv string) {
		if watched.remove(conv) {
			c.unwatch(conv)
		}
	}
	a.readLoop(ctx, c, func(data []byte) error {
		f, err := chat.DecodeAgentFrame(data)
		if err != nil {
			return err
		}
		out, err := a.agentFrame(ctx, actor, f, subscribe, unsubscribe)
		for _, o := range out {
			c.send(o)
		}
		return err
	}, 60*time.Second)
}

// agentFrame runs one agent frame.
func (a *API) agentFrame(ctx context.Context, actor auth.Actor, f chat.ClientFrame, subscribe func(string, int64), unsubscribe func(string)) ([]any, error) {
	switch f.Type {
	case "ping":
		a.Chat.Touch(ctx, actor, false)
		return []any{map[string]string{"type": "pong"}}, nil
	case "presence":
		if err := a.Chat.SetPresence(ctx, actor, f.Status); err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		return nil, nil
	}
	a.Chat.Touch(ctx, actor, true)
	if f.Conversation == "" {
		return []any{errorFrame(chat.CodeBadFrame, "conversation is required", f.Ref)}, nil
	}
	switch f.Type {
	case "subscribe":
		if _, err := a.Chat.Conversation(ctx, actor, f.Conversation); err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		subscribe(f.Conversation, f.After)
		return nil, nil
	case "unsubscribe":
		unsubscribe(f.Conversation)
		return nil, nil
	case "send":
		m, _, err := a.Chat.AgentSend(ctx, actor, f.Conversation, f.Ref, f.Text)
		if err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		return []any{map[string]any{"type": "ack", "ref": f.Ref, "conversation": m.Conversation, "seq": m.Seq, "id": m.ID, "at": m.At}}, nil
	case "typing", "read":
		c, err := a.Chat.Conversation(ctx, actor, f.Conversation)
		if err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		if f.Type == "typing" {
			a.Chat.Typing(c.UUID, "agent", f.On)
			return nil, nil
		}
		return nil, a.Chat.MarkRead(ctx, c, "agent", f.Seq)
	}
	return nil, &chat.FrameError{Code: chat.CodeBadFrame, Msg: "unknown frame type", Fatal: true}
}

// watchSet is the conversations an agent's socket watches; the reader and
// the writer goroutine both change it.
type watchSet struct {
	mu sync.Mutex
	m  map[string]bool
}

func (w *watchSet) add(conv string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.m[conv] {
		return false
	}
	w.m[conv] = true
	return true
}

func (w *watchSet) remove(conv string) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.m[conv] {
		return false
	}
	delete(w.m, conv)
	return true
}

func (w *watchSet) all() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.m))
	for k := range w.m {
		out = append(out, k)
	}
	return out
}
