package bench

import (
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"time"
)

type report struct {
	engine, where              string
	tickets, clients, requests int
	results                    []*result
	ceilings                   []ceiling
	idleRSS, loadRSS, gcRSS    int64
	peakRSS                    int64
	idleHeap                   int64
	dbNote                     string
	created, counted           int
	newUsers, customers        int
	elapsed                    time.Duration
	opTime                     time.Duration
	othersCPU                  time.Duration // CPU time other processes used during the run
	triggerNote                string        // --triggers: the creation comparison (triggers.go)
}

func (rp report) print(w io.Writer) {
	fmt.Fprintf(w, "layan bench api: %s, %d tickets, %d clients, GOMAXPROCS=%d, %s %s/%s, %d CPUs\n",
		rp.engine, rp.tickets, rp.clients, runtime.GOMAXPROCS(0), runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU())
	fmt.Fprintf(w, "database: %s\n", rp.where)
	if rp.dbNote != "" {
		fmt.Fprintln(w, rp.dbNote)
	}
	fmt.Fprintln(w)

	// The ceilings the creates are compared with: ceilings[0..3] are plain
	// and full-text, 1 writer then C writers (see measureCeilings).
	pct := func(v float64, c ceiling) string {
		if c.rate() <= 0 {
			return "-"
		}
		return fmt.Sprintf("%.0f%%", 100*v/c.rate())
	}
	rows := [][]string{{"operation", "count", "errors", "req/s", "p50", "p99", "1-client p50", "1-client p99", "CPU/req", "matches", "notes"}}
	for _, r := range rp.results {
		matches := ""
		if r.matchN > 0 {
			matches = commas(int64(float64(r.matches)/float64(r.matchN) + 0.5))
		}
		note := r.note
		if strings.HasPrefix(r.name, "create") && len(rp.ceilings) == 4 {
			v := r.throughput()
			note = fmt.Sprintf("of raw insert: %s (1 writer), %s (%d); of raw + FTS: %s, %s",
				pct(v, rp.ceilings[0]), pct(v, rp.ceilings[2]), rp.ceilings[2].workers, pct(v, rp.ceilings[1]), pct(v, rp.ceilings[3]))
			if r.note != "" {
				note = r.note + "; " + note
			}
		}
		rows = append(rows, []string{r.name, commas(int64(r.count)), strconv.Itoa(r.errors), commas(int64(r.throughput() + 0.5)),
			ms(r.pct(50)), ms(r.pct(99)), solo(r, 50), solo(r, 99), ms(r.cpuPerRequest()), matches, note})
	}
	table(w, rows)
	if rp.triggerNote != "" {
		fmt.Fprintln(w)
		fmt.Fprintln(w, rp.triggerNote)
	}

	fmt.Fprintln(w)
	fmt.Fprintln(w, "raw ceiling (same run, same database, the app's writer pool; one INSERT per transaction):")
	for _, c := range rp.ceilings {
		who := "1 writer"
		if c.workers > 1 {
			who = fmt.Sprintf("%d writers", c.workers)
		}
		fmt.Fprintf(w, "  %-32s %-10s %9s rows/s  (%s rows in %s)\n", c.name, who, commas(int64(c.rate()+0.5)),
			commas(int64(c.rows)), c.elapsed.Round(time.Millisecond))
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "CPU/req: CPU time (user + system) of the whole process, server and load clients, per request of the %d-client run; "+
		"%d cores give at most %d s of CPU per second\n", rp.clients, runtime.NumCPU(), runtime.NumCPU())
	others := "other processes"
	if rp.engine == "postgres" {
		fmt.Fprintln(w, "  (PostgreSQL's own CPU is not in CPU/req: it runs in its server processes, counted below among the other processes)")
		others = "other processes, the PostgreSQL server among them,"
	}
	if rp.othersCPU > 0 && rp.elapsed > 0 {
		fmt.Fprintf(w, "machine: %s used %.0f%% of the %d cores' time during the run (%s CPU in %s); latency and req/s shrink with it, CPU/req hardly\n",
			others, 100*rp.othersCPU.Seconds()/(rp.elapsed.Seconds()*float64(runtime.NumCPU())), runtime.NumCPU(),
			rp.othersCPU.Round(time.Second), rp.elapsed.Round(time.Second))
	}
	fmt.Fprintf(w, "memory (whole process: server and load clients): idle RSS %s (server started and seeded, after GC; Go heap in use %s); "+
		"RSS after load %s, after GC %s; peak RSS (VmHWM) %s\n", mb(rp.idleRSS), mb(rp.idleHeap), mb(rp.loadRSS), mb(rp.gcRSS), mb(rp.peakRSS))
	fmt.Fprintf(w, "tickets: %s created, %s counted by GET /api/v2/tickets; requesters: %d seeded customers + %s created on the way\n",
		commas(int64(rp.created)), commas(int64(rp.counted)), rp.customers, commas(int64(rp.newUsers)))
	fmt.Fprintf(w, "latency: per request at the client; p50/p99 with %d clients in a closed loop (up to %s requests or %s per operation after the creates), "+
		"1-client p50/p99 from up to %s more requests by one client alone (service time without queueing); total time %s\n",
		rp.clients, commas(int64(rp.requests)), rp.opTime, commas(int64(soloRequests(rp.requests))), rp.elapsed.Round(time.Second))
}

func solo(r *result, p float64) string {
	if r.solo == nil || r.solo.count == 0 {
		return "-"
	}
	return ms(r.solo.pct(p))
}

// numeric columns are right-aligned.
func numeric(col int) bool { return col >= 1 && col <= 9 }

// table prints rows as a Markdown table with aligned columns.
func table(w io.Writer, rows [][]string) {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	line := func(r []string) {
		var b strings.Builder
		b.WriteString("|")
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-len([]rune(c)))
			if numeric(i) {
				b.WriteString(" " + pad + c + " |")
			} else {
				b.WriteString(" " + c + pad + " |")
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	line(rows[0])
	var sep strings.Builder
	sep.WriteString("|")
	for i, n := range width {
		if numeric(i) {
			sep.WriteString(strings.Repeat("-", n+1) + ":|")
		} else {
			sep.WriteString(strings.Repeat("-", n+2) + "|")
		}
	}
	fmt.Fprintln(w, sep.String())
	for _, r := range rows[1:] {
		line(r)
	}
}

func ms(d time.Duration) string {
	v := float64(d) / float64(time.Millisecond)
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f ms", v)
	case v < 100:
		return fmt.Sprintf("%.1f ms", v)
	}
	return fmt.Sprintf("%.0f ms", v)
}

func mb(b int64) string {
	if b <= 0 {
		return "n/a"
	}
	return fmt.Sprintf("%.1f MB", float64(b)/(1<<20))
}

func commas(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
