package ui_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

// Sign-up → verification mail (in the visitor's language) → confirm page →
// confirmed → sign in → the portal, all over HTTP.
func TestSignUpVerifyAndSignIn(t *testing.T) {
	e := newPortalEnv(t)
	const addr, pw = "sari@nusantara.test", "rahasia-sekali-9"
	lang := []string{"Cookie", "layan_lang=id"}
	af := e.openForm("/portal/signup", lang...)
	wantContains(t, af.page, `lang="id"`, "Buat akun")
	res := e.submit(af, "/portal/signup", url.Values{"name": {"Sari Dewi"}, "email": {addr}, "password": {pw}}, lang...).
		want(t, http.StatusOK)
	wantContains(t, res.Body, "Periksa email Anda", addr)

	m, path, token := e.lastLink(addr)
	if m.Locale != "id" || !strings.Contains(m.Subject, "Konfirmasi alamat email") || path != "/portal/verify" {
		t.Fatalf("verification mail: locale %q subject %q link %q", m.Locale, m.Subject, path)
	}
	// Not verified yet: no sign-in.
	wantStatus(t, e.signIn(addr, pw), http.StatusUnauthorized)

	// Opening the link (or a mail scanner doing so) changes nothing.
	vf := e.openForm("/portal/verify?token="+token, lang...)
	wantContains(t, vf.page, `name="token" value="`+token+`"`, addr)
	wantStatus(t, e.signIn(addr, pw), http.StatusUnauthorized)
	// The button confirms.
	res = e.submit(vf, "/portal/verify", url.Values{"token": {token}}, lang...).want(t, http.StatusOK)
	wantContains(t, res.Body, "Alamat email terkonfirmasi", `href="/login?next=%2Fportal"`)
	// A link works once.
	e.submit(vf, "/portal/verify", url.Values{"token": {token}}, lang...).want(t, http.StatusBadRequest)

	s := e.signInAs(addr, pw)
	page := e.get(s, "/portal")
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body.String(), "Selamat datang", "Sari Dewi", `action="/portal/search"`, `href="/portal/requests/new"`)

	// Signing up again with the address says the same, and mails the owner a
	// notice with no verification link.
	n := len(e.mail.Messages())
	af = e.openForm("/portal/signup")
	res = e.submit(af, "/portal/signup", url.Values{"name": {"Someone"}, "email": {addr}, "password": {"another-pass-1"}}).
		want(t, http.StatusOK)
	wantContains(t, res.Body, "Check your email", addr)
	ms := e.mail.Messages()
	if len(ms) != n+1 || strings.Contains(ms[n].Text, "/portal/verify") || !strings.Contains(ms[n].Text, "/portal/password/forgot") {
		t.Fatalf("notice to the owner: %d mails, last %q", len(ms)-n, ms[len(ms)-1].Text)
	}
	if ms[n].Locale != "id" {
		t.Fatalf("the notice is in %q, want the owner's language (id)", ms[n].Locale)
	}
}

// Wrong input comes back next to each field, in the page's language.
func TestSignUpShowsErrorsNextToFields(t *testing.T) {
	e := newPortalEnv(t)
	af := e.openForm("/portal/signup")
	res := e.submit(af, "/portal/signup", url.Values{"name": {"Budi"}, "email": {"not-an-address"}, "password": {"x"}}).
		want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="email-error"`, "Enter a valid email address.", `aria-invalid="true"`, `value="Budi"`,
		`role="alert"`)
	res = e.submit(af, "/portal/signup", url.Values{"name": {"Budi"}, "email": {"budi@example.test"}, "password": {"short"}}).
		want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="password-error"`, "at least 8")
	af = e.openForm("/portal/signup", "Accept-Language", "fa")
	res = e.submit(af, "/portal/signup", url.Values{"name": {""}, "email": {"a@b.test"}, "password": {"long-enough-1"}},
		"Accept-Language", "fa").want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `dir="rtl"`, `id="name-error"`, "الزامی است")
	if len(e.mail.Messages()) != 0 {
		t.Fatal("a refused sign-up sent mail")
	}
}

// Anonymous forms carry a double-submit token: a cross-site post fails.
func TestAnonymousFormsNeedTheirToken(t *testing.T) {
	e := newPortalEnv(t)
	for _, target := range []string{"/portal/signup", "/portal/verify", "/portal/password/forgot", "/portal/password/reset"} {
		rec := e.post(anonymous, target, url.Values{"name": {"X"}, "email": {"bob@example.test"}, "password": {"long-enough-1"},
			"confirm": {"long-enough-1"}, "token": {strings.Repeat("a", 43)}})
		wantStatus(t, rec, http.StatusForbidden)
		wantContains(t, rec.Body.String(), "This form has expired")
		af := e.openForm("/portal/signup")
		af.token = "forged-" + af.token
		e.submit(af, target, url.Values{"email": {"bob@example.test"}}).want(t, http.StatusForbidden)
	}
	if len(e.mail.Messages()) != 0 {
		t.Fatal("a forged post sent mail")
	}
}

// Forgot password → reset link → a form (GET changes nothing) → new password.
func TestPasswordResetFlow(t *testing.T) {
	e := newPortalEnv(t)
	const addr = "bob@example.test"
	af := e.openForm("/portal/password/forgot")
	res := e.submit(af, "/portal/password/forgot", url.Values{"email": {addr}}).want(t, http.StatusOK)
	wantContains(t, res.Body, "If an account exists for")
	// An unknown address gets the same answer and no mail.
	res2 := e.submit(af, "/portal/password/forgot", url.Values{"email": {"nobody@example.test"}}).want(t, http.StatusOK)
	wantContains(t, res2.Body, "If an account exists for")
	if len(e.mail.Messages()) != 1 {
		t.Fatalf("%d mails, want 1 (none for an unknown address)", len(e.mail.Messages()))
	}
	m, path, token := e.lastLink(addr)
	if path != "/portal/password/reset" || !strings.Contains(m.Text, "in 1 hour") {
		t.Fatalf("reset mail: %q", m.Text)
	}
	rf := e.openForm("/portal/password/reset?token=" + token)
	wantContains(t, rf.page, addr, `autocomplete="new-password"`)
	res = e.submit(rf, "/portal/password/reset", url.Values{"token": {token}, "password": {"new-password-1"}, "confirm": {"other"}}).
		want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="confirm-error"`, "The passwords do not match.")
	res = e.submit(rf, "/portal/password/reset", url.Values{"token": {token}, "password": {"short"}, "confirm": {"short"}}).
		want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="password-error"`)
	res = e.submit(rf, "/portal/password/reset", url.Values{"token": {token}, "password": {"new-password-1"}, "confirm": {"new-password-1"}}).
		want(t, http.StatusOK)
	wantContains(t, res.Body, "Your password has been changed.")
	e.signInAs(addr, "new-password-1")
	wantStatus(t, e.signIn(addr, "password-Bob"), http.StatusUnauthorized)
	// Used links and made-up ones explain themselves.
	res = e.submit(rf, "/portal/password/reset", url.Values{"token": {token}, "password": {"new-password-2"}, "confirm": {"new-password-2"}}).
		want(t, http.StatusBadRequest)
	wantContains(t, res.Body, "This link is invalid", `href="/portal/password/forgot"`)
	wantStatus(t, e.get(anonymous, "/portal/password/reset?token=nope"), http.StatusBadRequest)
	wantStatus(t, e.get(anonymous, "/portal/verify?token="+token), http.StatusBadRequest)
}

// Mails per address are capped silently; requests per IP get a 429.
func TestAccountMailsAreThrottled(t *testing.T) {
	e := newPortalEnv(t)
	af := e.openForm("/portal/password/forgot")
	for i := 0; i < 5; i++ {
		e.submit(af, "/portal/password/forgot", url.Values{"email": {"bob@example.test"}}).want(t, http.StatusOK)
	}
	if n := len(e.mail.To("bob@example.test")); n != 3 {
		t.Fatalf("%d reset mails to one address in a burst, want 3", n)
	}
	for i := 5; i < 20; i++ {
		e.submit(af, "/portal/password/forgot", url.Values{"email": {"x" + strconv.Itoa(i) + "@example.test"}}).want(t, http.StatusOK)
	}
	res := e.submit(af, "/portal/password/forgot", url.Values{"email": {"carol@acme.test"}}).want(t, http.StatusTooManyRequests)
	wantContains(t, res.Body, "Too many requests")
	e.w.Clock.Advance(time.Hour)
	e.submit(af, "/portal/password/forgot", url.Values{"email": {"carol@acme.test"}}).want(t, http.StatusOK)
}

// A customer reaches only their own requests (and their organisation's when
// it shares them); anything else is a 404, as for a number that does not exist.
func TestCustomerCannotOpenAnotherCustomersRequest(t *testing.T) {
	e := newPortalEnv(t)
	bobs := e.w.NewTicket(t, e.w.Bob, e.w.Support.ID, "Bob's refund", "private")
	carols := e.w.NewTicket(t, e.w.Carol, e.w.Support.ID, "Acme printer", "shared with Acme")
	alice, bob := e.login(e.w.Alice), e.login(e.w.Bob)

	wantStatus(t, e.get(bob, "/portal/requests/"+itoa(bobs.ID)), http.StatusOK)
	for _, target := range []string{"/portal/requests/" + itoa(bobs.ID), "/portal/requests/999999", "/portal/requests/abc"} {
		rec := e.get(alice, target)
		wantStatus(t, rec, http.StatusNotFound)
		if strings.Contains(rec.Body.String(), "private") {
			t.Fatal("the 404 page shows the ticket")
		}
	}
	rec := e.post(alice, "/portal/requests/"+itoa(bobs.ID), url.Values{"body": {"let me in"}})
	wantStatus(t, rec, http.StatusNotFound)
	rec = e.post(alice, "/portal/requests/"+itoa(bobs.ID), url.Values{"action": {"solve"}})
	wantStatus(t, rec, http.StatusNotFound)
	got, _ := e.w.Tickets.Get(context.Background(), e.w.Agent, bobs.ID)
	if got.Status == "solved" {
		t.Fatal("another customer solved Bob's ticket")
	}
	// Acme shares tickets: Alice reads Carol's, and sees it in the organisation's list.
	page := e.get(alice, "/portal/requests/"+itoa(carols.ID))
	wantStatus(t, page, http.StatusOK)
	wantContains(t, page.Body.String(), "Acme printer", "Carol")
	list := e.get(alice, "/portal/requests?scope=org")
	wantContains(t, list.Body.String(), "Acme printer", "Requests of")
	if strings.Contains(list.Body.String(), "Bob&#39;s refund") {
		t.Fatal("the organisation's list shows another customer's ticket")
	}
	mine := e.get(bob, "/portal/requests").Body.String()
	wantContains(t, mine, "Bob&#39;s refund")
	if strings.Contains(mine, "scope=org") || strings.Contains(mine, "Acme printer") {
		t.Fatal("Bob, without an organisation, is offered someone else's list")
	}
	// Anonymous visitors sign in first and come back.
	rec = e.get(anonymous, "/portal/requests/"+itoa(bobs.ID))
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/login?next="+url.QueryEscape("/portal/requests/"+itoa(bobs.ID)) {
		t.Fatalf("anonymous: redirect to %q", loc)
	}
	for _, p := range []string{"/portal", "/portal/requests", "/portal/requests/new"} {
		wantStatus(t, e.get(anonymous, p), http.StatusSeeOther)
	}
	wantStatus(t, e.post(anonymous, "/portal/requests", url.Values{"subject": {"x"}}), http.StatusUnauthorized)
	// Staff who open a portal link go to the ticket in their workspace.
	rec = e.get(e.login(e.w.Agent), "/portal/requests/"+itoa(bobs.ID))
	wantStatus(t, rec, http.StatusSeeOther)
	if loc := rec.Header().Get("Location"); loc != "/agent/tickets/"+itoa(bobs.ID) {
		t.Fatalf("agent: redirect to %q", loc)
	}
}

// The request form: subject, description, an attachment and the custom
// fields marked for customers; a refused form keeps text and files.
func TestCustomerSubmitsARequest(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	sys := auth.SystemActor()
	order, err := e.w.Tickets.SaveField(ctx, sys, ticket.Field{Title: "Order number", Type: "text", Active: true,
		EditableInPortal: true, Required: true})
	if err != nil {
		t.Fatal(err)
	}
	topic, _ := e.w.Tickets.SaveField(ctx, sys, ticket.Field{Title: "Topic", Type: "tagger", Active: true, EditableInPortal: true,
		Options: []ticket.FieldOption{{Name: "Delivery", Value: "delivery"}, {Name: "Refund", Value: "refund"}}})
	secret, _ := e.w.Tickets.SaveField(ctx, sys, ticket.Field{Title: "Agent score", Type: "integer", Active: true})
	alice := e.login(e.w.Alice)
	form := e.get(alice, "/portal/requests/new").Body.String()
	wantContains(t, form, "Order number", `name="cf_`+itoa(order.ID)+`"`, "Delivery", `enctype="multipart/form-data"`)
	if strings.Contains(form, "Agent score") {
		t.Fatal("the form offers a field that is not for customers")
	}

	// Missing subject and required field: errors, and the file is kept.
	res := e.postFiles(alice, "/portal/requests", url.Values{"description": {"My parcel is late."}},
		map[string][2]string{"attachments": {"receipt.txt", "paid 10.000"}}).want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="subject-error"`, `id="cf_`+itoa(order.ID)+`-error"`, "My parcel is late.",
		`name="pending_upload" value="receipt.txt|`)
	pending := pendingRE.FindStringSubmatch(res.Body)[1]

	res = e.postFiles(alice, "/portal/requests", url.Values{"subject": {"Parcel late"}, "description": {"My parcel is late."},
		"cf_" + itoa(order.ID): {"NUS-1042"}, "cf_" + itoa(topic.ID): {"delivery"}, "cf_" + itoa(secret.ID): {"5"},
		"pending_upload": {pending}}, nil).want(t, http.StatusSeeOther)
	loc := res.Header.Get("Location")
	id, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimPrefix(loc, "/portal/requests/"), "?done=created"), 10, 64)
	if err != nil {
		t.Fatalf("redirect to %q", loc)
	}
	tk, err := e.w.Tickets.Get(ctx, e.w.Agent, id)
	if err != nil {
		t.Fatal(err)
	}
	if tk.RequesterID != e.w.Alice.UserID || tk.Via != "web" || tk.Subject != "Parcel late" ||
		tk.CustomFields[order.ID] != "NUS-1042" || tk.CustomFields[topic.ID] != "delivery" || tk.CustomFields[secret.ID] != nil {
		t.Fatalf("ticket %+v", tk)
	}
	cs, _ := e.w.Tickets.Comments(ctx, e.w.Agent, id, 0, 10)
	if len(cs) != 1 || len(cs[0].Attachments) != 1 || cs[0].Attachments[0].FileName != "receipt.txt" {
		t.Fatalf("comments %+v", cs)
	}
	page := e.get(alice, loc).Body.String()
	wantContains(t, page, "We have received your request", "Parcel late", "NUS-1042", "Delivery", "receipt.txt",
		"/attachments/token/"+cs[0].Attachments[0].Token+"/")
}

var pendingRE = regexp.MustCompile(`name="pending_upload" value="([^"]+)"`)

// A customer reads the public conversation (not internal notes), replies
// with an attachment and marks the request solved.
func TestCustomerRepliesAndMarksSolved(t *testing.T) {
	e := newPortalEnv(t)
	ctx := context.Background()
	tk := e.w.NewTicket(t, e.w.Bob, e.w.Support.ID, "Wrong size", "I got an M, I ordered an L.")
	internal := false
	for _, c := range []ticket.NewComment{{Body: "We will send an L today."}, {Body: "Customer is a VIP", Public: &internal}} {
		c := c
		if _, err := e.w.Tickets.Update(ctx, e.w.Agent, tk.ID, ticket.Patch{Comment: &c}); err != nil {
			t.Fatal(err)
		}
	}
	bob := e.login(e.w.Bob)
	page := e.get(bob, "/portal/requests/"+itoa(tk.ID)).Body.String()
	wantContains(t, page, "We will send an L today.", "Support team", "Mark as solved", `id="reply-body"`)
	if strings.Contains(page, "VIP") {
		t.Fatal("the customer sees an internal note")
	}
	// An empty reply is refused next to the box.
	res := e.postFiles(bob, "/portal/requests/"+itoa(tk.ID), url.Values{"body": {"  "}}, nil).want(t, http.StatusUnprocessableEntity)
	wantContains(t, res.Body, `id="body-error"`)
	e.postFiles(bob, "/portal/requests/"+itoa(tk.ID), url.Values{"body": {"Thanks! Photo attached."}},
		map[string][2]string{"attachments": {"photo.jpg", "\xff\xd8\xff"}}).want(t, http.StatusSeeOther)
	cs, _ := e.w.Tickets.Comments(ctx, e.w.Agent, tk.ID, 0, 10)
	last := cs[len(cs)-1]
	if last.AuthorID != e.w.Bob.UserID || !last.Public || last.Body != "Thanks! Photo attached." || len(last.Attachments) != 1 {
		t.Fatalf("the customer's reply: %+v", last)
	}
	wantStatus(t, e.post(bob, "/portal/requests/"+itoa(tk.ID), url.Values{"action": {"solve"}}), http.StatusSeeOther)
	got, _ := e.w.Tickets.Get(ctx, e.w.Agent, tk.ID)
	if got.Status != "solved" {
		t.Fatalf("status %s, want solved", got.Status)
	}
	page = e.get(bob, "/portal/requests/"+itoa(tk.ID)+"?done=solved").Body.String()
	wantContains(t, page, "marked your request as solved", "badge status-solved")
	if strings.Contains(page, "Mark as solved") {
		t.Fatal("a solved request still offers to mark it solved")
	}
	// Without the CSRF token nothing happens.
	rec := e.post(bob, "/portal/requests/"+itoa(tk.ID), url.Values{"csrf_token": {""}, "body": {"forged"}})
	wantStatus(t, rec, http.StatusForbidden)
	rec = e.post(bob, "/portal/requests", url.Values{"csrf_token": {"wrong"}, "subject": {"forged"}, "description": {"x"}})
	wantStatus(t, rec, http.StatusForbidden)
}

// The portal in Persian: right to left, Persian digits in request numbers.
func TestPortalInPersian(t *testing.T) {
	e := newPortalEnv(t)
	tk := e.w.NewTicket(t, e.w.Bob, e.w.Support.ID, "سفارش نرسید", "سلام")
	_, _ = e.w.Dir.UpdateUser(context.Background(), auth.SystemActor(), e.w.Bob.UserID, directory.UserPatch{Locale: ptr("fa")})
	bob := e.login(e.w.Bob)
	page := e.get(bob, "/portal/requests").Body.String()
	wantContains(t, page, `<html lang="fa" dir="rtl">`, "درخواست‌های من", "#"+i18n.Digits("fa", itoa(tk.ID)), "باز")
}
