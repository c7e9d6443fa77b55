package e2e_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"layan/internal/app"
	"layan/internal/auth"
	"layan/internal/config"
	"layan/internal/directory"
	"layan/internal/ticket"
)

const chromium = "/usr/bin/chromium"

// site is a running Layan with a small workspace.
type site struct {
	URL      string
	App      *app.App
	Group    directory.Group
	Agent    directory.User // English
	Persian  directory.User // Persian, Tehran time
	Customer directory.User
	Ticket   ticket.Ticket // Customer's, assigned to Agent
}

const password = "correct-horse-42"

func startSite(t *testing.T) *site {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Defaults()
	cfg.DataDir = dir
	cfg.DatabaseURL = "sqlite://" + filepath.Join(dir, "layan.db")
	cfg.RateLimit = 0
	a, err := app.Open(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(a.Web)
	t.Cleanup(func() {
		hs.CloseClientConnections() // live streams stay open until closed
		hs.Close()
		a.Close()
	})
	s := &site{URL: hs.URL, App: a}
	ctx := context.Background()
	sys := auth.SystemActor()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	s.Group, err = a.Dir.CreateGroup(ctx, sys, "Dukungan Pelanggan", "")
	must(err)
	mk := func(name, email, role, locale, tz string) directory.User {
		u, err := a.Dir.CreateUser(ctx, sys, directory.UserInput{Name: name, Email: email, Role: role, Locale: locale,
			TimeZone: tz, Password: password, Verified: true})
		must(err)
		if role != auth.RoleEndUser {
			must(a.Dir.AddMember(ctx, sys, u.ID, s.Group.ID))
		}
		return u
	}
	s.Agent = mk("Tom Baker", "tom@layan.test", auth.RoleAgent, "en", "Europe/London")
	s.Persian = mk("مریم احمدی", "maryam@layan.test", auth.RoleAgent, "fa", "Asia/Tehran")
	s.Customer = mk("Budi Santoso", "budi@nusantara.test", auth.RoleEndUser, "id", "Asia/Jakarta")
	s.Ticket, err = a.Tickets.Create(ctx, sys, ticket.NewTicket{Subject: "Paket belum sampai setelah 5 hari",
		RequesterID: s.Customer.ID, AssigneeID: s.Agent.ID, GroupID: s.Group.ID, Via: "email",
		Comment: ticket.NewComment{Body: "Halo, pesanan #NUS-1042 belum sampai. Mohon dicek."}})
	must(err)
	return s
}

// actor is a person's auth.Actor, for calls to the services.
func (s *site) actor(t *testing.T, u directory.User) auth.Actor {
	t.Helper()
	a, err := s.App.Dir.ActorFor(context.Background(), u.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// newBrowser starts headless Chromium, or skips the test without one.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser tests need Chromium at %s (apt-get install chromium fonts-noto-core): %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.WindowSize(1280, 900),
		chromedp.UserDataDir(t.TempDir()),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	// Start the browser now, without a deadline, so a per-step timeout
	// never takes the whole browser down.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// tab opens another tab with its own cookies (a second person).
func tab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	return ctx
}

// step runs actions with a timeout and fails the test on error.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(c, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// value runs one action that returns something.
func value[T any](t *testing.T, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	c, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, what, js string) {
	t.Helper()
	value(t, ctx, what, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(15*time.Second),
		chromedp.WithPollingInterval(100*time.Millisecond)))
}

// clickAndLoad clicks and waits for the page that the click loads.
func clickAndLoad(t *testing.T, ctx context.Context, what, selector string) {
	t.Helper()
	value(t, ctx, what, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(selector))))
}

// signIn uses the sign-in form like a person.
func signIn(t *testing.T, ctx context.Context, s *site, email string) {
	t.Helper()
	step(t, ctx, "open sign-in", chromedp.Navigate(s.URL+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password))
	clickAndLoad(t, ctx, "sign in", `form[action="/login"] button[type="submit"]`)
	loc := value(t, ctx, "location", chromedp.Location())
	if filepath.Base(loc) == "login" {
		t.Fatalf("still on the sign-in page after signing in as %s", email)
	}
}

// screenshot saves the viewport as PNG under the test's temp dir.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png := value(t, ctx, "screenshot", chromedp.CaptureScreenshot())
	path := filepath.Join(t.TempDir(), name+".png")
	if err := os.WriteFile(path, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
	if dir := os.Getenv("LAYAN_E2E_SCREENSHOTS"); dir != "" {
		_ = os.MkdirAll(dir, 0o755)
		keep := filepath.Join(dir, name+".png")
		if err := os.WriteFile(keep, png, 0o644); err == nil {
			t.Logf("screenshot kept: %s", keep)
		}
	}
}
