package ui

import "net/http"

// Register adds the pages to mux. wrap (from package web) resolves the
// session into an actor and checks the CSRF token of unsafe methods; p.outer
// adds the page headers around it.
func (p *Pages) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, p.outer(wrap(h))) }
	member := func(pattern string, h http.HandlerFunc) { page(pattern, p.signedIn(h)) }
	staff := func(pattern string, h http.HandlerFunc) { page(pattern, p.staffOnly(h)) }
	admin := func(pattern string, h http.HandlerFunc) { page(pattern, p.adminOnly(h)) }

	// Public: assets (fingerprinted, immutable), sign-in, language.
	mux.Handle("GET /static/{version}/{path...}", p.assets)
	page("GET /", p.home) // "/" redirects by role; any other unknown path is a 404 page
	page("GET /login", p.loginForm)
	page("POST /login", p.login)
	page("POST /logout", p.logout)
	page("POST /lang", p.setLanguage)

	// Customers: the portal. Anyone: sign-up, email verification and password
	// reset (their forms carry a double-submit token, as sign-in does).
	// Signed in: everything else; the ticket service decides which requests
	// each person may read (others' are 404).
	page("GET /portal/signup", p.signUpForm)
	page("POST /portal/signup", p.signUp)
	page("GET /portal/verify", p.verifyForm)
	page("POST /portal/verify", p.verify)
	page("GET /portal/password/forgot", p.forgotForm)
	page("POST /portal/password/forgot", p.forgot)
	page("GET /portal/password/reset", p.resetForm)
	page("POST /portal/password/reset", p.reset)
	member("GET /portal", p.portalHome)
	member("GET /portal/search", p.portalSearch)
	member("GET /portal/requests", p.portalRequests)
	member("GET /portal/requests/new", p.newRequestForm)
	member("POST /portal/requests", p.createRequest)
	member("GET /portal/requests/{id}", p.portalRequest)
	member("POST /portal/requests/{id}", p.updateRequest)

	// Staff: the agent workspace. Customers get 403, anonymous users the sign-in page.
	staff("GET /agent", p.agentHome)
	staff("GET /agent/views/{view}", p.inbox)
	staff("POST /agent/saved-views", p.saveView)
	staff("POST /agent/saved-views/{id}/delete", p.deleteView)
	staff("POST /agent/bulk", p.bulk)
	staff("GET /agent/live", p.inboxLive)
	staff("GET /agent/search", p.search)
	staff("GET /agent/customers/{id}", p.customer)
	staff("GET /agent/shortcuts", p.shortcuts)
	staff("GET /agent/tickets/{id}", p.ticketPage)
	staff("POST /agent/tickets/{id}", p.updateTicket)
	staff("GET /agent/tickets/{id}/live", p.ticketLive)
	staff("POST /agent/tickets/{id}/presence", p.presenceBeat)
	staff("POST /agent/tickets/{id}/time", p.logTime) // staff who may read the ticket log their own time
	staff("POST /agent/tickets/{id}/community-answer", p.ticketCommunityAnswer)
	// Email (admin_email.go, email_messages.go): support addresses for
	// admins; failed and held messages for agents (the service decides who
	// may retry, approve or reject).
	admin("GET /admin/email", p.adminEmail)
	admin("POST /admin/email", p.createEmailAddress)
	admin("GET /admin/email/{id}", p.adminEmailAddress)
	admin("POST /admin/email/{id}", p.saveEmailAddress)
	admin("POST /admin/email/{id}/delete", p.deleteEmailAddress)
	staff("GET /agent/email/messages", p.emailMessages)
	staff("POST /agent/email/messages/{id}/{action}", p.emailMessageAction)
	staff("GET /agent/email/messages/{id}/raw", p.emailMessageRaw)
	// Live chat: the widget script, its demo page, the agents' chat desk (chat_routes.go).
	p.registerChat(mux, page, staff)

	// Admins: workspace administration. Agents and customers get 403,
	// anonymous users the sign-in page. The branding files are public: every
	// page's header shows them.
	mux.HandleFunc("GET /branding/theme.css", p.theme)
	mux.HandleFunc("GET /branding/logo", p.logo)
	admin("GET /admin", p.adminHome)
	admin("GET /admin/agents", p.adminAgents)
	admin("POST /admin/agents", p.createAgent)
	admin("GET /admin/agents/{id}", p.adminAgent)
	admin("POST /admin/agents/{id}", p.saveAgent)
	admin("GET /admin/groups", p.adminGroups)
	admin("POST /admin/groups", p.createGroup)
	admin("GET /admin/groups/{id}", p.adminGroup)
	admin("POST /admin/groups/{id}", p.saveGroup)
	admin("POST /admin/groups/{id}/members", p.addGroupMember)
	admin("POST /admin/groups/{id}/members/{user}/remove", p.removeGroupMember)
	admin("POST /admin/groups/{id}/delete", p.deleteGroup)
	admin("GET /admin/organizations", p.adminOrgs)
	admin("POST /admin/organizations", p.createOrg)
	admin("GET /admin/organizations/{id}", p.adminOrg)
	admin("POST /admin/organizations/{id}", p.saveOrg)
	admin("POST /admin/organizations/{id}/delete", p.deleteOrg)
	admin("GET /admin/customers", p.adminCustomers)
	admin("GET /admin/customers/{id}", p.adminCustomer)
	admin("POST /admin/customers/{id}", p.saveCustomer)
	admin("GET /admin/fields", p.adminFields)
	admin("GET /admin/fields/new", p.newFieldForm)
	admin("POST /admin/fields", p.saveField)
	admin("GET /admin/fields/{id}", p.adminField)
	admin("POST /admin/fields/{id}", p.saveField)
	admin("POST /admin/fields/{id}/move", p.moveField)
	admin("POST /admin/fields/{id}/delete", p.deleteField)
	admin("GET /admin/branding", p.brandingForm)
	admin("POST /admin/branding", p.saveBranding)
	admin("GET /admin/languages", p.languagesForm)
	admin("POST /admin/languages", p.saveLanguages)
	admin("GET /admin/tokens", p.adminTokens)
	admin("POST /admin/tokens", p.createToken)
	admin("POST /admin/tokens/{id}/revoke", p.revokeToken)

	// The community forum (forum*.go): anyone reads published posts; members
	// ask, answer, vote, follow and report; the forum service decides who
	// sees what and lets only admins and agents moderate.
	page("GET /community", p.forumHome)
	page("GET /community/search", p.forumSearch)
	page("GET /community/posts/{id}", p.forumPost)
	page("GET /community/users/{id}", p.forumMember)
	page("POST /community/posts/{id}/helped", p.forumHelped)
	member("GET /community/posts/new", p.forumNewForm)
	member("POST /community/posts", p.forumCreate)
	member("POST /community/posts/{id}/answers", p.forumAnswer)
	member("POST /community/posts/{id}/accept", p.forumAccept)
	member("POST /community/posts/{id}/vote", p.forumVote)
	member("POST /community/posts/{id}/follow", p.forumFollow)
	member("POST /community/topics/{id}/follow", p.forumFollowTopic)
	member("POST /community/posts/{id}/report", p.forumReport)
	member("POST /community/posts/{id}/edit", p.forumEdit)
	staff("POST /community/posts/{id}/moderate", p.forumModerate)
	staff("POST /community/users/{id}", p.forumMemberBadge)
	staff("GET /agent/community", p.forumDesk)
	staff("POST /agent/community/reports/{id}/dismiss", p.forumDismissReport)
	staff("POST /agent/community/topics", p.forumCreateTopic)
	// Knowledge base (kb_*.go). The help centre at Zendesk's /hc/{locale}/
	// addresses: anyone reads what the kb service lets them (public articles
	// for anonymous visitors; internal ones for staff only). "This solved it"
	// needs a signed-in customer; votes and the assistant take anyone (a
	// visitor's form carries a double-submit token; the assistant's hand-over
	// asks them for a name and address).
	page("GET /hc", p.hcRoot)
	page("GET /hc/{locale}", p.hcHome)
	page("GET /hc/{locale}/categories/{id}", p.hcCategory)
	page("GET /hc/{locale}/sections/{id}", p.hcSection)
	page("GET /hc/{locale}/articles/{id}", p.hcArticle)
	page("GET /hc/{locale}/faq", p.hcFAQ)
	page("GET /hc/{locale}/search", p.hcSearch)
	page("GET /hc/{locale}/suggest", p.hcSuggest)
	page("GET /kb/images/{key}", p.hcImage)
	page("POST /hc/{locale}/articles/{id}/vote", p.hcVote)
	member("POST /hc/{locale}/deflections", p.hcDeflect)
	page("GET /hc/{locale}/assistant", p.hcBot)
	page("POST /hc/{locale}/assistant", p.hcBotPost)
	// The agents' knowledge base: list, search, editor, the ticket panel.
	staff("GET /agent/kb", p.kbAgentHome)
	staff("POST /agent/kb/categories", p.kbCreateCategory)
	staff("POST /agent/kb/sections", p.kbCreateSection)
	staff("GET /agent/kb/new", p.kbNewArticle)
	staff("POST /agent/kb/articles", p.kbCreateArticle)
	staff("GET /agent/kb/articles/{id}", p.kbArticle)
	staff("POST /agent/kb/articles/{id}", p.kbSaveArticle)
	staff("POST /agent/kb/articles/{id}/images", p.kbUploadImage)
	staff("GET /agent/kb/panel", p.kbPanel)
	staff("GET /agent/kb/articles/{id}/diff", p.kbDiff)
	staff("GET /agent/kb/analytics", p.kbAnalytics)
	staff("GET /agent/kb/faq", p.kbFAQList)
	staff("POST /agent/kb/faq", p.kbFAQCreate)
	staff("POST /agent/kb/faq/{id}", p.kbFAQUpdate)
	staff("POST /agent/kb/faq/{id}/delete", p.kbFAQDelete)
	p.registerFlow(page, admin, staff)
	// Measurement (measure*.go): dashboard, reports, goals, the suggestion
	// board, and the customers' survey links.
	p.registerMeasure(page, staff)
}
