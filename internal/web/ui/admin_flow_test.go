package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"layan/internal/automation"
	"layan/internal/blob"
	"layan/internal/channel/webhook"
	"layan/internal/collab"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/mail"
	"layan/internal/testkit"
	"layan/internal/ticket"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// flowEnv is env with the flow-of-work service behind the pages.
type flowEnv struct {
	*env
	flow   *automation.Service
	collab *collab.Service
	mail   *mail.Recorder
}

func newFlowEnv(t *testing.T) *flowEnv {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	flow := automation.NewService(d, w.Tickets, w.Dir, nil, w.Clock.Now, testkit.QuietLogger())
	flow.CheckURL = webhook.New(webhook.Options{Allowed: flow.AllowedWebhookHost}).CheckURL
	co := collab.NewService(d, w.Tickets, w.Dir, w.Bus, w.Clock.Now, testkit.QuietLogger())
	rec := &mail.Recorder{}
	co.Mail, co.BaseURL = rec, "https://help.example.com"
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, Flow: flow, Collab: co})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &flowEnv{env: &env{t: t, w: w, pages: pages, h: h}, flow: flow, collab: co, mail: rec}
}

var flowPages = []string{"/admin/triggers", "/admin/triggers/new", "/admin/automations", "/admin/automations/new",
	"/admin/macros", "/admin/macros/new", "/admin/sla", "/admin/sla/new", "/admin/schedules", "/admin/schedules/new",
	"/admin/routing", "/admin/webhooks"}

// Only admins reach the flow pages; agents get 403, visitors the sign-in page.
func TestFlowPagesAreAdminOnly(t *testing.T) {
	e := newFlowEnv(t)
	agent, admin := e.login(e.w.Agent), e.login(e.w.Admin)
	for _, p := range flowPages {
		wantStatus(t, e.get(agent, p), http.StatusForbidden)
		wantStatus(t, e.get(anonymous, p), http.StatusSeeOther)
		wantStatus(t, e.get(admin, p), http.StatusOK)
	}
	rec := e.post(agent, "/admin/triggers", url.Values{"title": {"x"}, "act_field": {"status"}, "act_value": {"open"}})
	wantStatus(t, rec, http.StatusForbidden)
	if rules, _ := e.flow.Rules(context.Background(), e.w.Admin, automation.KindTrigger); len(rules) != 0 {
		t.Fatalf("an agent's post made %d triggers", len(rules))
	}
	// Without CSRF token nothing is saved either.
	rec = e.post(admin, "/admin/triggers", url.Values{"csrf_token": {""}, "title": {"x"}, "act_field": {"status"}, "act_value": {"open"}})
	if rec.Code < 400 {
		t.Fatalf("post without CSRF token: %d", rec.Code)
	}
}

// Every flow page renders in every language (Persian right to left).
func TestFlowPagesInEveryLanguage(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	for _, loc := range []string{"en", "id", "fa"} {
		locale := loc
		if _, err := e.w.Dir.UpdateUser(ctx, e.w.Admin, e.w.Admin.UserID, directory.UserPatch{Locale: &locale}); err != nil {
			t.Fatal(err)
		}
		admin := e.login(e.w.Admin)
		for _, p := range flowPages {
			rec := e.get(admin, p)
			wantStatus(t, rec, http.StatusOK)
			body := rec.Body.String()
			if !strings.Contains(body, `lang="`+loc+`"`) {
				t.Errorf("%s in %s: page is not in %s", p, loc, loc)
			}
			if strings.Contains(body, "flow.") && strings.Contains(body, ">flow.") {
				t.Errorf("%s in %s: an untranslated key shows", p, loc)
			}
		}
	}
	admin := e.login(e.w.Admin)
	wantContains(t, e.get(admin, "/admin/triggers/new").Body.String(), `dir="rtl"`, "تریگر جدید", "موضوع شامل واژه")
}

// An admin builds a trigger with the editor; it is stored as written,
// shows in the list, and runs on a matching new ticket.
func TestAdminBuildsTrigger(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	form := url.Values{"title": {"Pengiriman ke grup Billing"}, "position": {"1"}, "active": {"1"},
		"all_field": {"update_type", "subject_includes_word", ""}, "all_op": {"is", "includes", "is"},
		"all_value": {"Create", "paket", ""},
		"any_field": {"", ""}, "any_op": {"is", "is"}, "any_value": {"", ""},
		"act_field": {"group_id", "current_tags", ""}, "act_value": {itoa(e.w.Billing.ID), "pengiriman ekspedisi", ""}}
	rec := e.post(admin, "/admin/triggers", form)
	wantStatus(t, rec, http.StatusSeeOther)
	rules, err := e.flow.Rules(ctx, e.w.Admin, automation.KindTrigger)
	if err != nil || len(rules) != 1 {
		t.Fatalf("rules = %v, %v", rules, err)
	}
	r := rules[0]
	if !r.Active || len(r.Conditions.All) != 2 || len(r.Conditions.Any) != 0 || len(r.Actions) != 2 || r.Position != 1 {
		t.Fatalf("stored rule = %+v", r)
	}
	if loc := rec.Header().Get("Location"); loc != "/admin/triggers/"+itoa(r.ID)+"?done=saved" {
		t.Fatalf("redirect to %q", loc)
	}
	page := e.get(admin, "/admin/triggers/"+itoa(r.ID)).Body.String()
	wantContains(t, page, `value="paket"`, `value="pengiriman ekspedisi"`, "Pengiriman ke grup Billing")
	wantContains(t, e.get(admin, "/admin/triggers").Body.String(), "/admin/triggers/"+itoa(r.ID))

	tk, err := e.w.Tickets.Create(ctx, e.w.Alice, ticket.NewTicket{Subject: "Paket saya belum sampai",
		Comment: ticket.NewComment{Body: "Tolong dicek"}})
	if err != nil {
		t.Fatal(err)
	}
	other, err := e.w.Tickets.Create(ctx, e.w.Alice, ticket.NewTicket{Subject: "Password reset", Comment: ticket.NewComment{Body: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.flow.Process(ctx); err != nil {
		t.Fatal(err)
	}
	got, _ := e.w.Tickets.Get(ctx, e.w.Admin, tk.ID)
	if got.GroupID != e.w.Billing.ID || !hasAll(got.Tags, "pengiriman", "ekspedisi") {
		t.Fatalf("matching ticket: group %d tags %v", got.GroupID, got.Tags)
	}
	got, _ = e.w.Tickets.Get(ctx, e.w.Admin, other.ID)
	if got.GroupID == e.w.Billing.ID || hasAll(got.Tags, "pengiriman") {
		t.Fatalf("other ticket changed: group %d tags %v", got.GroupID, got.Tags)
	}
}

func hasAll(list []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, x := range list {
			found = found || x == w
		}
		if !found {
			return false
		}
	}
	return true
}

// Bad input comes back with a message and stores nothing.
func TestFlowFormsRefuseBadInput(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	for name, tc := range map[string]struct {
		path string
		form url.Values
	}{
		"trigger without title":  {"/admin/triggers", url.Values{"title": {""}, "act_field": {"status"}, "act_value": {"open"}}},
		"trigger without action": {"/admin/triggers", url.Values{"title": {"t"}, "all_field": {"status"}, "all_op": {"is"}, "all_value": {"new"}}},
		"unknown operator":       {"/admin/triggers", url.Values{"title": {"t"}, "all_field": {"status"}, "all_op": {"<script>"}, "all_value": {"new"}, "act_field": {"status"}, "act_value": {"open"}}},
		"automation without time": {"/admin/automations", url.Values{"title": {"t"}, "all_field": {"status"}, "all_op": {"is"}, "all_value": {"pending"},
			"act_field": {"status"}, "act_value": {"solved"}}},
		"bad position":     {"/admin/triggers", url.Values{"title": {"t"}, "position": {"x"}, "act_field": {"status"}, "act_value": {"open"}}},
		"macro empty":      {"/admin/macros", url.Values{"title": {"m"}}},
		"sla no target":    {"/admin/sla", url.Values{"title": {"s"}}},
		"sla bad minutes":  {"/admin/sla", url.Values{"title": {"s"}, "target_first_reply_time_high": {"-5"}}},
		"schedule bad tz":  {"/admin/schedules", url.Values{"name": {"n"}, "time_zone": {"Mars/Olympus"}}},
		"schedule bad day": {"/admin/schedules", url.Values{"name": {"n"}, "time_zone": {"UTC"}, "open_mon": {"1"}, "start_mon": {"18:00"}, "end_mon": {"09:00"}}},
		"holiday bad date": {"/admin/schedules", url.Values{"name": {"n"}, "time_zone": {"UTC"}, "holidays": {"tomorrow Lebaran"}}},
		"webhook loopback": {"/admin/webhooks", url.Values{"name": {"w"}, "endpoint": {"http://127.0.0.1:9/hook"}}},
		"webhook metadata": {"/admin/webhooks", url.Values{"name": {"w"}, "endpoint": {"http://169.254.169.254/latest"}}},
		"routing mode":     {"/admin/routing", url.Values{"enabled": {"1"}, "mode": {"random"}}},
		"allow host url":   {"/admin/webhooks/allow", url.Values{"hosts": {"http://x/y"}}},
	} {
		t.Run(name, func(t *testing.T) {
			rec := e.post(admin, tc.path, tc.form)
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantContains(t, rec.Body.String(), `role="alert"`)
		})
	}
	for _, kind := range []string{automation.KindTrigger, automation.KindAutomation} {
		if rs, _ := e.flow.Rules(ctx, e.w.Admin, kind); len(rs) != 0 {
			t.Errorf("%d %s stored from bad input", len(rs), kind)
		}
	}
	ms, _ := e.flow.Macros(ctx, e.w.Admin)
	ps, _ := e.flow.Policies(ctx, e.w.Admin)
	ss, _ := e.flow.Schedules(ctx, e.w.Admin)
	ws, _ := e.flow.Webhooks(ctx, e.w.Admin)
	if len(ms)+len(ps)+len(ss)+len(ws) != 0 {
		t.Errorf("stored from bad input: %d macros, %d policies, %d schedules, %d webhooks", len(ms), len(ps), len(ss), len(ws))
	}
}

// SLA policies and schedules round-trip through their forms.
func TestAdminSavesSLAAndSchedule(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/schedules", url.Values{"name": {"Jakarta office"}, "time_zone": {"Asia/Jakarta"},
		"open_mon": {"1"}, "start_mon": {"08:00"}, "end_mon": {"16:30"}, "open_fri": {"1"}, "start_fri": {"08:00"}, "end_fri": {"11:30"},
		"holidays": {"2026-12-25 Natal\n2026-03-19..2026-03-21 Nyepi"}, "group_ids": {itoa(e.w.Support.ID)}})
	wantStatus(t, rec, http.StatusSeeOther)
	ss, _ := e.flow.Schedules(ctx, e.w.Admin)
	if len(ss) != 1 || len(ss[0].Intervals) != 2 || ss[0].Intervals[0] != (automation.WeekInterval{StartTime: 1440 + 480, EndTime: 1440 + 990}) ||
		len(ss[0].Holidays) != 2 || ss[0].Holidays[1].EndDate != "2026-03-21" || ss[0].GroupIDs[0] != e.w.Support.ID {
		t.Fatalf("schedule = %+v", ss)
	}
	page := e.get(admin, "/admin/schedules/"+itoa(ss[0].ID)).Body.String()
	wantContains(t, page, `value="16:30"`, "2026-03-19..2026-03-21 Nyepi")

	rec = e.post(admin, "/admin/sla", url.Values{"title": {"VIP"}, "priorities": {"high", "urgent"}, "tags": {"vip"},
		"target_first_reply_time_high": {"60"}, "target_first_reply_time_urgent": {"30"}, "business_first_reply_time": {"1"},
		"target_full_resolution_time_urgent": {"480"}, "pause_on": {"pending"},
		"act_field": {"priority"}, "act_value": {"urgent"}})
	wantStatus(t, rec, http.StatusSeeOther)
	ps, _ := e.flow.Policies(ctx, e.w.Admin)
	if len(ps) != 1 || len(ps[0].Targets) != 3 || !ps[0].Targets[0].BusinessHours || ps[0].Targets[2].BusinessHours ||
		len(ps[0].PauseOn) != 1 || len(ps[0].EscalationActions) != 1 || ps[0].Filter.Tags[0] != "vip" {
		t.Fatalf("policy = %+v", ps)
	}
}

// A webhook's secret shows once at creation; its page lists deliveries.
func TestAdminWebhooks(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/webhooks", url.Values{"name": {"Fulfilment"}, "endpoint": {"https://example.com/hook"},
		"subscriptions": {"ticket.created ticket.status_changed"}})
	wantStatus(t, rec, http.StatusOK)
	ws, _ := e.flow.Webhooks(ctx, e.w.Admin)
	if len(ws) != 1 || ws[0].Status != "active" || len(ws[0].Subscriptions) != 2 {
		t.Fatalf("webhooks = %+v", ws)
	}
	body := rec.Body.String()
	wantContains(t, body, `id="webhook-secret"`)
	secretAt := strings.Index(body, `id="webhook-secret">`)
	secret := body[secretAt+len(`id="webhook-secret">`):]
	secret = secret[:strings.Index(secret, "<")]
	if len(secret) < 32 {
		t.Fatalf("secret %q", secret)
	}
	page := e.get(admin, "/admin/webhooks/"+itoa(ws[0].ID)).Body.String()
	if strings.Contains(page, secret) || strings.Contains(e.get(admin, "/admin/webhooks").Body.String(), secret) {
		t.Fatal("the secret shows again")
	}
	wantContains(t, page, `id="delivery-log"`)
	// Allowing an internal host lets it through.
	wantStatus(t, e.post(admin, "/admin/webhooks/allow", url.Values{"hosts": {"127.0.0.1"}}), http.StatusSeeOther)
	wantStatus(t, e.post(admin, "/admin/webhooks", url.Values{"name": {"Local"}, "endpoint": {"http://127.0.0.1:8081/hook"}}), http.StatusOK)
	// Deactivate.
	wantStatus(t, e.post(admin, "/admin/webhooks/"+itoa(ws[0].ID), url.Values{"name": {"Fulfilment"},
		"endpoint": {"https://example.com/hook"}, "subscriptions": {"*"}}), http.StatusSeeOther)
	ws, _ = e.flow.Webhooks(ctx, e.w.Admin)
	if ws[0].Status != "inactive" || ws[0].Subscriptions[0] != "*" {
		t.Fatalf("after update: %+v", ws[0])
	}
}

// An agent applies a macro from the ticket page: fields change and the
// reply is in the customer's language with placeholders filled.
func TestAgentAppliesMacro(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	rec := e.post(admin, "/admin/macros", url.Values{"title": {"Minta nomor pesanan"}, "active": {"1"},
		"reply_en":  {"Hi {{customer.first_name}}, what is your order number?"},
		"reply_id":  {"Halo {{customer.first_name}}, berapa nomor pesanan Anda?"},
		"act_field": {"status", "current_tags"}, "act_value": {"pending", "minta_info"}})
	wantStatus(t, rec, http.StatusSeeOther)
	ms, _ := e.flow.Macros(ctx, e.w.Admin)
	if len(ms) != 1 || len(ms[0].Replies) != 2 {
		t.Fatalf("macros = %+v", ms)
	}
	locale := "id"
	if _, err := e.w.Dir.UpdateUser(ctx, e.w.Admin, e.w.Alice.UserID, directory.UserPatch{Locale: &locale}); err != nil {
		t.Fatal(err)
	}
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Paket hilang", "Tolong")
	agent := e.login(e.w.Agent)
	page := e.get(agent, "/agent/tickets/"+itoa(tk.ID)).Body.String()
	wantContains(t, page, `action="/agent/tickets/`+itoa(tk.ID)+`/macro"`, "Minta nomor pesanan")
	rec = e.post(agent, "/agent/tickets/"+itoa(tk.ID)+"/macro", url.Values{"macro_id": {itoa(ms[0].ID)}})
	wantStatus(t, rec, http.StatusSeeOther)
	got, _ := e.w.Tickets.Get(ctx, e.w.Admin, tk.ID)
	if got.Status != "pending" || !hasAll(got.Tags, "minta_info") {
		t.Fatalf("after macro: %s %v", got.Status, got.Tags)
	}
	cs, _ := e.w.Tickets.Comments(ctx, e.w.Admin, tk.ID, 0, 10)
	last := cs[len(cs)-1]
	if !last.Public || !strings.HasPrefix(last.Body, "Halo Alice") {
		t.Fatalf("reply = %+v", last)
	}
	// A customer cannot apply one; a missing macro is a 404.
	wantStatus(t, e.post(e.login(e.w.Alice), "/agent/tickets/"+itoa(tk.ID)+"/macro", url.Values{"macro_id": {itoa(ms[0].ID)}}), http.StatusForbidden)
	wantStatus(t, e.post(agent, "/agent/tickets/"+itoa(tk.ID)+"/macro", url.Values{"macro_id": {"999999"}}), http.StatusNotFound)
}

// The ticket page shows the SLA clocks of a ticket under a policy.
func TestTicketPageShowsSLA(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	_, err := e.flow.SavePolicy(ctx, e.w.Admin, automation.Policy{Title: "All", Targets: []automation.Target{
		{Priority: "normal", Metric: automation.MetricFirstReply, Minutes: 60}}})
	if err != nil {
		t.Fatal(err)
	}
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Slow", "Help")
	page := e.get(e.login(e.w.Agent), "/agent/tickets/"+itoa(tk.ID)).Body.String()
	wantContains(t, page, `data-sla-state="active"`, "First reply")
	// The inbox shows the stored state once the flow reader has run.
	if strings.Contains(e.get(e.login(e.w.Agent), "/agent/views/all-open").Body.String(), "data-sla-state") {
		t.Fatal("an SLA badge before any clock was stored")
	}
	if _, err := e.flow.Process(ctx); err != nil {
		t.Fatal(err)
	}
	wantContains(t, e.get(e.login(e.w.Agent), "/agent/views/all-open").Body.String(), `data-sla-state="active"`)
	e.w.Clock.Advance(61 * 60 * 1e9)
	page = e.get(e.login(e.w.Agent), "/agent/tickets/"+itoa(tk.ID)).Body.String()
	wantContains(t, page, `data-sla-state="breached"`)
	if err := e.flow.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	wantContains(t, e.get(e.login(e.w.Agent), "/agent/views/all-open").Body.String(), `data-sla-state="breached"`, "breached")
}

// The routing page stores settings and an agent's availability.
func TestAdminRoutingAndAvailability(t *testing.T) {
	e := newFlowEnv(t)
	ctx := context.Background()
	admin := e.login(e.w.Admin)
	wantStatus(t, e.post(admin, "/admin/routing", url.Values{"enabled": {"1"}, "mode": {"least_loaded"}, "skill_tag_prefix": {"skill_"},
		"reassign_absent": {"1"}}), http.StatusSeeOther)
	c, _ := e.flow.Routing(ctx, e.w.Admin)
	if !c.Enabled || c.Mode != "least_loaded" || !c.ReassignAbsent {
		t.Fatalf("routing = %+v", c)
	}
	wantStatus(t, e.post(admin, "/admin/routing/agents/"+itoa(e.w.Agent.UserID), url.Values{"status": {"online"}, "capacity": {"5"},
		"skills": {"billing refunds"}, "languages": {"id en"}, "ooo_from": {"2030-01-01"}, "ooo_until": {"2030-01-10"}}), http.StatusSeeOther)
	avs, _ := e.flow.Availabilities(ctx, e.w.Admin)
	if len(avs) != 1 || avs[0].Capacity != 5 || len(avs[0].Skills) != 2 || avs[0].OOOFrom.IsZero() {
		t.Fatalf("availability = %+v", avs)
	}
	page := e.get(admin, "/admin/routing").Body.String()
	wantContains(t, page, `value="2030-01-10"`, `value="billing refunds"`)
	wantStatus(t, e.post(admin, "/admin/routing/agents/"+itoa(e.w.Agent.UserID), url.Values{"status": {"sleeping"}}), http.StatusUnprocessableEntity)
	wantStatus(t, e.post(admin, "/admin/routing/agents/"+itoa(e.w.Agent.UserID), url.Values{"status": {"online"}, "ooo_from": {"soon"}}), http.StatusUnprocessableEntity)
}
