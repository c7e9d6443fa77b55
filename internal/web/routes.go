package web

import (
	"net/http"
	"strings"
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

	// Zendesk API v2. Auth: API token or session; rate-limited per user.
	v2 := func(pattern string, h http.HandlerFunc) {
		s.handleAPI(mux, pattern, h)
	}
	// Staff: tickets.
	v2("GET /api/v2/tickets", api.ListTickets)
	v2("POST /api/v2/tickets", api.CreateTicket)
	v2("GET /api/v2/tickets/show_many", api.ShowMany)
	v2("POST /api/v2/tickets/create_many", api.CreateMany)
	v2("GET /api/v2/tickets/{id}", api.ShowTicket)
	v2("PUT /api/v2/tickets/{id}", api.UpdateTicket)
	v2("DELETE /api/v2/tickets/{id}", api.DeleteTicket)
	v2("POST /api/v2/tickets/{id}/merge", api.MergeTickets)
	v2("GET /api/v2/tickets/{id}/comments", api.ListComments)
	// Staff: search.
	v2("GET /api/v2/search", api.Search)
	v2("GET /api/v2/search/count", api.SearchCount)
	// Users: staff list/create/search; anyone reads and edits themselves.
	v2("GET /api/v2/users", api.ListUsers)
	v2("POST /api/v2/users", api.CreateUser)
	v2("GET /api/v2/users/me", api.Me)
	v2("GET /api/v2/users/search", api.SearchUsers)
	v2("GET /api/v2/users/{id}", api.ShowUser)
	v2("PUT /api/v2/users/{id}", api.UpdateUser)
	v2("GET /api/v2/users/{id}/tickets/requested", api.UserTickets("requester"))
	v2("GET /api/v2/users/{id}/tickets/assigned", api.UserTickets("assignee"))
	// Organisations: staff; a customer reads their own.
	v2("GET /api/v2/organizations", api.ListOrganizations)
	v2("POST /api/v2/organizations", api.CreateOrganization)
	v2("GET /api/v2/organizations/{id}", api.ShowOrganization)
	v2("PUT /api/v2/organizations/{id}", api.UpdateOrganization)
	v2("DELETE /api/v2/organizations/{id}", api.DeleteOrganization)
	v2("GET /api/v2/organizations/{id}/tickets", api.OrganizationTickets)
	v2("GET /api/v2/organizations/{id}/requests", api.OrganizationRequests)
	// Groups: staff read; admins change.
	v2("GET /api/v2/groups", api.ListGroups)
	v2("POST /api/v2/groups", api.CreateGroup)
	v2("GET /api/v2/groups/{id}", api.ShowGroup)
	v2("PUT /api/v2/groups/{id}", api.UpdateGroup)
	v2("DELETE /api/v2/groups/{id}", api.DeleteGroup)
	v2("POST /api/v2/group_memberships", api.CreateMembership)
	// Custom ticket fields: everyone reads what they may see; admins change.
	v2("GET /api/v2/ticket_fields", api.ListFields)
	v2("POST /api/v2/ticket_fields", api.SaveField)
	v2("GET /api/v2/ticket_fields/{id}", api.ShowField)
	v2("PUT /api/v2/ticket_fields/{id}", api.SaveField)
	v2("DELETE /api/v2/ticket_fields/{id}", api.DeleteField)
	// Requests: end users' own tickets (staff may use them too).
	v2("GET /api/v2/requests", api.ListRequests)
	v2("POST /api/v2/requests", api.CreateRequest)
	v2("GET /api/v2/requests/{id}", api.ShowRequest)
	v2("PUT /api/v2/requests/{id}", api.UpdateRequest)
	v2("GET /api/v2/requests/{id}/comments", api.RequestComments)
	// Uploads: any signed-in user; attachments: whoever may read the comment.
	v2("POST /api/v2/uploads", api.Upload)
	mux.Handle("GET /attachments/token/{token}/", s.authenticate(http.HandlerFunc(api.DownloadAttachment)))

	// Layan's own API.
	// Sign-in: anyone (throttled). No CSRF check: the caller has no session
	// yet, or is replacing it.
	mux.Handle("POST /api/layan/v1/session", s.authenticate(http.HandlerFunc(s.own.login)))
	v2("DELETE /api/layan/v1/session", s.own.logout)   // signed in
	v2("GET /api/layan/v1/tokens", s.own.listTokens)   // staff: own; admins: ?user_id=
	v2("POST /api/layan/v1/tokens", s.own.createToken) // staff: own; admins: any
	v2("DELETE /api/layan/v1/tokens/{id}", s.own.revokeToken)
	v2("GET /api/layan/v1/tickets/{id}/events", api.TicketEvents) // staff
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
