package e2e_test

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/kpi"
	"layan/internal/mail"
	"layan/internal/survey"
	"layan/internal/ticket"
)

// A manager working in Persian opens the dashboard, narrows it to one
// group, reads the server-drawn charts (mirrored for right to left) and a
// goal's progress; then switches to English and sees the same figures,
// still filtered by the group.
func TestMeasureManagerDashboardInPersianAndEnglish(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	a, sys, bg := s.App, auth.SystemActor(), context.Background()

	// Another group, so the filter has something to leave out.
	billing, err := a.Dir.CreateGroup(bg, sys, "Billing", "")
	if err != nil {
		t.Fatal(err)
	}
	manager, err := a.Dir.CreateUser(bg, sys, directory.UserInput{Name: "سارا کریمی", Email: "sara@layan.test", Role: auth.RoleAdmin,
		Locale: "fa", TimeZone: "Asia/Tehran", Password: password, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	// Tickets of the group, answered and solved, with a CSAT answer; one in Billing.
	solve := func(group int64, assignee int64) ticket.Ticket {
		tk, err := a.Tickets.Create(bg, sys, ticket.NewTicket{Subject: "Paket belum sampai", RequesterID: s.Customer.ID,
			GroupID: group, AssigneeID: assignee, Via: "web", Comment: ticket.NewComment{Body: "Halo"}})
		if err != nil {
			t.Fatal(err)
		}
		agent := s.actor(t, s.Agent)
		pub, st := true, "solved"
		if _, err := a.Tickets.Update(bg, agent, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "Sudah dikirim", Public: &pub}}); err != nil {
			t.Fatal(err)
		}
		if tk, err = a.Tickets.Update(bg, agent, tk.ID, ticket.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
		return tk
	}
	solve(s.Group.ID, s.Agent.ID)
	rated := solve(s.Group.ID, s.Agent.ID)
	solve(billing.ID, 0)
	offer, _, err := a.Surveys.OfferForTicket(bg, sys, rated.ID, survey.CSAT)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := a.Surveys.Token(bg, offer)
	if _, err := a.Surveys.AnswerByToken(bg, tok, 5, nil); err != nil {
		t.Fatal(err)
	}
	admin := s.actor(t, manager)
	now := time.Now().UTC()
	goal, err := a.KPI.CreateGoal(bg, admin, kpi.Goal{Name: "رضایت بالای ۹۰ درصد", KPI: "csat_percent", Target: 90,
		StartAt: now.AddDate(0, 0, -21), Deadline: now.AddDate(0, 2, 0), OwnerGroupID: s.Group.ID})
	if err != nil {
		t.Fatal(err)
	}
	group := strconv.FormatInt(s.Group.ID, 10)

	signIn(t, ctx, s, manager.Email)
	step(t, ctx, "open the dashboard", chromedp.Navigate(s.URL+"/agent/dashboard"), chromedp.WaitVisible(chromedp.ID("f-group")))
	waitUntil(t, ctx, "the dashboard is Persian, right to left", `document.documentElement.dir === 'rtl' &&
		document.querySelector('h1').innerText === 'داشبورد'`)
	// All groups: four tickets created (the site's own and ours).
	waitUntil(t, ctx, "four tickets in all groups", `document.querySelector('[data-kpi="created"] .kpi-value').innerText === '۴'`)

	// Filter by the group.
	step(t, ctx, "choose the group", setValue("#f-group", group))
	clickAndLoad(t, ctx, "apply the filters", "#apply-filters")
	waitUntil(t, ctx, "filtered by the group", fmt.Sprintf(`location.search.includes('group_id=%s') &&
		document.getElementById('f-group').value === %q &&
		document.querySelector('[data-kpi="created"] .kpi-value').innerText === '۳' &&
		document.querySelector('[data-kpi="csat_percent"] .kpi-value').innerText.includes('۱۰۰')`, group, group))
	waitUntil(t, ctx, "the charts are drawn, mirrored", `(() => {
		const charts = [...document.querySelectorAll('svg.chart')];
		return charts.length >= 2 && charts.every(c => c.getBoundingClientRect().width > 200) &&
			charts[0].getAttribute('direction') === 'rtl' && charts[0].querySelector('path') !== null &&
			document.getElementById('chart-volume-title').textContent === 'تیکت‌های ایجادشده و حل‌شده';
	})()`)
	waitUntil(t, ctx, "the pairs sit side by side", `document.querySelectorAll('.kpi-pair').length === 4`)
	waitUntil(t, ctx, "the goal is listed with its status", fmt.Sprintf(`(() => {
		const row = document.querySelector('tr[data-goal="%d"]');
		return row !== null && row.querySelector('.badge').innerText.length > 0;
	})()`, goal.ID))
	screenshot(t, ctx, "measure-dashboard-fa")
	step(t, ctx, "scroll to the charts", chromedp.Evaluate[chromedp.Void](`document.getElementById('pairs-h').scrollIntoView()`))
	screenshot(t, ctx, "measure-dashboard-fa-charts")

	// The goal's progress: weekly values, projection and target.
	clickAndLoad(t, ctx, "open the goal", fmt.Sprintf(`tr[data-goal="%d"] a`, goal.ID))
	waitUntil(t, ctx, "the goal's progress chart", `document.getElementById('chart-goal-title') !== null &&
		document.querySelector('svg.chart .chart-target') !== null && document.querySelector('svg.chart circle') !== null &&
		['در مسیر', 'خارج از مسیر'].includes(document.querySelector('.goal-progress .badge').innerText)`)
	step(t, ctx, "scroll to the chart", chromedp.Evaluate[chromedp.Void](`document.getElementById('progress-h').scrollIntoView()`))
	screenshot(t, ctx, "measure-goal-fa")

	// English, back on the filtered dashboard.
	step(t, ctx, "back to the dashboard", chromedp.Navigate(s.URL+"/agent/dashboard?group_id="+group),
		chromedp.WaitVisible(chromedp.ID("lang-select")))
	value(t, ctx, "choose English", chromedp.WaitEvent(pageLoad, nil, chromedp.Evaluate[chromedp.Void](
		`(() => { const s = document.getElementById('lang-select'); s.value = 'en'; s.dispatchEvent(new Event('change')); })()`)))
	waitUntil(t, ctx, "the dashboard is English, still filtered", fmt.Sprintf(`document.documentElement.dir === 'ltr' &&
		document.querySelector('h1').innerText === 'Dashboard' && document.getElementById('f-group').value === %q &&
		document.querySelector('[data-kpi="created"] .kpi-value').innerText === '3'`, group))
	waitUntil(t, ctx, "the charts are drawn left to right", `(() => {
		const charts = [...document.querySelectorAll('svg.chart')];
		return charts.length >= 2 && charts[0].getAttribute('direction') === null &&
			document.getElementById('chart-volume-title').textContent === 'Tickets created and resolved';
	})()`)
	waitUntil(t, ctx, "the goal's status in English", fmt.Sprintf(`['On track', 'Off track'].includes(
		document.querySelector('tr[data-goal="%d"] .badge').innerText)`, goal.ID))
	screenshot(t, ctx, "measure-dashboard-en")
	clickAndLoad(t, ctx, "open the goal in English", fmt.Sprintf(`tr[data-goal="%d"] a`, goal.ID))
	waitUntil(t, ctx, "the goal's chart in English", `document.querySelector('.chart-target text').textContent.startsWith('Target 90')`)

	// From the dashboard to the report of the same filters, and its CSV.
	step(t, ctx, "back to the dashboard", chromedp.Navigate(s.URL+"/agent/dashboard?group_id="+group),
		chromedp.WaitVisible(chromedp.ID("volume-h")))
	clickAndLoad(t, ctx, "open as a report", `a[href^="/agent/reports?"]`)
	waitUntil(t, ctx, "the report keeps the group and draws its chart", fmt.Sprintf(`document.getElementById('f-group').value === %q &&
		document.getElementById('chart-report-title').textContent === 'Tickets created' &&
		document.querySelectorAll('.report-table tbody tr').length >= 28`, group))
	waitUntil(t, ctx, "the CSV downloads", `(() => {
		const x = new XMLHttpRequest(); // synchronous: the check needs no promise
		x.open('GET', document.querySelector('a[href^="/agent/reports/export?"]').href, false);
		x.send();
		return x.status === 200 && x.getResponseHeader('Content-Type').startsWith('text/csv') &&
			x.responseText.includes('from,to,created,previous_created');
	})()`)
}

// A customer gets the survey mail in Indonesian when their request is
// solved, clicks a score in it (one click records it), and adds a comment
// on the page that opens, without signing in.
func TestMeasureCustomerAnswersSurveyFromMail(t *testing.T) {
	s := startSite(t)
	a, sys, bg := s.App, auth.SystemActor(), context.Background()
	agent := s.actor(t, s.Agent)
	st := "solved"
	if _, err := a.Tickets.Update(bg, agent, s.Ticket.ID, ticket.Patch{Status: &st}); err != nil {
		t.Fatal(err)
	}
	// What Watch does when the ticket is solved, and what the mailer sends.
	for _, kind := range []string{survey.CSAT, survey.CES} {
		if _, _, err := a.Surveys.OfferForTicket(bg, sys, s.Ticket.ID, kind); err != nil {
			t.Fatal(err)
		}
	}
	rec := &mail.Recorder{}
	m := &survey.Mailer{S: a.Surveys, Dir: a.Dir, Mail: rec, BaseURL: s.URL, Settle: time.Nanosecond}
	if _, err := m.SendPending(bg); err != nil {
		t.Fatal(err)
	}
	got := rec.To(s.Customer.Email)
	if len(got) != 1 || got[0].Locale != "id" || !strings.Contains(got[0].Subject, "Bagaimana layanan kami") {
		t.Fatalf("survey mail: %+v", got)
	}
	link := regexp.MustCompile(regexp.QuoteMeta(s.URL) + `/surveys/[^\s?]+\?score=5`).FindString(got[0].Text)
	if link == "" {
		t.Fatalf("no one-click link in %s", got[0].Text)
	}

	ctx := newBrowser(t)
	step(t, ctx, "click 5 in the mail", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("survey-thanks")))
	waitUntil(t, ctx, "the page is Indonesian with 5 chosen", `document.documentElement.lang === 'id' &&
		document.querySelector('h1').innerText === 'Bagaimana layanan kami?' &&
		document.querySelector('input[name="score"][value="5"]').checked`)
	offer, _, _ := a.Surveys.OfferForTicket(bg, sys, s.Ticket.ID, survey.CSAT) // the existing offer
	tok, _ := a.Surveys.Token(bg, offer)
	if r, _ := a.Surveys.ByToken(bg, tok); r.Score == nil || *r.Score != 5 {
		t.Fatalf("the click did not record the score: %+v", r.Score)
	}
	step(t, ctx, "write a comment", chromedp.SendKeys(chromedp.ID("survey-comment"), "Cepat dan ramah, terima kasih!"))
	clickAndLoad(t, ctx, "send", `#survey-form button[type="submit"]`)
	waitUntil(t, ctx, "saved", `document.getElementById('survey-done') !== null`)
	screenshot(t, ctx, "measure-survey-id")
	if r, _ := a.Surveys.ByToken(bg, tok); r.Comment != "Cepat dan ramah, terima kasih!" || *r.Score != 5 {
		t.Fatalf("answer: %+v", r)
	}
}
