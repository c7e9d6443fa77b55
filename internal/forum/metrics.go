package forum

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
)

// EventDeflection is logged when a visitor says a solved thread solved their
// problem (so they did not need to ask the team).
const EventDeflection = "forum.deflection"

// Metrics describe the community over a period.
type Metrics struct {
	From, To          time.Time
	Questions         int
	Answered          int
	Solved            int
	AnsweredPct       float64
	SolvedPct         float64
	MedianFirstAnswer time.Duration // 0 when no question was answered
	MedianToSolution  time.Duration
	Views             int64 // counted views (once per visitor and day) in the period
	Deflections       int
	QueuedNow         int
	OpenReports       int
}

// Metrics computes the community's figures for questions asked in [from, to) (staff).
func (s *Service) Metrics(ctx context.Context, a auth.Actor, from, to time.Time) (Metrics, error) {
	if !isStaff(a) {
		return Metrics{}, apperr.Forbidden("read community metrics")
	}
	if !to.After(from) {
		return Metrics{}, apperr.Invalid("to", "invalid", "must be after from")
	}
	m := Metrics{From: from, To: to}
	rows, err := s.db.R.QueryContext(ctx, `SELECT created_at, first_answer_at, solved_at FROM forum_posts
		WHERE kind = 'question' AND status = 'published' AND created_at >= $1 AND created_at < $2`, db.Millis(from), db.Millis(to))
	if err != nil {
		return m, err
	}
	var firsts, sols []int64
	for rows.Next() {
		var ca, fa, sa int64
		if err := rows.Scan(&ca, &fa, &sa); err != nil {
			rows.Close()
			return m, err
		}
		m.Questions++
		if fa != 0 {
			m.Answered++
			firsts = append(firsts, fa-ca)
		}
		if sa != 0 {
			m.Solved++
			sols = append(sols, sa-ca)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return m, err
	}
	if m.Questions > 0 {
		m.AnsweredPct = 100 * float64(m.Answered) / float64(m.Questions)
		m.SolvedPct = 100 * float64(m.Solved) / float64(m.Questions)
	}
	m.MedianFirstAnswer = time.Duration(median(firsts)) * time.Millisecond
	m.MedianToSolution = time.Duration(median(sols)) * time.Millisecond
	fromDay, toDay := from.UTC().Unix()/86400, (to.UTC().Unix()+86399)/86400
	err = s.db.R.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM forum_views WHERE day >= $1 AND day < $2),
		(SELECT count(*) FROM events WHERE (type = $3 OR (type = 'kb.deflection' AND field = 'forum')) AND created_at >= $4 AND created_at < $5),
		(SELECT count(*) FROM forum_posts WHERE status = 'queued') + (SELECT count(*) FROM forum_answers WHERE status = 'queued'),
		(SELECT count(*) FROM forum_reports WHERE resolved_at = 0)`,
		fromDay, toDay, EventDeflection, db.Millis(from), db.Millis(to)).Scan(&m.Views, &m.Deflections, &m.QueuedNow, &m.OpenReports)
	return m, err
}

func median(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	n := len(xs)
	if n%2 == 1 {
		return xs[n/2]
	}
	return (xs[n/2-1] + xs[n/2]) / 2
}

// RecordDeflection logs that a solved thread solved a visitor's problem,
// once per visitor ("u<id>" or an anonymous cookie), thread and day.
func (s *Service) RecordDeflection(ctx context.Context, a auth.Actor, postID int64, source, visitor string) error {
	if visitor == "" || len(visitor) > 100 {
		return apperr.Forbidden("record a deflection without a visitor")
	}
	p, err := s.GetPost(ctx, a, postID)
	if err != nil {
		return err
	}
	if !p.Solved() || p.Status != Published {
		return apperr.Invalid("post", "not_solved", "only a solved thread deflects")
	}
	if source != "forum" && source != "search" && source != "bot" {
		source = "forum"
	}
	evs := []events.Event{{ActorID: a.UserID, Type: EventDeflection, Field: source, After: events.Str(itoa(postID)), CreatedAt: s.now()}}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		// The views table keeps the once-a-day mark, under its own visitor key.
		res, err := tx.ExecContext(ctx, `INSERT INTO forum_views (post_id, visitor, day) VALUES ($1, $2, $3)
			ON CONFLICT (post_id, visitor, day) DO NOTHING`, postID, "helped:"+visitor, s.now().UTC().Unix()/86400)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		return events.Insert(ctx, tx, evs)
	})
}
