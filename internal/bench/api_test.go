package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"layan/internal/testkit"
)

// TestBenchAPI runs "layan bench api" small, on every engine, so the command
// cannot rot: every row of the table is there without errors, and the API
// counts every created ticket.
func TestBenchAPI(t *testing.T) {
	engines := []struct{ name, url string }{{"sqlite", ""}}
	if u := testkit.PostgresURL(); u != "" {
		engines = append(engines, struct{ name, url string }{"postgres", u})
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			const tickets = 300
			args := []string{"--tickets", strconv.Itoa(tickets), "--clients", "4", "--requests", "40",
				"--ceiling-time", "300ms", "--data-dir", t.TempDir()}
			if e.url != "" {
				args = append(args, "--database-url", e.url)
			}
			var apiCount, searchCount int
			check := func(ctx context.Context, c *client) error {
				var page struct {
					Count   int               `json:"count"`
					Tickets []json.RawMessage `json:"tickets"`
				}
				_, _, raw, _, err := c.do(ctx, "GET", "/api/v2/tickets.json?per_page=100", nil)
				if err == nil {
					err = json.Unmarshal(raw, &page)
				}
				if err != nil {
					return err
				}
				if len(page.Tickets) != 100 {
					return fmt.Errorf("first page has %d tickets, want 100", len(page.Tickets))
				}
				apiCount = page.Count
				var n struct {
					Count int `json:"count"`
				}
				_, _, raw, _, err = c.do(ctx, "GET", "/api/v2/search/count.json?query=type:ticket", nil)
				if err == nil {
					err = json.Unmarshal(raw, &n)
				}
				searchCount = n.Count
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			var out, errOut bytes.Buffer
			start := time.Now()
			if err := runAPI(ctx, args, &out, &errOut, check); err != nil {
				t.Fatalf("bench api: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
			}
			t.Logf("took %s\n%s", time.Since(start).Round(time.Millisecond), out.String())
			if apiCount != tickets || searchCount != tickets {
				t.Errorf("the API counts %d tickets (search: %d), want %d", apiCount, searchCount, tickets)
			}
			rows := tableRows(out.String())
			for _, op := range []string{"create ticket", "inbox page 1", "inbox page 6", "inbox cursor walk", "show ticket",
				"search rare word", "search type:ticket rare word", "search phrase", "search status<solved tags:X", "search assignee:none", "update + comment"} {
				row, ok := rows[op]
				if !ok {
					t.Errorf("no row %q in the table", op)
					continue
				}
				want := "40"
				if op == "create ticket" {
					want = strconv.Itoa(tickets)
				}
				if row[1] != want || row[2] != "0" {
					t.Errorf("row %q: count %s, errors %s; want %s and 0", op, row[1], row[2], want)
				}
				last := 7 // throughput, p50, p99, and one client's p50, p99
				if op == "create ticket" {
					last = 5
				}
				for i := 3; i <= last; i++ {
					if row[i] == "" || row[i] == "-" || row[i] == "0" {
						t.Errorf("row %q: column %d is %q", op, i, row[i])
					}
				}
			}
			if !strings.Contains(rows["create ticket"][10], "of raw insert") {
				t.Errorf("creates are not compared with the ceiling: %q", rows["create ticket"][10])
			}
			for _, want := range []string{"raw insert ", "1 writer", "4 writers", "idle RSS", "peak RSS (VmHWM)", "GOMAXPROCS=",
				fmt.Sprintf("%d created, %d counted", tickets, tickets)} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("the report lacks %q", want)
				}
			}
			if e.url != "" {
				assertNoBenchSchema(t, e.url)
			}
		})
	}
}

// tableRows maps each table row's operation (with the text up to its first
// parenthesis) to its trimmed cells.
func tableRows(out string) map[string][]string {
	rows := map[string][]string{}
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		name := cells[0]
		rows[name] = cells
		if i := strings.Index(name, "("); i > 0 {
			rows[strings.TrimSpace(name[:i])] = cells
		}
	}
	return rows
}

// assertNoBenchSchema checks the bench dropped the schema it made.
func assertNoBenchSchema(t *testing.T, url string) {
	t.Helper()
	d, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	prefix := fmt.Sprintf("layan_bench_%d_", os.Getpid())
	if err := d.QueryRow(`SELECT count(*) FROM information_schema.schemata WHERE starts_with(schema_name, $1)`, prefix).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("%d bench schemas are left behind", n)
	}
}

func TestCountField(t *testing.T) {
	for in, want := range map[string]int{
		`{"count":42,"next_page":null,"tickets":[]}`:                  42,
		`{"count":0,"results":[]}`:                                    0,
		`{"links":{},"tickets":[{"description":"say \"count\": 9"}]}`: -1,
	} {
		if got := countField([]byte(in)); got != want {
			t.Errorf("countField(%s) = %d, want %d", in, got, want)
		}
	}
}
