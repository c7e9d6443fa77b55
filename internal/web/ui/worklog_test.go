package ui_test

import (
	"context"
	"html/template"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

// workLog is the ticket's ticket.work_logged events as "actor:source:ms".
func workLog(t *testing.T, e *env, id int64) []string {
	t.Helper()
	evs, err := e.w.Tickets.Events(context.Background(), e.w.Admin, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, ev := range evs {
		if ev.Type == events.WorkLogged {
			out = append(out, itoa(ev.ActorID)+":"+ev.Field+":"+*ev.After)
		}
	}
	return out
}

func wantWork(t *testing.T, e *env, id int64, want ...string) {
	t.Helper()
	got := workLog(t, e, id)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("work events %v, want %v", got, want)
	}
}

// beacon posts what navigator.sendBeacon sends: multipart FormData, the CSRF
// token in it (csrf "" sends none).
func (e *env) beacon(s session, target, csrf string, fields ...string) *httptest.ResponseRecorder {
	e.t.Helper()
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	if csrf != "" {
		_ = mw.WriteField("csrf_token", csrf)
	}
	for i := 0; i+1 < len(fields); i += 2 {
		_ = mw.WriteField(fields[i], fields[i+1])
	}
	_ = mw.Close()
	return e.do(s, http.MethodPost, target, strings.NewReader(b.String()), "Content-Type", mw.FormDataContentType())
}

func TestTicketPageShowsTimeWorkedAndTheFormCarriesTheVisit(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Router keeps rebooting", "every ten minutes")
	agent := e.login(e.w.Agent)
	target := "/agent/tickets/" + itoa(tk.ID)

	page := e.get(agent, target).Body.String()
	wantContains(t, page, `id="worklog-panel"`, ">Time worked</h2>", "No time logged yet.", `name="work_seconds"`,
		`action="/agent/tickets/`+itoa(tk.ID)+`/time"`, `name="minutes"`, `max="720"`, "data-worklog-clock")
	if strings.Contains(page, "data-worklog-total") {
		t.Error("a total shows before any time was logged")
	}

	// The reply goes with 2 min 5 s of this visit.
	rec := e.post(agent, target, url.Values{"body": {"Please try a new cable."}, "visibility": {"public"},
		"submit_status": {"pending"}, "updated_stamp": {stamp(t, page)}, "work_seconds": {"125"}})
	wantStatus(t, rec, http.StatusSeeOther)
	wantWork(t, e, tk.ID, itoa(e.w.Agent.UserID)+":timer:125000")
	page = e.get(agent, target+"?done=reply").Body.String()
	wantContains(t, page, "Total: <strong data-worklog-total>2 min</strong>", `<li class="is-self"><bdi>Agent</bdi> <span>2 min</span></li>`)

	// A refused (stale) reply still counts the visit; nothing under a second
	// or over 12 hours is logged, and neither stops the reply.
	base := stamp(t, page)
	e.w.Clock.Advance(2 * time.Second)
	if _, err := e.w.Tickets.Update(context.Background(), e.w.Alice, tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "Still rebooting"}}); err != nil {
		t.Fatal(err)
	}
	rec = e.post(agent, target, url.Values{"body": {"Did the cable help?"}, "visibility": {"public"},
		"updated_stamp": {base}, "work_seconds": {"40"}})
	wantStatus(t, rec, http.StatusConflict)
	// The stale notice names the customer who wrote, not whoever logged time last.
	wantContains(t, rec.Body.String(), template.HTMLEscapeString(i18n.T("en", "reply.stale", "name", "Alice")))
	for _, secs := range []string{"0", "43201", "-3", "abc"} {
		e.w.Clock.Advance(time.Second)
		rec = e.post(agent, target, url.Values{"body": {"note " + secs}, "visibility": {"internal"},
			"updated_stamp": {stamp(t, rec.Body.String())}, "work_seconds": {secs}})
		if rec.Code != http.StatusSeeOther {
			t.Fatalf("work_seconds=%s: status %d", secs, rec.Code)
		}
		rec = e.get(agent, target)
	}
	wantWork(t, e, tk.ID, itoa(e.w.Agent.UserID)+":timer:125000", itoa(e.w.Agent.UserID)+":timer:40000")

	// A light agent's note carries their visit too; the panel lists both, the largest first.
	light := e.login(e.w.Light)
	lp := e.get(light, target).Body.String()
	wantContains(t, lp, `id="worklog-panel"`, `name="work_seconds"`)
	wantStatus(t, e.post(light, target, url.Values{"body": {"Checked the logs"}, "updated_stamp": {stamp(t, lp)},
		"work_seconds": {"3700"}}), http.StatusSeeOther)
	page = e.get(agent, target).Body.String()
	wantContains(t, page, "Total: <strong data-worklog-total>1 h 4 min</strong>",
		`<li><bdi>Light</bdi> <span>1 h 1 min</span></li>`, `<li class="is-self"><bdi>Agent</bdi> <span>2 min</span></li>`)
	if strings.Index(page, "<bdi>Light</bdi>") > strings.Index(page, "<bdi>Agent</bdi> <span>2 min") {
		t.Error("the agent with the most time is not listed first")
	}
}

func TestTimeEndpointBeaconManualEntryAndCSRF(t *testing.T) {
	e := newEnv(t)
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Lost password", "cannot sign in")
	agent := e.login(e.w.Agent)
	target := "/agent/tickets/" + itoa(tk.ID)
	endpoint := target + "/time"
	me := itoa(e.w.Agent.UserID)

	// The beacon without its CSRF token, or with a wrong one, is refused and writes nothing.
	wantStatus(t, e.beacon(agent, endpoint+"?reply=none", "", "source", "timer", "seconds", "30"), http.StatusForbidden)
	wantStatus(t, e.beacon(agent, endpoint+"?reply=none", "not-the-token", "source", "timer", "seconds", "30"), http.StatusForbidden)
	wantWork(t, e, tk.ID)
	// With it: 204 and one event.
	wantStatus(t, e.beacon(agent, endpoint+"?reply=none", agent.csrf, "source", "timer", "seconds", "30"), http.StatusNoContent)
	wantWork(t, e, tk.ID, me+":timer:30000")
	// Out of bounds or an unknown source: refused.
	wantStatus(t, e.beacon(agent, endpoint+"?reply=none", agent.csrf, "source", "timer", "seconds", "0"), http.StatusUnprocessableEntity)
	wantStatus(t, e.beacon(agent, endpoint+"?reply=none", agent.csrf, "source", "timer", "seconds", "43201"), http.StatusUnprocessableEntity)
	wantStatus(t, e.beacon(agent, endpoint+"?reply=none", agent.csrf, "source", "api", "seconds", "30"), http.StatusUnprocessableEntity)
	wantWork(t, e, tk.ID, me+":timer:30000")

	// The manual form without script: back to the ticket with a notice.
	rec := e.post(agent, endpoint, url.Values{"source": {"manual"}, "minutes": {"15"}})
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != target+"?done=time" {
		t.Fatalf("redirect %q", loc)
	}
	wantContains(t, e.get(agent, target+"?done=time").Body.String(), "Time logged.", "<strong data-worklog-total>15 min</strong>")
	rec = e.post(agent, endpoint, url.Values{"source": {"manual"}, "minutes": {"721"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), "Enter a whole number of minutes from 1 to 720.", `id="worklog-panel"`)
	// With script: the panel comes back to be swapped in (Persian digits typed are fine).
	rec = e.post(agent, endpoint+"?reply=panel", url.Values{"source": {"manual"}, "minutes": {"۲۰"}})
	wantStatus(t, rec, http.StatusOK)
	body := rec.Body.String()
	wantContains(t, body, `<section class="card worklog" id="worklog-panel"`, "<strong data-worklog-total>35 min</strong>")
	if strings.Contains(body, "<html") {
		t.Error("the panel reply is a whole page")
	}
	rec = e.post(agent, endpoint+"?reply=panel", url.Values{"source": {"manual"}, "minutes": {"0"}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantContains(t, rec.Body.String(), `class="field-error"`, "from 1 to 720", "<strong data-worklog-total>35 min</strong>")
	// And the form's own CSRF check.
	wantStatus(t, e.post(agent, endpoint, url.Values{"source": {"manual"}, "minutes": {"5"}, "csrf_token": {""}}), http.StatusForbidden)
	wantWork(t, e, tk.ID, me+":timer:30000", me+":manual:900000", me+":manual:1200000")

	// Customers: not even their own ticket; a restricted agent: not another group's.
	alice := e.login(e.w.Alice)
	wantStatus(t, e.beacon(alice, endpoint+"?reply=none", alice.csrf, "source", "timer", "seconds", "30"), http.StatusForbidden)
	wantStatus(t, e.post(alice, endpoint, url.Values{"source": {"manual"}, "minutes": {"5"}}), http.StatusForbidden)
	restricted := e.login(e.w.Restricted)
	wantStatus(t, e.beacon(restricted, endpoint+"?reply=none", restricted.csrf, "source", "timer", "seconds", "30"), http.StatusNotFound)
	wantWork(t, e, tk.ID, me+":timer:30000", me+":manual:900000", me+":manual:1200000")
	// Nor does the customer's portal page show any of it.
	portal := e.get(alice, "/portal/requests/"+itoa(tk.ID))
	wantStatus(t, portal, http.StatusOK)
	if b := portal.Body.String(); strings.Contains(b, "worklog") || strings.Contains(b, "Time worked") {
		t.Error("the customer's page shows the time worked")
	}
}

func TestTimeWorkedPanelInIndonesianAndPersian(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	tk := e.w.NewTicket(t, e.w.Alice, e.w.Support.ID, "Paket rusak", "kotaknya penyok")
	if _, err := e.w.Tickets.LogWork(ctx, e.w.Agent, tk.ID, 75*time.Minute, ticket.WorkManual); err != nil {
		t.Fatal(err)
	}
	target := "/agent/tickets/" + itoa(tk.ID)
	for _, c := range []struct {
		locale string
		want   []string
	}{
		{"id", []string{`<html lang="id" dir="ltr">`, "Waktu kerja", "Jumlah: <strong data-worklog-total>1 j 15 mnt</strong>", "Catat waktu"}},
		{"fa", []string{`<html lang="fa" dir="rtl">`, "زمان کار", "مجموع: <strong data-worklog-total>۱ ساعت و ۱۵ دقیقه</strong>",
			"ثبت زمان", `<bdi dir="ltr" data-worklog-clock>`}},
	} {
		locale := c.locale
		if _, err := e.w.Dir.UpdateUser(ctx, auth.SystemActor(), e.w.Agent.UserID, directory.UserPatch{Locale: &locale}); err != nil {
			t.Fatal(err)
		}
		page := e.get(e.login(e.w.Agent), target)
		wantStatus(t, page, http.StatusOK)
		wantContains(t, page.Body.String(), c.want...)
	}
}
