// Package email is the email channel: support addresses fed by IMAP polling
// and a built-in SMTP listener into one ingest path (parse, keep raw,
// dedupe, thread, protect against loops and spoofing, create or update the
// ticket), and outbound notifications (templates per language, threading
// headers, DKIM, SMTP relay per address) through the durable job queue.
package email

import (
	"context"
	"crypto/tls"
	"log/slog"
	"sync"
	"time"

	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/jobs"
	"layan/internal/mail"
	"layan/internal/ticket"
)

// Config tunes the channel. Zero values take the defaults.
type Config struct {
	// MaxMessageBytes is the largest inbound message (default 25 MiB).
	MaxMessageBytes int64
	// BaseURL is the public URL for links in mails ("View your request").
	BaseURL string
	// Hostname names this system in Message-IDs and the SMTP greeting when
	// no support address gives a domain.
	Hostname string
	// AutoReplyLimit is the most auto-replies one sender gets per
	// AutoReplyWindow (default 3 per hour).
	AutoReplyLimit  int
	AutoReplyWindow time.Duration
	// PollInterval is how often a mailbox without IDLE is polled (default 30 s);
	// IdleTimeout restarts IDLE (default 10 min).
	PollInterval time.Duration
	IdleTimeout  time.Duration
	// TLS is the client TLS configuration for IMAP and SMTP servers (tests
	// pass their throwaway CA here); nil uses the system roots.
	TLS *tls.Config
	// ListenerTLS, when set, lets the inbound SMTP listener offer STARTTLS.
	ListenerTLS *tls.Config
	// Fallback delivers outbound mail of addresses that have no SMTP relay
	// configured (default: the log).
	Fallback mail.Sender
	// Brand returns the workspace name for mail templates.
	Brand func(ctx context.Context) string
	// Workers is the number of outbound senders (default 4).
	Workers int
	// IngestWorkers is how many messages of one IMAP mailbox are ingested
	// at once (default 8); 1 ingests them one by one.
	IngestWorkers int
	// Observe, when set, is told the outcome and duration of every ingest
	// (metrics, benchmarks).
	Observe func(source, status string, took time.Duration)
}

// Service is the email channel.
type Service struct {
	db      *db.DB
	dir     *directory.Service
	tickets *ticket.Service
	blobs   blob.Store
	queue   *jobs.Queue
	bus     *events.Bus
	now     func() time.Time
	log     *slog.Logger
	cfg     Config

	bookMu      sync.Mutex
	book        *addressBook
	reconfigure chan struct{}

	// dial is how outbound SMTP connects (tests replace it).
	dial func(ctx context.Context, network, addr string) (netConn, error)
}

// New builds the channel.
func New(d *db.DB, dir *directory.Service, tickets *ticket.Service, blobs blob.Store, queue *jobs.Queue, bus *events.Bus,
	now func() time.Time, log *slog.Logger, cfg Config) *Service {
	if now == nil {
		now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.AutoReplyLimit <= 0 {
		cfg.AutoReplyLimit = 3
	}
	if cfg.AutoReplyWindow <= 0 {
		cfg.AutoReplyWindow = time.Hour
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 30 * time.Second
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = 10 * time.Minute
	}
	if cfg.Hostname == "" {
		cfg.Hostname = "layan.localhost"
	}
	if cfg.Fallback == nil {
		cfg.Fallback = mail.NewLogSender(log)
	}
	if cfg.Brand == nil {
		cfg.Brand = func(context.Context) string { return "Layan" }
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.IngestWorkers <= 0 {
		cfg.IngestWorkers = defaultIngestWorkers
	}
	return &Service{db: d, dir: dir, tickets: tickets, blobs: blobs, queue: queue, bus: bus, now: now, log: log,
		cfg: cfg, reconfigure: make(chan struct{}, 1), dial: dialTCP}
}

// MaxMessageBytes is the inbound size limit in force.
func (s *Service) MaxMessageBytes() int64 { return s.cfg.MaxMessageBytes }

// Run starts the background work of the channel (outbound senders, the
// event-log reader for notifications, IMAP pollers of every address that has
// an IMAP URL, recovery of interrupted ingests) and blocks until ctx ends.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	start := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	start(func() {
		s.queue.Work(ctx, sendQueue, s.handleSend, jobs.WorkerOptions{Concurrency: s.cfg.Workers, Lease: 2 * time.Minute})
	})
	start(func() { s.runNotifier(ctx) })
	start(func() { s.runRecovery(ctx) })
	start(func() { s.runPollers(ctx) })
	wg.Wait()
}
