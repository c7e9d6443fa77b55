package communityapi

import (
	"net/http"

	"layan/internal/forum"
)

type topicJSON struct {
	ID          int64  `json:"id"`
	URL         string `json:"url"`
	HTMLURL     string `json:"html_url"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    int    `json:"position"`
	PostCount   int    `json:"post_count"`
	CreatedAt   string `json:"created_at"`
	UpdatedAt   string `json:"updated_at"`
}

func toTopic(r *http.Request, t forum.Topic) topicJSON {
	return topicJSON{ID: t.ID, URL: baseURL(r) + "/api/v2/community/topics/" + itoa(t.ID) + ".json",
		HTMLURL: baseURL(r) + "/community?topic=" + itoa(t.ID), Name: t.Name, Description: t.Description,
		Position: t.Position, PostCount: t.PostCount, CreatedAt: ts(t.CreatedAt), UpdatedAt: ts(t.UpdatedAt)}
}

// postJSON is Zendesk's post, with Layan's additions after the blank line.
type postJSON struct {
	ID            int64  `json:"id"`
	URL           string `json:"url"`
	HTMLURL       string `json:"html_url"`
	Title         string `json:"title"`
	Details       string `json:"details"`
	AuthorID      int64  `json:"author_id"`
	TopicID       int64  `json:"topic_id"`
	Closed        bool   `json:"closed"`
	Pinned        bool   `json:"pinned"`
	Featured      bool   `json:"featured"`
	Status        string `json:"status"`
	VoteSum       int64  `json:"vote_sum"`
	VoteCount     int64  `json:"vote_count"`
	CommentCount  int64  `json:"comment_count"`
	FollowerCount int64  `json:"follower_count"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`

	Kind              string  `json:"kind"`
	Locale            string  `json:"locale"`
	Solved            bool    `json:"solved"`
	AcceptedCommentID *int64  `json:"accepted_comment_id"`
	ViewCount         int64   `json:"view_count"`
	ModerationStatus  string  `json:"moderation_status"`
	DetailsMarkdown   string  `json:"details_markdown,omitempty"`
	SolvedAt          *string `json:"solved_at"`
	TicketID          *int64  `json:"ticket_id,omitempty"`
	ArticleID         *int64  `json:"article_id,omitempty"`
}

func idPtr(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func toPost(r *http.Request, p forum.Post, staff bool) postJSON {
	status := "none"
	if p.Solved() {
		status = "answered"
	}
	j := postJSON{ID: p.ID, URL: baseURL(r) + "/api/v2/community/posts/" + itoa(p.ID) + ".json",
		HTMLURL: baseURL(r) + "/community/posts/" + itoa(p.ID), Title: p.Title, Details: p.BodyHTML, AuthorID: p.Author.ID,
		TopicID: p.TopicID, Closed: p.Locked, Status: status, VoteSum: p.VoteSum, VoteCount: p.VoteCount,
		CommentCount: p.AnswerCount, FollowerCount: p.FollowerCount, CreatedAt: ts(p.CreatedAt), UpdatedAt: ts(p.UpdatedAt),
		Kind: p.Kind, Locale: p.Locale, Solved: p.Solved(), AcceptedCommentID: idPtr(p.AcceptedID), ViewCount: p.ViewCount,
		ModerationStatus: p.Status, DetailsMarkdown: p.BodyMD, SolvedAt: tsPtr(p.SolvedAt)}
	if staff {
		j.TicketID, j.ArticleID = idPtr(p.TicketID), idPtr(p.ArticleID)
	}
	return j
}

type commentJSON struct {
	ID        int64  `json:"id"`
	URL       string `json:"url"`
	HTMLURL   string `json:"html_url"`
	Body      string `json:"body"`
	AuthorID  int64  `json:"author_id"`
	PostID    int64  `json:"post_id"`
	Official  bool   `json:"official"`
	VoteSum   int64  `json:"vote_sum"`
	VoteCount int64  `json:"vote_count"`
	CreatedAt string `json:"created_at"`
	UpdatedAt string `json:"updated_at"`

	ParentID         *int64 `json:"parent_id"`
	Accepted         bool   `json:"accepted"`
	ModerationStatus string `json:"moderation_status"`
	BodyMarkdown     string `json:"body_markdown"`
}

func toComment(r *http.Request, x forum.Answer) commentJSON {
	return commentJSON{ID: x.ID, URL: baseURL(r) + "/api/v2/community/posts/" + itoa(x.PostID) + "/comments/" + itoa(x.ID) + ".json",
		HTMLURL: baseURL(r) + "/community/posts/" + itoa(x.PostID) + "#answer-" + itoa(x.ID), Body: x.BodyHTML,
		AuthorID: x.Author.ID, PostID: x.PostID, Official: x.Official, VoteSum: x.VoteSum, VoteCount: x.VoteCount,
		CreatedAt: ts(x.CreatedAt), UpdatedAt: ts(x.UpdatedAt), ParentID: idPtr(x.ParentID), Accepted: x.Accepted,
		ModerationStatus: x.Status, BodyMarkdown: x.BodyMD}
}
