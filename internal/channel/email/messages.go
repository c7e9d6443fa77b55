package email

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
)

// Message is a stored inbound message, as agents see it in the failed and
// held lists and next to a ticket's comments.
type Message struct {
	ID        int64
	MessageID string
	AddressID int64
	Source    string
	Status    string
	Reason    string
	Size      int64
	From      string
	Subject   string
	TicketID  int64
	CommentID int64
	Attempts  int
	HasRaw    bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// MessageFilter selects messages: by status ("failed", "held", ...) and/or ticket.
type MessageFilter struct {
	Status   string
	TicketID int64
	BeforeID int64 // keyset: ids below this one
	Limit    int
}

const messageColumns = `m.id, m.message_id, COALESCE(m.address_id, 0), m.source, m.status, m.reason, m.size, m.from_addr, m.subject,
	COALESCE(m.ticket_id, 0), COALESCE(m.comment_id, 0), m.attempts, m.raw_key, m.created_at, m.updated_at, COALESCE(a.group_id, 0)`

func scanMessage(sc interface{ Scan(...any) error }) (Message, string, int64, error) {
	var m Message
	var rawKey string
	var c, u, group int64
	err := sc.Scan(&m.ID, &m.MessageID, &m.AddressID, &m.Source, &m.Status, &m.Reason, &m.Size, &m.From, &m.Subject,
		&m.TicketID, &m.CommentID, &m.Attempts, &rawKey, &c, &u, &group)
	m.HasRaw = rawKey != ""
	m.CreatedAt, m.UpdatedAt = db.Time(c), db.Time(u)
	return m, rawKey, group, err
}

// canSee: staff who may read the message's ticket, or (without a ticket)
// admins, agents not restricted to groups, and restricted agents of the
// address's group.
func (s *Service) canSee(ctx context.Context, a auth.Actor, m Message, group int64) bool {
	if a.System || a.IsAdmin() {
		return true
	}
	if !a.IsStaff() {
		return false
	}
	if m.TicketID != 0 {
		_, err := s.tickets.Get(ctx, a, m.TicketID)
		return err == nil
	}
	return !a.RestrictedToGroups || (group != 0 && a.InGroup(group))
}

// ListMessages pages through stored messages, newest first (staff).
func (s *Service) ListMessages(ctx context.Context, a auth.Actor, f MessageFilter) ([]Message, error) {
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("list email messages")
	}
	if f.Limit <= 0 || f.Limit > 100 {
		f.Limit = 100
	}
	q := `SELECT ` + messageColumns + ` FROM email_messages m LEFT JOIN email_addresses a ON a.id = m.address_id WHERE 1=1`
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		switch f.Status {
		case StatusReceived, StatusIngested, StatusFailed, StatusHeld, StatusIgnored, StatusBounce:
		default:
			return nil, apperr.Invalid("status", "invalid", "must be received, ingested, failed, held, ignored or bounce")
		}
		q += ` AND m.status = ` + arg(f.Status)
	}
	if f.TicketID != 0 {
		if _, err := s.tickets.Get(ctx, a, f.TicketID); err != nil {
			return nil, err
		}
		q += ` AND m.ticket_id = ` + arg(f.TicketID)
	}
	if f.BeforeID > 0 {
		q += ` AND m.id < ` + arg(f.BeforeID)
	}
	// Visibility is decided per row in Go; read a generous window.
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY m.id DESC LIMIT `+arg(5*f.Limit), args...)
	if err != nil {
		return nil, err
	}
	var page []Message
	var groups []int64
	for rows.Next() {
		m, _, g, err := scanMessage(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		page = append(page, m)
		groups = append(groups, g)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := []Message{}
	for i, m := range page {
		if len(out) < f.Limit && s.canSee(ctx, a, m, groups[i]) {
			out = append(out, m)
		}
	}
	return out, nil
}

func (s *Service) getMessage(ctx context.Context, a auth.Actor, id int64) (Message, string, error) {
	m, rawKey, group, err := scanMessage(s.db.R.QueryRowContext(ctx, `SELECT `+messageColumns+` FROM email_messages m
		LEFT JOIN email_addresses a ON a.id = m.address_id WHERE m.id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Message{}, "", apperr.NotFound("email message")
	}
	if err != nil {
		return Message{}, "", err
	}
	if !s.canSee(ctx, a, m, group) {
		return Message{}, "", apperr.NotFound("email message")
	}
	return m, rawKey, nil
}

// GetMessage reads one stored message (staff who may see it).
func (s *Service) GetMessage(ctx context.Context, a auth.Actor, id int64) (Message, error) {
	if !a.IsStaff() && !a.System {
		return Message{}, apperr.Forbidden("read email messages")
	}
	m, _, err := s.getMessage(ctx, a, id)
	return m, err
}

// RawMessage opens the original bytes of a message for download.
func (s *Service) RawMessage(ctx context.Context, a auth.Actor, id int64) (Message, io.ReadCloser, error) {
	if !a.IsStaff() && !a.System {
		return Message{}, nil, apperr.Forbidden("download email messages")
	}
	m, rawKey, err := s.getMessage(ctx, a, id)
	if err != nil {
		return Message{}, nil, err
	}
	if rawKey == "" {
		return Message{}, nil, apperr.NotFound("raw message")
	}
	f, err := s.openRaw(ctx, m.ID, rawKey)
	if err != nil {
		return Message{}, nil, apperr.NotFound("raw message")
	}
	return m, f, nil
}

// Retry runs a failed message through ingest again (agents).
func (s *Service) Retry(ctx context.Context, a auth.Actor, id int64) (Result, error) {
	if !a.CanEditTickets() && !a.System {
		return Result{}, apperr.Forbidden("retry email messages")
	}
	m, rawKey, err := s.getMessage(ctx, a, id)
	if err != nil {
		return Result{}, err
	}
	if m.Status != StatusFailed {
		return Result{}, apperr.Invalid("status", "not_failed", "only failed messages can be retried")
	}
	return s.reprocess(ctx, row{id: m.ID, rawKey: rawKey, addressID: m.AddressID, attempts: m.Attempts,
		createdAt: db.Millis(m.CreatedAt)}, 0, StatusFailed)
}

// Approve lets a held reply from a non-participant into its ticket; the
// sender becomes a follower (agents who may edit the ticket).
func (s *Service) Approve(ctx context.Context, a auth.Actor, id int64) (Result, error) {
	if !a.CanEditTickets() && !a.System {
		return Result{}, apperr.Forbidden("approve email messages")
	}
	m, rawKey, err := s.getMessage(ctx, a, id)
	if err != nil {
		return Result{}, err
	}
	if m.Status != StatusHeld || m.TicketID == 0 {
		return Result{}, apperr.Invalid("status", "not_held", "only held messages can be approved")
	}
	return s.reprocess(ctx, row{id: m.ID, rawKey: rawKey, addressID: m.AddressID, attempts: m.Attempts,
		createdAt: db.Millis(m.CreatedAt)}, m.TicketID, StatusHeld)
}

// Reject drops a held message (it stays stored, marked ignored).
func (s *Service) Reject(ctx context.Context, a auth.Actor, id int64) error {
	if !a.CanEditTickets() && !a.System {
		return apperr.Forbidden("reject email messages")
	}
	m, _, err := s.getMessage(ctx, a, id)
	if err != nil {
		return err
	}
	if m.Status != StatusHeld {
		return apperr.Invalid("status", "not_held", "only held messages can be rejected")
	}
	_, err = s.db.W.ExecContext(ctx, `UPDATE email_messages SET status = 'ignored', reason = $1, updated_at = $2 WHERE id = $3 AND status = 'held'`,
		"rejected by an agent: "+m.Reason, db.Millis(s.now()), id)
	return err
}
