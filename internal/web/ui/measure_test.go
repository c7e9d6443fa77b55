package ui_test

import (
	"context"
	"database/sql"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/kpi"
	"layan/internal/survey"
	"layan/internal/testkit"
	"layan/internal/ticket"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// measureEnv is env with the KPI and survey services.
type measureEnv struct {
	*env
	kpi     *kpi.Service
	surveys *survey.Service
}

func newMeasureEnv(t testing.TB) *measureEnv {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	k := kpi.NewService(d, w.Clock.Now, testkit.QuietLogger())
	s := survey.NewService(d, w.Tickets, survey.DefaultConfig(), w.Clock.Now, testkit.QuietLogger())
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, KPI: k, Surveys: s})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	return &measureEnv{env: &env{t: t, w: w, pages: pages, h: h}, kpi: k, surveys: s}
}

// solved creates a ticket in group for requester, assigned to Agent, with a
// public reply and solved an hour later.
func (e *measureEnv) solved(requester auth.Actor, group int64, tags ...string) ticket.Ticket {
	e.t.Helper()
	ctx := context.Background()
	w := e.w
	assignee := w.Agent
	if group == w.Billing.ID {
		assignee = w.Restricted
	}
	tk, err := w.Tickets.Create(ctx, assignee, ticket.NewTicket{Subject: "Paket belum sampai", RequesterID: requester.UserID,
		GroupID: group, AssigneeID: assignee.UserID, Via: "email", Tags: tags, Comment: ticket.NewComment{Body: "Halo"}})
	if err != nil {
		e.t.Fatal(err)
	}
	w.Clock.Advance(30 * time.Minute)
	pub := true
	if _, err := w.Tickets.Update(ctx, assignee, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "Sudah kami cek", Public: &pub}}); err != nil {
		e.t.Fatal(err)
	}
	w.Clock.Advance(30 * time.Minute)
	st := "solved"
	if tk, err = w.Tickets.Update(ctx, assignee, tk.ID, ticket.Patch{Status: &st}); err != nil {
		e.t.Fatal(err)
	}
	return tk
}

func setLocale(t *testing.T, e *measureEnv, a auth.Actor, locale string) {
	t.Helper()
	if _, err := e.w.Dir.UpdateUser(context.Background(), auth.SystemActor(), a.UserID, directory.UserPatch{Locale: &locale}); err != nil {
		t.Fatal(err)
	}
}

func TestDashboardPages(t *testing.T) {
	e := newMeasureEnv(t)
	ctx := context.Background()
	w := e.w
	e.solved(w.Alice, w.Support.ID)
	e.solved(w.Bob, w.Billing.ID)
	w.Clock.Advance(24 * time.Hour)
	g, err := e.kpi.CreateGoal(ctx, w.Admin, kpi.Goal{Name: "Resolve <fast>", KPI: "resolution_avg_hours", Target: 4,
		StartAt: w.Clock.Now().AddDate(0, 0, -14), Deadline: w.Clock.Now().AddDate(0, 1, 0), OwnerGroupID: w.Support.ID})
	if err != nil {
		t.Fatal(err)
	}
	admin := e.login(w.Admin)

	rec := e.get(admin, "/agent/dashboard?group_id="+itoa(w.Support.ID))
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	wantContains(t, body, `<svg`, `id="chart-volume-title"`, `data-kpi="csat_percent"`, "Tickets created", "KPIs that must move together",
		"Resolve &lt;fast&gt;", `href="/agent/goals/`+itoa(g.ID)+`"`, `<option value="`+itoa(w.Support.ID)+`" selected>`)
	if strings.Contains(body, "Resolve <fast>") {
		t.Error("goal name not escaped")
	}

	// Persian: right to left, Persian digits, mirrored charts.
	setLocale(t, e, w.Admin, "fa")
	rec = e.get(e.login(w.Admin), "/agent/dashboard?group_id="+itoa(w.Support.ID))
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `dir="rtl"`, `direction="rtl"`, "داشبورد", "تیکت‌های ایجادشده")

	for _, path := range []string{"/agent/reports?kpi=resolution_avg_hours&by=week", "/agent/goals", "/agent/goals/" + itoa(g.ID),
		"/agent/suggestions"} {
		rec := e.get(admin, path)
		wantStatus(t, rec, http.StatusOK)
	}
	rec = e.get(admin, "/agent/goals/"+itoa(g.ID))
	wantContains(t, rec.Body.String(), `id="chart-goal-title"`, `class="chart-target"`)
}

// Bad input is a 400 with a sentence on the page, never a 500.
func TestMeasureBadInput(t *testing.T) {
	e := newMeasureEnv(t)
	admin := e.login(e.w.Admin)
	for _, q := range []string{"from=yesterday", "to=2026-13-40", "from=2026-12-01&to=2026-01-01", "from=2000-01-01&to=2026-01-01",
		"by=year", "by=day&from=2024-01-01&to=2026-01-01", "channel=fax", "language=xx", "group_id=abc", "agent_id=-3",
		"organization_id=1e9", "tag=a%20b"} {
		for _, page := range []string{"/agent/dashboard?", "/agent/reports?", "/agent/reports/export?"} {
			rec := e.get(admin, page+q)
			if rec.Code != http.StatusBadRequest {
				t.Errorf("%s%s: %d", page, q, rec.Code)
			}
		}
	}
	rec := e.get(admin, "/agent/reports?kpi=bogus")
	wantStatus(t, rec, http.StatusBadRequest)
	wantContains(t, rec.Body.String(), "Choose a KPI from the list.")
	rec = e.get(admin, "/agent/dashboard?from=yesterday")
	wantContains(t, rec.Body.String(), "Enter a date as YYYY-MM-DD.", `role="alert"`)
	// Goals: a bad target and date are shown on the form, not stored.
	rec = e.post(admin, "/agent/goals", url.Values{"name": {"x"}, "kpi": {"csat_percent"}, "target": {"lots"},
		"start": {"2026-11-01"}, "deadline": {"soon"}, "owner": {"group:abc"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantContains(t, rec.Body.String(), "Enter a number.", "Enter a date as YYYY-MM-DD.", "Choose the whole team, one group or one agent.")
	rec = e.post(admin, "/agent/goals", url.Values{"name": {"x"}, "kpi": {"csat_percent"}, "target": {"۹۰٫۵"},
		"start": {"2026-11-01"}, "deadline": {"2026-10-01"}})
	wantStatus(t, rec, http.StatusBadRequest)
	wantContains(t, rec.Body.String(), "The deadline must be after the start.")
	rec = e.post(admin, "/agent/goals", url.Values{"name": {"CSAT up"}, "kpi": {"csat_percent"}, "target": {"۹۰٫۵"},
		"start": {"2026-11-01"}, "deadline": {"2027-01-31"}, "owner": {"group:" + itoa(e.w.Support.ID)}})
	wantStatus(t, rec, http.StatusSeeOther)
	gs, _ := e.kpi.Goals(context.Background(), e.w.Admin)
	if len(gs) != 1 || gs[0].Target != 90.5 || gs[0].OwnerGroupID != e.w.Support.ID {
		t.Fatalf("goal: %+v", gs)
	}
	for _, p := range []string{"/agent/goals/abc", "/agent/goals/999", "/agent/suggestions/999"} {
		if rec := e.get(admin, p); rec.Code != http.StatusNotFound {
			t.Errorf("%s: %d", p, rec.Code)
		}
	}
	if rec := e.get(admin, "/agent/suggestions?status=bogus"); rec.Code != http.StatusBadRequest {
		t.Errorf("bad status: %d", rec.Code)
	}
}

func TestMeasurePermissions(t *testing.T) {
	e := newMeasureEnv(t)
	w := e.w
	e.solved(w.Alice, w.Support.ID)
	g, err := e.kpi.CreateGoal(context.Background(), w.Admin, kpi.Goal{Name: "Billing goal", KPI: "created", Target: 3,
		Deadline: w.Clock.Now().AddDate(0, 1, 0), OwnerGroupID: w.Billing.ID})
	if err != nil {
		t.Fatal(err)
	}
	agent, light, customer := e.login(w.Agent), e.login(w.Light), e.login(w.Alice)
	// Agents see their own figures and no agent picker; another agent's are refused.
	rec := e.get(agent, "/agent/dashboard")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "These are your own figures")
	if strings.Contains(rec.Body.String(), `name="agent_id"`) {
		t.Error("agents get an agent picker")
	}
	wantStatus(t, e.get(agent, "/agent/reports?agent_id="+itoa(w.Admin.UserID)), http.StatusForbidden)
	wantStatus(t, e.get(agent, "/agent/reports/export?agent_id="+itoa(w.Admin.UserID)), http.StatusForbidden)
	// Another group's goal is not the agent's to see; nor can they set goals.
	wantStatus(t, e.get(agent, "/agent/goals/"+itoa(g.ID)), http.StatusNotFound)
	wantStatus(t, e.post(agent, "/agent/goals", url.Values{"name": {"x"}, "kpi": {"created"}, "target": {"1"},
		"start": {"2026-11-01"}, "deadline": {"2026-12-01"}}), http.StatusForbidden)
	wantStatus(t, e.post(agent, "/agent/goals/"+itoa(g.ID)+"/delete", url.Values{"confirm": {"1"}}), http.StatusForbidden)
	// Light agents and customers are refused; anonymous visitors sign in.
	for _, p := range []string{"/agent/dashboard", "/agent/reports", "/agent/reports/export", "/agent/goals"} {
		wantStatus(t, e.get(light, p), http.StatusForbidden)
		wantStatus(t, e.get(customer, p), http.StatusForbidden)
		wantStatus(t, e.get(anonymous, p), http.StatusSeeOther)
	}
	wantStatus(t, e.get(customer, "/agent/suggestions"), http.StatusForbidden)
	// Forms need the CSRF token.
	wantStatus(t, e.post(e.login(w.Admin), "/agent/goals/"+itoa(g.ID)+"/delete", url.Values{"confirm": {"1"}, "csrf_token": {""}}), http.StatusForbidden)
	wantStatus(t, e.post(e.login(w.Admin), "/agent/goals/"+itoa(g.ID)+"/delete", url.Values{"confirm": {"1"}}), http.StatusSeeOther)
}

// The CSV export defuses formulas in the text a person typed (the tag).
func TestReportCSV(t *testing.T) {
	e := newMeasureEnv(t)
	w := e.w
	e.solved(w.Alice, w.Support.ID, "vip")
	rec := e.get(e.login(w.Admin), "/agent/reports/export?kpi=created&by=day&tag="+url.QueryEscape("=HYPERLINK(\"x\")"))
	wantStatus(t, rec, http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || rec.Header().Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "attachment") {
		t.Fatalf("headers: %v", rec.Header())
	}
	cr := csv.NewReader(strings.NewReader(rec.Body.String()))
	cr.FieldsPerRecord = -1 // the filters row is longer than the data rows
	rows, err := cr.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range rows {
		for _, c := range row {
			if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
				t.Errorf("unsafe cell %q", c)
			}
		}
	}
	if !strings.Contains(rec.Body.String(), `'=HYPERLINK`) {
		t.Errorf("tag not quoted: %s", rec.Body.String())
	}
	// The tickets of the period are counted.
	rec = e.get(e.login(w.Admin), "/agent/reports/export?kpi=created&by=month&tag=vip")
	if !strings.Contains(rec.Body.String(), "total,,1,") {
		t.Errorf("total: %s", rec.Body.String())
	}
}

// The service levels are on the dashboard: handling time next to FCR, the
// chat queue's figures and SLA attainment, in each language's units.
func TestDashboardServiceLevels(t *testing.T) {
	e := newMeasureEnv(t)
	ctx := context.Background()
	w := e.w
	tk, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "Chat", RequesterID: w.Alice.UserID, GroupID: w.Support.ID,
		Via: "chat", Comment: ticket.NewComment{Body: "Halo"}})
	if err != nil {
		t.Fatal(err)
	}
	at := w.Clock.Now()
	evs := []events.Event{
		{TicketID: tk.ID, ActorID: w.Agent.UserID, Type: kpi.EventChatAnswered, After: testkit.Ptr("45000"), CreatedAt: at.Add(time.Minute)},
		{TicketID: tk.ID, ActorID: w.Agent.UserID, Type: kpi.EventWorkLogged, Field: "timer", After: testkit.Ptr("1800000"), CreatedAt: at.Add(time.Hour)},
		{TicketID: tk.ID, Type: kpi.EventSLABreached, Field: "first_reply_time", CreatedAt: at.Add(time.Hour)},
	}
	if err := w.DB.WithTx(ctx, func(tx *sql.Tx) error { return events.Insert(ctx, tx, evs) }); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(2 * time.Hour)
	if _, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{Status: testkit.Ptr("solved"), Comment: &ticket.NewComment{Body: "Beres"}}); err != nil {
		t.Fatal(err)
	}
	w.Clock.Advance(24 * time.Hour)

	rec := e.get(e.login(w.Admin), "/agent/dashboard")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `data-kpi="handling_avg_minutes"`, "Handling time (average)", "30.0 min",
		"Chat speed of answer (average)", "45 s", "Chat abandonment rate", "0.0%", "SLA attainment", `href="/agent/journey"`)
	// The journey is the admins': an agent's tabs do not offer it.
	if rec := e.get(e.login(w.Agent), "/agent/dashboard"); strings.Contains(rec.Body.String(), `href="/agent/journey"`) {
		t.Error("an agent is offered the journey tab")
	}
	setLocale(t, e, w.Admin, "fa")
	rec = e.get(e.login(w.Admin), "/agent/dashboard")
	// Numbers are isolated (FSI … PDI) inside right-to-left text.
	wantContains(t, rec.Body.String(), "زمان رسیدگی (میانگین)", "\u2068۳۰٫۰\u2069 دقیقه", "\u2068۴۵\u2069 ثانیه")
	setLocale(t, e, w.Admin, "id")
	rec = e.get(e.login(w.Admin), "/agent/reports?kpi=chat_asa_seconds&by=week")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "Kecepatan menjawab chat (rata-rata)", "45 dtk")
}
