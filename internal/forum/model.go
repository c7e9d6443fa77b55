// Package forum is the customer community: topics, posts (questions, ideas,
// discussions) with answers and comments in Markdown, votes, the accepted
// answer that marks a question solved, view counts, follows with email
// notifications, reputation and badges, and the moderation that keeps it
// clean (a queue for new members' first posts and spam, reports, staff edit,
// hide, lock, move and merge, a log of every moderator action). Solved
// threads join the knowledge-base search; agents turn posts into tickets and
// solved threads into article drafts.
package forum

import "time"

// Post kinds.
const (
	Question   = "question"
	Idea       = "idea"
	Discussion = "discussion"
)

// Kinds lists the post kinds.
var Kinds = []string{Question, Idea, Discussion}

// Statuses of posts and answers.
const (
	Published = "published" // everyone sees it
	Queued    = "queued"    // waits for a moderator; only its author and staff see it
	Hidden    = "hidden"    // hidden by staff; only staff see it
)

// Limits.
const (
	MaxTitle  = 200
	MaxBody   = 50_000
	MaxName   = 100
	MaxReason = 1_000
	MaxPage   = 100
)

// Reputation points.
const (
	PointsAccepted = 15 // an answer of yours was accepted
	PointsVote     = 2  // per up vote (minus per down vote) on your post or answer
	// SpecialistReputation earns the "community specialist" badge without a
	// staff award.
	SpecialistReputation = 200
)

// Topic groups posts.
type Topic struct {
	ID          int64
	Name        string
	Description string
	Position    int
	PostCount   int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Author is who wrote a post or answer, with their standing.
type Author struct {
	ID         int64
	Name       string
	Staff      bool
	Specialist bool
	Reputation int64
}

// Post is a question, idea or discussion.
type Post struct {
	ID            int64
	TopicID       int64
	Author        Author
	Kind          string
	Locale        string
	Title         string
	BodyMD        string
	BodyHTML      string // sanitised
	Status        string
	Locked        bool
	SpamScore     int
	AcceptedID    int64 // the accepted answer; non-zero means solved
	MergedInto    int64
	TicketID      int64
	ArticleID     int64
	VoteSum       int64
	VoteCount     int64
	AnswerCount   int64
	ViewCount     int64
	FollowerCount int64
	FirstAnswerAt time.Time
	SolvedAt      time.Time
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// Solved reports whether the question has an accepted answer.
func (p Post) Solved() bool { return p.AcceptedID != 0 }

// Answer is an answer to a post, or (ParentID set) a comment on an answer.
type Answer struct {
	ID        int64
	PostID    int64
	ParentID  int64
	Author    Author
	BodyMD    string
	BodyHTML  string // sanitised
	Status    string
	Official  bool // written by staff
	SpamScore int
	VoteSum   int64
	VoteCount int64
	Accepted  bool
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Member is a person's standing in the community.
type Member struct {
	UserID     int64
	Name       string
	Staff      bool
	Reputation int64
	Accepted   int64
	Posts      int64
	Answers    int64
	Trusted    bool
	Specialist bool // awarded by staff or earned by reputation
	JoinedAt   time.Time
}

// Report is a member's report of abuse.
type Report struct {
	ID         int64
	Target     string // post or answer
	TargetID   int64
	PostID     int64
	ReporterID int64
	Reporter   string
	Reason     string
	CreatedAt  time.Time
}

// LogEntry is one moderator action.
type LogEntry struct {
	ID        int64
	ActorID   int64
	Actor     string
	Action    string
	Target    string
	TargetID  int64
	PostID    int64
	Note      string
	CreatedAt time.Time
}
