package kpi

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"layan/internal/db"
)

// kpi_daily: the facts summed per UTC day and filter dimensions. Each fact
// is added to the row of its dimensions (channel, group, language), to its
// group's row (channel and language '*') and to the row of every group
// (group -1), each with tag '' (every tag) and with each of its tags, so the
// usual reads (no filter, a group) sum one row a day; a backlog change is
// also added to day -1, the
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
	// Service levels (migration 00018): chats answered and their waits (ms),
	// chats abandoned, resolutions with work logged and its sum (ms), SLA
	// targets achieved and missed.
	asaN, asaSum, abandoned, ahtN, ahtSum, slaMet, slaMissed int64
	frtBizSum                                                int64 // first replies in business hours, ms
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
		for n := range 3 * (len(ft.tags) + 1) {
			k := dkey{day: day, channel: ft.channel, group: ft.group, lang: ft.lang}
			switch n % 3 {
			case 1: // the group's row
				k.channel, k.lang = "*", "*"
			case 2: // every group's
				k.channel, k.group, k.lang = "*", -1, "*"
			}
			if i := n/3 - 1; i >= 0 {
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
				r.frtBizSum += sign * ft.biz
				r.f[ft.bin] += sign
			case factResolved:
				r.resN += sign
				r.resSum += sign * ft.ms
				r.r[ft.bin] += sign
				r.fcr += sign * b2i(ft.fcr)
				r.esc += sign * b2i(ft.esc)
				r.tr += sign * b2i(ft.tr)
				if ft.work > 0 {
					r.ahtN += sign
					r.ahtSum += sign * ft.work
				}
			case factAnswered:
				r.asaN += sign
				r.asaSum += sign * ft.ms
			case factAbandon:
				r.abandoned += sign * ft.n
			case factSLAMet:
				r.slaMet += sign * ft.n
			case factSLAMiss:
				r.slaMissed += sign * ft.n
			case factTransfer:
				r.transfers += sign * ft.n
			case factBacklog:
				r.backlog += sign * ft.n
			}
		}
	}
}

var dailyKeyCols = []string{"tag", "day", "channel", "group_id", "lang"}

// dailySumCols are the summed columns, in drow's order.
var dailySumCols = func() []string {
	cols := []string{"created", "frt_n", "frt_sum", "res_n", "res_sum", "fcr", "esc", "tr", "transfers", "backlog"}
	for i := range bins {
		cols = append(cols, fmt.Sprintf("f%02d", i))
	}
	for i := range bins {
		cols = append(cols, fmt.Sprintf("r%02d", i))
	}
	return append(cols, "asa_n", "asa_sum", "abandoned", "aht_n", "aht_sum", "sla_met", "sla_missed", "frt_bsum")
}()

func (r *drow) values() []any {
	v := []any{r.created, r.frtN, r.frtSum, r.resN, r.resSum, r.fcr, r.esc, r.tr, r.transfers, r.backlog}
	for _, x := range r.f {
		v = append(v, x)
	}
	for _, x := range r.r {
		v = append(v, x)
	}
	return append(v, r.asaN, r.asaSum, r.abandoned, r.ahtN, r.ahtSum, r.slaMet, r.slaMissed, r.frtBizSum)
}

// targets are the scan destinations of dailySumCols, in drow's order.
func (r *drow) targets() []any {
	dst := []any{&r.created, &r.frtN, &r.frtSum, &r.resN, &r.resSum, &r.fcr, &r.esc, &r.tr, &r.transfers, &r.backlog}
	for i := range r.f {
		dst = append(dst, &r.f[i])
	}
	for i := range r.r {
		dst = append(dst, &r.r[i])
	}
	return append(dst, &r.asaN, &r.asaSum, &r.abandoned, &r.ahtN, &r.ahtSum, &r.slaMet, &r.slaMissed, &r.frtBizSum)
}

// upsertRows is the rows per kpi_daily upsert (87 parameters each).
const upsertRows = 300

// upsertDaily adds the rows to kpi_daily (ON CONFLICT adds the sums), in
// statements of up to 300 rows. Rows whose sums are all zero are skipped.
func upsertDaily(ctx context.Context, dialect db.Dialect, tx *sql.Tx, m map[dkey]*drow) error {
	cols := append(append([]string{}, dailyKeyCols...), dailySumCols...)
	var set strings.Builder
	for i, c := range dailySumCols {
		if i > 0 {
			set.WriteString(", ")
		}
		fmt.Fprintf(&set, "%s = kpi_daily.%s + excluded.%s", c, c, c)
	}
	tail := " ON CONFLICT (" + strings.Join(dailyKeyCols, ", ") + ") DO UPDATE SET " + set.String()
	statement := func(n int) string {
		var b strings.Builder
		b.WriteString("INSERT INTO kpi_daily (" + strings.Join(cols, ", ") + ") VALUES ")
		for i := range n {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + dialect.Params(i*len(cols)+1, len(cols)) + ")")
		}
		return b.String() + tail
	}
	// The full-batch statement is prepared once: parsing 300 rows of 82
	// parameters costs more than running it.
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	var batch [][]any
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		args := make([]any, 0, len(batch)*len(cols))
		for _, r := range batch {
			args = append(args, r...)
		}
		var err error
		if len(batch) == upsertRows {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, statement(upsertRows)); err != nil {
					return fmt.Errorf("kpi: update kpi_daily: %w", err)
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, statement(len(batch)), args...)
		}
		batch = batch[:0]
		if err != nil {
			return fmt.Errorf("kpi: update kpi_daily: %w", err)
		}
		return nil
	}
	// In primary-key order: the upserts then walk the table's B-tree in order.
	keys := make([]dkey, 0, len(m))
	for k, r := range m {
		if !r.zero() {
			keys = append(keys, k)
		}
	}
	slices.SortFunc(keys, func(a, b dkey) int {
		return cmp.Or(cmp.Compare(a.tag, b.tag), cmp.Compare(a.day, b.day),
			cmp.Compare(a.channel, b.channel), cmp.Compare(a.group, b.group), cmp.Compare(a.lang, b.lang))
	})
	for _, k := range keys {
		r := m[k]
		batch = append(batch, append([]any{k.tag, k.day, k.channel, k.group, k.lang}, r.values()...))
		if len(batch) == upsertRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// The kpi_facts columns, and a fact as their values.
var factCols = []string{"ticket_id", "kind", "day", "channel", "group_id", "agent_id", "org_id", "lang", "tags",
	"n", "ms", "bin", "fcr", "esc", "tr", "next_day", "reopen_day", "work_ms", "biz_ms"}

func nullDay(d int64) any {
	if d == noDay {
		return nil
	}
	return d
}

func (f fact) values() []any {
	return []any{f.ticket, int64(f.kind), f.day, f.channel, f.group, f.agent, f.org, f.lang, tagsText(f.tags),
		f.n, f.ms, int64(f.bin), b2i(f.fcr), b2i(f.esc), b2i(f.tr), nullDay(f.nextDay), nullDay(f.reopenDay), f.work, f.biz}
}

// scanFact reads a row of factCols.
func scanFact(row interface{ Scan(...any) error }) (fact, error) {
	var f fact
	var kind, bin, fcr, esc, tr int64
	var tags string
	var next, reopen *int64
	err := row.Scan(&f.ticket, &kind, &f.day, &f.channel, &f.group, &f.agent, &f.org, &f.lang, &tags,
		&f.n, &f.ms, &bin, &fcr, &esc, &tr, &next, &reopen, &f.work, &f.biz)
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

// kpi_fact_tags (migration 00019) repeats once per tag the facts that a
// tag-filtered read takes from kpi_facts, keyed by tag: its own column list,
// not factCols (columns appended to kpi_facts need not be repeated there).
var tagFactCols = []string{"tag", "kind", "bin", "day", "ticket_id", "seq", "channel", "group_id", "lang", "tags",
	"n", "ms", "fcr", "esc", "tr", "next_day", "reopen_day", "work_ms"}

// tagged reports whether a fact of this kind is read from kpi_fact_tags
// with a tag filter (transfers and backlog changes come from kpi_daily's
// tag rows alone).
func tagged(kind int) bool {
	return kind == factCreated || kind == factFirst || kind == factResolved || kind == factReopened
}

// tagRows appends the kpi_fact_tags rows of one ticket's facts (in the
// order extract returned them: seq is the place in that list).
func tagRows(out [][]any, facts []fact) [][]any {
	for seq, f := range facts {
		if !tagged(f.kind) || len(f.tags) == 0 {
			continue
		}
		text := tagsText(f.tags)
		for _, t := range f.tags {
			out = append(out, []any{t, int64(f.kind), int64(f.bin), f.day, f.ticket, int64(seq), f.channel, f.group, f.lang, text,
				f.n, f.ms, b2i(f.fcr), b2i(f.esc), b2i(f.tr), nullDay(f.nextDay), nullDay(f.reopenDay), f.work})
		}
	}
	return out
}
