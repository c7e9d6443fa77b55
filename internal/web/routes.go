package web

import (
	"net/http"
	"strings"

	"layan/internal/web/emailapi"
	"layan/internal/web/helpcenter"
	"layan/internal/web/zendesk"
)

// routes is the one route table. The comment on each group says who may call
// it; the services enforce it (staff-only endpoints answer customers 403,
// records an actor may not see answer 404).
func (s *Server) routes(mux *http.ServeMux) {
	api := s.api
	// Public: health and metrics.
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsHandler())

	// Zendesk API v2: API token or session; rate-limited per user. Staff(...)
	// answers customers 403; SignedIn(...) serves anyone signed in, and the
	// services decide what they may see (records they may not see are 404).
	v2 := func(pattern string, h http.HandlerFunc) { s.handleAPI(mux, pattern, h) }
	staff, anyone := zendesk.Staff, zendesk.SignedIn
	// Tickets.
	v2("GET /api/v2/tickets", staff(api.ListTickets))
	v2("POST /api/v2/tickets", staff(api.CreateTicket))
	v2("GET /api/v2/tickets/show_many", staff(api.ShowMany))
	v2("POST /api/v2/tickets/create_many", staff(api.CreateMany))
	v2("GET /api/v2/tickets/{id}", staff(api.ShowTicket))
	v2("PUT /api/v2/tickets/{id}", staff(api.UpdateTicket))
	v2("DELETE /api/v2/tickets/{id}", staff(api.DeleteTicket))
	v2("POST /api/v2/tickets/{id}/merge", staff(api.MergeTickets))
	v2("GET /api/v2/tickets/{id}/comments", staff(api.ListComments))
	// Search.
	v2("GET /api/v2/search", staff(api.Search))
	v2("GET /api/v2/search/count", staff(api.SearchCount))
	// Users: staff list, create and search; everyone reads and edits themselves.
	v2("GET /api/v2/users", staff(api.ListUsers))
	v2("POST /api/v2/users", staff(api.CreateUser))
	v2("GET /api/v2/users/me", anyone(api.Me))
	v2("GET /api/v2/users/search", staff(api.SearchUsers))
	v2("GET /api/v2/users/{id}", anyone(api.ShowUser))
	v2("PUT /api/v2/users/{id}", anyone(api.UpdateUser))
	v2("GET /api/v2/users/{id}/tickets/requested", staff(api.UserTickets(false)))
	v2("GET /api/v2/users/{id}/tickets/assigned", staff(api.UserTickets(true)))
	// Organisations: staff; a customer reads their own and its shared requests.
	v2("GET /api/v2/organizations", staff(api.ListOrganizations))
	v2("POST /api/v2/organizations", staff(api.CreateOrganization))
	v2("GET /api/v2/organizations/{id}", anyone(api.ShowOrganization))
	v2("PUT /api/v2/organizations/{id}", staff(api.UpdateOrganization))
	v2("DELETE /api/v2/organizations/{id}", staff(api.DeleteOrganization))
	v2("GET /api/v2/organizations/{id}/tickets", staff(api.OrganizationTickets))
	v2("GET /api/v2/organizations/{id}/requests", anyone(api.OrganizationRequests))
	// Groups: staff read; admins change.
	v2("GET /api/v2/groups", staff(api.ListGroups))
	v2("POST /api/v2/groups", staff(api.CreateGroup))
	v2("GET /api/v2/groups/{id}", staff(api.ShowGroup))
	v2("PUT /api/v2/groups/{id}", staff(api.UpdateGroup))
	v2("DELETE /api/v2/groups/{id}", staff(api.DeleteGroup))
	v2("POST /api/v2/group_memberships", staff(api.CreateMembership))
	// Custom ticket fields: everyone reads what they may see; admins change.
	v2("GET /api/v2/ticket_fields", anyone(api.ListFields))
	v2("POST /api/v2/ticket_fields", staff(api.SaveField))
	v2("GET /api/v2/ticket_fields/{id}", anyone(api.ShowField))
	v2("PUT /api/v2/ticket_fields/{id}", staff(api.SaveField))
	v2("DELETE /api/v2/ticket_fields/{id}", staff(api.DeleteField))
	// Requests: a customer's own tickets (staff may use them too).
	v2("GET /api/v2/requests", anyone(api.ListRequests))
	v2("POST /api/v2/requests", anyone(api.CreateRequest))
	v2("GET /api/v2/requests/{id}", anyone(api.ShowRequest))
	v2("PUT /api/v2/requests/{id}", anyone(api.UpdateRequest))
	v2("GET /api/v2/requests/{id}/comments", anyone(api.ListComments))
	// Uploads: anyone signed in; attachments: whoever may read the comment.
	v2("POST /api/v2/uploads", anyone(api.Upload))
	mux.Handle("GET /attachments/token/{token}/", s.authenticate(http.HandlerFunc(api.DownloadAttachment)))

	// Layan's own API.
	// Sign-in: anyone (throttled). No CSRF check: the caller has no session
	// yet, or is replacing it.
	mux.Handle("POST /api/layan/v1/session", s.authenticate(http.HandlerFunc(s.own.login)))
	v2("DELETE /api/layan/v1/session", s.own.logout)   // signed in
	v2("GET /api/layan/v1/tokens", s.own.listTokens)   // staff: own; admins: ?user_id=
	v2("POST /api/layan/v1/tokens", s.own.createToken) // staff: own; admins: any
	v2("DELETE /api/layan/v1/tokens/{id}", s.own.revokeToken)
	v2("GET /api/layan/v1/tickets/{id}/events", staff(api.TicketEvents)) // staff
	// Work time: staff who may read the ticket log their own and read all of it.
	v2("GET /api/layan/v1/tickets/{id}/time_entries", staff(api.ListTimeEntries))
	v2("POST /api/layan/v1/tickets/{id}/time_entries", staff(api.CreateTimeEntry))

	// The knowledge base: see helpCenterRoutes.
	if s.hc != nil {
		s.helpCenterRoutes(v2)
	}

	if s.email != nil {
		s.emailRoutes(v2, staff)
	}

	// Flow of work (see flowapi.Routes): Zendesk triggers, automations,
	// macros and SLA policies, and Layan's schedules, webhooks, routing.
	// Staff read; admins manage; agents apply macros.
	if s.flow != nil {
		s.flow.Routes(v2)
	}

	// Measure: KPIs and reports (staff; agents their own), satisfaction
	// ratings, signed survey links (the token is the permission).
	if s.measure != nil {
		s.measure.Routes(v2)
	}

	// Live chat (see chatapi.Routes): visitors with the workspace key and
	// their signed token; staff for the queue, accept, transfer, end.
	if s.chat != nil {
		s.chat.Routes(mux, v2, s.authenticate)
	}

	// The community forum (see communityapi.Routes): anyone reads what is
	// published; members post, answer, vote, follow, report; the asker or a
	// moderator accepts; staff read the queue, reports, log and metrics;
	// admins and agents moderate.
	if s.community != nil {
		s.community.Routes(v2)
	}
}

// handleAPI registers an API route (and its ".json" twin, which Zendesk
// clients call) behind authentication, CSRF and the rate limit.
func (s *Server) handleAPI(mux *http.ServeMux, pattern string, h http.HandlerFunc) {
	wrapped := s.authenticate(requireCSRF(s.rateLimit(h)))
	mux.Handle(pattern, wrapped)
	method, path, _ := strings.Cut(pattern, " ")
	if last := path[strings.LastIndex(path, "/")+1:]; !strings.HasPrefix(last, "{") {
		mux.Handle(method+" "+path+".json", wrapped)
	}
}

// helpCenterRoutes: the Help Center API in Zendesk's shapes, with and without
// a locale in the path. anyone(...) also serves anonymous visitors: the kb
// service shows each reader only what their level allows (anonymous: public;
// signed-in customers: also signed_in; staff: also internal and drafts).
// Writes are staff(...), and the service lets only admins and agents write.
func (s *Server) helpCenterRoutes(v2 func(string, http.HandlerFunc)) {
	hc, staff, anyone := s.hc, zendesk.Staff, helpcenter.Anyone
	prefixes := []string{"/api/v2/help_center"}
	for _, l := range []string{"en", "en-us", "id", "fa"} {
		prefixes = append(prefixes, "/api/v2/help_center/"+l)
	}
	for _, p := range prefixes {
		// Categories and sections.
		v2("GET "+p+"/categories", anyone(hc.ListCategories))
		v2("POST "+p+"/categories", staff(hc.CreateCategory))
		v2("GET "+p+"/categories/{id}", anyone(hc.ShowCategory))
		v2("PUT "+p+"/categories/{id}", staff(hc.UpdateCategory))
		v2("GET "+p+"/categories/{id}/sections", anyone(hc.ListSections))
		v2("POST "+p+"/categories/{id}/sections", staff(hc.CreateSection))
		v2("GET "+p+"/categories/{id}/articles", anyone(hc.ListArticles("category")))
		v2("GET "+p+"/sections", anyone(hc.ListSections))
		v2("GET "+p+"/sections/{id}", anyone(hc.ShowSection))
		v2("PUT "+p+"/sections/{id}", staff(hc.UpdateSection))
		v2("GET "+p+"/sections/{id}/articles", anyone(hc.ListArticles("section")))
		v2("POST "+p+"/sections/{id}/articles", staff(hc.CreateArticle))
		// Articles.
		v2("GET "+p+"/articles", anyone(hc.ListArticles("")))
		v2("GET "+p+"/articles/search", anyone(hc.Search))
		v2("GET "+p+"/articles/{id}", anyone(hc.ShowArticle))
		v2("PUT "+p+"/articles/{id}", staff(hc.UpdateArticle))
	}
	v2("DELETE /api/v2/help_center/categories/{id}", staff(hc.DeleteCategory))
	v2("DELETE /api/v2/help_center/sections/{id}", staff(hc.DeleteSection))
	v2("DELETE /api/v2/help_center/articles/{id}", staff(hc.DeleteArticle))
	// Translations: readers see published ones; staff write.
	v2("GET /api/v2/help_center/articles/{id}/translations", anyone(hc.ListTranslations))
	v2("POST /api/v2/help_center/articles/{id}/translations", staff(hc.SaveTranslation))
	v2("GET /api/v2/help_center/articles/{id}/translations/missing", staff(hc.MissingTranslations))
	v2("GET /api/v2/help_center/articles/{id}/translations/{locale}", anyone(hc.ShowTranslation))
	v2("PUT /api/v2/help_center/articles/{id}/translations/{locale}", staff(hc.SaveTranslation))
	v2("DELETE /api/v2/help_center/articles/{id}/translations/{locale}", staff(hc.DeleteTranslation))
	// Votes: anyone who may read the article (anonymous visitors by cookie); staff list them.
	v2("POST /api/v2/help_center/articles/{id}/up", anyone(hc.Vote(1)))
	v2("POST /api/v2/help_center/articles/{id}/down", anyone(hc.Vote(-1)))
	v2("GET /api/v2/help_center/articles/{id}/votes", staff(hc.ListVotes))
	// Layan's own knowledge-base endpoints.
	v2("GET /api/layan/v1/kb/faq", anyone(hc.ListFAQ))
	v2("POST /api/layan/v1/kb/faq", staff(hc.SaveFAQ))
	v2("PUT /api/layan/v1/kb/faq/{id}", staff(hc.SaveFAQ))
	v2("DELETE /api/layan/v1/kb/faq/{id}", staff(hc.DeleteFAQ))
	v2("POST /api/layan/v1/kb/searches/{id}/clicks", anyone(hc.RecordClick))
	v2("POST /api/layan/v1/kb/deflections", anyone(hc.RecordDeflection))
	v2("GET /api/layan/v1/kb/analytics", staff(hc.Analytics)) // admins
	v2("GET /api/layan/v1/kb/articles/{id}/translations/{locale}/versions", staff(hc.Versions))
	v2("GET /api/layan/v1/kb/articles/{id}/translations/{locale}/versions/diff", staff(hc.Diff))
	v2("POST /api/layan/v1/kb/articles/{id}/translations/{locale}/versions/{version}/restore", staff(hc.Restore))
	// The chatbot: anyone; it retrieves only what the caller may read.
	v2("POST /api/layan/v1/bot/messages", anyone(hc.BotAsk))
	v2("POST /api/layan/v1/bot/resolved", anyone(hc.BotResolved))
	v2("POST /api/layan/v1/bot/handover", anyone(hc.BotHandover))
}

// emailRoutes: staff read addresses (without passwords) and the failed/held
// messages; admins change addresses; agents retry, approve and reject; staff
// who may see a message download it raw. The email service checks each.
func (s *Server) emailRoutes(v2 func(string, http.HandlerFunc), staff func(zendesk.Endpoint) http.HandlerFunc) {
	em := &emailapi.API{Email: s.email, MaxBody: s.api.MaxBody}
	v2("GET /api/layan/v1/email/addresses", staff(em.ListAddresses))         // staff
	v2("POST /api/layan/v1/email/addresses", staff(em.CreateAddress))        // admins
	v2("GET /api/layan/v1/email/addresses/{id}", staff(em.ShowAddress))      // staff
	v2("PUT /api/layan/v1/email/addresses/{id}", staff(em.UpdateAddress))    // admins
	v2("DELETE /api/layan/v1/email/addresses/{id}", staff(em.DeleteAddress)) // admins
	v2("GET /api/layan/v1/email/messages", staff(em.ListMessages))           // staff, filtered by what they may see
	v2("GET /api/layan/v1/email/messages/{id}", staff(em.ShowMessage))       // staff who may see it
	v2("POST /api/layan/v1/email/messages/{id}/retry", staff(em.RetryMessage))
	v2("POST /api/layan/v1/email/messages/{id}/approve", staff(em.ApproveMessage))
	v2("POST /api/layan/v1/email/messages/{id}/reject", staff(em.RejectMessage))
	v2("GET /api/layan/v1/email/messages/{id}/raw", em.RawMessage) // staff who may see it
}
