package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

var noReplyRE = regexp.MustCompile(`^(no-?reply|do-?not-?reply|donotreply|noreply-[^@]*|bounces?|bounce[-+][^@]*|notifications?|auto-?reply)@`)

func isNoReply(addr string) bool { return noReplyRE.MatchString(strings.ToLower(addr)) }

// autoReplyAllowed applies the loop rules: no automatic answer to automatic
// mail (Auto-Submitted other than "no", Precedence bulk/junk/list, List-Id,
// X-Auto-Response-Suppress), to daemons and no-reply senders, to our own
// addresses, to addresses that bounced, to a null envelope sender, or more
// than AutoReplyLimit times per sender per window.
func (s *Service) autoReplyAllowed(ctx context.Context, p *parsed, in Inbound, book *addressBook, sender directory.User) (bool, string) {
	h := p.Header
	if v := strings.ToLower(strings.TrimSpace(h("Auto-Submitted"))); v != "" && v != "no" {
		return false, "Auto-Submitted: " + v
	}
	switch strings.ToLower(strings.TrimSpace(h("Precedence"))) {
	case "bulk", "junk", "list", "auto_reply":
		return false, "Precedence: " + h("Precedence")
	}
	if h("List-Id") != "" || h("List-Unsubscribe") != "" {
		return false, "mailing list"
	}
	if sup := strings.ToLower(h("X-Auto-Response-Suppress")); strings.Contains(sup, "all") || strings.Contains(sup, "autoreply") || strings.Contains(sup, "oof") {
		return false, "X-Auto-Response-Suppress: " + sup
	}
	if h("X-Autoreply") != "" || h("X-Autorespond") != "" || strings.EqualFold(h("X-Auto-Reply"), "yes") {
		return false, "auto-reply header"
	}
	from := p.From.Address
	if in.NullSender {
		return false, "null envelope sender"
	}
	if isDaemon(from) || isNoReply(from) {
		return false, "daemon or no-reply sender"
	}
	if book.isOwn(from) {
		return false, "our own address"
	}
	if sender.Role != auth.RoleEndUser {
		return false, "staff sender"
	}
	if bounced, _ := s.isBounced(ctx, from); bounced {
		return false, "the address bounced"
	}
	var n int
	since := db.Millis(s.now().Add(-s.cfg.AutoReplyWindow))
	if err := s.db.Reads().QueryRowContext(ctx, `SELECT count(*) FROM email_autoreplies WHERE email = $1 AND created_at > $2`,
		from, since).Scan(&n); err != nil || n >= s.cfg.AutoReplyLimit {
		return false, "auto-reply rate limit"
	}
	return true, ""
}

func (s *Service) isBounced(ctx context.Context, addr string) (bool, error) {
	var n int
	err := s.db.Reads().QueryRowContext(ctx, `SELECT count(*) FROM email_bounces WHERE email = $1`, strings.ToLower(addr)).Scan(&n)
	return n > 0, err
}

// Bounced lists addresses that bounced (staff).
func (s *Service) Bounced(ctx context.Context, a auth.Actor, email string) (bool, error) {
	if !a.IsStaff() && !a.System {
		return false, errors.New("forbidden")
	}
	return s.isBounced(ctx, email)
}

// ClearBounce lets mail go to an address again (agents).
func (s *Service) ClearBounce(ctx context.Context, a auth.Actor, email string) error {
	if !a.CanEditTickets() && !a.System {
		return errors.New("forbidden")
	}
	_, err := s.db.W.ExecContext(ctx, `DELETE FROM email_bounces WHERE email = $1`, strings.ToLower(strings.TrimSpace(email)))
	return err
}

var finalRcptRE = regexp.MustCompile(`(?im)^(?:final|original)-recipient:\s*rfc822;\s*<?([^\s<>]+@[^\s<>]+)>?`)
var rawMsgIDRE = regexp.MustCompile(`(?im)^message-id:\s*(<[^>\r\n]+>)`)

// handleBounce attaches a delivery failure report to the ticket whose mail
// bounced (as an internal note) and flags the failed addresses. It never
// opens a ticket and never answers.
func (s *Service) handleBounce(ctx context.Context, p *parsed, raw []byte, book *addressBook, done func(Result) (Result, error)) (Result, error) {
	b := p.Bounce
	if b == nil {
		b = &bounce{Diagnostic: capRunes(strings.TrimSpace(stripQuotes(p.Text)), 1000)}
		for _, m := range finalRcptRE.FindAllSubmatch(raw, 10) {
			b.Recipients = append(b.Recipients, strings.ToLower(string(m[1])))
		}
	}
	// Message-IDs of the original: from the report, the references, and any
	// embedded header block.
	ids := append([]string{}, b.OrigIDs...)
	ids = append(ids, p.InReplyTo...)
	ids = append(ids, p.References...)
	if end := headerEnd(raw); end > 0 {
		for _, m := range rawMsgIDRE.FindAllSubmatch(raw[end:], 10) {
			ids = append(ids, normalizeMsgID(string(m[1])))
		}
	}
	var ticketID int64
	for _, id := range ids {
		err := s.db.Reads().QueryRowContext(ctx, `SELECT ticket_id FROM email_outbound WHERE message_id = $1`, id).Scan(&ticketID)
		if err == nil {
			break
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return Result{}, err
		}
	}
	now := db.Millis(s.now())
	for _, rc := range b.Recipients {
		if book.isOwn(rc) {
			continue
		}
		if _, err := s.db.W.ExecContext(ctx, `INSERT INTO email_bounces (email, reason, count, created_at, updated_at)
			VALUES ($1, $2, 1, $3, $3) ON CONFLICT (email) DO UPDATE SET count = email_bounces.count + 1, reason = $2, updated_at = $3`,
			rc, capRunes(b.Diagnostic, 500), now); err != nil {
			return Result{}, err
		}
	}
	out := Result{Status: StatusBounce, Reason: "delivery failed for " + strings.Join(b.Recipients, ", ")}
	if ticketID == 0 {
		out.Reason += " (no ticket found for the original message)"
		return done(out)
	}
	author, err := s.noteAuthor(ctx, ticketID)
	if err != nil {
		return Result{}, err
	}
	locale := "en"
	if a, ok := book.fallback(); ok {
		locale = a.Locale
	}
	body := i18n.T(locale, "email.bounce_note", "recipients", strings.Join(b.Recipients, ", "), "reason", capRunes(b.Diagnostic, 1000))
	t, err := s.tickets.Update(ctx, sysActor(author), ticketID, ticket.Patch{Comment: &ticket.NewComment{Body: body,
		Public: ptr(false), Via: "email"}})
	if err != nil {
		if transient(err) {
			return Result{}, err
		}
		out.Reason += fmt.Sprintf(" (note not added: %v)", err)
		return done(out)
	}
	out.TicketID = t.ID
	out.CommentID, _ = s.lastCommentBy(ctx, t.ID, author)
	return done(out)
}

// noteAuthor is who writes system notes on a ticket: its assignee, else the
// first admin.
func (s *Service) noteAuthor(ctx context.Context, ticketID int64) (int64, error) {
	t, err := s.tickets.Get(ctx, auth.SystemActor(), ticketID)
	if err != nil {
		return 0, err
	}
	if t.AssigneeID != 0 {
		return t.AssigneeID, nil
	}
	var id int64
	err = s.db.R.QueryRowContext(ctx, `SELECT id FROM users WHERE role = 'admin' AND NOT suspended ORDER BY id LIMIT 1`).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return t.RequesterID, nil
	}
	return id, err
}

// runRecovery processes messages whose ingest was interrupted (a crash or a
// database outage between storing and finishing them).
func (s *Service) runRecovery(ctx context.Context) {
	if s.db.Dialect == db.SQLite {
		// One process owns a SQLite database: a message left "received" at
		// start was interrupted by a crash, whatever its lease says.
		if _, err := s.db.W.ExecContext(ctx, `UPDATE email_messages SET lease_until = 0 WHERE status = 'received'`); err != nil {
			s.log.Warn("recover inbound email", "err", err)
		}
	}
	t := time.NewTicker(15 * time.Second)
	defer t.Stop()
	for {
		s.RecoverNow(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RecoverNow processes every message left "received" with an expired lease.
func (s *Service) RecoverNow(ctx context.Context) int {
	n := 0
	for ctx.Err() == nil {
		rows, err := s.db.R.QueryContext(ctx, `SELECT id, raw_key, COALESCE(address_id, 0), attempts, created_at FROM email_messages
			WHERE status = 'received' AND lease_until < $1 ORDER BY id LIMIT 50`, db.Millis(s.now()))
		if err != nil {
			return n
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.rawKey, &r.addressID, &r.attempts, &r.createdAt); err == nil {
				batch = append(batch, r)
			}
		}
		rows.Close()
		if len(batch) == 0 {
			return n
		}
		progress := false
		for _, r := range batch {
			res, err := s.reprocess(ctx, r, 0)
			if err != nil {
				s.log.Warn("recover inbound email", "id", r.id, "err", err)
				continue
			}
			if res.Status != StatusReceived {
				progress = true
				n++
			}
		}
		if !progress {
			return n
		}
	}
	return n
}
