package chat

import (
	"context"
	"strconv"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/mail"
	"layan/internal/ticket"
)

// Transcript is the conversation as plain text, one line per message.
func (s *Service) Transcript(ctx context.Context, c Conversation, locale string) (string, error) {
	var b strings.Builder
	b.WriteString(i18n.T(locale, "chatapi.transcript.heading", "id", strconv.FormatInt(c.TicketID, 10)) + "\n\n")
	after := int64(0)
	for {
		ms, err := messagesAfter(ctx, s.db.R, c.ID, c.UUID, after, 0, 500)
		if err != nil {
			return "", err
		}
		for _, m := range ms {
			at := db.Time(m.At).Format(time.DateTime)
			name := m.Author.Name
			if name == "" {
				name = i18n.T(locale, "chatapi.transcript."+m.Author.Kind)
			}
			text := m.Text
			for _, f := range m.Attachments {
				text += " [" + f.Name + "]"
			}
			b.WriteString("[" + at + " UTC] " + name + ": " + text + "\n")
			after = m.Seq
		}
		if len(ms) < 500 {
			return b.String(), nil
		}
	}
}

// addTranscript keeps the ended chat on its ticket as an internal note.
func (s *Service) addTranscript(ctx context.Context, c Conversation) {
	text, err := s.Transcript(ctx, c, "en")
	if err == nil {
		author := c.AgentID
		if author == 0 {
			author = c.RequesterID
		}
		f := false
		_, err = s.tickets.Update(ctx, auth.SystemActor(), c.TicketID, ticket.Patch{Comment: &ticket.NewComment{
			Body: text, Public: &f, AuthorID: author, Via: "chat"}})
	}
	if err != nil {
		s.log.Warn("chat: transcript not added to the ticket", "ticket", c.TicketID, "err", err)
	}
}

// EmailTranscript mails the transcript. Staff may name any address (default:
// the conversation's); a visitor only the conversation's own, or one given
// once when it has none, so the widget cannot be used to send mail anywhere.
func (s *Service) EmailTranscript(ctx context.Context, c Conversation, staff bool, to string) error {
	to = strings.TrimSpace(to)
	if to == "" {
		to = c.Email
	}
	if to == "" && c.RequesterID != 0 {
		_ = s.db.R.QueryRowContext(ctx, `SELECT COALESCE(email, '') FROM users WHERE id = $1`, c.RequesterID).Scan(&to)
	}
	addr, err := directory.NormalizeEmail("email", to)
	if err != nil || addr == "" {
		return refuse(CodeEmailRequired, apperr.Invalid("email", "required", "a valid email is required"), "a valid email address is required")
	}
	if !staff && c.Email != "" && !strings.EqualFold(addr, c.Email) {
		return refuse(CodeForbidden, apperr.Forbidden("email another address"), "the transcript goes to the conversation's email only")
	}
	if !staff && c.Email == "" {
		if _, err := s.db.W.ExecContext(ctx, `UPDATE chat_conversations SET email = $1 WHERE id = $2 AND email = ''`, addr, c.ID); err != nil {
			return err
		}
	}
	text, err := s.Transcript(ctx, c, c.Locale)
	if err != nil {
		return err
	}
	return s.mail.Send(ctx, mail.Message{To: addr, Locale: c.Locale, Text: text,
		Subject: i18n.T(c.Locale, "chatapi.transcript.subject", "id", strconv.FormatInt(c.TicketID, 10)),
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}})
}
