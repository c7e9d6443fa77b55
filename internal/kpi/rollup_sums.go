package kpi

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// fromDaily adds kpi_daily's sums for the layouts' buckets (no agent or
// organisation filter) to their accs, which may hold deleted tickets' facts
// already, then finds the medians. The reads are independent (each fills
// its own fields of the accs) and run side by side; the corrections are
// applied to the sums once both are read.
func (s *Service) fromDaily(ctx context.Context, ls []*layout, f Filter) error {
	frtBins := make([][][bins]int64, len(ls)) // per layout and bucket
	resBins := make([][][bins]int64, len(ls))
	for k, l := range ls {
		frtBins[k], resBins[k] = make([][bins]int64, len(l.sp)), make([][bins]int64, len(l.sp))
	}
	var fixes []fix
	err := parallel(
		func() error { return s.dailySums(ctx, ls, f, frtBins, resBins) },
		func() error { return s.channelGroupVolumes(ctx, ls, f) },
		func() error { return s.tagVolumes(ctx, ls, f) },
		func() error {
			var err error
			fixes, err = s.resolutionCorrections(ctx, ls, f)
			return err
		},
		func() error { return s.reopenings(ctx, ls, f) },
	)
	if err != nil {
		return err
	}
	applyCorrections(ls, fixes, resBins)
	for k, l := range ls {
		frtExtra, resExtra := make([][]int64, len(l.sp)), make([][]int64, len(l.sp))
		for i, a := range l.accs {
			frtExtra[i], resExtra[i] = a.frtMs, a.resMs
		}
		frtBins[k] = addExtra(frtBins[k], frtExtra)
		resBins[k] = addExtra(resBins[k], resExtra)
	}
	var frtMed, resMed [][]*float64
	err = parallel(
		func() error {
			var err error
			frtMed, err = s.medians(ctx, factFirst, ls, f, frtBins, func(l *layout, i int) []int64 { return l.accs[i].frtMs })
			return err
		},
		func() error {
			var err error
			resMed, err = s.medians(ctx, factResolved, ls, f, resBins, func(l *layout, i int) []int64 { return l.accs[i].resMs })
			return err
		},
	)
	if err != nil {
		return err
	}
	for k, l := range ls {
		for i, a := range l.accs {
			a.frtMed, a.resMed = frtMed[k][i], resMed[k][i]
			a.frt, a.res, a.frtMs, a.resMs = nil, nil, nil, nil
		}
	}
	return nil
}

// parallel runs the functions side by side and returns their errors.
func parallel(fns ...func() error) error {
	errs := make([]error, len(fns))
	var wg sync.WaitGroup
	for i, fn := range fns {
		wg.Go(func() { errs[i] = fn() })
	}
	wg.Wait()
	return errors.Join(errs...)
}

// dailySums adds kpi_daily's sums per day (the counts, the durations' sums
// and histograms) and the backlog at each bucket's end.
func (s *Service) dailySums(ctx context.Context, ls []*layout, f Filter, frtBins, resBins [][][bins]int64) error {
	first, last := extent(ls)
	deltas := map[int64]int64{} // backlog changes per day in [first, last)

	// Sums per day.
	w, args := f.dailyWhere([]any{f.Tag, first, last})
	sums := make([]string, len(dailySumCols))
	for i, c := range dailySumCols {
		sums[i] = "SUM(" + c + ")"
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, `+strings.Join(sums, ", ")+`
		FROM kpi_daily WHERE tag = $1 AND day >= $2 AND day < $3`+w+` GROUP BY day`, args...)
	if err != nil {
		return fmt.Errorf("kpi: read kpi_daily: %w", err)
	}
	var r drow
	dst := append([]any{new(int64)}, r.targets()...) // the day, then dailySumCols
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return err
		}
		day := *dst[0].(*int64)
		deltas[day] += r.backlog
		at(ls, day, func(k, i int, a *acc) {
			a.created += int(r.created)
			a.frtN += int(r.frtN)
			a.frtSum += msHours(r.frtSum)
			a.frtBizSum += msHours(r.frtBizSum)
			a.resolved += int(r.resN)
			a.resSum += msHours(r.resSum)
			a.fcr += int(r.fcr)
			a.esc += int(r.esc)
			a.tr += int(r.tr)
			a.transfers += int(r.transfers)
			a.asaN += int(r.asaN)
			a.asaSum += r.asaSum
			a.abandoned += int(r.abandoned)
			a.ahtN += int(r.ahtN)
			a.ahtSum += r.ahtSum
			a.slaMet += int(r.slaMet)
			a.slaMissed += int(r.slaMissed)
			for j := range bins {
				frtBins[k][i][j] += r.f[j]
				resBins[k][i][j] += r.r[j]
			}
		})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// The backlog at each bucket's end: the running total minus the changes since.
	var total, after int64
	w, args = f.dailyWhere([]any{f.Tag, last})
	if err := s.db.R.QueryRowContext(ctx, `SELECT
		(SELECT COALESCE(SUM(backlog), 0) FROM kpi_daily WHERE tag = $1 AND day = -1`+w+`),
		(SELECT COALESCE(SUM(backlog), 0) FROM kpi_daily WHERE tag = $1 AND day >= $2`+w+`)`, args...).Scan(&total, &after); err != nil {
		return fmt.Errorf("kpi: read the backlog: %w", err)
	}
	backlogAt := map[int64]int64{last: total - after} // at the start of each day in (first, last]
	since := after
	for d := last - 1; d > first; d-- {
		since += deltas[d]
		backlogAt[d] = total - since
	}
	for _, l := range ls {
		for i := range l.sp {
			l.accs[i].backlog += int(backlogAt[l.sp[i].to])
		}
	}
	return nil
}

// channelGroupVolumes adds the volume by channel and by group.
func (s *Service) channelGroupVolumes(ctx context.Context, ls []*layout, f Filter) error {
	first, last := extent(ls)
	// The volume by channel and by group, from the detailed rows (reading
	// only their created column).
	w, args := detailWhere(f, []any{f.Tag, first, last})
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, channel, group_id, SUM(created)
		FROM kpi_daily WHERE tag = $1 AND day >= $2 AND day < $3`+w+` GROUP BY day, channel, group_id`, args...)
	if err != nil {
		return fmt.Errorf("kpi: read kpi_daily: %w", err)
	}
	for rows.Next() {
		var day, group, n int64
		var channel string
		if err := rows.Scan(&day, &channel, &group, &n); err != nil {
			rows.Close()
			return err
		}
		if n == 0 {
			continue
		}
		g := itoa(group)
		at(ls, day, func(_, _ int, a *acc) {
			a.volCh[channel] += int(n)
			a.volGr[g] += int(n)
		})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return nil
}

// addExtra adds the durations of deleted tickets' facts (counted from a
// replay) to the buckets' histograms.
func addExtra(hists [][bins]int64, extra [][]int64) [][bins]int64 {
	for i, ms := range extra {
		for _, v := range ms {
			hists[i][binOf(v)]++
		}
	}
	return hists
}

func msHours(ms int64) float64 { return (time.Duration(ms) * time.Millisecond).Hours() }

// tagVolumes counts the volume by tag: from kpi_daily's tag rows, or with a
// tag filter from that tag's created facts (each ticket's other tags count too).
func (s *Service) tagVolumes(ctx context.Context, ls []*layout, f Filter) error {
	first, last := extent(ls)
	if f.Tag == "" {
		w, args := f.dailyWhere([]any{first, last})
		rows, err := s.db.R.QueryContext(ctx, `SELECT day, tag, SUM(created) FROM kpi_daily
			WHERE day >= $1 AND day < $2 AND tag <> ''`+w+` GROUP BY day, tag`, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var day, n int64
			var tag string
			if err := rows.Scan(&day, &tag, &n); err != nil {
				return err
			}
			if n != 0 {
				at(ls, day, func(_, _ int, a *acc) { a.volTag[tag] += int(n) })
			}
		}
		return rows.Err()
	}
	table, w, args := f.facts([]any{first, last})
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, tags, n FROM `+table+`
		WHERE kind = `+itoa(factCreated)+` AND bin = 0 AND day >= $1 AND day < $2`+w, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day, n int64
		var tags string
		if err := rows.Scan(&day, &tags, &n); err != nil {
			return err
		}
		ts := splitTagsText(tags)
		at(ls, day, func(_, _ int, a *acc) {
			for _, t := range ts {
				a.volTag[t] += int(n)
			}
		})
	}
	return rows.Err()
}

// resolutionCorrections takes back what kpi_daily counted but the period's
// end undoes: a day's resolution followed by another one in the same bucket
// (the ticket counts once, at its last), and first contact resolutions
// reopened before the bucket's end. It returns the facts that may
// correct a bucket (applyCorrections applies them once the sums are read).
func (s *Service) resolutionCorrections(ctx context.Context, ls []*layout, f Filter) ([]fix, error) {
	first, last := extent(ls)
	type key struct{ ticket, day int64 }
	seen := map[key]bool{}
	var out []fix
	// Kinds (and event types) are written into the SQL, not bound: with a
	// bound kind, PostgreSQL's generic plan of the prepared statement cannot
	// tell a rare value from a common one (a 1.5 s scan for deflections).
	table, w, args := f.facts([]any{first, last})
	cols := `SELECT ticket_id, day, next_day, reopen_day, fcr, esc, tr, ms, bin, work_ms FROM ` + table + ` WHERE kind = ` + itoa(factResolved)
	for _, q := range []string{
		cols + ` AND next_day IS NOT NULL AND next_day >= $1 AND next_day < $2 AND day >= $1`,
		cols + ` AND reopen_day IS NOT NULL AND reopen_day >= $1 AND reopen_day < $2 AND day >= $1`,
	} {
		rows, err := s.db.R.QueryContext(ctx, q+w, args...)
		if err != nil {
			return nil, fmt.Errorf("kpi: read resolution corrections: %w", err)
		}
		for rows.Next() {
			var ticket int64
			var x fix
			var next, reopen sql.NullInt64
			if err := rows.Scan(&ticket, &x.day, &next, &reopen, &x.fcr, &x.esc, &x.tr, &x.ms, &x.bin, &x.work); err != nil {
				rows.Close()
				return nil, err
			}
			x.nextDay, x.reopenDay = noDay, noDay
			if next.Valid {
				x.nextDay = next.Int64
			}
			if reopen.Valid {
				x.reopenDay = reopen.Int64
			}
			k := key{ticket, x.day}
			if seen[k] {
				continue
			}
			seen[k] = true
			out = append(out, x)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fix is a resolution fact as the corrections read it.
type fix struct {
	day, nextDay, reopenDay, ms, bin, work int64
	fcr, esc, tr                           int64 // 0 or 1
}

// applyCorrections takes the superseded resolutions and the lost first
// contact resolutions out of the buckets' sums.
func applyCorrections(ls []*layout, fixes []fix, resBins [][][bins]int64) {
	for _, x := range fixes {
		at(ls, x.day, func(k, i int, a *acc) {
			end := ls[k].sp[i].to
			switch {
			case x.nextDay != noDay && x.nextDay < end:
				a.resolved--
				a.resSum -= msHours(x.ms)
				resBins[k][i][x.bin]--
				a.fcr -= int(x.fcr)
				a.esc -= int(x.esc)
				a.tr -= int(x.tr)
				a.takeWork(x.work, -1)
			case x.fcr == 1 && x.reopenDay != noDay && x.reopenDay < end:
				a.fcr--
			}
		})
	}
}

// reopenings counts the distinct tickets reopened in each bucket.
func (s *Service) reopenings(ctx context.Context, ls []*layout, f Filter) error {
	first, last := extent(ls)
	table, w, args := f.facts([]any{first, last})
	rows, err := s.db.R.QueryContext(ctx, `SELECT ticket_id, day FROM `+table+`
		WHERE kind = `+itoa(factReopened)+` AND bin = 0 AND day >= $1 AND day < $2`+w, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	type key struct{ layout, bucket int }
	seen := map[key]map[int64]bool{}
	for rows.Next() {
		var t, day int64
		if err := rows.Scan(&t, &day); err != nil {
			return err
		}
		at(ls, day, func(k, i int, a *acc) {
			m := seen[key{k, i}]
			if m == nil {
				m = map[int64]bool{}
				seen[key{k, i}] = m
			}
			if !m[t] {
				m[t] = true
				a.reopened++
			}
		})
	}
	return rows.Err()
}

// medians finds the exact median of each bucket's sample: the histogram
// (with the extra samples of deleted tickets, extra) says which bin holds
// the middle rank(s); only those bins' values are read from the facts. The
// day ranges asked of one bin by all buckets of all layouts are merged, so
// each bin's rows are read once, in a few queries.
func (s *Service) medians(ctx context.Context, kind int, ls []*layout, f Filter, hists [][][bins]int64, extra func(*layout, int) []int64) ([][]*float64, error) {
	type need struct{ layout, bucket, bin int }
	type rank struct {
		bin  int
		rank int64 // within the bin
	}
	out := make([][]*float64, len(ls))
	ranks := make([][][2]rank, len(ls))
	counts := make([][]int64, len(ls))
	values := map[need][]float64{}
	ranges := map[int][]span{} // per bin, the day ranges to read
	for k, l := range ls {
		out[k], ranks[k], counts[k] = make([]*float64, len(l.sp)), make([][2]rank, len(l.sp)), make([]int64, len(l.sp))
		for i := range l.sp {
			hist := hists[k][i]
			var n int64
			for _, c := range hist {
				n += c
			}
			counts[k][i] = n
			if n <= 0 {
				continue
			}
			for h, r := range []int64{(n - 1) / 2, n / 2} {
				for j, c := range hist {
					if r < c {
						ranks[k][i][h] = rank{j, r}
						nd := need{k, i, j}
						if _, ok := values[nd]; !ok {
							values[nd] = []float64{}
							ranges[j] = append(ranges[j], l.sp[i])
						}
						break
					}
					r -= c
				}
			}
		}
	}
	type term struct {
		bin int
		span
	}
	var terms []term
	for j, rs := range ranges {
		slices.SortFunc(rs, func(a, b span) int { return cmp.Compare(a.from, b.from) })
		cur := rs[0]
		for _, r := range rs[1:] {
			if r.from <= cur.to {
				cur.to = max(cur.to, r.to)
				continue
			}
			terms = append(terms, term{j, cur})
			cur = r
		}
		terms = append(terms, term{j, cur})
	}
	slices.SortFunc(terms, func(a, b term) int { return cmp.Or(cmp.Compare(a.bin, b.bin), cmp.Compare(a.from, b.from)) })
	for start := 0; start < len(terms); start += 60 {
		part := terms[start:min(start+60, len(terms))]
		// One SELECT per (bin, days), glued with UNION ALL: each reads its
		// own index range; an OR of the ranges made SQLite scan the kind.
		table, w, args := f.facts(nil)
		var qs []string
		for _, t := range part {
			args = append(args, t.bin, t.from, t.to)
			n := len(args)
			qs = append(qs, fmt.Sprintf("SELECT day, bin, ms, next_day FROM %s WHERE kind = %d AND bin = $%d AND day >= $%d AND day < $%d", table, kind, n-2, n-1, n)+w)
		}
		rows, err := s.db.R.QueryContext(ctx, strings.Join(qs, " UNION ALL "), args...)
		if err != nil {
			return nil, fmt.Errorf("kpi: read durations: %w", err)
		}
		for rows.Next() {
			var day, bin, ms int64
			var next *int64
			if err := rows.Scan(&day, &bin, &ms, &next); err != nil {
				rows.Close()
				return nil, err
			}
			for k, l := range ls {
				i := bucketOf(l.sp, day)
				if i < 0 {
					continue
				}
				// A resolution followed by another in the bucket is not its last.
				if kind == factResolved && next != nil && *next < l.sp[i].to {
					continue
				}
				nd := need{k, i, int(bin)}
				if vs, ok := values[nd]; ok {
					values[nd] = append(vs, msHours(ms))
				}
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for nd, vs := range values {
		for _, ms := range extra(ls[nd.layout], nd.bucket) {
			if binOf(ms) == nd.bin {
				vs = append(vs, msHours(ms))
			}
		}
		slices.Sort(vs)
		values[nd] = vs
	}
	for k := range ls {
		for i := range ls[k].sp {
			if counts[k][i] <= 0 {
				continue
			}
			var v [2]float64
			for h, r := range ranks[k][i] {
				vs := values[need{k, i, r.bin}]
				if r.rank >= int64(len(vs)) {
					return nil, fmt.Errorf("kpi: rollups disagree: bin %d of kind %d holds %d values, the histogram more (rebuild them)", r.bin, kind, len(vs))
				}
				v[h] = vs[r.rank]
			}
			m := v[0]
			if counts[k][i]%2 == 0 {
				m = (v[0] + v[1]) / 2
			}
			out[k][i] = &m
		}
	}
	return out, nil
}
