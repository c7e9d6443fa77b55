package ui

import (
	"net/http"
	"slices"

	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

// chatDesk is the agents' live-chat page: the queue with waiting times,
// their chats side by side, presence, and the focused customer's history.
// The page is a shell; chat.js fills it over the agent WebSocket and the
// chat JSON endpoints (docs/chat-protocol.md), which check every permission.
type chatDesk struct {
	Agents []directory.User // transfer targets: every other agent
	Groups []directory.Group
	// IdleMinutes without input before the page sets the agent away.
	IdleMinutes int
	// Statuses and Channels are translated for the customer's history.
	Statuses, Channels []string
}

// chatIdleMinutes is the default for automatic away on an idle page.
const chatIdleMinutes = 5

// chatDesk: GET /agent/chat.
func (p *Pages) chatDesk(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := p.view(r)
	a := v.Actor
	agents, err := p.agents(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	groups, err := p.d.Dir.ListGroups(ctx, a)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	others := slices.DeleteFunc(slices.Clone(agents), func(u directory.User) bool { return u.ID == a.UserID })
	v.Title, v.Nav, v.Page = v.T("chat.title"), "chat", "chat"
	v.Data = chatDesk{Agents: others, Groups: groups, IdleMinutes: chatIdleMinutes,
		Statuses: ticket.Statuses,
		Channels: []string{"email", "web", "api", "chat", "social", "voice", "walk_in"}}
	p.render(w, r, http.StatusOK, "chat", v)
}

// chatDemoPage is a stand-in customer site with the widget on it.
type chatDemoPage struct {
	Workspace string // "" when chat is not set up
	Lang      string // data-lang for the widget; "" lets it follow the browser
	Snippet   string
}

// chatDemo: GET /chat/demo[?lang=fa]. Public, like the widget itself.
func (p *Pages) chatDemo(w http.ResponseWriter, r *http.Request) {
	v := p.view(r)
	d := chatDemoPage{}
	switch l := r.URL.Query().Get("lang"); l {
	case "en", "id", "fa":
		d.Lang = l
		v.Locale, v.Dir = l, i18n.Dir(l)
	}
	if p.d.ChatWorkspace != nil {
		key, err := p.d.ChatWorkspace(r.Context())
		if err != nil {
			p.d.Log.Error("chat demo: workspace key", "err", err)
		}
		d.Workspace = key
	}
	base := p.d.PublicURL
	if base == "" {
		base = "//" + r.Host
	}
	d.Snippet = `<script src="` + base + `/widget.js" data-workspace="` + d.Workspace + `" async></script>`
	v.Title, v.Data = v.T("chat.demo.title"), d
	p.renderTo(w, r, http.StatusOK, "chat_demo", "demo", v)
}
