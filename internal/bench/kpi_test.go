package bench

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"layan/internal/testkit"
)

// TestBenchKPI runs "layan bench kpi" small on every engine, checking the
// rollups' figures against the replay, so the command cannot rot.
func TestBenchKPI(t *testing.T) {
	engines := []struct{ name, url string }{{"sqlite", ""}}
	if u := testkit.PostgresURL(); u != "" {
		engines = append(engines, struct{ name, url string }{"postgres", u})
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			args := []string{"--tickets", "2000", "--customers", "300", "--agents", "20", "--groups", "4", "--orgs", "30",
				"--reps", "2", "--late", "20", "--check", "--data-dir", t.TempDir()}
			if e.url != "" {
				args = append(args, "--database-url", e.url)
			}
			var out, errs bytes.Buffer
			if err := KPI(context.Background(), args, &out, &errs); err != nil {
				t.Fatalf("%v\n%s\n%s", err, out.String(), errs.String())
			}
			for _, want := range []string{"generated: 2,000 tickets", "rollups built", "dashboard, group", "check: the rollups' figures equal the replay's",
				"late events: 20 reopenings", "with the worker"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("no %q in:\n%s", want, out.String())
				}
			}
			t.Log("\n" + out.String())
		})
	}
}
