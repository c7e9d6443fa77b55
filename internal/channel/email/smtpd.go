package email

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"
)

// Listener is the inbound SMTP server (for MX or forwarding): it accepts
// mail for the configured support addresses only, and answers 250 only after
// the message is committed.
type Listener struct {
	svc    *Service
	server *smtp.Server
	ln     net.Listener
}

// Listen opens the inbound SMTP listener on addr ("HOST:PORT").
func (s *Service) Listen(addr string) (*Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("smtp listen on %s: %w", addr, err)
	}
	l := &Listener{svc: s, ln: ln}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{svc: s, remote: c.Conn().RemoteAddr().String()}, nil
	}))
	srv.Domain = s.cfg.Hostname
	srv.MaxMessageBytes = s.cfg.MaxMessageBytes
	srv.MaxRecipients = 50
	srv.MaxLineLength = 10000 // RFC 5321 says 1000; real mail is sloppier
	srv.ReadTimeout = 5 * time.Minute
	srv.WriteTimeout = 5 * time.Minute
	srv.EnableSMTPUTF8 = true
	srv.ErrorLog = slogLogger{s.log}
	if s.cfg.ListenerTLS != nil {
		srv.TLSConfig = s.cfg.ListenerTLS
	}
	l.server = srv
	return l, nil
}

// Addr is where the listener listens.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Serve accepts connections until Shutdown.
func (l *Listener) Serve() error {
	err := l.server.Serve(l.ln)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for sessions in progress until ctx ends.
func (l *Listener) Shutdown(ctx context.Context) error {
	err := l.server.Shutdown(ctx)
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

type session struct {
	svc        *Service
	remote     string
	nullSender bool
	rcpts      []string
}

func (s *session) Reset() {
	s.rcpts = nil
	s.nullSender = false
}

func (s *session) Logout() error { return nil }

func (s *session) Mail(from string, opts *smtp.MailOptions) error {
	s.nullSender = strings.TrimSpace(from) == ""
	if opts != nil && opts.Size > s.svc.cfg.MaxMessageBytes {
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
			Message: fmt.Sprintf("message too large: the limit is %d bytes", s.svc.cfg.MaxMessageBytes)}
	}
	return nil
}

var errNoSuchAddress = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
	Message: "no such support address here"}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	book, err := s.svc.addresses(context.Background())
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	if _, _, ok := book.match(to); !ok {
		return errNoSuchAddress
	}
	s.rcpts = append(s.rcpts, strings.ToLower(to))
	return nil
}

func (s *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		if errors.Is(err, smtp.ErrDataTooLarge) {
			return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
				Message: fmt.Sprintf("message too large: the limit is %d bytes", s.svc.cfg.MaxMessageBytes)}
		}
		return err
	}
	if len(s.rcpts) == 0 {
		return &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "no valid recipients"}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := s.svc.Ingest(ctx, Inbound{Raw: raw, Source: "smtp", Rcpts: s.rcpts, NullSender: s.nullSender})
	if err != nil {
		s.svc.log.Warn("smtp: message not accepted", "remote", s.remote, "err", err)
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "temporary failure, try again later"}
	}
	s.svc.log.Debug("smtp: message accepted", "remote", s.remote, "id", res.ID, "status", res.Status, "ticket", res.TicketID)
	return nil
}

type slogLogger struct{ log *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.log.Debug("smtp server: " + fmt.Sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.log.Debug("smtp server: " + fmt.Sprint(v...)) }
