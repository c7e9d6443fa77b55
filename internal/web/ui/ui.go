package ui

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"layan/internal/automation"
	"layan/internal/blob"
	"layan/internal/bot"
	"layan/internal/channel/email"
	"layan/internal/collab"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/forum"
	"layan/internal/journey"
	"layan/internal/kb"
	"layan/internal/kpi"
	"layan/internal/mail"
	"layan/internal/ratelimit"
	"layan/internal/settings"
	"layan/internal/survey"
	"layan/internal/ticket"
	"layan/internal/views"
)

// Deps are the services the pages call.
type Deps struct {
	Dir     *directory.Service
	Tickets *ticket.Service
	Bus     *events.Bus
	Blobs   blob.Store
	Now     func() time.Time
	Log     *slog.Logger
	// MaxUploadBytes bounds one attachment of a reply (default 20 MiB).
	MaxUploadBytes int64
	// Settings are the workspace's branding and languages (nil: defaults).
	Settings *settings.Service
	// Mail sends the portal's verification and password-reset links
	// (nil: they are written to the log).
	Mail mail.Sender
	// PublicURL is the address in links sent by mail ("https://help.example.com");
	// "" uses the request's Host, which a client controls: set it in production.
	PublicURL string
	// Views are the agents' saved inbox views (nil: none offered).
	Views *views.Service
	// ChatWorkspace gives the chat widget's public workspace key, for the
	// demo page (nil: live chat is not set up).
	ChatWorkspace func(context.Context) (string, error)
	// KB is the knowledge base (help centre pages, editor, side panel,
	// request-form suggestions); Bot the portal's assistant. nil: no
	// knowledge-base pages.
	KB  *kb.Service
	Bot *bot.Bot
	// Forum is the community (nil: its pages answer 404).
	Forum *forum.Service
	// Flow is the flow of work: triggers, automations, macros, SLA policies,
	// business hours, routing and webhooks (nil: those pages are 404).
	Flow *automation.Service
	// Collab is collaboration on tickets: followers, CCs, notifications and
	// side conversations (nil: the ticket page shows none of it).
	Collab *collab.Service
	// Email is the email channel: support addresses (admin pages) and the
	// messages that failed or wait for approval (nil: those pages are 404).
	Email *email.Service
	// KPI is the measurement engine (dashboard, reports, goals); Surveys the
	// survey links and the agents' suggestion board. nil: those pages are 404.
	KPI     *kpi.Service
	Surveys *survey.Service
	// Journey is the customer journey: its page, the customer page's events
	// and the reach-out form (nil: those are 404 and the section is hidden).
	Journey *journey.Service
}

// Pages are the browser pages; they implement web.Pages.
type Pages struct {
	d        Deps
	tmpl     *templates
	assets   *assets
	throttle *throttle
	counts   *countCache
	presence *presence
	// agentList and zones save a query or four on every page; a new agent
	// or time zone shows within their TTL.
	agentList *ttlCache[string, []directory.User]
	zones     *ttlCache[int64, *time.Location]
	// accountLimits throttle sign-up and password-reset mails (portal_account.go).
	accountLimits *accountLimits
	// surveyLimit bounds survey answers per address (survey_page.go).
	surveyLimit *ratelimit.Limiter

	shutdownMu sync.Mutex
	shutdown   map[*http.Server]chan struct{} // see stopping
}

// New parses the templates and prepares the assets. It panics on a broken
// template: they are embedded, so that is a build defect every test reports.
func New(d Deps) *Pages {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.MaxUploadBytes <= 0 {
		d.MaxUploadBytes = 20 << 20
	}
	p := &Pages{d: d, assets: loadAssets(), throttle: newThrottle(10, time.Minute, d.Now),
		presence: newPresence(d.Now)}
	p.counts = newCountCache(d.Tickets, d.Bus, d.Now, d.Log)
	p.agentList = newTTLCache[string, []directory.User](10*time.Second, 16, d.Now)
	p.zones = newTTLCache[int64, *time.Location](time.Minute, 10000, d.Now)
	p.accountLimits = newAccountLimits(d.Now)
	p.surveyLimit = ratelimit.New(60, time.Hour, d.Now)
	p.tmpl = mustParseTemplates(p.assets)
	return p
}
