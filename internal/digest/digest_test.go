package digest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/digest"
	"layan/internal/directory"
	"layan/internal/kpi"
	"layan/internal/mail"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func TestWeek(t *testing.T) {
	for _, tc := range []struct{ now, from string }{
		{"2026-11-02T09:00:00Z", "2026-10-26"}, // a Monday: the week before
		{"2026-11-08T23:59:00Z", "2026-10-26"}, // Sunday: still the week before
		{"2026-11-09T00:00:00Z", "2026-11-02"},
	} {
		now, _ := time.Parse(time.RFC3339, tc.now)
		from, to := digest.Week(now)
		if from.Format(time.DateOnly) != tc.from || to.Sub(from) != 7*24*time.Hour || to.Weekday() != time.Monday {
			t.Errorf("%s: %s..%s", tc.now, from, to)
		}
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d) // Monday 2 November 2026, 09:00 UTC
		// Last week: two tickets created, one solved.
		w.Clock.Advance(-5 * 24 * time.Hour)
		for range 2 {
			tk, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "s", RequesterID: w.Alice.UserID, GroupID: w.Support.ID,
				Comment: ticket.NewComment{Body: "b"}})
			if err != nil {
				t.Fatal(err)
			}
			_ = tk
		}
		st := "solved"
		if _, err := w.Tickets.Update(ctx, w.Agent, 1, ticket.Patch{Status: &st}); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(5 * 24 * time.Hour)
		fa := "fa"
		if _, err := w.Dir.UpdateUser(ctx, auth.SystemActor(), w.Admin.UserID, directory.UserPatch{Locale: &fa}); err != nil {
			t.Fatal(err)
		}
		k := kpi.NewService(d, w.Clock.Now, testkit.QuietLogger())
		if _, err := k.CreateGoal(ctx, w.Admin, kpi.Goal{Name: "Volume", KPI: "resolved", Target: 5, StartAt: w.Clock.Now().AddDate(0, 0, -14),
			Deadline: w.Clock.Now().AddDate(0, 1, 0)}); err != nil {
			t.Fatal(err)
		}
		rec := &mail.Recorder{}
		dg := &digest.Digest{DB: d, KPI: k, Dir: w.Dir, Mail: rec, BaseURL: "https://help.example.test", Now: w.Clock.Now,
			Brand: func(context.Context) string { return "Nusantara" }}
		// 09:00 on Monday: due (after 06:00).
		n, err := dg.SendDue(ctx)
		if err != nil || n != 1 {
			t.Fatalf("sent %d, %v", n, err)
		}
		m := rec.Messages()[0]
		if m.To != "admin@layan.test" || m.Locale != "fa" || !strings.Contains(m.HTML, `dir="rtl"`) {
			t.Fatalf("mail: %q %q", m.To, m.Locale)
		}
		// Unicode isolates keep each figure in place in the right-to-left text.
		plain := strings.NewReplacer("\u2066", "", "\u2068", "", "\u2069", "").Replace(m.Text)
		for _, want := range []string{"تیکت‌های ایجادشده: ۲ (قبلی: ۰؛ +۲ بهتر)", "Volume", "/agent/dashboard?from=2026-10-26&to=2026-11-01"} {
			if !strings.Contains(plain, want) {
				t.Errorf("digest lacks %q:\n%s", want, m.Text)
			}
		}
		// Once per week, whatever the number of ticks or nodes.
		if n, _ := dg.SendDue(ctx); n != 0 {
			t.Fatalf("sent again: %d", n)
		}
		w.Clock.Advance(7 * 24 * time.Hour)
		if n, _ := dg.SendDue(ctx); n != 1 {
			t.Fatalf("next week: %d", n)
		}
	})
}
