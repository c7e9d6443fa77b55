package survey_test

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/mail"
	"layan/internal/survey"
	"layan/internal/testkit"
)

var linkRE = regexp.MustCompile(`https://help\.example\.test/surveys/([^?\s"]+)\?score=(\d+)`)

func TestSurveyMails(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		s := survey.NewService(d, w.Tickets, survey.DefaultConfig(), w.Clock.Now, testkit.QuietLogger())
		rec := &mail.Recorder{}
		m := &survey.Mailer{S: s, Dir: w.Dir, Mail: rec, BaseURL: "https://help.example.test/",
			Brand: func(context.Context) string { return "Nusantara" }}
		fa := "fa"
		if _, err := w.Dir.UpdateUser(ctx, auth.SystemActor(), w.Bob.UserID, directory.UserPatch{Locale: &fa}); err != nil {
			t.Fatal(err)
		}
		t1, t2 := solved(t, w, w.Alice), solved(t, w, w.Bob)
		// What Watch does on the bus, here in order: CSAT then CES per ticket.
		for _, tk := range []int64{t1.ID, t2.ID} {
			for _, kind := range []string{survey.CSAT, survey.CES} {
				if _, _, err := s.OfferForTicket(ctx, auth.SystemActor(), tk, kind); err != nil {
					t.Fatal(err)
				}
			}
		}

		// Too fresh: CES may still be on its way.
		if n, err := m.SendPending(ctx); err != nil || n != 0 || len(rec.Messages()) != 0 {
			t.Fatalf("fresh offers mailed: %d %v", n, err)
		}
		w.Clock.Advance(time.Minute)
		if n, err := m.SendPending(ctx); err != nil || n != 4 {
			t.Fatalf("send: %d %v", n, err)
		}
		msgs := rec.Messages()
		if len(msgs) != 2 {
			t.Fatalf("%d mails, want one per ticket", len(msgs))
		}
		en, per := rec.To("alice@acme.test"), rec.To("bob@example.test")
		if len(en) != 1 || len(per) != 1 {
			t.Fatalf("recipients: %+v", msgs)
		}
		a := en[0]
		if !strings.Contains(a.Subject, "#") || a.Locale != "en" || a.Headers["Auto-Submitted"] != "auto-generated" {
			t.Errorf("mail: %q %q %v", a.Subject, a.Locale, a.Headers)
		}
		// CSAT 1–5 and CES 1–7 links, in both parts.
		links := linkRE.FindAllStringSubmatch(a.Text, -1)
		if len(links) != 12 || len(linkRE.FindAllString(a.HTML, -1)) != 12 {
			t.Fatalf("%d links in the text: %s", len(links), a.Text)
		}
		// Persian: right to left, Persian digits on the buttons.
		b := per[0]
		if b.Locale != "fa" || !strings.Contains(b.HTML, `dir="rtl"`) || !strings.Contains(b.HTML, ">۵</a>") {
			t.Errorf("Persian mail: %s", b.HTML)
		}
		// The link answers its own ticket's survey and no other.
		tok, _ := url.PathUnescape(links[3][1])
		r, err := s.AnswerByToken(ctx, tok, 4, nil)
		if err != nil || r.TicketID != t1.ID || r.Kind != survey.CSAT {
			t.Fatalf("answer: %+v %v", r, err)
		}
		if r2, _ := s.ByToken(ctx, linkRE.FindStringSubmatch(b.Text)[1]); r2.TicketID != t2.ID {
			t.Errorf("Bob's link: %+v", r2)
		}
		// Nothing is mailed twice.
		w.Clock.Advance(time.Hour)
		if n, _ := m.SendPending(ctx); n != 0 || len(rec.Messages()) != 2 {
			t.Fatalf("mailed again: %d", len(rec.Messages()))
		}
	})
}

func TestNPSRound(t *testing.T) {
	t.Parallel()
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		w := testkit.NewWorld(t, d)
		cfg := survey.DefaultConfig()
		s := survey.NewService(d, w.Tickets, cfg, w.Clock.Now, testkit.QuietLogger())
		s.Sample = func() float64 { return 0 } // everyone drawn
		n, err := s.NPSRound(ctx)
		if err != nil || n != 3 { // Alice, Bob, Carol
			t.Fatalf("first round: %d %v", n, err)
		}
		// The next round waits for the cooldown.
		w.Clock.Advance(24 * time.Hour)
		if n, _ := s.NPSRound(ctx); n != 0 {
			t.Fatalf("second round a day later: %d", n)
		}
		w.Clock.Advance(cfg.NPSCooldown)
		if n, _ := s.NPSRound(ctx); n != 3 {
			t.Fatalf("round after the cooldown: %d", n)
		}
		// Nobody drawn: a round runs and offers none.
		s.Sample = func() float64 { return 0.99 }
		w.Clock.Advance(cfg.NPSCooldown + time.Hour)
		if n, _ := s.NPSRound(ctx); n != 0 {
			t.Fatalf("unsampled: %d", n)
		}
		// The NPS offers are mailed, one mail each.
		rec := &mail.Recorder{}
		m := &survey.Mailer{S: s, Dir: w.Dir, Mail: rec, BaseURL: "https://help.example.test"}
		if _, err := m.SendPending(ctx); err != nil {
			t.Fatal(err)
		}
		for _, msg := range rec.Messages() {
			if len(linkRE.FindAllString(msg.Text, -1)) != 11 {
				t.Errorf("NPS mail without 0–10 links: %s", msg.Text)
			}
		}
	})
}
