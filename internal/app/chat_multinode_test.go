package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"layan/internal/db"
	"layan/internal/testkit"
)

// natsURL is the NATS the multi-node test uses: LAYAN_TEST_NATS_URL, else
// the machine's default port.
func natsURL(t *testing.T) string {
	u := os.Getenv("LAYAN_TEST_NATS_URL")
	if u == "" {
		u = "nats://127.0.0.1:4222"
	}
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "nats://"), time.Second)
	if err != nil {
		t.Skipf("no NATS at %s (set LAYAN_TEST_NATS_URL): %v", u, err)
	}
	c.Close()
	return u
}

// startNode runs `layan serve` on the shared database and NATS.
func startNode(t *testing.T, dbURL, nats string) *proc {
	t.Helper()
	addr := freeAddr(t)
	out := &bytes.Buffer{}
	cmd := exec.Command(layanBinary(t), "serve", "--addr", addr, "--no-demo", "--rate-limit", "0", "--database-url", dbURL,
		"--data-dir", t.TempDir())
	cmd.Env = append(os.Environ(), "LAYAN_NATS_URL="+nats)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return &proc{cmd: cmd, addr: addr, out: out}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("node did not start: %s", out)
	return nil
}

type chatSock struct {
	t  *testing.T
	ws *websocket.Conn
}

func dialChat(t *testing.T, url string, h http.Header) *chatSock {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.CloseNow() })
	return &chatSock{t: t, ws: ws}
}

func (c *chatSock) send(v any) {
	c.t.Helper()
	b, _ := json.Marshal(v)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := c.ws.Write(ctx, websocket.MessageText, b); err != nil {
		c.t.Fatal(err)
	}
}

// next reads frames until one of type typ; frames of other types are dropped.
func (c *chatSock) next(typ string) map[string]any {
	c.t.Helper()
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		_, data, err := c.ws.Read(ctx)
		cancel()
		if err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		var f map[string]any
		if err := json.Unmarshal(data, &f); err != nil {
			c.t.Fatal(err)
		}
		if f["type"] == typ {
			return f
		}
	}
}

// TestChatAcrossTwoNodes: two `layan serve` on one PostgreSQL and NATS; the
// visitor is on node A, the agent on node B, they talk in real time; node A
// is killed mid-chat, the visitor resumes on node B, and the transcript has
// every message exactly once, in order.
func TestChatAcrossTwoNodes(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if testkit.PostgresURL() == "" {
		t.Skip("needs PostgreSQL: set LAYAN_TEST_POSTGRES_URL")
	}
	nats := natsURL(t)
	dbURL := testkit.DatabaseURL(t, db.Postgres)
	a := startNode(t, dbURL, nats)
	b := startNode(t, dbURL, nats)
	cli(t, "user", "create", "--database-url", dbURL, "--email", "desk@multi.test", "--name", "Desk", "--role", "admin", "--password", "password-Desk-1")
	token := cli(t, "token", "create", "--database-url", dbURL, "--email", "desk@multi.test")
	auth := http.Header{"Authorization": {"Bearer " + token}}
	api := func(node *proc, method, path string, body any) map[string]any {
		t.Helper()
		var rd *bytes.Reader
		if body == nil {
			rd = bytes.NewReader(nil)
		} else {
			bs, _ := json.Marshal(body)
			rd = bytes.NewReader(bs)
		}
		req, _ := http.NewRequest(method, "http://"+node.addr+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode >= 300 {
			t.Fatalf("%s %s: %d %v", method, path, res.StatusCode, out)
		}
		return out
	}
	key := api(b, "GET", "/api/layan/v1/chat/settings", nil)["settings"].(map[string]any)["workspace_key"].(string)
	api(b, "PUT", "/api/layan/v1/chat/presence", map[string]string{"status": "online"})

	agent := dialChat(t, "ws://"+b.addr+"/api/layan/v1/chat/agent/ws", auth)
	agent.next("welcome")
	visitor := dialChat(t, "ws://"+a.addr+"/api/layan/v1/chat/visitor/ws?workspace="+key, nil)
	visitor.send(map[string]any{"type": "hello"})
	w := visitor.next("welcome")
	if w["agents_online"] != true {
		t.Fatalf("node A does not see the agent on node B online: %v", w)
	}
	vtoken := w["visitor_token"].(string)
	visitor.send(map[string]any{"type": "start", "ref": "v0", "text": "v0"})
	conv := visitor.next("ack")["conversation"].(string)
	// The queue on node B learns of it over NATS.
	for {
		q := agent.next("queue")
		if items, _ := q["items"].([]any); len(items) == 1 {
			break
		}
	}
	api(b, "POST", "/api/layan/v1/chat/conversations/"+conv+"/accept", nil)
	agent.next("assigned")
	if m := agent.next("message"); m["text"] != "v0" {
		t.Fatalf("agent got %v", m)
	}
	for st := visitor.next("status"); st["status"] != "active"; st = visitor.next("status") {
		if st["status"] != "queued" {
			t.Fatalf("status on node A: %v", st)
		}
	}

	// Real time both ways across the nodes.
	lastSeq := float64(1)
	for i := 1; i <= 3; i++ {
		visitor.send(map[string]any{"type": "send", "ref": fmt.Sprintf("v%d", i), "text": fmt.Sprintf("v%d", i)})
		start := time.Now()
		m := agent.next("message")
		for m["author"].(map[string]any)["kind"] == "agent" { // its own replies come back too
			m = agent.next("message")
		}
		if m["text"] != fmt.Sprintf("v%d", i) {
			t.Fatalf("agent got %v", m)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("visitor→agent across nodes took %v", d)
		}
		agent.send(map[string]any{"type": "send", "conversation": conv, "ref": fmt.Sprintf("a%d", i), "text": fmt.Sprintf("a%d", i)})
		m = visitor.next("message")
		for m["text"] != fmt.Sprintf("a%d", i) {
			m = visitor.next("message")
		}
		lastSeq = m["seq"].(float64)
	}

	// Node A dies. Meanwhile the agent writes twice, and the visitor had
	// sent v4 without seeing its ack (it may or may not be committed).
	visitor.send(map[string]any{"type": "send", "ref": "v4", "text": "v4"})
	if err := a.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = a.cmd.Wait()
	for _, txt := range []string{"a4", "a5"} {
		agent.send(map[string]any{"type": "send", "conversation": conv, "ref": txt, "text": txt})
		agent.next("ack")
	}

	// The visitor reconnects to node B, resumes from its last seq and resends v4.
	v2 := dialChat(t, "ws://"+b.addr+"/api/layan/v1/chat/visitor/ws?workspace="+key, nil)
	v2.send(map[string]any{"type": "hello", "visitor_token": vtoken, "conversation": conv, "last_seq": lastSeq})
	v2.next("welcome")
	v2.send(map[string]any{"type": "send", "ref": "v4", "text": "v4"})
	v2.send(map[string]any{"type": "send", "ref": "v5", "text": "v5"})
	got := map[string]int{}
	prev := lastSeq
	for got["a5"] == 0 || got["v5"] == 0 {
		m := v2.next("message")
		if m["seq"].(float64) <= prev {
			t.Fatalf("seq %v after %v on resume", m["seq"], prev)
		}
		prev = m["seq"].(float64)
		got[m["text"].(string)]++
	}
	if got["a4"] != 1 || got["a5"] != 1 || got["v4"] > 1 {
		t.Fatalf("resume delivered %v", got)
	}

	// The transcript: every message exactly once, seqs 1..n.
	msgs := api(b, "GET", "/api/layan/v1/chat/conversations/"+conv, nil)["messages"].([]any)
	want := []string{"v0", "v1", "a1", "v2", "a2", "v3", "a3", "v4", "a4", "a5", "v5"}
	count := map[string]int{}
	for i, m := range msgs {
		mm := m.(map[string]any)
		if int(mm["seq"].(float64)) != i+1 {
			t.Fatalf("transcript seq %v at %d", mm["seq"], i)
		}
		count[mm["text"].(string)]++
	}
	for _, w := range want {
		if count[w] != 1 {
			t.Fatalf("%q %d times in the transcript %v", w, count[w], count)
		}
	}
	if len(msgs) != len(want) {
		t.Fatalf("transcript has %d messages, want %d", len(msgs), len(want))
	}
}
