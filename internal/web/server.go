// Package web is the HTTP face of Layan: the one route table, the middleware,
// and the wiring of the API and page handlers to the domain services.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"layan/internal/blob"
	"layan/internal/bot"
	"layan/internal/channel/email"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/kb"
	"layan/internal/observe"
	"layan/internal/ratelimit"
	"layan/internal/ticket"
	"layan/internal/web/chatapi"
	"layan/internal/web/communityapi"
	"layan/internal/web/flowapi"
	"layan/internal/web/helpcenter"
	"layan/internal/web/measureapi"
	"layan/internal/web/zendesk"
)

// Deps are what the web layer needs.
type Deps struct {
	DB             *db.DB
	Dir            *directory.Service
	Tickets        *ticket.Service
	Blobs          blob.Store
	Metrics        *observe.Metrics
	Log            *slog.Logger
	RateLimit      int // per minute per user; 0 = off
	MaxBodyBytes   int64
	MaxUploadBytes int64
	Now            func() time.Time
	// KB, when set, serves the Help Center API and the knowledge-base endpoints.
	KB *kb.Service
	// Bot answers the Help Center's assistant (default: bot.New over KB).
	Bot *bot.Bot
	// Email is the running email channel (its API shares the pollers' state).
	Email *email.Service
	// Flow, when set, serves triggers, automations, macros, SLA policies,
	// schedules, webhooks and routing.
	Flow *flowapi.API
	// Pages, when set, registers the browser pages (web/ui) on the same mux.
	Pages Pages
	// Measure, when set, serves KPIs, reports, satisfaction ratings and survey links.
	Measure *measureapi.API
	// Chat, when set, serves live chat: the widget's and agents' sockets,
	// long-poll and the chat JSON endpoints.
	Chat *chatapi.API
	// Community, when set, serves the forum's API (Zendesk community shapes).
	Community *communityapi.API
}

// Pages are the server-rendered browser pages. wrap adds session
// authentication and the CSRF check of unsafe methods; rate limits stay the
// pages' own (sign-in throttling).
type Pages interface {
	Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler)
}

// Server holds the handlers' shared state.
type Server struct {
	db      *db.DB
	dir     *directory.Service
	metrics *observe.Metrics
	limiter *ratelimit.Limiter
	log     *slog.Logger
	api     *zendesk.API
	hc      *helpcenter.API
	email   *email.Service
	own     *ownAPI
	measure *measureapi.API
	flow    *flowapi.API
	chat    *chatapi.API
	handler http.Handler

	community *communityapi.API
}

// New builds the server and its route table.
func New(d Deps) *Server {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Metrics == nil {
		d.Metrics = observe.NewMetrics()
	}
	s := &Server{db: d.DB, dir: d.Dir, metrics: d.Metrics, log: d.Log, email: d.Email, measure: d.Measure,
		limiter: ratelimit.New(d.RateLimit, time.Minute, d.Now),
		api: &zendesk.API{Dir: d.Dir, Tickets: d.Tickets, Blobs: d.Blobs, MaxBody: d.MaxBodyBytes,
			MaxUpload: d.MaxUploadBytes, Now: d.Now},
		own: &ownAPI{dir: d.Dir, maxBody: d.MaxBodyBytes, loginLimiter: ratelimit.New(10, time.Minute, d.Now)}}
	if d.KB != nil {
		b := d.Bot
		if b == nil {
			b = bot.New(d.KB, d.Tickets)
		}
		s.hc = &helpcenter.API{KB: d.KB, Bot: b, MaxBody: d.MaxBodyBytes}
	}
	s.flow = d.Flow
	s.chat = d.Chat
	s.community = d.Community
	mux := http.NewServeMux()
	s.routes(mux)
	if d.Pages != nil {
		d.Pages.Register(mux, func(h http.Handler) http.Handler { return s.authenticate(requireCSRF(h)) })
	}
	s.handler = s.recoverPanics(s.observe(securityHeaders(mux)))
	return s
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) healthz(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if err := s.db.Ping(ctx); err != nil {
		w.WriteHeader(http.StatusServiceUnavailable)
		_, _ = w.Write([]byte("database unreachable\n"))
		return
	}
	_, _ = w.Write([]byte("ready\n"))
}

func (s *Server) metricsHandler() http.Handler {
	return promhttp.HandlerFor(s.metrics.Registry, promhttp.HandlerOpts{})
}
