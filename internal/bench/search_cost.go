package bench

import (
	"context"
	"os"
	"strconv"
	"strings"
	"time"

	"layan/internal/db"
	"layan/internal/kb"
)

// searchAppName tags the bench's PostgreSQL connections, so the server's CPU
// spent on them can be told from that of other clients of the same server.
const searchAppName = "layan-bench-search"

// cost is a snapshot of the CPU used so far by this process and by the
// bench's database backends, and of the statements searches have sent.
// Differences of two snapshots divided by the searches made between
// them give a per-search cost that, unlike latency, hardly moves when other
// jobs load the machine.
type cost struct {
	proc    time.Duration // this process (on SQLite: the database too)
	backend time.Duration // PostgreSQL: the bench's server processes
	stmts   int64         // statements the searches sent (round trips on PostgreSQL)
}

func costNow(ctx context.Context, d *db.DB, svc *kb.Service) cost {
	c := cost{proc: processCPU(), stmts: svc.SearchStatements()}
	if d.Dialect != db.Postgres {
		return c
	}
	rows, err := d.R.QueryContext(ctx, `SELECT pid FROM pg_stat_activity WHERE application_name = $1`, searchAppName)
	if err == nil {
		for rows.Next() {
			var pid int
			if rows.Scan(&pid) == nil {
				c.backend += pidCPU(pid)
			}
		}
		rows.Close()
	}
	return c
}

// pidCPU is the user + system CPU time of a process from /proc (0 where it
// cannot be read, e.g. a database on another host).
func pidCPU(pid int) time.Duration {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	// The command name in parentheses may hold spaces: fields count from ')'.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * time.Second / 100 // USER_HZ
}

func withAppName(url string) string {
	if !strings.HasPrefix(url, "postgres") || strings.Contains(url, "application_name=") {
		return url
	}
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "application_name=" + searchAppName
}
