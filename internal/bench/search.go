package bench

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/kb"
	"layan/internal/kb/evalset"
	"layan/internal/search/analyze"
)

// Search is "layan bench search": it fills a knowledge base with synthetic
// articles in English, Indonesian and Persian (drawn from the evaluation
// set's vocabulary, so term frequencies look like real help-centre text),
// then times the customers' questions of the evaluation set against it, on
// one client and on several, and how soon a published change is found.
func Search(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench search", flag.ContinueOnError)
	fs.SetOutput(stderr)
	n := fs.Int("articles", 100_000, "synthetic articles to index")
	queries := fs.Int("queries", 3000, "searches per measurement")
	clients := fs.Int("clients", 4, "concurrent searchers in the parallel measurement")
	dbURL := fs.String("db", "", "database URL (postgres://...); default: a fresh SQLite file in a temp dir")
	fs.StringVar(dbURL, "database-url", "", "the same as --db, as the other benches spell it")
	seed := fs.Uint64("seed", 1, "random seed")
	record := fs.Bool("record", false, "record the searches for the analytics, as the help centre's do")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the measured searches to this file")
	reuse := fs.Bool("reuse", false, "keep the index for a later run and reuse one left by an earlier run: with --db, the SQLite file "+
		"or the PostgreSQL schema "+reuseSchema+" is seeded only if it holds fewer articles (profiling without re-indexing)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "layan-bench-search-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	url := withAppName(*dbURL)
	if url == "" {
		url = "sqlite://" + filepath.Join(dir, "bench.db")
	}
	d, err := db.Open(ctx, url, dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if d.Dialect == db.Postgres {
		// A schema of its own, dropped afterwards.
		schema := fmt.Sprintf("bench_search_%d", time.Now().UnixNano())
		if *reuse {
			schema = reuseSchema
		}
		if _, err := d.W.ExecContext(ctx, "CREATE SCHEMA IF NOT EXISTS "+schema); err != nil {
			return err
		}
		d.Close()
		d, err = db.Open(ctx, searchPathURL(url, schema), dir)
		if err != nil {
			return err
		}
		if !*reuse {
			defer func() {
				_, _ = d.W.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			}()
		}
	}
	if _, err := d.Migrate(ctx); err != nil {
		return err
	}
	svc := kb.NewService(d, events.NewBus(), time.Now, nil)
	defer svc.Close(context.Background()) // the recorded searches still queued (--record)
	sys := auth.SystemActor()
	cat, err := svc.CreateCategory(ctx, sys, kb.CategoryInput{Locale: "en", Name: "Bench"})
	if err != nil {
		return err
	}
	sec, err := svc.CreateSection(ctx, sys, kb.SectionInput{CategoryID: cat.ID, Locale: "en", Name: "Bench"})
	if err != nil {
		return err
	}
	// Seed: the 300 real articles, then synthetic ones in batches.
	rng := rand.New(rand.NewPCG(*seed, 2))
	gen := newArticleGen(rng)
	start := time.Now()
	var have int
	if *reuse {
		_ = d.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_articles`).Scan(&have)
	}
	done := max(have, 300)
	if have < *n {
		if have > 0 {
			return fmt.Errorf("bench search: --reuse: the database holds %d articles, fewer than --articles; start from an empty one", have)
		}
		if _, err := evalset.Seed(ctx, svc, sys); err != nil {
			return err
		}
	}
	batch := make([]kb.ArticleInput, 0, 500)
	for done < *n {
		batch = batch[:0]
		for len(batch) < cap(batch) && done+len(batch) < *n {
			batch = append(batch, gen.article(sec.ID))
		}
		if _, err := svc.ImportArticles(ctx, sys, batch); err != nil {
			return err
		}
		done += len(batch)
		if done%10_000 < len(batch) {
			fmt.Fprintf(stderr, "indexed %d articles (%.0f/s)\n", done, float64(done)/time.Since(start).Seconds())
		}
	}
	seedTime := time.Since(start)
	if d.Dialect == db.Postgres {
		// As autovacuum would after a bulk load: without statistics the
		// planner guesses at the postings' selectivity, and until a vacuum
		// marks the pages all-visible an index-only scan still visits the
		// table. Only the index's tables: the database may hold others'.
		_, _ = d.W.ExecContext(ctx, "VACUUM (ANALYZE) kb_postings, kb_terms, kb_docs, kb_words, kb_word_keys")
	}
	qs := evalset.Questions()
	cold := false // each search as the first of its words: the search caches dropped before it
	run := func(workers, total int) ([]time.Duration, time.Duration, int, error) {
		lat := make([]time.Duration, total)
		var mu sync.Mutex
		var firstErr error
		hits := 0
		var wg sync.WaitGroup
		next := 0
		t0 := time.Now()
		for w := 0; w < workers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					mu.Lock()
					i := next
					next++
					mu.Unlock()
					if i >= total {
						return
					}
					q := qs[i%len(qs)]
					if cold {
						svc.DropSearchCaches()
					}
					t := time.Now()
					res, err := svc.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: q.Text, Locale: q.Lang, Limit: 10, Record: *record, Source: "api"})
					lat[i] = time.Since(t)
					mu.Lock()
					if err != nil && firstErr == nil {
						firstErr = err
					}
					hits += len(res.Hits)
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		return lat, time.Since(t0), hits, firstErr
	}
	// Warm up the caches, then measure.
	if _, _, _, err := run(1, min(*queries, 500)); err != nil {
		return err
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	cost0 := costNow(ctx, d, svc)
	lat1, el1, hits1, err := run(1, *queries)
	if err != nil {
		return err
	}
	cost1 := costNow(ctx, d, svc)
	latN, elN, _, err := run(*clients, *queries)
	if err != nil {
		return err
	}
	// The questions repeat, so most searches above find their words'
	// frequencies, typo corrections and documents cached; this is the cost
	// of a search that finds none.
	cold = true
	costC0 := costNow(ctx, d, svc)
	latC, elC, hitsC, err := run(1, min(*queries, 1000))
	if err != nil {
		return err
	}
	costC1 := costNow(ctx, d, svc)
	cold = false
	// Freshness: publish an article with a new word and time until search finds it.
	word := fmt.Sprintf("zqfresh%d", time.Now().UnixNano()%1_000_000_000) // unique across --reuse runs
	t0 := time.Now()
	art, err := svc.CreateArticle(ctx, sys, kb.ArticleInput{SectionID: sec.ID, Locale: "en", Title: "Fresh " + word, Body: "Just published: " + word})
	if err != nil {
		return err
	}
	var fresh time.Duration
	for {
		res, err := svc.Search(ctx, auth.Actor{}, kb.SearchRequest{Query: word, Locale: "en"})
		if err != nil {
			return err
		}
		if len(res.Hits) > 0 && res.Hits[0].ID == art.ID {
			fresh = time.Since(t0)
			break
		}
		if time.Since(t0) > 10*time.Second {
			return fmt.Errorf("bench search: a published article was not found within 10 s")
		}
		time.Sleep(time.Millisecond)
	}
	var postings int64
	_ = d.R.QueryRowContext(ctx, `SELECT count(*) FROM kb_postings`).Scan(&postings)

	fmt.Fprintf(stdout, "layan bench search: %s, %s articles (%s postings), GOMAXPROCS=%d, %s %s/%s, %d CPUs\n",
		d.Dialect, searchCommas(int64(done)), searchCommas(postings), runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(stdout, "database: %s\n\n", d.Where)
	rows := [][]string{{"measurement", "searches", "searches/s", "p50", "p90", "p99", "max", "hits/search"}}
	add := func(name string, lat []time.Duration, el time.Duration, hits int) {
		s := slices.Clone(lat)
		slices.Sort(s)
		pct := func(p float64) time.Duration { return s[min(len(s)-1, int(p/100*float64(len(s))))] }
		h := "-"
		if hits >= 0 {
			h = fmt.Sprintf("%.1f", float64(hits)/float64(len(s)))
		}
		rows = append(rows, []string{name, searchCommas(int64(len(s))), fmt.Sprintf("%.0f", float64(len(s))/el.Seconds()),
			searchMS(pct(50)), searchMS(pct(90)), searchMS(pct(99)), searchMS(s[len(s)-1]), h})
	}
	add("search, 1 client", lat1, el1, hits1)
	add(fmt.Sprintf("search, %d clients", *clients), latN, elN, -1)
	add("search, 1 client, caches dropped", latC, elC, hitsC)
	searchTable(stdout, rows)
	fmt.Fprintln(stdout)
	perSearch := func(name string, c0, c1 cost, n int) {
		ms := func(d time.Duration) string {
			return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)/float64(n))
		}
		fmt.Fprintf(stdout, "per search (%s): %.2f statements; CPU %s in this process", name, float64(c1.stmts-c0.stmts)/float64(n), ms(c1.proc-c0.proc))
		if d.Dialect == db.Postgres {
			fmt.Fprintf(stdout, " + %s in its PostgreSQL backends", ms(c1.backend-c0.backend))
		}
		fmt.Fprintln(stdout)
	}
	perSearch("1 client", cost0, cost1, len(lat1))
	perSearch("caches dropped", costC0, costC1, len(latC))
	if have >= *n {
		fmt.Fprintf(stdout, "indexing: reused the index of an earlier run (--reuse)\n")
	} else {
		fmt.Fprintf(stdout, "indexing: %s articles in %s (%.0f articles/s, batches of 500 per transaction)\n",
			searchCommas(int64(done)), seedTime.Round(time.Second), float64(done)/seedTime.Seconds())
	}
	fmt.Fprintf(stdout, "published → searchable: %s\n", searchMS(fresh))
	fmt.Fprintf(stdout, "peak RSS (VmHWM): %.1f MB\n", float64(peakRSS())/(1<<20))
	return nil
}

// reuseSchema is the PostgreSQL schema that --reuse keeps between runs.
const reuseSchema = "bench_search_reuse"

func searchPathURL(base, schema string) string {
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

// articleGen writes synthetic articles: the sentences of a real article of
// the set in a random language, reshuffled, with words swapped for others of
// the same language, so every synthetic article reads like help-centre text
// and shares the real articles' vocabulary.
type articleGen struct {
	rng   *rand.Rand
	byLng map[string][]evalset.Article
	vocab map[string][]string
}

func newArticleGen(rng *rand.Rand) *articleGen {
	g := &articleGen{rng: rng, byLng: map[string][]evalset.Article{}, vocab: map[string][]string{}}
	for _, a := range evalset.Articles() {
		g.byLng[a.Lang] = append(g.byLng[a.Lang], a)
		g.vocab[a.Lang] = append(g.vocab[a.Lang], analyze.Words(a.Title+" "+a.Body)...)
	}
	return g
}

func (g *articleGen) words(lang string, n int) string {
	v := g.vocab[lang]
	out := make([]string, n)
	for i := range out {
		out[i] = v[g.rng.IntN(len(v))]
	}
	return strings.Join(out, " ")
}

func (g *articleGen) article(section int64) kb.ArticleInput {
	lang := kb.Locales[g.rng.IntN(len(kb.Locales))]
	base := g.byLng[lang][g.rng.IntN(len(g.byLng[lang]))]
	sentences := strings.Split(base.Body, ". ")
	g.rng.Shuffle(len(sentences), func(i, j int) { sentences[i], sentences[j] = sentences[j], sentences[i] })
	body := strings.Join(sentences, ". ") + "\n\n" + g.words(lang, 40) + ".\n\n" + g.words(lang, 30) + "."
	return kb.ArticleInput{SectionID: section, Locale: lang, Title: base.Title + " " + g.words(lang, 2), Body: body}
}

func searchMS(d time.Duration) string {
	return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
}

func searchCommas(n int64) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func searchTable(w io.Writer, rows [][]string) {
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i == 0 {
				fmt.Fprint(w, c+pad)
			} else {
				fmt.Fprint(w, "  "+pad+c)
			}
		}
		fmt.Fprintln(w)
	}
}
