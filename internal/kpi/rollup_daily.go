package kpi

import (
	"context"
	"fmt"
	"strings"

	"layan/internal/db"
)

// kpi_daily: the facts summed per UTC day and filter dimensions. Each fact
// is added to the row of its dimensions with tag '' (every tag) and to the
// row of each of its tags, each with its agent and with agent -1 (every
// agent); a backlog change is also added to day -1, the
// running total, so the backlog at a date is the total minus the changes
// since (usually a few days).

type dkey struct {
	day          int64
	tag, channel string
	group, agent int64
	lang         string
}

type drow struct {
	created, frtN, frtSum, resN, resSum, fcr, esc, tr, transfers, backlog int64
	f, r                                                                  [bins]int64
}

func (r *drow) zero() bool { return *r == drow{} }

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// addDaily adds sign × the fact to the rows it belongs to.
func addDaily(m map[dkey]*drow, ft fact, sign int64) {
	if ft.kind == factReopened {
		return // counted per distinct ticket, from kpi_facts
	}
	days := []int64{ft.day}
	if ft.kind == factBacklog {
		days = append(days, -1)
	}
	for _, day := range days {
		for n := range 2 * (len(ft.tags) + 1) {
			i, agent := n/2-1, ft.agent
			if n%2 == 1 {
				agent = -1
			}
			k := dkey{day: day, channel: ft.channel, group: ft.group, agent: agent, lang: ft.lang}
			if i >= 0 {
				k.tag = ft.tags[i]
			}
			r := m[k]
			if r == nil {
				r = &drow{}
				m[k] = r
			}
			switch ft.kind {
			case factCreated:
				r.created += sign * ft.n
			case factFirst:
				r.frtN += sign
				r.frtSum += sign * ft.ms
				r.f[ft.bin] += sign
			case factResolved:
				r.resN += sign
				r.resSum += sign * ft.ms
				r.r[ft.bin] += sign
				r.fcr += sign * b2i(ft.fcr)
				r.esc += sign * b2i(ft.esc)
				r.tr += sign * b2i(ft.tr)
			case factTransfer:
				r.transfers += sign * ft.n
			case factBacklog:
				r.backlog += sign * ft.n
			}
		}
	}
}

var dailyKeyCols = []string{"tag", "agent_id", "day", "channel", "group_id", "lang"}

// dailySumCols are the summed columns, in drow's order.
var dailySumCols = func() []string {
	cols := []string{"created", "frt_n", "frt_sum", "res_n", "res_sum", "fcr", "esc", "tr", "transfers", "backlog"}
	for i := range bins {
		cols = append(cols, fmt.Sprintf("f%02d", i))
	}
	for i := range bins {
		cols = append(cols, fmt.Sprintf("r%02d", i))
	}
	return cols
}()

func (r *drow) values() []any {
	v := []any{r.created, r.frtN, r.frtSum, r.resN, r.resSum, r.fcr, r.esc, r.tr, r.transfers, r.backlog}
	for _, x := range r.f {
		v = append(v, x)
	}
	for _, x := range r.r {
		v = append(v, x)
	}
	return v
}

// upsertDaily adds the rows to kpi_daily (ON CONFLICT adds the sums), in
// statements of up to 300 rows. Rows whose sums are all zero are skipped.
func upsertDaily(ctx context.Context, dialect db.Dialect, q db.Querier, m map[dkey]*drow) error {
	cols := append(append([]string{}, dailyKeyCols...), dailySumCols...)
	var set strings.Builder
	for i, c := range dailySumCols {
		if i > 0 {
			set.WriteString(", ")
		}
		fmt.Fprintf(&set, "%s = kpi_daily.%s + excluded.%s", c, c, c)
	}
	tail := " ON CONFLICT (" + strings.Join(dailyKeyCols, ", ") + ") DO UPDATE SET " + set.String()
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		var b strings.Builder
		b.WriteString("INSERT INTO kpi_daily (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(batch)*len(cols))
		for i, r := range batch {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + dialect.Params(i*len(cols)+1, len(cols)) + ")")
			args = append(args, r...)
		}
		b.WriteString(tail)
		batch = batch[:0]
		if _, err := q.ExecContext(ctx, b.String(), args...); err != nil {
			return fmt.Errorf("kpi: update kpi_daily: %w", err)
		}
		return nil
	}
	for k, r := range m {
		if r.zero() {
			continue
		}
		batch = append(batch, append([]any{k.tag, k.agent, k.day, k.channel, k.group, k.lang}, r.values()...))
		if len(batch) == 300 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// The kpi_facts columns, and a fact as their values.
var factCols = []string{"ticket_id", "kind", "day", "channel", "group_id", "agent_id", "org_id", "lang", "tags",
	"n", "ms", "bin", "fcr", "esc", "tr", "next_day", "reopen_day"}

func nullDay(d int64) any {
	if d == noDay {
		return nil
	}
	return d
}

func (f fact) values() []any {
	return []any{f.ticket, int64(f.kind), f.day, f.channel, f.group, f.agent, f.org, f.lang, tagsText(f.tags),
		f.n, f.ms, int64(f.bin), b2i(f.fcr), b2i(f.esc), b2i(f.tr), nullDay(f.nextDay), nullDay(f.reopenDay)}
}

// scanFact reads a row of factCols.
func scanFact(row interface{ Scan(...any) error }) (fact, error) {
	var f fact
	var kind, bin, fcr, esc, tr int64
	var tags string
	var next, reopen *int64
	err := row.Scan(&f.ticket, &kind, &f.day, &f.channel, &f.group, &f.agent, &f.org, &f.lang, &tags,
		&f.n, &f.ms, &bin, &fcr, &esc, &tr, &next, &reopen)
	f.kind, f.bin, f.fcr, f.esc, f.tr = int(kind), int(bin), fcr == 1, esc == 1, tr == 1
	f.tags = splitTagsText(tags)
	f.nextDay, f.reopenDay = noDay, noDay
	if next != nil {
		f.nextDay = *next
	}
	if reopen != nil {
		f.reopenDay = *reopen
	}
	return f, err
}

func splitTagsText(s string) []string { return strings.Fields(s) }
