package survey

import (
	"context"
	"database/sql"
	"errors"
	"strconv"

	"layan/internal/apperr"
	"layan/internal/auth"
)

// EventChatRated is the chat widget's end-of-chat rating (chat.EventRated):
// the score in "after", the visitor's comment in "before".
const EventChatRated = "chat.rated"

const chatCursor = "survey.chat"

// RecordChatRatings copies new end-of-chat ratings from the event log into
// CSAT responses of the chat's ticket, so the KPIs count chat with email and
// the portal. A later rating of the same chat replaces the earlier one. It
// returns how many events it read.
func (s *Service) RecordChatRatings(ctx context.Context) (int, error) {
	var last int64
	err := s.db.R.QueryRowContext(ctx, `SELECT last_id FROM event_cursors WHERE name = $1`, chatCursor).Scan(&last)
	if errors.Is(err, sql.ErrNoRows) {
		_, err = s.db.W.ExecContext(ctx, `INSERT INTO event_cursors (name, last_id) VALUES ($1, 0) ON CONFLICT DO NOTHING`, chatCursor)
	}
	if err != nil {
		return 0, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, COALESCE(ticket_id, 0), after, before, created_at FROM events
		WHERE id > $1 AND type = $2 ORDER BY id LIMIT 200`, last, EventChatRated)
	if err != nil {
		return 0, err
	}
	type rating struct {
		id, ticket int64
		score      int
		comment    string
		at         int64
	}
	var rs []rating
	for rows.Next() {
		var r rating
		var after, before sql.NullString
		if err := rows.Scan(&r.id, &r.ticket, &after, &before, &r.at); err != nil {
			rows.Close()
			return 0, err
		}
		r.score, _ = strconv.Atoi(after.String)
		r.comment = before.String
		rs = append(rs, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(rs) == 0 {
		return 0, err
	}
	for _, r := range rs {
		if r.ticket == 0 {
			continue
		}
		if err := s.recordChatRating(ctx, r.ticket, r.score, r.comment); err != nil && !isSkippable(err) {
			return 0, err
		}
	}
	// Several nodes may copy the same batch: answering is idempotent, and
	// the cursor only moves forward.
	_, err = s.db.W.ExecContext(ctx, `UPDATE event_cursors SET last_id = $1 WHERE name = $2 AND last_id < $1`, rs[len(rs)-1].id, chatCursor)
	return len(rs), err
}

// isSkippable: a rating whose ticket is gone or whose score is off the
// scale is dropped, not retried forever.
func isSkippable(err error) bool {
	_, invalid := apperr.AsValidation(err)
	return invalid || errors.Is(err, apperr.ErrNotFound)
}

func (s *Service) recordChatRating(ctx context.Context, ticketID int64, score int, comment string) error {
	r, err := s.forTicket(ctx, CSAT, ticketID)
	if errors.Is(err, apperr.ErrNotFound) {
		t, gerr := s.tickets.Get(ctx, auth.SystemActor(), ticketID)
		if gerr != nil {
			return gerr
		}
		r = Response{Kind: CSAT, TicketID: t.ID, CustomerID: t.RequesterID, AgentID: t.AssigneeID, GroupID: t.GroupID,
			Channel: "chat", OfferedAt: s.now().UTC()}
		err = s.insert(ctx, &r)
		if errors.Is(err, apperr.ErrConflict) {
			r, err = s.forTicket(ctx, CSAT, ticketID)
		}
	}
	if err != nil {
		return err
	}
	var c *string
	if comment != "" {
		c = &comment
	}
	_, err = s.answer(ctx, r, score, c)
	return err
}
