package bench

import (
	"bytes"
	"context"
	"regexp"
	"strings"
	"testing"
	"time"
)

// "layan bench api --triggers N" runs the three creation phases with the
// flow reader on, reports both rates and the drop, and the triggers really
// ran: tickets whose subject has one of the common words got their tag.
func TestBenchAPITriggers(t *testing.T) {
	args := []string{"--tickets", "150", "--clients", "4", "--requests", "10", "--triggers", "50",
		"--ceiling-time", "100ms", "--op-time", "1s", "--data-dir", t.TempDir()}
	tagged := 0
	check := func(ctx context.Context, c *client) error {
		// refund, invoice, paket... tag tickets as trg_1..trg_6 in the middle third.
		for _, tag := range []string{"trg_1", "trg_2", "trg_3", "trg_4", "trg_5", "trg_6"} {
			_, _, raw, _, err := c.do(ctx, "GET", "/api/v2/search/count.json?query=tags:"+tag, nil)
			if err != nil {
				return err
			}
			if m := regexp.MustCompile(`"count":\s*(\d+)`).FindSubmatch(raw); m != nil && string(m[1]) != "0" {
				tagged++
			}
		}
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var out, errOut bytes.Buffer
	if err := runAPI(ctx, args, &out, &errOut, check); err != nil {
		t.Fatalf("bench api: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	rows := tableRows(out.String())
	for _, op := range []string{"create ticket (0 triggers)", "create ticket (50 triggers)"} {
		if _, ok := rows[op]; !ok {
			t.Errorf("no row %q in:\n%s", op, out.String())
		}
	}
	if !regexp.MustCompile(`triggers: ticket creation through the API \d+/s without triggers .*, \d+/s with 50 active triggers: -?[\d.]+% drop`).MatchString(out.String()) ||
		!strings.Contains(out.String(), "CPU per ticket end to end") {
		t.Errorf("no comparison line in:\n%s", out.String())
	}
	if tagged == 0 {
		t.Error("no ticket was tagged by a trigger: the triggers did not run")
	}
	if err := runAPI(ctx, []string{"--triggers", "-1"}, &out, &errOut, nil); err == nil {
		t.Error("--triggers -1 accepted")
	}
}
