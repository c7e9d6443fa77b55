// Package chat is live chat: visitors, conversations backed by tickets with
// channel "chat", messages with a per-conversation sequence number, the
// agents' queue, presence and the hub that carries committed changes to the
// sockets of this node and, over NATS, of the others. No net/http here: the
// transports are in web/chatapi; the protocol is docs/chat-protocol.md.
package chat

import "time"

// Conversation statuses.
const (
	StatusQueued  = "queued"
	StatusActive  = "active"
	StatusEnded   = "ended"
	StatusOffline = "offline"
)

// Event types written to the event log on the conversation's ticket.
const (
	EventRequested   = "chat.requested"
	EventAnswered    = "chat.answered"
	EventAbandoned   = "chat.abandoned"
	EventTransferred = "chat.transferred"
	EventEnded       = "chat.ended"
	EventRated       = "chat.rated"
)

// Visitor is a person on the widget, anonymous or a known customer.
type Visitor struct {
	ID       int64
	UUID     string
	UserID   int64 // 0 until they start a chat or sign in
	Token    string
	Customer bool // signed identity verified
	Name     string
	Email    string
	Locale   string
}

// Person names an agent in frames.
type Person struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Conversation is one chat.
type Conversation struct {
	ID             int64     `json:"-"`
	UUID           string    `json:"id"`
	VisitorID      int64     `json:"-"`
	TicketID       int64     `json:"ticket_id"`
	Status         string    `json:"status"`
	AgentID        int64     `json:"-"`
	Agent          *Person   `json:"agent,omitempty"`
	GroupID        int64     `json:"group_id,omitempty"`
	Name           string    `json:"name,omitempty"`
	Email          string    `json:"email,omitempty"`
	Topic          string    `json:"topic,omitempty"`
	Locale         string    `json:"locale"`
	LastSeq        int64     `json:"last_seq"`
	VisitorReadSeq int64     `json:"visitor_read_seq"`
	AgentReadSeq   int64     `json:"agent_read_seq"`
	RequestedAt    time.Time `json:"requested_at"`
	AnsweredAt     time.Time `json:"answered_at,omitzero"`
	EndedAt        time.Time `json:"ended_at,omitzero"`
	RequesterID    int64     `json:"requester_id,omitempty"`
}

// Author of a message.
type Author struct {
	Kind string `json:"kind"` // visitor, agent, system
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
}

// FileRef is an attachment on a message.
type FileRef struct {
	Token string `json:"token"`
	Name  string `json:"name"`
	Type  string `json:"type"`
	Size  int64  `json:"size"`
	URL   string `json:"url"`
}

// Message is one committed chat message; its frame form is MessageFrame.
type Message struct {
	Type         string    `json:"type"` // always "message"
	Conversation string    `json:"conversation"`
	Seq          int64     `json:"seq"`
	ID           int64     `json:"id"`
	Author       Author    `json:"author"`
	Text         string    `json:"text"`
	Attachments  []FileRef `json:"attachments,omitempty"`
	At           int64     `json:"at"`
	Ref          string    `json:"-"`
}

// QueueItem is a waiting chat in the agents' queue.
type QueueItem struct {
	Conversation   string `json:"conversation"`
	TicketID       int64  `json:"ticket_id"`
	Visitor        string `json:"visitor"`
	Topic          string `json:"topic"`
	Preview        string `json:"preview"`
	GroupID        int64  `json:"group_id,omitempty"`
	WaitingSince   int64  `json:"waiting_since"`
	WaitingSeconds int64  `json:"waiting_seconds"`
}

// Presence of an agent, as others see it (idle and silence applied).
type Presence struct {
	AgentID     int64  `json:"agent_id"`
	Name        string `json:"name"`
	Status      string `json:"status"`
	ActiveChats int    `json:"active_chats"`
}

// Settings of the workspace's chat.
type Settings struct {
	WorkspaceKey    string `json:"workspace_key"`
	IdentitySecret  string `json:"identity_secret"`
	tokenKey        string
	MaxChats        int `json:"max_chats_per_agent"`
	IdleAwayMinutes int `json:"idle_away_minutes"`
}

// Canned is a saved reply.
type Canned struct {
	ID    int64  `json:"id"`
	Title string `json:"title"`
	Body  string `json:"body"`
}
