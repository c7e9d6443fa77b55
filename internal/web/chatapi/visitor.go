package chatapi

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"slices"
	"time"

	"github.com/coder/websocket"

	"layan/internal/apperr"
	"layan/internal/channel/chat"
)

// visitorSession is a visitor's state across the frames of one socket or
// one long-poll request.
type visitorSession struct {
	v     chat.Visitor
	hello bool
	ip    string
	conv  *chat.Conversation // the open conversation, once known
	// watch, when set, is called when the visitor's conversation becomes
	// known (WebSocket: subscribe the socket; long-poll: nil, the poll reads).
	watch func(conv string, after int64)
}

// welcome answers hello: the visitor, whether agents are online, the open
// conversation; then the conversation is watched from last_seq.
func (a *API) hello(ctx context.Context, s *visitorSession, f chat.ClientFrame) (map[string]any, error) {
	v, err := a.Chat.Hello(ctx, f.VisitorToken, f.Identity, f.Locale)
	if err != nil {
		return nil, err
	}
	s.v, s.hello = v, true
	online, err := a.Chat.AgentsOnline(ctx)
	if err != nil {
		return nil, err
	}
	open, err := a.Chat.OpenConversation(ctx, v)
	if err != nil {
		return nil, err
	}
	w := map[string]any{"type": "welcome", "visitor_token": v.Token, "visitor_id": v.UUID, "customer": v.Customer,
		"agents_online": online, "conversation": nil}
	if open != nil {
		w["conversation"] = open
		s.conv = open
		if open.Status == chat.StatusQueued {
			a.Chat.VisitorBack(ctx, open.UUID)
		}
		after := int64(0)
		if f.Conversation == open.UUID {
			after = f.LastSeq
		}
		if s.watch != nil {
			s.watch(open.UUID, after)
		}
	}
	return w, nil
}

// visitorFrame runs one frame and returns the frames to answer with.
func (a *API) visitorFrame(ctx context.Context, s *visitorSession, f chat.ClientFrame) ([]any, error) {
	if f.Type == "hello" {
		if f.VisitorToken == "" && !a.ipLimit.Allow("new:"+s.ip).Allowed {
			// Each tokenless hello makes a visitor row: bounded per IP.
			return nil, &chat.FrameError{Code: chat.CodeRateLimited, Msg: "too many new visitors from this address", Fatal: true}
		}
		w, err := a.hello(ctx, s, f)
		if err != nil {
			return nil, err
		}
		return []any{w}, nil
	}
	if f.Type == "ping" {
		if s.conv != nil && s.conv.Status == chat.StatusQueued && s.watch != nil {
			a.Chat.VisitorBack(ctx, s.conv.UUID) // another tab may have left
		}
		return []any{map[string]string{"type": "pong"}}, nil
	}
	if !s.hello {
		return nil, &chat.FrameError{Code: chat.CodeHelloRequired, Msg: "send hello first", Fatal: true}
	}
	switch f.Type {
	case "start", "send":
		if !a.allowMessage(s) {
			return []any{errorFrame(chat.CodeRateLimited, "too many messages; wait a few seconds", f.Ref)}, nil
		}
		var m chat.Message
		var err error
		if f.Type == "start" {
			var c chat.Conversation
			c, m, _, err = a.Chat.Start(ctx, &s.v, chat.StartInput{Ref: f.Ref, Text: f.Text, Name: f.Name, Email: f.Email,
				Topic: f.Topic, Attachments: f.Attachments})
			if err == nil {
				s.conv = &c
				if s.watch != nil {
					s.watch(c.UUID, 0)
				}
			}
		} else if s.conv != nil {
			m, _, err = a.Chat.SendIn(ctx, s.v, s.conv, f.Ref, f.Text, f.Attachments)
			if chat.ErrorCode(err) == chat.CodeConversationEnded {
				s.conv = nil // ended meanwhile: the next start opens a new one
				err = &chat.CodeError{Code: chat.CodeNoConversation, Msg: "the conversation has ended; start a new one", Kind: apperr.ErrConflict}
			}
		} else {
			m, _, err = a.Chat.Send(ctx, s.v, f.Ref, f.Text, f.Attachments)
		}
		if err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		return []any{map[string]any{"type": "ack", "ref": f.Ref, "conversation": m.Conversation, "seq": m.Seq, "id": m.ID, "at": m.At}}, nil
	case "typing", "read":
		if !a.allowSignal(s) {
			return nil, nil
		}
		c := s.conv
		if c == nil {
			var err error
			if c, err = a.Chat.OpenConversation(ctx, s.v); err != nil || c == nil {
				return nil, err
			}
		}
		if f.Type == "typing" {
			a.Chat.Typing(c.UUID, "visitor", f.On)
			return nil, nil
		}
		return nil, a.Chat.MarkRead(ctx, *c, "visitor", f.Seq)
	case "end":
		s.conv = nil
		c, err := a.Chat.VisitorEnd(ctx, s.v)
		if err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		return []any{rawJSON(chat.StatusFrame(c))}, nil
	case "transcript":
		if !a.allowMessage(s) {
			return []any{errorFrame(chat.CodeRateLimited, "too many requests; wait a few seconds", f.Ref)}, nil
		}
		c, err := a.lastConversation(ctx, s.v, f.Conversation)
		if err == nil {
			err = a.Chat.EmailTranscript(ctx, c, false, f.Email)
		}
		if err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		return []any{map[string]any{"type": "ack", "ref": f.Ref, "conversation": c.UUID}}, nil
	case "rate":
		if err := a.Chat.Rate(ctx, s.v, f.Conversation, f.Score, f.Comment); err != nil {
			return a.refused(ctx, f.Ref, err)
		}
		return []any{map[string]any{"type": "ack", "ref": f.Ref}}, nil
	}
	return nil, &chat.FrameError{Code: chat.CodeBadFrame, Msg: "unknown frame type", Fatal: true}
}

// lastConversation is the named conversation of the visitor, else their open
// one, else their latest.
func (a *API) lastConversation(ctx context.Context, v chat.Visitor, id string) (chat.Conversation, error) {
	if id != "" {
		return a.Chat.VisitorConversation(ctx, v, id)
	}
	c, err := a.Chat.OpenConversation(ctx, v)
	if err != nil {
		return chat.Conversation{}, err
	}
	if c == nil {
		return chat.Conversation{}, &chat.CodeError{Code: chat.CodeNoConversation, Msg: "no conversation", Kind: apperr.ErrNotFound}
	}
	return *c, nil
}

// refused turns a refusal into an error frame; other errors end the request.
func (a *API) refused(ctx context.Context, ref string, err error) ([]any, error) {
	if code := chat.ErrorCode(err); code != "" {
		var ce *chat.CodeError
		msg := code
		if errors.As(err, &ce) {
			msg = ce.Msg
		}
		return []any{errorFrame(code, msg, ref)}, nil
	}
	var v *apperr.ValidationError
	if errors.As(err, &v) {
		return []any{errorFrame(chat.CodeBadFrame, v.Error(), ref)}, nil
	}
	a.Log.ErrorContext(ctx, "chat: frame failed", "err", err)
	return []any{errorFrame("internal", "something went wrong on our side; retry", ref)}, nil
}

func (a *API) allowMessage(s *visitorSession) bool {
	return a.visitorLimit.Allow("v:"+s.v.UUID).Allowed && a.ipLimit.Allow("ip:"+s.ip).Allowed
}

func (a *API) allowSignal(s *visitorSession) bool {
	return a.signalLimit.Allow("v:" + s.v.UUID).Allowed
}

// visitorWS serves the visitor's WebSocket (any origin: no cookie is read;
// the signed visitor token is the credential).
func (a *API) visitorWS(w http.ResponseWriter, r *http.Request) {
	if err := a.Chat.CheckWorkspace(r.Context(), r.URL.Query().Get("workspace")); err != nil {
		a.fail(w, r, err)
		return
	}
	ws, err := websocket.Accept(w, r, &websocket.AcceptOptions{InsecureSkipVerify: true, CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return // Accept has answered
	}
	ws.SetReadLimit(chat.MaxFrameBytes)
	// The socket is served on a fresh goroutine and this handler returns:
	// the request's deep stack is not kept for the socket's lifetime.
	go a.serveVisitor(context.WithoutCancel(r.Context()), ws, clientIP(r))
}

func (a *API) serveVisitor(parent context.Context, ws *websocket.Conn, ip string) {
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	defer ws.CloseNow()
	c := newConn(ctx, ws, a.Chat, visitorOutbox)
	s := &visitorSession{ip: ip}
	var watched []string
	var pending []replay // watched after the frame's answer is queued (welcome, ack first)
	s.watch = func(conv string, after int64) { pending = append(pending, replay{conv: conv, after: after}) }
	defer func() {
		for _, conv := range watched {
			c.unwatch(conv)
		}
		c.stop()
		if s.conv != nil && s.conv.Status == chat.StatusQueued {
			a.Chat.VisitorLeft(context.WithoutCancel(ctx), s.conv.UUID)
		}
	}()
	a.readLoop(ctx, c, func(data []byte) error {
		f, err := chat.DecodeVisitorFrame(data)
		if err != nil {
			return err
		}
		out, err := a.visitorFrame(ctx, s, f)
		for _, o := range out {
			c.send(o)
		}
		for _, p := range pending {
			if !slices.Contains(watched, p.conv) {
				watched = append(watched, p.conv)
			}
			c.watch(p.conv, p.after)
		}
		pending = pending[:0]
		return err
	}, 10*time.Second)
}

// readLoop reads frames until the socket ends; a fatal frame error sends an
// error frame and closes with the matching status. The first frame must come
// within first, later ones within 60 s (the client pings every 25 s).
func (a *API) readLoop(ctx context.Context, c *conn, handle func([]byte) error, first time.Duration) {
	timeout := first
	for {
		rctx, cancel := context.WithTimeout(ctx, timeout)
		typ, data, err := c.ws.Read(rctx)
		cancel()
		if err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				c.ws.Close(websocket.StatusPolicyViolation, "idle")
			}
			return
		}
		timeout = 60 * time.Second
		if typ != websocket.MessageText {
			a.closeWith(c, websocket.StatusUnsupportedData, chat.CodeBadFrame, "text frames only")
			return
		}
		err = shallow(func() error { return handle(data) })
		if err != nil {
			var fe *chat.FrameError
			if errors.As(err, &fe) {
				if !fe.Fatal {
					c.send(errorFrame(fe.Code, fe.Msg, ""))
					continue
				}
				status := websocket.StatusInvalidFramePayloadData
				switch fe.Code {
				case chat.CodeTooLarge:
					status = websocket.StatusMessageTooBig
				case chat.CodeHelloRequired:
					status = websocket.StatusPolicyViolation
				case chat.CodeRateLimited:
					status = websocket.StatusTryAgainLater
				}
				a.closeWith(c, status, fe.Code, fe.Msg)
				return
			}
			a.Log.Log(ctx, slog.LevelWarn, "chat: socket frame failed", "err", err)
			a.closeWith(c, websocket.StatusInternalError, "internal", "something went wrong on our side; reconnect")
			return
		}
	}
}

// shallow runs fn on a goroutine of its own and waits: the database and
// JSON work of a frame grow that goroutine's stack, not the long-lived
// reader's, so 10,000 idle sockets keep small stacks.
func shallow(fn func() error) error {
	done := make(chan error, 1)
	go func() { done <- fn() }()
	return <-done
}

// closeWith sends a last error frame and closes the socket with status.
func (a *API) closeWith(c *conn, status websocket.StatusCode, code, msg string) {
	wctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	_ = c.writeJSON(wctx, errorFrame(code, msg, ""))
	c.ws.Close(status, code)
	c.stop()
}
