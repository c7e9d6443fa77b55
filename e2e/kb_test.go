package e2e_test

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"layan/internal/auth"
	"layan/internal/kb"
)

// The knowledge base's acceptance in Chromium: an agent writes an article
// in Indonesian, translates it to Persian and English and publishes; the
// customer finds it in each language from the portal's search and from the
// assistant; an internal article never reaches the customer. Then the
// agent's ticket panel inserts a link into a reply, and the request form
// suggests the article while the customer types.

const (
	kbTitleID = "Cara melacak paket kiriman"
	kbTitleFA = "چگونه مرسوله را پیگیری کنم"
	kbTitleEN = "How to track your parcel"
	kbSecret  = "Kebijakan kompensasi kurir"
)

func TestAgentPublishesTranslatedArticleCustomerFindsItEverywhere(t *testing.T) {
	s := startSite(t)
	ctx := context.Background()
	sys := auth.SystemActor()
	cat, err := s.App.KB.CreateCategory(ctx, sys, kb.CategoryInput{Locale: "id", Name: "Pengiriman"})
	if err != nil {
		t.Fatal(err)
	}
	sec, err := s.App.KB.CreateSection(ctx, sys, kb.SectionInput{CategoryID: cat.ID, Locale: "id", Name: "Lacak paket"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.KB.CreateArticle(ctx, sys, kb.ArticleInput{SectionID: sec.ID, Locale: "id", Visibility: kb.Internal,
		Title: kbSecret + " internal", Body: "Agen boleh memberi voucher kompensasi kurir hingga Rp50.000 untuk paket terlambat."}); err != nil {
		t.Fatal(err)
	}
	browser := newBrowser(t)

	// The agent writes the article in Indonesian, then Persian and English.
	agent := tab(t, browser)
	signIn(t, agent, s, s.Agent.Email)
	step(t, agent, "open the editor", chromedp.Navigate(s.URL+"/agent/kb/new"), chromedp.WaitVisible(chromedp.ID("kb-title")),
		setValue("#kb-locale", "id"), setValue("#kb-visibility", "public"),
		chromedp.SendKeys(chromedp.ID("kb-title"), kbTitleID),
		setValue("#kb-body", "Buka halaman **Pesanan Saya** lalu pilih Lacak untuk melihat posisi paket yang dikirimkan."),
		chromedp.Click(chromedp.ID("kb-publish")))
	clickAndLoad(t, agent, "create the article", `form[action="/agent/kb/articles"] button[type="submit"]`)
	loc := value(t, agent, "editor address", chromedp.Location())
	u, err := url.Parse(loc)
	if err != nil || !strings.HasPrefix(u.Path, "/agent/kb/articles/") {
		t.Fatalf("after create: %s", loc)
	}
	articlePath := u.Path
	id := strings.TrimPrefix(articlePath, "/agent/kb/articles/")
	translate := func(l, title, body string) {
		t.Helper()
		step(t, agent, "open the "+l+" tab", chromedp.Navigate(s.URL+articlePath+"?locale="+l), chromedp.WaitVisible(chromedp.ID("kb-title")),
			setValue("#kb-title", title), setValue("#kb-body", body))
		publish := value(t, agent, "publish box", chromedp.Evaluate[bool](`document.getElementById('kb-publish').checked`))
		if !publish {
			step(t, agent, "tick publish", chromedp.Click(chromedp.ID("kb-publish")))
		}
		clickAndLoad(t, agent, "save the "+l+" translation", `input[name="action"][value="translation"] ~ .reply-actions button`)
		if f := value(t, agent, "notice", chromedp.Text(chromedp.CSS(".flash-ok"))); f == "" {
			t.Fatalf("no notice after saving %s", l)
		}
	}
	translate("fa", kbTitleFA, "به صفحهٔ سفارش‌های من بروید و پیگیری را بزنید تا محل مرسوله و بستهٔ ارسال‌شده را ببینید.")
	translate("en", kbTitleEN, "Open My Orders and choose Track to see where your shipped parcel is.")
	tabs := value(t, agent, "translation tabs", chromedp.Text(chromedp.CSS(".kb-tabs")))
	if strings.Count(tabs, "Published") != 3 {
		t.Fatalf("tabs: %q", tabs)
	}
	screenshot(t, agent, "kb-editor")

	// The customer searches from the portal in each language.
	customer := tab(t, browser)
	signIn(t, customer, s, s.Customer.Email)
	step(t, customer, "portal home", chromedp.Navigate(s.URL+"/portal"), chromedp.WaitVisible(chromedp.ID("portal-q")),
		chromedp.SendKeys(chromedp.ID("portal-q"), "bagaimana melacak paket saya"))
	clickAndLoad(t, customer, "search", `form[action="/portal/search"] button[type="submit"]`)
	results := value(t, customer, "results", chromedp.Text(chromedp.CSS("main")))
	if !strings.Contains(results, kbTitleID) || strings.Contains(results, kbSecret) {
		t.Fatalf("Indonesian results: %q", results)
	}
	clickAndLoad(t, customer, "open the article", `.kb-hits a[href^="/hc/id/articles/`+id+`"]`)
	if h := value(t, customer, "title", chromedp.Text(chromedp.CSS("article h1"))); h != kbTitleID {
		t.Fatalf("article title %q", h)
	}
	for _, c := range []struct{ l, q, want string }{
		{"fa", "پيگيري مرسوله", kbTitleFA}, // Arabic ي as customers type it
		{"en", "tracking my parcels", kbTitleEN},
	} {
		step(t, customer, c.l+" search", chromedp.Navigate(s.URL+"/hc/"+c.l), chromedp.WaitVisible(chromedp.ID("hc-q")),
			chromedp.SendKeys(chromedp.ID("hc-q"), c.q))
		clickAndLoad(t, customer, c.l+" search submit", `.hc-head form button[type="submit"]`)
		got := value(t, customer, c.l+" results", chromedp.Text(chromedp.CSS(".kb-hits")))
		if !strings.Contains(got, c.want) {
			t.Fatalf("%s results %q lack %q", c.l, got, c.want)
		}
		dir := value(t, customer, "dir", chromedp.Evaluate[string](`document.documentElement.dir`))
		if (c.l == "fa") != (dir == "rtl") {
			t.Errorf("%s page dir %q", c.l, dir)
		}
		if c.l == "fa" {
			clickAndLoad(t, customer, "open the Persian article", `.kb-hits a[href^="/hc/fa/articles/`+id+`"]`)
			screenshot(t, customer, "kb-article-fa")
		}
	}

	// The assistant answers in each language.
	for _, c := range []struct{ l, q, want string }{
		{"id", "gimana cara melacak paket kiriman saya?", kbTitleID},
		{"fa", "چطور مرسوله را پیگیری کنم؟", kbTitleFA},
		{"en", "how can I track my parcel", kbTitleEN},
	} {
		step(t, customer, c.l+" assistant", chromedp.Navigate(s.URL+"/hc/"+c.l+"/assistant"), chromedp.WaitVisible(chromedp.ID("bot-q")),
			chromedp.SendKeys(chromedp.ID("bot-q"), c.q))
		clickAndLoad(t, customer, "ask", `button[value="ask"]`)
		got := value(t, customer, "transcript", chromedp.Text(chromedp.CSS(".bot-transcript")))
		if !strings.Contains(got, c.want) {
			t.Fatalf("%s assistant answered %q, want %q", c.l, got, c.want)
		}
	}
	clickAndLoad(t, customer, "yes, it helped", `button[value="yes"]`)
	screenshot(t, customer, "kb-assistant")

	// The internal article: not found by search, the assistant or its address.
	step(t, customer, "search for the internal policy", chromedp.Navigate(s.URL+"/hc/id/search?q="+url.QueryEscape("kompensasi kurir voucher")),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
	if got := value(t, customer, "results", chromedp.Text(chromedp.CSS("main"))); strings.Contains(got, kbSecret) {
		t.Fatal("internal article in a customer's search")
	}
	step(t, customer, "ask about it", chromedp.Navigate(s.URL+"/hc/id/assistant"), chromedp.WaitVisible(chromedp.ID("bot-q")),
		chromedp.SendKeys(chromedp.ID("bot-q"), "kebijakan kompensasi kurir voucher"))
	clickAndLoad(t, customer, "ask", `button[value="ask"]`)
	if got := value(t, customer, "transcript", chromedp.Text(chromedp.CSS(".bot-transcript"))); strings.Contains(got, kbSecret) {
		t.Fatal("the assistant answered from an internal article")
	}

	// The request form suggests the article as the customer types.
	step(t, customer, "new request", chromedp.Navigate(s.URL+"/portal/requests/new"), chromedp.WaitVisible(chromedp.ID("subject")),
		chromedp.SendKeys(chromedp.ID("subject"), "melacak paket"))
	waitFor(t, customer, "suggestions", `(() => { const b = document.querySelector('[data-kb-suggest]');
		return b && !b.hidden && b.textContent.includes(`+jsString(kbTitleID)+`); })()`)
	if got := value(t, customer, "suggestions", chromedp.Text(chromedp.CSS("[data-kb-suggest]"))); strings.Contains(got, kbSecret) {
		t.Fatal("internal article suggested")
	}
	// Opening a suggestion (its own tab) and leaving the form unsent is a
	// deflection the KPI engine counts.
	before, err := s.App.KB.CountEvents(ctx, kb.EventDeflection, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	step(t, customer, "open the suggestion", chromedp.Click(chromedp.CSS(`[data-kb-suggest] a[data-article="`+id+`"]`)),
		chromedp.Navigate(s.URL+"/portal"))
	deadline := time.Now().Add(10 * time.Second)
	for n := before; n == before; time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no deflection recorded after leaving the request form")
		}
		if n, err = s.App.KB.CountEvents(ctx, kb.EventDeflection, time.Time{}); err != nil {
			t.Fatal(err)
		}
	}

	// The agent's ticket panel suggests from the ticket's words and inserts a link.
	step(t, agent, "open the ticket", chromedp.Navigate(s.URL+"/agent/tickets/"+strconv.FormatInt(s.Ticket.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("kb-panel-q")), chromedp.SendKeys(chromedp.ID("kb-panel-q"), "melacak paket"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-kb-panel] form').requestSubmit()`))
	insert := `[data-kb-panel-results][data-q="melacak paket"] li:has(a[href$="/articles/` + id + `"]) [data-kb-insert]`
	waitFor(t, agent, "panel results", `document.querySelector(`+jsString(insert)+`) !== null`)
	step(t, agent, "insert the link", chromedp.Click(chromedp.CSS(insert)))
	waitFor(t, agent, "the link in the reply", `document.getElementById('reply-body').value !== ''`)
	reply := value(t, agent, "reply", chromedp.Evaluate[string](`document.getElementById('reply-body').value`))
	if !strings.Contains(reply, "/hc/id/articles/"+id) || !strings.Contains(reply, kbTitleID) {
		t.Fatalf("reply after insert: %q", reply)
	}
	screenshot(t, agent, "kb-ticket-panel")
}

func jsString(s string) string { return "'" + strings.ReplaceAll(s, "'", `\'`) + "'" }
