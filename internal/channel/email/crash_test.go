package email_test

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"

	"layan/internal/db"
)

// Kill -9 of the real server in the middle of an IMAP batch, then a restart:
// every message is there exactly once.
func TestKill9DuringIMAPBatch(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the real binary")
	}
	dv := startDovecot(t)
	bin := filepath.Join(t.TempDir(), "layan")
	if out, err := exec.Command("go", "build", "-o", bin, "layan/cmd/layan").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	const n = 400
	var msgs [][]byte
	for i := range n {
		h := []string{fmt.Sprintf("From: customer%d@example.test", i%37), "To: support@layan.test", fmt.Sprintf("Subject: crash %d", i)}
		if i%10 != 0 { // every tenth has no Message-ID: deduplicated by its content hash
			h = append(h, fmt.Sprintf("Message-ID: <crash-%d@example.test>", i))
		}
		msgs = append(msgs, rawMail(fmt.Sprintf("Message number %d.", i), h...))
	}
	dv.deliver(t, msgs...)
	dataDir := t.TempDir()
	if out, err := exec.Command(bin, "address", "add", "--data-dir", dataDir, "--email", "support@layan.test",
		"--imap-url", dv.URL("imap", "INBOX", "tls=none")).CombinedOutput(); err != nil {
		t.Fatalf("address add: %v\n%s", err, out)
	}
	count := func() (msgs, tickets int) {
		d, err := db.Open(context.Background(), "sqlite://"+filepath.Join(dataDir, "layan.db"), "")
		if err != nil {
			return -1, -1
		}
		defer d.Close()
		_ = d.R.QueryRow(`SELECT count(*) FROM email_messages WHERE status = 'ingested'`).Scan(&msgs)
		_ = d.R.QueryRow(`SELECT count(*) FROM tickets`).Scan(&tickets)
		return msgs, tickets
	}
	serve := func() (*exec.Cmd, *bytes.Buffer) {
		out := &bytes.Buffer{}
		cmd := exec.Command(bin, "serve", "--data-dir", dataDir, "--addr", freePort(t), "--no-demo", "--log-level", "warn")
		cmd.Stdout, cmd.Stderr = out, out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		return cmd, out
	}
	cmd, out := serve()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m, _ := count(); m >= 40 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server ingested nothing:\n%s", out)
		}
		time.Sleep(5 * time.Millisecond)
	}
	_ = syscall.Kill(cmd.Process.Pid, syscall.SIGKILL)
	_ = cmd.Wait()
	before, _ := count()
	t.Logf("killed with %d of %d messages ingested", before, n)

	cmd, out = serve()
	deadline = time.Now().Add(90 * time.Second)
	for {
		m, tk := count()
		if m == n && tk == n {
			break
		}
		if time.Now().After(deadline) || m > n || tk > n {
			t.Fatalf("after restart: %d messages, %d tickets (want %d)\n%s", m, tk, n, out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// Give the poller time to flag the last batch, then stop it gracefully.
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(syscall.SIGTERM)
	_ = cmd.Wait()
	m, tk := count()
	if m != n || tk != n {
		t.Fatalf("finally %d messages, %d tickets, want %d", m, tk, n)
	}
	d, err := db.Open(context.Background(), "sqlite://"+filepath.Join(dataDir, "layan.db"), "")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var comments, subjects int
	_ = d.R.QueryRow(`SELECT count(*) FROM comments`).Scan(&comments)
	_ = d.R.QueryRow(`SELECT count(DISTINCT subject) FROM tickets`).Scan(&subjects)
	if comments != n || subjects != n {
		t.Fatalf("%d comments, %d distinct subjects, want %d each", comments, subjects, n)
	}
	unflagged := 0
	for _, fl := range dv.flags(t, "INBOX") {
		if !slices.Contains(fl, imap.Flag("$LayanIngested")) {
			unflagged++
		}
	}
	if unflagged != 0 {
		t.Fatalf("%d messages left unflagged", unflagged)
	}
}
