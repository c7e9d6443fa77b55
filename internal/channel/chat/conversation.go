package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/ticket"
)

// StartInput is a visitor's first message with the optional pre-chat form.
type StartInput struct {
	Ref, Text, Name, Email, Topic string
	Attachments                   []string
}

// Start opens a conversation with its first message: a ticket with channel
// "chat", queued for agents, or "offline" (a ticket answered by email) when
// no agent is online. A retried start (an open conversation exists) is a send.
func (s *Service) Start(ctx context.Context, v *Visitor, in StartInput) (Conversation, Message, bool, error) {
	if open, err := s.OpenConversation(ctx, *v); err != nil {
		return Conversation{}, Message{}, false, err
	} else if open != nil {
		m, dup, err := s.Send(ctx, *v, in.Ref, in.Text, in.Attachments)
		return *open, m, dup, err
	}
	online, err := s.AgentsOnline(ctx)
	if err != nil {
		return Conversation{}, Message{}, false, err
	}
	in.Name, in.Email, in.Topic = strings.TrimSpace(in.Name), strings.TrimSpace(in.Email), strings.TrimSpace(in.Topic)
	if in.Email != "" {
		if _, err := directory.NormalizeEmail("email", in.Email); err != nil {
			return Conversation{}, Message{}, false, refuse(CodeBadFrame, err, "the email address is not valid")
		}
	}
	if !online && in.Email == "" && v.Email == "" {
		return Conversation{}, Message{}, false, refuse(CodeEmailRequired, apperr.Invalid("email", "required", "is required"),
			"no agent is online: leave an email address for the reply")
	}
	requester, err := s.requesterFor(ctx, v, in, online)
	if err != nil {
		return Conversation{}, Message{}, false, err
	}
	text := strings.TrimSpace(in.Text)
	body := text
	if body == "" {
		body = "(attachment)"
	}
	t, err := s.tickets.Create(ctx, auth.SystemActor(), ticket.NewTicket{Subject: firstLine(orDefault(in.Topic, text), 80),
		Via: "chat", RequesterID: requester, Tags: []string{"chat"},
		Comment: ticket.NewComment{Body: body, AuthorID: requester, Via: "chat"}})
	if err != nil {
		return Conversation{}, Message{}, false, err
	}
	now := s.now()
	c := Conversation{UUID: newUUID(), VisitorID: v.ID, TicketID: t.ID, Status: StatusQueued, Name: orDefault(in.Name, v.Name),
		Email: orDefault(in.Email, v.Email), Topic: in.Topic, Locale: v.Locale, RequestedAt: now, RequesterID: requester}
	if !online {
		c.Status = StatusOffline
	}
	if c.Name == "" {
		_ = s.db.R.QueryRowContext(ctx, `SELECT name FROM users WHERE id = $1`, requester).Scan(&c.Name)
	}
	m := Message{Type: "message", Conversation: c.UUID, Author: Author{Kind: "visitor", Name: c.Name}, Text: text,
		At: db.Millis(now), Ref: in.Ref}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO chat_conversations (uuid, visitor_id, ticket_id, status, name, email, topic,
			locale, requested_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
			c.UUID, c.VisitorID, c.TicketID, c.Status, c.Name, c.Email, c.Topic, c.Locale, db.Millis(now)).Scan(&c.ID); err != nil {
			return err
		}
		if err := s.insertMessage(ctx, tx, &c, &m, *v, in.Attachments); err != nil {
			return err
		}
		return events.Insert(ctx, tx, []events.Event{{TicketID: t.ID, ActorID: requester, Type: EventRequested,
			After: events.Str(c.UUID), Field: c.Status, CreatedAt: now}})
	})
	if err != nil {
		return Conversation{}, Message{}, false, err
	}
	c.LastSeq = m.Seq
	s.publishMessage(m)
	s.publishStatus(c)
	if c.Status == StatusQueued {
		s.publish(Note{Kind: NoteQueue, Frame: json.RawMessage(`{"type":"queue_changed"}`)})
	}
	return c, m, false, nil
}

// requesterFor is the ticket's requester: the signed-in customer, else the
// pre-chat email's customer, else a new anonymous end user. A typed email is
// not proof of identity: an existing customer's address makes the requester
// of an offline message (its reply goes to that mailbox, as with email), but
// a live chat from it stays anonymous, so nobody can put a chat beside
// another customer's history by typing their address.
func (s *Service) requesterFor(ctx context.Context, v *Visitor, in StartInput, live bool) (int64, error) {
	if v.UserID != 0 {
		return v.UserID, nil
	}
	var id int64
	email := ""
	if in.Email != "" {
		email = in.Email
		if live {
			if _, err := s.dir.UserByEmail(ctx, auth.SystemActor(), in.Email); err == nil {
				email = "" // taken: stay anonymous
			}
		}
	}
	if email != "" {
		u, err := s.dir.FindOrCreateCustomer(ctx, email, in.Name, v.Locale)
		if err != nil {
			return 0, err
		}
		id = u.ID
	} else {
		u, err := s.dir.CreateUser(ctx, auth.SystemActor(), directory.UserInput{Name: orDefault(in.Name, "Visitor "+v.UUID[len(v.UUID)-6:]),
			Role: auth.RoleEndUser, Locale: v.Locale})
		if err != nil {
			return 0, err
		}
		id = u.ID
	}
	// Only an anonymous visitor is linked here; a signed identity decides otherwise.
	if _, err := s.db.W.ExecContext(ctx, `UPDATE chat_visitors SET user_id = $1 WHERE id = $2 AND user_id IS NULL`, id, v.ID); err != nil {
		return 0, err
	}
	v.UserID = id
	return id, nil
}

// Send adds a visitor's message to their open conversation. A retried ref
// returns the stored message and dup=true.
func (s *Service) Send(ctx context.Context, v Visitor, ref, text string, attachments []string) (Message, bool, error) {
	c, err := s.OpenConversation(ctx, v)
	if err != nil {
		return Message{}, false, err
	}
	if c == nil {
		return Message{}, false, refuse(CodeNoConversation, apperr.Conflict("no open conversation"), "start a conversation first")
	}
	return s.SendIn(ctx, v, c, ref, text, attachments)
}

// SendIn is Send to a conversation the caller already holds (a socket
// remembers its visitor's conversation, saving a read per message). An
// ended one refuses the message in the same transaction that would store it.
func (s *Service) SendIn(ctx context.Context, v Visitor, c *Conversation, ref, text string, attachments []string) (Message, bool, error) {
	if c.VisitorID != v.ID {
		return Message{}, false, refuse(CodeNoConversation, apperr.ErrNotFound, "no such conversation")
	}
	m := Message{Type: "message", Conversation: c.UUID, Author: Author{Kind: "visitor", Name: c.Name},
		Text: strings.TrimSpace(text), Ref: ref}
	dup, err := s.appendMessage(ctx, c, &m, v, attachments)
	if err != nil || dup {
		return m, dup, err
	}
	if c.Status == StatusOffline && m.Text != "" {
		// Offline: the ticket is the conversation; agents answer it by email.
		if _, err := s.tickets.Update(ctx, auth.SystemActor(), c.TicketID, ticket.Patch{Comment: &ticket.NewComment{
			Body: m.Text, AuthorID: c.RequesterID, Via: "chat"}}); err != nil {
			s.log.Warn("chat: offline message not added to the ticket", "ticket", c.TicketID, "err", err)
		}
	}
	return m, false, nil
}

// AgentSend adds an agent's reply to an active conversation they hold
// (admins may write in any).
func (s *Service) AgentSend(ctx context.Context, a auth.Actor, convID, ref, text string) (Message, bool, error) {
	c, err := s.agentConversation(ctx, a, convID)
	if err != nil {
		return Message{}, false, err
	}
	if c.Status != StatusActive {
		return Message{}, false, refuse(CodeConversationEnded, apperr.Conflict("conversation not active"), "the conversation is not active")
	}
	if c.AgentID != a.UserID && !a.IsAdmin() {
		return Message{}, false, refuse(CodeForbidden, apperr.Forbidden("reply in another agent's chat"), "this chat is another agent's")
	}
	text = strings.TrimSpace(text)
	if text == "" {
		return Message{}, false, refuse(CodeBadFrame, apperr.Invalid("text", "required", "is required"), "text is required")
	}
	if len([]rune(text)) > MaxTextRunes {
		return Message{}, false, refuse(CodeTooLarge, apperr.Invalid("text", "too_long", "is too long"), "text longer than 4000 characters")
	}
	s.touch(ctx, a, true)
	m := Message{Type: "message", Conversation: c.UUID, Author: Author{Kind: "agent", ID: a.UserID, Name: a.Name}, Text: text, Ref: ref}
	dup, err := s.appendMessage(ctx, &c, &m, Visitor{}, nil)
	return m, dup, err
}

// appendMessage commits m with the next seq (in the node's next group
// commit, see committer.go), then publishes it.
func (s *Service) appendMessage(ctx context.Context, c *Conversation, m *Message, v Visitor, attachments []string) (bool, error) {
	m.At = db.Millis(s.now())
	dup, err := s.commit(ctx, c, m, v, attachments)
	if err != nil {
		return false, err
	}
	if !dup {
		c.LastSeq = m.Seq
		s.publishMessage(*m)
	}
	return dup, nil
}

// insertMessage takes the next seq of a conversation that has not ended and
// stores the message, in the caller's transaction.
func (s *Service) insertMessage(ctx context.Context, tx *sql.Tx, c *Conversation, m *Message, v Visitor, attachments []string) error {
	err := tx.QueryRowContext(ctx, `UPDATE chat_conversations SET last_seq = last_seq + 1 WHERE id = $1 AND status <> 'ended'
		RETURNING last_seq`, c.ID).Scan(&m.Seq)
	if errors.Is(err, sql.ErrNoRows) {
		return refuse(CodeConversationEnded, apperr.Conflict("conversation ended"), "the conversation has ended")
	}
	if err != nil {
		return err
	}
	for _, tok := range attachments {
		f := FileRef{Token: tok, URL: "/api/layan/v1/chat/files/" + tok}
		err := tx.QueryRowContext(ctx, `UPDATE chat_uploads SET used = TRUE WHERE token = $1 AND visitor_id = $2 AND NOT used
			RETURNING file_name, content_type, size`, tok, v.ID).Scan(&f.Name, &f.Type, &f.Size)
		if errors.Is(err, sql.ErrNoRows) {
			return refuse(CodeInvalidUpload, apperr.Invalid("attachments", "invalid_upload", "unknown upload"), "unknown or used upload token")
		}
		if err != nil {
			return err
		}
		m.Attachments = append(m.Attachments, f)
	}
	atts := ""
	if len(m.Attachments) > 0 {
		b, _ := json.Marshal(m.Attachments)
		atts = string(b)
	}
	var ref any
	if m.Ref != "" {
		ref = m.Ref
	}
	return tx.QueryRowContext(ctx, `INSERT INTO chat_messages (conversation_id, seq, author_kind, author_id, author_name, body,
		attachments, client_ref, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
		c.ID, m.Seq, m.Author.Kind, db.NullID(m.Author.ID), m.Author.Name, m.Text, atts, ref, m.At).Scan(&m.ID)
}

// Typing relays a typing indicator (not stored).
func (s *Service) Typing(conv, from string, on bool) {
	b, _ := json.Marshal(map[string]any{"type": "typing", "conversation": conv, "from": from, "on": on})
	s.publish(Note{Kind: NoteTyping, Conv: conv, Frame: b})
}

// MarkRead records a read receipt of one side up to seq (at most the
// conversation's last seq) and relays it; an older receipt changes nothing.
func (s *Service) MarkRead(ctx context.Context, c Conversation, by string, seq int64) error {
	col := "visitor_read_seq"
	if by == "agent" {
		col = "agent_read_seq"
	}
	err := s.db.W.QueryRowContext(ctx, `UPDATE chat_conversations SET `+col+` = CASE WHEN $1 < last_seq THEN $1 ELSE last_seq END
		WHERE id = $2 AND `+col+` < $1 AND `+col+` < last_seq RETURNING `+col, seq, c.ID).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	b, _ := json.Marshal(map[string]any{"type": "read", "conversation": c.UUID, "by": by, "seq": seq})
	s.publish(Note{Kind: NoteRead, Conv: c.UUID, Frame: b})
	return nil
}

// VisitorEnd ends the visitor's open conversation: abandoned when no agent
// had answered.
func (s *Service) VisitorEnd(ctx context.Context, v Visitor) (Conversation, error) {
	c, err := s.OpenConversation(ctx, v)
	if err != nil {
		return Conversation{}, err
	}
	if c == nil {
		return Conversation{}, refuse(CodeNoConversation, apperr.Conflict("no open conversation"), "no open conversation")
	}
	return s.end(ctx, *c, c.RequesterID)
}

// End ends a conversation for an agent (the one holding it, or an admin).
func (s *Service) End(ctx context.Context, a auth.Actor, convID string) (Conversation, error) {
	c, err := s.agentConversation(ctx, a, convID)
	if err != nil {
		return c, err
	}
	if !a.CanEditTickets() || (c.AgentID != 0 && c.AgentID != a.UserID && !a.IsAdmin()) {
		return c, refuse(CodeForbidden, apperr.Forbidden("end another agent's chat"), "this chat is another agent's")
	}
	return s.end(ctx, c, a.UserID)
}

func (s *Service) end(ctx context.Context, c Conversation, actor int64) (Conversation, error) {
	if c.Status == StatusEnded {
		return c, nil
	}
	now := s.now()
	wasQueued := c.Status == StatusQueued
	dur := now.Sub(c.RequestedAt).Milliseconds()
	handle := int64(0)
	if !c.AnsweredAt.IsZero() {
		handle = now.Sub(c.AnsweredAt).Milliseconds()
	}
	evs := []events.Event{}
	if wasQueued && actor == c.RequesterID {
		evs = append(evs, events.Event{TicketID: c.TicketID, ActorID: actor, Type: EventAbandoned,
			After: events.Str(strconv.FormatInt(dur, 10)), CreatedAt: now})
	}
	summary, _ := json.Marshal(map[string]int64{"duration_ms": dur, "handle_ms": handle})
	evs = append(evs, events.Event{TicketID: c.TicketID, ActorID: actor, Type: EventEnded, After: events.Str(string(summary)), CreatedAt: now})
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET status = 'ended', ended_at = $1 WHERE id = $2 AND status <> 'ended'`,
			db.Millis(now), c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errAlreadyEnded
		}
		return events.Insert(ctx, tx, evs)
	})
	if errors.Is(err, errAlreadyEnded) {
		c.Status = StatusEnded
		return c, nil
	}
	if err != nil {
		return c, err
	}
	c.Status, c.EndedAt = StatusEnded, now
	s.publishStatus(c)
	if wasQueued {
		s.publish(Note{Kind: NoteQueue, Frame: json.RawMessage(`{"type":"queue_changed"}`)})
	}
	s.addTranscript(ctx, c)
	return c, nil
}

var errAlreadyEnded = errors.New("already ended")

// Rate records the visitor's CSAT score (a hook for the survey model).
func (s *Service) Rate(ctx context.Context, v Visitor, convID string, score int, comment string) error {
	var c Conversation
	var err error
	if convID != "" {
		c, err = s.VisitorConversation(ctx, v, convID)
	} else {
		err = s.db.R.QueryRowContext(ctx, `SELECT uuid FROM chat_conversations WHERE visitor_id = $1 ORDER BY id DESC LIMIT 1`, v.ID).Scan(&convID)
		if errors.Is(err, sql.ErrNoRows) {
			return refuse(CodeNoConversation, apperr.Conflict("no conversation"), "no conversation to rate")
		}
		if err == nil {
			c, err = s.VisitorConversation(ctx, v, convID)
		}
	}
	if err != nil {
		return err
	}
	if score < 1 || score > 5 {
		return refuse(CodeBadFrame, apperr.Invalid("score", "invalid", "must be 1 to 5"), "score must be 1 to 5")
	}
	return s.db.WithTx(ctx, func(tx *sql.Tx) error {
		return events.Insert(ctx, tx, []events.Event{{TicketID: c.TicketID, ActorID: c.RequesterID, Type: EventRated,
			Field: "score", After: events.Str(strconv.Itoa(score)), Before: nilIfEmpty(comment), CreatedAt: s.now()}})
	})
}

func (s *Service) publishMessage(m Message) {
	b, _ := json.Marshal(m)
	s.publish(Note{Kind: NoteMessage, Conv: m.Conversation, Seq: m.Seq, Frame: b})
}

// StatusFrame is the status frame of a conversation.
func StatusFrame(c Conversation) []byte {
	f := map[string]any{"type": "status", "conversation": c.UUID, "status": c.Status, "ticket_id": c.TicketID}
	if c.Agent != nil {
		f["agent"] = c.Agent
	}
	b, _ := json.Marshal(f)
	return b
}

func (s *Service) publishStatus(c Conversation) {
	s.publish(Note{Kind: NoteStatus, Conv: c.UUID, Frame: StatusFrame(c)})
}

func (s *Service) publish(n Note) {
	if err := s.hub.Publish(n); err != nil {
		// Committed already: sockets catch up by seq on their next message or resume.
		s.log.Warn("chat: publish failed", "kind", n.Kind, "err", err)
	}
}

func firstLine(s string, max int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	if r := []rune(s); len(r) > max {
		s = string(r[:max])
	}
	return s
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func nilIfEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// VisitorLeft notes that a queued conversation's visitor closed their
// socket; if they do not come back within the grace period the chat is
// abandoned (see AbandonLeft).
func (s *Service) VisitorLeft(ctx context.Context, convUUID string) {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE chat_conversations SET visitor_left_at = $1 WHERE uuid = $2 AND status = 'queued'`,
		db.Millis(s.now()), convUUID); err != nil {
		s.log.Warn("chat: visitor leave not recorded", "err", err)
	}
}

// VisitorBack clears VisitorLeft: the visitor has a socket again.
func (s *Service) VisitorBack(ctx context.Context, convUUID string) {
	if _, err := s.db.W.ExecContext(ctx, `UPDATE chat_conversations SET visitor_left_at = NULL WHERE uuid = $1 AND visitor_left_at IS NOT NULL`,
		convUUID); err != nil {
		s.log.Warn("chat: visitor return not recorded", "err", err)
	}
}

// AbandonLeft ends, as abandoned, the queued chats whose visitor left more
// than grace ago. Every node may run it: ending is idempotent.
func (s *Service) AbandonLeft(ctx context.Context, grace time.Duration) (int, error) {
	cs, err := queryConvs(ctx, s.db.R, `WHERE c.status = 'queued' AND c.visitor_left_at IS NOT NULL AND c.visitor_left_at < $1
		ORDER BY c.id LIMIT 500`, db.Millis(s.now().Add(-grace)))
	if err != nil {
		return 0, err
	}
	n := 0
	for _, c := range cs {
		if _, err := s.end(ctx, c, c.RequesterID); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Run sweeps abandoned chats every 30 s until ctx ends.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.AbandonLeft(ctx, 2*time.Minute); err != nil && ctx.Err() == nil {
				s.log.Warn("chat: abandoned sweep failed", "err", err)
			}
		}
	}
}
