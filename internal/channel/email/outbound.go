package email

import (
	"bytes"
	"context"
	"crypto"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-message/mail"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"layan/internal/db"
	"layan/internal/jobs"
	lmail "layan/internal/mail"
)

const sendQueue = "email.send"

// Kinds of outbound mail.
const (
	KindReceived = "received" // auto-reply: request received
	KindReplied  = "replied"  // an agent replied, with the conversation
	KindSolved   = "solved"   // the request was solved
	KindAssigned = "assigned" // to the agent a ticket was assigned to
	KindPlain    = "plain"    // a mail.Message from elsewhere (account links)
)

// sendJob is the payload of one outbound mail job.
type sendJob struct {
	Kind      string         `json:"kind"`
	TicketID  int64          `json:"ticket_id,omitempty"`
	CommentID int64          `json:"comment_id,omitempty"`
	ActorID   int64          `json:"actor_id,omitempty"`
	To        string         `json:"to,omitempty"`
	InReplyTo string         `json:"in_reply_to,omitempty"`
	Message   *lmail.Message `json:"message,omitempty"`
}

func (s *Service) enqueue(ctx context.Context, key string, j sendJob) error {
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	_, err = s.queue.Enqueue(ctx, sendQueue, string(b), jobs.Options{Key: key, MaxAttempts: 12})
	return err
}

// enqueueReceivedTx queues the "request received" auto-reply in the caller's
// transaction and counts it against the sender's rate limit.
func (s *Service) enqueueReceivedTx(ctx context.Context, x db.Querier, ticketID int64, to, inReplyTo string) error {
	if _, err := x.ExecContext(ctx, `INSERT INTO email_autoreplies (email, created_at) VALUES ($1, $2)`,
		strings.ToLower(to), db.Millis(s.now())); err != nil {
		return err
	}
	b, err := json.Marshal(sendJob{Kind: KindReceived, TicketID: ticketID, To: to, InReplyTo: inReplyTo})
	if err != nil {
		return err
	}
	_, err = s.queue.EnqueueTx(ctx, x, sendQueue, string(b), jobs.Options{Key: fmt.Sprintf("received:%d", ticketID), MaxAttempts: 12})
	return err
}

// outMail is a composed message before MIME.
type outMail struct {
	From       Address
	To         []string
	Cc         []string
	ReplyTo    string
	Subject    string
	Text, HTML string
	Locale     string
	MessageID  string
	InReplyTo  string
	References []string
	Auto       bool // an automatic reply: Auto-Submitted: auto-replied
	Headers    map[string]string
	TicketID   int64
}

// handleSend runs one outbound job: compose, record the Message-ID for
// threading, sign, deliver.
func (s *Service) handleSend(ctx context.Context, j *jobs.Job) error {
	var sj sendJob
	if err := json.Unmarshal([]byte(j.Payload), &sj); err != nil {
		return jobs.Permanent{Err: err}
	}
	m, skip, err := s.compose(ctx, sj, j.ID)
	if err != nil || skip != "" {
		if skip != "" {
			s.log.Debug("outbound mail skipped", "job", j.ID, "kind", sj.Kind, "why", skip)
		}
		return err
	}
	if m.TicketID != 0 {
		if _, err := s.db.W.ExecContext(ctx, `INSERT INTO email_outbound (message_id, ticket_id, created_at) VALUES ($1,$2,$3)
			ON CONFLICT DO NOTHING`, m.MessageID, m.TicketID, db.Millis(s.now())); err != nil {
			return err
		}
	}
	return s.deliverOut(ctx, m)
}

// deliverOut sends through the address's SMTP relay, or the fallback sender.
func (s *Service) deliverOut(ctx context.Context, m outMail) error {
	if m.From.SMTPURL == "" {
		hdr := map[string]string{"Message-ID": "<" + m.MessageID + ">"}
		if m.InReplyTo != "" {
			hdr["In-Reply-To"] = "<" + m.InReplyTo + ">"
		}
		if len(m.References) > 0 {
			hdr["References"] = "<" + strings.Join(m.References, "> <") + ">"
		}
		if m.ReplyTo != "" {
			hdr["Reply-To"] = m.ReplyTo
		}
		if m.Auto {
			hdr["Auto-Submitted"] = "auto-replied"
		}
		var err error
		for _, to := range append(append([]string{}, m.To...), m.Cc...) {
			err = errors.Join(err, s.cfg.Fallback.Send(ctx, lmail.Message{To: to, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
				Locale: m.Locale, Headers: hdr}))
		}
		return err
	}
	raw, err := buildMIME(m, s.now())
	if err != nil {
		return jobs.Permanent{Err: err}
	}
	if m.From.DKIMKey != "" {
		if raw, err = signDKIM(raw, m.From); err != nil {
			return jobs.Permanent{Err: fmt.Errorf("dkim: %w", err)}
		}
	}
	u, err := ParseServerURL("smtp", m.From.SMTPURL)
	if err != nil {
		return jobs.Permanent{Err: err}
	}
	return s.smtpSend(ctx, u, m.From.Email, append(append([]string{}, m.To...), m.Cc...), raw)
}

// buildMIME writes a multipart/alternative message (text and HTML).
func buildMIME(m outMail, now time.Time) ([]byte, error) {
	var h mail.Header
	h.SetDate(now)
	from := &mail.Address{Name: m.From.Name, Address: m.From.Email}
	h.SetAddressList("From", []*mail.Address{from})
	var to, cc []*mail.Address
	for _, a := range m.To {
		to = append(to, &mail.Address{Address: a})
	}
	for _, a := range m.Cc {
		cc = append(cc, &mail.Address{Address: a})
	}
	h.SetAddressList("To", to)
	if len(cc) > 0 {
		h.SetAddressList("Cc", cc)
	}
	if m.ReplyTo != "" {
		h.SetAddressList("Reply-To", []*mail.Address{{Name: m.From.Name, Address: m.ReplyTo}})
	}
	h.SetSubject(m.Subject)
	h.SetMessageID(m.MessageID)
	if m.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{m.InReplyTo})
	}
	if len(m.References) > 0 {
		h.SetMsgIDList("References", m.References)
	}
	if m.Locale != "" {
		h.Set("Content-Language", m.Locale)
	}
	if m.Auto {
		h.Set("Auto-Submitted", "auto-replied")
	} else {
		h.Set("Auto-Submitted", "auto-generated")
	}
	// Outlook/Exchange: do not answer this with out-of-office replies.
	h.Set("X-Auto-Response-Suppress", "All")
	for k, v := range m.Headers {
		h.Set(k, v)
	}
	var b bytes.Buffer
	alt, err := mail.CreateInlineWriter(&b, h)
	if err != nil {
		return nil, err
	}
	part := func(ct, body string) error {
		var ph mail.InlineHeader
		ph.Set("Content-Type", mime.FormatMediaType(ct, map[string]string{"charset": "utf-8"}))
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := alt.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, body); err != nil {
			return err
		}
		return pw.Close()
	}
	if err := part("text/plain", m.Text); err != nil {
		return nil, err
	}
	if m.HTML != "" {
		if err := part("text/html", m.HTML); err != nil {
			return nil, err
		}
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func signDKIM(raw []byte, a Address) ([]byte, error) {
	k, err := parseDKIMKey(a.DKIMKey)
	if err != nil {
		return nil, err
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, errors.New("unsupported key type")
	}
	var out bytes.Buffer
	err = dkim.Sign(&out, bytes.NewReader(raw), &dkim.SignOptions{Domain: a.Domain(), Selector: a.DKIMSelector, Signer: signer,
		HeaderKeys: []string{"From", "To", "Cc", "Subject", "Date", "Message-ID", "In-Reply-To", "References", "Reply-To",
			"Content-Type", "MIME-Version", "Auto-Submitted"}})
	return out.Bytes(), err
}

type netConn = net.Conn

func dialTCP(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

// smtpSend delivers raw to the relay of u. 5xx answers are permanent.
func (s *Service) smtpSend(ctx context.Context, u ServerURL, from string, rcpts []string, raw []byte) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	conn, err := s.dial(ctx, "tcp", u.Host)
	if err != nil {
		return fmt.Errorf("connect to %s: %w", u.Host, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	host, _, _ := net.SplitHostPort(u.Host)
	tc := s.tlsConfig(host, u.InsecureSkipVerify)
	var c *smtp.Client
	switch u.TLS {
	case "implicit":
		c = smtp.NewClient(tls.Client(conn, tc))
	case "starttls":
		c, err = smtp.NewClientStartTLS(conn, tc)
		if err != nil {
			conn.Close()
			return fmt.Errorf("starttls with %s: %w", u.Host, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	defer c.Close()
	if err := c.Hello(s.cfg.Hostname); err != nil {
		return classifySMTP(err)
	}
	if u.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", u.User, u.Password)); err != nil {
			return jobs.Permanent{Err: fmt.Errorf("smtp auth as %s: %w", u.User, err)}
		}
	}
	if err := c.SendMail(from, rcpts, bytes.NewReader(raw)); err != nil {
		return classifySMTP(err)
	}
	return c.Quit()
}

func classifySMTP(err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return jobs.Permanent{Err: err}
	}
	return err
}

func (s *Service) tlsConfig(host string, insecure bool) *tls.Config {
	var c *tls.Config
	if s.cfg.TLS != nil {
		c = s.cfg.TLS.Clone()
	} else {
		c = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	if insecure {
		c.InsecureSkipVerify = true //nolint:gosec // the operator asked for it (?tls_verify=false)
	}
	return c
}

// Sender returns a mail.Sender for the rest of Layan (account links): it
// queues the message for the first active support address with an SMTP relay,
// and falls back to fallback when there is none.
func (s *Service) Sender(fallback lmail.Sender) lmail.Sender {
	return lmail.SenderFunc(func(ctx context.Context, m lmail.Message) error {
		if err := m.Validate(); err != nil {
			return err
		}
		book, err := s.addresses(ctx)
		if err != nil {
			return err
		}
		for _, a := range book.list {
			if a.Active && a.SMTPURL != "" {
				return s.enqueue(ctx, "", sendJob{Kind: KindPlain, Message: &m})
			}
		}
		return fallback.Send(ctx, m)
	})
}

// SendNow runs the due outbound jobs in this goroutine until none is left,
// and returns how many ran (tests and the CLI; the server uses workers).
func (s *Service) SendNow(ctx context.Context) (int, error) {
	n := 0
	for {
		j, err := s.queue.Claim(ctx, sendQueue, time.Minute)
		if err != nil || j == nil {
			return n, err
		}
		n++
		if herr := s.handleSend(ctx, j); herr != nil {
			if _, err := s.queue.Fail(ctx, j, herr); err != nil {
				return n, err
			}
			continue
		}
		if err := s.queue.Complete(ctx, j); err != nil {
			return n, err
		}
	}
}
