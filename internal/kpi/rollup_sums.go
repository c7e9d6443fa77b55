package kpi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// fromDaily adds kpi_daily's sums for buckets sp (no agent or organisation filter)
// to accs, which may hold deleted tickets' facts already, then finds the
// medians.
func (s *Service) fromDaily(ctx context.Context, accs []*acc, sp []span, f Filter) error {
	first, last := sp[0].from, sp[len(sp)-1].to
	frtBins := make([][bins]int64, len(sp))
	resBins := make([][bins]int64, len(sp))
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
	for rows.Next() {
		var day int64
		var r drow
		dst := []any{&day, &r.created, &r.frtN, &r.frtSum, &r.resN, &r.resSum, &r.fcr, &r.esc, &r.tr, &r.transfers, &r.backlog}
		for i := range r.f {
			dst = append(dst, &r.f[i])
		}
		for i := range r.r {
			dst = append(dst, &r.r[i])
		}
		if err := rows.Scan(dst...); err != nil {
			rows.Close()
			return err
		}
		deltas[day] += r.backlog
		i := bucketOf(sp, day)
		if i < 0 {
			continue
		}
		a := accs[i]
		a.created += int(r.created)
		a.frtN += int(r.frtN)
		a.frtSum += msHours(r.frtSum)
		a.resolved += int(r.resN)
		a.resSum += msHours(r.resSum)
		a.fcr += int(r.fcr)
		a.esc += int(r.esc)
		a.tr += int(r.tr)
		a.transfers += int(r.transfers)
		for j := range bins {
			frtBins[i][j] += r.f[j]
			resBins[i][j] += r.r[j]
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}

	// The volume by channel and by group, from the detailed rows (reading
	// only their created column).
	w, args = detailWhere(f, []any{f.Tag, first, last})
	rows, err = s.db.R.QueryContext(ctx, `SELECT day, channel, group_id, SUM(created)
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
		if i := bucketOf(sp, day); i >= 0 && n != 0 {
			accs[i].volCh[channel] += int(n)
			accs[i].volGr[itoa(group)] += int(n)
		}
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
	ending := map[int64][]int{}
	for i := range sp {
		ending[sp[i].to] = append(ending[sp[i].to], i)
	}
	since := after
	for d := last - 1; d >= first; d-- {
		since += deltas[d]
		for _, i := range ending[d] {
			accs[i].backlog += int(total - since)
		}
	}
	for i := range sp {
		if sp[i].to == last {
			accs[i].backlog += int(total - after)
		}
	}

	if err := s.tagVolumes(ctx, accs, sp, f); err != nil {
		return err
	}
	if err := s.resolutionCorrections(ctx, accs, sp, f, &resBins); err != nil {
		return err
	}
	if err := s.reopenings(ctx, accs, sp, f); err != nil {
		return err
	}
	frtExtra, resExtra := make([][]int64, len(sp)), make([][]int64, len(sp))
	for i, a := range accs {
		frtExtra[i], resExtra[i] = a.frtMs, a.resMs
	}
	frtMed, err := s.medians(ctx, factFirst, sp, f, frtBins, frtExtra)
	if err != nil {
		return err
	}
	resMed, err := s.medians(ctx, factResolved, sp, f, resBins, resExtra)
	if err != nil {
		return err
	}
	for i, a := range accs {
		a.frtMed, a.resMed = frtMed[i], resMed[i]
		a.frt, a.res, a.frtMs, a.resMs = nil, nil, nil, nil
	}
	return nil
}

func msHours(ms int64) float64 { return (time.Duration(ms) * time.Millisecond).Hours() }

// tagVolumes counts the volume by tag: from kpi_daily's tag rows, or with a
// tag filter from the created facts (each ticket's other tags count too).
func (s *Service) tagVolumes(ctx context.Context, accs []*acc, sp []span, f Filter) error {
	first, last := sp[0].from, sp[len(sp)-1].to
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
			if i := bucketOf(sp, day); i >= 0 && n != 0 {
				accs[i].volTag[tag] += int(n)
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
		if i := bucketOf(sp, day); i >= 0 {
			for _, t := range splitTagsText(tags) {
				accs[i].volTag[t] += int(n)
			}
		}
	}
	return rows.Err()
}

// resolutionCorrections takes back what kpi_daily counted but the period's
// end undoes: a day's resolution followed by another one in the same bucket
// (the ticket counts once, at its last), and first contact resolutions
// reopened before the bucket's end.
func (s *Service) resolutionCorrections(ctx context.Context, accs []*acc, sp []span, f Filter, resBins *[][bins]int64) error {
	first, last := sp[0].from, sp[len(sp)-1].to
	type key struct{ ticket, day int64 }
	seen := map[key]bool{}
	// Kinds (and event types) are written into the SQL, not bound: with a
	// bound kind, PostgreSQL's generic plan of the prepared statement cannot
	// tell a rare value from a common one (a 1.5 s scan for deflections).
	table, w, args := f.facts([]any{first, last})
	cols := `SELECT ticket_id, day, next_day, reopen_day, fcr, esc, tr, ms, bin FROM ` + table + ` WHERE kind = ` + itoa(factResolved)
	for _, q := range []string{
		cols + ` AND next_day IS NOT NULL AND next_day >= $1 AND next_day < $2 AND day >= $1`,
		cols + ` AND reopen_day IS NOT NULL AND reopen_day >= $1 AND reopen_day < $2 AND day >= $1`,
	} {
		rows, err := s.db.R.QueryContext(ctx, q+w, args...)
		if err != nil {
			return fmt.Errorf("kpi: read resolution corrections: %w", err)
		}
		for rows.Next() {
			var ft fact
			var next, reopen *int64
			var fcr, esc, tr, bin int64
			if err := rows.Scan(&ft.ticket, &ft.day, &next, &reopen, &fcr, &esc, &tr, &ft.ms, &bin); err != nil {
				rows.Close()
				return err
			}
			ft.fcr, ft.esc, ft.tr, ft.bin, ft.nextDay, ft.reopenDay = fcr == 1, esc == 1, tr == 1, int(bin), noDay, noDay
			if next != nil {
				ft.nextDay = *next
			}
			if reopen != nil {
				ft.reopenDay = *reopen
			}
			k := key{ft.ticket, ft.day}
			i := bucketOf(sp, ft.day)
			if seen[k] || i < 0 {
				continue
			}
			seen[k] = true
			a := accs[i]
			switch {
			case ft.nextDay != noDay && ft.nextDay < sp[i].to:
				a.resolved--
				a.resSum -= ft.hours()
				(*resBins)[i][ft.bin]--
				a.fcr -= int(b2i(ft.fcr))
				a.esc -= int(b2i(ft.esc))
				a.tr -= int(b2i(ft.tr))
			case ft.fcr && ft.reopenDay != noDay && ft.reopenDay < sp[i].to:
				a.fcr--
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// reopenings counts the distinct tickets reopened in each bucket.
func (s *Service) reopenings(ctx context.Context, accs []*acc, sp []span, f Filter) error {
	table, w, args := f.facts([]any{sp[0].from, sp[len(sp)-1].to})
	rows, err := s.db.R.QueryContext(ctx, `SELECT ticket_id, day FROM `+table+`
		WHERE kind = `+itoa(factReopened)+` AND bin = 0 AND day >= $1 AND day < $2`+w, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	seen := make([]map[int64]bool, len(sp))
	for rows.Next() {
		var t, day int64
		if err := rows.Scan(&t, &day); err != nil {
			return err
		}
		i := bucketOf(sp, day)
		if i < 0 {
			continue
		}
		if seen[i] == nil {
			seen[i] = map[int64]bool{}
		}
		if !seen[i][t] {
			seen[i][t] = true
			accs[i].reopened++
		}
	}
	return rows.Err()
}

// medians finds the exact median of each bucket's sample: the histogram
// (plus the extra samples of deleted tickets) says which bin holds the middle
// rank(s); only those bins' values are read from kpi_facts, for all buckets
// in a few queries.
func (s *Service) medians(ctx context.Context, kind int, sp []span, f Filter, hists [][bins]int64, extra [][]int64) ([]*float64, error) {
	type need struct {
		bucket, bin int
	}
	type rank struct {
		bin  int
		rank int64 // within the bin
	}
	out := make([]*float64, len(sp))
	ranks := make([][2]rank, len(sp))
	counts := make([]int64, len(sp))
	values := map[need][]float64{}
	var needs []need
	for i := range sp {
		hist := hists[i]
		for _, ms := range extra[i] {
			hist[binOf(ms)]++
		}
		var n int64
		for _, c := range hist {
			n += c
		}
		counts[i] = n
		if n <= 0 {
			continue
		}
		for k, r := range []int64{(n - 1) / 2, n / 2} {
			for j, c := range hist {
				if r < c {
					ranks[i][k] = rank{j, r}
					nd := need{i, j}
					if _, ok := values[nd]; !ok {
						values[nd] = []float64{}
						needs = append(needs, nd)
					}
					break
				}
				r -= c
			}
		}
	}
	for start := 0; start < len(needs); start += 60 {
		part := needs[start:min(start+60, len(needs))]
		// One SELECT per (bucket, bin), glued with UNION ALL: each reads its
		// own index range; an OR of the ranges made SQLite scan the kind.
		table, w, args := f.facts(nil)
		var terms []string
		for _, nd := range part {
			b := sp[nd.bucket]
			args = append(args, nd.bin, b.from, b.to)
			n := len(args)
			term := fmt.Sprintf("SELECT day, bin, ms FROM %s WHERE kind = %d AND bin = $%d AND day >= $%d AND day < $%d", table, kind, n-2, n-1, n)
			if kind == factResolved {
				term += fmt.Sprintf(" AND (next_day IS NULL OR next_day >= $%d)", n)
			}
			terms = append(terms, term+w)
		}
		rows, err := s.db.R.QueryContext(ctx, strings.Join(terms, " UNION ALL "), args...)
		if err != nil {
			return nil, fmt.Errorf("kpi: read durations: %w", err)
		}
		for rows.Next() {
			var day, bin, ms int64
			if err := rows.Scan(&day, &bin, &ms); err != nil {
				rows.Close()
				return nil, err
			}
			nd := need{bucketOf(sp, day), int(bin)}
			if vs, ok := values[nd]; ok {
				values[nd] = append(vs, msHours(ms))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for nd, vs := range values {
		for _, ms := range extra[nd.bucket] {
			if binOf(ms) == nd.bin {
				vs = append(vs, msHours(ms))
			}
		}
		slices.Sort(vs)
		values[nd] = vs
	}
	for i := range sp {
		if counts[i] <= 0 {
			continue
		}
		var v [2]float64
		for k, r := range ranks[i] {
			vs := values[need{i, r.bin}]
			if r.rank >= int64(len(vs)) {
				return nil, fmt.Errorf("kpi: rollups disagree: bin %d of kind %d holds %d values, the histogram more (rebuild them)", r.bin, kind, len(vs))
			}
			v[k] = vs[r.rank]
		}
		m := v[0]
		if counts[i]%2 == 0 {
			m = (v[0] + v[1]) / 2
		}
		out[i] = &m
	}
	return out, nil
}
