package kpi

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"layan/internal/db"
)

// Figures read live for each request, not rolled up: survey answers (an
// answer updates its row in place, and there are few per day), deflections
// (one indexed count) and retention (customer events; a backdated one is
// simply read). Buckets are whole UTC days here.

func (s *Service) addLive(ctx context.Context, ls []*layout, f Filter) error {
	first, last := extent(ls)
	from, to := first*86_400_000, last*86_400_000
	fns := []func() error{func() error {
		if err := s.surveys(ctx, ls, f, from, to); err != nil {
			return fmt.Errorf("kpi: surveys: %w", err)
		}
		return nil
	}}
	if !f.ticketOnly() {
		// Side by side: each fills its own fields of the accs.
		fns = append(fns, func() error {
			if f.OrganizationID == 0 {
				if err := s.deflections(ctx, ls, from, to); err != nil {
					return fmt.Errorf("kpi: deflections: %w", err)
				}
			}
			return nil
		}, func() error {
			evs, err := s.customerEvents(ctx, f.OrganizationID)
			if err != nil {
				return fmt.Errorf("kpi: retention: %w", err)
			}
			for _, l := range ls {
				retention(evs, l.accs, l.bs)
			}
			return nil
		})
	}
	return parallel(fns...)
}

// deflections counts the kb.deflection events per day.
func (s *Service) deflections(ctx context.Context, ls []*layout, from, to int64) error {
	rows, err := s.db.R.QueryContext(ctx, `SELECT created_at / 86400000, COUNT(*) FROM events
		WHERE type = '`+EventDeflection+`' AND created_at >= $1 AND created_at < $2 GROUP BY created_at / 86400000`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var day, n int64
		if err := rows.Scan(&day, &n); err != nil {
			return err
		}
		at(ls, day, func(_, _ int, a *acc) { a.deflections += int(n) })
	}
	return rows.Err()
}

// surveys counts the answers per kind, day and score. A tag filter gives no
// survey sample (answers have no tags).
func (s *Service) surveys(ctx context.Context, ls []*layout, f Filter, from, to int64) error {
	if f.Tag != "" {
		return nil
	}
	// kind IN (...) lets the index (kind, answered_at, ...) serve each kind's range.
	q := `SELECT s.kind, s.answered_at / 86400000, COALESCE(s.score, 0), COUNT(*) FROM survey_responses s`
	if f.OrganizationID != 0 || f.Language != "" {
		q += ` JOIN users u ON u.id = s.customer_id`
	}
	q += ` WHERE s.kind IN ('csat', 'nps', 'ces') AND s.answered_at >= $1 AND s.answered_at < $2`
	args := []any{from, to}
	cond := func(c string, v any) {
		args = append(args, v)
		q += fmt.Sprintf(" AND %s $%d", c, len(args))
	}
	if f.Channel != "" {
		cond("s.channel =", f.Channel)
	}
	if f.GroupID != 0 {
		cond("s.group_id =", f.GroupID)
	}
	if f.AgentID != 0 {
		cond("s.agent_id =", f.AgentID)
	}
	if f.OrganizationID != 0 {
		cond("u.organization_id =", f.OrganizationID)
	}
	if f.Language != "" {
		cond("u.locale =", f.Language)
	}
	rows, err := s.db.R.QueryContext(ctx, q+` GROUP BY s.kind, s.answered_at / 86400000, COALESCE(s.score, 0)`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var day, score, n int64
		if err := rows.Scan(&kind, &day, &score, &n); err != nil {
			return err
		}
		at(ls, day, func(_, _ int, a *acc) { a.addSurvey(kind, int(score), int(n)) })
	}
	return rows.Err()
}

// retention sweeps the customer events (in time order) once for all
// buckets: S = customers active at the bucket's start, C = those of S who
// cancel in the bucket.
func retention(evs []custEv, accs []*acc, bs [][2]time.Time) {
	active := map[int64]bool{}
	next := 0
	for i, b := range bs {
		from, to := db.Millis(b[0]), db.Millis(b[1])
		for ; next < len(evs) && evs[next].at < from; next++ {
			if evs[next].cancel {
				delete(active, evs[next].customer)
			} else {
				active[evs[next].customer] = true
			}
		}
		churned := map[int64]bool{}
		for j := next; j < len(evs) && evs[j].at < to; j++ {
			if evs[j].cancel && active[evs[j].customer] {
				churned[evs[j].customer] = true
			}
		}
		accs[i].retention = pct(len(active)-len(churned), len(active))
	}
}

type custEv struct {
	id, customer int64
	cancel       bool
	at           int64
}

// custCache keeps every customer's signup, purchase and cancellation events
// in time order between reads, while the table's row count and largest id
// are unchanged (customer events are appended, never edited).
type custCache struct {
	mu         sync.Mutex
	count, max int64
	evs        []custEv
}

// customerEvents returns the events in time order (ties by id), of one
// organisation's customers when org is not 0.
func (s *Service) customerEvents(ctx context.Context, org int64) ([]custEv, error) {
	var count, maxID int64
	if org == 0 {
		if err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM customer_events`).Scan(&count, &maxID); err != nil {
			return nil, err
		}
		s.cust.mu.Lock()
		if s.cust.evs != nil && s.cust.count == count && s.cust.max == maxID {
			evs := s.cust.evs
			s.cust.mu.Unlock()
			return evs, nil
		}
		s.cust.mu.Unlock()
	}
	q := `SELECT ce.id, ce.customer_id, ce.type, ce.occurred_at FROM customer_events ce
		WHERE ce.type IN ('signup', 'purchase', 'cancellation')`
	var args []any
	if org != 0 {
		q = `SELECT ce.id, ce.customer_id, ce.type, ce.occurred_at FROM customer_events ce JOIN users u ON u.id = ce.customer_id
			WHERE ce.type IN ('signup', 'purchase', 'cancellation') AND u.organization_id = $1`
		args = append(args, org)
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	evs := []custEv{}
	for rows.Next() {
		var e custEv
		var typ string
		if err := rows.Scan(&e.id, &e.customer, &typ, &e.at); err != nil {
			return nil, err
		}
		e.cancel = typ == "cancellation"
		evs = append(evs, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// Sorted here: the database would sort three types' rows anyway.
	slices.SortFunc(evs, func(a, b custEv) int { return cmp.Or(cmp.Compare(a.at, b.at), cmp.Compare(a.id, b.id)) })
	if org == 0 {
		s.cust.mu.Lock()
		s.cust.count, s.cust.max, s.cust.evs = count, maxID, evs
		s.cust.mu.Unlock()
	}
	return evs, nil
}
