package collab

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/mail"
)

// Notification kinds.
const (
	KindMention   = "mention"         // named in an internal note
	KindFollowed  = "followed_update" // a message on a ticket one follows
	KindSideReply = "side_reply"      // the third party answered a side conversation
)

// Notification is one entry of a person's notifications.
type Notification struct {
	ID        int64     `json:"id"`
	TicketID  int64     `json:"ticket_id"`
	Kind      string    `json:"kind"`
	ActorID   int64     `json:"actor_id"`
	Excerpt   string    `json:"excerpt"`
	CreatedAt time.Time `json:"created_at"`
	Read      bool      `json:"read"`
}

// Notifications lists the actor's own notifications, newest first.
func (s *Service) Notifications(ctx context.Context, a auth.Actor, unreadOnly bool, limit int) ([]Notification, error) {
	if !a.IsStaff() {
		return nil, apperr.Forbidden("read notifications")
	}
	if limit <= 0 || limit > 200 {
		limit = 50
	}
	q := `SELECT id, ticket_id, kind, actor_id, excerpt, created_at, read_at IS NOT NULL FROM notifications WHERE user_id = $1`
	if unreadOnly {
		q += ` AND read_at IS NULL`
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY id DESC LIMIT $2`, a.UserID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Notification{}
	for rows.Next() {
		var n Notification
		var at int64
		if err := rows.Scan(&n.ID, &n.TicketID, &n.Kind, &n.ActorID, &n.Excerpt, &at, &n.Read); err != nil {
			return nil, err
		}
		n.CreatedAt = db.Time(at)
		out = append(out, n)
	}
	return out, rows.Err()
}

// Unread counts the actor's unread notifications.
func (s *Service) Unread(ctx context.Context, a auth.Actor) (int, error) {
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL`, a.UserID).Scan(&n)
	return n, err
}

// MarkRead marks one notification (id) or all (id 0) of the actor's as read.
func (s *Service) MarkRead(ctx context.Context, a auth.Actor, id int64) error {
	if !a.IsStaff() {
		return apperr.Forbidden("read notifications")
	}
	q, args := `UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL`, []any{db.Millis(s.now()), a.UserID}
	if id != 0 {
		q += ` AND id = $3`
		args = append(args, id)
	}
	res, err := s.db.W.ExecContext(ctx, q, args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 && id != 0 {
		var exists int
		_ = s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND id = $2`, a.UserID, id).Scan(&exists)
		if exists == 0 {
			return apperr.NotFound("notification") // someone else's is not found either
		}
	}
	return nil
}

// notify records a notification once per (user, kind, source) and mails a
// mention. It returns whether it was new.
func (s *Service) notify(ctx context.Context, userID, ticketID int64, kind string, sourceID, actorID int64, text string) (bool, error) {
	res, err := s.db.W.ExecContext(ctx,
		`INSERT INTO notifications (user_id, ticket_id, kind, source_id, actor_id, excerpt, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		userID, ticketID, kind, sourceID, actorID, excerpt(text, 200), db.Millis(s.now()))
	fresh, err := affected(res, err)
	if err != nil || !fresh || s.Mail == nil || kind == KindFollowed {
		return fresh, err
	}
	u, err := s.dir.GetUser(ctx, auth.SystemActor(), userID)
	if err != nil || u.Email == "" {
		return fresh, nil
	}
	loc := i18n.Normalize(u.Locale)
	link := fmt.Sprintf("%s/agent/tickets/%d", strings.TrimRight(s.BaseURL, "/"), ticketID)
	m := mail.Message{To: u.Email, Locale: loc,
		Subject: i18n.T(loc, "collab.mail."+kind+"_subject", "id", ticketID),
		Text:    i18n.T(loc, "collab.mail."+kind+"_body", "id", ticketID) + "\n\n" + excerpt(text, 1000) + "\n\n" + link + "\n",
		Headers: map[string]string{"Auto-Submitted": "auto-generated"}}
	if err := s.Mail.Send(ctx, m); err != nil {
		s.log.Warn("collab: mail notification", "user", userID, "err", err)
	}
	return fresh, nil
}

// excerpt shortens text to n runes on one line.
func excerpt(text string, n int) string {
	text = strings.Join(strings.Fields(text), " ")
	if r := []rune(text); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return text
}

// mentionRE finds @handles: an address (@dewi@example.com) or a name
// without spaces (@Dewi, @DewiLestari), not inside a word or an address.
var mentionRE = regexp.MustCompile(`(?:^|[^\p{L}\p{N}_.@])@([\p{L}\p{N}_.+\-]+(?:@[\p{L}\p{N}\-]+(?:\.[\p{L}\p{N}\-]+)+)?)`)

// Mentions returns the handles written in text, lower-cased, in order, once each.
func Mentions(text string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		h := strings.ToLower(strings.TrimRight(m[1], ".-"))
		if h != "" && !slices.Contains(out, h) {
			out = append(out, h)
		}
	}
	return out
}

// resolve maps handles to staff: an exact address, else the one person
// whose first name or whole name without spaces is the handle (an
// ambiguous name mentions nobody rather than the wrong person).
func resolve(handles []string, staff []directory.User) []int64 {
	var out []int64
	for _, h := range handles {
		var hits []int64
		for _, u := range staff {
			if strings.EqualFold(u.Email, h) {
				hits = []int64{u.ID}
				break
			}
			name := strings.ToLower(u.Name)
			first, _, _ := strings.Cut(name, " ")
			if first == h || strings.ReplaceAll(name, " ", "") == h {
				hits = append(hits, u.ID)
			}
		}
		if len(hits) == 1 && !slices.Contains(out, hits[0]) {
			out = append(out, hits[0])
		}
	}
	return out
}

// staff lists active admins, agents and light agents.
func (s *Service) staff(ctx context.Context) ([]directory.User, error) {
	var out []directory.User
	for _, role := range []string{auth.RoleAdmin, auth.RoleAgent, auth.RoleLightAgent} {
		for page := 1; page <= 50; page++ {
			us, total, err := s.dir.ListUsers(ctx, auth.SystemActor(), role, directory.Page{Page: page, PerPage: 100})
			if err != nil {
				return nil, err
			}
			for _, u := range us {
				if !u.Suspended {
					out = append(out, u)
				}
			}
			if page*100 >= total || len(us) == 0 {
				break
			}
		}
	}
	return out, nil
}
