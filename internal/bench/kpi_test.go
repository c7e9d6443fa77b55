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
			for _, want := range []string{"generated: 2,000 tickets", "rollups built", "KPI page, group", "KPI page as 3 reads one after another", "check: the rollups' figures equal the replay's",
				"late events: 20 reopenings", "with the worker"} {
				if !strings.Contains(out.String(), want) {
					t.Errorf("no %q in:\n%s", want, out.String())
				}
			}
			t.Log("\n" + out.String())
		})
	}
}

// TestBenchKPIReuse runs the bench again on a kept SQLite database.
func TestBenchKPIReuse(t *testing.T) {
	dir := t.TempDir()
	small := []string{"--tickets", "500", "--customers", "100", "--agents", "10", "--groups", "2", "--orgs", "10", "--reps", "1", "--late", "0"}
	var out, errs bytes.Buffer
	if err := KPI(context.Background(), append(small, "--keep", "--data-dir", dir), &out, &errs); err != nil {
		t.Fatalf("%v\n%s", err, errs.String())
	}
	var file string
	for line := range strings.Lines(out.String()) {
		if f, ok := strings.CutPrefix(line, "database: "); ok {
			file = strings.TrimSpace(f)
		}
	}
	for _, rebuild := range []string{"--rebuild=false", "--rebuild=true"} {
		out.Reset()
		if err := KPI(context.Background(), append(small, "--reuse", file, rebuild, "--check"), &out, &errs); err != nil {
			t.Fatalf("%v\n%s\n%s", err, out.String(), errs.String())
		}
		for _, want := range []string{"reused: 500 tickets", "check: the rollups' figures equal the replay's"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%s: no %q in:\n%s", rebuild, want, out.String())
			}
		}
	}
}
