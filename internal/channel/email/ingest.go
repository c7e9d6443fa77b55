package email

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/google/uuid"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

// Inbound is one delivered message.
type Inbound struct {
	Raw    []byte
	Source string // "smtp", "imap" or "api"
	// AddressID is the support address whose mailbox held the message (IMAP);
	// 0 finds it from the recipients.
	AddressID int64
	// Rcpts are the SMTP envelope recipients.
	Rcpts []string
	// NullSender is an SMTP MAIL FROM:<> (bounces and other automatic mail).
	NullSender bool
	// size is the full size when Raw is only the head of an oversized message.
	size int64
}

// Message statuses.
const (
	StatusReceived = "received" // stored, being processed
	StatusIngested = "ingested" // a ticket or comment was made
	StatusFailed   = "failed"   // could not be ingested; agents may retry
	StatusHeld     = "held"     // a reply from a non-participant waiting for approval
	StatusIgnored  = "ignored"  // deliberately not ingested (loops, our own mail)
	StatusBounce   = "bounce"   // a delivery failure report
)

// Result says what became of a message.
type Result struct {
	ID        int64
	Status    string
	Reason    string
	TicketID  int64
	CommentID int64
	// Duplicate: the message was delivered before; nothing new was made.
	Duplicate bool
	// post are writes that belong with recording the outcome (reply token,
	// auto-reply job), done in the same transaction.
	post []func(ctx context.Context, tx *sql.Tx) error
	// inTx: the outcome was recorded in the transaction of the ticket's
	// comment already.
	inTx bool
}

// leaseMillis is how long one ingest may hold a message before recovery
// takes it over.
const leaseMillis = 2 * 60 * 1000

// dedupeKey is "mid:<Message-ID>", or "sha:<hash>" for a message without one.
func dedupeKey(raw []byte) (key, msgID string) {
	if id := quickMessageID(raw); id != "" {
		return "mid:" + id, id
	}
	h := sha256.Sum256(raw)
	return "sha:" + hex.EncodeToString(h[:]), ""
}

// Ingest stores a message and turns it into a ticket or a comment, once:
// the message's row and its outcome commit with the ticket's comment. An
// error means nothing durable happened (or the message was stored before and
// will be processed by recovery): the caller must not acknowledge it as
// delivered (SMTP answers 451, IMAP leaves it unflagged). Messages that
// cannot be ingested are not errors: they are recorded as failed with the
// reason, for agents to see and retry.
func (s *Service) Ingest(ctx context.Context, in Inbound) (res Result, err error) {
	if s.cfg.Observe != nil {
		start := time.Now()
		defer func() {
			status := res.Status
			if err != nil {
				status = "error"
			}
			s.cfg.Observe(in.Source, status, time.Since(start))
		}()
	}
	key, msgID := dedupeKey(in.Raw)
	if int64(len(in.Raw)) > s.cfg.MaxMessageBytes {
		return s.recordTooLarge(ctx, in, key, msgID)
	}
	// A re-delivery is answered from the stored row without processing
	// the message again. Concurrent deliveries both get past this read:
	// the row's insert, in the transaction that records the outcome, lets
	// one of them win (errDuplicate for the other).
	if r, ok, err := s.existing(ctx, key); err != nil || ok {
		return r, err
	}
	rawKey, inline, err := s.storeRaw(ctx, in.Raw)
	if err != nil {
		return Result{}, err
	}
	addrID := in.AddressID
	if addrID == 0 && len(in.Rcpts) > 0 {
		if book, err := s.addresses(ctx); err == nil {
			for _, r := range in.Rcpts {
				if a, _, ok := book.match(r); ok {
					addrID = a.ID
					break
				}
			}
		}
	}
	now := db.Millis(s.now())
	f := &fresh{key: key, msgID: msgID, source: in.Source, inline: inline, size: len(in.Raw)}
	res, err = s.process(ctx, row{rawKey: rawKey, addressID: addrID, attempts: 1, createdAt: now, fresh: f}, in.Raw, in, 0)
	if errors.Is(err, errDuplicate) {
		// Delivered concurrently by another path: its row won and nothing
		// of this attempt was kept.
		r, _, err := s.existing(ctx, key)
		r.Duplicate = true
		return r, err
	}
	return res, err
}

// fresh is what a message not stored yet needs for its row. Its row is
// inserted with its outcome, in the transaction that writes the ticket's
// comment (or alone when there is none): a delivery is one commit, and a
// crash before it leaves nothing (the message was not acknowledged, so it
// comes again). Stored messages (recovery, approval) have an id instead.
type fresh struct {
	key, msgID, source string
	inline             []byte
	size               int
}

// errDuplicate: a concurrent delivery of the same message stored it first;
// the transaction that tried to store it again is rolled back.
var errDuplicate = errors.New("the message was stored by a concurrent delivery")

// existing reports a message already known under key. A message whose
// processing was interrupted (its lease ran out) is processed now.
func (s *Service) existing(ctx context.Context, key string) (Result, bool, error) {
	var r row
	var status, reason string
	var ticketID, commentID sql.NullInt64
	var addr sql.NullInt64
	var lease int64
	err := s.db.Reads().QueryRowContext(ctx, `SELECT id, status, reason, ticket_id, comment_id, raw_key, address_id, attempts,
		lease_until, created_at FROM email_messages WHERE dedupe_key = $1`, key).
		Scan(&r.id, &status, &reason, &ticketID, &commentID, &r.rawKey, &addr, &r.attempts, &lease, &r.createdAt)
	if errors.Is(err, sql.ErrNoRows) {
		return Result{}, false, nil
	}
	if err != nil {
		return Result{}, false, err
	}
	res := Result{ID: r.id, Status: status, Reason: reason, TicketID: ticketID.Int64, CommentID: commentID.Int64, Duplicate: true}
	if status == StatusReceived && lease < db.Millis(s.now()) {
		r.addressID = addr.Int64
		out, err := s.reprocess(ctx, r, 0)
		out.Duplicate = true
		return out, true, err
	}
	return res, true, nil
}

// row is the stored state of a message being processed.
type row struct {
	id        int64
	rawKey    string
	addressID int64
	attempts  int
	createdAt int64
	fresh     *fresh // not stored yet (id is 0): recording the outcome inserts it
}

// claim takes a message for processing when nobody holds it.
func (s *Service) claim(ctx context.Context, r *row, statuses ...string) (bool, error) {
	now := db.Millis(s.now())
	args := []any{now + leaseMillis, now, r.id}
	cond := "status = 'received' AND lease_until < $2"
	for _, st := range statuses {
		args = append(args, st)
		cond += fmt.Sprintf(" OR status = $%d", len(args))
	}
	err := s.db.W.QueryRowContext(ctx, `UPDATE email_messages SET status = 'received', lease_until = $1,
		attempts = attempts + 1, updated_at = $2 WHERE id = $3 AND (`+cond+`) RETURNING attempts`, args...).Scan(&r.attempts)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// reprocess claims a stored message and runs it again from its raw copy.
func (s *Service) reprocess(ctx context.Context, r row, approveInto int64, statuses ...string) (Result, error) {
	ok, err := s.claim(ctx, &r, statuses...)
	if err != nil || !ok {
		return Result{ID: r.id, Status: StatusReceived}, err
	}
	if r.rawKey == "" {
		return s.finish(ctx, r, Result{Status: StatusFailed, Reason: "the raw message was not kept"}, "", "", "")
	}
	f, err := s.openRaw(ctx, r.id, r.rawKey)
	if err != nil {
		return Result{}, fmt.Errorf("open raw message: %w", err)
	}
	raw, err := io.ReadAll(io.LimitReader(f, s.cfg.MaxMessageBytes+1))
	f.Close()
	if err != nil {
		return Result{}, err
	}
	return s.process(ctx, r, raw, Inbound{Raw: raw, Source: "recovery", AddressID: r.addressID}, approveInto)
}

// recordTooLarge keeps the head of an oversized message in the failed list.
func (s *Service) recordTooLarge(ctx context.Context, in Inbound, key, msgID string) (Result, error) {
	if r, ok, err := s.existing(ctx, key); err != nil || ok {
		return r, err
	}
	head := in.Raw[:min(len(in.Raw), 64<<10)]
	size := max(in.size, int64(len(in.Raw)))
	reason := fmt.Sprintf("message too large: %d bytes, the limit is %d (only the first 64 KiB are kept)", size, s.cfg.MaxMessageBytes)
	from, subject := "", ""
	if p, err := parse(head); err == nil {
		from, subject = p.From.Address, p.Subject
	}
	now := db.Millis(s.now())
	var id int64
	err := s.db.W.QueryRowContext(ctx, `INSERT INTO email_messages (dedupe_key, message_id, address_id, source, status, reason,
		raw_key, raw, size, from_addr, subject, created_at, updated_at)
		VALUES ($1,$2,$3,$4,'failed',$5,$6,$7,$8,$9,$10,$11,$11) ON CONFLICT DO NOTHING RETURNING id`,
		key, msgID, db.NullID(in.AddressID), in.Source, reason, inlineRaw, head, size, from, subject, now).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		r, _, err := s.existing(ctx, key)
		return r, err
	}
	if err != nil {
		return Result{}, err
	}
	s.log.Warn("inbound email too large", "id", id, "size", size, "limit", s.cfg.MaxMessageBytes)
	return Result{ID: id, Status: StatusFailed, Reason: reason}, nil
}

// inlineRaw marks a raw message kept in the row itself.
const inlineRaw = "db:"

// maxInlineRaw is the largest raw message kept in the row: one write with
// the row instead of a file and an fsync. Larger ones go to the blob store.
const maxInlineRaw = 512 << 10

// storeRaw keeps the raw bytes: it returns the key and, for an inline copy,
// the bytes to write with the row.
func (s *Service) storeRaw(ctx context.Context, raw []byte) (string, []byte, error) {
	if len(raw) <= maxInlineRaw {
		return inlineRaw, raw, nil
	}
	key, _, err := s.blobs.Put(ctx, bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		return "", nil, fmt.Errorf("store raw message: %w", err)
	}
	return key, nil, nil
}

// openRaw opens the raw copy of message id.
func (s *Service) openRaw(ctx context.Context, id int64, key string) (io.ReadCloser, error) {
	if key != inlineRaw {
		return s.blobs.Open(ctx, key)
	}
	var raw []byte
	if err := s.db.Reads().QueryRowContext(ctx, `SELECT raw FROM email_messages WHERE id = $1`, id).Scan(&raw); err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(raw)), nil
}

// finish records the outcome of processing.
func (s *Service) finish(ctx context.Context, r row, res Result, from, subject, fullText string) (Result, error) {
	ctx = context.WithoutCancel(ctx)
	var id int64
	err := s.db.WithTx(ctx, func(tx *sql.Tx) error {
		var err error
		id, err = s.recordTx(ctx, tx, r, res, from, subject, fullText)
		return err
	})
	if errors.Is(err, errDuplicate) {
		return Result{}, err
	}
	if err != nil {
		return Result{}, fmt.Errorf("record outcome: %w", err)
	}
	return s.recorded(id, res, from), nil
}

// recordTx writes the outcome of message r in tx and returns its id: by
// finish in its own transaction, or in the transaction that writes the
// ticket's comment. A fresh message's row is inserted here, with the
// outcome; errDuplicate when a concurrent delivery stored it first.
func (s *Service) recordTx(ctx context.Context, tx *sql.Tx, r row, res Result, from, subject, fullText string) (int64, error) {
	if len(res.Reason) > 2000 {
		res.Reason = res.Reason[:2000]
	}
	q := s.db.Prepared(tx)
	id := r.id
	now := db.Millis(s.now())
	if f := r.fresh; f != nil {
		err := q.QueryRowContext(ctx, `INSERT INTO email_messages (dedupe_key, message_id, address_id, source, status, reason,
			raw_key, raw, size, from_addr, subject, full_text, ticket_id, comment_id, attempts, lease_until, created_at, updated_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,1,0,$15,$16) ON CONFLICT DO NOTHING RETURNING id`,
			f.key, f.msgID, db.NullID(r.addressID), f.source, res.Status, res.Reason, r.rawKey, f.inline, f.size, from, subject,
			fullText, db.NullID(res.TicketID), db.NullID(res.CommentID), r.createdAt, now).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errDuplicate
		}
		if err != nil {
			return 0, err
		}
	} else {
		_, err := q.ExecContext(ctx, `UPDATE email_messages SET status=$1, reason=$2, ticket_id=$3, comment_id=$4,
		from_addr=$5, subject=$6, full_text=$7, lease_until=0, updated_at=$8 WHERE id=$9`,
			res.Status, res.Reason, db.NullID(res.TicketID), db.NullID(res.CommentID), from, subject, fullText, now, id)
		if err != nil {
			return 0, err
		}
	}
	for _, f := range res.post {
		if err := f(ctx, tx); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// recorded is what follows the commit of an outcome.
func (s *Service) recorded(id int64, r Result, from string) Result {
	r.ID = id
	if len(r.Reason) > 2000 {
		r.Reason = r.Reason[:2000]
	}
	if len(r.post) > 0 {
		s.queue.Notify(sendQueue)
	}
	r.post = nil
	r.inTx = false
	if r.Status == StatusFailed {
		s.log.Warn("inbound email failed", "id", id, "from", from, "reason", r.Reason)
	}
	return r
}

// transient reports errors worth retrying later (database, context) as
// opposed to problems with the message itself.
func transient(err error) bool {
	if err == nil {
		return false
	}
	if _, ok := apperr.AsValidation(err); ok {
		return false
	}
	return !errors.Is(err, ErrParse) && !errors.Is(err, apperr.ErrForbidden) && !errors.Is(err, apperr.ErrNotFound)
}

// process turns a stored message into a ticket or a comment.
func (s *Service) process(ctx context.Context, r row, raw []byte, in Inbound, approveInto int64) (res Result, err error) {
	defer func() {
		if p := recover(); p != nil {
			res, err = s.finish(ctx, r, Result{Status: StatusFailed, Reason: fmt.Sprintf("internal error: %v", p)}, "", "", "")
		}
	}()
	p, err := parse(raw)
	if err != nil {
		return s.finish(ctx, r, Result{Status: StatusFailed, Reason: err.Error()}, "", "", "")
	}
	full := capRunes(strings.ReplaceAll(p.Text, "\x00", ""), 1<<20)
	from := p.From.Address
	done := func(out Result) (Result, error) { return s.finish(ctx, r, out, from, p.Subject, full) }
	book, err := s.addresses(ctx)
	if err != nil {
		return Result{}, err
	}
	if book.isOwn(from) {
		return done(Result{Status: StatusIgnored, Reason: "sent from one of our own support addresses (mail loop)"})
	}
	if p.Bounce != nil || isDaemon(from) {
		return s.handleBounce(ctx, p, raw, book, done)
	}
	addr, tokens := s.resolveAddress(book, p, in, r.addressID)
	if addr.ID == 0 {
		return done(Result{Status: StatusFailed, Reason: "not addressed to a configured support address"})
	}
	record := func(ctx context.Context, tx *sql.Tx, out Result) (int64, error) {
		return s.recordTx(ctx, tx, r, out, from, p.Subject, full)
	}
	out, err := s.deliver(ctx, r, p, in, book, addr, tokens, approveInto, record)
	if transient(err) {
		// A stored message stays "received" and recovery retries it; a
		// fresh one was not stored and its sender delivers it again.
		return Result{}, err
	}
	if err != nil {
		return done(Result{Status: StatusFailed, Reason: err.Error()})
	}
	if out.inTx {
		return s.recorded(out.ID, out, from), nil
	}
	return done(out)
}

// resolveAddress finds the support address the message came to and any
// reply tokens in its recipients.
func (s *Service) resolveAddress(book *addressBook, p *parsed, in Inbound, addressID int64) (Address, []string) {
	var rcpts []string
	rcpts = append(rcpts, in.Rcpts...)
	rcpts = append(rcpts, p.Delivered...)
	for _, a := range slices.Concat(p.To, p.Cc) {
		rcpts = append(rcpts, a.Address)
	}
	var addr Address
	var tokens []string
	for _, rc := range rcpts {
		a, tok, ok := book.match(rc)
		if !ok {
			continue
		}
		if addr.ID == 0 {
			addr = a
		}
		if tok != "" && !slices.Contains(tokens, tok) {
			tokens = append(tokens, tok)
		}
	}
	if addressID != 0 {
		if a, ok := book.byID(addressID); ok {
			addr = a
		}
	}
	if addr.ID == 0 {
		addr, _ = book.fallback()
	}
	return addr, tokens
}

var daemonRE = regexp.MustCompile(`^(mailer-daemon|postmaster|mail-daemon|mailerdaemon)@`)

func isDaemon(addr string) bool { return daemonRE.MatchString(strings.ToLower(addr)) }

// sysActor acts for the channel as user id (the sender), with rights to write
// into any ticket: the channel checks participation itself.
func sysActor(userID int64) auth.Actor {
	return auth.Actor{UserID: userID, Role: auth.RoleAdmin, System: true, Name: "email"}
}

// deliver threads the message and writes the ticket or comment.
//
// Outside an approval, the outcome is recorded by record in the transaction
// that writes the comment (Result.inTx): the ticket and the message's
// status commit together, in one commit instead of two.
func (s *Service) deliver(ctx context.Context, r row, p *parsed, in Inbound, book *addressBook, addr Address, tokens []string,
	approveInto int64, record func(context.Context, *sql.Tx, Result) (int64, error)) (Result, error) {
	from := p.From.Address
	var notes []string
	ticketID := approveInto
	if ticketID == 0 {
		var err error
		if ticketID, err = s.thread(ctx, p, tokens); err != nil {
			return Result{}, err
		}
	}
	sender, senderErr := s.dir.UserByEmail(ctx, auth.SystemActor(), from)
	if senderErr == nil && sender.Suspended {
		return Result{Status: StatusIgnored, Reason: "the sender is suspended"}, nil
	}
	var cur ticket.Ticket
	if ticketID != 0 {
		t, err := s.tickets.Get(ctx, auth.SystemActor(), ticketID)
		switch {
		case errors.Is(err, apperr.ErrNotFound):
			ticketID = 0
		case err != nil:
			return Result{}, err
		case t.Status == "closed":
			notes = append(notes, fmt.Sprintf("follow-up of closed ticket #%d", t.ID))
			ticketID = 0
		default:
			cur = t
		}
	}
	if ticketID != 0 && approveInto == 0 {
		ok, err := s.isParticipant(ctx, cur, sender, senderErr == nil)
		if err != nil {
			return Result{}, err
		}
		if !ok {
			if addr.UnknownReply == "hold" {
				return Result{Status: StatusHeld, TicketID: cur.ID,
					Reason: fmt.Sprintf("%s is not a participant of ticket #%d: waiting for an agent's approval", from, cur.ID)}, nil
			}
			notes = append(notes, fmt.Sprintf("%s is not a participant of ticket #%d: opened a new ticket", from, cur.ID))
			ticketID = 0
		}
	}
	if senderErr != nil {
		u, err := s.dir.FindOrCreateCustomer(ctx, from, cleanLine(p.From.Name), addr.Locale)
		if err != nil {
			return Result{}, err
		}
		sender = u
	}
	// Re-delivery after a crash between the ticket's commit and ours: the
	// comment is there already.
	body, htmlBody := s.bodies(p, addr.Locale)
	if r.attempts > 1 {
		if tid, cid, ok, err := s.alreadyCommitted(ctx, sender.ID, r.createdAt, body); err != nil {
			return Result{}, err
		} else if ok {
			return Result{Status: StatusIngested, TicketID: tid, CommentID: cid, Reason: "recovered after an interruption"}, nil
		}
	}
	uploads, cidMap, skipped, err := s.storeParts(ctx, sender.ID, p.Parts)
	if err != nil {
		return Result{}, err
	}
	if skipped > 0 {
		notes = append(notes, fmt.Sprintf("%d more attachments are only in the raw message", skipped))
	}
	htmlBody = rewriteCIDs(htmlBody, cidMap)
	nc := ticket.NewComment{Body: body, HTMLBody: htmlBody, Uploads: uploads, Via: "email", Public: ptr(true)}
	out := Result{Status: StatusIngested, Reason: strings.Join(notes, "; ")}
	if approveInto == 0 {
		// post: what a new ticket needs besides (reply token, auto-reply).
		var post func(ticketID int64) []func(context.Context, *sql.Tx) error
		if ticketID == 0 {
			allowed, why := s.autoReplyAllowed(ctx, p, in, book, sender)
			if !allowed {
				s.log.Debug("no auto-reply", "why", why)
			}
			addrID, to, inReplyTo := addr.ID, sender.Email, p.MessageID
			post = func(tid int64) []func(context.Context, *sql.Tx) error {
				fs := []func(context.Context, *sql.Tx) error{func(ctx context.Context, tx *sql.Tx) error {
					return s.ensureThreadTx(ctx, s.db.Prepared(tx), tid, addrID)
				}}
				if allowed {
					fs = append(fs, func(ctx context.Context, tx *sql.Tx) error {
						return s.enqueueReceivedTx(ctx, s.db.Prepared(tx), tid, to, inReplyTo)
					})
				}
				return fs
			}
		}
		nc.Record = func(ctx context.Context, tx *sql.Tx, tid, cid int64) error {
			o := out
			o.TicketID, o.CommentID, o.inTx = tid, cid, true
			if post != nil {
				o.post = post(tid)
			}
			id, err := record(ctx, tx, o)
			if err != nil {
				return err
			}
			o.ID = id
			out = o
			return nil
		}
	}
	if ticketID != 0 {
		actor := sysActor(sender.ID)
		patch := ticket.Patch{Comment: &nc}
		if sender.Role == auth.RoleAdmin || sender.Role == auth.RoleAgent || sender.Role == auth.RoleLightAgent {
			if actor, err = s.dir.ActorFor(ctx, sender.ID); err != nil {
				return Result{}, err
			}
		} else {
			st := cur.Status
			if st == "pending" || st == "solved" || st == "hold" {
				st = "open"
			}
			patch.Status = &st
		}
		t, err := s.tickets.Update(ctx, actor, ticketID, patch)
		if err != nil {
			return Result{}, err
		}
		if !out.inTx {
			out.TicketID = t.ID
			out.CommentID, _ = s.lastCommentBy(ctx, t.ID, sender.ID)
		}
		if approveInto != 0 {
			if err := s.addFollowers(ctx, t.ID, []int64{sender.ID}); err != nil {
				return Result{}, err
			}
		}
	} else {
		subject := p.Subject
		if strings.TrimSpace(subject) == "" {
			subject = i18n.T(addr.Locale, "email.no_subject")
		}
		t, err := s.tickets.Create(ctx, sysActor(sender.ID), ticket.NewTicket{Subject: capRunes(subject, ticket.MaxSubject),
			Via: "email", RequesterID: sender.ID, GroupID: addr.GroupID, Comment: nc})
		if err != nil {
			return Result{}, err
		}
		if !out.inTx { // an approval: finish records it (with these writes)
			out.TicketID = t.ID
			out.CommentID, _ = s.firstComment(ctx, t.ID)
			tid, addrID := t.ID, addr.ID
			out.post = append(out.post, func(ctx context.Context, tx *sql.Tx) error {
				return s.ensureThreadTx(ctx, s.db.Prepared(tx), tid, addrID)
			})
			if ok, why := s.autoReplyAllowed(ctx, p, in, book, sender); ok {
				to, inReplyTo := sender.Email, p.MessageID
				out.post = append(out.post, func(ctx context.Context, tx *sql.Tx) error {
					return s.enqueueReceivedTx(ctx, s.db.Prepared(tx), tid, to, inReplyTo)
				})
			} else {
				s.log.Debug("no auto-reply", "ticket", t.ID, "why", why)
			}
		}
	}
	// Everyone else on To and Cc follows the ticket.
	if err := s.followFromHeaders(ctx, out.TicketID, p, book, sender.ID, addr.Locale); err != nil {
		s.log.Warn("add followers", "ticket", out.TicketID, "err", err)
	}
	return out, nil
}

func ptr[T any](v T) *T { return &v }

func capRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// bodies returns the text and HTML the ticket shows: quoted history and
// signatures stripped, within the comment limits.
func (s *Service) bodies(p *parsed, locale string) (string, string) {
	text := strings.ReplaceAll(p.Text, "\x00", "")
	text = stripQuotes(text)
	htmlBody := ""
	if strings.TrimSpace(p.HTML) != "" {
		htmlBody = stripHTMLQuotes(strings.ReplaceAll(p.HTML, "\x00", ""))
		if len(htmlBody) > 3*ticket.MaxCommentBody {
			htmlBody = "" // too big to show as HTML: the text stands in
		}
	}
	if strings.TrimSpace(text) == "" {
		text = strings.TrimSpace(p.Subject)
	}
	if text == "" && len(p.Parts) == 0 {
		text = i18n.T(locale, "email.empty_message")
	}
	if utf8.RuneCountInString(text) > ticket.MaxCommentBody-200 {
		text = capRunes(text, ticket.MaxCommentBody-200) + "\n\n" + i18n.T(locale, "email.truncated")
		htmlBody = ""
	}
	if htmlBody != "" && strings.TrimSpace(text) == "" {
		htmlBody = ""
	}
	return text, htmlBody
}

// storeParts stores attachments and inline images as uploads of the author.
func (s *Service) storeParts(ctx context.Context, authorID int64, parts []part) (tokens []string, cids map[string]string, skipped int, err error) {
	cids = map[string]string{}
	for i, pt := range parts {
		if i >= ticket.MaxUploads {
			skipped = len(parts) - i
			break
		}
		key, size, err := s.blobs.Put(ctx, bytes.NewReader(pt.Content), int64(len(pt.Content)))
		if err != nil {
			return nil, nil, 0, fmt.Errorf("store attachment: %w", err)
		}
		tok := uuid.Must(uuid.NewV7()).String()
		name := capRunes(pt.FileName, 200)
		if _, err := s.tickets.NewUpload(ctx, auth.Actor{UserID: authorID}, tok, name, pt.ContentType, key, size); err != nil {
			return nil, nil, 0, err
		}
		tokens = append(tokens, tok)
		if pt.ContentID != "" {
			cids[pt.ContentID] = tok
		}
	}
	return tokens, cids, skipped, nil
}

var cidRE = regexp.MustCompile(`(?i)cid:([^"'\s>]+)`)

// rewriteCIDs points inline images at their stored attachments.
func rewriteCIDs(h string, cids map[string]string) string {
	if h == "" || len(cids) == 0 {
		return h
	}
	return cidRE.ReplaceAllStringFunc(h, func(m string) string {
		id := m[4:]
		if tok, ok := cids[id]; ok {
			return "/attachments/token/" + tok + "/"
		}
		return m
	})
}

// thread finds the ticket a message answers: first by In-Reply-To and
// References to Message-IDs of the conversation, then by a reply token in
// a recipient address. A ticket number in the subject is never enough.
func (s *Service) thread(ctx context.Context, p *parsed, tokens []string) (int64, error) {
	var ids []string
	ids = append(ids, p.InReplyTo...)
	for i := len(p.References) - 1; i >= 0; i-- {
		ids = append(ids, p.References[i])
	}
	for _, id := range ids {
		var tid int64
		err := s.db.Reads().QueryRowContext(ctx, `SELECT ticket_id FROM email_outbound WHERE message_id = $1`, id).Scan(&tid)
		if err == nil {
			return tid, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		err = s.db.Reads().QueryRowContext(ctx, `SELECT ticket_id FROM email_messages WHERE message_id = $1 AND ticket_id IS NOT NULL
			AND status = 'ingested' ORDER BY id LIMIT 1`, id).Scan(&tid)
		if err == nil {
			return tid, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	for _, tok := range tokens {
		var tid int64
		err := s.db.Reads().QueryRowContext(ctx, `SELECT ticket_id FROM email_threads WHERE token = $1`, tok).Scan(&tid)
		if err == nil {
			return tid, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
	}
	return 0, nil
}

// isParticipant: the requester, a follower, or staff who may see the ticket.
func (s *Service) isParticipant(ctx context.Context, t ticket.Ticket, u directory.User, known bool) (bool, error) {
	if !known {
		return false, nil
	}
	if u.ID == t.RequesterID {
		return true, nil
	}
	var n int
	if err := s.db.Reads().QueryRowContext(ctx, `SELECT count(*) FROM ticket_followers WHERE ticket_id = $1 AND user_id = $2`,
		t.ID, u.ID).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return true, nil
	}
	if u.Role == auth.RoleAdmin || u.Role == auth.RoleAgent || u.Role == auth.RoleLightAgent {
		a, err := s.dir.ActorFor(ctx, u.ID)
		if err != nil {
			return false, nil
		}
		_, err = s.tickets.Get(ctx, a, t.ID)
		return err == nil, nil
	}
	return false, nil
}

func (s *Service) alreadyCommitted(ctx context.Context, authorID, since int64, body string) (int64, int64, bool, error) {
	var tid, cid int64
	err := s.db.Reads().QueryRowContext(ctx, `SELECT ticket_id, id FROM comments WHERE author_id = $1 AND via_channel = 'email'
		AND created_at >= $2 AND body = $3 ORDER BY id LIMIT 1`, authorID, since, body).Scan(&tid, &cid)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, false, nil
	}
	return tid, cid, err == nil, err
}

func (s *Service) lastCommentBy(ctx context.Context, ticketID, authorID int64) (int64, error) {
	var id int64
	err := s.db.Reads().QueryRowContext(ctx, `SELECT id FROM comments WHERE ticket_id = $1 AND author_id = $2 ORDER BY id DESC LIMIT 1`,
		ticketID, authorID).Scan(&id)
	return id, err
}

func (s *Service) firstComment(ctx context.Context, ticketID int64) (int64, error) {
	var id int64
	err := s.db.Reads().QueryRowContext(ctx, `SELECT id FROM comments WHERE ticket_id = $1 ORDER BY id LIMIT 1`, ticketID).Scan(&id)
	return id, err
}

// ensureThread gives a ticket its reply token, through address addrID.
func (s *Service) ensureThread(ctx context.Context, ticketID, addrID int64) error {
	return s.ensureThreadTx(ctx, s.db.W, ticketID, addrID)
}

func (s *Service) ensureThreadTx(ctx context.Context, x db.Querier, ticketID, addrID int64) error {
	tok := strings.ReplaceAll(uuid.Must(uuid.NewV7()).String(), "-", "")
	_, err := x.ExecContext(ctx, `INSERT INTO email_threads (ticket_id, token, address_id, created_at) VALUES ($1,$2,$3,$4)
		ON CONFLICT DO NOTHING`, ticketID, tok, db.NullID(addrID), db.Millis(s.now()))
	return err
}

// followFromHeaders makes the other To and Cc addresses followers.
func (s *Service) followFromHeaders(ctx context.Context, ticketID int64, p *parsed, book *addressBook, senderID int64, locale string) error {
	var ids []int64
	n := 0
	for _, a := range slices.Concat(p.To, p.Cc) {
		addr := strings.ToLower(a.Address)
		if book.isOwn(addr) || addr == p.From.Address || isDaemon(addr) || isNoReply(addr) {
			continue
		}
		if n++; n > 20 {
			break
		}
		u, err := s.dir.FindOrCreateCustomer(ctx, addr, cleanLine(a.Name), locale)
		if err != nil {
			continue // an invalid address is not a follower
		}
		if u.ID != senderID {
			ids = append(ids, u.ID)
		}
	}
	return s.addFollowers(ctx, ticketID, ids)
}

func (s *Service) addFollowers(ctx context.Context, ticketID int64, ids []int64) error {
	for _, id := range ids {
		if _, err := s.db.W.ExecContext(ctx, `INSERT INTO ticket_followers (ticket_id, user_id, created_at) VALUES ($1,$2,$3)
			ON CONFLICT DO NOTHING`, ticketID, id, db.Millis(s.now())); err != nil {
			return err
		}
	}
	return nil
}

// Followers lists the user ids following a ticket (staff who may read it).
func (s *Service) Followers(ctx context.Context, a auth.Actor, ticketID int64) ([]int64, error) {
	if _, err := s.tickets.Get(ctx, a, ticketID); err != nil {
		return nil, err
	}
	if !a.IsStaff() && !a.System {
		return nil, apperr.Forbidden("list followers")
	}
	return s.followerIDs(ctx, ticketID)
}

func (s *Service) followerIDs(ctx context.Context, ticketID int64) ([]int64, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT user_id FROM ticket_followers WHERE ticket_id = $1 ORDER BY user_id`, ticketID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []int64{}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}
