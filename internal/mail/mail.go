// Package mail is the seam for outbound email. Domains and handlers build a
// Message and hand it to a Sender; which Sender runs is the composition
// root's choice: LogSender until the email channel can deliver, Recorder in
// tests, an SMTP sender later.
//
// Messages carry links with one-time secrets (verification, password reset),
// never passwords or session ids.
package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"sync"
)

// Message is one email. Text is required (every mail has a plain-text part);
// HTML is optional. Locale is the language the message is written in ("en",
// "id", "fa"), for the Content-Language header and the HTML dir.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	Locale  string
	// Headers are extra headers (e.g. "Auto-Submitted"). Senders set From,
	// To, Subject, Date and Message-ID themselves.
	Headers map[string]string
}

// Sender delivers a message or says why it could not.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// SenderFunc adapts a function to Sender.
type SenderFunc func(ctx context.Context, m Message) error

// Send calls f.
func (f SenderFunc) Send(ctx context.Context, m Message) error { return f(ctx, m) }

// ErrInvalidMessage wraps every reason Validate rejects a message for.
var ErrInvalidMessage = errors.New("invalid mail message")

// Validate rejects messages no sender should accept: no recipient, no text,
// or a line break in the recipient, subject or a header (header injection).
func (m Message) Validate() error {
	bad := func(why string) error { return fmt.Errorf("%w: %s", ErrInvalidMessage, why) }
	switch {
	case strings.TrimSpace(m.To) == "":
		return bad("no recipient")
	case strings.ContainsAny(m.To, "\r\n\x00"):
		return bad("line break in recipient")
	case strings.ContainsAny(m.Subject, "\r\n\x00"):
		return bad("line break in subject")
	case strings.TrimSpace(m.Text) == "":
		return bad("no text body")
	}
	for k, v := range m.Headers {
		if k == "" || strings.ContainsAny(k, "\r\n\x00: ") || strings.ContainsAny(v, "\r\n\x00") {
			return bad(fmt.Sprintf("malformed header %q", k))
		}
	}
	return nil
}

// LogSender "sends" by writing the recipient, subject and text body (links
// included) to the log at info level: how verification and reset links reach
// the operator until the email channel delivers. The HTML part and headers
// are not logged.
type LogSender struct {
	Log *slog.Logger
}

// NewLogSender logs to log (slog.Default() when nil).
func NewLogSender(log *slog.Logger) *LogSender {
	if log == nil {
		log = slog.Default()
	}
	return &LogSender{Log: log}
}

// Send implements Sender.
func (s *LogSender) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	log := s.Log
	if log == nil {
		log = slog.Default()
	}
	log.InfoContext(ctx, "outbound mail (logged, not delivered: no SMTP relay configured)",
		"to", m.To, "subject", m.Subject, "locale", m.Locale, "text", m.Text)
	return nil
}

// Recorder keeps sent messages in memory, for tests. Err, when set, is
// returned by Send instead of recording, to test delivery failures.
type Recorder struct {
	mu   sync.Mutex
	msgs []Message
	Err  error
}

// Send implements Sender: it validates and records a copy of m.
func (r *Recorder) Send(ctx context.Context, m Message) error {
	if err := m.Validate(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Err != nil {
		return r.Err
	}
	m.Headers = maps.Clone(m.Headers)
	r.msgs = append(r.msgs, m)
	return nil
}

// Messages returns a copy of everything sent so far, oldest first.
func (r *Recorder) Messages() []Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Message, len(r.msgs))
	for i, m := range r.msgs {
		m.Headers = maps.Clone(m.Headers)
		out[i] = m
	}
	return out
}

// Last returns the most recent message; ok is false when none was sent.
func (r *Recorder) Last() (m Message, ok bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.msgs) == 0 {
		return Message{}, false
	}
	m = r.msgs[len(r.msgs)-1]
	m.Headers = maps.Clone(m.Headers)
	return m, true
}

// To returns the messages sent to an address (case-insensitive), oldest first.
func (r *Recorder) To(addr string) []Message {
	var out []Message
	for _, m := range r.Messages() {
		if strings.EqualFold(strings.TrimSpace(m.To), strings.TrimSpace(addr)) {
			out = append(out, m)
		}
	}
	return out
}

// Reset forgets every recorded message.
func (r *Recorder) Reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = nil
}
