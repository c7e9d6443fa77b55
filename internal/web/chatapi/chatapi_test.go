package chatapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"layan/internal/auth"
	"layan/internal/channel/chat"
	"layan/internal/events"
	"layan/internal/kpi"
	"layan/internal/testkit"
)

// frame is any server frame, decoded loosely.
type frame map[string]any

func (f frame) str(k string) string { s, _ := f[k].(string); return s }
func (f frame) num(k string) int64  { n, _ := f[k].(float64); return int64(n) }

// sock is a test client of the chat socket.
type sock struct {
	t  *testing.T
	ws *websocket.Conn
}

func wsURL(base string) string { return "ws" + strings.TrimPrefix(base, "http") }

func dialVisitor(t *testing.T, s *testkit.Server, key string) *sock {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, wsURL(s.URL)+"/api/layan/v1/chat/visitor/ws?workspace="+key,
		&websocket.DialOptions{HTTPHeader: http.Header{"Origin": {"https://shop.example"}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &sock{t: t, ws: ws}
}

func basic(s *testkit.Server, a auth.Actor) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(a.Email+"/token:"+s.Tokens[a.UserID]))
}

func dialAgent(t *testing.T, s *testkit.Server, a auth.Actor) *sock {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, wsURL(s.URL)+"/api/layan/v1/chat/agent/ws",
		&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {basic(s, a)}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &sock{t: t, ws: ws}
}

func (c *sock) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// next reads frames until one of type typ (others of the listed ignore
// types are skipped; anything else fails).
func (c *sock) next(typ string, skip ...string) frame {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, data, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		var f frame
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Fatal(err)
		}
		if f.str("type") == typ {
			return f
		}
		ok := false
		for _, s := range skip {
			ok = ok || f.str("type") == s
		}
		if !ok {
			c.t.Fatalf("waiting for %s, got %s", typ, data)
		}
	}
}

// any reads the next frame.
func (c *sock) any() frame {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, data, err := c.ws.Read(ctx)
	if err != nil {
		c.t.Fatal(err)
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatal(err)
	}
	return f
}

// messages reads n message frames (skipping the listed types) and returns their seqs and texts.
func (c *sock) messages(n int, skip ...string) ([]int64, []string) {
	c.t.Helper()
	var seqs []int64
	var texts []string
	for len(seqs) < n {
		f := c.next("message", skip...)
		seqs = append(seqs, f.num("seq"))
		texts = append(texts, f.str("text"))
	}
	return seqs, texts
}

func call(t *testing.T, s *testkit.Server, a auth.Actor, method, path string, body any) (int, frame) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	req.Header.Set("Authorization", basic(s, a))
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var f frame
	_ = json.NewDecoder(res.Body).Decode(&f)
	return res.StatusCode, f
}

func workspace(t *testing.T, s *testkit.Server) string {
	key, err := s.App.Chat.WorkspaceKey(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func goOnline(t *testing.T, s *testkit.Server, a auth.Actor) {
	t.Helper()
	if st, f := call(t, s, a, "PUT", "/api/layan/v1/chat/presence", map[string]string{"status": "online"}); st != 200 {
		t.Fatalf("presence: %d %v", st, f)
	}
}

// TestChatBothWaysWithResume: a visitor and an agent chat both ways; the
// visitor drops, the agent writes meanwhile, and the visitor's resume from
// its last seq gets exactly what it missed; a retried send is stored once;
// ending the chat leaves the transcript on the ticket and the KPI events.
func TestChatBothWaysWithResume(t *testing.T) {
	testkit.EachServer(t, func(t *testing.T, s *testkit.Server) {
		key := workspace(t, s)
		goOnline(t, s, s.Agent)
		agent := dialAgent(t, s, s.Agent)
		agent.next("welcome")
		agent.next("queue")

		v := dialVisitor(t, s, key)
		v.send(map[string]any{"type": "hello", "locale": "id"})
		w := v.next("welcome")
		if w["agents_online"] != true || w["conversation"] != nil || w.str("visitor_token") == "" {
			t.Fatalf("welcome: %v", w)
		}
		token := w.str("visitor_token")
		v.send(map[string]any{"type": "start", "ref": "r1", "text": "Halo, <b>paket</b> saya belum sampai", "name": "Ana", "topic": "shipping"})
		ack := v.next("ack", "message", "status")
		conv := ack.str("conversation")
		if ack.num("seq") != 1 || conv == "" {
			t.Fatalf("ack: %v", ack)
		}
		q := agent.next("queue")
		items := q["items"].([]any)
		if len(items) != 1 || items[0].(map[string]any)["conversation"] != conv || items[0].(map[string]any)["preview"] != "Halo, <b>paket</b> saya belum sampai" {
			t.Fatalf("queue: %v", q)
		}

		if st, f := call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+conv+"/accept", nil); st != 200 {
			t.Fatalf("accept: %d %v", st, f)
		}
		// A second agent cannot take it any more.
		if st, f := call(t, s, s.Admin, "POST", "/api/layan/v1/chat/conversations/"+conv+"/accept", nil); st != 409 || f.str("error") != "not_queued" {
			t.Fatalf("second accept: %d %v", st, f)
		}
		agent.next("assigned", "queue")
		seqs, texts := agent.messages(1, "queue", "status")
		if seqs[0] != 1 || texts[0] != "Halo, <b>paket</b> saya belum sampai" {
			t.Fatalf("agent got %v %v", seqs, texts)
		}
		st := v.next("status", "message")
		if st.str("status") != "active" {
			t.Fatalf("status: %v", st)
		}

		agent.send(map[string]any{"type": "send", "conversation": conv, "ref": "a1", "text": "Baik, saya cek"})
		if a := agent.next("ack", "message", "status"); a.num("seq") != 2 {
			t.Fatalf("agent ack: %v", a)
		}
		if seqs, texts := v.messages(1, "status"); seqs[0] != 2 || texts[0] != "Baik, saya cek" {
			t.Fatalf("visitor got %v %v", seqs, texts)
		}
		for _, txt := range []string{"satu", "dua", "tiga"} {
			v.send(map[string]any{"type": "send", "ref": "v-" + txt, "text": txt})
		}
		if seqs, texts := agent.messages(3, "ack", "status", "queue"); seqs[0] != 3 || seqs[2] != 5 || texts[2] != "tiga" {
			t.Fatalf("agent got %v %v", seqs, texts)
		}
		// The visitor drops; the agent writes twice.
		v.ws.CloseNow()
		agent.send(map[string]any{"type": "send", "conversation": conv, "ref": "a2", "text": "Sudah dikirim"})
		agent.send(map[string]any{"type": "send", "conversation": conv, "ref": "a3", "text": "Besok sampai"})
		agent.next("ack", "message")
		agent.next("ack", "message")

		// Resume from seq 5 on a new socket: exactly 6 and 7.
		v2 := dialVisitor(t, s, key)
		v2.send(map[string]any{"type": "hello", "visitor_token": token, "conversation": conv, "last_seq": 5})
		if w := v2.next("welcome"); w["conversation"].(map[string]any)["id"] != conv {
			t.Fatalf("welcome after reconnect: %v", w)
		}
		seqs, texts = v2.messages(2)
		if seqs[0] != 6 || seqs[1] != 7 || texts[1] != "Besok sampai" {
			t.Fatalf("resume got %v %v", seqs, texts)
		}
		// A retried send (same ref) is acknowledged with its first seq and stored once.
		v2.send(map[string]any{"type": "send", "ref": "v-dua", "text": "dua"})
		if a := v2.next("ack"); a.num("seq") != 4 {
			t.Fatalf("retried ack: %v", a)
		}
		// Nothing else came: the next frame answers a ping.
		v2.send(map[string]any{"type": "ping"})
		if f := v2.any(); f.str("type") != "pong" {
			t.Fatalf("after the retried send: %v", f)
		}

		if st, f := call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+conv+"/end", nil); st != 200 {
			t.Fatalf("end: %d %v", st, f)
		}
		if st := v2.next("status"); st.str("status") != "ended" {
			t.Fatalf("status: %v", st)
		}
		v2.send(map[string]any{"type": "send", "ref": "late", "text": "halo?"})
		if e := v2.next("error"); e.str("code") != chat.CodeNoConversation {
			t.Fatalf("send after end: %v", e)
		}

		_, f := call(t, s, s.Agent, "GET", "/api/layan/v1/chat/conversations/"+conv, nil)
		msgs := f["messages"].([]any)
		if len(msgs) != 7 {
			t.Fatalf("stored %d messages", len(msgs))
		}
		for i, m := range msgs {
			if int(m.(map[string]any)["seq"].(float64)) != i+1 {
				t.Fatalf("seq %d at %d", int(m.(map[string]any)["seq"].(float64)), i)
			}
		}
		tid := int64(f["conversation"].(map[string]any)["ticket_id"].(float64))
		tk, err := s.Tickets.Get(context.Background(), s.Admin, tid)
		if err != nil || tk.Via != "chat" || tk.AssigneeID != s.Agent.UserID {
			t.Fatalf("ticket %+v %v", tk, err)
		}
		comments, err := s.Tickets.Comments(context.Background(), s.Admin, tid, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		last := comments[len(comments)-1]
		if last.Public || !strings.Contains(last.Body, "Agent: Besok sampai") || !strings.Contains(last.Body, "Ana: tiga") {
			t.Fatalf("transcript comment: %+v", last)
		}
		evs, err := events.ForTicket(context.Background(), s.DB.R, tid)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			seen[e.Type] = true
		}
		for _, typ := range []string{chat.EventRequested, chat.EventAnswered, chat.EventEnded} {
			if !seen[typ] {
				t.Errorf("no %s event in %v", typ, seen)
			}
		}
	})
}

// TestMalformedFramesCloseCleanly: bad frames get an error frame and a
// close status, never a hang or a crash.
func TestMalformedFramesCloseCleanly(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	key := workspace(t, s)
	cases := []struct {
		name   string
		typ    websocket.MessageType
		data   string
		hello  bool
		status websocket.StatusCode
		code   string
	}{
		{"not json", websocket.MessageText, "{not json", false, websocket.StatusInvalidFramePayloadData, "bad_frame"},
		{"unknown type", websocket.MessageText, `{"type":"drop_tables"}`, true, websocket.StatusInvalidFramePayloadData, "bad_frame"},
		{"binary", websocket.MessageBinary, `{"type":"ping"}`, false, websocket.StatusUnsupportedData, "bad_frame"},
		{"send before hello", websocket.MessageText, `{"type":"send","text":"hi"}`, false, websocket.StatusPolicyViolation, "hello_required"},
		{"two objects", websocket.MessageText, `{"type":"ping"}{"type":"ping"}`, false, websocket.StatusInvalidFramePayloadData, "bad_frame"},
		{"too big", websocket.MessageText, `{"type":"send","text":"` + strings.Repeat("x", 20000) + `"}`, true, websocket.StatusMessageTooBig, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := dialVisitor(t, s, key)
			if tc.hello {
				c.send(map[string]any{"type": "hello"})
				c.next("welcome")
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := c.ws.Write(ctx, tc.typ, []byte(tc.data)); err != nil {
				t.Fatal(err)
			}
			var gotCode string
			for {
				_, data, err := c.ws.Read(ctx)
				if err != nil {
					if st := websocket.CloseStatus(err); st != tc.status {
						t.Fatalf("closed with %v (%v), want %v", st, err, tc.status)
					}
					break
				}
				var f frame
				_ = json.Unmarshal(data, &f)
				gotCode = f.str("code")
			}
			if tc.code != "" && gotCode != tc.code {
				t.Fatalf("error code %q, want %q", gotCode, tc.code)
			}
		})
	}
	// A text over 4000 characters (within the frame limit) is refused, the socket stays.
	c := dialVisitor(t, s, key)
	c.send(map[string]any{"type": "hello"})
	c.next("welcome")
	c.send(map[string]any{"type": "start", "ref": "x", "text": strings.Repeat("ab", 2001), "email": "x@example.com"})
	if e := c.next("error"); e.str("code") != chat.CodeTooLarge {
		t.Fatalf("long text: %v", e)
	}
	c.send(map[string]any{"type": "ping"})
	c.next("pong")
}

// TestSignedIdentity: a well-signed identity joins the customer's history;
// a bad signature is anonymous.
func TestSignedIdentity(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	key := workspace(t, s)
	ctx := context.Background()
	st, err := s.App.Chat.AdminSettings(ctx, s.Admin)
	if err != nil {
		t.Fatal(err)
	}
	alice, err := s.Dir.GetUser(ctx, s.Admin, s.Alice.UserID)
	if err != nil {
		t.Fatal(err)
	}
	good := map[string]any{"user_id": "u-1", "email": alice.Email, "name": "Alice",
		"signature": chat.SignIdentity(st.IdentitySecret, "u-1", alice.Email)}
	bad := map[string]any{"user_id": "u-1", "email": alice.Email, "signature": chat.SignIdentity("wrong", "u-1", alice.Email)}

	c := dialVisitor(t, s, key)
	c.send(map[string]any{"type": "hello", "identity": bad})
	if w := c.next("welcome"); w["customer"] != false {
		t.Fatalf("bad signature accepted: %v", w)
	}
	c2 := dialVisitor(t, s, key)
	c2.send(map[string]any{"type": "hello", "identity": good})
	if w := c2.next("welcome"); w["customer"] != true {
		t.Fatalf("good signature refused: %v", w)
	}
	// No agent online: the chat is an offline ticket with Alice as requester
	// (her email is known, so none is asked).
	c2.send(map[string]any{"type": "start", "ref": "s", "text": "Where is my order?"})
	ack := c2.next("ack", "message", "status")
	conv := conversationOf(t, s, ack.str("conversation"))
	if conv.Status != chat.StatusOffline || conv.RequesterID != s.Alice.UserID {
		t.Fatalf("conversation %+v", conv)
	}
}

func conversationOf(t *testing.T, s *testkit.Server, id string) chat.Conversation {
	t.Helper()
	c, err := s.App.Chat.Conversation(context.Background(), s.Admin, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestOfflineNeedsEmail: with no agent online an anonymous visitor must
// leave an email; the chat becomes a ticket from that customer.
func TestOfflineNeedsEmail(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	c := dialVisitor(t, s, workspace(t, s))
	c.send(map[string]any{"type": "hello", "locale": "fa"})
	if w := c.next("welcome"); w["agents_online"] != false {
		t.Fatalf("welcome %v", w)
	}
	c.send(map[string]any{"type": "start", "ref": "s", "text": "سلام"})
	if e := c.next("error"); e.str("code") != chat.CodeEmailRequired {
		t.Fatalf("no email: %v", e)
	}
	c.send(map[string]any{"type": "start", "ref": "s", "text": "سلام", "email": "Reza@Example.com", "name": "رضا"})
	ack := c.next("ack", "message", "status")
	conv := conversationOf(t, s, ack.str("conversation"))
	tk, err := s.Tickets.Get(context.Background(), s.Admin, conv.TicketID)
	if err != nil {
		t.Fatal(err)
	}
	u, err := s.Dir.GetUser(context.Background(), s.Admin, tk.RequesterID)
	if err != nil || u.Email != "reza@example.com" || conv.Status != chat.StatusOffline {
		t.Fatalf("requester %+v %v, conv %+v", u, err, conv)
	}
	// A later message in the offline chat lands on the ticket too.
	c.send(map[string]any{"type": "send", "ref": "s2", "text": "منتظر پاسخ هستم"})
	c.next("ack", "message")
	cs, _ := s.Tickets.Comments(context.Background(), s.Admin, tk.ID, 0, 10)
	if len(cs) != 2 || cs[1].Body != "منتظر پاسخ هستم" || !cs[1].Public {
		t.Fatalf("comments %+v", cs)
	}
}

// TestLongPoll: the HTTP fallback carries the same frames and seqs.
func TestLongPoll(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	key := workspace(t, s)
	goOnline(t, s, s.Agent)
	post := func(body any) []frame {
		b, _ := json.Marshal(body)
		res, err := http.Post(s.URL+"/api/layan/v1/chat/visitor/frames?workspace="+key, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if res.StatusCode != 200 || res.Header.Get("Access-Control-Allow-Origin") != "*" {
			t.Fatalf("frames: %d %v", res.StatusCode, res.Header)
		}
		var out struct{ Frames []frame }
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out.Frames
	}
	fs := post(map[string]any{"frames": []any{map[string]any{"type": "hello"}, map[string]any{"type": "start", "ref": "1", "text": "hello by poll"}}})
	if len(fs) != 2 || fs[0].str("type") != "welcome" || fs[1].str("type") != "ack" {
		t.Fatalf("frames: %v", fs)
	}
	token, conv := fs[0].str("visitor_token"), fs[1].str("conversation")
	poll := func(after int64, wait string) []frame {
		res, err := http.Get(s.URL + "/api/layan/v1/chat/visitor/poll?workspace=" + key + "&visitor_token=" + token +
			"&conversation=" + conv + "&after=" + itoa(after) + "&wait=" + wait)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct{ Frames []frame }
		_ = json.NewDecoder(res.Body).Decode(&out)
		return out.Frames
	}
	if fs := poll(0, "0"); len(fs) != 2 || fs[0].num("seq") != 1 || fs[1].str("status") != "queued" {
		t.Fatalf("poll: %v", fs)
	}
	// A waiting poll returns when the agent answers.
	got := make(chan []frame, 1)
	go func() { got <- poll(1, "10") }()
	time.Sleep(200 * time.Millisecond)
	call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+conv+"/accept", nil)
	call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+conv+"/messages", map[string]string{"text": "hi from agent", "ref": "x"})
	var msgs []frame
	deadline := time.After(8 * time.Second)
	after := int64(1)
	for len(msgs) == 0 {
		var fs []frame
		select {
		case fs = <-got:
		case <-deadline:
			t.Fatal("poll did not return")
		}
		for _, f := range fs {
			if f.str("type") == "message" {
				msgs = append(msgs, f)
			}
		}
		if len(msgs) == 0 {
			go func() { got <- poll(after, "5") }()
		}
	}
	if msgs[0].num("seq") != 2 || msgs[0].str("text") != "hi from agent" {
		t.Fatalf("poll got %v", msgs)
	}
	// A forged token is refused.
	res, _ := http.Get(s.URL + "/api/layan/v1/chat/visitor/poll?workspace=" + key + "&visitor_token=v1.x.y&conversation=" + conv)
	res.Body.Close()
	if res.StatusCode != 401 {
		t.Fatalf("forged token: %d", res.StatusCode)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// TestLimits: the concurrent-chat limit, the visitor message rate, upload
// types, and who may act on a chat.
func TestLimits(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	key := workspace(t, s)
	goOnline(t, s, s.Agent)
	if st, f := call(t, s, s.Admin, "PUT", "/api/layan/v1/chat/settings", map[string]any{"max_chats_per_agent": 1}); st != 200 {
		t.Fatalf("settings %d %v", st, f)
	}
	if st, _ := call(t, s, s.Agent, "PUT", "/api/layan/v1/chat/settings", map[string]any{"max_chats_per_agent": 9}); st != 403 {
		t.Fatalf("agent changed settings: %d", st)
	}
	var convs []string
	for i := 0; i < 2; i++ {
		c := dialVisitor(t, s, key)
		c.send(map[string]any{"type": "hello"})
		c.next("welcome")
		c.send(map[string]any{"type": "start", "ref": "s", "text": "hi"})
		convs = append(convs, c.next("ack", "message", "status").str("conversation"))
		if i == 1 {
			// Rate limit: 20 messages per 10 s per visitor (refilled at 2/s).
			limited, accepted := 0, 0
			began := time.Now()
			for j := 0; j < 40; j++ {
				c.send(map[string]any{"type": "send", "ref": "m" + itoa(int64(j)), "text": "spam"})
			}
			for answered := 0; answered < 40; {
				f := c.any()
				switch f.str("type") {
				case "ack":
					answered++
					accepted++
				case "error":
					answered++
					if f.str("code") == chat.CodeRateLimited {
						limited++
					}
				}
			}
			if allowed := 20 + int(2*time.Since(began).Seconds()) + 1; limited == 0 || accepted > allowed {
				t.Fatalf("%d accepted, %d limited in %v", accepted, limited, time.Since(began))
			}

		}
	}
	if st, _ := call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+convs[0]+"/accept", nil); st != 200 {
		t.Fatalf("accept: %d", st)
	}
	if st, f := call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+convs[1]+"/accept", nil); st != 409 || f.str("error") != chat.CodeLimitReached {
		t.Fatalf("over the limit: %d %v", st, f)
	}
	// Customers and anonymous callers are kept out of the agent side.
	if st, _ := call(t, s, s.Alice, "GET", "/api/layan/v1/chat/queue", nil); st != 403 {
		t.Fatalf("customer read the queue: %d", st)
	}
	if res, _ := http.Get(s.URL + "/api/layan/v1/chat/queue"); res.StatusCode != 401 {
		t.Fatalf("anonymous read the queue: %d", res.StatusCode)
	}
	// Another agent may not write in the chat the Agent holds.
	if st, f := call(t, s, s.Restricted, "POST", "/api/layan/v1/chat/conversations/"+convs[0]+"/messages", map[string]string{"text": "x"}); st != 403 && st != 404 {
		t.Fatalf("other agent wrote: %d %v", st, f)
	}
	// Transfer to a group puts it back in the queue; recorded.
	if st, f := call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+convs[0]+"/transfer", map[string]any{"group_id": s.Billing.ID}); st != 200 {
		t.Fatalf("transfer: %d %v", st, f)
	}
	_, f := call(t, s, s.Agent, "GET", "/api/layan/v1/chat/queue", nil)
	if q := f["queue"].([]any); len(q) != 2 {
		t.Fatalf("queue after transfer: %v", f)
	}
	// Uploads: type and size.
	tok := visitorToken(t, s, key)
	up := func(ct string, body []byte) int {
		res, err := http.Post(s.URL+"/api/layan/v1/chat/visitor/uploads?workspace="+key+"&visitor_token="+tok+"&filename=a.png", ct, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := up("text/html", []byte("<script>alert(1)</script>")); st != 415 {
		t.Fatalf("html upload: %d", st)
	}
	if st := up("image/png", make([]byte, chat.MaxUploadBytes+10)); st != 413 {
		t.Fatalf("big upload: %d", st)
	}
	if st := up("image/png", []byte("\x89PNG....")); st != 201 {
		t.Fatalf("png upload: %d", st)
	}
	// A send with an unknown upload token is refused and stores nothing; a
	// good token rides on the message, downloadable by its visitor only.
	res, err := http.Post(s.URL+"/api/layan/v1/chat/visitor/uploads?workspace="+key+"&visitor_token="+tok+"&filename=photo.png",
		"image/png", bytes.NewReader([]byte("\x89PNG-photo")))
	if err != nil {
		t.Fatal(err)
	}
	var file frame
	_ = json.NewDecoder(res.Body).Decode(&file)
	res.Body.Close()
	c := dialVisitor(t, s, key)
	c.send(map[string]any{"type": "hello", "visitor_token": tok})
	c.next("welcome")
	c.send(map[string]any{"type": "start", "ref": "s", "text": "see photo"})
	conv := c.next("ack", "message", "status").str("conversation")
	c.send(map[string]any{"type": "send", "ref": "bad", "text": "x", "attachments": []string{"bogus"}})
	if e := c.next("error", "message", "status"); e.str("code") != chat.CodeInvalidUpload {
		t.Fatalf("bogus upload: %v", e)
	}
	c.send(map[string]any{"type": "send", "ref": "good", "text": "photo", "attachments": []string{file.str("token")}})
	if a := c.next("ack", "message", "status"); a.num("seq") != 2 {
		t.Fatalf("ack after a refused send: %v", a)
	}
	_, f = call(t, s, s.Admin, "GET", "/api/layan/v1/chat/conversations/"+conv, nil)
	msgs := f["messages"].([]any)
	atts, _ := msgs[1].(map[string]any)["attachments"].([]any)
	if len(msgs) != 2 || len(atts) != 1 {
		t.Fatalf("messages %v", msgs)
	}
	url := atts[0].(map[string]any)["url"].(string)
	for _, tc := range []struct {
		q    string
		want int
	}{{"?visitor_token=" + tok, 200}, {"", 404}, {"?visitor_token=" + visitorToken(t, s, key), 404}} {
		res, err := http.Get(s.URL + url + tc.q)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.want || (tc.want == 200 && (string(body) != "\x89PNG-photo" || res.Header.Get("Content-Disposition") == "")) {
			t.Fatalf("download %q: %d %q %v", tc.q, res.StatusCode, body, res.Header)
		}
	}
}

func visitorToken(t *testing.T, s *testkit.Server, key string) string {
	c := dialVisitor(t, s, key)
	c.send(map[string]any{"type": "hello"})
	return c.next("welcome").str("visitor_token")
}

// TestTypedEmailAndKPIEvents: a typed pre-chat email of an existing customer
// does not put a live chat beside their history; a visitor leaving before
// an answer is an abandoned chat; a transfer to an agent is recorded.
func TestTypedEmailAndKPIEvents(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	ctx := context.Background()
	key := workspace(t, s)
	goOnline(t, s, s.Agent)
	alice, err := s.Dir.GetUser(ctx, s.Admin, s.Alice.UserID)
	if err != nil {
		t.Fatal(err)
	}
	start := func(email string) (*sock, chat.Conversation) {
		c := dialVisitor(t, s, key)
		c.send(map[string]any{"type": "hello"})
		c.next("welcome")
		c.send(map[string]any{"type": "start", "ref": "s", "text": "hi", "email": email, "name": "Someone"})
		return c, conversationOf(t, s, c.next("ack", "message", "status").str("conversation"))
	}
	_, impostor := start(alice.Email)
	if impostor.RequesterID == s.Alice.UserID {
		t.Fatal("a typed email attached a live chat to an existing customer")
	}
	if st, f := call(t, s, s.Agent, "GET", "/api/layan/v1/chat/conversations/"+impostor.UUID+"/history", nil); st != 200 ||
		len(f["tickets"].([]any)) != 0 {
		t.Fatalf("history beside the impostor's chat: %d %v", st, f)
	}

	// Abandoned: the visitor leaves while queued.
	v, left := start("new.person@example.com")
	v.send(map[string]any{"type": "end"})
	if st := v.next("status", "message"); st.str("status") != "ended" {
		t.Fatalf("end: %v", st)
	}
	// Transferred to another agent after the Agent accepted.
	_, moved := start("")
	call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+moved.UUID+"/accept", nil)
	if st, f := call(t, s, s.Agent, "POST", "/api/layan/v1/chat/conversations/"+moved.UUID+"/transfer", map[string]any{"agent_id": s.Admin.UserID}); st != 200 {
		t.Fatalf("transfer: %d %v", st, f)
	}
	if c := conversationOf(t, s, moved.UUID); c.AgentID != s.Admin.UserID || c.Status != chat.StatusActive {
		t.Fatalf("after transfer: %+v", c)
	}
	types := func(ticketID int64) map[string]events.Event {
		evs, err := events.ForTicket(ctx, s.DB.R, ticketID)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]events.Event{}
		for _, e := range evs {
			out[e.Type] = e
		}
		return out
	}
	if e, ok := types(left.TicketID)[chat.EventAbandoned]; !ok || e.After == nil {
		t.Fatalf("no abandoned event with its wait: %v", types(left.TicketID))
	}
	e, ok := types(moved.TicketID)[chat.EventTransferred]
	if !ok || e.Field != "agent_id" || *e.Before != itoa(s.Agent.UserID) || *e.After != itoa(s.Admin.UserID) {
		t.Fatalf("transfer event: %+v", e)
	}
	if tk, _ := s.Tickets.Get(ctx, s.Admin, moved.TicketID); tk.AssigneeID != s.Admin.UserID {
		t.Fatalf("ticket assignee after transfer: %d", tk.AssigneeID)
	}

	// The KPI engine reads these events: one chat answered (with its wait),
	// one abandoned; the impostor's is still queued and counts in neither.
	today := time.Now().UTC().Truncate(24 * time.Hour)
	r, err := s.App.KPI.Compute(ctx, s.Admin, kpi.Query{From: today.AddDate(0, 0, -1), To: today.AddDate(0, 0, 2), Filter: kpi.Filter{Channel: "chat"}})
	if err != nil {
		t.Fatal(err)
	}
	if r.ChatsAnswered != 1 || r.ChatsAbandoned != 1 || r.ChatASASeconds == nil || r.ChatAbandonPercent == nil || *r.ChatAbandonPercent != 50 {
		t.Fatalf("chat KPIs: answered %d, abandoned %d, speed %v, abandonment %v", r.ChatsAnswered, r.ChatsAbandoned, r.ChatASASeconds, r.ChatAbandonPercent)
	}
}

// TestLongPollVisitorWhoStopsPollingIsAbandoned: a long-poll visitor has no
// socket to close; one who stops polling while queued is abandoned, one who
// keeps polling is not.
func TestLongPollVisitorWhoStopsPollingIsAbandoned(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	ctx := context.Background()
	key := workspace(t, s)
	goOnline(t, s, s.Agent)
	start := func() (token, conv string) {
		b, _ := json.Marshal(map[string]any{"frames": []any{map[string]any{"type": "hello"}, map[string]any{"type": "start", "ref": "1", "text": "anyone?"}}})
		res, err := http.Post(s.URL+"/api/layan/v1/chat/visitor/frames?workspace="+key, "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out struct{ Frames []frame }
		_ = json.NewDecoder(res.Body).Decode(&out)
		if len(out.Frames) != 2 {
			t.Fatalf("frames: %v", out.Frames)
		}
		return out.Frames[0].str("visitor_token"), out.Frames[1].str("conversation")
	}
	pollingTok, polling := start()
	_, stopped := start()
	// The polling visitor's next poll is waiting while the sweep runs.
	done := make(chan struct{})
	go func() {
		defer close(done)
		res, err := http.Get(s.URL + "/api/layan/v1/chat/visitor/poll?workspace=" + key + "&visitor_token=" + pollingTok +
			"&conversation=" + polling + "&after=1&wait=3")
		if err == nil {
			res.Body.Close()
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		var left sql.NullInt64
		_ = s.DB.R.QueryRowContext(ctx, `SELECT visitor_left_at FROM chat_conversations WHERE uuid = $1`, polling).Scan(&left)
		if !left.Valid {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a waiting poll did not mark its visitor back")
		}
		time.Sleep(20 * time.Millisecond)
	}
	n, err := s.App.Chat.AbandonLeft(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("abandoned %d, %v", n, err)
	}
	if c := conversationOf(t, s, stopped); c.Status != chat.StatusEnded {
		t.Fatalf("the visitor who stopped polling: %+v", c)
	}
	if c := conversationOf(t, s, polling); c.Status != chat.StatusQueued {
		t.Fatalf("the polling visitor: %+v", c)
	}
	<-done
}

// TestVisitorWhoLeavesIsAbandoned: closing the page while queued and not
// coming back within the grace period ends the chat as abandoned; coming
// back in time keeps it queued.
func TestVisitorWhoLeavesIsAbandoned(t *testing.T) {
	s := testkit.NewServer(t, testkit.Engines()[0])
	ctx := context.Background()
	key := workspace(t, s)
	goOnline(t, s, s.Agent)
	open := func() (*sock, string, string) {
		c := dialVisitor(t, s, key)
		c.send(map[string]any{"type": "hello"})
		tok := c.next("welcome").str("visitor_token")
		c.send(map[string]any{"type": "start", "ref": "s", "text": "anyone?"})
		return c, tok, c.next("ack", "message", "status").str("conversation")
	}
	gone, _, goneConv := open()
	back, backTok, backConv := open()
	gone.ws.Close(websocket.StatusNormalClosure, "")
	back.ws.Close(websocket.StatusNormalClosure, "")
	// Wait until the server has seen both sockets close.
	deadline := time.Now().Add(5 * time.Second)
	for {
		var n int
		_ = s.DB.R.QueryRowContext(ctx, `SELECT count(*) FROM chat_conversations WHERE visitor_left_at IS NOT NULL`).Scan(&n)
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d conversations marked left", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	again := dialVisitor(t, s, key)
	again.send(map[string]any{"type": "hello", "visitor_token": backTok, "conversation": backConv, "last_seq": 1})
	again.next("welcome")
	n, err := s.App.Chat.AbandonLeft(ctx, 0)
	if err != nil || n != 1 {
		t.Fatalf("abandoned %d, %v", n, err)
	}
	if c := conversationOf(t, s, goneConv); c.Status != chat.StatusEnded {
		t.Fatalf("left chat: %+v", c)
	}
	if c := conversationOf(t, s, backConv); c.Status != chat.StatusQueued {
		t.Fatalf("returned chat: %+v", c)
	}
	evs, _ := events.ForTicket(ctx, s.DB.R, conversationOf(t, s, goneConv).TicketID)
	found := false
	for _, e := range evs {
		found = found || e.Type == chat.EventAbandoned
	}
	if !found {
		t.Fatal("no chat.abandoned event")
	}
}
