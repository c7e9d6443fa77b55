package bench

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// "layan bench search" on a small SQLite index runs its three measurements,
// finds the published article, and reports statements and CPU per search;
// with --record the recorded searches stay off the count (they are queued).
func TestBenchSearchSmall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := Search(ctx, []string{"--articles", "400", "--queries", "60", "--clients", "2", "--record"}, &out, &errOut); err != nil {
		t.Fatalf("bench search: %v\n%s\n%s", err, out.String(), errOut.String())
	}
	s := out.String()
	for _, want := range []string{"search, 1 client ", "search, 2 clients", "search, 1 client, caches dropped", "published → searchable:"} {
		if !strings.Contains(s, want) {
			t.Errorf("no %q in\n%s", want, s)
		}
	}
	m := regexp.MustCompile(`per search \(1 client\): ([0-9.]+) statements`).FindStringSubmatch(s)
	if m == nil || m[1] == "0.00" {
		t.Errorf("statements per search missing or zero:\n%s", s)
	}
}
