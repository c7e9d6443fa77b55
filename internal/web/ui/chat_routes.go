package ui

import (
	"net/http"
	"sync"

	"layan/internal/web/widget"
)

// registerChat adds the live-chat pages: the widget script (public, loaded
// by customers' sites), the demo visitor page and the agents' chat desk.
// The chat protocol itself (WebSockets, JSON endpoints) is web/chatapi's.
func (p *Pages) registerChat(mux *http.ServeMux, page, staff func(string, http.HandlerFunc)) {
	mux.Handle("GET /widget.js", widgetScript())
	page("GET /chat/demo", p.chatDemo)
	staff("GET /agent/chat", p.chatDesk)
}

// widgetScript is built on first use: the catalogs are spliced in and the
// result gzipped once.
var widgetScript = sync.OnceValue(widget.Build)
