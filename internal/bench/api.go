package bench

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"time"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/config"
	"layan/internal/db"
	"layan/internal/directory"
)

// apiOptions are the settings of "layan bench api".
type apiOptions struct {
	tickets     int
	clients     int
	requests    int // per read and update operation
	databaseURL string
	dataDir     string
	seed        uint64
	ceilingMax  time.Duration
	opTime      time.Duration
	cpuProfile  string
	memProfile  string
	profileOp   string
	keep        bool
	triggers    int // active triggers in the creation comparison (triggers.go); 0: no comparison

	// check, in tests, runs against the live server after the load.
	check func(ctx context.Context, c *client) error
}

const apiSynopsis = `layan bench api [--tickets N] [--clients C] [--requests R] [--triggers T] [--database-url postgres://...] [--data-dir DIR]

Starts Layan in process on a temporary database (SQLite in a temporary folder,
or a new schema in the PostgreSQL database named by --database-url, dropped
afterwards: existing data is never touched), measures the raw single-row
insert rate of that database, creates N tickets through the HTTP API with C
concurrent clients, then pages, shows, searches and updates them, and prints
one table of throughput and latency with the memory used. With --triggers T
the creates run with the flow of work on, in three thirds: without triggers,
with T active triggers, and without again, and the drop is reported.
`

// API runs "layan bench api".
func API(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return runAPI(ctx, args, stdout, stderr, nil)
}

func runAPI(ctx context.Context, args []string, stdout, stderr io.Writer, check func(context.Context, *client) error) error {
	o := apiOptions{check: check}
	fs := flag.NewFlagSet("bench api", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.tickets, "tickets", 100000, "tickets to create through the API")
	fs.IntVar(&o.clients, "clients", 16, "concurrent API clients")
	fs.IntVar(&o.requests, "requests", 2000, "requests per read, search and update operation")
	fs.StringVar(&o.databaseURL, "database-url", "", "postgres://... to bench PostgreSQL (a fresh schema is created there and dropped); empty: SQLite in a temporary folder")
	fs.StringVar(&o.dataDir, "data-dir", "", "folder in which the temporary SQLite database and attachments folder are made (default: the system's temporary folder)")
	var seed int64
	fs.Int64Var(&seed, "seed", 1, "random seed of the generated tickets and requests")
	fs.DurationVar(&o.opTime, "op-time", 30*time.Second, "longest time one read, search or update operation runs with all clients (one client alone: a quarter of it); a slow one reports fewer requests")
	fs.DurationVar(&o.ceilingMax, "ceiling-time", 3*time.Second, "longest time spent on each raw insert measurement")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "write a CPU profile of the load (or of --profile-op only) to this file")
	fs.StringVar(&o.memProfile, "memprofile", "", "write a heap profile taken at idle (before the load) to this file")
	fs.StringVar(&o.profileOp, "profile-op", "", "profile only the operation whose name starts with this (e.g. create, inbox, search)")
	fs.BoolVar(&o.keep, "keep", false, "keep the temporary database (SQLite folder or PostgreSQL schema) for inspection")
	fs.IntVar(&o.triggers, "triggers", 0, "compare ticket creation with the flow of work running: without triggers, with this many active triggers, and without again (a third of the tickets each)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "Usage: "+apiSynopsis+"\nFlags:\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("bench api: unexpected argument %q", fs.Arg(0))
	}
	if o.tickets < 1 || o.clients < 1 || o.requests < 1 {
		return errors.New("bench api: --tickets, --clients and --requests must be at least 1")
	}
	if o.triggers < 0 || o.triggers > 10000 || o.triggers > 0 && o.tickets < 3 {
		return errors.New("bench api: --triggers must be 0 to 10000, with at least 3 tickets")
	}
	if o.databaseURL != "" && !strings.HasPrefix(o.databaseURL, "postgres://") && !strings.HasPrefix(o.databaseURL, "postgresql://") {
		return errors.New("bench api: --database-url must be a postgres:// URL; SQLite always runs in a new temporary folder (choose where with --data-dir)")
	}
	o.seed = uint64(seed)
	return benchAPI(ctx, o, stdout, stderr)
}

// seeded is the workspace the load runs in.
type seeded struct {
	adminEmail string
	token      string
	groups     []int64
	agents     map[int64][]int64 // group -> member agents
	customers  []int64
	emails     []string // customers' addresses
}

func benchAPI(ctx context.Context, o apiOptions, stdout, stderr io.Writer) (err error) {
	started, busy0, cpu0 := time.Now(), machineBusy(), processCPU()
	progress := func(format string, args ...any) {
		fmt.Fprintf(stderr, "[%6.1fs] "+format+"\n", append([]any{time.Since(started).Seconds()}, args...)...)
	}

	// A temporary folder always: the SQLite database and the attachments folder.
	base := o.dataDir
	if base != "" {
		if err := os.MkdirAll(base, 0o750); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp(base, "layan-bench-")
	if err != nil {
		return err
	}
	defer func() {
		if o.keep {
			fmt.Fprintln(stderr, "kept the temporary folder", tmp)
			return
		}
		_ = os.RemoveAll(tmp)
	}()
	cfg := config.Defaults()
	cfg.DataDir = tmp
	cfg.RateLimit = 0 // the limiter would throttle the load
	cfg.NoDemo = true
	engine := "sqlite"
	where := tmp + "/layan.db"
	if o.databaseURL != "" {
		engine = "postgres"
		schema := fmt.Sprintf("layan_bench_%d_%d", os.Getpid(), time.Now().UnixNano())
		if err := pgSchema(ctx, o.databaseURL, "CREATE SCHEMA "+schema); err != nil {
			return fmt.Errorf("bench api: create schema: %w", err)
		}
		defer func() {
			if o.keep {
				fmt.Fprintln(stderr, "kept the PostgreSQL schema", schema)
				return
			}
			dctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if derr := pgSchema(dctx, o.databaseURL, "DROP SCHEMA "+schema+" CASCADE"); derr != nil {
				err = errors.Join(err, fmt.Errorf("bench api: drop schema %s: %w", schema, derr))
			}
		}()
		cfg.DatabaseURL = withSearchPath(o.databaseURL, schema)
		where = "schema " + schema
	}

	a, err := app.Open(ctx, cfg, app.Discard())
	if err != nil {
		return fmt.Errorf("bench api: %w", err)
	}
	defer a.Close()
	if a.DB.Dialect == db.Postgres {
		where = a.DB.Where + " (" + where + ")"
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Web, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	baseURL := "http://" + ln.Addr().String()

	progress("server on %s, %s database %s; seeding", baseURL, engine, where)
	s, err := seed(ctx, a, o.seed)
	if err != nil {
		return fmt.Errorf("bench api: seed: %w", err)
	}
	c := newClient(baseURL, s.adminEmail, s.token, o.clients)
	defer c.http.CloseIdleConnections()
	// Warm the connection and the handler once, then measure idle memory.
	if _, _, _, _, err := c.do(ctx, "GET", "/api/v2/users/me.json", nil); err != nil {
		return fmt.Errorf("bench api: first request: %w", err)
	}
	runtime.GC()
	debug.FreeOSMemory()
	idleRSS := readProcStatus("VmRSS")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	idleHeap := int64(ms.HeapInuse)
	if o.memProfile != "" {
		if f, err := os.Create(o.memProfile); err == nil {
			_ = pprof.WriteHeapProfile(f)
			f.Close()
		}
	}

	ceilRows := max(200, min(20000, o.tickets/4))
	progress("raw insert ceiling (%d rows, at most %s each)", ceilRows, o.ceilingMax)
	ceilings, err := measureCeilings(ctx, a.DB, ceilRows, o.clients, o.ceilingMax, o.seed)
	if err != nil {
		return fmt.Errorf("bench api: %w", err)
	}

	var prof *profiler
	if o.cpuProfile != "" {
		prof = &profiler{file: o.cpuProfile, op: o.profileOp}
		defer prof.stop()
	}
	var results []*result
	measure := func(name string, total int, fn step) *result {
		limit := o.opTime
		if strings.HasPrefix(name, "create") {
			limit = 0 // all N tickets, however long it takes
		}
		progress("%s: %d requests, %d clients", name, total, o.clients)
		prof.begin(name)
		r := run(ctx, name, total, o.clients, limit, o.seed+uint64(len(results))*7919, fn)
		prof.end(name)
		results = append(results, r)
		if r.firstErr != nil {
			progress("  %d errors; first: %v", r.errors, r.firstErr)
		}
		return r
	}
	// measureBoth adds the latency of one client alone: the service time
	// without queueing behind the other clients.
	measureBoth := func(name string, total int, fn step) *result {
		r := measure(name, total, fn)
		prof.begin(name)
		r.solo = run(ctx, name, soloRequests(total), 1, o.opTime/4, o.seed+uint64(len(results))*104729, fn)
		prof.end(name)
		r.errors += r.solo.errors
		if r.firstErr == nil {
			r.firstErr = r.solo.firstErr
		}
		return r
	}

	// 1. Creates.
	ids := make([][]int64, o.clients)
	var newUsers sync.Map
	createFn := func(ctx context.Context, w int, r *rand.Rand) (int, time.Duration, error) {
		body := newTicketJSON(r, s, w, &newUsers)
		_, h, _, took, err := c.do(ctx, "POST", "/api/v2/tickets.json", body)
		if err != nil {
			return -1, took, err
		}
		if id := idFromLocation(h.Get("Location")); id > 0 {
			ids[w] = append(ids[w], id)
		}
		return -1, took, nil
	}
	var creates *result
	triggerNote := ""
	if o.triggers == 0 {
		creates = measure("create ticket", o.tickets, createFn)
	} else {
		// The flow of work runs as in `layan serve`; see triggers.go.
		flowCtx, stopFlow := context.WithCancel(ctx)
		flowDone := make(chan struct{})
		go func() { defer close(flowDone); a.Flow.Run(flowCtx, a.Bus, 200*time.Millisecond, time.Hour) }()
		var phases []triggerPhase
		var installed []int64
		// Warm up (connections, caches, the reader) outside the measurement.
		progress("warm-up: %d creates", max(1, o.tickets/20))
		run(ctx, "warm-up", max(1, o.tickets/20), o.clients, 0, o.seed+1, createFn)
		if _, err := waitFlow(ctx, a, 10*time.Minute); err != nil {
			stopFlow()
			return fmt.Errorf("bench api: %w", err)
		}
		for i, n := range []int{0, o.triggers, 0} {
			if n > 0 {
				progress("installing %d active triggers", n)
				if installed, err = installTriggers(ctx, a, benchTriggers(n, s.groups)); err != nil {
					stopFlow()
					return fmt.Errorf("bench api: triggers: %w", err)
				}
			} else if installed != nil {
				if err := removeTriggers(ctx, a, installed); err != nil {
					stopFlow()
					return fmt.Errorf("bench api: triggers: %w", err)
				}
				installed = nil
			}
			count := o.tickets / 3
			if i == 2 {
				count = o.tickets - 2*(o.tickets/3)
			}
			cpu0 := processCPU()
			res := measure(fmt.Sprintf("create ticket (%d triggers)", n), count, createFn)
			wait, err := waitFlow(ctx, a, 10*time.Minute)
			if err != nil {
				stopFlow()
				return fmt.Errorf("bench api: %w", err)
			}
			ph := triggerPhase{res: res, catchUp: wait, triggers: n, cpu: processCPU() - cpu0}
			if n > 0 {
				_ = a.DB.R.QueryRowContext(ctx, `SELECT COUNT(DISTINCT ticket_id) FROM ticket_tags WHERE tag >= 'trg_' AND tag < 'trh'`).Scan(&ph.matched)
			}
			res.note = fmt.Sprintf("end to end %.0f/s, %s CPU/ticket (reader done %s after the last create)", ph.endToEnd(),
				ph.cpuPerTicket().Round(time.Microsecond), wait.Round(time.Millisecond))
			phases = append(phases, ph)
			if creates == nil || res.firstErr != nil {
				creates = res
			}
		}
		stopFlow()
		<-flowDone
		triggerNote = triggerSummary(phases)
	}
	var all []int64
	for _, l := range ids {
		all = append(all, l...)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}

	// The created tickets are all there, as the API counts them.
	var counted struct {
		Count int `json:"count"`
	}
	_, _, raw, _, err := c.do(ctx, "GET", "/api/v2/tickets.json?per_page=1", nil)
	if err == nil {
		err = json.Unmarshal(raw, &counted)
	}
	if err != nil {
		return fmt.Errorf("bench api: count tickets: %w", err)
	}
	if len(all) == 0 {
		return fmt.Errorf("bench api: no ticket was created; first error: %v", creates.firstErr)
	}

	// PostgreSQL plans from statistics that autovacuum keeps (ANALYZE) and
	// answers counts from indexes alone once the visibility map is set
	// (VACUUM); a default server does both within a minute of a bulk load.
	// Do it now, on the bench's own tables only, so the reads see a steady state.
	dbNote := ""
	if a.DB.Dialect == db.Postgres {
		var av string
		_ = a.DB.W.QueryRowContext(ctx, "SHOW autovacuum").Scan(&av)
		progress("VACUUM ANALYZE of the bench schema (autovacuum is %s on this server)", av)
		t0 := time.Now()
		if err := vacuumSchema(ctx, a.DB.W); err != nil {
			return fmt.Errorf("bench api: vacuum: %w", err)
		}
		dbNote = fmt.Sprintf("VACUUM ANALYZE of the bench schema after the creates (%s), as autovacuum would do after a bulk load; autovacuum is %s on this server",
			time.Since(t0).Round(time.Millisecond), av)
	} else {
		dbNote = "SQLite as the app runs it: WAL, synchronous=NORMAL, no ANALYZE (the app runs none)"
	}

	// 2. Reads, searches and updates over the N tickets.
	get := func(path string) step {
		return func(ctx context.Context, w int, r *rand.Rand) (int, time.Duration, error) {
			_, _, body, took, err := c.do(ctx, "GET", path, nil)
			if err != nil {
				return -1, took, err
			}
			return countField(body), took, nil
		}
	}
	n := o.requests
	measureBoth("inbox page 1 (offset, 50)", n, get("/api/v2/tickets.json?per_page=50&sort_by=updated_at&sort_order=desc"))
	deep := min(100, max(1, len(all)/50))
	measureBoth(fmt.Sprintf("inbox page %d (offset, 50)", deep), n,
		get(fmt.Sprintf("/api/v2/tickets.json?per_page=50&page=%d&sort_by=updated_at&sort_order=desc", deep)))
	nextLink := make([]string, o.clients)
	depth := make([]int, o.clients)
	maxDepth := 0
	var depthMu sync.Mutex
	measureBoth("inbox cursor walk (50)", n, func(ctx context.Context, w int, r *rand.Rand) (int, time.Duration, error) {
		path := nextLink[w]
		if path == "" || depth[w] >= 200 {
			path, depth[w] = "/api/v2/tickets.json?page[size]=50&sort=-updated_at", 0
		}
		_, _, body, took, err := c.do(ctx, "GET", path, nil)
		if err != nil {
			nextLink[w] = ""
			return -1, took, err
		}
		var page struct {
			Links struct {
				Next *string `json:"next"`
			} `json:"links"`
			Tickets []struct{} `json:"tickets"`
		}
		if err := json.Unmarshal(body, &page); err != nil {
			return -1, took, err
		}
		nextLink[w] = ""
		if page.Links.Next != nil {
			nextLink[w] = *page.Links.Next
		}
		depth[w]++
		depthMu.Lock()
		maxDepth = max(maxDepth, depth[w])
		depthMu.Unlock()
		return len(page.Tickets), took, nil
	})
	results[len(results)-1].note = fmt.Sprintf("pages 1-%d via links.next", maxDepth)
	measureBoth("show ticket", n, func(ctx context.Context, w int, r *rand.Rand) (int, time.Duration, error) {
		_, _, _, took, err := c.do(ctx, "GET", "/api/v2/tickets/"+strconv.FormatInt(all[r.IntN(len(all))], 10)+".json", nil)
		return -1, took, err
	})
	search := func(query func(r *rand.Rand) string) step {
		return func(ctx context.Context, w int, r *rand.Rand) (int, time.Duration, error) {
			_, _, body, took, err := c.do(ctx, "GET", "/api/v2/search.json?query="+url.QueryEscape(query(r)), nil)
			if err != nil {
				return -1, took, err
			}
			return countField(body), took, nil
		}
	}
	measureBoth("search rare word", n, search(func(r *rand.Rand) string { return rareWords[r.IntN(len(rareWords))] })).note =
		"e.g. kestrel0; tickets, users and organisations"
	measureBoth("search type:ticket rare word", n, search(func(r *rand.Rand) string {
		return "type:ticket " + rareWords[r.IntN(len(rareWords))]
	})).note = "tickets only"
	measureBoth("search phrase", n, search(func(r *rand.Rand) string {
		l := languages[r.IntN(len(languages))]
		return `"` + l.phrases[r.IntN(len(l.phrases))] + `"`
	})).note = `e.g. "credit card", "آدرس ارسال"`
	measureBoth("search status<solved tags:X", n, search(func(r *rand.Rand) string {
		return "status<solved tags:" + searchTags[r.IntN(len(searchTags))]
	})).note = "X in vip (2%), refund, mobile, api"
	measureBoth("search assignee:none", n, search(func(r *rand.Rand) string { return "assignee:none" }))
	measureBoth("update + comment (PUT)", n, func(ctx context.Context, w int, r *rand.Rand) (int, time.Duration, error) {
		id := all[r.IntN(len(all))]
		_, _, _, took, err := c.do(ctx, "PUT", "/api/v2/tickets/"+strconv.FormatInt(id, 10)+".json", updateJSON(r, s))
		return -1, took, err
	})
	prof.stop()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if o.check != nil {
		if err := o.check(ctx, c); err != nil {
			return fmt.Errorf("bench api: check: %w", err)
		}
	}

	loadRSS := readProcStatus("VmRSS")
	peakRSS := readProcStatus("VmHWM")
	c.http.CloseIdleConnections()
	runtime.GC()
	debug.FreeOSMemory()
	gcRSS := readProcStatus("VmRSS")

	created := 0
	for _, l := range ids {
		created += len(l)
	}
	rep := report{
		engine: engine, where: where, tickets: o.tickets, clients: o.clients, requests: o.requests,
		results: results, ceilings: ceilings, idleRSS: idleRSS, idleHeap: idleHeap, loadRSS: loadRSS, gcRSS: gcRSS, peakRSS: peakRSS,
		created: created, counted: counted.Count, newUsers: syncMapLen(&newUsers), customers: len(s.customers),
		elapsed: time.Since(started), opTime: o.opTime, dbNote: dbNote, triggerNote: triggerNote,
	}
	if busy0 > 0 {
		rep.othersCPU = (machineBusy() - busy0) - (processCPU() - cpu0)
	}
	rep.print(stdout)

	var bad []string
	for _, r := range results {
		if r.errors > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d errors (first: %v)", r.name, r.errors, r.firstErr))
		}
	}
	if counted.Count != created {
		bad = append(bad, fmt.Sprintf("the API counts %d tickets, %d were created", counted.Count, created))
	}
	if len(bad) > 0 {
		return errors.New("bench api: " + strings.Join(bad, "; "))
	}
	return nil
}

// soloRequests is how many requests the one-client pass makes.
func soloRequests(n int) int { return max(10, n/5) }

// seed creates the admin and their token, groups with agents, organisations
// and customers (the requesters of most tickets).
func seed(ctx context.Context, a *app.App, seed uint64) (seeded, error) {
	sys := auth.SystemActor()
	s := seeded{adminEmail: "bench-admin@layan.bench", agents: map[int64][]int64{}}
	admin, err := a.Dir.CreateUser(ctx, sys, directory.UserInput{Name: "Bench Admin", Email: s.adminEmail, Role: auth.RoleAdmin, Verified: true})
	if err != nil {
		return s, err
	}
	if s.token, err = a.Dir.CreateToken(ctx, auth.Actor{Role: auth.RoleAdmin, System: true}, admin.ID, "bench"); err != nil {
		return s, err
	}
	for _, name := range []string{"Support", "Billing", "Shipping", "Pelanggan", "پشتیبانی"} {
		g, err := a.Dir.CreateGroup(ctx, sys, name, "")
		if err != nil {
			return s, err
		}
		s.groups = append(s.groups, g.ID)
	}
	r := rand.New(rand.NewPCG(seed, 7))
	for i := 0; i < 12; i++ {
		u, err := a.Dir.CreateUser(ctx, sys, directory.UserInput{Name: fmt.Sprintf("Agent %d", i+1),
			Email: fmt.Sprintf("agent%d@layan.bench", i+1), Role: auth.RoleAgent, Verified: true})
		if err != nil {
			return s, err
		}
		for _, gi := range []int{i % len(s.groups), r.IntN(len(s.groups))} {
			g := s.groups[gi]
			if len(s.agents[g]) > 0 && s.agents[g][len(s.agents[g])-1] == u.ID {
				continue
			}
			if err := a.Dir.AddMember(ctx, sys, u.ID, g); err != nil {
				return s, err
			}
			s.agents[g] = append(s.agents[g], u.ID)
		}
	}
	orgs := []struct{ name, domain string }{{"Acme", "acme.example"}, {"Toko Maju", "tokomaju.example"}, {"Pars Co", "parsco.example"}}
	for _, o := range orgs {
		if _, err := a.Dir.CreateOrganization(ctx, sys, directory.OrgInput{Name: o.name, DomainNames: []string{o.domain}, SharedTickets: true}); err != nil {
			return s, err
		}
	}
	first := []string{"Budi", "Siti", "Reza", "Maryam", "John", "Emma", "Ali", "Dewi", "Sara", "Omid", "Putri", "James"}
	last := []string{"Santoso", "Rahimi", "Smith", "Wijaya", "Karimi", "Brown", "Hosseini", "Lestari"}
	domains := []string{"mail.example", "acme.example", "tokomaju.example", "parsco.example", "example.net"}
	for i := 0; i < 300; i++ {
		name := first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
		email := fmt.Sprintf("customer%d@%s", i+1, domains[r.IntN(len(domains))])
		locale := []string{"en", "id", "fa"}[r.IntN(3)]
		u, err := a.Dir.CreateUser(ctx, sys, directory.UserInput{Name: name, Email: email, Role: auth.RoleEndUser, Locale: locale})
		if err != nil {
			return s, err
		}
		s.customers = append(s.customers, u.ID)
		s.emails = append(s.emails, email)
	}
	return s, nil
}

// newTicketJSON is one POST /api/v2/tickets body: mostly existing customers
// by id, some by email (found), some new people (created on the way).
func newTicketJSON(r *rand.Rand, s seeded, w int, newUsers *sync.Map) []byte {
	l := pickLanguage(r)
	t := map[string]any{
		"subject": l.subjects[r.IntN(len(l.subjects))],
		"comment": map[string]any{"body": l.body(r)},
		"tags":    pickTags(r, l),
	}
	if p := priorities[r.IntN(len(priorities))]; p != "" {
		t["priority"] = p
	}
	switch x := r.IntN(20); {
	case x == 0: // a new customer
		n := r.Uint64()
		email := fmt.Sprintf("new%d.%x@mail.example", w, n)
		newUsers.Store(email, true)
		t["requester"] = map[string]any{"name": "New Customer " + strconv.FormatUint(n%10000, 10), "email": email, "locale": l.code}
	case x == 1: // a known customer by email
		t["requester"] = map[string]any{"name": "Returning Customer", "email": s.emails[r.IntN(len(s.emails))]}
	default:
		t["requester_id"] = s.customers[r.IntN(len(s.customers))]
	}
	switch x := r.IntN(100); {
	case x < 25: // no group, unassigned
	case x < 70:
		t["group_id"] = s.groups[r.IntN(len(s.groups))]
	default:
		g := s.groups[r.IntN(len(s.groups))]
		t["group_id"] = g
		if ag := s.agents[g]; len(ag) > 0 {
			t["assignee_id"] = ag[r.IntN(len(ag))]
		}
	}
	switch x := r.IntN(10); {
	case x == 0:
		t["status"] = "pending"
	case x == 1:
		t["status"] = "solved"
	}
	b, _ := json.Marshal(map[string]any{"ticket": t})
	return b
}

// updateJSON is one PUT: a reply or an internal note, sometimes a status change.
func updateJSON(r *rand.Rand, s seeded) []byte {
	l := languages[r.IntN(len(languages))]
	t := map[string]any{"comment": map[string]any{"body": l.reply(r), "public": r.IntN(3) != 0}}
	switch x := r.IntN(10); {
	case x < 3:
		t["status"] = "pending"
	case x < 5:
		t["status"] = "open"
	case x == 5:
		t["status"] = "solved"
	}
	b, _ := json.Marshal(map[string]any{"ticket": t})
	return b
}

func idFromLocation(loc string) int64 {
	loc = strings.TrimSuffix(loc, ".json")
	id, _ := strconv.ParseInt(loc[strings.LastIndexByte(loc, '/')+1:], 10, 64)
	return id
}

// countField reads the top-level "count" of a list or search answer without
// decoding the whole page (JSON object keys are written sorted, so "count"
// comes before the tickets or results; ticket text cannot contain the quoted key unescaped).
func countField(body []byte) int {
	s := string(body)
	i := strings.Index(s, `"count":`)
	if i < 0 {
		return -1
	}
	s = s[i+len(`"count":`):]
	j := 0
	for j < len(s) && s[j] >= '0' && s[j] <= '9' {
		j++
	}
	n, err := strconv.Atoi(s[:j])
	if err != nil {
		return -1
	}
	return n
}

func basicAuth(user, pass string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+pass))
}

func syncMapLen(m *sync.Map) int {
	n := 0
	m.Range(func(any, any) bool { n++; return true })
	return n
}

// vacuumSchema runs VACUUM ANALYZE on every table of the current schema
// (never the whole database: other schemas are not ours).
func vacuumSchema(ctx context.Context, d *sql.DB) error {
	rows, err := d.QueryContext(ctx, `SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()`)
	if err != nil {
		return err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return err
		}
		tables = append(tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, t := range tables {
		if _, err := d.ExecContext(ctx, "VACUUM (ANALYZE) "+t); err != nil {
			return fmt.Errorf("%s: %w", t, err)
		}
	}
	return nil
}

// pgSchema runs one statement on the PostgreSQL server with its own connection.
func pgSchema(ctx context.Context, rawURL, stmt string) error {
	d, err := sql.Open("pgx", rawURL)
	if err != nil {
		return err
	}
	defer d.Close()
	_, err = d.ExecContext(ctx, stmt)
	return err
}

// withSearchPath points a PostgreSQL URL at one schema.
func withSearchPath(base, schema string) string {
	u, err := url.Parse(base)
	if err != nil {
		return base
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// readProcStatus returns a memory figure of /proc/self/status in bytes (0
// where there is no /proc).
func readProcStatus(key string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, key+":"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.ParseInt(f[0], 10, 64)
				return kb * 1024
			}
		}
	}
	return 0
}

// profiler writes a CPU profile of the whole load or of one operation.
type profiler struct {
	file string
	op   string
	f    *os.File
}

func (p *profiler) begin(name string) {
	if p == nil || p.f != nil || (p.op != "" && !strings.HasPrefix(name, p.op)) {
		return
	}
	f, err := os.Create(p.file)
	if err != nil {
		return
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return
	}
	p.f = f
}

func (p *profiler) end(name string) {
	if p != nil && p.op != "" && strings.HasPrefix(name, p.op) {
		p.stop()
		p.op = "\x00done" // profile one operation once
	}
}

func (p *profiler) stop() {
	if p == nil || p.f == nil {
		return
	}
	pprof.StopCPUProfile()
	p.f.Close()
	p.f = nil
}
