// Package ticket is the conversation service: tickets, comments, tags,
// custom fields, assignment and merge. Every change writes its event rows in
// the same transaction and publishes them after commit.
package ticket

import (
	"context"
	"database/sql"
	"time"
)

// Statuses in their lifecycle order (Zendesk's "status<solved" relies on it).
var Statuses = []string{"new", "open", "pending", "hold", "solved", "closed"}

// Priorities in order.
var Priorities = []string{"low", "normal", "high", "urgent"}

// Types of ticket.
var Types = []string{"question", "incident", "problem", "task"}

// Channels a ticket can arrive through (Zendesk's via.channel).
var Channels = []string{"api", "web", "email", "chat", "voice", "social", "walk_in"}

// Ticket is a customer's request and its state.
type Ticket struct {
	ID             int64
	Subject        string
	Description    string
	Status         string
	Priority       string
	Type           string
	Via            string
	RequesterID    int64
	SubmitterID    int64
	AssigneeID     int64
	GroupID        int64
	OrganizationID int64
	Tags           []string
	CustomFields   map[int64]any
	ExternalID     string
	// Language is en, id or fa ("" unknown): detected from the first
	// message, unless the creator sets it; agents may correct it.
	Language  string
	DueAt     time.Time
	SolvedAt  time.Time
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Comment is one message of the conversation: a public reply or an internal note.
type Comment struct {
	ID          int64
	TicketID    int64
	AuthorID    int64
	Public      bool
	Body        string // plain text
	HTMLBody    string // sanitised HTML
	Via         string
	CreatedAt   time.Time
	Attachments []Attachment
}

// Attachment is a file on a comment, stored in the blob store.
type Attachment struct {
	ID          int64
	Token       string
	CommentID   int64
	FileName    string
	ContentType string
	Size        int64
	BlobKey     string
}

// NewComment is a message to add. Public nil means public for staff replies.
type NewComment struct {
	Body     string
	HTMLBody string
	Public   *bool
	AuthorID int64    // 0: the actor
	Uploads  []string // upload tokens from POST /uploads
	Via      string
	// Record, when set, runs in the transaction of Create or Update that
	// writes the comment, after it, with the ticket and comment ids: the
	// caller's own record of the comment commits with it or not at all (the
	// email channel marks its message ingested so, in the same commit
	// instead of a second one). It writes through tx only; an error fails
	// the whole change.
	Record func(ctx context.Context, tx *sql.Tx, ticketID, commentID int64) error
}

// Requester names a person to find or create as requester.
type Requester struct {
	Name   string
	Email  string
	Locale string
}

// NewTicket is a ticket to create.
type NewTicket struct {
	Subject        string
	Status         string
	Priority       string
	Type           string
	Via            string
	RequesterID    int64
	Requester      *Requester
	SubmitterID    int64
	AssigneeID     int64
	GroupID        int64
	OrganizationID int64
	Tags           []string
	CustomFields   map[int64]any
	ExternalID     string
	Language       string // "": detected from the subject and first message
	DueAt          time.Time
	Comment        NewComment
}

// Patch changes a ticket; nil fields stay. A Comment adds a message.
type Patch struct {
	Subject        *string
	Status         *string
	Priority       *string
	Type           *string
	RequesterID    *int64
	AssigneeID     *int64
	GroupID        *int64
	OrganizationID *int64
	Tags           *[]string
	AddTags        []string
	RemoveTags     []string
	CustomFields   map[int64]any
	ExternalID     *string
	Language       *string    // en, id, fa or "" (unknown)
	DueAt          *time.Time // zero time clears
	Comment        *NewComment
	// UpdatedStamp, when set (Zendesk safe_update), must equal the ticket's
	// updated_at or the update fails with a conflict.
	UpdatedStamp time.Time
}

// ListQuery selects tickets for a list or a view.
type ListQuery struct {
	Statuses       []string
	AssigneeID     int64 // -1: unassigned
	GroupID        int64
	RequesterID    int64
	OrganizationID int64
	Sort           string // created_at, updated_at, id, status, priority, subject
	Desc           bool
	Page           int
	PerPage        int
	After          string // keyset cursor from a previous page
	Before         string
	// Keyset asks for a cursor page even without a cursor: the first page of
	// a keyset list, with no count (counting a large view costs more than
	// the page itself).
	Keyset bool
}
