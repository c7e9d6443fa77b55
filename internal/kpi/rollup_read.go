package kpi

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"layan/internal/db"
	"layan/internal/events"
)

// Reading the rollups for buckets of whole UTC days. Without an agent or
// organisation filter the sums come from kpi_daily (a few hundred rows a
// day), corrected by the few facts whose contribution depends on the period's
// end; with one, that agent's or organisation's facts are read and counted
// (each has a small share of the tickets).
// Deleted tickets are replayed (they count in periods that end before their
// deletion), and surveys, deflections and retention are read live (live.go).

// span is a bucket in day numbers: [from, to).
type span struct{ from, to int64 }

// layout is one set of buckets read from the rollups (a period, or a
// series' buckets; in time order, not overlapping) and their sums. Several
// layouts with the same filter (the KPI page: the period, the previous one
// and the series) are read together: each query covers them all, and each
// row is added to the bucket of every layout that holds its day.
type layout struct {
	bs   [][2]time.Time
	sp   []span
	accs []*acc
}

func newLayout(bs [][2]time.Time) *layout {
	l := &layout{bs: bs, sp: make([]span, len(bs)), accs: make([]*acc, len(bs))}
	for i, b := range bs {
		l.sp[i] = span{dayOf(b[0]), dayOf(b[1])}
		l.accs[i] = newAcc()
	}
	return l
}

// extent returns the first day and the end (exclusive) of the layouts' buckets.
func extent(ls []*layout) (first, last int64) {
	first, last = ls[0].sp[0].from, ls[0].sp[len(ls[0].sp)-1].to
	for _, l := range ls[1:] {
		first, last = min(first, l.sp[0].from), max(last, l.sp[len(l.sp)-1].to)
	}
	return first, last
}

// at calls fn with each layout's accumulator of the bucket holding day.
func at(ls []*layout, day int64, fn func(k, i int, a *acc)) {
	for k, l := range ls {
		if i := bucketOf(l.sp, day); i >= 0 {
			fn(k, i, l.accs[i])
		}
	}
}

func (s *Service) fromRollups(ctx context.Context, sets [][][2]time.Time, f Filter) ([][]*acc, error) {
	if err := s.CatchUp(ctx); err != nil {
		return nil, err
	}
	ls := make([]*layout, len(sets))
	end := sets[0][0][1] // the earliest first bucket's end
	for k, bs := range sets {
		ls[k] = newLayout(bs)
		if bs[0][1].Before(end) {
			end = bs[0][1]
		}
	}
	// Surveys, deflections and retention (live.go) fill their own fields of
	// the accs: they are read side by side with the rollups.
	err := parallel(func() error {
		return s.addLive(ctx, ls, f)
	}, func() error {
		gone, err := s.deletedFacts(ctx, end)
		if err != nil {
			return err
		}
		for _, l := range ls {
			addFacts(l.accs, l.sp, f, gone)
		}
		if f.OrganizationID != 0 || f.AgentID != 0 {
			_, last := extent(ls)
			facts, err := s.ownFacts(ctx, f, last)
			if err != nil {
				return err
			}
			for _, l := range ls {
				addFacts(l.accs, l.sp, f, facts)
			}
			return nil
		}
		return s.fromDaily(ctx, ls, f)
	})
	if err != nil {
		return nil, err
	}
	out := make([][]*acc, len(ls))
	for k, l := range ls {
		out[k] = l.accs
	}
	return out, nil
}

// bucketOf returns the index of the span holding day, or -1.
func bucketOf(sp []span, day int64) int {
	i, ok := slices.BinarySearchFunc(sp, day, func(s span, d int64) int {
		switch {
		case d < s.from:
			return 1
		case d >= s.to:
			return -1
		}
		return 0
	})
	if !ok {
		return -1
	}
	return i
}

func (f Filter) matchesFact(ft fact) bool {
	switch {
	case f.Channel != "" && ft.channel != f.Channel,
		f.GroupID != 0 && ft.group != f.GroupID,
		f.AgentID != 0 && ft.agent != f.AgentID,
		f.OrganizationID != 0 && ft.org != f.OrganizationID,
		f.Tag != "" && !slices.Contains(ft.tags, f.Tag),
		f.Language != "" && ft.lang != f.Language:
		return false
	}
	return true
}

// addFacts counts facts into the buckets, exactly as the replay would: a
// resolution superseded by a later one in the bucket does not count, FCR is
// lost by a reopening before the bucket's end, the backlog at the end is the
// sum of the changes before it. A fact with until counts only in buckets
// ending at or before it (a ticket deleted later).
func addFacts(accs []*acc, sp []span, f Filter, facts []fact) {
	reopened := make([]map[int64]bool, len(sp))
	for _, ft := range facts {
		if !f.matchesFact(ft) {
			continue
		}
		visible := func(i int) bool { return ft.until == 0 || ft.until >= sp[i].to*86_400_000 }
		if ft.kind == factBacklog {
			for i := range sp {
				if ft.day < sp[i].to && visible(i) {
					accs[i].backlog += int(ft.n)
				}
			}
			continue
		}
		i := bucketOf(sp, ft.day)
		if i < 0 || !visible(i) {
			continue
		}
		a := accs[i]
		switch ft.kind {
		case factCreated:
			a.created += int(ft.n)
			a.volCh[ft.channel] += int(ft.n)
			a.volGr[itoa(ft.group)] += int(ft.n)
			for _, t := range ft.tags {
				a.volTag[t] += int(ft.n)
			}
		case factFirst:
			a.frtN++
			a.frtSum += ft.hours()
			a.frtBizSum += msHours(ft.biz)
			a.frt = append(a.frt, ft.hours())
			a.frtMs = append(a.frtMs, ft.ms)
		case factResolved:
			if ft.nextDay != noDay && ft.nextDay < sp[i].to {
				continue
			}
			a.resolved++
			a.resSum += ft.hours()
			a.res = append(a.res, ft.hours())
			a.resMs = append(a.resMs, ft.ms)
			if ft.fcr && (ft.reopenDay == noDay || ft.reopenDay >= sp[i].to) {
				a.fcr++
			}
			a.esc += int(b2i(ft.esc))
			a.tr += int(b2i(ft.tr))
			a.takeWork(ft.work, 1)
		case factAnswered:
			a.asaN++
			a.asaSum += ft.ms
		case factAbandon:
			a.abandoned += int(ft.n)
		case factSLAMet:
			a.slaMet += int(ft.n)
		case factSLAMiss:
			a.slaMissed += int(ft.n)
		case factTransfer:
			a.transfers += int(ft.n)
		case factReopened:
			if reopened[i] == nil {
				reopened[i] = map[int64]bool{}
			}
			if !reopened[i][ft.ticket] {
				reopened[i][ft.ticket] = true
				a.reopened++
			}
		}
	}
}

// ownFacts reads an organisation's or an agent's facts before day to.
func (s *Service) ownFacts(ctx context.Context, f Filter, to int64) ([]fact, error) {
	col, id := "org_id", f.OrganizationID
	if id == 0 {
		col, id = "agent_id", f.AgentID
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+joinCols(factCols)+` FROM kpi_facts WHERE `+col+` = $1 AND day < $2`, id, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []fact
	for rows.Next() {
		f, err := scanFact(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// deletedFacts replays the tickets deleted at or after end (the first
// bucket's end): they count, in buckets ending before their deletion, as if
// they were not deleted. Deletions are rare (spam, mistakes).
func (s *Service) deletedFacts(ctx context.Context, end time.Time) ([]fact, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT ticket_id FROM events WHERE type = '`+events.TicketDeleted+`' AND ticket_id IS NOT NULL
		GROUP BY ticket_id HAVING MIN(created_at) >= $1`, db.Millis(end))
	if err != nil {
		return nil, err
	}
	var ids []any
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(ids) == 0 {
		return nil, err
	}
	var out []fact
	worked := s.workingTime(ctx)
	for start := 0; start < len(ids); start += 1000 {
		part := ids[start:min(start+1000, len(ids))]
		in := `(` + s.db.Dialect.Params(1, len(part)) + `)`
		ts, p, err := loadTickets(ctx, s.db.R, `t.id IN `+in, `e.ticket_id IN `+in, part)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			facts, deleted := extract(t, p.staff, p.locales[t.requester], worked)
			for _, f := range facts {
				f.until = db.Millis(deleted)
				out = append(out, f)
			}
		}
	}
	return out, nil
}

// where builds the dimension conditions of a kpi_facts query, or of a
// kpi_daily one (agent false: kpi_daily has no agent); args continue after
// the ones given.
func (f Filter) where(args []any, agent bool) (string, []any) {
	var b strings.Builder
	add := func(cond string, v any) {
		args = append(args, v)
		fmt.Fprintf(&b, " AND %s $%d", cond, len(args))
	}
	if f.Channel != "" {
		add("channel =", f.Channel)
	}
	if f.GroupID != 0 {
		add("group_id =", f.GroupID)
	}
	if agent && f.AgentID != 0 {
		add("agent_id =", f.AgentID)
	}
	if f.Language != "" {
		add("lang =", f.Language)
	}
	return b.String(), args
}

// dailyWhere picks kpi_daily's rows for the filter (no agent or
// organisation: those read facts): the group's or every group's row when
// neither channel nor language is asked, else the detailed rows.
func (f Filter) dailyWhere(args []any) (string, []any) {
	if f.Channel == "" && f.Language == "" {
		g := f.GroupID
		if g == 0 {
			g = -1
		}
		args = append(args, g)
		return fmt.Sprintf(" AND channel = '*' AND lang = '*' AND group_id = $%d", len(args)), args
	}
	return detailWhere(f, args)
}

// detailWhere picks the detailed rows (not the group totals) that match.
func detailWhere(f Filter, args []any) (string, []any) {
	w, args := f.where(args, false)
	return " AND channel <> '*' AND lang <> '*' AND group_id <> -1" + w, args
}

// facts picks the table of a fact read in fromDaily (no agent or
// organisation filter: those read their facts in ownFacts) and its
// conditions: kpi_facts, or with a tag kpi_fact_tags, that tag's rows only
// (kpi_facts holds tags as " a b ", which only a scan can match).
func (f Filter) facts(args []any) (table, where string, _ []any) {
	if f.Tag == "" {
		w, args := f.where(args, true)
		return "kpi_facts", w, args
	}
	w, args := f.where(args, false) // kpi_fact_tags has no agent: never asked here
	args = append(args, f.Tag)
	return "kpi_fact_tags", w + fmt.Sprintf(" AND tag = $%d", len(args)), args
}
