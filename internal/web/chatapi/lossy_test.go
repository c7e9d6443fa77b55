package chatapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"layan/internal/channel/chat"
	"layan/internal/config"
	"layan/internal/testkit"
	"layan/internal/web/chatapi"
	"layan/internal/web/httpx"
)

// lossyBroker loses every message note whose seq is in drop, as a node
// may miss NATS publishes.
type lossyBroker struct {
	mu      sync.Mutex
	deliver func(chat.Note)
	drop    map[int64]bool
}

func (b *lossyBroker) Publish(n chat.Note) error {
	b.mu.Lock()
	d := b.deliver
	lost := n.Kind == chat.NoteMessage && b.drop[n.Seq]
	b.mu.Unlock()
	if d != nil && !lost {
		d(n)
	}
	return nil
}

func (b *lossyBroker) Start(deliver func(chat.Note)) (func(), error) {
	b.mu.Lock()
	b.deliver = deliver
	b.mu.Unlock()
	return func() {}, nil
}

// TestLostNotesAreFilledFromTheDatabase: the bus is only a doorbell. With
// the notes of seq 2, 3 and 5 lost, the agent's socket still gets 1..6 in
// order, once each, read from the database when a later seq arrives.
func TestLostNotesAreFilledFromTheDatabase(t *testing.T) {
	w := testkit.NewWorld(t, testkit.NewDB(t, testkit.Engines()[0]))
	broker := &lossyBroker{drop: map[int64]bool{2: true, 3: true, 5: true}}
	hub, err := chat.NewHub(broker)
	if err != nil {
		t.Fatal(err)
	}
	svc := chat.New(chat.Deps{DB: w.DB, Dir: w.Dir, Tickets: w.Tickets, Hub: hub, Log: testkit.QuietLogger()})
	api := chatapi.New(svc, testkit.QuietLogger(), 0, 0)
	mux := http.NewServeMux()
	asAgent := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(wr http.ResponseWriter, r *http.Request) {
			h.ServeHTTP(wr, r.WithContext(httpx.WithActor(r.Context(), w.Agent)))
		})
	}
	api.Routes(mux, func(p string, h http.HandlerFunc) { mux.Handle(p, asAgent(h)) }, asAgent)
	hs := httptest.NewServer(mux)
	defer hs.Close()
	s := &testkit.Server{World: w, URL: hs.URL}

	key, _ := svc.WorkspaceKey(t.Context())
	agent := dialAgent(t, s, w.Agent)
	agent.next("welcome")
	v := dialVisitor(t, s, key)
	v.send(map[string]any{"type": "hello"})
	v.next("welcome")
	v.send(map[string]any{"type": "start", "ref": "r1", "text": "m1", "email": "lossy@example.com"})
	conv := v.next("ack", "message", "status").str("conversation")
	agent.send(map[string]any{"type": "subscribe", "conversation": conv, "after": 0})
	if seqs, _ := agent.messages(1, "queue", "status"); seqs[0] != 1 {
		t.Fatalf("replay: %v", seqs)
	}
	for i, txt := range []string{"m2", "m3", "m4", "m5", "m6"} {
		v.send(map[string]any{"type": "send", "ref": "r" + itoa(int64(i+2)), "text": txt})
		v.next("ack", "message", "status")
	}
	seqs, texts := agent.messages(5, "queue", "status")
	for i, seq := range seqs {
		if seq != int64(i+2) || texts[i] != "m"+itoa(int64(i+2)) {
			t.Fatalf("agent got %v %v", seqs, texts)
		}
	}
}

// TestReadReceipts: a visitor's read receipt reaches the agent, capped at
// the last seq; an older one changes nothing.
func TestReadReceipts(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		key := workspace(t, s)
		goOnline(t, s, s.Agent)
		v := dialVisitor(t, s, key)
		v.send(map[string]any{"type": "hello"})
		v.next("welcome")
		v.send(map[string]any{"type": "start", "ref": "s", "text": "hi"})
		conv := v.next("ack", "message", "status").str("conversation")
		call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+conv+"/accept", nil)
		call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+conv+"/messages", map[string]string{"text": "hello", "ref": "a"})
		agent := dialAgent(t, s, s.Agent)
		agent.next("welcome")
		agent.send(map[string]any{"type": "subscribe", "conversation": conv, "after": 2})
		agent.send(map[string]any{"type": "ping"})
		agent.next("pong", "queue") // the subscription is in place
		v.send(map[string]any{"type": "read", "seq": 99})
		if r := agent.next("read", "queue", "status", "message"); r.num("seq") != 2 || r.str("by") != "visitor" {
			t.Fatalf("read frame %v", r)
		}
		if c := conversationOf(t, s, conv); c.VisitorReadSeq != 2 {
			t.Fatalf("visitor_read_seq %d", c.VisitorReadSeq)
		}
	})
}

// TestNewVisitorsPerIPAreLimited: tokenless hellos each create a visitor,
// so one address may make only so many; a returning visitor still gets in.
func TestNewVisitorsPerIPAreLimited(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0], func(c *config.Config) { c.ChatIPLimit = 3 })
	key := workspace(t, s)
	var tok string
	for i := 0; i < 3; i++ {
		tok = visitorToken(t, s, key)
	}
	c := dialVisitor(t, s, key)
	c.send(map[string]any{"type": "hello"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for {
		_, _, err := c.ws.Read(ctx)
		if err != nil {
			if st := websocket.CloseStatus(err); st != websocket.StatusTryAgainLater {
				t.Fatalf("closed with %v (%v)", st, err)
			}
			break
		}
	}
	back := dialVisitor(t, s, key)
	back.send(map[string]any{"type": "hello", "visitor_token": tok})
	if w := back.next("welcome"); w.str("visitor_token") != tok {
		t.Fatalf("returning visitor: %v", w)
	}
}
