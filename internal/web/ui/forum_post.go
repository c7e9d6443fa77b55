package ui

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/forum"
)

// One thread: the post, its answers (the accepted one first) with their
// comments, votes, the answer form, follow and report, and — for moderators
// — approve, hide, lock, move, merge, edit, make a ticket, promote to the
// knowledge base. Each action is a small form posting to
// /community/posts/{id}/<action>, then back to the thread (POST-redirect-GET).

type forumPostPage struct {
	P         forum.Post
	Topic     forum.Topic
	Topics    []forum.Topic
	Created   When
	Answers   []answerView
	Accepted  *answerView
	MyVote    int
	Following bool
	Mine      bool
	CanAnswer bool
	CanAccept bool
	CanMod    bool
	CanEdit   bool
	Form      *formState
	Labels    answerLabels
}

type answerView struct {
	A        forum.Answer
	Created  When
	MyVote   int
	Mine     bool
	Comments []answerView
	// Decided here rather than in the template, which is slow at logic.
	Published, CanVote, CanAccept, CanReport, CanComment, CanEdit bool
	VoteText                                             string
}

// answerLabels are the answer template's fixed texts, translated once.
type answerLabels struct {
	Accepted, Staff, Specialist, Official, Accept, Unaccept, AddComment, PostComment, Edit, Save string
}

// visitorCookie identifies an anonymous reader for the once-a-day view count.
const visitorCookie = "layan_fv"

func (p *Pages) visitor(w http.ResponseWriter, r *http.Request, a auth.Actor) string {
	if a.UserID != 0 {
		return "u" + itoa(a.UserID)
	}
	if c, err := r.Cookie(visitorCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		return "v" + c.Value
	}
	tok := auth.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: visitorCookie, Value: tok, Path: "/community", HttpOnly: true, MaxAge: 365 * 86400,
		Secure: r.TLS != nil, SameSite: http.SameSiteLaxMode})
	return "v" + tok
}

// forumPost: GET /community/posts/{id}. A merged duplicate redirects to
// the thread it joined.
func (p *Pages) forumPost(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	v := p.view(r)
	if done := r.URL.Query().Get("done"); done != "" && isFlash(done) {
		v.Flash, v.FlashKind = v.T("forum.flash."+done), "ok"
	}
	if e := r.URL.Query().Get("error"); e != "" && isFlashError(e) {
		v.Flash, v.FlashKind = v.T("forum.error."+e), "error"
	}
	p.showForumPost(w, r, v, http.StatusOK, id, newForm(), true)
}

func isFlash(k string) bool {
	switch k {
	case "posted", "queued", "answered", "answer_queued", "accepted", "followed", "unfollowed", "reported", "moderated",
		"ticket", "promoted", "voted", "helped", "edited":
		return true
	}
	return false
}

func isFlashError(k string) bool {
	switch k {
	case "rate_limited", "locked", "own_content", "not_solved", "invalid":
		return true
	}
	return false
}

func (p *Pages) showForumPost(w http.ResponseWriter, r *http.Request, v *View, status int, id int64, f *formState, count bool) {
	ctx := r.Context()
	fs := p.d.Forum
	post, err := fs.GetPost(ctx, v.Actor, id)
	if errors.Is(err, apperr.ErrNotFound) {
		if to := fs.MergedInto(ctx, id); to != 0 {
			http.Redirect(w, r, "/community/posts/"+itoa(to), http.StatusMovedPermanently)
			return
		}
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if count && post.Status == forum.Published {
		if err := fs.RecordView(ctx, id, p.visitor(w, r, v.Actor)); err != nil {
			p.d.Log.Warn("forum: record view", "post", id, "err", err)
		}
	}
	answers, err := fs.AnswersOf(ctx, v.Actor, post)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	votes, err := fs.MyVotes(ctx, v.Actor, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	mod := forum.CanModerate(v.Actor)
	d := &forumPostPage{P: post, Created: v.When(post.CreatedAt), MyVote: votes["post:"+itoa(id)], Form: f, CanMod: mod,
		Mine: v.SignedIn && post.Author.ID == v.Actor.UserID, Following: fs.Following(ctx, v.Actor, id)}
	d.CanAnswer = v.SignedIn && post.Status == forum.Published && (!post.Locked || mod)
	d.CanAccept = post.Kind == forum.Question && post.Status == forum.Published && (d.Mine || mod)
	d.CanEdit = mod || (d.Mine && !post.Locked)
	if d.Topic, err = fs.GetTopic(ctx, v.Actor, post.TopicID); err != nil {
		p.fail(w, r, err)
		return
	}
	if mod {
		if d.Topics, err = fs.ListTopics(ctx, v.Actor); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	d.Labels = answerLabels{Accepted: v.T("forum.accepted_answer"), Staff: v.T("forum.badge.staff"),
		Specialist: v.T("forum.badge.specialist"), Official: v.T("forum.official"), Accept: v.T("forum.accept"),
		Unaccept: v.T("forum.unaccept"), AddComment: v.T("forum.add_comment"), PostComment: v.T("forum.post_comment"),
		Edit: v.T("forum.edit"), Save: v.T("common.save")}
	byID := map[int64]int{}
	for _, x := range answers {
		av := answerView{A: x, Created: v.When(x.CreatedAt), MyVote: votes["answer:"+itoa(x.ID)],
			Mine: v.SignedIn && x.Author.ID == v.Actor.UserID, Published: x.Status == forum.Published}
		av.CanVote = v.SignedIn && !av.Mine && av.Published
		av.CanAccept = d.CanAccept && av.Published
		av.CanReport = v.SignedIn && !av.Mine
		av.CanComment = d.CanAnswer && av.Published
		av.CanEdit = mod || (av.Mine && !post.Locked)
		if !av.CanVote {
			av.VoteText = v.T("forum.vote_sum", "n", v.Num64(x.VoteSum))
		}
		if x.ParentID == 0 {
			byID[x.ID] = len(d.Answers)
			d.Answers = append(d.Answers, av)
		} else if i, ok := byID[x.ParentID]; ok {
			d.Answers[i].Comments = append(d.Answers[i].Comments, av)
		}
	}
	// The accepted answer is shown first, as on every Q&A site.
	for i, av := range d.Answers {
		if av.A.Accepted {
			d.Answers = append(append([]answerView{av}, d.Answers[:i]...), d.Answers[i+1:]...)
			d.Accepted = &d.Answers[0]
			break
		}
	}
	v.Title, v.Nav, v.Data = post.Title, "community", d
	p.render(w, r, status, "forum_post", v)
}

// back redirects to the thread with a notice (or an error key).
func back(w http.ResponseWriter, r *http.Request, id int64, done, anchor string) {
	u := "/community/posts/" + itoa(id) + "?done=" + done
	if anchor != "" {
		u += "#" + anchor
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

// failForum shows a validation problem on the thread; anything else is the error page.
func (p *Pages) failForum(w http.ResponseWriter, r *http.Request, id int64, err error) {
	if ve, ok := apperr.AsValidation(err); ok {
		key := ve.Key
		if !isFlashError(key) {
			key = "invalid"
		}
		http.Redirect(w, r, "/community/posts/"+itoa(id)+"?error="+key, http.StatusSeeOther)
		return
	}
	p.fail(w, r, err)
}

func formInt(r *http.Request, name string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSpace(r.PostFormValue(name)), 10, 64)
	return n
}

// forumAnswer: POST /community/posts/{id}/answers (members): body, parent_id.
func (p *Pages) forumAnswer(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	v := p.view(r)
	f := formFrom(r, "body", "parent_id")
	x, err := p.d.Forum.AddAnswer(r.Context(), v.Actor, id, forum.AnswerInput{ParentID: formInt(r, "parent_id"), Body: f.Values.Get("body")})
	if err != nil {
		if ve, ok := apperr.AsValidation(err); ok {
			switch ve.Key {
			case "rate_limited", "locked":
				f.Error = v.T("forum.error." + ve.Key)
			default:
				applyError(v, f, err, map[string][2]string{"body": {"body", "forum.field.answer"}})
			}
			f.Failed(v)
			p.showForumPost(w, r, v, http.StatusUnprocessableEntity, id, f, false)
			return
		}
		p.fail(w, r, err)
		return
	}
	done := "answered"
	if x.Status == forum.Queued {
		done = "answer_queued"
	}
	back(w, r, id, done, "answer-"+itoa(x.ID))
}

// forumAccept: POST /community/posts/{id}/accept (the asker or a moderator): answer_id (0 withdraws).
func (p *Pages) forumAccept(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	if _, err := p.d.Forum.Accept(r.Context(), a, id, formInt(r, "answer_id")); err != nil {
		p.failForum(w, r, id, err)
		return
	}
	back(w, r, id, "accepted", "")
}

// forumVote: POST /community/posts/{id}/vote (members): target, target_id, value.
func (p *Pages) forumVote(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	target, tid := r.PostFormValue("target"), formInt(r, "target_id")
	if target == "post" {
		tid = id
	}
	if err := p.d.Forum.Vote(r.Context(), a, target, tid, int(formInt(r, "value"))); err != nil {
		p.failForum(w, r, id, err)
		return
	}
	anchor := ""
	if target == "answer" {
		anchor = "answer-" + itoa(tid)
	}
	back(w, r, id, "voted", anchor)
}

// forumFollow: POST /community/posts/{id}/follow (members): on=1 follows, else unfollows.
func (p *Pages) forumFollow(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	on := r.PostFormValue("on") == "1"
	if err := p.d.Forum.Follow(r.Context(), a, id, on); err != nil {
		p.failForum(w, r, id, err)
		return
	}
	done := "unfollowed"
	if on {
		done = "followed"
	}
	back(w, r, id, done, "")
}

// forumReport: POST /community/posts/{id}/report (members): target, target_id, reason.
func (p *Pages) forumReport(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	target, tid := r.PostFormValue("target"), formInt(r, "target_id")
	if target == "post" {
		tid = id
	}
	if err := p.d.Forum.Report(r.Context(), a, target, tid, r.PostFormValue("reason")); err != nil {
		p.failForum(w, r, id, err)
		return
	}
	back(w, r, id, "reported", "")
}

// forumHelped: POST /community/posts/{id}/helped (anyone): "this solved my
// problem" on a solved thread, counted as a deflection.
func (p *Pages) forumHelped(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	// An anonymous visitor must bring the cookie the thread page set: it is
	// SameSite=Lax, so another site cannot post this form for them.
	visitor := ""
	if a.UserID != 0 {
		visitor = "u" + itoa(a.UserID)
	} else if c, err := r.Cookie(visitorCookie); err == nil && len(c.Value) >= 32 && len(c.Value) <= 64 {
		visitor = "v" + c.Value
	}
	if err := p.d.Forum.RecordDeflection(r.Context(), a, id, "forum", visitor); err != nil {
		p.failForum(w, r, id, err)
		return
	}
	back(w, r, id, "helped", "")
}

// forumEdit: POST /community/posts/{id}/edit (the author while unlocked, or
// a moderator): title, details; or an answer's body with answer_id.
func (p *Pages) forumEdit(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	var err error
	if aid := formInt(r, "answer_id"); aid != 0 {
		_, err = p.d.Forum.UpdateAnswer(r.Context(), a, aid, r.PostFormValue("body"))
	} else {
		title, body := r.PostFormValue("title"), r.PostFormValue("details")
		_, err = p.d.Forum.UpdatePost(r.Context(), a, id, forum.PostPatch{Title: &title, Body: &body})
	}
	if err != nil {
		p.failForum(w, r, id, err)
		return
	}
	back(w, r, id, "edited", "")
}

// forumModerate: POST /community/posts/{id}/moderate (moderators): action
// approve|hide|unhide|lock|unlock on target (post or answer, target_id),
// move (topic_id), merge (into), ticket, promote (section_id).
func (p *Pages) forumModerate(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	a, _ := actorOf(r)
	ctx := r.Context()
	fs := p.d.Forum
	action := r.PostFormValue("action")
	var err error
	switch action {
	case "move":
		tid := formInt(r, "topic_id")
		_, err = fs.UpdatePost(ctx, a, id, forum.PostPatch{TopicID: &tid})
	case "merge":
		into := formInt(r, "into")
		if err = fs.Merge(ctx, a, id, into); err == nil {
			back(w, r, into, "moderated", "")
			return
		}
	case "ticket":
		var tid int64
		if tid, err = fs.ToTicket(ctx, a, id); err == nil {
			http.Redirect(w, r, "/agent/tickets/"+itoa(tid), http.StatusSeeOther)
			return
		}
	case "promote":
		if _, err = fs.PromoteToKB(ctx, a, id, formInt(r, "section_id")); err == nil {
			back(w, r, id, "promoted", "")
			return
		}
	default:
		target, tid := r.PostFormValue("target"), formInt(r, "target_id")
		if target == "" || target == "post" {
			target, tid = "post", id
		}
		err = fs.Moderate(ctx, a, target, tid, action, r.PostFormValue("note"))
	}
	if err != nil {
		p.failForum(w, r, id, err)
		return
	}
	if next := localPath(r.PostFormValue("next"), ""); next != "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	back(w, r, id, "moderated", "")
}
