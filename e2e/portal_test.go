package e2e_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/config"
	"layan/internal/directory"
	"layan/internal/i18n"
	"layan/internal/ticket"
)

// The customer portal and the admin pages in Chromium. Mail goes to the log
// (no support address is configured), so the tests read verification links
// from there, as an operator would before the email channel is set up.

// mailbox keeps the mails that the log sender wrote.
type mailbox struct {
	mu   sync.Mutex
	msgs []loggedMail
}

type loggedMail struct{ To, Subject, Text string }

// mailLog is a slog.Handler that keeps "outbound mail" records.
type mailLog struct{ box *mailbox }

func (h mailLog) Enabled(context.Context, slog.Level) bool { return true }
func (h mailLog) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h mailLog) WithGroup(string) slog.Handler            { return h }
func (h mailLog) Handle(_ context.Context, r slog.Record) error {
	if !strings.HasPrefix(r.Message, "outbound mail") {
		return nil
	}
	var m loggedMail
	r.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "to":
			m.To = a.Value.String()
		case "subject":
			m.Subject = a.Value.String()
		case "text":
			m.Text = a.Value.String()
		}
		return true
	})
	h.box.mu.Lock()
	h.box.msgs = append(h.box.msgs, m)
	h.box.mu.Unlock()
	return nil
}

var mailLinkRE = regexp.MustCompile(`https?://[^/\s]+(/portal/[a-z/]+\?token=[A-Za-z0-9_-]+)`)

// link waits for a mail to addr and returns the path of its link.
func (b *mailbox) link(t *testing.T, addr string) (loggedMail, string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		b.mu.Lock()
		for i := len(b.msgs) - 1; i >= 0; i-- {
			if m := b.msgs[i]; strings.EqualFold(m.To, addr) {
				b.mu.Unlock()
				match := mailLinkRE.FindStringSubmatch(m.Text)
				if match == nil {
					t.Fatalf("no link in the mail to %s: %q", addr, m.Text)
				}
				return m, match[1]
			}
		}
		b.mu.Unlock()
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("no mail to %s", addr)
	return loggedMail{}, ""
}

// portalSite is a running Layan with an admin, an agent and a customer, whose
// outbound mail is kept.
type portalSite struct {
	URL      string
	App      *app.App
	Mail     *mailbox
	Admin    directory.User
	Agent    directory.User
	Customer directory.User // Indonesian
	Persian  directory.User // a Persian-speaking customer
	Other    ticket.Ticket  // another customer's ticket
}

func startPortalSite(t *testing.T) *portalSite {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite://" + filepath.Join(dir, "layan.db")
	cfg.RateLimit = 0
	box := &mailbox{}
	a, err := app.Open(context.Background(), cfg, slog.New(mailLog{box: box}))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.Web)
	t.Cleanup(func() {
		hs.CloseClientConnections()
		hs.Close()
		a.Close()
	})
	s := &portalSite{URL: hs.URL, App: a, Mail: box}
	ctx := context.Background()
	sys := auth.SystemActor()
	mk := func(name, email, role, locale, tz string) directory.User {
		u, err := a.Dir.CreateUser(ctx, sys, directory.UserInput{Name: name, Email: email, Role: role, Locale: locale,
			TimeZone: tz, Password: password, Verified: true})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	s.Admin = mk("Ayu Pratiwi", "ayu@layan.test", auth.RoleAdmin, "en", "Asia/Jakarta")
	s.Agent = mk("Tom Baker", "tom@layan.test", auth.RoleAgent, "en", "Europe/London")
	s.Customer = mk("Budi Santoso", "budi@nusantara.test", auth.RoleEndUser, "id", "Asia/Jakarta")
	s.Persian = mk("مریم احمدی", "maryam@example.test", auth.RoleEndUser, "fa", "Asia/Tehran")
	other := mk("Rina Wijaya", "rina@example.test", auth.RoleEndUser, "id", "Asia/Jakarta")
	s.Other, err = a.Tickets.Create(ctx, sys, ticket.NewTicket{Subject: "Tagihan ganda bulan Mei", RequesterID: other.ID,
		Via: "email", Comment: ticket.NewComment{Body: "Nomor kartu saya 4111 ... dobel ditagih."}})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// actor is a person's auth.Actor, for calls to the services.
func (s *portalSite) actor(t *testing.T, u directory.User) auth.Actor {
	t.Helper()
	a, err := s.App.Dir.ActorFor(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func (s *portalSite) signIn(t *testing.T, ctx context.Context, email string) {
	t.Helper()
	signIn(t, ctx, &site{URL: s.URL}, email)
}

// waitUntil evaluates a JavaScript condition until it holds. Unlike one
// long poll it survives a navigation that is still committing (the page's
// script context changes under it).
func waitUntil(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		c, cancel := context.WithTimeout(ctx, 5*time.Second)
		ok, err := chromedp.Run(c, chromedp.Evaluate[bool](js))
		cancel()
		if err == nil && ok {
			return
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s: the condition never held (last error: %v): %s", what, last, js)
}

// typeInto clears an input and types into it.
func typeInto(sel, text string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(setValue(sel, ""), chromedp.SendKeys(chromedp.CSS(sel), text))
}

// setValue sets an input's or a select's value as a script would.
func setValue(sel, v string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q; e.dispatchEvent(new Event('input')); })()`, sel, v))
}

// A new customer signs up in Indonesian, confirms the address from the mail,
// signs in, sends a request with an attachment, reads the agent's answer and
// replies.
func TestCustomerSignsUpInIndonesianAndSubmitsARequest(t *testing.T) {
	s := startPortalSite(t)
	ctx := newBrowser(t)
	const addr, pw = "sari.dewi@nusantara.test", "rahasia-sekali-9"

	step(t, ctx, "open sign-in", chromedp.Navigate(s.URL+"/login"), chromedp.WaitVisible(chromedp.ID("email")))
	clickAndLoad(t, ctx, "follow the sign-up link", `main a[href="/portal/signup"]`)
	// Switch to Indonesian with the language menu (it submits on change).
	value(t, ctx, "choose Bahasa Indonesia", chromedp.WaitEvent(pageLoad, nil, chromedp.Evaluate[chromedp.Void](
		`(() => { const s = document.getElementById('lang-select'); s.value = 'id'; s.dispatchEvent(new Event('change')); })()`)))
	waitUntil(t, ctx, "the page is Indonesian", `document.documentElement.lang === 'id' && document.querySelector('h1').innerText === 'Daftar'`)
	step(t, ctx, "fill in the sign-up form",
		chromedp.SendKeys(chromedp.ID("name"), "Sari Dewi"),
		chromedp.SendKeys(chromedp.ID("email"), addr),
		chromedp.SendKeys(chromedp.ID("password"), pw))
	screenshot(t, ctx, "portal-signup-id")
	clickAndLoad(t, ctx, "create the account", `form[action="/portal/signup"] button[type="submit"]`)
	if h := value(t, ctx, "read the heading", chromedp.Text(chromedp.CSS("main h1"))); !strings.Contains(h, "Periksa email Anda") {
		t.Fatalf("after sign-up: %q", h)
	}
	m, link := s.Mail.link(t, addr)
	if !strings.Contains(m.Subject, "Konfirmasi alamat email") || !strings.Contains(m.Text, "Halo Sari Dewi") {
		t.Fatalf("verification mail: %q / %q", m.Subject, m.Text)
	}
	step(t, ctx, "open the link from the mail", chromedp.Navigate(s.URL+link),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/portal/verify"] button`)))
	clickAndLoad(t, ctx, "confirm the address", `form[action="/portal/verify"] button[type="submit"]`)
	if h := value(t, ctx, "read the heading", chromedp.Text(chromedp.CSS("main h1"))); !strings.Contains(h, "Alamat email terkonfirmasi") {
		t.Fatalf("after confirming: %q", h)
	}
	clickAndLoad(t, ctx, "go to sign in", `main a.btn-primary`)
	step(t, ctx, "sign in", chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), addr), chromedp.SendKeys(chromedp.ID("password"), pw))
	clickAndLoad(t, ctx, "submit the sign-in form", `form[action="/login"] button[type="submit"]`)
	waitUntil(t, ctx, "the portal greets her", `location.pathname === '/portal' && document.querySelector('main h1').innerText.includes('Selamat datang, Sari Dewi')`)
	screenshot(t, ctx, "portal-home-id")

	clickAndLoad(t, ctx, "open the request form", `.portal-cards a[href="/portal/requests/new"]`)
	receipt := filepath.Join(t.TempDir(), "struk-pembayaran.txt")
	writeFile(t, receipt, "Pembayaran Rp 250.000, 3 Mei")
	// Submit without a subject first: the error shows next to the field, in Indonesian.
	step(t, ctx, "write the description", chromedp.SendKeys(chromedp.ID("description"), "Paket saya belum sampai setelah lima hari. Nomor pesanan NUS-2024."))
	clickAndLoad(t, ctx, "send without a subject", `form[action="/portal/requests"] button[type="submit"]`)
	if msg := value(t, ctx, "read the error", chromedp.Text(chromedp.ID("subject-error"))); !strings.Contains(msg, "wajib diisi") {
		t.Fatalf("subject error %q", msg)
	}
	step(t, ctx, "fill in the subject and attach the receipt",
		chromedp.SendKeys(chromedp.ID("subject"), "Paket belum sampai"),
		chromedp.SetUploadFiles(chromedp.ID("attachments"), []string{receipt}))
	clickAndLoad(t, ctx, "send the request", `form[action="/portal/requests"] button[type="submit"]`)
	flash := value(t, ctx, "read the notice", chromedp.Text(chromedp.CSS(".flash-ok")))
	if !strings.Contains(flash, "Terima kasih") {
		t.Fatalf("notice after sending: %q", flash)
	}
	loc := value(t, ctx, "location", chromedp.Location())
	id, err := strconv.ParseInt(regexp.MustCompile(`/portal/requests/(\d+)`).FindStringSubmatch(loc)[1], 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	conv := value(t, ctx, "read the conversation", chromedp.Text(chromedp.ID("conversation")))
	if !strings.Contains(conv, "NUS-2024") || !strings.Contains(conv, "struk-pembayaran.txt") {
		t.Fatalf("conversation %q", conv)
	}
	tk, err := s.App.Tickets.Get(context.Background(), s.actor(t, s.Agent), id)
	if err != nil || tk.Via != "web" || tk.Subject != "Paket belum sampai" {
		t.Fatalf("ticket %+v %v", tk, err)
	}

	// The agent answers; the customer sees it and replies.
	if _, err := s.App.Tickets.Update(context.Background(), s.actor(t, s.Agent), id, ticket.Patch{Status: ptrTo("pending"),
		Comment: &ticket.NewComment{Body: "Halo Bu Sari, paket Anda dikirim ulang hari ini. Mohon konfirmasi alamatnya."}}); err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "reload the request", chromedp.Navigate(s.URL+"/portal/requests/"+strconv.FormatInt(id, 10)),
		chromedp.WaitVisible(chromedp.ID("reply-body")))
	conv = value(t, ctx, "read the answer", chromedp.Text(chromedp.ID("conversation")))
	badge := value(t, ctx, "read the status", chromedp.Text(chromedp.CSS(".ticket-head .badge")))
	if !strings.Contains(conv, "dikirim ulang hari ini") || !strings.Contains(conv, "Tim dukungan") || badge != "Menunggu balasan Anda" {
		t.Fatalf("after the agent's answer: status %q, conversation %q", badge, conv)
	}
	step(t, ctx, "write a reply", chromedp.SendKeys(chromedp.ID("reply-body"), "Alamatnya Jl. Melati 12, Bandung. Terima kasih!"))
	clickAndLoad(t, ctx, "send the reply", `#reply-form button[type="submit"]`)
	waitUntil(t, ctx, "the reply is in the conversation", `document.getElementById('conversation').innerText.includes('Jl. Melati 12')`)
	if badge := value(t, ctx, "read the status", chromedp.Text(chromedp.CSS(".ticket-head .badge"))); badge != "Terbuka" {
		t.Fatalf("status after the reply %q, want Terbuka (reopened)", badge)
	}
	screenshot(t, ctx, "portal-request-id")
}

// A customer who changes the number in the address gets a "not found" page,
// never another customer's request.
func TestCustomerCannotOpenAnotherCustomersTicketURL(t *testing.T) {
	s := startPortalSite(t)
	ctx := newBrowser(t)
	s.signIn(t, ctx, "budi@nusantara.test")
	step(t, ctx, "open someone else's request", chromedp.Navigate(fmt.Sprintf("%s/portal/requests/%d", s.URL, s.Other.ID)),
		chromedp.WaitVisible(chromedp.CSS("main h1")))
	text := value(t, ctx, "read the page", chromedp.Text(chromedp.CSS("main")))
	if strings.Contains(text, "Tagihan ganda") || strings.Contains(text, "4111") {
		t.Fatalf("the page shows another customer's request: %q", text)
	}
	if !strings.Contains(text, i18n.T("id", "error.not_found")) {
		t.Fatalf("page %q, want the not-found message in Indonesian", text)
	}
	status := value(t, ctx, "read the status", chromedp.Evaluate[int](
		`performance.getEntriesByType('navigation')[0].responseStatus`))
	if status != 404 {
		t.Fatalf("status %d, want 404", status)
	}
	screenshot(t, ctx, "portal-other-customer-404")
}

// An admin renames the workspace, picks a colour and uploads a logo, then
// adds a custom field for customers, which then shows on the request form.
func TestAdminChangesBrandingAndAddsAFieldForCustomers(t *testing.T) {
	s := startPortalSite(t)
	ctx := newBrowser(t)
	s.signIn(t, ctx, "ayu@layan.test")
	step(t, ctx, "open branding", chromedp.Navigate(s.URL+"/admin/branding"), chromedp.WaitVisible(chromedp.ID("brand-name")))
	logo := filepath.Join(t.TempDir(), "logo.png")
	writeFile(t, logo, string(testPNG(t)))
	step(t, ctx, "change the name, colour and logo",
		typeInto("#brand-name", "Toko Nusantara"),
		setValue("#brand-color", "#b45309"),
		chromedp.SetUploadFiles(chromedp.ID("brand-logo"), []string{logo}))
	clickAndLoad(t, ctx, "save the branding", `form[action="/admin/branding"] button[type="submit"]`)
	waitUntil(t, ctx, "the header shows the new brand",
		`document.querySelector('.brand').innerText.includes('Toko Nusantara') && document.querySelector('.brand-logo') !== null && document.querySelector('.brand-logo').naturalWidth > 0`)
	accent := value(t, ctx, "read the accent colour", chromedp.Evaluate[string](
		`getComputedStyle(document.querySelector('.btn-primary')).backgroundColor`))
	if accent != "rgb(180, 83, 9)" {
		t.Fatalf("primary button colour %q, want the new accent", accent)
	}
	screenshot(t, ctx, "admin-branding")

	step(t, ctx, "open the new field form", chromedp.Navigate(s.URL+"/admin/fields/new"), chromedp.WaitVisible(chromedp.ID("fd-title")),
		chromedp.SendKeys(chromedp.ID("fd-title"), "Kategori masalah"),
		setValue("#fd-type", "tagger"),
		chromedp.SendKeys(chromedp.ID("fd-options"), "Pengiriman\nPengembalian dana | refund\nProduk rusak"),
		chromedp.Click(chromedp.ID("fd-editable")))
	clickAndLoad(t, ctx, "create the field", `form[action="/admin/fields"] button[type="submit"]`)
	waitUntil(t, ctx, "the field is listed", `document.querySelector('table.admin-table').innerText.includes('Kategori masalah')`)
	screenshot(t, ctx, "admin-fields")

	customer := tab(t, ctx)
	s.signIn(t, customer, "budi@nusantara.test")
	step(t, customer, "open the request form", chromedp.Navigate(s.URL+"/portal/requests/new"),
		chromedp.WaitVisible(chromedp.ID("subject")))
	form := value(t, customer, "read the form", chromedp.Text(chromedp.CSS("form.request-form")))
	if !strings.Contains(form, "Kategori masalah") || !strings.Contains(form, "Pengembalian dana") {
		t.Fatalf("the new field is not on the portal form: %q", form)
	}
	brand := value(t, customer, "read the header", chromedp.Text(chromedp.CSS(".brand")))
	if brand != "Toko Nusantara" {
		t.Fatalf("the customer's header says %q", brand)
	}
	screenshot(t, customer, "portal-form-with-field")
}

// A Persian customer's request page: right to left, mirrored, Persian digits
// and Solar Hijri dates.
func TestPersianPortalPageIsRightToLeft(t *testing.T) {
	s := startPortalSite(t)
	tk, err := s.App.Tickets.Create(context.Background(), s.actor(t, s.Persian), ticket.NewTicket{Subject: "سفارش ۱۲۴ هنوز نرسیده",
		Comment: ticket.NewComment{Body: "سلام، سفارشم پس از یک هفته هنوز نرسیده است."}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.Tickets.Update(context.Background(), s.actor(t, s.Agent), tk.ID, ticket.Patch{
		Comment: &ticket.NewComment{Body: "Hello Maryam, your order ships tomorrow."}}); err != nil {
		t.Fatal(err)
	}
	ctx := newBrowser(t)
	s.signIn(t, ctx, "maryam@example.test")
	step(t, ctx, "open the request", chromedp.Navigate(fmt.Sprintf("%s/portal/requests/%d", s.URL, tk.ID)),
		chromedp.WaitVisible(chromedp.ID("conversation")))
	attrs := value(t, ctx, "read <html>", chromedp.Attributes(chromedp.CSS("html")))
	if attrs["dir"] != "rtl" || attrs["lang"] != "fa" {
		t.Fatalf("<html> %v, want lang=fa dir=rtl", attrs)
	}
	head := value(t, ctx, "read the heading", chromedp.Text(chromedp.CSS("main h1")))
	if !strings.Contains(head, "#"+i18n.Digits("fa", strconv.FormatInt(tk.ID, 10))) {
		t.Fatalf("heading %q, want the number in Persian digits", head)
	}
	when := value(t, ctx, "read a date", chromedp.Text(chromedp.CSS(".comment .when .muted")))
	tehran, _ := time.LoadLocation("Asia/Tehran")
	if want := i18n.FormatDate("fa", tk.CreatedAt, tehran); !strings.Contains(when, want) || strings.ContainsAny(when, "0123456789") {
		t.Fatalf("date %q, want the Solar Hijri date %q", when, want)
	}
	mirrored := value(t, ctx, "measure the layout", chromedp.Evaluate[bool](`(() => {
		const w = window.innerWidth;
		const brand = document.querySelector('.brand').getBoundingClientRect();
		const send = document.querySelector('#reply-form button[type="submit"]').getBoundingClientRect();
		const box = document.getElementById('reply-form').getBoundingClientRect();
		return brand.left > w / 2 && send.right > box.left + box.width / 2 && getComputedStyle(document.body).direction === 'rtl';
	})()`))
	if !mirrored {
		t.Fatal("the Persian portal page is not mirrored")
	}
	label := value(t, ctx, "read the reply label", chromedp.Text(chromedp.CSS(`label[for="reply-body"]`)))
	if label != i18n.T("fa", "portal.add_comment") {
		t.Fatalf("reply label %q", label)
	}
	screenshot(t, ctx, "portal-persian-rtl")
}

// pageLoad is the event a navigation ends with.
var pageLoad = page.LoadEventFired

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// testPNG is a small logo: a teal square with an orange bar.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 96, 32))
	for x := 0; x < 96; x++ {
		for y := 0; y < 32; y++ {
			c := color.RGBA{255, 255, 255, 255}
			if x < 32 {
				c = color.RGBA{180, 83, 9, 255}
			} else if y > 12 && y < 20 {
				c = color.RGBA{255, 237, 213, 255}
			}
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func ptrTo[T any](v T) *T { return &v }
