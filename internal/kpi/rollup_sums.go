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

	// Sums per day, channel and group (the volume breakdowns).
	w, args := f.where([]any{f.Tag, first, last}, false)
	sums := make([]string, len(dailySumCols))
	for i, c := range dailySumCols {
		sums[i] = "SUM(" + c + ")"
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, channel, group_id, `+strings.Join(sums, ", ")+`
		FROM kpi_daily WHERE tag = $1 AND day >= $2 AND day < $3`+w+` GROUP BY day, channel, group_id`, args...)
	if err != nil {
		return fmt.Errorf("kpi: read kpi_daily: %w", err)
	}
	for rows.Next() {
		var day, group int64
		var channel string
		var r drow
		dst := []any{&day, &channel, &group, &r.created, &r.frtN, &r.frtSum, &r.resN, &r.resSum, &r.fcr, &r.esc, &r.tr, &r.transfers, &r.backlog}
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
		if r.created != 0 {
			a.volCh[channel] += int(r.created)
			a.volGr[itoa(group)] += int(r.created)
		}
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

	// The backlog at each bucket's end: the running total minus the changes since.
	var total, after int64
	w, args = f.where([]any{f.Tag, last}, false)
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
	for i := range sp {
		a := accs[i]
		var err error
		if a.frtMed, err = s.medianFromBins(ctx, factFirst, sp[i], f, frtBins[i], a.frtMs); err != nil {
			return err
		}
		if a.resMed, err = s.medianFromBins(ctx, factResolved, sp[i], f, resBins[i], a.resMs); err != nil {
			return err
		}
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
		w, args := f.where([]any{first, last}, false)
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
	w, args := f.factWhere([]any{factCreated, first, last})
	rows, err := s.db.R.QueryContext(ctx, `SELECT day, tags, n FROM kpi_facts
		WHERE kind = $1 AND bin = 0 AND day >= $2 AND day < $3`+w, args...)
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
	for _, q := range []string{
		`SELECT ` + joinCols(factCols) + ` FROM kpi_facts WHERE kind = $1 AND next_day >= $2 AND next_day < $3 AND day >= $2`,
		`SELECT ` + joinCols(factCols) + ` FROM kpi_facts WHERE kind = $1 AND reopen_day >= $2 AND reopen_day < $3 AND day >= $2`,
	} {
		w, args := f.factWhere([]any{factResolved, first, last})
		rows, err := s.db.R.QueryContext(ctx, q+w, args...)
		if err != nil {
			return fmt.Errorf("kpi: read resolution corrections: %w", err)
		}
		for rows.Next() {
			ft, err := scanFact(rows)
			if err != nil {
				rows.Close()
				return err
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
	w, args := f.factWhere([]any{factReopened, sp[0].from, sp[len(sp)-1].to})
	rows, err := s.db.R.QueryContext(ctx, `SELECT ticket_id, day FROM kpi_facts
		WHERE kind = $1 AND bin = 0 AND day >= $2 AND day < $3`+w, args...)
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

// medianFromBins finds the exact median of a bucket's sample: the histogram
// (plus the extra samples of deleted tickets) says which bin holds the middle
// rank(s); only that bin's values are read from kpi_facts.
func (s *Service) medianFromBins(ctx context.Context, kind int, b span, f Filter, hist [bins]int64, extra []int64) (*float64, error) {
	extraBins := make([][]float64, bins)
	for _, ms := range extra {
		bin := binOf(ms)
		extraBins[bin] = append(extraBins[bin], msHours(ms))
	}
	var n int64
	for j := range hist {
		hist[j] += int64(len(extraBins[j]))
		n += hist[j]
	}
	if n <= 0 {
		return nil, nil
	}
	fetched := map[int][]float64{}
	at := func(rank int64) (float64, error) {
		for j := range hist {
			if rank >= hist[j] {
				rank -= hist[j]
				continue
			}
			vs, ok := fetched[j]
			if !ok {
				var err error
				if vs, err = s.binValues(ctx, kind, j, b, f); err != nil {
					return 0, err
				}
				vs = append(vs, extraBins[j]...)
				slices.Sort(vs)
				fetched[j] = vs
			}
			if int64(len(vs)) != hist[j] {
				return 0, fmt.Errorf("kpi: rollups disagree: bin %d of kind %d holds %d values, the histogram %d (rebuild them)", j, kind, len(vs), hist[j])
			}
			return vs[rank], nil
		}
		return 0, fmt.Errorf("kpi: rank %d beyond the histogram", rank)
	}
	lo, err := at((n - 1) / 2)
	if err != nil {
		return nil, err
	}
	hi, err := at(n / 2)
	if err != nil {
		return nil, err
	}
	v := lo
	if n%2 == 0 {
		v = (lo + hi) / 2
	}
	return &v, nil
}

// binValues reads the durations (hours) of one histogram bin of a bucket.
func (s *Service) binValues(ctx context.Context, kind, bin int, b span, f Filter) ([]float64, error) {
	q := `SELECT ms FROM kpi_facts WHERE kind = $1 AND bin = $2 AND day >= $3 AND day < $4`
	if kind == factResolved {
		q += ` AND (next_day IS NULL OR next_day >= $4)`
	}
	w, args := f.factWhere([]any{kind, bin, b.from, b.to})
	rows, err := s.db.R.QueryContext(ctx, q+w, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []float64
	for rows.Next() {
		var ms int64
		if err := rows.Scan(&ms); err != nil {
			return nil, err
		}
		out = append(out, msHours(ms))
	}
	return out, rows.Err()
}
