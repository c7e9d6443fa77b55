package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"layan/internal/db"
	"layan/internal/testkit"
)

// These tests run the real binary: start, load, kill -9 or SIGTERM, restart.

var binOnce sync.Once
var binPath, binErr = "", error(nil)

func layanBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "layan-bin")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "layan")
		out, err := exec.Command("go", "build", "-o", binPath, "layan/cmd/layan").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func freeAddr(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

type proc struct {
	cmd  *exec.Cmd
	addr string
	out  *bytes.Buffer
}

func start(t *testing.T, dbArgs []string) *proc {
	t.Helper()
	addr := freeAddr(t)
	out := &bytes.Buffer{}
	cmd := exec.Command(layanBinary(t), append([]string{"serve", "--addr", addr, "--no-demo", "--rate-limit", "0"}, dbArgs...)...)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get("http://" + addr + "/readyz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return &proc{cmd: cmd, addr: addr, out: out}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("server did not start: %s", out)
	return nil
}

func cli(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(layanBinary(t), args...).Output()
	if err != nil {
		t.Fatalf("layan %v: %v", args, err)
	}
	return strings.TrimSpace(string(out))
}

func createTicket(client *http.Client, addr, token string, i int) (int64, int, error) {
	body := fmt.Sprintf(`{"ticket":{"subject":"Burst %d","comment":{"body":"pesanan nomor %d belum sampai"},"requester":{"name":"C%d","email":"c%d@burst.test"}}}`, i, i, i%50, i%50)
	req, _ := http.NewRequest("POST", "http://"+addr+"/api/v2/tickets", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	var out struct {
		Ticket struct {
			ID int64 `json:"id"`
		} `json:"ticket"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return out.Ticket.ID, resp.StatusCode, nil
}

// burst creates tickets from 8 clients until stop is closed; it returns the
// ids the server acknowledged and any 5xx it answered.
func burst(addr, token string, stop <-chan struct{}) (acked []int64, fivexx int) {
	var mu sync.Mutex
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 10 * time.Second}
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; ; i += 8 {
				select {
				case <-stop:
					return
				default:
				}
				id, code, err := createTicket(client, addr, token, i)
				if err != nil {
					return // the server went away
				}
				mu.Lock()
				if code == http.StatusCreated {
					acked = append(acked, id)
				} else if code >= 500 {
					fivexx++
				}
				mu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	return acked, fivexx
}

// dbArgs returns the flags naming a fresh database of engine e.
func dbArgs(t *testing.T, e db.Dialect) []string {
	if e == db.SQLite {
		return []string{"--data-dir", t.TempDir()}
	}
	return []string{"--data-dir", t.TempDir(), "--database-url", testkit.DatabaseURL(t, e)}
}

// checkComplete verifies that every ticket has its description comment, its
// created event and its search row: nothing half-written.
func checkComplete(t *testing.T, e db.Dialect, args []string, acked []int64) {
	t.Helper()
	url := ""
	dataDir := ""
	for i := 0; i < len(args)-1; i++ {
		switch args[i] {
		case "--database-url":
			url = args[i+1]
		case "--data-dir":
			dataDir = args[i+1]
		}
	}
	d, err := db.Open(context.Background(), url, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var tickets, orphans int
	if err := d.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&tickets); err != nil {
		t.Fatal(err)
	}
	ftsKey := "rowid"
	if e == db.Postgres {
		ftsKey = "ticket_id"
	}
	err = d.R.QueryRow(`SELECT count(*) FROM tickets t WHERE
		NOT EXISTS (SELECT 1 FROM comments c WHERE c.ticket_id = t.id)
		OR NOT EXISTS (SELECT 1 FROM events e WHERE e.ticket_id = t.id AND e.type = 'ticket.created')
		OR NOT EXISTS (SELECT 1 FROM ticket_fts f WHERE f.` + ftsKey + ` = t.id)`).Scan(&orphans)
	if err != nil {
		t.Fatal(err)
	}
	if orphans != 0 {
		t.Errorf("%d of %d tickets are half-written", orphans, tickets)
	}
	for _, id := range acked {
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM tickets WHERE id = $1`, id).Scan(&n); err != nil || n != 1 {
			t.Errorf("acknowledged ticket %d is lost", id)
		}
	}
	if tickets < len(acked) {
		t.Errorf("%d tickets stored, %d acknowledged", tickets, len(acked))
	}
}

func TestKill9DuringCreatesLeavesNoHalfWrittenTicket(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	for _, e := range testkit.Engines() {
		t.Run(string(e), func(t *testing.T) {
			args := dbArgs(t, e)
			p := start(t, args)
			cli(t, append([]string{"user", "create", "--email", "boss@crash.test", "--name", "Boss", "--role", "admin", "--password", "secret-pass"}, args...)...)
			token := cli(t, append([]string{"token", "create", "--email", "boss@crash.test"}, args...)...)
			stop := make(chan struct{})
			var acked []int64
			done := make(chan struct{})
			go func() { acked, _ = burst(p.addr, token, stop); close(done) }()
			time.Sleep(700 * time.Millisecond)
			_ = p.cmd.Process.Signal(syscall.SIGKILL)
			_ = p.cmd.Wait()
			close(stop)
			<-done
			if len(acked) == 0 {
				t.Fatal("no ticket was created before the kill")
			}
			// Restart on the same data: it starts, and everything acknowledged is there, whole.
			p2 := start(t, args)
			checkComplete(t, e, args, acked)
			id, code, err := createTicket(http.DefaultClient, p2.addr, token, 1)
			if err != nil || code != 201 || id == 0 {
				t.Fatalf("create after restart: %d %v", code, err)
			}
			t.Logf("%s: %d tickets acknowledged before kill -9, all whole after restart", e, len(acked))
		})
	}
}

func TestSIGTERMFinishesInFlightRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	args := dbArgs(t, db.SQLite)
	p := start(t, args)
	cli(t, append([]string{"user", "create", "--email", "boss@term.test", "--name", "Boss", "--role", "admin", "--password", "secret-pass"}, args...)...)
	token := cli(t, append([]string{"token", "create", "--email", "boss@term.test"}, args...)...)
	stop := make(chan struct{})
	var acked []int64
	var fivexx int
	done := make(chan struct{})
	go func() { acked, fivexx = burst(p.addr, token, stop); close(done) }()
	time.Sleep(500 * time.Millisecond)
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	err := p.cmd.Wait()
	close(stop)
	<-done
	if err != nil {
		t.Fatalf("server exited with %v after SIGTERM: %s", err, lastLines(p.out.String(), 5))
	}
	if fivexx != 0 {
		t.Fatalf("%d requests got 5xx during shutdown", fivexx)
	}
	if !strings.Contains(p.out.String(), "shutting down") {
		t.Errorf("no shutdown log: %s", lastLines(p.out.String(), 5))
	}
	checkComplete(t, db.SQLite, args, acked)
	// Data survives the restart.
	p2 := start(t, args)
	req, _ := http.NewRequest("GET", "http://"+p2.addr+"/api/v2/tickets.json?per_page=1", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var list struct{ Count int }
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if list.Count < len(acked) || len(acked) == 0 {
		t.Fatalf("after restart the API lists %d tickets, %d were acknowledged", list.Count, len(acked))
	}
}

func lastLines(s string, n int) string {
	var lines []string
	sc := bufio.NewScanner(strings.NewReader(s))
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
