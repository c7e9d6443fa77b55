package forum

import (
	"context"
	"fmt"
	"strings"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/kb"
	"layan/internal/sanitize"
	"layan/internal/ticket"
)

// ToTicket turns a post into a ticket for the team (agents): its author is
// the requester, the post's text the first message, tagged "community". The
// post remembers the ticket; asking twice returns the same ticket.
func (s *Service) ToTicket(ctx context.Context, a auth.Actor, postID int64) (int64, error) {
	if err := mustMod(a); err != nil {
		return 0, err
	}
	if s.Tickets == nil {
		return 0, apperr.Conflict("tickets are not available")
	}
	p, err := s.GetPost(ctx, a, postID)
	if err != nil {
		return 0, err
	}
	if p.TicketID != 0 {
		return p.TicketID, nil
	}
	body := sanitize.Text(p.BodyHTML) + "\n\n— " + strings.TrimRight(s.BaseURL, "/") + "/community/posts/" + itoa(p.ID)
	t, err := s.Tickets.Create(ctx, a, ticket.NewTicket{Subject: p.Title, RequesterID: p.Author.ID, Via: "web",
		Tags: []string{"community"}, Comment: ticket.NewComment{Body: body, AuthorID: p.Author.ID}})
	if err != nil {
		return 0, err
	}
	// The ticket exists whatever happens next; a lost link only means a
	// second ticket if someone asks again.
	if _, err := s.db.W.ExecContext(ctx, `UPDATE forum_posts SET ticket_id = $1 WHERE id = $2 AND ticket_id = 0`, t.ID, p.ID); err != nil {
		return t.ID, err
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO forum_modlog (actor_id, action, target, target_id, post_id, note, created_at)
		VALUES ($1, 'to_ticket', 'post', $2, $2, $3, $4)`, a.UserID, p.ID, "#"+itoa(t.ID), db.Millis(s.now())); err != nil {
		return t.ID, err
	}
	return t.ID, nil
}

// PromoteToKB drafts a knowledge-base article from a solved thread (agents):
// the question, the accepted answer, and who wrote them. The draft waits for
// an editor in the knowledge base; the post links to it.
func (s *Service) PromoteToKB(ctx context.Context, a auth.Actor, postID, sectionID int64) (int64, error) {
	if err := mustMod(a); err != nil {
		return 0, err
	}
	if s.KB == nil {
		return 0, apperr.Conflict("the knowledge base is not available")
	}
	p, err := s.GetPost(ctx, a, postID)
	if err != nil {
		return 0, err
	}
	if p.ArticleID != 0 {
		return p.ArticleID, nil
	}
	if !p.Solved() {
		return 0, apperr.Invalid("post", "not_solved", "only a solved thread can be promoted")
	}
	x, err := s.GetAnswer(ctx, a, p.AcceptedID)
	if err != nil {
		return 0, err
	}
	if sectionID == 0 {
		secs, err := s.KB.ListSections(ctx, a, 0, p.Locale)
		if err != nil {
			return 0, err
		}
		if len(secs) == 0 {
			return 0, apperr.Invalid("section_id", "required", "the knowledge base has no section yet")
		}
		sectionID = secs[0].ID
	}
	link := strings.TrimRight(s.BaseURL, "/") + "/community/posts/" + itoa(p.ID)
	body := fmt.Sprintf("%s\n\n---\n\n%s\n\n---\n\n*%s*\n", p.BodyMD, x.BodyMD,
		attribution(p.Locale, p.Author.Name, x.Author.Name, link))
	art, err := s.KB.CreateArticle(ctx, a, kb.ArticleInput{SectionID: sectionID, Locale: p.Locale, Title: p.Title, Body: body,
		Draft: true, Visibility: kb.Public, Labels: []string{"community"}})
	if err != nil {
		return 0, err
	}
	if _, err := s.db.W.ExecContext(ctx, `UPDATE forum_posts SET article_id = $1 WHERE id = $2 AND article_id = 0`, art.ID, p.ID); err != nil {
		return art.ID, err
	}
	if _, err := s.db.W.ExecContext(ctx, `INSERT INTO forum_modlog (actor_id, action, target, target_id, post_id, note, created_at)
		VALUES ($1, 'promote', 'post', $2, $2, $3, $4)`, a.UserID, p.ID, "article "+itoa(art.ID), db.Millis(s.now())); err != nil {
		return art.ID, err
	}
	return art.ID, nil
}

// attribution credits the asker and the answerer in the article's language
// (the article is content, not interface, so it is written in its locale).
func attribution(locale, asker, answerer, link string) string {
	switch locale {
	case "id":
		return fmt.Sprintf("Dari komunitas: ditanyakan oleh %s, dijawab oleh %s (%s)", asker, answerer, link)
	case "fa":
		return fmt.Sprintf("از انجمن: پرسش از %s، پاسخ از %s (%s)", asker, answerer, link)
	}
	return fmt.Sprintf("From the community: asked by %s, answered by %s (%s)", asker, answerer, link)
}

// PostForTicket names the post a ticket was made from (0: none), for the
// way back: the agent answers the community in public.
func (s *Service) PostForTicket(ctx context.Context, a auth.Actor, ticketID int64) (int64, error) {
	if !isStaff(a) {
		return 0, apperr.Forbidden("read ticket links")
	}
	var id int64
	err := s.db.R.QueryRowContext(ctx, `SELECT id FROM forum_posts WHERE ticket_id = $1 ORDER BY id LIMIT 1`, ticketID).Scan(&id)
	if err != nil {
		return 0, apperr.NotFound("community post of this ticket")
	}
	return id, nil
}

// ReplyFromTicket answers, in public and as staff (an official answer), the
// post that a ticket was made from: what the agent worked out privately
// helps the next customer too.
func (s *Service) ReplyFromTicket(ctx context.Context, a auth.Actor, ticketID int64, body string) (Answer, error) {
	if err := mustMod(a); err != nil {
		return Answer{}, err
	}
	if s.Tickets != nil {
		if _, err := s.Tickets.Get(ctx, a, ticketID); err != nil { // the agent must be able to see the ticket
			return Answer{}, err
		}
	}
	postID, err := s.PostForTicket(ctx, a, ticketID)
	if err != nil {
		return Answer{}, err
	}
	return s.AddAnswer(ctx, a, postID, AnswerInput{Body: body})
}
