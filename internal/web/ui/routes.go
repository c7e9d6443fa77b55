package ui

import "net/http"

// Register adds the pages to mux. wrap (from package web) resolves the
// session into an actor and checks the CSRF token of unsafe methods; p.outer
// adds the page headers around it.
func (p *Pages) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	page := func(pattern string, h http.HandlerFunc) { mux.Handle(pattern, p.outer(wrap(h))) }
	member := func(pattern string, h http.HandlerFunc) { page(pattern, p.signedIn(h)) }
	staff := func(pattern string, h http.HandlerFunc) { page(pattern, p.staffOnly(h)) }

	// Public: assets (fingerprinted, immutable), sign-in, language.
	mux.Handle("GET /static/{version}/{path...}", p.assets)
	page("GET /", p.home) // "/" redirects by role; any other unknown path is a 404 page
	page("GET /login", p.loginForm)
	page("POST /login", p.login)
	page("POST /logout", p.logout)
	page("POST /lang", p.setLanguage)

	// Customers: the portal (a placeholder until the portal pages land).
	member("GET /portal", p.portalHome)

	// Staff: the agent workspace. Customers get 403, anonymous users the sign-in page.
	staff("GET /agent", p.agentHome)
	staff("GET /agent/views/{view}", p.inbox)
	staff("POST /agent/bulk", p.bulk)
	staff("GET /agent/live", p.inboxLive)
	staff("GET /agent/search", p.search)
	staff("GET /agent/customers/{id}", p.customer)
	staff("GET /agent/shortcuts", p.shortcuts)
	staff("GET /agent/tickets/{id}", p.ticketPage)
	staff("POST /agent/tickets/{id}", p.updateTicket)
	staff("GET /agent/tickets/{id}/live", p.ticketLive)
	staff("POST /agent/tickets/{id}/presence", p.presenceBeat)
}
