package communityapi

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/forum"
	"layan/internal/web/httpx"
)

// ---- Topics ----

// ListTopics: GET /api/v2/community/topics.
func (api *API) ListTopics(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	ts, err := api.Forum.ListTopics(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	out := make([]topicJSON, len(ts))
	for i, t := range ts {
		out[i] = toTopic(r, t)
	}
	return http.StatusOK, map[string]any{"topics": out, "count": len(out), "next_page": nil, "previous_page": nil}, nil
}

// ShowTopic: GET /api/v2/community/topics/{id}.
func (api *API) ShowTopic(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Forum.GetTopic(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"topic": toTopic(r, t)}, nil
}

type topicIn struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Position    *int   `json:"position"`
}

// CreateTopic: POST /api/v2/community/topics {"topic": {...}} (moderators).
func (api *API) CreateTopic(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[topicIn](w, r, api.MaxBody, "topic")
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Forum.CreateTopic(r.Context(), a, forum.TopicInput{Name: in.Name, Description: in.Description, Position: in.Position})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"topic": toTopic(r, t)}, nil
}

// UpdateTopic: PUT /api/v2/community/topics/{id} (moderators).
func (api *API) UpdateTopic(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[topicIn](w, r, api.MaxBody, "topic")
	if err != nil {
		return 0, nil, err
	}
	t, err := api.Forum.UpdateTopic(r.Context(), a, id, forum.TopicInput{Name: in.Name, Description: in.Description, Position: in.Position})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"topic": toTopic(r, t)}, nil
}

// DeleteTopic: DELETE /api/v2/community/topics/{id} (moderators; empty topics).
func (api *API) DeleteTopic(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Forum.DeleteTopic(r.Context(), a, id)
}

// ---- Posts ----

// ListPosts: GET /api/v2/community/posts, /topics/{id}/posts, /users/{id}/posts.
// Cursor pagination as Zendesk's: page[size] (or per_page), page[after];
// the cursor is the last post's id, so every page costs the same.
func (api *API) ListPosts(scope string) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		q := r.URL.Query()
		lq := forum.ListQuery{Kind: q.Get("kind"), Status: q.Get("moderation_status")}
		var err error
		switch scope {
		case "topic":
			lq.TopicID, err = httpx.PathID(r, "id")
		case "user":
			lq.AuthorID, err = httpx.PathID(r, "id")
		}
		if err != nil {
			return 0, nil, err
		}
		size := 30
		for _, name := range []string{"per_page", "page[size]"} {
			if s := q.Get(name); s != "" {
				if size, err = strconv.Atoi(s); err != nil || size < 1 || size > forum.MaxPage {
					return 0, nil, &httpx.BadRequest{Msg: name + " must be between 1 and 100"}
				}
			}
		}
		lq.Limit = size
		if s := q.Get("page[after]"); s != "" {
			if lq.Before, err = strconv.ParseInt(s, 10, 64); err != nil || lq.Before <= 0 {
				return 0, nil, &httpx.BadRequest{Msg: "page[after] is not a cursor of this list"}
			}
		}
		if s := q.Get("solved"); s != "" {
			b := s == "true"
			lq.Solved = &b
		}
		ps, more, err := api.Forum.ListPosts(r.Context(), a, lq)
		if err != nil {
			return 0, nil, err
		}
		out := make([]postJSON, len(ps))
		for i, p := range ps {
			out[i] = toPost(r, p, a.IsStaff())
			out[i].DetailsMarkdown = ""
		}
		meta := map[string]any{"has_more": more, "after_cursor": nil, "before_cursor": nil}
		links := map[string]any{"next": nil, "prev": nil}
		if more {
			cur := itoa(ps[len(ps)-1].ID)
			meta["after_cursor"] = cur
			u := *r.URL
			v := u.Query()
			v.Set("page[after]", cur)
			v.Set("page[size]", strconv.Itoa(size))
			u.RawQuery = v.Encode()
			links["next"] = baseURL(r) + u.Path + "?" + u.RawQuery
		}
		return http.StatusOK, map[string]any{"posts": out, "meta": meta, "links": links}, nil
	}
}

// ShowPost: GET /api/v2/community/posts/{id}.
func (api *API) ShowPost(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	p, err := api.Forum.GetPost(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"post": toPost(r, p, a.IsStaff())}, nil
}

type postIn struct {
	Title   *string `json:"title"`
	Details *string `json:"details"`
	TopicID *int64  `json:"topic_id"`
	Kind    *string `json:"kind"`
	Locale  string  `json:"locale"`
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// CreatePost: POST /api/v2/community/posts {"post": {"title", "details" (Markdown), "topic_id", "kind", "locale"}}.
// A new member's first post answers 201 with moderation_status "queued".
func (api *API) CreatePost(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[postIn](w, r, api.MaxBody, "post")
	if err != nil {
		return 0, nil, err
	}
	p, err := api.Forum.CreatePost(r.Context(), a, forum.PostInput{TopicID: deref(in.TopicID), Kind: deref(in.Kind),
		Title: deref(in.Title), Body: deref(in.Details), Locale: in.Locale})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"post": toPost(r, p, a.IsStaff())}, nil
}

// UpdatePost: PUT /api/v2/community/posts/{id} (the author while unlocked; moderators, also topic_id to move).
func (api *API) UpdatePost(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[postIn](w, r, api.MaxBody, "post")
	if err != nil {
		return 0, nil, err
	}
	if in.Locale != "" {
		return 0, nil, apperr.Invalid("locale", "read_only", "the locale of a post does not change")
	}
	p, err := api.Forum.UpdatePost(r.Context(), a, id, forum.PostPatch{Title: in.Title, Body: in.Details, TopicID: in.TopicID, Kind: in.Kind})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"post": toPost(r, p, a.IsStaff())}, nil
}

// DeletePost: DELETE /api/v2/community/posts/{id} (the author or a moderator).
func (api *API) DeletePost(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Forum.DeletePost(r.Context(), a, id)
}

// ---- Comments ----

// ListComments: GET /api/v2/community/posts/{id}/comments, oldest first.
func (api *API) ListComments(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	xs, err := api.Forum.ListAnswers(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	out := make([]commentJSON, len(xs))
	for i, x := range xs {
		out[i] = toComment(r, x)
	}
	return http.StatusOK, map[string]any{"comments": out, "count": len(out), "next_page": nil, "previous_page": nil}, nil
}

type commentIn struct {
	Body     string `json:"body"`
	ParentID int64  `json:"parent_id"`
	Official *bool  `json:"official"` // Zendesk's; staff comments are official anyway
}

// CreateComment: POST /api/v2/community/posts/{id}/comments {"comment": {"body" (Markdown), "parent_id"}}.
func (api *API) CreateComment(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[commentIn](w, r, api.MaxBody, "comment")
	if err != nil {
		return 0, nil, err
	}
	x, err := api.Forum.AddAnswer(r.Context(), a, id, forum.AnswerInput{ParentID: in.ParentID, Body: in.Body})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"comment": toComment(r, x)}, nil
}

// commentOf reads {post}/comments/{id}, refusing a comment of another post.
func (api *API) commentOf(r *http.Request, a auth.Actor) (forum.Answer, error) {
	postID, err := httpx.PathID(r, "post")
	if err != nil {
		return forum.Answer{}, err
	}
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return forum.Answer{}, err
	}
	x, err := api.Forum.GetAnswer(r.Context(), a, id)
	if err != nil {
		return forum.Answer{}, err
	}
	if x.PostID != postID {
		return forum.Answer{}, apperr.NotFound("comment")
	}
	return x, nil
}

// ShowComment: GET /api/v2/community/posts/{post}/comments/{id}.
func (api *API) ShowComment(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	x, err := api.commentOf(r, a)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"comment": toComment(r, x)}, nil
}

// UpdateComment: PUT /api/v2/community/posts/{post}/comments/{id} {"comment": {"body"}}.
func (api *API) UpdateComment(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	x, err := api.commentOf(r, a)
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[commentIn](w, r, api.MaxBody, "comment")
	if err != nil {
		return 0, nil, err
	}
	if in.ParentID != 0 && in.ParentID != x.ParentID {
		return 0, nil, apperr.Invalid("parent_id", "read_only", "a comment does not move")
	}
	x, err = api.Forum.UpdateAnswer(r.Context(), a, x.ID, in.Body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"comment": toComment(r, x)}, nil
}

// ---- Votes ----

// Vote: POST .../up and .../down; Zendesk answers {"vote": {...}}.
func (api *API) Vote(target string, value int) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		var id int64
		var err error
		if target == "answer" {
			var x forum.Answer
			if x, err = api.commentOf(r, a); err != nil {
				return 0, nil, err
			}
			id = x.ID
		} else if id, err = httpx.PathID(r, "id"); err != nil {
			return 0, nil, err
		}
		if err := api.Forum.Vote(r.Context(), a, target, id, value); err != nil {
			return 0, nil, err
		}
		itemType := "Post"
		if target == "answer" {
			itemType = "PostComment"
		}
		return http.StatusOK, map[string]any{"vote": map[string]any{"user_id": a.UserID, "value": value, "item_id": id,
			"item_type": itemType, "created_at": ts(time.Now())}}, nil
	}
}

// ---- Layan's own ----

// Accept: POST /api/layan/v1/community/posts/{id}/accept {"accept": {"comment_id"}} (0 withdraws).
func (api *API) Accept(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[struct {
		CommentID int64 `json:"comment_id"`
	}](w, r, api.MaxBody, "accept")
	if err != nil {
		return 0, nil, err
	}
	p, err := api.Forum.Accept(r.Context(), a, id, in.CommentID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, map[string]any{"post": toPost(r, p, a.IsStaff())}, nil
}

// Follow: POST (follow) or DELETE (unfollow) /api/layan/v1/community/posts/{id}/follow.
func (api *API) Follow(on bool) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, api.Forum.Follow(r.Context(), a, id, on)
	}
}

// FollowTopic: POST (follow) and DELETE (unfollow) /api/layan/v1/community/topics/{id}/follow:
// a mail for each new post in the topic.
func (api *API) FollowTopic(on bool) func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	return func(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
		id, err := httpx.PathID(r, "id")
		if err != nil {
			return 0, nil, err
		}
		return http.StatusNoContent, nil, api.Forum.FollowTopic(r.Context(), a, id, on)
	}
}

// CreateReport: POST /api/layan/v1/community/reports {"report": {"target": "post"|"comment", "id", "reason"}}.
func (api *API) CreateReport(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[struct {
		Target string `json:"target"`
		ID     int64  `json:"id"`
		Reason string `json:"reason"`
	}](w, r, api.MaxBody, "report")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Forum.Report(r.Context(), a, target(in.Target), in.ID, in.Reason)
}

// target maps the API's word (Zendesk calls answers comments) to the forum's.
func target(t string) string {
	if t == "comment" {
		return "answer"
	}
	return t
}

// ListReports: GET /api/layan/v1/community/reports (staff): open reports.
func (api *API) ListReports(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	rs, err := api.Forum.Reports(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]any, len(rs))
	for i, x := range rs {
		out[i] = map[string]any{"id": x.ID, "target": x.Target, "target_id": x.TargetID, "post_id": x.PostID,
			"reporter_id": x.ReporterID, "reason": x.Reason, "created_at": ts(x.CreatedAt)}
	}
	return http.StatusOK, map[string]any{"reports": out}, nil
}

// Queue: GET /api/layan/v1/community/queue (staff).
func (api *API) Queue(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	qs, err := api.Forum.Queue(r.Context(), a)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]any, len(qs))
	for i, q := range qs {
		out[i] = map[string]any{"target": q.Target, "id": q.ID, "post_id": q.PostID, "title": q.Title, "body": q.BodyHTML,
			"author_id": q.Author.ID, "spam_score": q.SpamScore, "created_at": ts(q.CreatedAt)}
	}
	return http.StatusOK, map[string]any{"queue": out}, nil
}

// Moderate: POST /api/layan/v1/community/moderation {"moderation": {"target", "id", "action", "note"}}
// (admins and agents): approve, hide, unhide, lock, unlock.
func (api *API) Moderate(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	in, err := decode[struct {
		Target string `json:"target"`
		ID     int64  `json:"id"`
		Action string `json:"action"`
		Note   string `json:"note"`
	}](w, r, api.MaxBody, "moderation")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Forum.Moderate(r.Context(), a, target(in.Target), in.ID, in.Action, in.Note)
}

// Merge: POST /api/layan/v1/community/posts/{id}/merge {"merge": {"into"}} (admins and agents).
func (api *API) Merge(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[struct {
		Into int64 `json:"into"`
	}](w, r, api.MaxBody, "merge")
	if err != nil {
		return 0, nil, err
	}
	return http.StatusNoContent, nil, api.Forum.Merge(r.Context(), a, id, in.Into)
}

// ToTicket: POST /api/layan/v1/community/posts/{id}/ticket (admins and agents).
func (api *API) ToTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	tid, err := api.Forum.ToTicket(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"ticket_id": tid}, nil
}

// Promote: POST /api/layan/v1/community/posts/{id}/article {"article": {"section_id"}} (admins and agents).
func (api *API) Promote(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[struct {
		SectionID int64 `json:"section_id"`
	}](w, r, api.MaxBody, "article")
	if err != nil {
		return 0, nil, err
	}
	aid, err := api.Forum.PromoteToKB(r.Context(), a, id, in.SectionID)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"article_id": aid}, nil
}

// ReplyFromTicket: POST /api/layan/v1/community/tickets/{id}/reply {"reply": {"body"}}
// (admins and agents who see the ticket): an official public answer on the
// post the ticket was made from.
func (api *API) ReplyFromTicket(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	in, err := decode[struct {
		Body string `json:"body"`
	}](w, r, api.MaxBody, "reply")
	if err != nil {
		return 0, nil, err
	}
	x, err := api.Forum.ReplyFromTicket(r.Context(), a, id, in.Body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, map[string]any{"comment": toComment(r, x)}, nil
}

// Log: GET /api/layan/v1/community/log (staff).
func (api *API) Log(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	n, err := httpx.QueryInt(r, "limit", 100)
	if err != nil {
		return 0, nil, err
	}
	ls, err := api.Forum.ModLog(r.Context(), a, n)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]any, len(ls))
	for i, l := range ls {
		out[i] = map[string]any{"id": l.ID, "actor_id": l.ActorID, "action": l.Action, "target": l.Target,
			"target_id": l.TargetID, "post_id": l.PostID, "note": l.Note, "created_at": ts(l.CreatedAt)}
	}
	return http.StatusOK, map[string]any{"log": out}, nil
}

// Metrics: GET /api/layan/v1/community/metrics?from=&to= (RFC 3339; default the last 30 days) (staff).
func (api *API) Metrics(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	to, from := time.Now(), time.Now().Add(-30*24*time.Hour)
	for name, dst := range map[string]*time.Time{"from": &from, "to": &to} {
		if s := r.URL.Query().Get(name); s != "" {
			t, err := time.Parse(time.RFC3339, s)
			if err != nil {
				return 0, nil, apperr.Invalid(name, "invalid", "must be an RFC 3339 time")
			}
			*dst = t
		}
	}
	m, err := api.Forum.Metrics(r.Context(), a, from, to)
	if err != nil {
		return 0, nil, err
	}
	secs := func(d time.Duration) *int64 {
		if d == 0 {
			return nil
		}
		s := int64(d / time.Second)
		return &s
	}
	return http.StatusOK, map[string]any{"metrics": map[string]any{"from": ts(m.From), "to": ts(m.To),
		"questions": m.Questions, "answered": m.Answered, "solved": m.Solved, "answered_pct": m.AnsweredPct,
		"solved_pct": m.SolvedPct, "median_first_answer_seconds": secs(m.MedianFirstAnswer),
		"median_solution_seconds": secs(m.MedianToSolution), "views": m.Views, "deflections": m.Deflections,
		"queued": m.QueuedNow, "open_reports": m.OpenReports}}, nil
}

// Candidates: GET /api/layan/v1/community/candidates (staff).
func (api *API) Candidates(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	cs, err := api.Forum.KBCandidates(r.Context(), a, 50)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]any, len(cs))
	for i, c := range cs {
		out[i] = map[string]any{"title": c.Title, "post_ids": c.PostIDs, "count": c.Count, "views": c.Views,
			"solved": c.Solved, "promoted": c.Promoted}
	}
	return http.StatusOK, map[string]any{"candidates": out}, nil
}

// Search: GET /api/layan/v1/community/search?query=&locale=: solved threads.
func (api *API) Search(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	q := r.URL.Query()
	if q.Get("query") == "" {
		return 0, nil, apperr.Invalid("query", "required", "is required")
	}
	locale := q.Get("locale")
	if locale == "" {
		locale = a.Locale
	}
	hits, err := api.Forum.Search(r.Context(), a, q.Get("query"), locale, 20)
	if err != nil {
		return 0, nil, err
	}
	out := make([]map[string]any, len(hits))
	for i, h := range hits {
		out[i] = map[string]any{"post_id": h.PostID, "title": h.Title, "snippet": h.Snippet, "locale": h.Locale, "solved": h.Solved,
			"html_url": baseURL(r) + "/community/posts/" + itoa(h.PostID)}
	}
	return http.StatusOK, map[string]any{"results": out, "count": len(out)}, nil
}

// ShowMember: GET /api/layan/v1/community/users/{id}: reputation and badges.
func (api *API) ShowMember(w http.ResponseWriter, r *http.Request, a auth.Actor) (int, any, error) {
	id, err := httpx.PathID(r, "id")
	if err != nil {
		return 0, nil, err
	}
	m, err := api.Forum.GetMember(r.Context(), a, id)
	if err != nil {
		return 0, nil, err
	}
	badges := []string{}
	if m.Staff {
		badges = append(badges, "staff")
	}
	if m.Specialist {
		badges = append(badges, "community_specialist")
	}
	return http.StatusOK, map[string]any{"member": map[string]any{"user_id": m.UserID, "name": m.Name, "reputation": m.Reputation,
		"accepted_answers": m.Accepted, "posts": m.Posts, "answers": m.Answers, "badges": badges,
		"html_url": baseURL(r) + "/community/users/" + url.PathEscape(itoa(m.UserID))}}, nil
}
