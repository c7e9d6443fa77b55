package e2e_test

import (
	"context"
	"html/template"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"layan/internal/auth"
	"layan/internal/channel/chat"
	"layan/internal/ticket"
)

// in is a JavaScript path into the widget's shadow root.
func in(sel string) string {
	return `document.querySelector('#layan-chat').shadowRoot.querySelector(` + strconv.Quote(sel) + `)`
}

// inAll counts the widget's elements matching sel whose text contains text.
func inCount(sel, text string) string {
	return `[...document.querySelector('#layan-chat').shadowRoot.querySelectorAll(` + strconv.Quote(sel) + `)]` +
		`.filter(e => e.textContent.includes(` + strconv.Quote(text) + `)).length`
}

// deskCount counts the chat desk's elements matching sel whose text contains text.
func deskCount(sel, text string) string {
	return `[...document.querySelectorAll(` + strconv.Quote(sel) + `)].filter(e => e.textContent.includes(` +
		strconv.Quote(text) + `)).length`
}

// A visitor on a site with the widget and an agent on the chat desk, in two
// browser contexts, chat both ways; the visitor reloads mid-chat and finds the
// conversation intact, each message once; the agent ends the chat, the
// visitor is asked for a rating, and the ticket keeps the transcript.
func TestChatVisitorAndAgentTalkBothWays(t *testing.T) {
	s := startSite(t)
	browser := newBrowser(t)

	// The agent opens the chat desk first, so someone is online.
	agent := browser
	signIn(t, agent, s, "tom@layan.test")
	step(t, agent, "open the chat desk", chromedp.Navigate(s.URL+"/agent/chat"))
	waitFor(t, agent, "the desk is live", `document.getElementById('chat-desk').dataset.live === 'open'`)

	// The visitor opens the site and the widget, answers the pre-chat form and writes.
	visitor := tab(t, browser)
	step(t, visitor, "open the demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=en"))
	waitFor(t, visitor, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, visitor, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))))
	waitFor(t, visitor, "the pre-chat form", in(".root")+`.dataset.view === 'prechat'`)
	step(t, visitor, "answer the pre-chat form",
		chromedp.SendKeys(chromedp.JSPath(in("input[name=name]")), "Ana Wijaya"),
		chromedp.SendKeys(chromedp.JSPath(in("input[name=email]")), "ana@pelanggan.test"),
		chromedp.SendKeys(chromedp.JSPath(in("input[name=topic]")), "Pengiriman"),
		chromedp.Click(chromedp.JSPath(in("form[data-view=prechat] button[type=submit]"))))
	waitFor(t, visitor, "the chat view", in(".root")+`.dataset.view === 'chat'`)
	step(t, visitor, "write the first message",
		chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Halo, paket saya belum sampai\r"))
	waitFor(t, visitor, "the message is committed", in("li.msg.visitor")+`?.dataset.state === 'sent'`)

	// The agent sees the visitor waiting, with the waiting time, and accepts.
	waitFor(t, agent, "the visitor is in the queue", deskCount("#chat-queue li", "Ana Wijaya")+` === 1`)
	wait := value(t, agent, "waiting time", chromedp.Text(chromedp.CSS("#chat-queue li [data-wait]")))
	if !strings.HasPrefix(wait, "waiting 0:") {
		t.Fatalf("waiting time shown as %q", wait)
	}
	step(t, agent, "accept", chromedp.Click(chromedp.CSS("#chat-queue li [data-accept]")))
	waitFor(t, agent, "the chat opens with the visitor's message",
		deskCount(".chat-pane .chat-msg.from-visitor", "paket saya belum sampai")+` === 1`)
	waitFor(t, agent, "the queue is empty", `document.querySelectorAll('#chat-queue li').length === 0`)
	waitFor(t, visitor, "the visitor hears that the agent joined", in(".typing")+`.textContent.includes('Tom Baker')`)

	// The agent replies; the visitor sees it, and the agent sees that the visitor read it.
	step(t, agent, "reply", chromedp.SendKeys(chromedp.CSS(".chat-pane textarea"), "Halo Ana, saya cek dulu ya.\r"))
	waitFor(t, visitor, "the reply arrives", inCount("li.msg.agent", "saya cek dulu")+` === 1`)
	waitFor(t, agent, "the visitor read the reply", `document.querySelector('.chat-pane .chat-msg.from-agent').dataset.state === 'read'`)
	waitFor(t, visitor, "the agent read the visitor's message", in("li.msg.visitor")+`.dataset.state === 'read'`)

	// The visitor types; the agent sees the indicator.
	step(t, visitor, "start typing", chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Nomor pesanan"))
	waitFor(t, agent, "typing indicator", `document.querySelector('.chat-pane [data-typing]').textContent.includes('Ana Wijaya')`)
	step(t, visitor, "send", chromedp.SendKeys(chromedp.JSPath(in("textarea")), " NUS-2044\r"))
	waitFor(t, agent, "the second message arrives", deskCount(".chat-pane .chat-msg.from-visitor", "NUS-2044")+` === 1`)

	// The visitor reloads mid-chat: the conversation is intact, each message once.
	step(t, visitor, "reload", chromedp.Reload())
	waitFor(t, visitor, "the widget reopens with the history",
		`!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.view === 'chat' && `+
			in("ol")+`.children.length === 3`)
	for _, text := range []string{"paket saya belum sampai", "saya cek dulu", "NUS-2044"} {
		if n := value(t, visitor, "count "+text, chromedp.Evaluate[int](inCount("li.msg", text))); n != 1 {
			t.Fatalf("after the reload %q shows %d times, want once", text, n)
		}
	}

	// Both ways again after the reload.
	step(t, visitor, "write after the reload", chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Masih di sini\r"))
	waitFor(t, agent, "it arrives once", deskCount(".chat-pane .chat-msg.from-visitor", "Masih di sini")+` === 1`)
	step(t, agent, "reply again", chromedp.SendKeys(chromedp.CSS(".chat-pane textarea"), "Paket tiba besok pagi.\r"))
	waitFor(t, visitor, "the reply arrives once", inCount("li.msg.agent", "tiba besok pagi")+` === 1`)
	screenshot(t, visitor, "chat-visitor")
	screenshot(t, agent, "chat-agent")
	if n := value(t, agent, "messages on the desk", chromedp.Evaluate[int](`document.querySelectorAll('.chat-pane .chat-msg').length`)); n != 5 {
		t.Fatalf("the agent's pane shows %d messages, want 5", n)
	}

	// On request, the transcript goes to the visitor by email.
	step(t, agent, "email the transcript", chromedp.Click(chromedp.CSS(".chat-pane [data-transcript]")))
	waitFor(t, agent, "the transcript is on its way", `document.querySelector('.chat-pane [data-note]').textContent.includes('Transcript sent')`)

	// The agent ends the chat; the visitor is asked for a rating.
	step(t, agent, "end the chat", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(".chat-pane [data-end]")))
	waitFor(t, agent, "the pane shows the end", `document.querySelector('.chat-pane').classList.contains('is-ended')`)
	waitFor(t, visitor, "the visitor sees the end", in(".root")+`.dataset.view === 'ended'`)
	step(t, visitor, "rate 5", chromedp.Click(chromedp.JSPath(in("button[data-score='5']"))))
	waitFor(t, visitor, "thanked", inCount("p[role=status]", "Thank you")+` === 1`)

	// The conversation stays a chat ticket with every message.
	tid := value(t, agent, "ticket id", chromedp.Evaluate[string](
		`document.querySelector('.chat-pane [data-ticket-link]').getAttribute('href').split('/').pop()`))
	id, err := strconv.ParseInt(tid, 10, 64)
	if err != nil {
		t.Fatalf("ticket link %q", tid)
	}
	ctx := context.Background()
	tk, err := s.App.Tickets.Get(ctx, s.actor(t, s.Agent), id)
	if err != nil || tk.Via != "chat" {
		t.Fatalf("chat ticket: %+v %v", tk, err)
	}
	comments, err := s.App.Tickets.Comments(ctx, s.actor(t, s.Agent), id, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var all strings.Builder
	for _, c := range comments {
		all.WriteString(c.Body + "\n")
	}
	for _, text := range []string{"paket saya belum sampai", "saya cek dulu", "NUS-2044", "Masih di sini", "tiba besok pagi"} {
		if !strings.Contains(all.String(), text) {
			t.Errorf("the ticket lacks %q:\n%s", text, all.String())
		}
	}
}

// With no agent online, the Persian widget is right-to-left in Persian, and
// offers the offline form: the message becomes a ticket answered by email.
func TestChatPersianWidgetIsRightToLeftAndTakesOfflineMessages(t *testing.T) {
	s := startSite(t)
	visitor := newBrowser(t)
	step(t, visitor, "open the Persian demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=fa"))
	waitFor(t, visitor, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, visitor, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))))
	waitFor(t, visitor, "the offline form", in(".root")+`.dataset.view === 'offline'`)

	dir := value(t, visitor, "direction", chromedp.Evaluate[string](`getComputedStyle(`+in(".panel")+`).direction`))
	if dir != "rtl" {
		t.Fatalf("the Persian widget's direction is %q", dir)
	}
	title := value(t, visitor, "title", chromedp.Evaluate[string](in("header h2")+`.textContent`))
	if title != "گفتگو" {
		t.Fatalf("the Persian widget's title is %q", title)
	}
	// The panel sits in the inline-end corner: on the left in a right-to-left page.
	left := value(t, visitor, "position", chromedp.Evaluate[float64](in(".panel")+`.getBoundingClientRect().left`))
	if left > 400 {
		t.Fatalf("the Persian panel is at x=%v, want the left side", left)
	}
	step(t, visitor, "leave a message",
		chromedp.SendKeys(chromedp.JSPath(in("form[data-view=offline] input[name=name]")), "سارا"),
		chromedp.SendKeys(chromedp.JSPath(in("form[data-view=offline] input[name=email]")), "sara@example.test"),
		chromedp.SendKeys(chromedp.JSPath(in("form[data-view=offline] textarea[name=message]")), "سفارش من کجاست؟"),
		chromedp.Click(chromedp.JSPath(in("form[data-view=offline] button[type=submit]"))))
	waitFor(t, visitor, "the message is committed", in("li.msg.visitor")+`?.dataset.state === 'sent'`)
	waitFor(t, visitor, "the email promise", in(".notice")+`.textContent.includes('sara@example.test')`)
	screenshot(t, visitor, "chat-widget-fa-offline")

	// It is a ticket from the visitor, by email.
	ctx := context.Background()
	agent := s.actor(t, s.Agent)
	u, err := s.App.Dir.UserByEmail(ctx, agent, "sara@example.test")
	if err != nil {
		t.Fatalf("the visitor is not a customer: %v", err)
	}
	res, err := s.App.Tickets.List(ctx, agent, ticket.ListQuery{RequesterID: u.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Tickets) != 1 || res.Tickets[0].Via != "chat" {
		t.Fatalf("the offline message as tickets: %+v", res.Tickets)
	}
	comments, err := s.App.Tickets.Comments(ctx, agent, res.Tickets[0].ID, 0, 10)
	if err != nil || len(comments) == 0 || !strings.Contains(comments[0].Body, "سفارش من کجاست؟") {
		t.Fatalf("the offline ticket's message: %+v %v", comments, err)
	}
}

// Where WebSockets are blocked, the widget falls back to long polling and
// the chat still works both ways (here in Indonesian).
func TestChatWidgetFallsBackToLongPolling(t *testing.T) {
	s := startSite(t)
	browser := newBrowser(t)
	agent := browser
	signIn(t, agent, s, "tom@layan.test")
	step(t, agent, "open the chat desk", chromedp.Navigate(s.URL+"/agent/chat"))
	waitFor(t, agent, "the desk is live", `document.getElementById('chat-desk').dataset.live === 'open'`)

	visitor := tab(t, browser)
	if _, err := chromedp.Call(visitor, page.AddScriptToEvaluateOnNewDocument,
		page.AddScriptToEvaluateOnNewDocumentParams{Source: `window.WebSocket = undefined;`}); err != nil {
		t.Fatalf("block WebSockets: %v", err)
	}
	step(t, visitor, "open the Indonesian demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=id"))
	waitFor(t, visitor, "the widget polls", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'poll'`)
	step(t, visitor, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))))
	if got := value(t, visitor, "launcher title", chromedp.Evaluate[string](in("header h2")+`.textContent`)); got != "Obrolan" {
		t.Fatalf("the Indonesian widget's title is %q", got)
	}
	step(t, visitor, "answer the pre-chat form",
		chromedp.SendKeys(chromedp.JSPath(in("input[name=name]")), "Budi"),
		chromedp.Click(chromedp.JSPath(in("form[data-view=prechat] button[type=submit]"))))
	step(t, visitor, "write", chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Apakah toko buka hari Minggu?\r"))
	waitFor(t, visitor, "the message is committed", in("li.msg.visitor")+`?.dataset.state === 'sent'`)

	waitFor(t, agent, "the visitor is in the queue", deskCount("#chat-queue li", "Budi")+` === 1`)
	step(t, agent, "accept", chromedp.Click(chromedp.CSS("#chat-queue li [data-accept]")))
	waitFor(t, agent, "the message", deskCount(".chat-pane .chat-msg.from-visitor", "hari Minggu")+` === 1`)
	step(t, agent, "reply", chromedp.SendKeys(chromedp.CSS(".chat-pane textarea"), "Ya, buka jam 10 sampai 16.\r"))
	waitFor(t, visitor, "the reply arrives by polling", inCount("li.msg.agent", "buka jam 10")+` === 1`)
	step(t, visitor, "write again", chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Terima kasih!\r"))
	waitFor(t, agent, "it arrives once", deskCount(".chat-pane .chat-msg.from-visitor", "Terima kasih")+` === 1`)
	if n := value(t, visitor, "messages", chromedp.Evaluate[int](`document.querySelector('#layan-chat').shadowRoot.querySelectorAll('li.msg').length`)); n != 3 {
		t.Fatalf("the polling widget shows %d messages, want 3", n)
	}

	// The visitor ends the chat; the agent's pane shows it.
	step(t, visitor, "end the chat", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.JSPath(in("button.x[title]"))))
	waitFor(t, visitor, "the rating view", in(".root")+`.dataset.view === 'ended'`)
	waitFor(t, agent, "the agent sees the end", `document.querySelector('.chat-pane').classList.contains('is-ended')`)
	step(t, visitor, "rate 4", chromedp.Click(chromedp.JSPath(in("button[data-score='4']"))))
	waitFor(t, visitor, "thanked", inCount("p[role=status]", "Terima kasih atas masukan")+` === 1`)

	// The KPIs' events are on the chat's ticket: requested, answered, ended, rated 4.
	tid := value(t, agent, "ticket id", chromedp.Evaluate[string](
		`document.querySelector('.chat-pane [data-ticket-link]').getAttribute('href').split('/').pop()`))
	id, _ := strconv.ParseInt(tid, 10, 64)
	eventually(t, "the chat's events", func() bool {
		evs, err := s.App.Tickets.Events(context.Background(), s.actor(t, s.Agent), id)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, e := range evs {
			seen[e.Type] = true
			if e.Type == "chat.rated" && (e.After == nil || *e.After != "4") {
				t.Fatalf("chat.rated after = %v, want 4", e.After)
			}
		}
		return seen["chat.requested"] && seen["chat.answered"] && seen["chat.ended"] && seen["chat.rated"]
	})
}

// When every connection drops mid-chat (a node restarts behind the proxy),
// both sides reconnect and resume: what each side wrote meanwhile arrives
// exactly once, and nothing earlier is repeated.
func TestChatResumesAfterConnectionsDrop(t *testing.T) {
	s := startSite(t)
	proxy := newDropProxy(t, strings.TrimPrefix(s.URL, "http://"))
	s.URL = proxy.URL()
	browser := newBrowser(t)
	agent := browser
	signIn(t, agent, s, "tom@layan.test")
	step(t, agent, "open the chat desk", chromedp.Navigate(s.URL+"/agent/chat"))
	waitFor(t, agent, "the desk is live", `document.getElementById('chat-desk').dataset.live === 'open'`)

	visitor := tab(t, browser)
	step(t, visitor, "open the demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=en"))
	waitFor(t, visitor, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, visitor, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))),
		chromedp.SendKeys(chromedp.JSPath(in("input[name=name]")), "Rina"),
		chromedp.Click(chromedp.JSPath(in("form[data-view=prechat] button[type=submit]"))),
		chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Pesanan saya rusak\r"))
	waitFor(t, agent, "the visitor is in the queue", deskCount("#chat-queue li", "Rina")+` === 1`)
	step(t, agent, "accept", chromedp.Click(chromedp.CSS("#chat-queue li [data-accept]")))
	waitFor(t, agent, "the message", deskCount(".chat-pane .chat-msg.from-visitor", "rusak")+` === 1`)

	proxy.dropAll()
	waitFor(t, visitor, "the visitor notices", in(".root")+`.dataset.conn === 'lost'`)
	step(t, visitor, "write while disconnected", chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Halo? Masih ada?\r"))
	step(t, agent, "reply while reconnecting", chromedp.SendKeys(chromedp.CSS(".chat-pane textarea"), "Maaf, kami kirim pengganti.\r"))

	waitFor(t, visitor, "reconnected", in(".root")+`.dataset.conn === 'ws'`)
	waitFor(t, agent, "the visitor's message arrives", deskCount(".chat-pane .chat-msg.from-visitor", "Masih ada")+` === 1`)
	waitFor(t, visitor, "the reply arrives", inCount("li.msg.agent", "kirim pengganti")+` === 1`)
	waitFor(t, visitor, "the visitor's message is committed", `[...document.querySelector('#layan-chat').shadowRoot.querySelectorAll('li.msg.visitor')].every(li => li.dataset.state !== 'sending')`)
	waitFor(t, agent, "the reply is committed", `![...document.querySelectorAll('.chat-pane .chat-msg')].some(li => li.classList.contains('pending'))`)
	for _, text := range []string{"rusak", "Masih ada", "kirim pengganti"} {
		if n := value(t, visitor, "count "+text, chromedp.Evaluate[int](inCount("li.msg", text))); n != 1 {
			t.Errorf("the visitor sees %q %d times, want once", text, n)
		}
		if n := value(t, agent, "count "+text, chromedp.Evaluate[int](deskCount(".chat-pane .chat-msg", text))); n != 1 {
			t.Errorf("the agent sees %q %d times, want once", text, n)
		}
	}
	// Sequence numbers on both sides are 1, 2, 3 in order, with no gap.
	for who, js := range map[string]string{
		"visitor": `[...document.querySelector('#layan-chat').shadowRoot.querySelectorAll('li.msg')].map(li => li.dataset.seq).join(',')`,
		"agent":   `[...document.querySelectorAll('.chat-pane .chat-msg')].map(li => li.dataset.seq).join(',')`,
	} {
		ctx := visitor
		if who == "agent" {
			ctx = agent
		}
		if seqs := value(t, ctx, who+" seqs", chromedp.Evaluate[string](js)); seqs != "1,2,3" {
			t.Errorf("the %s's messages have seqs %s", who, seqs)
		}
	}
}

// dropProxy is a TCP proxy in front of the site whose connections the test
// can cut all at once, as a restarting node or a flaky network would.
type dropProxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  []net.Conn
}

func newDropProxy(t *testing.T, target string) *dropProxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &dropProxy{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		p.dropAll()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
	return p
}

func (p *dropProxy) URL() string { return "http://" + p.ln.Addr().String() }

func (p *dropProxy) pipe(c net.Conn) {
	u, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns = append(p.conns, c, u)
	p.mu.Unlock()
	go func() {
		_, _ = io.Copy(u, c)
		u.Close()
	}()
	_, _ = io.Copy(c, u)
	c.Close()
}

// dropAll cuts every open connection; new ones are accepted as before.
func (p *dropProxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// openDesk signs in as email and opens the chat desk.
func openDesk(t *testing.T, ctx context.Context, s *site, email string) {
	t.Helper()
	signIn(t, ctx, s, email)
	step(t, ctx, "open the chat desk", chromedp.Navigate(s.URL+"/agent/chat"))
	waitFor(t, ctx, "the desk is live", `document.getElementById('chat-desk').dataset.live === 'open'`)
}

// startVisitorChat opens the demo site in a new browser context and starts a
// chat as name with a first message.
func startVisitorChat(t *testing.T, browser context.Context, s *site, name, first string) context.Context {
	t.Helper()
	v := tab(t, browser)
	step(t, v, "open the demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=en"))
	waitFor(t, v, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, v, "start a chat", chromedp.Click(chromedp.JSPath(in(".launcher"))),
		chromedp.SendKeys(chromedp.JSPath(in("input[name=name]")), name),
		chromedp.Click(chromedp.JSPath(in("form[data-view=prechat] button[type=submit]"))),
		chromedp.SendKeys(chromedp.JSPath(in("textarea")), first+"\r"))
	waitFor(t, v, "the message is committed", in("li.msg.visitor")+`?.dataset.state === 'sent'`)
	return v
}

// An agent holds two chats side by side, answers one with a canned reply and
// a visitor's file, and transfers the other to a Persian colleague, whose
// right-to-left desk picks it up with its history.
func TestChatAgentHandlesTwoChatsCannedReplyFileAndTransfer(t *testing.T) {
	s := startSite(t)
	if _, err := s.App.Chat.CannedCreate(context.Background(), auth.SystemActor(), "Opening hours",
		"We are open every day from 09:00 to 21:00."); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	tom := browser
	openDesk(t, tom, s, "tom@layan.test")
	maryam := tab(t, browser)
	openDesk(t, maryam, s, "maryam@layan.test")
	if dir := value(t, maryam, "direction", chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "rtl" {
		t.Fatalf("the Persian desk's direction is %q", dir)
	}

	ana := startVisitorChat(t, browser, s, "Ana", "When are you open?")
	budi := startVisitorChat(t, browser, s, "Budi", "Saya mau bicara dengan tim Persia")

	// Tom takes both: two panes, side by side.
	for _, name := range []string{"Ana", "Budi"} {
		waitFor(t, tom, name+" waits", deskCount("#chat-queue li", name)+` === 1`)
		step(t, tom, "accept "+name, chromedp.Click(chromedp.JSPath(
			`[...document.querySelectorAll('#chat-queue li')].find(li => li.textContent.includes(`+strconv.Quote(name)+`)).querySelector('[data-accept]')`)))
		waitFor(t, tom, name+"'s pane", deskCount(".chat-pane h2", name)+` === 1`)
	}
	side := value(t, tom, "pane positions", chromedp.Evaluate[bool](`(() => {
		const [a, b] = [...document.querySelectorAll('.chat-pane')].map(p => p.getBoundingClientRect());
		return Math.abs(a.top - b.top) < 2 && Math.abs(a.left - b.left) > a.width / 2;
	})()`))
	if !side {
		t.Fatal("the two chats are not side by side")
	}
	screenshot(t, tom, "chat-desk-two-chats")

	// A canned reply to Ana.
	anaPane := `[...document.querySelectorAll('.chat-pane')].find(p => p.textContent.includes('Ana'))`
	step(t, tom, "insert the canned reply", chromedp.Evaluate[chromedp.Void](`(() => {
		const sel = `+anaPane+`.querySelector('[data-canned]');
		sel.value = [...sel.options].find(o => o.textContent === 'Opening hours').value;
		sel.dispatchEvent(new Event('change'));
	})()`))
	if got := value(t, tom, "the reply box", chromedp.Evaluate[string](anaPane+`.querySelector('textarea').value`)); !strings.Contains(got, "09:00 to 21:00") {
		t.Fatalf("the reply box after the canned reply: %q", got)
	}
	step(t, tom, "send it", chromedp.SendKeys(chromedp.JSPath(anaPane+`.querySelector('textarea')`), "\r"))
	waitFor(t, ana, "Ana gets the canned reply", inCount("li.msg.agent", "09:00 to 21:00")+` === 1`)

	// Ana sends a photo; Tom gets a link to it.
	png := filepath.Join(t.TempDir(), "struk.png")
	if err := os.WriteFile(png, onePixelPNG, 0o644); err != nil {
		t.Fatal(err)
	}
	step(t, ana, "attach a photo", chromedp.SetUploadFiles(chromedp.JSPath(in("input[type=file]")), []string{png}))
	waitFor(t, tom, "the photo arrives", anaPane+`.querySelector('.chat-msg.from-visitor a[href*="/chat/files/"]')?.textContent === 'struk.png'`)

	// Budi goes to Maryam.
	budiPane := `[...document.querySelectorAll('.chat-pane')].find(p => p.textContent.includes('Budi'))`
	step(t, tom, "transfer Budi to Maryam", chromedp.Evaluate[chromedp.Void](`(() => {
		const sel = `+budiPane+`.querySelector('[data-transfer-to]');
		sel.value = [...sel.options].find(o => o.textContent === 'مریم احمدی').value;
		`+budiPane+`.querySelector('[data-transfer] button').click();
	})()`))
	waitFor(t, tom, "Tom's pane says transferred", budiPane+`.classList.contains('is-ended') && `+budiPane+`.textContent.includes('Chat transferred')`)
	waitFor(t, maryam, "Maryam gets Budi's chat with its history", deskCount(".chat-pane .chat-msg.from-visitor", "tim Persia")+` === 1`)
	step(t, maryam, "Maryam replies", chromedp.SendKeys(chromedp.CSS(".chat-pane textarea"), "سلام، در خدمتم.\r"))
	waitFor(t, budi, "Budi gets Maryam's reply", inCount("li.msg.agent", "در خدمتم")+` === 1`)
	if who := value(t, budi, "author", chromedp.Evaluate[string](in("li.msg.agent bdi")+`.textContent`)); who != "مریم احمدی" {
		t.Fatalf("Budi's reply is signed %q", who)
	}
	screenshot(t, maryam, "chat-desk-fa")
}

// An agent who sets themselves away takes no new chats: the next visitor
// gets the offline form; back online, the next visitor can chat.
func TestChatAgentPresenceDecidesOnlineOrOffline(t *testing.T) {
	s := startSite(t)
	browser := newBrowser(t)
	tom := browser
	openDesk(t, tom, s, "tom@layan.test")
	step(t, tom, "go away", chromedp.SetValue(chromedp.ID("chat-presence"), "away"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('chat-presence').dispatchEvent(new Event('change'))`))
	waitFor(t, tom, "away", `document.getElementById('chat-desk').dataset.presence === 'away'`)

	v := tab(t, browser)
	step(t, v, "open the demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=en"))
	waitFor(t, v, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, v, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))))
	waitFor(t, v, "the offline form", in(".root")+`.dataset.view === 'offline'`)

	step(t, tom, "back online", chromedp.SetValue(chromedp.ID("chat-presence"), "online"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('chat-presence').dispatchEvent(new Event('change'))`))
	v2 := tab(t, browser)
	step(t, v2, "another visitor", chromedp.Navigate(s.URL+"/chat/demo?lang=en"))
	waitFor(t, v2, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, v2, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))))
	waitFor(t, v2, "the pre-chat form, not the offline one", in(".root")+`.dataset.view === 'prechat'`)
}

// onePixelPNG is a valid 1×1 PNG.
var onePixelPNG = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00,
	0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0, 0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99,
	0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}

// customerSite serves a page on another origin with the widget on it, as a
// shop would: signed in as a customer when signature is set.
func customerSite(t *testing.T, s *site, key, email, signature string) string {
	t.Helper()
	page := template.Must(template.New("shop").Parse(`<!doctype html>
<html lang="id"><head><meta charset="utf-8"><title>Toko Nusantara</title></head>
<body><h1>Toko Nusantara</h1>
<script src="{{.Layan}}/widget.js" data-workspace="{{.Key}}" data-lang="id" data-user-id="cust-77"
  data-email="{{.Email}}" data-name="Budi Santoso" data-signature="{{.Sig}}"></script>
</body></html>`))
	shop := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_ = page.Execute(w, map[string]string{"Layan": s.URL, "Key": key, "Email": email, "Sig": signature})
	}))
	t.Cleanup(shop.Close)
	return shop.URL
}

// A shop on another origin embeds the widget for its signed-in customer: the
// chat joins that customer, so the agent sees their earlier tickets beside
// it. A forged signature is just an anonymous visitor. A reply that arrives
// while the widget is closed shows as an unread count on its button.
func TestChatSignedIdentityJoinsTheCustomersHistory(t *testing.T) {
	s := startSite(t)
	ctx := context.Background()
	st, err := s.App.Chat.AdminSettings(ctx, auth.SystemActor())
	if err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	tom := browser
	openDesk(t, tom, s, "tom@layan.test")

	// The forger first: same email, wrong signature.
	forger := tab(t, browser)
	step(t, forger, "open the shop with a forged identity",
		chromedp.Navigate(customerSite(t, s, st.WorkspaceKey, s.Customer.Email, strings.Repeat("ab", 32))))
	waitFor(t, forger, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, forger, "write", chromedp.Click(chromedp.JSPath(in(".launcher"))),
		chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Tolong kirim riwayat pesanan saya\r"))
	waitFor(t, tom, "the forger waits", deskCount("#chat-queue li", "riwayat pesanan")+` === 1`)
	step(t, tom, "accept", chromedp.Click(chromedp.CSS("#chat-queue li [data-accept]")))
	waitFor(t, tom, "no history for an anonymous visitor", `document.getElementById('chat-history').textContent.includes('No earlier conversations')`)
	if got := value(t, tom, "history", chromedp.Text(chromedp.ID("chat-history"))); strings.Contains(got, "Paket belum sampai") {
		t.Fatal("a forged identity shows the customer's tickets")
	}
	step(t, tom, "end the forger's chat", chromedp.Evaluate[chromedp.Void](`window.confirm = () => true`),
		chromedp.Click(chromedp.CSS(".chat-pane [data-end]")), chromedp.Click(chromedp.CSS(".chat-pane [data-close]")))

	// The real customer, signed by the shop's server.
	budi := tab(t, browser)
	sig := chat.SignIdentity(st.IdentitySecret, "cust-77", s.Customer.Email)
	step(t, budi, "open the shop signed in", chromedp.Navigate(customerSite(t, s, st.WorkspaceKey, s.Customer.Email, sig)))
	waitFor(t, budi, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
	step(t, budi, "write without a pre-chat form", chromedp.Click(chromedp.JSPath(in(".launcher"))),
		chromedp.SendKeys(chromedp.JSPath(in("textarea")), "Paket saya sudah sampai belum?\r"))
	waitFor(t, tom, "Budi waits", deskCount("#chat-queue li", "sudah sampai belum")+` === 1`)
	step(t, tom, "accept", chromedp.Click(chromedp.CSS("#chat-queue li [data-accept]")))
	waitFor(t, tom, "Budi's earlier ticket beside the chat",
		`document.getElementById('chat-history').textContent.includes('Paket belum sampai setelah 5 hari')`)
	screenshot(t, tom, "chat-desk-history")

	// Budi closes the widget; Tom's reply shows as unread on the button.
	step(t, budi, "close the widget", chromedp.Click(chromedp.JSPath(in("button.x[aria-label]:last-of-type"))))
	waitFor(t, budi, "closed", in(".panel")+`.hidden`)
	step(t, tom, "reply", chromedp.SendKeys(chromedp.CSS(".chat-pane textarea"), "Sudah di kurir, Pak Budi.\r"))
	waitFor(t, budi, "an unread count on the button", `!`+in(".launcher .badge")+`.hidden && `+in(".launcher .badge")+`.textContent === '1'`)
	step(t, budi, "open the widget", chromedp.Click(chromedp.JSPath(in(".launcher"))))
	waitFor(t, budi, "the reply is there, the count gone", inCount("li.msg.agent", "di kurir")+` === 1 && `+in(".launcher .badge")+`.hidden`)
}

// An agent who leaves the desk idle is set away automatically, and online
// again on their next keystroke. (The idle timeout is minutes; the test
// shortens the first one in the page so it runs in a second.)
func TestChatIdleAgentGoesAwayAndComesBack(t *testing.T) {
	s := startSite(t)
	tom := newBrowser(t)
	signIn(t, tom, s, "tom@layan.test")
	if _, err := chromedp.Call(tom, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{
		// Only the first long timer (the idle timer started at load) is shortened.
		Source: `{ const st = window.setTimeout; let n = 0;
			window.setTimeout = (f, ms, ...a) => st(f, ms >= 60000 && n++ === 0 ? 500 : ms, ...a); }`,
	}); err != nil {
		t.Fatal(err)
	}
	step(t, tom, "open the chat desk", chromedp.Navigate(s.URL+"/agent/chat"))
	waitFor(t, tom, "the desk is live", `document.getElementById('chat-desk').dataset.live === 'open'`)
	waitFor(t, tom, "away when idle", `document.getElementById('chat-desk').dataset.presence === 'away' && !document.getElementById('chat-alert').hidden`)
	ctx := context.Background()
	status := func() string {
		ps, err := s.App.Chat.PresenceList(ctx, s.actor(t, s.Agent))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range ps {
			if p.AgentID == s.Agent.ID {
				return p.Status
			}
		}
		return ""
	}
	eventually(t, "the server has Tom away", func() bool { return status() == "away" })
	step(t, tom, "a keystroke", chromedp.SendKeys(chromedp.ID("topsearch-q"), "x"))
	waitFor(t, tom, "online again", `document.getElementById('chat-desk').dataset.presence === 'online' && document.getElementById('chat-alert').hidden`)
	eventually(t, "the server has Tom online", func() bool { return status() == "online" })
}

// eventually polls a Go condition for a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out: %s", what)
}
