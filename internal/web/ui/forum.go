package ui

import (
	"net/http"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/forum"
	"layan/internal/i18n"
	"layan/internal/web/httpx"
)

// The community forum for customers: /community lists posts (newest first,
// keyset pages), /community/search finds solved threads, /community/posts/new
// asks, /community/users/{id} is a member's profile. Anyone reads; members
// write; the forum service decides who sees what (queued and hidden posts
// are 404 to others).

type forumListPage struct {
	Topics  []forum.Topic
	TopicID int64
	Topic   *forum.Topic
	// Following: the reader follows Topic; Followed: they just chose to.
	Following, Followed bool
	Kind                string
	Rows                []forumRow
	Next                string
	First               bool
}

// forumRow is one post in a list, display strings ready.
type forumRow struct {
	P                     forum.Post
	Created               When
	Votes, Answers, Views string
}

func (p *Pages) forumRows(v *View, ps []forum.Post) []forumRow {
	out := make([]forumRow, len(ps))
	for i, x := range ps {
		out[i] = forumRow{P: x, Created: v.When(x.CreatedAt), Votes: v.Num(int(x.VoteSum)), Answers: v.Num(int(x.AnswerCount)),
			Views: v.Num(int(x.ViewCount))}
	}
	return out
}

// forumOff answers 404 when the forum is not wired (tests of other pages).
func (p *Pages) forumOff(w http.ResponseWriter, r *http.Request) bool {
	if p.d.Forum == nil {
		p.notFound(w, r)
		return true
	}
	return false
}

func queryID(r *http.Request, name string) (int64, bool) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, true
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n > 0
}

// forumHome: GET /community?topic=&kind=&before=.
func (p *Pages) forumHome(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	v := p.view(r)
	topicID, ok1 := queryID(r, "topic")
	before, ok2 := queryID(r, "before")
	if !ok1 || !ok2 {
		p.fail(w, r, apperr.Invalid("before", "invalid", "must be an id"))
		return
	}
	kind := r.URL.Query().Get("kind")
	ctx := r.Context()
	d := &forumListPage{TopicID: topicID, Kind: kind, First: before == 0}
	var err error
	if d.Topics, err = p.d.Forum.ListTopics(ctx, v.Actor); err != nil {
		p.fail(w, r, err)
		return
	}
	for i := range d.Topics {
		if d.Topics[i].ID == topicID {
			d.Topic = &d.Topics[i]
			d.Following = p.d.Forum.FollowingTopic(ctx, v.Actor, topicID)
			d.Followed = d.Following && r.URL.Query().Get("done") == "followed"
		}
	}
	ps, more, err := p.d.Forum.ListPosts(ctx, v.Actor, forum.ListQuery{TopicID: topicID, Kind: kind, Before: before, Limit: 30})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	d.Rows = p.forumRows(v, ps)
	if more {
		q := r.URL.Query()
		q.Set("before", itoa(ps[len(ps)-1].ID))
		d.Next = "/community?" + q.Encode()
	}
	v.Title, v.Nav, v.Data = v.T("forum.title"), "community", d
	p.render(w, r, http.StatusOK, "forum", v)
}

// forumFollowTopic: POST /community/topics/{id}/follow (members): on=1
// follows the topic (a mail for each new post in it), else unfollows.
func (p *Pages) forumFollowTopic(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	on := r.PostFormValue("on") == "1"
	if err := p.d.Forum.FollowTopic(r.Context(), a, id, on); err != nil {
		p.fail(w, r, err)
		return
	}
	u := "/community?topic=" + itoa(id)
	if on {
		u += "&done=followed"
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

type forumSearchPage struct {
	Q    string
	Hits []forum.Hit
}

// forumSearch: GET /community/search?q=: solved threads, in every language.
func (p *Pages) forumSearch(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	v := p.view(r)
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := &forumSearchPage{Q: q}
	if q != "" {
		var err error
		if d.Hits, err = p.d.Forum.Search(r.Context(), v.Actor, q, v.Locale, 20); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	v.Title, v.Nav, v.Data = v.T("forum.search_title"), "community", d
	p.render(w, r, http.StatusOK, "forum_search", v)
}

type forumNewPage struct {
	Topics []forum.Topic
	Kinds  []string
	Form   *formState
}

// forumNewForm: GET /community/posts/new (members).
func (p *Pages) forumNewForm(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	f := newForm()
	f.Values.Set("topic_id", r.URL.Query().Get("topic"))
	p.renderForumNew(w, r, p.view(r), http.StatusOK, f)
}

func (p *Pages) renderForumNew(w http.ResponseWriter, r *http.Request, v *View, status int, f *formState) {
	ts, err := p.d.Forum.ListTopics(r.Context(), v.Actor)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav, v.Data = v.T("forum.ask"), "community", &forumNewPage{Topics: ts, Kinds: forum.Kinds, Form: f}
	p.render(w, r, status, "forum_new", v)
}

// forumCreate: POST /community/posts (members).
func (p *Pages) forumCreate(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	v := p.view(r)
	f := formFrom(r, "topic_id", "kind", "title", "details")
	topicID, _ := strconv.ParseInt(f.V("topic_id"), 10, 64)
	post, err := p.d.Forum.CreatePost(r.Context(), v.Actor, forum.PostInput{TopicID: topicID, Kind: f.V("kind"),
		Title: f.V("title"), Body: f.Values.Get("details")})
	if err != nil {
		if ve, ok := apperr.AsValidation(err); ok && ve.Key == "rate_limited" {
			f.Error = v.T("forum.error.rate_limited")
		} else if !applyError(v, f, err, map[string][2]string{"title": {"title", "forum.field.title"},
			"details": {"details", "forum.field.details"}, "topic_id": {"topic_id", "forum.field.topic"}, "kind": {"kind", "forum.field.kind"}}) {
			p.fail(w, r, err)
			return
		}
		f.Failed(v)
		p.renderForumNew(w, r, v, http.StatusUnprocessableEntity, f)
		return
	}
	done := "posted"
	if post.Status == forum.Queued {
		done = "queued"
	}
	http.Redirect(w, r, "/community/posts/"+itoa(post.ID)+"?done="+done, http.StatusSeeOther)
}

type forumMemberPage struct {
	M      forum.Member
	Rows   []forumRow
	Since  When
	CanMod bool
}

// forumMember: GET /community/users/{id}: reputation, badges, posts.
func (p *Pages) forumMember(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	v := p.view(r)
	m, err := p.d.Forum.GetMember(r.Context(), v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	ps, _, err := p.d.Forum.ListPosts(r.Context(), v.Actor, forum.ListQuery{AuthorID: id, Limit: 20})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	v.Title, v.Nav = m.Name, "community"
	v.Data = &forumMemberPage{M: m, Rows: p.forumRows(v, ps), Since: v.When(m.JoinedAt), CanMod: forum.CanModerate(v.Actor)}
	p.render(w, r, http.StatusOK, "forum_member", v)
}

// forumMemberBadge: POST /community/users/{id} (moderators): award or
// withdraw the specialist badge, trust or distrust.
func (p *Pages) forumMemberBadge(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	var err error
	switch r.PostFormValue("action") {
	case "award":
		err = p.d.Forum.SetSpecialist(r.Context(), a, id, true)
	case "withdraw":
		err = p.d.Forum.SetSpecialist(r.Context(), a, id, false)
	case "trust":
		err = p.d.Forum.SetTrusted(r.Context(), a, id, true)
	default:
		err = apperr.Invalid("action", "invalid", "unknown action")
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/community/users/"+itoa(id), http.StatusSeeOther)
}

func actorOf(r *http.Request) (auth.Actor, bool) { return httpx.ActorFrom(r.Context()) }

// Num64 writes an int64 count in the page's digits (counters are int64).
func (v *View) Num64(n int64) string { return i18n.Integer(v.Locale, int(n)) }
