package email

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

const notifyCursor = "email.notify"

// runNotifier reads the event log from its cursor and queues the mails the
// events call for. The bus only wakes it: after a restart it replays from
// the cursor, and the job keys (one per event) make replays harmless.
func (s *Service) runNotifier(ctx context.Context) {
	wake := make(chan struct{}, 1)
	if s.bus != nil {
		unsub := s.bus.Subscribe(func(events.Event) {
			select {
			case wake <- struct{}{}:
			default:
			}
		})
		defer unsub()
	}
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for {
		for ctx.Err() == nil {
			n, err := s.NotifyNow(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("email notifications", "err", err)
				}
				break
			}
			if n == 0 {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-wake:
		case <-t.C:
		}
	}
}

// NotifyNow handles one batch of new events and returns how many it read.
func (s *Service) NotifyNow(ctx context.Context) (int, error) {
	var last int64
	if err := s.db.R.QueryRowContext(ctx, `SELECT last_id FROM event_cursors WHERE name = $1`, notifyCursor).Scan(&last); err != nil {
		if !errors.Is(err, sql.ErrNoRows) {
			return 0, err
		}
		if _, err := s.db.W.ExecContext(ctx, `INSERT INTO event_cursors (name, last_id) VALUES ($1, 0) ON CONFLICT DO NOTHING`, notifyCursor); err != nil {
			return 0, err
		}
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT id, COALESCE(ticket_id, 0), COALESCE(actor_id, 0), type, field, after, created_at FROM events
		WHERE id > $1 AND type IN ($2, $3, $4, $5) ORDER BY id LIMIT 200`, last,
		events.CommentAdded, events.StatusChanged, events.Assigned, events.Reassigned)
	if err != nil {
		return 0, err
	}
	var evs []events.Event
	for rows.Next() {
		var e events.Event
		var after sql.NullString
		var at int64
		if err := rows.Scan(&e.ID, &e.TicketID, &e.ActorID, &e.Type, &e.Field, &after, &at); err != nil {
			rows.Close()
			return 0, err
		}
		if after.Valid {
			e.After = &after.String
		}
		e.CreatedAt = db.Time(at)
		evs = append(evs, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	if len(evs) == 0 {
		// Move the cursor past events of other types so the scan stays short.
		_, err := s.db.W.ExecContext(ctx, `UPDATE event_cursors SET last_id = (SELECT COALESCE(MAX(id), 0) FROM events)
			WHERE name = $1 AND last_id < (SELECT COALESCE(MAX(id), 0) FROM events)`, notifyCursor)
		return 0, err
	}
	book, err := s.addresses(ctx)
	if err != nil {
		return 0, err
	}
	if _, ok := book.fallback(); ok {
		// Nothing that happened before the first support address existed is
		// mailed (a demo workspace's or an import's history).
		var since time.Time
		for _, a := range book.list {
			if since.IsZero() || a.CreatedAt.Before(since) {
				since = a.CreatedAt
			}
		}
		for _, e := range evs {
			if e.CreatedAt.Before(since) {
				continue
			}
			if err := s.notifyEvent(ctx, e); err != nil {
				return 0, fmt.Errorf("event %d: %w", e.ID, err)
			}
		}
	}
	_, err = s.db.W.ExecContext(ctx, `UPDATE event_cursors SET last_id = $1 WHERE name = $2 AND last_id < $1`, evs[len(evs)-1].ID, notifyCursor)
	return len(evs), err
}

func (s *Service) notifyEvent(ctx context.Context, e events.Event) error {
	key := "ev:" + strconv.FormatInt(e.ID, 10)
	after := ""
	if e.After != nil {
		after = *e.After
	}
	switch e.Type {
	case events.CommentAdded:
		if e.Field != "public" {
			return nil
		}
		cid, _ := strconv.ParseInt(after, 10, 64)
		var author int64
		var via string
		err := s.db.R.QueryRowContext(ctx, `SELECT author_id, via_channel FROM comments WHERE id = $1`, cid).Scan(&author, &via)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		u, err := s.dir.GetUser(ctx, auth.SystemActor(), author)
		if err != nil || u.Role == auth.RoleEndUser {
			return nil // customers' own messages are not mailed back to them
		}
		return s.enqueue(ctx, key, sendJob{Kind: KindReplied, TicketID: e.TicketID, CommentID: cid, ActorID: author})
	case events.StatusChanged:
		if after == "solved" {
			return s.enqueue(ctx, key, sendJob{Kind: KindSolved, TicketID: e.TicketID, ActorID: e.ActorID})
		}
	case events.Assigned, events.Reassigned:
		id, _ := strconv.ParseInt(after, 10, 64)
		if id != 0 && id != e.ActorID {
			return s.enqueue(ctx, key, sendJob{Kind: KindAssigned, TicketID: e.TicketID, ActorID: id})
		}
	}
	return nil
}

// compose builds the mail of a job. skip, when set, says why nothing is sent.
func (s *Service) compose(ctx context.Context, sj sendJob, jobID int64) (outMail, string, error) {
	book, err := s.addresses(ctx)
	if err != nil {
		return outMail{}, "", err
	}
	if sj.Kind == KindPlain {
		return s.composePlain(book, sj, jobID)
	}
	sys := auth.SystemActor()
	t, err := s.tickets.Get(ctx, sys, sj.TicketID)
	if err != nil {
		return outMail{}, "ticket gone: " + err.Error(), nil
	}
	var token string
	var addrID sql.NullInt64
	err = s.db.R.QueryRowContext(ctx, `SELECT token, address_id FROM email_threads WHERE ticket_id = $1`, t.ID).Scan(&token, &addrID)
	if errors.Is(err, sql.ErrNoRows) {
		fb, ok := book.fallback()
		if !ok {
			return outMail{}, "no support address", nil
		}
		if err := s.ensureThread(ctx, t.ID, fb.ID); err != nil {
			return outMail{}, "", err
		}
		err = s.db.W.QueryRowContext(ctx, `SELECT token, address_id FROM email_threads WHERE ticket_id = $1`, t.ID).Scan(&token, &addrID)
	}
	if err != nil {
		return outMail{}, "", err
	}
	addr, ok := book.byID(addrID.Int64)
	if !ok || !addr.Active {
		if addr, ok = book.fallback(); !ok {
			return outMail{}, "no support address", nil
		}
	}
	requester, err := s.dir.GetUser(ctx, sys, t.RequesterID)
	if err != nil {
		return outMail{}, "", err
	}
	brand := s.cfg.Brand(ctx)
	m := outMail{From: addr, ReplyTo: addr.ReplyAddress(token), TicketID: t.ID,
		MessageID: fmt.Sprintf("layan.%s.%d.%d@%s", sj.Kind, t.ID, jobID, addr.Domain())}
	if m.InReplyTo, m.References, err = s.threadRefs(ctx, t.ID, sj.InReplyTo); err != nil {
		return outMail{}, "", err
	}
	reader := requester
	var v mailView
	switch sj.Kind {
	case KindReceived, KindSolved, KindReplied:
		if requester.Email == "" {
			return outMail{}, "requester has no email", nil
		}
		m.To = []string{requester.Email}
		if sj.Kind == KindReceived {
			m.Auto = true
			if sj.To != "" {
				m.To = []string{sj.To}
			}
		}
		if sj.Kind == KindReplied {
			followers, err := s.followerIDs(ctx, t.ID)
			if err != nil {
				return outMail{}, "", err
			}
			us, err := s.dir.UsersByIDs(ctx, sys, followers)
			if err != nil {
				return outMail{}, "", err
			}
			for _, u := range us {
				if u.Email != "" && u.ID != sj.ActorID && !slices.Contains(m.To, u.Email) {
					m.Cc = append(m.Cc, u.Email)
				}
			}
		}
	case KindAssigned:
		agent, err := s.dir.GetUser(ctx, sys, sj.ActorID)
		if err != nil || agent.Email == "" {
			return outMail{}, "assignee has no email", nil
		}
		reader = agent
		m.To = []string{agent.Email}
		m.ReplyTo = "" // agents answer in Layan
	default:
		return outMail{}, "unknown kind " + sj.Kind, nil
	}
	// Never mail an address that bounced or one of our own.
	m.To = s.deliverable(ctx, book, m.To)
	m.Cc = s.deliverable(ctx, book, m.Cc)
	if len(m.To) == 0 {
		if len(m.Cc) == 0 {
			return outMail{}, "no deliverable recipient", nil
		}
		m.To, m.Cc = m.Cc[:1], m.Cc[1:]
	}
	locale := i18n.Normalize(reader.Locale)
	if reader.Locale == "" {
		locale = addr.Locale
	}
	m.Locale = locale
	loc, _ := time.LoadLocation(reader.TimeZone)
	if loc == nil {
		loc = time.UTC
	}
	v = mailView{Locale: locale, Brand: brand, Greeting: i18n.T(locale, "email.greeting", "name", reader.Name),
		Footer: i18n.T(locale, "email.footer", "brand", brand), LinkText: i18n.T(locale, "email.view_request"),
		Link: s.cfg.BaseURL + "/portal/requests/" + strconv.FormatInt(t.ID, 10)}
	idArg := t.ID
	switch sj.Kind {
	case KindReceived:
		m.Subject = i18n.T(locale, "email.request_received_subject", "brand", brand, "subject", t.Subject)
		v.Marker = i18n.T(locale, "email.reply_above")
		v.Intro = i18n.T(locale, "email.request_received_body", "id", idArg)
	case KindSolved:
		m.Subject = i18n.T(locale, "email.solved_subject", "brand", brand, "subject", t.Subject)
		v.Marker = i18n.T(locale, "email.reply_above")
		v.Intro = i18n.T(locale, "email.solved_body", "id", idArg)
	case KindAssigned:
		m.Subject = i18n.T(locale, "email.assigned_subject", "brand", brand, "id", idArg, "subject", t.Subject)
		v.Intro = i18n.T(locale, "email.assigned_body", "id", idArg, "requester", requester.Name)
		v.LinkText = i18n.T(locale, "email.view_ticket")
		v.Link = s.cfg.BaseURL + "/agent/tickets/" + strconv.FormatInt(t.ID, 10)
	case KindReplied:
		m.Subject = i18n.T(locale, "email.reply_subject", "brand", brand, "subject", t.Subject)
		v.Marker = i18n.T(locale, "email.reply_above")
		latest, earlier, author, err := s.conversation(ctx, t, sj.CommentID, locale, loc)
		if err != nil {
			return outMail{}, "", err
		}
		if latest == nil {
			return outMail{}, "comment gone", nil
		}
		v.Intro = i18n.T(locale, "email.agent_replied", "name", author, "id", idArg)
		v.Latest, v.Earlier = latest, earlier
		v.EarlierHead = i18n.T(locale, "email.conversation")
	}
	r, err := renderMail(v)
	if err != nil {
		return outMail{}, "", err
	}
	m.Text, m.HTML = r.Text, r.HTML
	return m, "", nil
}

func (s *Service) composePlain(book *addressBook, sj sendJob, jobID int64) (outMail, string, error) {
	if sj.Message == nil {
		return outMail{}, "empty message", nil
	}
	var addr Address
	for _, a := range book.list {
		if a.Active && a.SMTPURL != "" {
			addr = a
			break
		}
	}
	if addr.ID == 0 {
		return outMail{}, "", errors.New("no support address with an SMTP relay")
	}
	msg := sj.Message
	m := outMail{From: addr, To: []string{msg.To}, Subject: msg.Subject, Text: msg.Text, HTML: msg.HTML, Locale: msg.Locale,
		MessageID: fmt.Sprintf("layan.mail.%d@%s", jobID, addr.Domain()), Headers: map[string]string{}}
	for k, v := range msg.Headers {
		switch strings.ToLower(k) {
		case "from", "to", "cc", "bcc", "subject", "date", "message-id":
		default:
			m.Headers[k] = v
		}
	}
	return m, "", nil
}

func (s *Service) deliverable(ctx context.Context, book *addressBook, addrs []string) []string {
	var out []string
	for _, a := range addrs {
		if book.isOwn(a) || isNoReply(a) || isDaemon(a) {
			continue
		}
		if b, err := s.isBounced(ctx, a); err == nil && b {
			continue
		}
		out = append(out, a)
	}
	return out
}

// threadRefs returns In-Reply-To and References for a new mail on a ticket:
// it answers the customer's latest message (or our latest mail), and refers
// to the conversation's messages, oldest first, at most 20.
func (s *Service) threadRefs(ctx context.Context, ticketID int64, inReplyTo string) (string, []string, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT message_id, created_at, 1 FROM email_messages WHERE ticket_id = $1 AND message_id <> ''
		AND status = 'ingested'
		UNION ALL SELECT message_id, created_at, 0 FROM email_outbound WHERE ticket_id = $1 ORDER BY 2`, ticketID)
	if err != nil {
		return "", nil, err
	}
	defer rows.Close()
	var refs []string
	lastIn, lastAny := "", ""
	for rows.Next() {
		var id string
		var at, inbound int64
		if err := rows.Scan(&id, &at, &inbound); err != nil {
			return "", nil, err
		}
		refs = append(refs, id)
		lastAny = id
		if inbound == 1 {
			lastIn = id
		}
	}
	if err := rows.Err(); err != nil {
		return "", nil, err
	}
	if len(refs) > 20 {
		refs = append(refs[:1], refs[len(refs)-19:]...)
	}
	if inReplyTo == "" {
		inReplyTo = lastIn
	}
	if inReplyTo == "" {
		inReplyTo = lastAny
	}
	if inReplyTo != "" && !slices.Contains(refs, inReplyTo) {
		refs = append(refs, inReplyTo)
	}
	return inReplyTo, refs, nil
}

// conversation returns the comment to mail and up to five earlier public ones.
func (s *Service) conversation(ctx context.Context, t ticket.Ticket, commentID int64, locale string, loc *time.Location) (*convItem, []convItem, string, error) {
	var cs []ticket.Comment
	for after := int64(0); ; {
		page, err := s.tickets.Comments(ctx, auth.SystemActor(), t.ID, after, 100)
		if err != nil {
			return nil, nil, "", err
		}
		cs = append(cs, page...)
		if len(page) < 100 || page[len(page)-1].ID >= commentID {
			break
		}
		after = page[len(page)-1].ID
	}
	var ids []int64
	for _, c := range cs {
		ids = append(ids, c.AuthorID)
	}
	us, err := s.dir.UsersByIDs(ctx, auth.SystemActor(), ids)
	if err != nil {
		return nil, nil, "", err
	}
	names := map[int64]directory.User{}
	for _, u := range us {
		names[u.ID] = u
	}
	item := func(c ticket.Comment) convItem {
		return convItem{Author: names[c.AuthorID].Name, At: i18n.FormatDateTime(locale, c.CreatedAt, loc), Text: c.Body, Source: c.HTMLBody}
	}
	var latest *convItem
	var earlier []convItem
	author := ""
	for i := len(cs) - 1; i >= 0; i-- {
		c := cs[i]
		if !c.Public {
			continue
		}
		if c.ID == commentID {
			it := item(c)
			latest = &it
			author = it.Author
			continue
		}
		if latest != nil && len(earlier) < 5 && c.ID < commentID {
			earlier = append(earlier, item(c))
		}
	}
	return latest, earlier, author, nil
}
