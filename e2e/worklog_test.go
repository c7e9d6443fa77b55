package e2e_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The visit timer: an agent spends a couple of seconds on a ticket, replies,
// and the time worked shows on the page; leaving the page sends the rest of
// the visit by beacon.
func TestTimeWorkedRisesWhenTheAgentReplies(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	signIn(t, ctx, s, "tom@layan.test")
	url := s.URL + "/agent/tickets/" + strconv.FormatInt(s.Ticket.ID, 10)
	step(t, ctx, "open the ticket", chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID("worklog-panel")))
	if got := value(t, ctx, "no time yet", chromedp.Evaluate[bool](`!document.querySelector('[data-worklog-total]')`)); !got {
		t.Fatal("a total shows before any time was logged")
	}
	waitFor(t, ctx, "the visit clock runs while the page is visible",
		`document.querySelector('[data-worklog-clock]').textContent === '0:02' && !document.querySelector('[data-worklog-timer]').hidden`)
	step(t, ctx, "write a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Kami sedang mengecek ke kurir."))
	clickAndLoad(t, ctx, "submit as pending", `button[name="submit_status"][value="pending"]`)

	total := value(t, ctx, "read the total", chromedp.Text(chromedp.CSS("[data-worklog-total]")))
	if n, err := strconv.Atoi(strings.TrimSuffix(total, " s")); err != nil || n < 2 || n > 30 {
		t.Fatalf("time worked after the reply: %q, want a few seconds", total)
	}
	tom := s.actor(t, s.Agent)
	tot, err := s.App.Tickets.WorkTotal(context.Background(), tom, s.Ticket.ID)
	if err != nil || tot.Entries != 1 || tot.Total < 2*time.Second || tot.Agents[0].AgentID != s.Agent.ID {
		t.Fatalf("work logged with the reply: %+v %v", tot, err)
	}
	screenshot(t, ctx, "time-worked")

	// Leaving the page sends the new visit by beacon, with its CSRF token.
	waitFor(t, ctx, "a new visit counts", `document.querySelector('[data-worklog-clock]').textContent === '0:01'`)
	step(t, ctx, "leave the ticket", chromedp.Navigate(s.URL+"/agent"))
	deadline := time.Now().Add(10 * time.Second)
	for {
		tot, err = s.App.Tickets.WorkTotal(context.Background(), tom, s.Ticket.ID)
		if err == nil && tot.Entries == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no beacon after leaving the page: %+v %v", tot, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
