package e2e_test

import (
	"context"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"layan/internal/kb"
)

// The widget asks the knowledge base before a first message becomes a chat:
// the visitor sees an article that may answer the question; "no" starts the
// chat with the same question (typed once), which reaches the agent's queue.
// A second visitor says "yes": no chat, a self-service resolution.
func TestChatWidgetAssistantAnswersFirst(t *testing.T) {
	s := startSite(t)
	ctx := context.Background()
	staff := s.actor(t, s.Agent)
	cat, err := s.App.KB.CreateCategory(ctx, staff, kb.CategoryInput{Locale: "en", Name: "Orders"})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.App.KB.CreateSection(ctx, staff, kb.SectionInput{CategoryID: cat.ID, Locale: "en", Name: "Returns"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.KB.CreateArticle(ctx, staff, kb.ArticleInput{SectionID: sec.ID, Locale: "en", Title: "Return a damaged item",
		Body: "To return a damaged item, open My orders, choose the item and press Return. We collect it for free."}); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)
	openDesk(t, browser, s, "tom@layan.test")

	question := "how do I return a damaged item"
	ask := func(name string) context.Context {
		v := tab(t, browser)
		step(t, v, "open the demo site", chromedp.Navigate(s.URL+"/chat/demo?lang=en"))
		waitFor(t, v, "the widget is connected", `!!document.querySelector('#layan-chat') && `+in(".root")+`.dataset.conn === 'ws'`)
		step(t, v, "ask", chromedp.Click(chromedp.JSPath(in(".launcher"))),
			chromedp.SendKeys(chromedp.JSPath(in("input[name=name]")), name),
			chromedp.Click(chromedp.JSPath(in("form[data-view=prechat] button[type=submit]"))),
			chromedp.SendKeys(chromedp.JSPath(in("textarea")), question+"\r"))
		waitFor(t, v, "the assistant offers the article", inCount("li.msg.bot", "Return a damaged item")+` === 1`)
		return v
	}

	first := ask("Rina")
	step(t, first, "no, a person please", chromedp.Click(chromedp.JSPath(in("li.msg.bot .bot-choice .btn:last-child"))))
	waitFor(t, first, "the question is sent as the chat's first message",
		in("li.msg.visitor")+`?.dataset.state === 'sent' && `+inCount("li.msg.visitor", question)+` === 1`)
	waitFor(t, browser, "the agent's queue has the visitor", deskCount("#chat-queue li", "Rina")+` === 1`)

	since := time.Now().Add(-time.Minute)
	second := ask("Dewi")
	step(t, second, "yes, it answered", chromedp.Click(chromedp.JSPath(in("li.msg.bot .bot-choice .btn:first-child"))))
	waitFor(t, second, "the assistant is glad", inCount("li.msg.bot", "Glad it helped")+` === 1`)
	deadline := time.Now().Add(5 * time.Second)
	for {
		n, err := s.App.KB.CountEvents(ctx, kb.EventDeflection, since)
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d self-service resolutions recorded, want 1", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	waitFor(t, browser, "no chat for the visitor whose question the article answered", deskCount("#chat-queue li", "Dewi")+` === 0`)
}
