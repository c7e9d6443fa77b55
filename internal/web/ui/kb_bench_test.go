package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb/evalset"
)

// BenchmarkHelpCenterSearch runs the evaluation set's customer questions
// through the help centre's search page (/hc/{locale}/search: session,
// search, recording the query, rendering) over the evaluation articles, as
// a signed-in customer on SQLite, and reports p50/p99 server time. The
// search itself over 100,000 articles is measured by `layan bench search`.
//
//	go test ./internal/web/ui/ -run '^$' -bench HelpCenterSearch -benchtime 2000x
func BenchmarkHelpCenterSearch(b *testing.B) {
	e := newKBEnv(b, db.SQLite)
	if _, err := evalset.Seed(context.Background(), e.kb, auth.SystemActor()); err != nil {
		b.Fatal(err)
	}
	alice := e.login(e.w.Alice)
	var paths []string
	for _, q := range evalset.Questions() {
		paths = append(paths, "/hc/"+q.Lang+"/search?q="+url.QueryEscape(q.Text))
	}
	var took []time.Duration
	i := 0
	for b.Loop() {
		t := time.Now()
		rec := e.get(alice, paths[i%len(paths)])
		took = append(took, time.Since(t))
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
		i++
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
