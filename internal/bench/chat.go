package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

const chatSynopsis = `layan bench chat [--visitors N] [--conversations C] [--duration D] [--database-url postgres://...] [--nats-url nats://...]

Runs "layan serve" as a child process (this binary) on a temporary database
(SQLite in a temporary folder, or a new schema of --database-url, dropped
afterwards), opens N idle visitor WebSockets and reports the server's RSS,
then has C visitors send one message a second each for D while agent sockets
watch every conversation, and reports the post-to-delivery latency at the
agents' sockets (and the visitors' ack latency: commit included). With
--database-url and --nats-url it runs the active phase again on two nodes:
visitors on node A, agents on node B, over NATS.
`

type chatOptions struct {
	visitors, conversations, agents int
	duration                        time.Duration
	databaseURL, natsURL, binary    string
}

// chatRow is one line of the table.
type chatRow struct {
	scenario            string
	sockets             int
	rss, rssBase, rssHi int64
	sent, delivered     int64
	lost, dup           int64
	lat, ack            []time.Duration
	connect             time.Duration
}

// Chat runs "layan bench chat".
func Chat(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var o chatOptions
	fs := flag.NewFlagSet("bench chat", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.visitors, "visitors", 10000, "idle visitor WebSockets held open at once")
	fs.IntVar(&o.conversations, "conversations", 1000, "active conversations, each sending one message a second")
	fs.IntVar(&o.agents, "agents", 10, "agent WebSockets sharing the watching of the conversations")
	fs.DurationVar(&o.duration, "duration", 30*time.Second, "how long the active conversations send")
	fs.StringVar(&o.databaseURL, "database-url", "", "postgres://... (a fresh schema is made and dropped); empty: SQLite in a temporary folder")
	fs.StringVar(&o.natsURL, "nats-url", "", "nats://... to also run two nodes over NATS (needs --database-url)")
	fs.StringVar(&o.binary, "binary", "", "the layan binary to run as the server (default: this one)")
	fs.Usage = func() { fmt.Fprint(stderr, chatSynopsis); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.conversations > o.visitors {
		o.visitors = o.conversations
	}
	if o.binary == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		o.binary = exe
	}
	if err := raiseFileLimit(); err != nil {
		fmt.Fprintln(stderr, "bench chat: cannot raise the open-file limit:", err)
	}
	var rows []chatRow
	engine := "SQLite"
	if o.databaseURL != "" {
		engine = "PostgreSQL"
	}
	{
		env, cleanup, err := newChatEnv(ctx, o, false)
		if err != nil {
			return err
		}
		idle, active, err := env.oneNode(ctx, o, stderr)
		cleanup()
		if err != nil {
			return err
		}
		idle.scenario = "idle visitors, 1 node, " + engine
		active.scenario = "active chats, 1 node, " + engine
		rows = append(rows, idle, active)
	}
	if o.natsURL != "" && o.databaseURL != "" {
		env, cleanup, err := newChatEnv(ctx, o, true)
		if err != nil {
			return err
		}
		active, err := env.twoNodes(ctx, o, stderr)
		cleanup()
		if err != nil {
			return err
		}
		active.scenario = "active chats, 2 nodes over NATS, " + engine
		rows = append(rows, active)
	} else {
		fmt.Fprintln(stderr, "bench chat: two nodes skipped (give --database-url postgres://... and --nats-url nats://...)")
	}
	printChat(stdout, o, rows)
	return nil
}

// raiseFileLimit lifts RLIMIT_NOFILE to its hard limit; the server child inherits it.
func raiseFileLimit() error {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return err
	}
	r.Cur = r.Max
	return syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
}

// chatEnv is a temporary database with an admin and their API token.
type chatEnv struct {
	o       chatOptions
	dbArgs  []string
	token   string
	dataDir string
}

func newChatEnv(ctx context.Context, o chatOptions, nats bool) (*chatEnv, func(), error) {
	dir, err := os.MkdirTemp("", "layan-bench-chat")
	if err != nil {
		return nil, nil, err
	}
	env := &chatEnv{o: o, dataDir: dir}
	cleanup := func() { os.RemoveAll(dir) }
	if o.databaseURL != "" {
		schema := fmt.Sprintf("bench_chat_%d", rand.Uint32())
		if err := pgSchema(ctx, o.databaseURL, "CREATE SCHEMA "+schema); err != nil {
			return nil, nil, err
		}
		env.dbArgs = []string{"--database-url", withSearchPath(o.databaseURL, schema)}
		cleanup = func() {
			_ = pgSchema(context.Background(), o.databaseURL, "DROP SCHEMA "+schema+" CASCADE")
			os.RemoveAll(dir)
		}
	} else {
		env.dbArgs = []string{"--data-dir", filepath.Join(dir, "data")}
	}
	for _, args := range [][]string{{"migrate"}, {"user", "create", "--email", "bench@chat.bench", "--name", "Bench Agent",
		"--role", "admin", "--password", "bench-password-1"}} {
		if out, err := exec.CommandContext(ctx, o.binary, append(args, env.dbArgs...)...).CombinedOutput(); err != nil {
			cleanup()
			return nil, nil, fmt.Errorf("layan %s: %v: %s", args[0], err, out)
		}
	}
	out, err := exec.CommandContext(ctx, o.binary, append([]string{"token", "create", "--email", "bench@chat.bench"}, env.dbArgs...)...).Output()
	if err != nil {
		cleanup()
		return nil, nil, fmt.Errorf("layan token create: %v", err)
	}
	env.token = strings.TrimSpace(string(out))
	return env, cleanup, nil
}

// node is a running "layan serve".
type node struct {
	cmd  *exec.Cmd
	addr string
	out  *bytes.Buffer
}

func (e *chatEnv) start(ctx context.Context, nats string) (*node, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	args := append([]string{"serve", "--addr", addr, "--no-demo", "--rate-limit", "0", "--chat-ip-limit", "0",
		"--log-level", "warn"}, e.dbArgs...)
	if len(e.dbArgs) > 0 && e.dbArgs[0] == "--database-url" {
		args = append(args, "--data-dir", filepath.Join(e.dataDir, "n"+strconv.Itoa(rand.IntN(1e6))))
	}
	cmd := exec.Command(e.o.binary, args...)
	cmd.Env = os.Environ()
	if nats != "" {
		cmd.Env = append(cmd.Env, "LAYAN_NATS_URL="+nats)
	}
	out := &bytes.Buffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	n := &node{cmd: cmd, addr: addr, out: out}
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == 200 {
				return n, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	n.stop()
	return nil, fmt.Errorf("layan serve did not start: %s", out)
}

func (n *node) stop() {
	_ = n.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = n.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = n.cmd.Process.Kill()
		<-done
	}
}

// rss reads VmRSS or VmHWM of the node's process.
func (n *node) rss(key string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", n.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			if f := strings.Fields(rest); len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb << 10
			}
		}
	}
	return 0
}

func (e *chatEnv) api(ctx context.Context, n *node, method, path string, body any) (map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(ctx, method, "http://"+n.addr+path, rd)
	req.Header.Set("Authorization", "Bearer "+e.token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	if res.StatusCode >= 300 {
		return nil, fmt.Errorf("%s %s: %d %v", method, path, res.StatusCode, out)
	}
	return out, nil
}

// visitor is one bench visitor socket. One goroutine reads it (answering
// the server's pings too) and hands frames to handle.
type visitor struct {
	ws      *websocket.Conn
	conv    string
	started chan map[string]any // the answer to "start"
	mu      sync.Mutex
	sent    map[string]time.Time // ref → send time, for the ack latency
	acks    *latencies
}

func (v *visitor) handle(f map[string]any) {
	ref, _ := f["ref"].(string)
	switch {
	case ref == "s" && (f["type"] == "ack" || f["type"] == "error"):
		select {
		case v.started <- f:
		default:
		}
	case f["type"] == "ack":
		v.mu.Lock()
		t, ok := v.sent[ref]
		delete(v.sent, ref)
		acks := v.acks
		v.mu.Unlock()
		if ok && acks != nil {
			acks.add(time.Since(t))
		}
	}
}

// dialVisitors opens n visitor sockets (hello answered), 64 at a time.
func dialVisitors(ctx context.Context, addr, key string, n int) ([]*visitor, error) {
	vs := make([]*visitor, n)
	var next atomic.Int64
	var firstErr error
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 64; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				v, err := dialVisitor(ctx, addr, key)
				if err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("visitor %d: %w", i, err)
					}
					mu.Unlock()
					return
				}
				vs[i] = v
			}
		}()
	}
	wg.Wait()
	return vs, firstErr
}

func dialVisitor(ctx context.Context, addr, key string) (*visitor, error) {
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	ws, _, err := websocket.Dial(dctx, "ws://"+addr+"/api/layan/v1/chat/visitor/ws?workspace="+key,
		&websocket.DialOptions{CompressionMode: websocket.CompressionDisabled})
	if err != nil {
		return nil, err
	}
	if err := ws.Write(dctx, websocket.MessageText, []byte(`{"type":"hello"}`)); err != nil {
		ws.CloseNow()
		return nil, err
	}
	if _, _, err := ws.Read(dctx); err != nil { // welcome
		ws.CloseNow()
		return nil, err
	}
	v := &visitor{ws: ws, sent: map[string]time.Time{}, started: make(chan map[string]any, 1)}
	go readAll(context.WithoutCancel(ctx), ws, v.handle)
	return v, nil
}

// pingVisitors sends each open visitor socket a ping frame every 20 s.
func pingVisitors(ctx context.Context, vs []*visitor) {
	t := time.NewTicker(20 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for _, v := range vs {
				_ = v.ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`))
			}
		}
	}
}

// readAll reads a socket until it closes, calling fn for each frame.
func readAll(ctx context.Context, ws *websocket.Conn, fn func(map[string]any)) {
	for {
		_, data, err := ws.Read(ctx)
		if err != nil {
			return
		}
		if fn != nil {
			var f map[string]any
			if json.Unmarshal(data, &f) == nil {
				fn(f)
			}
		}
	}
}

// latencies collects durations from many goroutines.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) { l.mu.Lock(); l.d = append(l.d, d); l.mu.Unlock() }

func (l *latencies) sorted() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := slices.Clone(l.d)
	slices.Sort(out)
	return out
}

func (e *chatEnv) workspace(ctx context.Context, n *node) (string, error) {
	st, err := e.api(ctx, n, "GET", "/api/layan/v1/chat/settings", nil)
	if err != nil {
		return "", err
	}
	key, _ := st["settings"].(map[string]any)["workspace_key"].(string)
	return key, nil
}

// oneNode: the idle phase, then the active phase on the same node.
func (e *chatEnv) oneNode(ctx context.Context, o chatOptions, stderr io.Writer) (chatRow, chatRow, error) {
	n, err := e.start(ctx, "")
	if err != nil {
		return chatRow{}, chatRow{}, err
	}
	defer n.stop()
	key, err := e.workspace(ctx, n)
	if err != nil {
		return chatRow{}, chatRow{}, err
	}
	idle := chatRow{rssBase: n.rss("VmRSS")}
	fmt.Fprintf(stderr, "bench chat: opening %d visitor sockets...\n", o.visitors)
	t0 := time.Now()
	vctx, cancel := context.WithCancel(ctx)
	defer cancel()
	vs, err := dialVisitors(vctx, n.addr, key, o.visitors)
	if err != nil {
		return chatRow{}, chatRow{}, fmt.Errorf("%w (server log: %.2000s)", err, n.out)
	}
	idle.connect = time.Since(t0)
	go pingVisitors(vctx, vs) // as the widget does, so the server keeps them
	time.Sleep(3 * time.Second)
	idle.sockets, idle.rss, idle.rssHi = len(vs), n.rss("VmRSS"), n.rss("VmHWM")
	fmt.Fprintf(stderr, "bench chat: %d sockets in %v, server RSS %s\n", len(vs), idle.connect.Round(time.Millisecond), mb(idle.rss))
	// Keep only the active visitors open.
	for _, v := range vs[o.conversations:] {
		v.ws.CloseNow()
	}
	active, err := e.active(vctx, o, n, n, key, vs[:o.conversations], stderr)
	active.rssHi = n.rss("VmHWM")
	if err != nil {
		err = fmt.Errorf("%w (server log: %.3000s)", err, n.out)
	}
	return idle, active, err
}

// twoNodes: the active phase with visitors on node A and agents on node B.
func (e *chatEnv) twoNodes(ctx context.Context, o chatOptions, stderr io.Writer) (chatRow, error) {
	a, err := e.start(ctx, o.natsURL)
	if err != nil {
		return chatRow{}, err
	}
	defer a.stop()
	b, err := e.start(ctx, o.natsURL)
	if err != nil {
		return chatRow{}, err
	}
	defer b.stop()
	key, err := e.workspace(ctx, a)
	if err != nil {
		return chatRow{}, err
	}
	vctx, cancel := context.WithCancel(ctx)
	defer cancel()
	vs, err := dialVisitors(vctx, a.addr, key, o.conversations)
	if err != nil {
		return chatRow{}, err
	}
	go pingVisitors(vctx, vs)
	row, err := e.active(vctx, o, a, b, key, vs, stderr)
	row.rssHi = max(a.rss("VmHWM"), b.rss("VmHWM"))
	return row, err
}

// active starts one conversation per visitor (on node va), has agent
// sockets on node ag watch them all, then sends one message a second per
// conversation for o.duration and measures post→delivery at the agents.
func (e *chatEnv) active(ctx context.Context, o chatOptions, va, ag *node, key string, vs []*visitor, stderr io.Writer) (chatRow, error) {
	row := chatRow{sockets: len(vs) + o.agents}
	if _, err := e.api(ctx, ag, "PUT", "/api/layan/v1/chat/presence", map[string]string{"status": "online"}); err != nil {
		return row, err
	}
	// Agent sockets first, so the visitors find an agent online.
	var lat, ack latencies
	type convState struct {
		mu   sync.Mutex
		last int64
	}
	states := map[string]*convState{}
	var statesMu sync.RWMutex
	var delivered, dup, gaps atomic.Int64
	agents := make([]*websocket.Conn, o.agents)
	for i := range agents {
		ws, _, err := websocket.Dial(ctx, "ws://"+ag.addr+"/api/layan/v1/chat/agent/ws",
			&websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + e.token}}})
		if err != nil {
			return row, err
		}
		defer ws.CloseNow()
		ws.SetReadLimit(16 << 20) // the queue frame lists every waiting chat
		agents[i] = ws
		go readAll(ctx, ws, func(f map[string]any) {
			if f["type"] != "message" {
				return
			}
			text, _ := f["text"].(string)
			sentNS, ok := strings.CutPrefix(text, "b:")
			if !ok {
				return
			}
			ns, _ := strconv.ParseInt(sentNS, 10, 64)
			lat.add(time.Since(time.Unix(0, ns)))
			conv, _ := f["conversation"].(string)
			seq := int64(f["seq"].(float64))
			statesMu.RLock()
			st := states[conv]
			statesMu.RUnlock()
			if st == nil {
				return
			}
			st.mu.Lock()
			switch {
			case seq <= st.last:
				dup.Add(1)
			case seq > st.last+1:
				gaps.Add(seq - st.last - 1)
			}
			st.last = max(st.last, seq)
			st.mu.Unlock()
			delivered.Add(1)
		})
	}
	// Ping the agent sockets so presence stays fresh.
	go func() {
		t := time.NewTicker(20 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				for _, ws := range agents {
					_ = ws.Write(ctx, websocket.MessageText, []byte(`{"type":"ping"}`))
				}
			}
		}
	}()
	fmt.Fprintf(stderr, "bench chat: starting %d conversations...\n", len(vs))
	var next atomic.Int64
	var wg sync.WaitGroup
	var startErr error
	var errMu sync.Mutex
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(vs) {
					return
				}
				v := vs[i]
				b, _ := json.Marshal(map[string]any{"type": "start", "ref": "s", "text": "bench chat " + strconv.Itoa(i), "name": "Visitor " + strconv.Itoa(i)})
				err := v.ws.Write(ctx, websocket.MessageText, b)
				if err == nil {
					select {
					case f := <-v.started:
						if v.conv, _ = f["conversation"].(string); v.conv == "" {
							err = fmt.Errorf("start: %v", f)
						}
					case <-time.After(30 * time.Second):
						err = errors.New("start: no answer in 30 s")
					}
				}
				if err != nil {
					errMu.Lock()
					startErr = err
					errMu.Unlock()
					return
				}
			}
		}()
	}
	wg.Wait()
	if startErr != nil {
		return row, startErr
	}
	for i, v := range vs {
		states[v.conv] = &convState{last: 1}
		sub, _ := json.Marshal(map[string]any{"type": "subscribe", "conversation": v.conv, "after": 1})
		if err := agents[i%len(agents)].Write(ctx, websocket.MessageText, sub); err != nil {
			return row, err
		}
	}
	for _, v := range vs {
		v.mu.Lock()
		v.acks = &ack
		v.mu.Unlock()
	}
	time.Sleep(time.Second) // subscriptions settle
	fmt.Fprintf(stderr, "bench chat: %d conversations sending 1 msg/s for %v...\n", len(vs), o.duration)
	var sent atomic.Int64
	end := time.Now().Add(o.duration)
	var sendWG sync.WaitGroup
	for i, v := range vs {
		sendWG.Add(1)
		go func() {
			defer sendWG.Done()
			// Spread the conversations over the second.
			time.Sleep(time.Duration(i) * time.Second / time.Duration(len(vs)))
			t := time.NewTicker(time.Second)
			defer t.Stop()
			for k := 0; time.Now().Before(end); k++ {
				now := time.Now()
				ref := "m" + strconv.Itoa(k)
				v.mu.Lock()
				v.sent[ref] = now
				v.mu.Unlock()
				b := []byte(`{"type":"send","ref":"` + ref + `","text":"b:` + strconv.FormatInt(now.UnixNano(), 10) + `"}`)
				if err := v.ws.Write(ctx, websocket.MessageText, b); err != nil {
					return
				}
				sent.Add(1)
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}()
	}
	sendWG.Wait()
	row.rss = va.rss("VmRSS")
	// Wait for the last deliveries (at most 10 s).
	for deadline := time.Now().Add(10 * time.Second); delivered.Load() < sent.Load() && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	row.sent, row.delivered = sent.Load(), delivered.Load()
	row.dup, row.lost = dup.Load(), max(0, row.sent-row.delivered)+gaps.Load()
	row.lat, row.ack = lat.sorted(), ack.sorted()
	fmt.Fprintf(stderr, "bench chat: %d sent, %d delivered, deliver p50 %s p99 %s, ack p50 %s p99 %s, server RSS %s\n",
		row.sent, row.delivered, pct(row.lat, 0.5), pct(row.lat, 0.99), pct(row.ack, 0.5), pct(row.ack, 0.99), mb(row.rss))
	if row.delivered == 0 {
		return row, errors.New("no message reached an agent socket")
	}
	return row, nil
}

func pct(d []time.Duration, p float64) string {
	if len(d) == 0 {
		return "n/a"
	}
	return ms(d[min(len(d)-1, int(float64(len(d))*p))])
}

func printChat(w io.Writer, o chatOptions, rows []chatRow) {
	t := [][]string{{"scenario", "sockets", "server RSS", "RSS / socket", "msgs sent", "delivered", "p50 deliver", "p99 deliver",
		"p50 ack", "p99 ack", "lost", "dup", "peak RSS"}}
	for _, r := range rows {
		perSock := "n/a"
		if r.sockets > 0 && r.rss > r.rssBase && r.rssBase > 0 {
			perSock = fmt.Sprintf("%.1f KB", float64(r.rss-r.rssBase)/1024/float64(r.sockets))
		}
		if r.sent == 0 { // idle row
			t = append(t, []string{r.scenario, commas(int64(r.sockets)), mb(r.rss), perSock, "-", "-", "-", "-", "-", "-", "-", "-", mb(r.rssHi)})
			continue
		}
		t = append(t, []string{r.scenario, commas(int64(r.sockets)), mb(r.rss), "-", commas(r.sent), commas(r.delivered),
			pct(r.lat, 0.50), pct(r.lat, 0.99), pct(r.ack, 0.50), pct(r.ack, 0.99), commas(r.lost), commas(r.dup), mb(r.rssHi)})
	}
	fmt.Fprintf(w, "layan bench chat: %d idle visitors, %d conversations × 1 msg/s for %v, %d agent sockets, %d CPUs\n\n",
		o.visitors, o.conversations, o.duration, o.agents, numCPU())
	table(w, t)
	fmt.Fprintln(w, "\ndeliver = visitor send → message frame at an agent's socket; ack = visitor send → ack (message committed).")
}
