package bench

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/kpi"
)

// KPI is "layan bench kpi": it writes a year of a busy help desk (1,000,000
// tickets, ~10 events each, by bulk insert), builds the KPI rollups, then
// times the dashboard's reads for the last 90 days (every KPI of the period,
// and the series by day, with and without a group filter) and how soon
// late events (reopenings of tickets solved weeks ago) show on it.
func KPI(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench kpi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := kpiGen{}
	fs.IntVar(&o.tickets, "tickets", 1_000_000, "tickets to generate")
	fs.IntVar(&o.perTicket, "events-per-ticket", 10, "events per ticket on average (internal notes fill up to it)")
	fs.IntVar(&o.customers, "customers", 100_000, "customers")
	fs.IntVar(&o.agents, "agents", 100, "agents")
	fs.IntVar(&o.groups, "groups", 10, "groups")
	fs.IntVar(&o.orgs, "orgs", 2_000, "organisations")
	days := fs.Int("days", 365, "the tickets are created over this many days up to now")
	reps := fs.Int("reps", 30, "runs of each dashboard read")
	late := fs.Int("late", 1000, "late reopenings written per late-event measurement")
	dbURL := fs.String("database-url", "", "postgres://... (a fresh schema is created and dropped); default: a new SQLite file")
	dataDir := fs.String("data-dir", "", "where the SQLite file goes (default: a temp dir, removed)")
	keep := fs.Bool("keep", false, "keep the database (SQLite file or PostgreSQL schema)")
	check := fs.Bool("check", false, "also compare every measured read with the replay engine (small runs only)")
	reuse := fs.String("reuse", "", "reuse a database kept by an earlier run (--keep): the SQLite file, or with --database-url the schema name (bench_kpi_…); generation is skipped")
	rebuild := fs.Bool("rebuild", true, "with --reuse: rebuild the rollups (else only when they are missing)")
	fs.Uint64Var(&o.seed, "seed", 1, "random seed")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.tickets < 1 || o.customers < 1 || o.agents < o.groups || o.groups < 1 || o.orgs < 1 || *days < 91 {
		return errors.New("bench kpi: need tickets, customers, orgs ≥ 1, agents ≥ groups ≥ 1 and days ≥ 91")
	}
	o.now = time.Now().UTC()
	o.start = o.now.AddDate(0, 0, -*days)

	var d *db.DB
	var cleanup func()
	var err error
	if *reuse != "" {
		d, cleanup, err = kpiReuse(ctx, *dbURL, *reuse)
	} else {
		d, cleanup, err = kpiDatabase(ctx, *dbURL, *dataDir, *keep)
	}
	if err != nil {
		return err
	}
	defer cleanup()
	if *reuse != "" {
		// The data's "now": the last ticket's creation (tickets are created
		// evenly up to the generation's now).
		var last int64
		if err := d.R.QueryRowContext(ctx, `SELECT COALESCE(MAX(created_at), 0) FROM tickets`).Scan(&last); err != nil || last == 0 {
			return fmt.Errorf("bench kpi: --reuse %s: no tickets (%v)", *reuse, err)
		}
		o.now = db.Time(last).UTC()
		_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM tickets`).Scan(&o.tickets)
	}
	fmt.Fprintf(stdout, "layan bench kpi: %s, %s tickets × ~%d events over %d days, %s customers, %d agents, %d groups, %s orgs; %d CPUs, load %s\n",
		d.Dialect, commaInt(o.tickets), o.perTicket, *days, commaInt(o.customers), o.agents, o.groups, commaInt(o.orgs), numCPU(), loadAvg())
	fmt.Fprintf(stdout, "database: %s\n\n", d.Where)

	// 1. Generate.
	var nEvents, nSurveys int64
	if *reuse == "" {
		start := time.Now()
		lastReport := start
		err = o.generate(ctx, d, func(done int) {
			if time.Since(lastReport) > 30*time.Second {
				lastReport = time.Now()
				fmt.Fprintf(stderr, "  generated %s tickets in %v\n", commaInt(done), time.Since(start).Round(time.Second))
			}
		})
		if err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		gen := time.Since(start)
		_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&nEvents)
		_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses`).Scan(&nSurveys)
		fmt.Fprintf(stdout, "generated: %s tickets, %s events, %s survey answers, %s rows in all in %v (%s rows/s, the raw insert rate)\n",
			commaInt(o.tickets), commas(nEvents), commas(nSurveys), commas(o.rows), gen.Round(time.Millisecond), commas(int64(float64(o.rows)/gen.Seconds())))
	} else {
		_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM events`).Scan(&nEvents)
		_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM survey_responses`).Scan(&nSurveys)
		fmt.Fprintf(stdout, "reused: %s tickets, %s events, %s survey answers, generated up to %s\n",
			commaInt(o.tickets), commas(nEvents), commas(nSurveys), o.now.Format(time.RFC3339))
	}

	// 2. Build the rollups.
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := kpi.NewService(d, time.Now, log)
	if *reuse == "" || *rebuild {
		st, err := svc.RebuildRollups(ctx)
		if err != nil {
			return fmt.Errorf("build rollups: %w", err)
		}
		var daily int64
		_ = d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM kpi_daily`).Scan(&daily)
		fmt.Fprintf(stdout, "rollups built in %v: %s tickets, %s facts, %s daily rows\n\n",
			st.Elapsed.Round(time.Millisecond), commaInt(st.Tickets), commaInt(st.Facts), commas(daily))
	} else {
		t0 := time.Now()
		if err := svc.CatchUp(ctx); err != nil { // builds them when missing
			return fmt.Errorf("build rollups: %w", err)
		}
		fmt.Fprintf(stdout, "rollups kept (caught up in %v)\n\n", time.Since(t0).Round(time.Millisecond))
	}
	if *reuse != "" && d.Dialect == db.Postgres {
		// Autovacuum may be off: statistics and the visibility map, as
		// after generation (quick when nothing changed since).
		if err := vacuumSchema(ctx, d.W); err != nil {
			return err
		}
	}

	// 3. The dashboard's reads for the last 90 days (today included).
	admin := auth.Actor{UserID: 1, Role: auth.RoleAdmin}
	to := o.now.Truncate(24*time.Hour).AddDate(0, 0, 1)
	q := kpi.Query{From: to.AddDate(0, 0, -90), To: to}
	group := kpi.Filter{GroupID: 3}
	withF := func(q kpi.Query, f kpi.Filter) kpi.Query { q.Filter = f; return q }
	reads := []struct {
		name string
		fn   func() error
	}{
		{"Compute, 90 days", func() error { _, err := svc.Compute(ctx, admin, q); return err }},
		{"Compute, 90 days, group", func() error { _, err := svc.Compute(ctx, admin, withF(q, group)); return err }},
		{"Series by day, 90 days", func() error { _, err := svc.Series(ctx, admin, q, "day"); return err }},
		{"Series by day, 90 days, group", func() error { _, err := svc.Series(ctx, admin, withF(q, group), "day"); return err }},
		{"Series by week, 90 days", func() error { _, err := svc.Series(ctx, admin, q, "week"); return err }},
		{"Compute, 90 days, organisation", func() error { _, err := svc.Compute(ctx, admin, withF(q, kpi.Filter{OrganizationID: 7})); return err }},
		{"Compute, 90 days, tag", func() error { _, err := svc.Compute(ctx, admin, withF(q, kpi.Filter{Tag: "billing"})); return err }},
		{"Compute, 90 days, agent + channel", func() error {
			_, err := svc.Compute(ctx, admin, withF(q, kpi.Filter{AgentID: 5, Channel: "email"}))
			return err
		}},
		{"KPI page: period + previous + by day (Page)", func() error { return dashboard(ctx, svc, admin, q, kpi.Filter{}, pageOne) }},
		{"KPI page, group", func() error { return dashboard(ctx, svc, admin, q, group, pageOne) }},
		{"KPI page as 3 reads side by side", func() error { return dashboard(ctx, svc, admin, q, kpi.Filter{}, pageParallel) }},
		{"KPI page as 3 reads one after another", func() error { return dashboard(ctx, svc, admin, q, kpi.Filter{}, pageSerial) }},
		{"report by week + previous period (Report)", func() error { _, err := svc.Report(ctx, admin, q, "week"); return err }},
	}
	table := [][]string{{"read (rollups)", "runs", "p50", "p99", "max"}}
	for _, rd := range reads {
		lat := make([]time.Duration, 0, *reps)
		for range *reps {
			t0 := time.Now()
			if err := rd.fn(); err != nil {
				return fmt.Errorf("%s: %w", rd.name, err)
			}
			lat = append(lat, time.Since(t0))
		}
		table = append(table, []string{rd.name, fmt.Sprint(*reps), msStr(pctile(lat, 50)), msStr(pctile(lat, 99)), msStr(pctile(lat, 100))})
	}
	printTable(stdout, table)
	if *check {
		if err := checkAgainstReplay(ctx, svc, admin, []kpi.Query{q, withF(q, group), withF(q, kpi.Filter{OrganizationID: 7}), withF(q, kpi.Filter{Tag: "billing"})}); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "check: the rollups' figures equal the replay's")
	}

	// 4. Late events: reopenings of tickets solved 2 to 8 weeks ago, written
	// now as the ticket service writes them (one transaction each).
	before, err := svc.Compute(ctx, admin, q)
	if err != nil {
		return err
	}
	t0 := time.Now()
	n, err := lateReopenings(ctx, d, o.now, *late, 0)
	if err != nil {
		return fmt.Errorf("late events: %w", err)
	}
	wrote := time.Since(t0)
	t1 := time.Now()
	after, err := svc.Compute(ctx, admin, q)
	if err != nil {
		return err
	}
	read := time.Since(t1)
	if after.Reopened < before.Reopened+n/2 {
		return fmt.Errorf("late events: reopened %d → %d after %d reopenings", before.Reopened, after.Reopened, n)
	}
	fmt.Fprintf(stdout, "\nlate events: %d reopenings of tickets solved 2-8 weeks ago, written in %v; the next read rolled them itself and showed them: %v (reopened %d → %d, FCR %.2f%% → %.2f%%)\n",
		n, wrote.Round(time.Millisecond), read.Round(time.Millisecond), before.Reopened, after.Reopened, deref(before.FCRPercent), deref(after.FCRPercent))

	// With the worker as "layan serve" runs it (every 5 s): how long until
	// nothing is dirty, then a read.
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { svc.RunRollups(wctx, 5*time.Second); close(done) }()
	time.Sleep(100 * time.Millisecond) // the worker's first pass (nothing dirty) is over
	t0 = time.Now()
	n, err = lateReopenings(ctx, d, o.now, *late, 1)
	if err != nil {
		stop()
		return fmt.Errorf("late events: %w", err)
	}
	wrote = time.Since(t0)
	var left int
	for {
		if err := d.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM kpi_dirty`).Scan(&left); err != nil {
			stop()
			return err
		}
		if left == 0 || time.Since(t0) > 2*time.Minute {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	rolled := time.Since(t0)
	stop()
	<-done
	t1 = time.Now()
	if _, err := svc.Compute(ctx, admin, q); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "with the worker (every 5 s): %d more reopenings written in %v; rolled %v after the first write (%d dirty left); a read then: %v\n",
		n, wrote.Round(time.Millisecond), rolled.Round(time.Millisecond), left, time.Since(t1).Round(time.Millisecond))
	fmt.Fprintf(stdout, "peak RSS %s; load %s\n", mb(peakRSS()), loadAvg())
	return nil
}

// How the KPI page's three reads are made.
const (
	pageOne      = iota // one Page call, as the dashboard does (web/ui/measure_dashboard.go)
	pageParallel        // Compute, Compute and Series side by side
	pageSerial          // the three one after another
)

// dashboard is what the KPI page asks for: the period, the previous one (for
// the pair warnings) and the series by day.
func dashboard(ctx context.Context, s *kpi.Service, a auth.Actor, q kpi.Query, f kpi.Filter, how int) error {
	q.Filter = f
	prev := kpi.Previous(q)
	var cur, p kpi.Result
	if how == pageOne {
		var err error
		if cur, p, _, err = s.Page(ctx, a, q, "day"); err != nil {
			return err
		}
		_ = kpi.PairWarnings(cur, p)
		return nil
	}
	var errs [3]error
	reads := []func(){
		func() { cur, errs[0] = s.Compute(ctx, a, q) },
		func() { p, errs[1] = s.Compute(ctx, a, prev) },
		func() { _, errs[2] = s.Series(ctx, a, q, "day") },
	}
	if how == pageParallel {
		var wg sync.WaitGroup
		for _, r := range reads {
			wg.Go(r)
		}
		wg.Wait()
	} else {
		for _, r := range reads {
			r()
		}
	}
	if err := errors.Join(errs[:]...); err != nil {
		return err
	}
	_ = kpi.PairWarnings(cur, p)
	return nil
}

// lateReopenings reopens up to n tickets solved 2 to 8 weeks before now, the
// way the ticket service does (status change + reopened event, and the
// ticket row, in one transaction); part picks a different set each call.
func lateReopenings(ctx context.Context, d *db.DB, now time.Time, n, part int) (int, error) {
	lo, hi := db.Millis(now.AddDate(0, 0, -56)), db.Millis(now.AddDate(0, 0, -14))
	rows, err := d.R.QueryContext(ctx, `SELECT id, requester_id, status FROM tickets WHERE solved_at >= $1 AND solved_at < $2
		AND status IN ('solved', 'closed') AND deleted_at IS NULL AND id % 2 = $3 ORDER BY id LIMIT $4`, lo, hi, part, n)
	if err != nil {
		return 0, err
	}
	type tk struct {
		id, requester int64
		status        string
	}
	var ts []tk
	for rows.Next() {
		var t tk
		if err := rows.Scan(&t.id, &t.requester, &t.status); err != nil {
			rows.Close()
			return 0, err
		}
		ts = append(ts, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	at := time.Now().UTC()
	for _, t := range ts {
		err := d.WithTx(ctx, func(tx *sql.Tx) error {
			// solved → open is a reopening; closed tickets get a follow-up in
			// real life, here they are reopened too (as an import would).
			evs := []events.Event{
				{TicketID: t.id, ActorID: t.requester, Type: events.CommentAdded, Field: "public", CreatedAt: at},
				{TicketID: t.id, ActorID: t.requester, Type: events.StatusChanged, Field: "status", Before: events.Str("solved"), After: events.Str("open"), CreatedAt: at},
				{TicketID: t.id, ActorID: t.requester, Type: events.Reopened, Field: "status", Before: events.Str("solved"), After: events.Str("open"), CreatedAt: at},
			}
			if err := events.Insert(ctx, tx, evs); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `UPDATE tickets SET status = 'open', solved_at = NULL, updated_at = $1 WHERE id = $2`, db.Millis(at), t.id)
			return err
		})
		if err != nil {
			return 0, err
		}
	}
	return len(ts), nil
}

// checkAgainstReplay compares the rollups' figures with the replay's.
func checkAgainstReplay(ctx context.Context, s *kpi.Service, a auth.Actor, qs []kpi.Query) error {
	replay := s.ReplayEngine()
	for _, q := range qs {
		got, err := s.Compute(ctx, a, q)
		if err != nil {
			return err
		}
		want, err := replay.Compute(ctx, a, q)
		if err != nil {
			return err
		}
		for _, name := range kpiNames {
			g, w := kpi.Value(got, name), kpi.Value(want, name)
			if !kpi.Agree(g, w) {
				return fmt.Errorf("check %+v: %s is %v with the rollups, %v with the replay", q.Filter, name, deref(g), deref(w))
			}
		}
		gs, err := s.Series(ctx, a, q, "week")
		if err != nil {
			return err
		}
		ws, err := replay.Series(ctx, a, q, "week")
		if err != nil {
			return err
		}
		for i := range ws {
			for _, name := range kpiNames {
				g, w := kpi.Value(gs[i], name), kpi.Value(ws[i], name)
				if !kpi.Agree(g, w) {
					return fmt.Errorf("check series %+v week %d: %s is %v with the rollups, %v with the replay", q.Filter, i, name, deref(g), deref(w))
				}
			}
		}
	}
	return nil
}

var kpiNames = kpi.Names()

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "n/a"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "n/a"
	}
	return strings.Join(f[:3], " ")
}

// kpiDatabase opens a fresh, migrated database: a new SQLite file, or a new
// schema in the PostgreSQL database named (so tests' tables are untouched).
func kpiDatabase(ctx context.Context, url, dataDir string, keep bool) (*db.DB, func(), error) {
	var cleanups []func()
	cleanup := func() {
		for i := len(cleanups) - 1; i >= 0; i-- {
			cleanups[i]()
		}
	}
	if url == "" {
		dir := dataDir
		if dir == "" {
			tmp, err := os.MkdirTemp("", "layan-bench-kpi-")
			if err != nil {
				return nil, nil, err
			}
			dir = tmp
			if !keep {
				cleanups = append(cleanups, func() { os.RemoveAll(tmp) })
			}
		}
		url = "sqlite://" + filepath.Join(dir, fmt.Sprintf("kpi-%d.db", time.Now().UnixNano()))
	}
	d, err := db.Open(ctx, url, dataDir)
	if err != nil {
		cleanup()
		return nil, nil, err
	}
	cleanups = append(cleanups, func() { d.Close() }) // the d of the schema below, when there is one
	if d.Dialect == db.Postgres {
		schema := fmt.Sprintf("bench_kpi_%d", time.Now().UnixNano())
		if _, err := d.W.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
			d.Close()
			return nil, nil, err
		}
		d.Close()
		if d, err = db.Open(ctx, searchPathURL(url, schema), dataDir); err != nil {
			cleanups = cleanups[:len(cleanups)-1]
			cleanup()
			return nil, nil, err
		}
		if !keep {
			cleanups = append(cleanups, func() { _, _ = d.W.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE") })
		}
	}
	if _, err := d.Migrate(ctx); err != nil {
		cleanup()
		return nil, nil, err
	}
	return d, cleanup, nil
}

// kpiReuse opens a database kept by an earlier run (--keep) and applies any
// newer migrations: a SQLite file, or a schema of the PostgreSQL database.
func kpiReuse(ctx context.Context, url, where string) (*db.DB, func(), error) {
	if url == "" {
		if _, err := os.Stat(where); err != nil {
			return nil, nil, err
		}
		url = "sqlite://" + where
	} else {
		url = searchPathURL(url, where)
	}
	d, err := db.Open(ctx, url, filepath.Dir(where))
	if err != nil {
		return nil, nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, nil, err
	}
	return d, func() { d.Close() }, nil
}
