package settings_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/settings"
	"layan/internal/testkit"
)

var ctx = context.Background()

func valid() settings.Settings {
	return settings.Settings{
		Branding:       settings.Branding{Name: "Acme Help", AccentColor: "#1D4ED8", LogoBlobKey: strings.Repeat("ab", 32), LogoContentType: "image/PNG"},
		DefaultLocale:  "fa",
		OfferedLocales: []string{"en", "fa"},
	}
}

func TestDefaults(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		s := settings.NewService(d, nil)
		got, err := s.Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := settings.Settings{Branding: settings.Branding{Name: "Layan", AccentColor: "#0f766e"},
			DefaultLocale: "en", OfferedLocales: []string{"en", "id", "fa"}}
		if !equal(got, want) || !equal(settings.Defaults(), want) {
			t.Fatalf("defaults %+v", got)
		}
		if got.Branding.HasLogo() {
			t.Fatal("default has a logo")
		}
	})
}

func equal(a, b settings.Settings) bool {
	return a.Branding == b.Branding && a.DefaultLocale == b.DefaultLocale && slices.Equal(a.OfferedLocales, b.OfferedLocales)
}

func TestSaveAndGetNormalised(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := settings.NewService(d, w.Clock.Now)
		if err := s.Save(ctx, w.Admin, valid()); err != nil {
			t.Fatal(err)
		}
		want := settings.Settings{
			Branding:       settings.Branding{Name: "Acme Help", AccentColor: "#1d4ed8", LogoBlobKey: strings.Repeat("ab", 32), LogoContentType: "image/png"},
			DefaultLocale:  "fa",
			OfferedLocales: []string{"fa", "en"}, // the default first
		}
		got, err := s.Get(ctx)
		if err != nil || !equal(got, want) {
			t.Fatalf("cached: %+v %v", got, err)
		}
		// Another node (a fresh service) reads the same from the database.
		fresh, err := settings.NewService(d, w.Clock.Now).Get(ctx)
		if err != nil || !equal(fresh, want) {
			t.Fatalf("stored: %+v %v", fresh, err)
		}
		// The caller's copy is its own.
		got.OfferedLocales[0] = "id"
		again, _ := s.Get(ctx)
		if again.OfferedLocales[0] != "fa" {
			t.Fatal("Get shares its cached slice")
		}
		// Removing the logo and offering one language.
		in := want
		in.Branding.LogoBlobKey, in.Branding.LogoContentType = "", ""
		in.DefaultLocale, in.OfferedLocales = "id", []string{"ID", "id"}
		if err := s.Save(ctx, auth.SystemActor(), in); err != nil {
			t.Fatal(err)
		}
		fresh, _ = settings.NewService(d, w.Clock.Now).Get(ctx)
		if fresh.Branding.HasLogo() || fresh.DefaultLocale != "id" || !slices.Equal(fresh.OfferedLocales, []string{"id"}) {
			t.Fatalf("after second save %+v", fresh)
		}
	})
}

func TestSaveWritesEventsForChanges(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := settings.NewService(d, w.Clock.Now)
		count := func() (n int) {
			t.Helper()
			if err := d.R.QueryRow(`SELECT count(*) FROM events WHERE type = $1`, settings.EventChanged).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if err := s.Save(ctx, w.Admin, valid()); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 6 {
			t.Fatalf("first save wrote %d events, want one per setting (6)", n)
		}
		if err := s.Save(ctx, w.Admin, valid()); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 6 {
			t.Fatalf("saving the same values wrote events (%d)", n)
		}
		in := valid()
		in.Branding.AccentColor = "#000000"
		if err := s.Save(ctx, w.Admin, in); err != nil {
			t.Fatal(err)
		}
		var actor int64
		var before, after string
		if err := d.R.QueryRow(`SELECT actor_id, before, after FROM events WHERE type = $1 AND field = 'branding.accent_color' ORDER BY id DESC LIMIT 1`,
			settings.EventChanged).Scan(&actor, &before, &after); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 7 || actor != w.Admin.UserID || before != "#1d4ed8" || after != "#000000" {
			t.Fatalf("events %d, last %d %q→%q", n, actor, before, after)
		}
	})
}

func TestSaveIsForAdminsOnly(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := settings.NewService(d, w.Clock.Now)
		for name, a := range map[string]auth.Actor{"agent": w.Agent, "light agent": w.Light, "customer": w.Alice, "anonymous": {}} {
			if err := s.Save(ctx, a, valid()); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("%s: got %v, want forbidden", name, err)
			}
		}
		// Forbidden before validation: a non-admin learns nothing from the answer.
		if err := s.Save(ctx, w.Agent, settings.Settings{}); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("invalid input from an agent: %v", err)
		}
		got, _ := settings.NewService(d, w.Clock.Now).Get(ctx)
		if !equal(got, settings.Defaults()) {
			t.Fatalf("refused saves changed the settings: %+v", got)
		}
		var n int
		if err := d.R.QueryRow(`SELECT count(*) FROM settings`).Scan(&n); err != nil || n != 0 {
			t.Fatalf("%d rows after refused saves (%v)", n, err)
		}
	})
}

func TestValidation(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := settings.NewService(d, w.Clock.Now)
		cases := []struct {
			name       string
			change     func(*settings.Settings)
			field, key string
		}{
			{"empty name", func(s *settings.Settings) { s.Branding.Name = "   " }, "name", "required"},
			{"long name", func(s *settings.Settings) { s.Branding.Name = strings.Repeat("ن", 101) }, "name", "too_long"},
			{"control char", func(s *settings.Settings) { s.Branding.Name = "Acme\nHelp" }, "name", "invalid_text"},
			{"bad utf8", func(s *settings.Settings) { s.Branding.Name = "Acme\xff" }, "name", "invalid_text"},
			{"named colour", func(s *settings.Settings) { s.Branding.AccentColor = "red" }, "accent_color", "invalid_color"},
			{"short colour", func(s *settings.Settings) { s.Branding.AccentColor = "#fff" }, "accent_color", "invalid_color"},
			{"not hex", func(s *settings.Settings) { s.Branding.AccentColor = "#12345g" }, "accent_color", "invalid_color"},
			{"no hash", func(s *settings.Settings) { s.Branding.AccentColor = "0f766e" }, "accent_color", "invalid_color"},
			{"css injection", func(s *settings.Settings) { s.Branding.AccentColor = "#000;}" }, "accent_color", "invalid_color"},
			{"empty colour", func(s *settings.Settings) { s.Branding.AccentColor = "" }, "accent_color", "invalid_color"},
			{"svg logo", func(s *settings.Settings) { s.Branding.LogoContentType = "image/svg+xml" }, "logo_content_type", "invalid_content_type"},
			{"html logo", func(s *settings.Settings) { s.Branding.LogoContentType = "text/html" }, "logo_content_type", "invalid_content_type"},
			{"logo without type", func(s *settings.Settings) { s.Branding.LogoContentType = "" }, "logo_content_type", "invalid_content_type"},
			{"type without logo", func(s *settings.Settings) { s.Branding.LogoBlobKey = "" }, "logo_blob_key", "required"},
			{"traversal key", func(s *settings.Settings) { s.Branding.LogoBlobKey = "../../etc/passwd" }, "logo_blob_key", "invalid"},
			{"absolute key", func(s *settings.Settings) { s.Branding.LogoBlobKey = "/etc/passwd" }, "logo_blob_key", "invalid"},
			{"odd key", func(s *settings.Settings) { s.Branding.LogoBlobKey = "a b" }, "logo_blob_key", "invalid"},
			{"long key", func(s *settings.Settings) { s.Branding.LogoBlobKey = strings.Repeat("a", 256) }, "logo_blob_key", "invalid"},
			{"unknown default", func(s *settings.Settings) { s.DefaultLocale = "de" }, "default_locale", "invalid_locale"},
			{"empty default", func(s *settings.Settings) { s.DefaultLocale = "" }, "default_locale", "invalid_locale"},
			{"tag as default", func(s *settings.Settings) { s.DefaultLocale = "fa-IR" }, "default_locale", "invalid_locale"},
			{"nothing offered", func(s *settings.Settings) { s.OfferedLocales = nil }, "offered_locales", "required"},
			{"unknown offered", func(s *settings.Settings) { s.OfferedLocales = []string{"fa", "ar"} }, "offered_locales", "invalid_locale"},
			{"default not offered", func(s *settings.Settings) { s.OfferedLocales = []string{"en", "id"} }, "offered_locales", "missing_default"},
		}
		for _, c := range cases {
			in := valid()
			c.change(&in)
			err := s.Save(ctx, w.Admin, in)
			v, ok := apperr.AsValidation(err)
			if !ok || v.Field != c.field || v.Key != c.key {
				t.Errorf("%s: got %v, want %s/%s", c.name, err, c.field, c.key)
			}
			if _, verr := settings.Validate(in); verr == nil {
				t.Errorf("%s: Validate accepts what Save refuses", c.name)
			}
		}
		got, _ := settings.NewService(d, w.Clock.Now).Get(ctx)
		if !equal(got, settings.Defaults()) {
			t.Fatalf("invalid saves changed the settings: %+v", got)
		}
	})
}

func TestCacheIsRefreshedAfterFiveSeconds(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		node1 := settings.NewService(d, w.Clock.Now)
		node2 := settings.NewService(d, w.Clock.Now)
		if got, _ := node1.Get(ctx); got.Branding.Name != "Layan" {
			t.Fatal(got)
		}
		in := valid()
		if err := node2.Save(ctx, w.Admin, in); err != nil {
			t.Fatal(err)
		}
		if got, _ := node2.Get(ctx); got.Branding.Name != "Acme Help" {
			t.Fatalf("the saving node sees %q", got.Branding.Name)
		}
		// The other node may be stale, but for less than CacheTTL.
		w.Clock.Advance(settings.CacheTTL - time.Millisecond)
		if got, _ := node1.Get(ctx); got.Branding.Name != "Layan" {
			t.Fatalf("cache not used within the TTL: %q", got.Branding.Name)
		}
		w.Clock.Advance(time.Millisecond)
		if got, _ := node1.Get(ctx); got.Branding.Name != "Acme Help" {
			t.Fatalf("stale after the TTL: %q", got.Branding.Name)
		}
		// Invalidate forces a read.
		in.Branding.Name = "Acme Support"
		if err := node2.Save(ctx, w.Admin, in); err != nil {
			t.Fatal(err)
		}
		node1.Invalidate()
		if got, _ := node1.Get(ctx); got.Branding.Name != "Acme Support" {
			t.Fatalf("after Invalidate: %q", got.Branding.Name)
		}
	})
}

func TestConcurrentGetAndSave(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w := testkit.NewWorld(t, d)
		s := settings.NewService(d, w.Clock.Now)
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if i%5 == 0 {
					in := valid()
					in.Branding.Name = "Name"
					if err := s.Save(ctx, w.Admin, in); err != nil {
						t.Error(err)
					}
					return
				}
				if _, err := s.Get(ctx); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		// Every read that started before the last save is superseded.
		if got, _ := s.Get(ctx); got.Branding.Name != "Name" {
			t.Fatalf("after concurrent saves the node sees %q", got.Branding.Name)
		}
	})
}

func TestBadRowsFallBackToDefaults(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		rows := map[string]string{
			"branding.name":              "",
			"branding.accent_color":      "javascript:alert(1)",
			"branding.logo_blob_key":     "abc",
			"branding.logo_content_type": "image/svg+xml",
			"locale.default":             "id",
			"locale.offered":             `["en","fa"]`, // without the default: it gets offered too
			"other.feature":              "kept",
		}
		for k, v := range rows {
			if _, err := d.W.Exec(`INSERT INTO settings (key, value) VALUES ($1, $2)`, k, v); err != nil {
				t.Fatal(err)
			}
		}
		got, err := settings.NewService(d, nil).Get(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := settings.Settings{Branding: settings.Branding{Name: "Layan", AccentColor: "#0f766e"},
			DefaultLocale: "id", OfferedLocales: []string{"id", "en", "fa"}}
		if !equal(got, want) {
			t.Fatalf("got %+v", got)
		}
		if _, err := d.W.Exec(`UPDATE settings SET value = 'not json' WHERE key = 'locale.offered'`); err != nil {
			t.Fatal(err)
		}
		got, _ = settings.NewService(d, nil).Get(ctx)
		if got.DefaultLocale != "id" || !slices.Equal(got.OfferedLocales, []string{"id", "en", "fa"}) {
			t.Fatalf("with junk offered: %+v", got)
		}
		// Saving leaves other packages' rows alone.
		if err := settings.NewService(d, nil).Save(ctx, auth.SystemActor(), valid()); err != nil {
			t.Fatal(err)
		}
		var v string
		if err := d.R.QueryRow(`SELECT value FROM settings WHERE key = 'other.feature'`).Scan(&v); err != nil || v != "kept" {
			t.Fatalf("other row: %q %v", v, err)
		}
	})
}

func TestChooseLocaleAndAccentText(t *testing.T) {
	st := settings.Settings{DefaultLocale: "id", OfferedLocales: []string{"id", "en"}}
	for _, c := range []struct{ preferred, accept, want string }{
		{"en", "fa", "en"},
		{"fa", "", "id"},             // not offered: default
		{"", "fa-IR,fa;q=0.9", "id"}, // no offered match: default
		{"", "en-US,en;q=0.9", "en"}, // negotiated
		{"", "de,in-ID;q=0.5", "id"}, // old code for Indonesian
		{"xx", "en;q=0.1,id", "id"},  // q-values
		{"", "", "id"},               // nothing: default
		{"EN", "fa", "id"},           // preferred must be a normalised locale
		{"id", "en", "id"},           // the user's choice wins over the browser
		{"", strings.Repeat("a", 5000), "id"},
	} {
		if got := st.ChooseLocale(c.preferred, c.accept); got != c.want {
			t.Errorf("ChooseLocale(%q, %q) = %q, want %q", c.preferred, c.accept, got, c.want)
		}
	}
	for color, want := range map[string]string{"#0f766e": "#ffffff", "#000000": "#ffffff", "#ffffff": "#000000", "#fde047": "#000000", "#1d4ed8": "#ffffff", "bad": "#ffffff"} {
		if got := (settings.Branding{AccentColor: color}).AccentTextColor(); got != want {
			t.Errorf("AccentTextColor(%s) = %s, want %s", color, got, want)
		}
	}
}
