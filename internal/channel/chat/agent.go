package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"slices"
	"strconv"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/ticket"
)

// agentConversation reads a conversation staff may see: the ticket service
// decides (restricted agents see their groups' tickets only).
func (s *Service) agentConversation(ctx context.Context, a auth.Actor, id string) (Conversation, error) {
	if !a.IsStaff() {
		return Conversation{}, refuse(CodeForbidden, apperr.Forbidden("use agent chat"), "agents only")
	}
	c, err := conversationByUUID(ctx, s.db.R, id)
	if err != nil {
		return c, err
	}
	if _, err := s.tickets.Get(ctx, a, c.TicketID); err != nil {
		return Conversation{}, refuse(CodeNotFound, apperr.ErrNotFound, "no such conversation")
	}
	return c, nil
}

// Conversation reads one conversation for staff.
func (s *Service) Conversation(ctx context.Context, a auth.Actor, id string) (Conversation, error) {
	return s.agentConversation(ctx, a, id)
}

// Queue lists the waiting chats the agent may see, longest waiting first.
func (s *Service) Queue(ctx context.Context, a auth.Actor) ([]QueueItem, error) {
	if !a.IsStaff() {
		return nil, refuse(CodeForbidden, apperr.Forbidden("read the chat queue"), "agents only")
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT c.uuid, c.ticket_id, c.name, c.topic, COALESCE(c.group_id, 0), c.requested_at,
		COALESCE((SELECT m.body FROM chat_messages m WHERE m.conversation_id = c.id AND m.seq = 1), '')
		FROM chat_conversations c WHERE c.status = 'queued' ORDER BY c.requested_at, c.id LIMIT 500`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := s.now()
	out := []QueueItem{}
	for rows.Next() {
		var q QueueItem
		if err := rows.Scan(&q.Conversation, &q.TicketID, &q.Visitor, &q.Topic, &q.GroupID, &q.WaitingSince, &q.Preview); err != nil {
			return nil, err
		}
		if a.RestrictedToGroups && q.GroupID != 0 && !a.InGroup(q.GroupID) {
			continue
		}
		q.Preview = firstLine(q.Preview, 140)
		q.WaitingSeconds = max(0, int64(now.Sub(db.Time(q.WaitingSince)).Seconds()))
		out = append(out, q)
	}
	return out, rows.Err()
}

// Conversations lists conversations of a status (mine: assigned to a).
func (s *Service) Conversations(ctx context.Context, a auth.Actor, status string, mine bool) ([]Conversation, error) {
	if !a.IsStaff() {
		return nil, refuse(CodeForbidden, apperr.Forbidden("list chats"), "agents only")
	}
	if status == "" {
		status = StatusActive
	}
	if !slices.Contains([]string{StatusQueued, StatusActive, StatusEnded, StatusOffline}, status) {
		return nil, apperr.Invalid("status", "invalid", "must be queued, active, ended or offline")
	}
	where, args := `WHERE c.status = $1`, []any{status}
	if mine {
		where += ` AND c.agent_id = $2`
		args = append(args, a.UserID)
	}
	cs, err := queryConvs(ctx, s.db.R, where+` ORDER BY c.id DESC LIMIT 200`, args...)
	if err != nil {
		return nil, err
	}
	out := cs[:0]
	for _, c := range cs { // keep what the agent may see
		if _, err := s.tickets.Get(ctx, a, c.TicketID); err == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// Accept gives a queued chat to the agent, within their concurrent-chat limit.
func (s *Service) Accept(ctx context.Context, a auth.Actor, id string) (Conversation, error) {
	c, err := s.agentConversation(ctx, a, id)
	if err != nil {
		return c, err
	}
	if !a.CanEditTickets() {
		return c, refuse(CodeForbidden, apperr.Forbidden("accept chats"), "light agents cannot accept chats")
	}
	if c.Status != StatusQueued {
		return c, refuse(CodeNotQueued, apperr.Conflict("not queued"), "this chat is not waiting any more")
	}
	if err := s.underLimit(ctx, a.UserID); err != nil {
		return c, err
	}
	now := s.now()
	wait := now.Sub(c.RequestedAt).Milliseconds()
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE chat_conversations SET status = 'active', agent_id = $1,
			answered_at = COALESCE(answered_at, $2) WHERE id = $3 AND status = 'queued'`, a.UserID, db.Millis(now), c.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return refuse(CodeNotQueued, apperr.Conflict("not queued"), "this chat is not waiting any more")
		}
		var evs []events.Event
		if c.AnsweredAt.IsZero() {
			evs = append(evs, events.Event{TicketID: c.TicketID, ActorID: a.UserID, Type: EventAnswered,
				After: events.Str(strconv.FormatInt(wait, 10)), CreatedAt: now})
		}
		return events.Insert(ctx, tx, evs)
	})
	if err != nil {
		return c, err
	}
	s.touch(ctx, a, true)
	c.Status, c.AgentID, c.Agent = StatusActive, a.UserID, &Person{ID: a.UserID, Name: a.Name}
	if c.AnsweredAt.IsZero() {
		c.AnsweredAt = now
	}
	s.assignTicket(ctx, c.TicketID, a.UserID, c.GroupID)
	s.publishStatus(c)
	s.publish(Note{Kind: NoteQueue, Frame: json.RawMessage(`{"type":"queue_changed"}`)})
	s.publishAssigned(c, a)
	return c, nil
}

// underLimit refuses a chat above the agent's concurrent-chat limit.
func (s *Service) underLimit(ctx context.Context, agentID int64) error {
	st, err := s.Settings(ctx)
	if err != nil {
		return err
	}
	var n int
	if err := s.db.R.QueryRowContext(ctx, `SELECT count(*) FROM chat_conversations WHERE agent_id = $1 AND status = 'active'`,
		agentID).Scan(&n); err != nil {
		return err
	}
	if n >= st.MaxChats {
		return refuse(CodeLimitReached, apperr.Conflict("concurrent chat limit"),
			"at the limit of "+strconv.Itoa(st.MaxChats)+" concurrent chats")
	}
	return nil
}

// Transfer hands a chat to another agent (it becomes theirs) or to a group
// (back to the queue for that group). Recorded as chat.transferred.
func (s *Service) Transfer(ctx context.Context, a auth.Actor, id string, toAgent, toGroup int64) (Conversation, error) {
	c, err := s.agentConversation(ctx, a, id)
	if err != nil {
		return c, err
	}
	if !a.CanEditTickets() || (c.AgentID != 0 && c.AgentID != a.UserID && !a.IsAdmin()) {
		return c, refuse(CodeForbidden, apperr.Forbidden("transfer another agent's chat"), "this chat is another agent's")
	}
	if c.Status != StatusActive && c.Status != StatusQueued {
		return c, refuse(CodeConversationEnded, apperr.Conflict("ended"), "the conversation has ended")
	}
	if (toAgent == 0) == (toGroup == 0) {
		return c, apperr.Invalid("agent_id", "required", "name an agent_id or a group_id")
	}
	now := s.now()
	var ev events.Event
	var target auth.Actor
	if toAgent != 0 {
		target, err = s.dir.ActorFor(ctx, toAgent)
		if err != nil || !target.CanEditTickets() {
			return c, apperr.Invalid("agent_id", "not_agent", "must be an agent")
		}
		if toAgent == c.AgentID {
			return c, apperr.Invalid("agent_id", "same_agent", "already holds this chat")
		}
		if err := s.underLimit(ctx, toAgent); err != nil {
			return c, err
		}
		ev = events.Event{TicketID: c.TicketID, ActorID: a.UserID, Type: EventTransferred, Field: "agent_id",
			Before: idStr(c.AgentID), After: idStr(toAgent), CreatedAt: now}
	} else {
		if _, err := s.dir.GetGroup(ctx, a, toGroup); err != nil {
			return c, apperr.Invalid("group_id", "not_found", "refers to a group that does not exist")
		}
		ev = events.Event{TicketID: c.TicketID, ActorID: a.UserID, Type: EventTransferred, Field: "group_id",
			Before: idStr(c.GroupID), After: idStr(toGroup), CreatedAt: now}
	}
	err = s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var res sql.Result
		var err error
		if toAgent != 0 {
			res, err = tx.ExecContext(ctx, `UPDATE chat_conversations SET status = 'active', agent_id = $1,
				answered_at = COALESCE(answered_at, $2) WHERE id = $3 AND status IN ('active', 'queued')`, toAgent, db.Millis(now), c.ID)
		} else {
			res, err = tx.ExecContext(ctx, `UPDATE chat_conversations SET status = 'queued', agent_id = NULL, group_id = $1
				WHERE id = $2 AND status IN ('active', 'queued')`, toGroup, c.ID)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return refuse(CodeConversationEnded, apperr.Conflict("ended"), "the conversation has ended")
		}
		return events.Insert(ctx, tx, []events.Event{ev})
	})
	if err != nil {
		return c, err
	}
	if toAgent != 0 {
		c.Status, c.AgentID, c.Agent = StatusActive, toAgent, &Person{ID: toAgent, Name: target.Name}
		s.assignTicket(ctx, c.TicketID, toAgent, 0)
		s.publishAssigned(c, a)
	} else {
		c.Status, c.AgentID, c.Agent, c.GroupID = StatusQueued, 0, nil, toGroup
		s.assignTicket(ctx, c.TicketID, 0, toGroup)
	}
	s.publishStatus(c)
	s.publish(Note{Kind: NoteQueue, Frame: json.RawMessage(`{"type":"queue_changed"}`)})
	return c, nil
}

// assignTicket mirrors the chat's owner on its ticket (its own events make
// the reassignment visible to the ticket KPIs).
func (s *Service) assignTicket(ctx context.Context, ticketID, agentID, groupID int64) {
	p := ticket.Patch{AssigneeID: &agentID}
	if groupID != 0 {
		p.GroupID = &groupID
	}
	if agentID != 0 && groupID == 0 {
		zero := int64(0)
		p.GroupID = &zero // the new agent may not be in the old group
	}
	if _, err := s.tickets.Update(ctx, auth.SystemActor(), ticketID, p); err != nil {
		s.log.Warn("chat: ticket assignment not mirrored", "ticket", ticketID, "err", err)
	}
}

func (s *Service) publishAssigned(c Conversation, by auth.Actor) {
	b, _ := json.Marshal(map[string]any{"type": "assigned", "conversation": c.UUID, "ticket_id": c.TicketID,
		"by": Person{ID: by.UserID, Name: by.Name}})
	s.publish(Note{Kind: NoteAssigned, Agent: c.AgentID, Frame: b})
}

// HistoryItem is one earlier ticket of the customer.
type HistoryItem struct {
	ID        int64  `json:"id"`
	Subject   string `json:"subject"`
	Status    string `json:"status"`
	Via       string `json:"via"`
	CreatedAt int64  `json:"created_at"`
	UpdatedAt int64  `json:"updated_at"`
}

// Customer names the person behind a chat.
type Customer struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
}

// History is the customer and their other tickets (every channel), newest first.
func (s *Service) History(ctx context.Context, a auth.Actor, id string) (Customer, []HistoryItem, error) {
	c, err := s.agentConversation(ctx, a, id)
	if err != nil {
		return Customer{}, nil, err
	}
	cust := Customer{ID: c.RequesterID}
	if u, err := s.dir.GetUser(ctx, a, c.RequesterID); err == nil {
		cust.Name, cust.Email = u.Name, u.Email
	}
	res, err := s.tickets.List(ctx, a, ticket.ListQuery{RequesterID: c.RequesterID, Sort: "updated_at", Desc: true, PerPage: 50})
	if err != nil {
		return cust, nil, err
	}
	out := []HistoryItem{}
	for _, t := range res.Tickets {
		if t.ID == c.TicketID {
			continue
		}
		out = append(out, HistoryItem{ID: t.ID, Subject: t.Subject, Status: t.Status, Via: t.Via,
			CreatedAt: db.Millis(t.CreatedAt), UpdatedAt: db.Millis(t.UpdatedAt)})
	}
	return cust, out, nil
}

func idStr(id int64) *string {
	if id == 0 {
		return nil
	}
	return events.Str(strconv.FormatInt(id, 10))
}
