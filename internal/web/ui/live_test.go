package ui_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"layan/internal/ticket"
)

// stream is an open Server-Sent Events connection.
type stream struct {
	events chan [2]string // name, data
}

func openStream(t *testing.T, srv *httptest.Server, s session, path string) *stream {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
	req.AddCookie(s.cookie)
	req.Header.Set("Accept", "text/event-stream")
	client := http.DefaultClient
	if srv.Listener != nil {
		client = srv.Client()
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream %s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
	}
	st := &stream{events: make(chan [2]string, 64)}
	go func() {
		defer res.Body.Close()
		sc := bufio.NewScanner(res.Body)
		var name string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				name = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				st.events <- [2]string{name, strings.TrimPrefix(line, "data: ")}
			}
		}
	}()
	return st
}

// next waits for the next event named name, skipping others.
func (s *stream) next(t *testing.T, name string, match func(data string) bool) string {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if ev[0] == name && (match == nil || match(ev[1])) {
				return ev[1]
			}
		case <-deadline:
			t.Fatalf("no %q event", name)
		}
	}
}

func TestTicketStreamCarriesChangesAndPresence(t *testing.T) {
	e := newEnv(t)
	srv := httptest.NewServer(e.h)
	t.Cleanup(srv.Close) // after the streams' cleanups (LIFO): Close waits for open connections
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Live", "first")
	path := "/agent/tickets/" + itoa(tk.ID) + "/live"
	agent := e.login(e.w.Agent)
	st := openStream(t, srv, agent, path)
	if got := st.next(t, "presence", nil); got != "[]" {
		t.Fatalf("first presence %s, want nobody else", got)
	}
	inbox := openStream(t, srv, agent, "/agent/live")

	// The customer writes: the open page hears of it.
	if _, err := e.w.Tickets.Update(context.Background(), e.w.Alice, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "hello?"}}); err != nil {
		t.Fatal(err)
	}
	var ch struct {
		Comment bool
		By      []string
		Self    bool
	}
	if err := json.Unmarshal([]byte(st.next(t, "ticket", nil)), &ch); err != nil {
		t.Fatal(err)
	}
	if !ch.Comment || ch.Self || len(ch.By) != 1 || ch.By[0] != "Alice" {
		t.Fatalf("change %+v", ch)
	}
	inbox.next(t, "changed", nil)

	// A second agent opens the ticket and starts replying.
	admin := e.login(e.w.Admin)
	openStream(t, srv, admin, path)
	st.next(t, "presence", func(d string) bool { return strings.Contains(d, `"name":"Admin","replying":false`) })
	rec := e.post(admin, "/agent/tickets/"+itoa(tk.ID)+"/presence", url.Values{"state": {"replying"}})
	wantStatus(t, rec, http.StatusNoContent)
	st.next(t, "presence", func(d string) bool { return strings.Contains(d, `"name":"Admin","replying":true`) })
	rec = e.post(admin, "/agent/tickets/"+itoa(tk.ID)+"/presence", url.Values{"state": {"idle"}})
	st.next(t, "presence", func(d string) bool { return strings.Contains(d, `"replying":false`) })

	// A customer cannot listen in.
	res, err := srv.Client().Do(func() *http.Request {
		r, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		r.AddCookie(e.login(e.w.Alice).cookie)
		return r
	}())
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("customer stream: %d", res.StatusCode)
	}
}

// The live fragment carries the parts a page swaps in, and the new version.
func TestLiveFragment(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Fragment", "body text")
	rec := e.get(e.login(e.w.Agent), "/agent/tickets/"+itoa(tk.ID)+"?fragment=live")
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	wantContains(t, body, `id="conversation"`, `id="ticket-head"`, `id="ticket-fields"`, `id="requester-panel"`, `id="live-stamp"`, "body text")
	if strings.Contains(body, "<html") {
		t.Fatal("the fragment is a whole page")
	}
}

// Open streams end when the server shuts down gracefully, instead of holding
// Shutdown until its deadline.
func TestStreamsEndOnGracefulShutdown(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Shutdown", "x")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: e.h}
	go srv.Serve(ln)
	agent := e.login(e.w.Agent)
	hs := &httptest.Server{URL: "http://" + ln.Addr().String(), Config: srv}
	st := openStream(t, hs, agent, "/agent/tickets/"+itoa(tk.ID)+"/live")
	st.next(t, "hello", nil)
	openStream(t, hs, agent, "/agent/live")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	if err := srv.Shutdown(ctx); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("shutdown took %v", d)
	}
}
