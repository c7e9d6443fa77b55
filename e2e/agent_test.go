package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"layan/internal/i18n"
	"layan/internal/ticket"
)

// An agent signs in, finds the ticket in their view, opens it and replies.
func TestAgentSignsInOpensTicketAndReplies(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, "tom@layan.test")
	if loc := value(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "/agent/views/my-open") {
		t.Fatalf("after sign-in the agent is at %s, want their open tickets", loc)
	}
	link := `a[href="/agent/tickets/` + strconv.FormatInt(s.Ticket.ID, 10) + `"][data-row-link]`
	step(t, ctx, "see the ticket in the view", chromedp.WaitVisible(chromedp.CSS(link)))
	clickAndLoad(t, ctx, "open the ticket", link)
	step(t, ctx, "write a reply", chromedp.WaitVisible(chromedp.ID("reply-body")),
		chromedp.SendKeys(chromedp.ID("reply-body"), "Halo Pak Budi, paket Anda tiba besok."))
	clickAndLoad(t, ctx, "submit as pending", `button[name="submit_status"][value="pending"]`)

	if loc := value(t, ctx, "location", chromedp.Location()); !strings.HasSuffix(loc, "?done=reply") {
		t.Fatalf("after replying the agent is at %s", loc)
	}
	text := value(t, ctx, "read the conversation", chromedp.Text(chromedp.ID("conversation")))
	if !strings.Contains(text, "Halo Pak Budi, paket Anda tiba besok.") || !strings.Contains(text, "NUS-1042") {
		t.Fatalf("conversation after the reply: %q", text)
	}
	head := value(t, ctx, "read the status", chromedp.Text(chromedp.CSS("#ticket-head .badge")))
	if head != "Pending" {
		t.Fatalf("status badge %q, want Pending", head)
	}
	got, err := s.App.Tickets.Get(context.Background(), s.actor(t, s.Agent), s.Ticket.ID)
	if err != nil || got.Status != "pending" {
		t.Fatalf("ticket after reply: %+v %v", got, err)
	}
	screenshot(t, ctx, "agent-replied")
}

// The open ticket page shows a new customer message without a reload.
func TestTicketPageUpdatesLiveWhenTheCustomerWrites(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, "tom@layan.test")
	step(t, ctx, "open the ticket", chromedp.Navigate(s.URL+"/agent/tickets/"+strconv.FormatInt(s.Ticket.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("conversation")),
		// A marker that a reload would wipe out.
		chromedp.Evaluate[chromedp.Void](`window.__notReloaded = true`))
	// Let the live stream connect before the customer writes.
	waitFor(t, ctx, "live stream open", `document.querySelector('.ticket-page').dataset.live === 'open'`)

	_, err := s.App.Tickets.Update(context.Background(), s.actor(t, s.Customer), s.Ticket.ID,
		ticket.Patch{Comment: &ticket.NewComment{Body: "Sudah ada kabar? Saya butuh paketnya hari Jumat.", Via: "email"}})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, ctx, "the customer's message appears",
		`document.getElementById('conversation').innerText.includes('Saya butuh paketnya hari Jumat')`)
	if !value(t, ctx, "still the same page", chromedp.Evaluate[bool](`window.__notReloaded === true`)) {
		t.Fatal("the page reloaded")
	}
	waitFor(t, ctx, "the notice names the customer",
		`!document.getElementById('live-banner').hidden && document.getElementById('live-banner').innerText.includes('Budi Santoso')`)
	if n := value(t, ctx, "count new messages", chromedp.Evaluate[int](`document.querySelectorAll('.comment.is-new').length`)); n != 1 {
		t.Fatalf("%d messages marked new, want 1", n)
	}
	screenshot(t, ctx, "live-update")
}

// A Persian agent gets a right-to-left page with Solar Hijri dates and Persian digits.
func TestPersianAgentGetsRightToLeftPageWithSolarHijriDates(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, "maryam@layan.test")
	step(t, ctx, "open the ticket", chromedp.Navigate(s.URL+"/agent/tickets/"+strconv.FormatInt(s.Ticket.ID, 10)),
		chromedp.WaitVisible(chromedp.ID("conversation")))
	attrs := value(t, ctx, "read <html>", chromedp.Attributes(chromedp.CSS("html")))
	if attrs["dir"] != "rtl" || attrs["lang"] != "fa" {
		t.Fatalf("<html> attributes %v, want lang=fa dir=rtl", attrs)
	}
	// The comment's absolute time: Solar Hijri, Tehran time, Persian digits.
	when := value(t, ctx, "read the comment time", chromedp.Text(chromedp.CSS(".comment .when .muted")))
	tehran, _ := time.LoadLocation("Asia/Tehran")
	wantDate := i18n.FormatDate("fa", s.Ticket.CreatedAt, tehran)
	if !strings.Contains(when, wantDate) || strings.ContainsAny(when, "0123456789") {
		t.Fatalf("comment time %q, want the Solar Hijri date %q in Persian digits", when, wantDate)
	}
	if !strings.ContainsAny(wantDate, "۱۴") {
		t.Fatalf("unexpected Solar Hijri date %q", wantDate)
	}
	// The layout is mirrored: the brand sits at the right edge, the ticket
	// fields panel to the right of the conversation.
	mirrored := value(t, ctx, "measure the layout", chromedp.Evaluate[bool](`(() => {
		const w = window.innerWidth;
		const brand = document.querySelector('.brand').getBoundingClientRect();
		const fields = document.querySelector('.ticket-fields').getBoundingClientRect();
		const main = document.querySelector('.ticket-main').getBoundingClientRect();
		return brand.left > w / 2 && fields.left > main.left && getComputedStyle(document.body).direction === 'rtl';
	})()`))
	if !mirrored {
		t.Fatal("the Persian page is not mirrored")
	}
	label := value(t, ctx, "read a label", chromedp.Text(chromedp.CSS(`label[for="tf-status"]`)))
	if label != i18n.T("fa", "ticket.status") {
		t.Fatalf("status label %q", label)
	}
	screenshot(t, ctx, "persian-rtl")
}

// Two agents on one ticket: each sees that the other is replying.
func TestAgentsSeeEachOtherReplying(t *testing.T) {
	s := startSite(t)
	tom := newBrowser(t)
	maryam := tab(t, tom)
	signIn(t, tom, s, "tom@layan.test")
	signIn(t, maryam, s, "maryam@layan.test")
	url := s.URL + "/agent/tickets/" + strconv.FormatInt(s.Ticket.ID, 10)
	step(t, tom, "Tom opens the ticket", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("reply-body")))
	step(t, maryam, "Maryam opens the ticket", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("reply-body")))
	waitFor(t, tom, "Tom sees Maryam viewing", `document.getElementById('presence').innerText.includes('مریم احمدی')`)
	step(t, maryam, "Maryam starts a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "سلام، در حال بررسی هستیم."))
	waitFor(t, tom, "Tom sees Maryam replying",
		`[...document.querySelectorAll('#presence li.is-replying')].some(li => li.innerText.includes('مریم احمدی') && li.innerText.includes('is also replying'))`)
	step(t, tom, "Tom starts a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Hi Budi"))
	waitFor(t, maryam, "Maryam sees Tom replying",
		`[...document.querySelectorAll('#presence li.is-replying')].some(li => li.innerText.includes('Tom Baker'))`)
	screenshot(t, tom, "collision-tom")
	screenshot(t, maryam, "collision-maryam")
}
