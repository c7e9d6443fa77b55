package e2e_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"layan/internal/auth"
	"layan/internal/directory"
)

// An admin working in Indonesian turns routing on, puts an agent of the
// delivery team online and builds a trigger in the editor ("subject
// contains paket" → route to the delivery group, add tags). A ticket then
// arrives through the API; the flow of work (running as in `layan serve`)
// routes it to that group and agent and tags it, and the admin sees it so.
func TestAdminBuildsTriggerInIndonesianThenTicketIsRoutedAndTagged(t *testing.T) {
	s := startSite(t)
	ctx := newBrowser(t)
	a, sys := s.App, auth.SystemActor()
	bg := context.Background()

	delivery, err := a.Dir.CreateGroup(bg, sys, "Tim Pengiriman", "")
	if err != nil {
		t.Fatal(err)
	}
	dewi, err := a.Dir.CreateUser(bg, sys, directory.UserInput{Name: "Dewi Lestari", Email: "dewi@layan.test", Role: auth.RoleAgent,
		Locale: "id", Password: password, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Dir.AddMember(bg, sys, dewi.ID, delivery.ID); err != nil {
		t.Fatal(err)
	}
	admin, err := a.Dir.CreateUser(bg, sys, directory.UserInput{Name: "Siti Rahma", Email: "siti@layan.test", Role: auth.RoleAdmin,
		Locale: "en", Password: password, Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	// The flow of work runs as `layan serve` runs it: reading events as they are published.
	runCtx, stop := context.WithCancel(bg)
	done := make(chan struct{})
	go func() { defer close(done); a.Flow.Run(runCtx, a.Bus, 200*time.Millisecond, time.Hour) }()
	t.Cleanup(func() { stop(); <-done })

	signIn(t, ctx, s, admin.Email)
	step(t, ctx, "open the triggers", chromedp.Navigate(s.URL+"/admin/triggers"))
	value(t, ctx, "choose Bahasa Indonesia", chromedp.WaitEvent(pageLoad, nil, chromedp.Evaluate[chromedp.Void](
		`(() => { const s = document.getElementById('lang-select'); s.value = 'id'; s.dispatchEvent(new Event('change')); })()`)))
	waitUntil(t, ctx, "the page is Indonesian", `document.documentElement.lang === 'id' && document.querySelector('h1').innerText.startsWith('Pemicu')`)

	// Routing on, Dewi online.
	step(t, ctx, "open routing", chromedp.Navigate(s.URL+"/admin/routing"), chromedp.WaitVisible(chromedp.ID("routing-enabled")))
	step(t, ctx, "turn routing on", chromedp.Click(chromedp.ID("routing-enabled")))
	clickAndLoad(t, ctx, "save routing", `#routing-form button[type="submit"]`)
	waitUntil(t, ctx, "routing saved", `document.getElementById('routing-enabled').checked && document.querySelector('.flash-ok') !== null`)
	row := fmt.Sprintf("#agent-%d", dewi.ID)
	step(t, ctx, "put Dewi online", setValue(row+` select[name="status"]`, "online"))
	clickAndLoad(t, ctx, "save Dewi's availability", row+` button[type="submit"]`)
	waitUntil(t, ctx, "Dewi is online", fmt.Sprintf(`document.querySelector(%q).value === 'online'`, row+` select[name="status"]`))

	// The trigger, built in the editor.
	step(t, ctx, "open triggers", chromedp.Navigate(s.URL+"/admin/triggers"), chromedp.WaitVisible(chromedp.ID("new-rule")))
	clickAndLoad(t, ctx, "new trigger", "#new-rule")
	waitUntil(t, ctx, "the editor is Indonesian", `document.querySelector('h1').innerText === 'Pemicu baru' &&
		[...document.querySelectorAll('#all-rows select[name="all_field"] option')].some(o => o.text === 'Subjek berisi kata')`)
	screenshot(t, ctx, "flow-trigger-editor-id")
	first, second := `#all-rows tbody tr:nth-child(1) `, `#all-rows tbody tr:nth-child(2) `
	act1, act2 := `#action-rows tbody tr:nth-child(1) `, `#action-rows tbody tr:nth-child(2) `
	step(t, ctx, "fill in the trigger",
		chromedp.SendKeys(chromedp.ID("rule-title"), "Paket ke Tim Pengiriman"),
		setValue(first+`select[name="all_field"]`, "update_type"),
		setValue(first+`select[name="all_op"]`, "is"),
		chromedp.SendKeys(chromedp.CSS(first+`input[name="all_value"]`), "Create"),
		setValue(second+`select[name="all_field"]`, "subject_includes_word"),
		setValue(second+`select[name="all_op"]`, "includes"),
		chromedp.SendKeys(chromedp.CSS(second+`input[name="all_value"]`), "paket"),
		setValue(act1+`select[name="act_field"]`, "group_id"),
		chromedp.SendKeys(chromedp.CSS(act1+`input[name="act_value"]`), fmt.Sprint(delivery.ID)),
		setValue(act2+`select[name="act_field"]`, "current_tags"),
		chromedp.SendKeys(chromedp.CSS(act2+`input[name="act_value"]`), "pengiriman ekspedisi"))
	clickAndLoad(t, ctx, "save the trigger", "#save-rule")
	waitUntil(t, ctx, "the trigger is saved", `location.pathname.match(/^\/admin\/triggers\/\d+$/) !== null && document.querySelector('.flash-ok') !== null`)
	rules, err := a.Flow.Rules(bg, s.actor(t, admin), "trigger")
	if err != nil || len(rules) != 1 || !rules[0].Active || len(rules[0].Conditions.All) != 2 || len(rules[0].Actions) != 2 {
		t.Fatalf("stored triggers = %+v, %v", rules, err)
	}

	// A customer's ticket arrives through the API, and another that does not match.
	token, err := a.Dir.CreateToken(bg, sys, admin.ID, "e2e")
	if err != nil {
		t.Fatal(err)
	}
	create := func(subject string) int64 {
		body := fmt.Sprintf(`{"ticket":{"subject":%q,"comment":{"body":"Pesanan NUS-7 belum sampai."},"requester_id":%d,"group_id":%d}}`,
			subject, s.Customer.ID, s.Group.ID)
		req, _ := http.NewRequest("POST", s.URL+"/api/v2/tickets.json", strings.NewReader(body))
		req.SetBasicAuth(admin.Email+"/token", token)
		req.Header.Set("Content-Type", "application/json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create ticket: %s", res.Status)
		}
		var id int64
		fmt.Sscanf(res.Header.Get("Location")[strings.LastIndex(res.Header.Get("Location"), "/")+1:], "%d", &id)
		return id
	}
	matching := create("Paket saya belum sampai")
	other := create("Tidak bisa masuk ke akun")
	if matching == 0 || other == 0 {
		t.Fatal("no ticket ids")
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := a.Tickets.Get(bg, sys, matching)
		if err != nil {
			t.Fatal(err)
		}
		if got.GroupID == delivery.ID && got.AssigneeID == dewi.ID && hasTags(got.Tags, "pengiriman", "ekspedisi") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ticket %d not routed and tagged: group %d assignee %d tags %v", matching, got.GroupID, got.AssigneeID, got.Tags)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got, _ := a.Tickets.Get(bg, sys, other)
	if got.GroupID == delivery.ID || hasTags(got.Tags, "pengiriman") {
		t.Fatalf("the other ticket was changed: group %d tags %v", got.GroupID, got.Tags)
	}

	// The admin sees it on the ticket page.
	step(t, ctx, "open the ticket", chromedp.Navigate(fmt.Sprintf("%s/agent/tickets/%d", s.URL, matching)),
		chromedp.WaitVisible(chromedp.ID("tf-group")))
	waitUntil(t, ctx, "group, assignee and tags show", fmt.Sprintf(`document.getElementById('tf-group').value === '%d' &&
		document.getElementById('tf-assignee').value === '%d' && document.getElementById('tf-tags').value.includes('pengiriman')`,
		delivery.ID, dewi.ID))
	screenshot(t, ctx, "flow-ticket-routed-id")
}

func hasTags(tags []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, t := range tags {
			found = found || t == w
		}
		if !found {
			return false
		}
	}
	return true
}
