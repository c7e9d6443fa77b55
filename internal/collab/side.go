package collab

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	layanmail "layan/internal/mail"
)

// Side conversations: an agent writes to a third party (the warehouse, a
// courier, another team) from the ticket. The message goes by mail with a
// link carrying a random token; the third party reads the thread and
// answers there (package ui serves it). Staff see the thread on the ticket;
// the customer never does: nothing of it is a ticket comment.

// SideConversation is one thread.
type SideConversation struct {
	ID        int64         `json:"id"`
	TicketID  int64         `json:"ticket_id"`
	Subject   string        `json:"subject"`
	To        string        `json:"to"`
	Status    string        `json:"status"` // open | closed
	CreatedBy int64         `json:"created_by"`
	CreatedAt time.Time     `json:"created_at"`
	UpdatedAt time.Time     `json:"updated_at"`
	Messages  []SideMessage `json:"messages"`
	token     string
}

// SideMessage is one message of a thread: by an agent (AuthorID) or by the
// third party (From).
type SideMessage struct {
	ID        int64     `json:"id"`
	AuthorID  int64     `json:"author_id,omitempty"`
	From      string    `json:"from,omitempty"`
	Body      string    `json:"body"`
	CreatedAt time.Time `json:"created_at"`
}

const maxBody = 64 << 10

func checkBody(body string) (string, error) {
	body = strings.TrimSpace(body)
	if body == "" {
		return "", apperr.Invalid("body", "required", "a message is required")
	}
	if len(body) > maxBody {
		return "", apperr.Invalid("body", "too_long", "at most 64 KiB")
	}
	return body, nil
}

// StartSide opens a side conversation on a ticket and mails its first
// message. Staff who may read the ticket (light agents too: they are
// often the other team).
func (s *Service) StartSide(ctx context.Context, a auth.Actor, ticketID int64, to, subject, body string) (SideConversation, error) {
	t, err := s.seeTicket(ctx, a, ticketID)
	if err != nil {
		return SideConversation{}, err
	}
	addr, err := mail.ParseAddress(strings.TrimSpace(to))
	if err != nil || strings.ContainsAny(to, "\r\n") || len(to) > 254 {
		return SideConversation{}, apperr.Invalid("to", "invalid_email", "a valid address is required")
	}
	subject = strings.TrimSpace(subject)
	if subject == "" {
		subject = t.Subject
	}
	if len(subject) > 255 || strings.ContainsAny(subject, "\r\n") {
		return SideConversation{}, apperr.Invalid("subject", "too_long", "at most 255 characters on one line")
	}
	if body, err = checkBody(body); err != nil {
		return SideConversation{}, err
	}
	now := s.now()
	c := SideConversation{TicketID: ticketID, Subject: subject, To: strings.ToLower(addr.Address), Status: "open",
		CreatedBy: a.UserID, CreatedAt: now, UpdatedAt: now, token: auth.NewSecret()}
	var m SideMessage
	err = s.write(ctx, func(tx *sql.Tx) (bool, error) {
		if err := tx.QueryRowContext(ctx,
			`INSERT INTO side_conversations (ticket_id, subject, to_email, token, status, created_by, created_at, updated_at)
			 VALUES ($1, $2, $3, $4, 'open', $5, $6, $6) RETURNING id`,
			ticketID, c.Subject, c.To, c.token, a.UserID, db.Millis(now)).Scan(&c.ID); err != nil {
			return false, err
		}
		m, err = insertMessage(ctx, tx, c.ID, a.UserID, "", body, now)
		return true, err
	}, func() []events.Event {
		return []events.Event{s.event(a, ticketID, SideStarted, "side_conversation", c.ID)}
	})
	if err != nil {
		return SideConversation{}, err
	}
	c.Messages = []SideMessage{m}
	s.mailSide(ctx, c, a, body)
	return c, nil
}

func insertMessage(ctx context.Context, tx *sql.Tx, convID, authorID int64, from, body string, now time.Time) (SideMessage, error) {
	m := SideMessage{AuthorID: authorID, From: from, Body: body, CreatedAt: now}
	err := tx.QueryRowContext(ctx,
		`INSERT INTO side_messages (conversation_id, author_id, from_email, body, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		convID, authorID, from, body, db.Millis(now)).Scan(&m.ID)
	if err == nil {
		_, err = tx.ExecContext(ctx, `UPDATE side_conversations SET updated_at = $1 WHERE id = $2`, db.Millis(now), convID)
	}
	return m, err
}

// ReplyLink is where the third party reads and answers a thread.
func (s *Service) ReplyLink(token string) string {
	return strings.TrimRight(s.BaseURL, "/") + "/portal/side/" + token
}

// mailSide sends an agent's message to the third party.
func (s *Service) mailSide(ctx context.Context, c SideConversation, a auth.Actor, body string) {
	if s.Mail == nil {
		return
	}
	m := layanmail.Message{To: c.To, Subject: fmt.Sprintf("[#%d] %s", c.TicketID, c.Subject),
		Text:    body + "\n\n-- \n" + a.Name + "\n" + "Reply / Balas / پاسخ: " + s.ReplyLink(c.token) + "\n",
		Headers: map[string]string{"X-Layan-Side-Conversation": fmt.Sprint(c.ID)}}
	if err := s.Mail.Send(ctx, m); err != nil {
		s.log.Warn("collab: side conversation mail", "conversation", c.ID, "err", err)
	}
}

const sideCols = `id, ticket_id, subject, to_email, token, status, created_by, created_at, updated_at`

func scanSide(sc interface{ Scan(...any) error }) (SideConversation, error) {
	var c SideConversation
	var ca, ua int64
	err := sc.Scan(&c.ID, &c.TicketID, &c.Subject, &c.To, &c.token, &c.Status, &c.CreatedBy, &ca, &ua)
	c.CreatedAt, c.UpdatedAt = db.Time(ca), db.Time(ua)
	return c, err
}

func (s *Service) messages(ctx context.Context, c *SideConversation) error {
	rows, err := s.db.R.QueryContext(ctx,
		`SELECT id, author_id, from_email, body, created_at FROM side_messages WHERE conversation_id = $1 ORDER BY id`, c.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	c.Messages = []SideMessage{}
	for rows.Next() {
		var m SideMessage
		var at int64
		if err := rows.Scan(&m.ID, &m.AuthorID, &m.From, &m.Body, &at); err != nil {
			return err
		}
		m.CreatedAt = db.Time(at)
		c.Messages = append(c.Messages, m)
	}
	return rows.Err()
}

// SideConversations lists a ticket's side conversations with their messages
// (staff who may read the ticket).
func (s *Service) SideConversations(ctx context.Context, a auth.Actor, ticketID int64) ([]SideConversation, error) {
	if _, err := s.seeTicket(ctx, a, ticketID); err != nil {
		return nil, err
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+sideCols+` FROM side_conversations WHERE ticket_id = $1 ORDER BY id`, ticketID)
	if err != nil {
		return nil, err
	}
	var out []SideConversation
	for rows.Next() {
		c, err := scanSide(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.messages(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = []SideConversation{}
	}
	return out, nil
}

// side reads one conversation that a may see.
func (s *Service) side(ctx context.Context, a auth.Actor, id int64) (SideConversation, error) {
	c, err := scanSide(s.db.R.QueryRowContext(ctx, `SELECT `+sideCols+` FROM side_conversations WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("side conversation")
	}
	if err != nil {
		return c, err
	}
	if _, err := s.seeTicket(ctx, a, c.TicketID); err != nil {
		if errors.Is(err, apperr.ErrForbidden) {
			return c, err
		}
		return c, apperr.NotFound("side conversation")
	}
	return c, s.messages(ctx, &c)
}

// SideConversation reads one thread (staff who may read its ticket).
func (s *Service) SideConversation(ctx context.Context, a auth.Actor, id int64) (SideConversation, error) {
	return s.side(ctx, a, id)
}

// ReplySide adds an agent's message and mails it; a closed thread reopens.
func (s *Service) ReplySide(ctx context.Context, a auth.Actor, id int64, body string) (SideMessage, error) {
	c, err := s.side(ctx, a, id)
	if err != nil {
		return SideMessage{}, err
	}
	if body, err = checkBody(body); err != nil {
		return SideMessage{}, err
	}
	var m SideMessage
	err = s.write(ctx, func(tx *sql.Tx) (bool, error) {
		m, err = insertMessage(ctx, tx, c.ID, a.UserID, "", body, s.now())
		if err == nil {
			_, err = tx.ExecContext(ctx, `UPDATE side_conversations SET status = 'open' WHERE id = $1`, c.ID)
		}
		return true, err
	}, func() []events.Event {
		return []events.Event{s.event(a, c.TicketID, SideMessaged, "side_conversation", c.ID)}
	})
	if err == nil {
		s.mailSide(ctx, c, a, body)
	}
	return m, err
}

// CloseSide closes a thread (its link still shows it, without a reply box).
func (s *Service) CloseSide(ctx context.Context, a auth.Actor, id int64) error {
	c, err := s.side(ctx, a, id)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) (bool, error) {
		res, err := tx.ExecContext(ctx, `UPDATE side_conversations SET status = 'closed', updated_at = $1 WHERE id = $2 AND status = 'open'`,
			db.Millis(s.now()), c.ID)
		return affected(res, err)
	}, func() []events.Event {
		return []events.Event{s.event(a, c.TicketID, SideClosed, "side_conversation", c.ID)}
	})
}

// ExternalThread is what the third party sees through the link: the
// subject and the messages, without the ticket.
type ExternalThread struct {
	Subject string
	To      string
	Open    bool
	// Messages name agents by name, the third party by address.
	Messages []ExternalMessage
}

// ExternalMessage is one message as the third party sees it.
type ExternalMessage struct {
	Author    string
	Mine      bool // written by the third party
	Body      string
	CreatedAt time.Time
}

func (s *Service) byToken(ctx context.Context, token string) (SideConversation, error) {
	if len(token) < 20 || len(token) > 100 {
		return SideConversation{}, apperr.NotFound("side conversation")
	}
	c, err := scanSide(s.db.R.QueryRowContext(ctx, `SELECT `+sideCols+` FROM side_conversations WHERE token = $1`, token))
	if errors.Is(err, sql.ErrNoRows) {
		return c, apperr.NotFound("side conversation")
	}
	return c, err
}

// External reads the thread of a link's token (the token is the permission).
func (s *Service) External(ctx context.Context, token string) (ExternalThread, error) {
	c, err := s.byToken(ctx, token)
	if err != nil {
		return ExternalThread{}, err
	}
	if err := s.messages(ctx, &c); err != nil {
		return ExternalThread{}, err
	}
	out := ExternalThread{Subject: c.Subject, To: c.To, Open: c.Status == "open"}
	var ids []int64
	for _, m := range c.Messages {
		if m.AuthorID != 0 {
			ids = append(ids, m.AuthorID)
		}
	}
	names := map[int64]string{}
	if us, err := s.dir.UsersByIDs(ctx, auth.SystemActor(), ids); err == nil {
		for _, u := range us {
			names[u.ID] = u.Name
		}
	}
	for _, m := range c.Messages {
		em := ExternalMessage{Author: names[m.AuthorID], Body: m.Body, CreatedAt: m.CreatedAt}
		if m.AuthorID == 0 {
			em.Author, em.Mine = m.From, true
		}
		out.Messages = append(out.Messages, em)
	}
	return out, nil
}

// ExternalReply adds the third party's answer and notifies the agent who
// started the thread and the ticket's assignee.
func (s *Service) ExternalReply(ctx context.Context, token, body string) error {
	c, err := s.byToken(ctx, token)
	if err != nil {
		return err
	}
	if c.Status != "open" {
		return apperr.Conflict("the conversation is closed")
	}
	if body, err = checkBody(body); err != nil {
		return err
	}
	var m SideMessage
	err = s.write(ctx, func(tx *sql.Tx) (bool, error) {
		m, err = insertMessage(ctx, tx, c.ID, 0, c.To, body, s.now())
		return true, err
	}, func() []events.Event {
		return []events.Event{{TicketID: c.TicketID, Type: SideMessaged, Field: "side_conversation", After: events.Str(itoa(c.ID)), CreatedAt: s.now()}}
	})
	if err != nil {
		return err
	}
	notify := []int64{c.CreatedBy}
	if t, err := s.tickets.Get(ctx, auth.SystemActor(), c.TicketID); err == nil && t.AssigneeID != 0 && t.AssigneeID != c.CreatedBy {
		notify = append(notify, t.AssigneeID)
	}
	for _, id := range notify {
		if s.canSee(ctx, id, c.TicketID) {
			if _, err := s.notify(ctx, id, c.TicketID, KindSideReply, m.ID, 0, body); err != nil {
				return err
			}
		}
	}
	return nil
}
