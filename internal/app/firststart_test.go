package app_test

import (
	"io"
	"net/http"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// The README's run command on an empty data dir: demo data and a printed login that works.
func TestFirstStartPrintsAWorkingLogin(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	addr := freeAddr(t)
	cmd := exec.Command(layanBinary(t), "serve", "--addr", addr)
	cmd.Dir = dir // no flags: data goes to ./layan-data
	out := &syncBuffer{}
	cmd.Stdout = out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	re := regexp.MustCompile(`Sign in as (\S+) with password (\S+) `)
	var m []string
	for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline) && m == nil; time.Sleep(50 * time.Millisecond) {
		m = re.FindStringSubmatch(out.String())
	}
	if m == nil {
		t.Fatalf("no login printed: %q", out.String())
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if strings.Contains(out.String(), "running at") {
			break
		}
	}
	resp, err := http.Post("http://"+addr+"/api/layan/v1/session", "application/json",
		strings.NewReader(`{"email":"`+m[1]+`","password":"`+m[2]+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("printed login does not work: %d", resp.StatusCode)
	}
	// The demo workspace is there, in three languages.
	c := &http.Client{}
	req, _ := http.NewRequest("GET", "http://"+addr+"/api/v2/search.json?query=type:ticket%20status<closed", nil)
	for _, ck := range resp.Cookies() {
		req.AddCookie(ck)
	}
	r2, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(r2.Body)
	r2.Body.Close()
	for _, want := range []string{"Paket belum sampai", "سفارش", "Invoice"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("demo tickets lack %q", want)
		}
	}
}

// syncBuffer collects a process's output while the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
