// Package chatapi is the HTTP face of live chat: the visitor's and the
// agent's WebSocket, the long-poll fallback, uploads and the agents' JSON
// endpoints. The protocol is docs/chat-protocol.md.
package chatapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"layan/internal/bot"
	"layan/internal/channel/chat"
	"layan/internal/ratelimit"
	"layan/internal/web/httpx"
)

// API serves chat.
type API struct {
	Chat    *chat.Service
	Log     *slog.Logger
	MaxBody int64
	// Bot, when set, answers a visitor's question from the knowledge base
	// before it becomes a chat (bot.go).
	Bot *bot.Bot

	visitorLimit *ratelimit.Limiter // messages per visitor
	ipLimit      *ratelimit.Limiter // messages per IP
	signalLimit  *ratelimit.Limiter // typing and read receipts per visitor
}

// New builds the API with the protocol's abuse limits; ipLimit is the
// messages one IP may send per 10 s (0: no IP limit).
func New(svc *chat.Service, log *slog.Logger, maxBody int64, ipLimit int) *API {
	if log == nil {
		log = slog.Default()
	}
	if maxBody <= 0 {
		maxBody = 64 << 10
	}
	return &API{Chat: svc, Log: log, MaxBody: maxBody,
		visitorLimit: ratelimit.New(20, 10*time.Second, nil),
		ipLimit:      ratelimit.New(ipLimit, 10*time.Second, nil),
		signalLimit:  ratelimit.New(60, 10*time.Second, nil)}
}

// Routes registers chat. Visitor endpoints are public (CORS, no cookie);
// agent endpoints go through v2 (authentication, CSRF, rate limit);
// authenticate wraps what needs an actor without the rest.
func (a *API) Routes(mux *http.ServeMux, v2 func(string, http.HandlerFunc), authenticate func(http.Handler) http.Handler) {
	// Visitors: anyone with the workspace key; the signed visitor token is the credential.
	mux.HandleFunc("GET /api/layan/v1/chat/visitor/ws", a.visitorWS)
	mux.HandleFunc("POST /api/layan/v1/chat/visitor/frames", cors(a.frames))
	mux.HandleFunc("GET /api/layan/v1/chat/visitor/poll", cors(a.poll))
	mux.HandleFunc("POST /api/layan/v1/chat/visitor/uploads", cors(a.upload))
	mux.HandleFunc("POST /api/layan/v1/chat/visitor/bot", cors(a.visitorBot))
	mux.HandleFunc("POST /api/layan/v1/chat/visitor/bot/resolved", cors(a.visitorBotResolved))
	mux.HandleFunc("OPTIONS /api/layan/v1/chat/visitor/{rest...}", cors(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
	}))
	// Files: their visitor (visitor_token) or staff.
	mux.Handle("GET /api/layan/v1/chat/files/{token}", authenticate(http.HandlerFunc(cors(a.file))))
	// Agents: staff; the service checks who may see and change each chat.
	mux.Handle("GET /api/layan/v1/chat/agent/ws", authenticate(http.HandlerFunc(a.agentWS)))
	v2("GET /api/layan/v1/chat/queue", a.staff(a.queue))
	v2("GET /api/layan/v1/chat/conversations", a.staff(a.listConversations))
	v2("GET /api/layan/v1/chat/conversations/{id}", a.staff(a.showConversation))
	v2("POST /api/layan/v1/chat/conversations/{id}/accept", a.staff(a.accept))
	v2("POST /api/layan/v1/chat/conversations/{id}/messages", a.staff(a.postMessage))
	v2("POST /api/layan/v1/chat/conversations/{id}/transfer", a.staff(a.transfer))
	v2("POST /api/layan/v1/chat/conversations/{id}/end", a.staff(a.end))
	v2("POST /api/layan/v1/chat/conversations/{id}/transcript", a.staff(a.transcript))
	v2("POST /api/layan/v1/chat/conversations/{id}/read", a.staff(a.read))
	v2("POST /api/layan/v1/chat/conversations/{id}/typing", a.staff(a.typing))
	v2("GET /api/layan/v1/chat/conversations/{id}/history", a.staff(a.history))
	v2("GET /api/layan/v1/chat/presence", a.staff(a.presence))
	v2("PUT /api/layan/v1/chat/presence", a.staff(a.setPresence))
	v2("GET /api/layan/v1/chat/canned", a.staff(a.listCanned))
	v2("POST /api/layan/v1/chat/canned", a.staff(a.createCanned))        // admins
	v2("DELETE /api/layan/v1/chat/canned/{id}", a.staff(a.deleteCanned)) // admins
	v2("GET /api/layan/v1/chat/settings", a.staff(a.settings))           // admins
	v2("PUT /api/layan/v1/chat/settings", a.staff(a.updateSettings))     // admins
}

// cors lets the widget on any site call the visitor endpoints, without
// credentials (no cookie is ever read there).
func cors(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Access-Control-Allow-Origin", "*")
		hd.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		hd.Set("Access-Control-Allow-Headers", "Content-Type")
		hd.Set("Access-Control-Max-Age", "600")
		h(w, r)
	}
}

// apiError is the chat's JSON error: the protocol code and a description.
type apiError struct {
	Error       string `json:"error"`
	Description string `json:"description"`
}

// fail answers err with its status; chat refusals carry their protocol code.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := httpx.Status(err)
	var ce *chat.CodeError
	var fe *chat.FrameError
	switch {
	case errors.As(err, &ce):
		if ce.Code == chat.CodeRateLimited {
			status = http.StatusTooManyRequests
		}
		httpx.WriteJSON(w, status, apiError{Error: ce.Code, Description: ce.Msg})
		return
	case errors.As(err, &fe):
		status = http.StatusBadRequest
		if fe.Code == chat.CodeRateLimited {
			status = http.StatusTooManyRequests
		}
		httpx.WriteJSON(w, status, apiError{Error: fe.Code, Description: fe.Msg})
		return
	}
	if status >= 500 && status != http.StatusServiceUnavailable {
		a.Log.ErrorContext(r.Context(), "chat: request failed", "path", r.URL.Path, "err", err)
	}
	httpx.WriteJSON(w, status, body)
}

// clientIP is the peer address (X-Forwarded-For is not trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// rawJSON sends prepared JSON as it is.
type rawJSON = json.RawMessage
