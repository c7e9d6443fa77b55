package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/forum"
)

// The community forum, as people use it: a customer asks in Persian (a new
// member: the post waits for a moderator, who approves it), another
// customer answers, the asker accepts the answer; the thread shows as
// solved, anonymous visitors find it with the community search and the
// chatbot answers with it; a new member's spam waits in the queue with its
// spam score and a moderator hides it, after which nobody but staff sees it.
func TestForumPersianQuestionIsAnsweredAcceptedAndFound(t *testing.T) {
	s := startSite(t)
	browser := newBrowser(t)
	ctx := context.Background()
	sys := auth.SystemActor()
	mk := func(name, email string) directory.User {
		u, err := s.App.Dir.CreateUser(ctx, sys, directory.UserInput{Name: name, Email: email, Role: auth.RoleEndUser,
			Locale: "fa", TimeZone: "Asia/Tehran", Password: password, Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	asker, answerer, spammer := mk("سارا رضایی", "sara@example.test"), mk("رضا کریمی", "reza@example.test"), mk("Spam Bot", "spam@example.test")
	topic, err := s.App.Forum.CreateTopic(ctx, sys, forum.TopicInput{Name: "حساب کاربری"})
	if err != nil {
		t.Fatal(err)
	}
	// Reza has answered before: a moderator trusts him, so he skips the queue.
	if err := s.App.Forum.SetTrusted(ctx, sys, answerer.ID, true); err != nil {
		t.Fatal(err)
	}

	// Sara asks in Persian; the page is right-to-left.
	sara := tab(t, browser)
	signIn(t, sara, s, asker.Email)
	step(t, sara, "open the ask form", chromedp.Navigate(s.URL+"/community/posts/new"))
	if dir := value(t, sara, "read the direction", chromedp.Evaluate[string](`document.documentElement.dir`)); dir != "rtl" {
		t.Fatalf("Persian page direction %q", dir)
	}
	step(t, sara, "write the question",
		setValue("#topic_id", fmt.Sprint(topic.ID)),
		setValue("#title", "چطور رمز عبور حسابم را تغییر بدهم؟"),
		setValue("#details", "می‌خواهم رمز عبور حسابم را عوض کنم ولی در صفحه حساب گزینه‌ای پیدا نمی‌کنم."))
	clickAndLoad(t, sara, "post the question", `form[action="/community/posts"] button[type="submit"]`)
	loc := value(t, sara, "location", chromedp.Location())
	if !strings.Contains(loc, "/community/posts/") || !strings.Contains(loc, "done=queued") {
		t.Fatalf("after posting: %s", loc)
	}
	postURL := strings.Split(loc, "?")[0]
	if st := value(t, sara, "read the status", chromedp.Text(chromedp.ID("post-status"))); st != "در انتظار بررسی" {
		t.Fatalf("queued badge: %q", st)
	}
	screenshot(t, sara, "forum-queued-fa")

	// Nobody else sees it until a moderator approves it.
	anon := tab(t, browser)
	step(t, anon, "open the queued post", chromedp.Navigate(postURL))
	if h := value(t, anon, "read the heading", chromedp.Text(chromedp.CSS("main h1"))); strings.Contains(h, "رمز عبور") {
		t.Fatal("an anonymous visitor reads a queued post")
	}
	mod := tab(t, browser)
	signIn(t, mod, s, s.Agent.Email)
	step(t, mod, "open the moderators' desk", chromedp.Navigate(s.URL+"/agent/community"))
	clickAndLoad(t, mod, "approve the question", `.queue-item[data-target="post"] button[value="approve"]`)
	if n := value(t, mod, "count the queue", chromedp.Evaluate[int](`document.querySelectorAll('.queue-item').length`)); n != 0 {
		t.Fatalf("%d items still queued", n)
	}

	// Reza answers.
	reza := tab(t, browser)
	signIn(t, reza, s, answerer.Email)
	step(t, reza, "open the question", chromedp.Navigate(postURL),
		setValue("#answer-body", "به **تنظیمات حساب** بروید و روی «تغییر رمز عبور» بزنید؛ پیوندی به ایمیل شما فرستاده می‌شود."))
	clickAndLoad(t, reza, "post the answer", `#answer-form button[type="submit"]`)
	waitFor(t, reza, "the answer is shown", `document.querySelectorAll('.forum-answer').length === 1`)

	// Sara accepts it: the thread is solved, the answer marked.
	step(t, sara, "reload the question", chromedp.Navigate(postURL))
	clickAndLoad(t, sara, "accept the answer", `.forum-answer .accept-btn`)
	if b := value(t, sara, "read the solved badge", chromedp.Text(chromedp.ID("solved-badge"))); b != "حل‌شده" {
		t.Fatalf("solved badge %q", b)
	}
	if m := value(t, sara, "read the accepted mark", chromedp.Text(chromedp.CSS(".forum-answer.accepted .accepted-mark"))); m != "پاسخ پذیرفته‌شده" {
		t.Fatalf("accepted mark %q", m)
	}
	screenshot(t, sara, "forum-solved-fa")

	// Anyone finds it: the list marks it solved, search finds it (with a
	// different spelling: Arabic yeh, no half-space), the chatbot answers with it.
	step(t, anon, "open the community", chromedp.Navigate(s.URL+"/community"))
	waitFor(t, anon, "the list shows it solved", `[...document.querySelectorAll('.forum-row')].some(r => r.textContent.includes('Solved') && r.textContent.includes('رمز عبور'))`)
	step(t, anon, "search", chromedp.Navigate(s.URL+"/community/search?q="+url.QueryEscape("تغيير رمز عبور")))
	href := value(t, anon, "read the first hit", chromedp.Evaluate[string](`(document.querySelector('.forum-hit a') || {}).href || ''`))
	if href != postURL {
		t.Fatalf("search hit %q, want %q", href, postURL)
	}
	answer := value(t, anon, "ask the chatbot", chromedp.Evaluate[map[string]any](`fetch('/api/layan/v1/bot/messages', {method: 'POST',
		headers: {'Content-Type': 'application/json'},
		body: JSON.stringify({message: {text: 'رمز عبور حسابم را چطور تغییر بدهم', locale: 'fa'}})}).then(r => r.json())`, chromedp.EvalAwaitPromise))
	if answer["answered"] != true {
		t.Fatalf("the chatbot did not answer: %v", answer)
	}
	if a, _ := answer["answer"].(map[string]any); a["kind"] != "forum" || a["html_url"] != postURL {
		t.Fatalf("chatbot answer: %v", answer)
	}

	// A new member posts spam: it waits with a high spam score; a moderator hides it.
	spam := tab(t, browser)
	signIn(t, spam, s, spammer.Email)
	step(t, spam, "open the ask form", chromedp.Navigate(s.URL+"/community/posts/new"),
		setValue("#title", "Cheap followers"),
		setValue("#details", "Best casino bonus https://spam.example/a https://spam.example/b www.spam.example"))
	clickAndLoad(t, spam, "post the spam", `form[action="/community/posts"] button[type="submit"]`)
	spamURL := strings.Split(value(t, spam, "location", chromedp.Location()), "?")[0]
	step(t, mod, "open the desk", chromedp.Navigate(s.URL+"/agent/community"))
	score := value(t, mod, "read the spam score", chromedp.Text(chromedp.CSS(`.queue-item[data-target="post"] .badge-danger`)))
	if !strings.Contains(score, "spam score") {
		t.Fatalf("spam score badge %q", score)
	}
	screenshot(t, mod, "forum-desk")
	clickAndLoad(t, mod, "hide the spam", `.queue-item[data-target="post"] button[value="hide"]`)
	step(t, mod, "open the log", chromedp.Navigate(s.URL+"/agent/community"))
	if log := value(t, mod, "read the log", chromedp.Text(chromedp.CSS(".forum-log"))); !strings.Contains(log, "hid") || !strings.Contains(log, "approved") {
		t.Fatalf("moderation log: %q", log)
	}
	for name, c := range map[string]context.Context{"anonymous": anon, "the spammer": spam} {
		step(t, c, "open the hidden post", chromedp.Navigate(spamURL))
		if h := value(t, c, "read the heading", chromedp.Text(chromedp.CSS("main h1"))); strings.Contains(h, "Cheap followers") {
			t.Fatalf("%s reads the hidden spam", name)
		}
	}
	resp, err := http.Get(spamURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("hidden post: status %d, want 404", resp.StatusCode)
	}
}
