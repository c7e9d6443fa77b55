package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"layan/internal/blob"
	"layan/internal/db"
	"layan/internal/journey"
	"layan/internal/testkit"
	"layan/internal/ticket"
	"layan/internal/web"
	"layan/internal/web/ui"
)

// journeyEnv is a workspace with the journey service and a small history:
// Alice bought (50.00) and cancelled three weeks later after two tickets; Bob
// bought (12.00), wrote twice and has been silent for 5 weeks.
func newJourneyEnv(t *testing.T) (*env, *journey.Service) {
	t.Helper()
	d := testkit.NewDB(t, db.SQLite)
	w := testkit.NewWorld(t, d)
	blobs, err := blob.NewDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	j := journey.NewService(d, w.Clock.Now, testkit.QuietLogger())
	j.Tickets = w.Tickets
	pages := ui.New(ui.Deps{Dir: w.Dir, Tickets: w.Tickets, Bus: w.Bus, Blobs: blobs, Now: w.Clock.Now,
		Log: testkit.QuietLogger(), MaxUploadBytes: 1 << 20, Journey: j})
	h := web.New(web.Deps{DB: d, Dir: w.Dir, Tickets: w.Tickets, Blobs: blobs, Log: testkit.QuietLogger(),
		Now: w.Clock.Now, MaxBodyBytes: 1 << 20, MaxUploadBytes: 1 << 20, Pages: pages})
	ctx := context.Background()
	rec := func(id int64, typ string, cents int64) {
		t.Helper()
		if _, err := j.Record(ctx, w.Agent, journey.Event{CustomerID: id, Type: typ, ValueCents: cents, Name: map[bool]string{true: "webinar"}[typ == "custom"]}); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(req int64, via string, tags ...string) {
		t.Helper()
		if _, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "s", RequesterID: req, GroupID: w.Support.ID, Via: via,
			Tags: tags, Comment: ticket.NewComment{Body: "b"}}); err != nil {
			t.Fatal(err)
		}
	}
	rec(w.Alice.UserID, "signup", 0)
	rec(w.Alice.UserID, "purchase", 5000)
	rec(w.Bob.UserID, "purchase", 1200)
	rec(w.Alice.UserID, "custom", 0)
	w.Clock.Advance(time.Hour)
	mk(w.Alice.UserID, "email", "billing")
	mk(w.Bob.UserID, "chat", "shipping")
	w.Clock.Advance(8 * 24 * time.Hour)
	mk(w.Alice.UserID, "web")
	mk(w.Bob.UserID, "email", "billing")
	w.Clock.Advance(14 * 24 * time.Hour)
	rec(w.Alice.UserID, "cancellation", 0)
	w.Clock.Advance(15 * 24 * time.Hour)
	return &env{t: t, w: w, pages: pages, h: h}, j
}

func TestJourneyPage(t *testing.T) {
	e, _ := newJourneyEnv(t)
	w := e.w
	rec := e.get(e.login(w.Admin), "/agent/journey")
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	wantContains(t, body, `id="chart-journey-channels-title"`, `id="chart-journey-topics-title"`, "Wk 0", "Before",
		`href="/agent/journey" aria-current="page"`, "Churned and retained customers", "2 customers with a purchase",
		// Alice: 2 contacts in 22 days = 2.7 per 30 days; Bob: 2 in 37 days = 1.6.
		"Churned customers contacted us 1.7× as often as retained ones.", "2.7", "1.6",
		"Churn risk", `data-customer="`+itoa(w.Alice.UserID)+`"`, `data-customer="`+itoa(w.Bob.UserID)+`"`,
		"50.00", "12.00", "Cancelled", "Went silent", `action="/agent/journey/reach-out/`+itoa(w.Alice.UserID)+`"`,
		`name="csrf_token"`, "How are things going?", "Hello Alice,")
	if strings.Index(body, `data-customer="`+itoa(w.Alice.UserID)+`"`) > strings.Index(body, `data-customer="`+itoa(w.Bob.UserID)+`"`) {
		t.Error("the churn list is not by value")
	}

	// Indonesian and Persian: translated, Persian digits, right to left, mirrored charts.
	setUserLocale(t, e, w.Admin.UserID, "id")
	rec = e.get(e.login(w.Admin), "/agent/journey?weeks=4")
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "Perjalanan pelanggan", "Mg 0", "50,00", "1,7×")
	setUserLocale(t, e, w.Admin.UserID, "fa")
	rec = e.get(e.login(w.Admin), "/agent/journey?weeks=۴")
	wantStatus(t, rec, http.StatusOK)
	body = rec.Body.String()
	wantContains(t, body, `dir="rtl"`, `direction="rtl"`, "سفر مشتری", "هفتهٔ ۰", "۵۰٫۰۰", "۱٫۷", "پیش از خرید")
	if strings.Contains(body, ">Wk ") {
		t.Error("English week labels in Persian")
	}
	// One organisation: Acme (Alice only).
	rec = e.get(e.login(w.Admin), "/agent/journey?organization_id="+itoa(w.Acme.ID))
	wantStatus(t, rec, http.StatusOK)
}

func TestJourneyPageBadInputAndPermissions(t *testing.T) {
	e, _ := newJourneyEnv(t)
	w := e.w
	admin := e.login(w.Admin)
	for q, want := range map[string]string{
		"weeks=abc":               "Enter a number of weeks from 1 to 52.",
		"weeks=0":                 "Enter a number of weeks from 1 to 52.",
		"weeks=99":                "Enter a number of weeks from 1 to 52.",
		"organization_id=abc":     "Choose an organisation from the list.",
		"organization_id=-1":      "Choose an organisation from the list.",
		"organization_id=9999999": "Choose an organisation from the list.",
	} {
		rec := e.get(admin, "/agent/journey?"+q)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), want) || !strings.Contains(rec.Body.String(), `role="alert"`) {
			t.Errorf("%s: %d", q, rec.Code)
		}
	}
	// Agents, light agents and customers may not read the journey; anonymous visitors sign in.
	for _, a := range []session{e.login(w.Agent), e.login(w.Light), e.login(w.Alice)} {
		wantStatus(t, e.get(a, "/agent/journey"), http.StatusForbidden)
	}
	wantStatus(t, e.get(anonymous, "/agent/journey"), http.StatusSeeOther)
}

func setUserLocale(t *testing.T, e *env, id int64, locale string) {
	t.Helper()
	if _, err := e.w.DB.W.ExecContext(context.Background(), `UPDATE users SET locale = $1 WHERE id = $2`, locale, id); err != nil {
		t.Fatal(err)
	}
}

func TestJourneyReachOut(t *testing.T) {
	e, _ := newJourneyEnv(t)
	w := e.w
	ctx := context.Background()
	path := "/agent/journey/reach-out/" + itoa(w.Bob.UserID)
	// The form is in the customer's language.
	setUserLocale(t, e, w.Bob.UserID, "id")
	rec := e.get(e.login(w.Agent), path)
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), "Apa kabar?", "Halo Bob,", "Agent", `lang="id"`, "Written in the customer&#39;s language: Indonesian")

	agent := e.login(w.Agent)
	rec = e.post(agent, path, url.Values{"subject": {"Apa kabar?"}, "message": {"Halo Bob, ada yang bisa kami bantu?"}})
	wantStatus(t, rec, http.StatusSeeOther)
	loc := rec.Header().Get("Location")
	if !strings.HasPrefix(loc, "/agent/tickets/") {
		t.Fatalf("redirect to %q", loc)
	}
	id := loc[len("/agent/tickets/"):]
	res, err := w.Tickets.List(ctx, w.Admin, ticket.ListQuery{RequesterID: w.Bob.UserID, PerPage: 10, Sort: "created_at", Desc: true})
	if err != nil || len(res.Tickets) == 0 {
		t.Fatal(res, err)
	}
	tk := res.Tickets[0]
	if itoa(tk.ID) != id || tk.AssigneeID != w.Agent.UserID || !slices.Contains(tk.Tags, "proactive") || tk.Via != "web" || tk.Subject != "Apa kabar?" {
		t.Errorf("ticket %+v", tk)
	}
	cs, err := w.Tickets.Comments(ctx, w.Admin, tk.ID, 0, 10)
	if err != nil || len(cs) != 1 || !cs[0].Public || cs[0].AuthorID != w.Agent.UserID {
		t.Errorf("comments %+v %v", cs, err)
	}
	// Bad input comes back on the form; light agents and customers are refused; CSRF is checked.
	rec = e.post(agent, path, url.Values{"subject": {" "}, "message": {"x"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), "Write a subject")
	for _, s := range []session{e.login(w.Light), e.login(w.Alice)} {
		wantStatus(t, e.post(s, path, url.Values{"subject": {"s"}, "message": {"m"}}), http.StatusForbidden)
		wantStatus(t, e.get(s, path), http.StatusForbidden)
	}
	wantStatus(t, e.post(agent, path, url.Values{"subject": {"s"}, "message": {"m"}, "csrf_token": {""}}), http.StatusForbidden)
	wantStatus(t, e.post(agent, "/agent/journey/reach-out/"+itoa(w.Agent.UserID), url.Values{"subject": {"s"}, "message": {"m"}}), http.StatusNotFound)
	wantStatus(t, e.get(agent, "/agent/journey/reach-out/abc"), http.StatusNotFound)
	res, _ = w.Tickets.List(ctx, w.Admin, ticket.ListQuery{RequesterID: w.Bob.UserID, PerPage: 10})
	if res.Count != 3 {
		t.Errorf("%d tickets for Bob, want 3", res.Count)
	}
}

// The customer page shows the journey: events and lifetime value in the viewer's language.
func TestCustomerPageJourney(t *testing.T) {
	e, _ := newJourneyEnv(t)
	w := e.w
	rec := e.get(e.login(w.Agent), "/agent/customers/"+itoa(w.Alice.UserID))
	wantStatus(t, rec, http.StatusOK)
	wantContains(t, rec.Body.String(), `id="journey"`, "Lifetime value", "50.00", "Purchase", "Cancellation", "Signed up", "webinar",
		`href="/agent/journey/reach-out/`+itoa(w.Alice.UserID)+`"`)
	setUserLocale(t, e, w.Agent.UserID, "fa")
	rec = e.get(e.login(w.Agent), "/agent/customers/"+itoa(w.Alice.UserID))
	wantContains(t, rec.Body.String(), "ارزش طول عمر", "۵۰٫۰۰", "خرید", "لغو")
	// A light agent sees the journey but is not offered to reach out.
	body := e.get(e.login(w.Light), "/agent/customers/"+itoa(w.Alice.UserID)).Body.String()
	if !strings.Contains(body, `id="journey"`) || strings.Contains(body, "/agent/journey/reach-out/") {
		t.Error("light agent's customer page")
	}
}
