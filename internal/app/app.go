// Package app is the composition root: it opens the database, builds the
// services and the web server, and runs them until the context ends.
package app

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"sync"
	"time"

	"layan/internal/automation"
	"layan/internal/blob"
	"layan/internal/bot"
	"layan/internal/channel/chat"
	"layan/internal/channel/email"
	"layan/internal/channel/webhook"
	"layan/internal/collab"
	"layan/internal/config"
	"layan/internal/db"
	"layan/internal/demo"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/forum"
	"layan/internal/jobs"
	"layan/internal/journey"
	"layan/internal/kb"
	"layan/internal/kpi"
	"layan/internal/mail"
	"layan/internal/observe"
	"layan/internal/settings"
	"layan/internal/survey"
	"layan/internal/ticket"
	"layan/internal/views"
	"layan/internal/web"
	"layan/internal/web/chatapi"
	"layan/internal/web/communityapi"
	"layan/internal/web/flowapi"
	"layan/internal/web/measureapi"
	"layan/internal/web/ui"
)

// App is a running Layan: its database, services and HTTP handler.
type App struct {
	Config   config.Config
	DB       *db.DB
	Bus      *events.Bus
	Dir      *directory.Service
	Tickets  *ticket.Service
	Blobs    blob.Store
	Settings *settings.Service
	KB       *kb.Service
	Mail     mail.Sender
	Jobs     *jobs.Queue
	Email    *email.Service
	Flow     *automation.Service
	Collab   *collab.Service
	KPI      *kpi.Service
	Surveys  *survey.Service
	Journey  *journey.Service
	Forum    *forum.Service
	Metrics  *observe.Metrics
	Chat     *chat.Service
	Web      *web.Server
	Log      *slog.Logger
}

// Open connects to the database, migrates it and builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	d, err := db.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	if _, err := d.Migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	blobs, err := blob.NewDir(filepath.Join(dataDirOr(cfg.DataDir), "attachments"))
	if err != nil {
		d.Close()
		return nil, err
	}
	a := &App{Config: cfg, DB: d, Bus: events.NewBus(), Blobs: blobs, Metrics: observe.NewMetrics(), Log: log}
	a.Dir = directory.NewService(d, time.Now, log)
	a.Tickets = ticket.NewService(d, a.Dir, a.Bus, time.Now, log)
	a.Settings = settings.NewService(d, time.Now)
	a.KB = kb.NewService(d, a.Bus, time.Now, log)
	a.Jobs = jobs.New(d, time.Now, log)
	listenerTLS, err := smtpListenerTLS(cfg)
	if err != nil {
		d.Close()
		return nil, err
	}
	a.Email = email.New(d, a.Dir, a.Tickets, blobs, a.Jobs, a.Bus, time.Now, log, email.Config{
		BaseURL:     cfg.PublicURL(),
		Hostname:    hostOf(cfg),
		ListenerTLS: listenerTLS,
		Brand: func(ctx context.Context) string {
			st, err := a.Settings.Get(ctx)
			if err != nil || st.Branding.Name == "" {
				return "Layan"
			}
			return st.Branding.Name
		},
	})
	// Outbound mail of the rest of Layan (verification and reset links) goes
	// through the first support address with an SMTP relay, else to the log.
	a.Mail = a.Email.Sender(mail.NewLogSender(log))
	a.KPI = kpi.NewService(d, time.Now, log)
	a.Surveys = survey.NewService(d, a.Tickets, survey.DefaultConfig(), time.Now, log)
	a.Journey = journey.NewService(d, time.Now, log)
	a.Journey.Tickets = a.Tickets
	measure := &measureapi.API{KPI: a.KPI, Surveys: a.Surveys, Journey: a.Journey, MaxBody: cfg.MaxBodyBytes}
	// Flow of work: triggers, routing, SLA, automations, macros, webhooks
	// (sent through the SSRF-guarded sender, allow-list from the settings).
	a.Flow = automation.NewService(d, a.Tickets, a.Dir, a.Jobs, time.Now, log)
	a.KPI.SetWorkingTime(func(ctx context.Context) kpi.WorkingTime { return a.Flow.WorkingTime(ctx) })
	hooks := webhook.New(webhook.Options{Allowed: a.Flow.AllowedWebhookHost})
	a.Flow.CheckURL = hooks.CheckURL
	a.Flow.Deliver = func(ctx context.Context, url string, secret []byte, event string, id int64, body []byte) (int, bool, error) {
		res, err := hooks.Send(ctx, webhook.Request{URL: url, Secret: secret, Event: event, WebhookID: id, Body: body})
		var perm webhook.PermanentError
		return res.Status, errors.As(err, &perm), err
	}
	// Live chat: on one node the in-process hub; with NATS, shared by all nodes.
	if a.Chat, err = openChat(cfg, a, log); err != nil {
		d.Close()
		return nil, err
	}
	// The community forum: solved threads in the KB search, posts to tickets
	// and article drafts, follow mails through the job queue.
	a.Forum = forum.NewService(d, time.Now, log)
	a.Forum.KB, a.Forum.Tickets, a.Forum.Jobs, a.Forum.Mail, a.Forum.BaseURL = a.KB, a.Tickets, a.Jobs, a.Mail, cfg.PublicURL()
	// Collaboration: followers, CCs, mentions, side conversations.
	a.Collab = collab.NewService(d, a.Tickets, a.Dir, a.Bus, time.Now, log)
	a.Collab.Mail, a.Collab.BaseURL = a.Mail, cfg.PublicURL()
	// The assistant: the best passage of the KB, or with --llm-url an answer
	// written from the passages and citing them.
	assistant := bot.New(a.KB, a.Tickets)
	assistant.Log = log
	if cfg.LLMURL != "" {
		assistant.Generator = &bot.OpenAI{URL: cfg.LLMURL, Model: cfg.LLMModel, APIKey: cfg.LLMAPIKey,
			HTTP: &http.Client{Timeout: 30 * time.Second}}
	}
	chatAPI := chatapi.New(a.Chat, log, cfg.MaxBodyBytes, cfg.ChatIPLimit)
	chatAPI.Bot = assistant // the widget asks it before a first message becomes a chat
	a.Web = web.New(web.Deps{Flow: &flowapi.API{Flow: a.Flow, MaxBody: cfg.MaxBodyBytes, Collab: a.Collab},
		Chat: chatAPI,
		DB:   d, Dir: a.Dir, Tickets: a.Tickets, Blobs: blobs, Metrics: a.Metrics, Log: log, KB: a.KB, Bot: assistant, Email: a.Email,
		RateLimit: cfg.RateLimit, MaxBodyBytes: cfg.MaxBodyBytes, MaxUploadBytes: cfg.MaxUploadBytes, Measure: measure,
		Community: &communityapi.API{Forum: a.Forum, MaxBody: cfg.MaxBodyBytes},
		Pages: ui.New(ui.Deps{Dir: a.Dir, Tickets: a.Tickets, Bus: a.Bus, Blobs: blobs, Log: log, MaxUploadBytes: cfg.MaxUploadBytes,
			Settings: a.Settings, Mail: a.Mail, PublicURL: cfg.PublicURL(), Views: views.NewService(d, time.Now),
			ChatWorkspace: a.Chat.WorkspaceKey,
			KB:            a.KB, Bot: assistant,
			Forum: a.Forum,
			Flow:  a.Flow, Collab: a.Collab, Email: a.Email, KPI: a.KPI, Surveys: a.Surveys, Journey: a.Journey})})
	return a, nil
}

// smtpListenerTLS loads the inbound listener's certificate, if configured:
// with it the listener offers STARTTLS, which sending servers use when they can.
func smtpListenerTLS(cfg config.Config) (*tls.Config, error) {
	if cfg.SMTPTLSCert == "" {
		return nil, nil
	}
	cert, err := tls.LoadX509KeyPair(cfg.SMTPTLSCert, cfg.SMTPTLSKey)
	if err != nil {
		return nil, fmt.Errorf("--smtp-tls-cert/--smtp-tls-key: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

// hostOf names this system in SMTP greetings and Message-IDs.
func hostOf(cfg config.Config) string {
	if u, err := url.Parse(cfg.PublicURL()); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "layan.localhost"
}

func dataDirOr(d string) string {
	if d == "" {
		return "layan-data"
	}
	return d
}

// openChat builds the chat service on the in-process hub, or on NATS when
// cfg.NATSURL is set.
func openChat(cfg config.Config, a *App, log *slog.Logger) (*chat.Service, error) {
	var broker chat.Broker
	if cfg.NATSURL != "" {
		b, err := chat.DialNATS(cfg.NATSURL, log)
		if err != nil {
			return nil, fmt.Errorf("nats %s: %w", cfg.NATSURL, err)
		}
		broker = b
	}
	hub, err := chat.NewHub(broker)
	if err != nil {
		return nil, err
	}
	return chat.New(chat.Deps{DB: a.DB, Dir: a.Dir, Tickets: a.Tickets, Mail: a.Mail, Blobs: a.Blobs, Hub: hub,
		Now: time.Now, Log: log}), nil
}

// Close releases the database and the chat hub.
func (a *App) Close() error {
	if a.Chat != nil {
		a.Chat.Hub().Close()
	}
	var err error
	if a.KB != nil { // the search analytics still queued
		err = a.KB.Close(context.Background())
	}
	return errors.Join(err, a.DB.Close())
}

// SeedDemo creates the demo workspace when the database is empty and returns
// the admin's login (empty when nothing was seeded).
func (a *App) SeedDemo(ctx context.Context) (email, password string, err error) {
	n, err := a.Dir.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", "", err
	}
	email, password, err = demo.Seed(ctx, a.Dir, a.Tickets)
	if err == nil {
		err = a.Forum.SeedDemo(ctx) // topics and a solved question in the community
	}
	return email, password, err
}

// Serve listens on cfg.Addr until ctx ends, then shuts down gracefully:
// in-flight requests finish (each change is one transaction, so nothing is
// left half-written either way). ready, when not nil, receives the address.
func (a *App) Serve(ctx context.Context, ready func(addr string)) error {
	ln, err := net.Listen("tcp", a.Config.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", a.Config.Addr, err)
	}
	srv := &http.Server{
		Handler:           a.Web,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn),
	}
	var smtpLn *email.Listener
	if a.Config.SMTPAddr != "" {
		if smtpLn, err = a.Email.Listen(a.Config.SMTPAddr); err != nil {
			ln.Close()
			return err
		}
		a.Log.Info("inbound SMTP listener", "addr", smtpLn.Addr())
	}
	if ready != nil {
		ready(ln.Addr().String())
	}
	// The email channel: IMAP pollers, outbound senders, notifications.
	bg, stopBG := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); a.Email.Run(bg) }()
	// Flow of work: the event reader and ticker, and webhook deliveries.
	wg.Add(2)
	go func() { defer wg.Done(); a.Flow.Run(bg, a.Bus, 2*time.Second, time.Minute) }()
	go func() {
		defer wg.Done()
		a.Jobs.Work(bg, automation.WebhookQueue, a.Flow.HandleWebhookJob, jobs.WorkerOptions{})
	}()
	// Live chat: queued chats whose visitor left are ended as abandoned.
	wg.Add(1)
	go func() { defer wg.Done(); a.Chat.Run(bg) }()
	// The forum's follow notifications.
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Jobs.Work(bg, forum.NotifyQueue, a.Forum.HandleNotifyJob, jobs.WorkerOptions{})
	}()
	// Collaboration: mentions and followed tickets notify.
	wg.Add(1)
	go func() { defer wg.Done(); a.Collab.Run(bg, 2*time.Second) }()
	// KPI rollups: built on first start, then the dirty tickets re-rolled.
	wg.Add(1)
	go func() { defer wg.Done(); a.KPI.RunRollups(bg, 5*time.Second) }()
	// Surveys: CSAT (and CES) offered when a ticket is solved.
	stopSurveys := a.Surveys.Watch(a.Bus)
	defer stopSurveys()
	// Survey mails, NPS rounds and the managers' weekly digest (measure.go).
	wg.Add(2)
	go func() { defer wg.Done(); a.runSurveyMails(bg) }()
	go func() { defer wg.Done(); a.runDigest(bg) }()
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	if smtpLn != nil {
		go func() {
			if err := smtpLn.Serve(); err != nil {
				errc <- fmt.Errorf("smtp listener: %w", err)
			}
		}()
	}
	select {
	case err := <-errc:
		stopBG()
		wg.Wait()
		return err
	case <-ctx.Done():
	}
	a.Log.Info("shutting down", "timeout", a.Config.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if smtpLn != nil {
		if err := smtpLn.Shutdown(sctx); err != nil {
			a.Log.Warn("smtp listener shutdown", "err", err)
		}
	}
	err = srv.Shutdown(sctx)
	stopBG()
	wg.Wait()
	if err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Discard is a logger for quiet callers (benchmarks).
func Discard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
