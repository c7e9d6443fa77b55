package chat

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"layan/internal/apperr"
	"layan/internal/db"
)

const convColumns = `c.id, c.uuid, c.visitor_id, c.ticket_id, c.status, COALESCE(c.agent_id, 0), COALESCE(u.name, ''),
	COALESCE(c.group_id, 0), c.name, c.email, c.topic, c.locale, c.last_seq, c.visitor_read_seq, c.agent_read_seq,
	c.requested_at, COALESCE(c.answered_at, 0), COALESCE(c.ended_at, 0), COALESCE(t.requester_id, 0)`

const convFrom = ` FROM chat_conversations c LEFT JOIN users u ON u.id = c.agent_id LEFT JOIN tickets t ON t.id = c.ticket_id `

func scanConv(sc interface{ Scan(...any) error }) (Conversation, error) {
	var c Conversation
	var agentName string
	var req, ans, end int64
	err := sc.Scan(&c.ID, &c.UUID, &c.VisitorID, &c.TicketID, &c.Status, &c.AgentID, &agentName, &c.GroupID,
		&c.Name, &c.Email, &c.Topic, &c.Locale, &c.LastSeq, &c.VisitorReadSeq, &c.AgentReadSeq, &req, &ans, &end, &c.RequesterID)
	if err != nil {
		return c, err
	}
	if c.AgentID != 0 {
		c.Agent = &Person{ID: c.AgentID, Name: agentName}
	}
	c.RequestedAt = db.Time(req)
	if ans != 0 {
		c.AnsweredAt = db.Time(ans)
	}
	if end != 0 {
		c.EndedAt = db.Time(end)
	}
	return c, nil
}

// conversationByUUID reads one conversation; ErrNotFound when there is none.
func conversationByUUID(ctx context.Context, q db.Querier, id string) (Conversation, error) {
	c, err := scanConv(q.QueryRowContext(ctx, `SELECT `+convColumns+convFrom+`WHERE c.uuid = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, refuse(CodeNotFound, apperr.ErrNotFound, "no such conversation")
	}
	return c, err
}

func queryConvs(ctx context.Context, q db.Querier, where string, args ...any) ([]Conversation, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+convColumns+convFrom+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Conversation{}
	for rows.Next() {
		c, err := scanConv(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// messagesAfter reads messages with seq in (after, upto] (upto 0: no bound), in order.
func messagesAfter(ctx context.Context, q db.Querier, convID int64, convUUID string, after, upto int64, limit int) ([]Message, error) {
	if upto <= 0 {
		upto = 1 << 62
	}
	rows, err := q.QueryContext(ctx, `SELECT id, seq, author_kind, COALESCE(author_id, 0), author_name, body, attachments, created_at
		FROM chat_messages WHERE conversation_id = $1 AND seq > $2 AND seq <= $3 ORDER BY seq LIMIT $4`, convID, after, upto, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Message{}
	for rows.Next() {
		m := Message{Type: "message", Conversation: convUUID}
		var atts string
		if err := rows.Scan(&m.ID, &m.Seq, &m.Author.Kind, &m.Author.ID, &m.Author.Name, &m.Text, &atts, &m.At); err != nil {
			return nil, err
		}
		if atts != "" {
			_ = json.Unmarshal([]byte(atts), &m.Attachments)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
