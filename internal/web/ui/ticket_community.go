package ui

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"layan/internal/forum"
)

// communityLink is the community thread a ticket was made from (an agent
// turned a post into a ticket): the ticket page links to it and lets the
// agent answer there in public, so what they worked out helps the next
// customer too.
type communityLink struct {
	PostID    int64
	Title     string
	Solved    bool
	CanAnswer bool
}

// loadCommunityLink fills tp.Community for tickets made from a post. Those
// carry the "community" tag, so other tickets cost no query.
func (p *Pages) loadCommunityLink(ctx context.Context, v *View, tp *ticketPage) {
	if p.d.Forum == nil || !slices.Contains(tp.T.Tags, "community") {
		return
	}
	id, err := p.d.Forum.PostForTicket(ctx, v.Actor, tp.T.ID)
	if err != nil {
		return // tagged by hand, or the post is gone
	}
	post, err := p.d.Forum.GetPost(ctx, v.Actor, id)
	if err != nil {
		return
	}
	tp.Community = &communityLink{PostID: post.ID, Title: post.Title, Solved: post.AcceptedID != 0,
		CanAnswer: forum.CanModerate(v.Actor) && !post.Locked}
}

// ticketCommunityAnswer: POST /agent/tickets/{id}/community-answer (body):
// an official answer on the ticket's community thread.
func (p *Pages) ticketCommunityAnswer(w http.ResponseWriter, r *http.Request) {
	if p.forumOff(w, r) {
		return
	}
	id, ok := p.ticketID(w, r)
	if !ok {
		return
	}
	v := p.view(r)
	body := strings.TrimSpace(r.PostFormValue("body"))
	if _, err := p.d.Forum.ReplyFromTicket(r.Context(), v.Actor, id, body); err != nil {
		p.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/agent/tickets/"+itoa(id)+"?done=community", http.StatusSeeOther)
}
