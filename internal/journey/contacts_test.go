package journey_test

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/journey"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

// fixture is a small journey worked out by hand (T0 = the world's clock start):
//
//	Alice (Acme)  signup T0-10d, purchase T0+1h (50.00), cancellation T0+1h+20d → churned, tenure 20 days
//	  tickets: T0 web [login] (before) · T0+2h email [billing] (week 0) · T0+8d1h chat [shipping] (week 1)
//	           · T0+15d1h web [] (week 2)
//	Bob           purchase T0 (10.00) → retained, tenure 30 days (to now, T0+30d)
//	  tickets: T0+2h email [billing vip t1..t5] (week 0) · T0+22d email [refund], later retagged billing (week 3)
//	           · T0+22d a proactive ticket (ReachOut): not a contact
//	Dave          purchase T0+10d → retained, tenure 20 days, no ticket
//	Carol (Acme)  signup only, one ticket: in neither group, not on the chart
type fixture struct {
	w     *testkit.World
	s     *journey.Service
	dave  int64
	t0    time.Time
	reach ticket.Ticket
}

func newFixture(t *testing.T, d *db.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	w := testkit.NewWorld(t, d)
	s := journey.NewService(d, w.Clock.Now, testkit.QuietLogger())
	s.Tickets = w.Tickets
	f := &fixture{w: w, s: s, t0: w.Clock.Now()}
	dave, err := w.Dir.CreateUser(ctx, auth.SystemActor(), directory.UserInput{Name: "Dave", Email: "dave@example.test", Role: auth.RoleEndUser})
	if err != nil {
		t.Fatal(err)
	}
	f.dave = dave.ID
	at := func(d time.Duration) {
		t.Helper()
		if now := w.Clock.Now(); f.t0.Add(d).Before(now) {
			t.Fatalf("clock would go back: %v", f.t0.Add(d).Sub(now))
		}
		w.Clock.Advance(f.t0.Add(d).Sub(w.Clock.Now()))
	}
	rec := func(id int64, typ string, when time.Duration, cents int64) {
		t.Helper()
		if _, err := s.Record(ctx, w.Agent, journey.Event{CustomerID: id, Type: typ, OccurredAt: f.t0.Add(when), ValueCents: cents}); err != nil {
			t.Fatal(err)
		}
	}
	mk := func(req int64, via string, tags ...string) ticket.Ticket {
		t.Helper()
		tk, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "s", RequesterID: req, GroupID: w.Support.ID, Via: via,
			Tags: tags, Comment: ticket.NewComment{Body: "b"}})
		if err != nil {
			t.Fatal(err)
		}
		return tk
	}
	day, hour := 24*time.Hour, time.Hour
	a1 := mk(w.Alice.UserID, "web", "login")
	rec(w.Alice.UserID, "signup", -10*day, 0)
	rec(w.Alice.UserID, "purchase", hour, 5000)
	rec(w.Bob.UserID, "purchase", 0, 1000)
	rec(w.Carol.UserID, "signup", -day, 0)
	at(2 * hour)
	a2 := mk(w.Alice.UserID, "email", "billing")
	mk(w.Bob.UserID, "email", "billing", "vip", "t1", "t2", "t3", "t4", "t5")
	at(8*day + hour)
	a3 := mk(w.Alice.UserID, "chat", "shipping")
	at(10 * day)
	rec(f.dave, "purchase", 10*day, 700)
	at(15*day + hour)
	mk(w.Alice.UserID, "web")
	at(22 * day)
	b2 := mk(w.Bob.UserID, "email", "refund")
	if _, err := w.Tickets.Update(ctx, w.Agent, b2.ID, ticket.Patch{Tags: &[]string{"billing"}}); err != nil {
		t.Fatal(err)
	}
	rec(w.Alice.UserID, "cancellation", 20*day+hour, 0)
	mk(w.Carol.UserID, "email")
	if f.reach, err = s.ReachOut(ctx, w.Agent, journey.ReachOut{CustomerID: w.Bob.UserID, Subject: "How are things?", Message: "Hi Bob, anything we can do?", Via: "web"}); err != nil {
		t.Fatal(err)
	}
	// CSAT: Alice answered good (5) and bad (2); Bob and Dave never answered.
	for i, sc := range []struct {
		tk    int64
		score int
	}{{a2.ID, 5}, {a3.ID, 2}} {
		ms := db.Millis(w.Clock.Now()) + int64(i)
		if _, err := d.W.ExecContext(ctx, `INSERT INTO survey_responses (kind, ticket_id, customer_id, channel, score, offered_at, answered_at)
			VALUES ('csat', $1, $2, 'email', $3, $4, $4)`, sc.tk, w.Alice.UserID, sc.score, ms); err != nil {
			t.Fatal(err)
		}
	}
	// An unanswered offer counts nowhere.
	if _, err := d.W.ExecContext(ctx, `INSERT INTO survey_responses (kind, ticket_id, customer_id, channel, offered_at)
		VALUES ('csat', $1, $2, 'web', $3)`, a1.ID, w.Alice.UserID, db.Millis(w.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	at(30 * day)
	return f
}

func series(n int, at map[int]int) []int {
	out := make([]int, n)
	for i, v := range at {
		out[i] = v
	}
	return out
}

func TestContactsByWeek(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		w := f.w
		c, err := f.s.ContactsByWeek(ctx, w.Admin, 0)
		if err != nil {
			t.Fatal(err)
		}
		n := journey.Weeks + 1
		if len(c.Buckets) != n || c.Buckets[0] != "before" || c.Buckets[1] != "0" || c.Buckets[n-1] != "25" {
			t.Errorf("buckets %v", c.Buckets)
		}
		// Buckets: 0 = before, 1 = week 0, 2 = week 1, ...
		if want := series(n, map[int]int{0: 1, 1: 2, 2: 1, 3: 1, 4: 1}); !slices.Equal(c.Total, want) {
			t.Errorf("total %v, want %v", c.Total, want)
		}
		if c.Customers != 3 {
			t.Errorf("customers %d", c.Customers)
		}
		if want := series(n, map[int]int{0: 3, 1: 3, 2: 3, 3: 3, 4: 2, 5: 2}); !slices.Equal(c.Reached, want) {
			t.Errorf("reached %v, want %v", c.Reached, want)
		}
		wantSplits(t, "channel", c.ByChannel, []journey.Split{
			{Key: "email", Counts: series(n, map[int]int{1: 2, 4: 1})},
			{Key: "web", Counts: series(n, map[int]int{0: 1, 3: 1})},
			{Key: "chat", Counts: series(n, map[int]int{2: 1})},
		})
		// billing (2) first, then the ties by name; Bob's t3..t5 and vip are "other";
		// his second ticket counts as refund, its tag at creation.
		wantSplits(t, "topic", c.ByTopic, []journey.Split{
			{Key: "billing", Counts: series(n, map[int]int{1: 2})},
			{Key: "login", Counts: series(n, map[int]int{0: 1})},
			{Key: "refund", Counts: series(n, map[int]int{4: 1})},
			{Key: "shipping", Counts: series(n, map[int]int{2: 1})},
			{Key: "t1", Counts: series(n, map[int]int{1: 1})},
			{Key: "t2", Counts: series(n, map[int]int{1: 1})},
			{Key: "other", Counts: series(n, map[int]int{1: 1})},
			{Key: "none", Counts: series(n, map[int]int{3: 1})},
		})

		// One organisation: Acme's customers (Alice; Carol bought nothing).
		c, err = f.s.ContactsByWeek(ctx, w.Admin, w.Acme.ID)
		if err != nil {
			t.Fatal(err)
		}
		if want := series(n, map[int]int{0: 1, 1: 1, 2: 1, 3: 1}); c.Customers != 1 || !slices.Equal(c.Total, want) {
			t.Errorf("Acme: %d customers, total %v", c.Customers, c.Total)
		}
		if _, err := f.s.ContactsByWeek(ctx, w.Admin, 999999); !isInvalid(err, "organization_id") {
			t.Errorf("unknown organisation: %v", err)
		}
		for _, a := range []auth.Actor{w.Agent, w.Light, w.Alice} {
			if _, err := f.s.ContactsByWeek(ctx, a, 0); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("%s: %v", a.Role, err)
			}
		}
	})
}

func wantSplits(t *testing.T, name string, got, want []journey.Split) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d series %v, want %d %v", name, len(got), got, len(want), want)
		return
	}
	for i := range want {
		if got[i].Key != want[i].Key || !slices.Equal(got[i].Counts, want[i].Counts) {
			t.Errorf("%s %d: %s %v, want %s %v", name, i, got[i].Key, got[i].Counts, want[i].Key, want[i].Counts)
		}
	}
}

func isInvalid(err error, field string) bool {
	ve, ok := apperr.AsValidation(err)
	return ok && ve.Field == field
}

func near(p *float64, want float64) bool { return p != nil && math.Abs(*p-want) < 1e-9 }

func TestChurnedVsRetained(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		w := f.w
		cr, err := f.s.ChurnedVsRetained(ctx, w.Admin, 0)
		if err != nil {
			t.Fatal(err)
		}
		// Churned: Alice, 3 contacts in 20 days (her first ticket came before the purchase).
		ch, re := cr.Churned, cr.Retained
		if ch.Customers != 1 || ch.Contacts != 3 || math.Abs(ch.TenureDays-20) > 1e-9 || !near(ch.ContactsPer30Days, 4.5) ||
			!near(ch.ContactedPercent, 100) || ch.CSATAnswers != 2 || !near(ch.CSATPercent, 50) {
			t.Errorf("churned %+v", ch)
		}
		// Retained: Bob (2 contacts, 30 days; the proactive ticket is ours) and Dave (none, 20 days).
		if re.Customers != 2 || re.Contacts != 2 || math.Abs(re.TenureDays-50) > 1e-9 || !near(re.ContactsPer30Days, 1.2) ||
			!near(re.ContactedPercent, 50) || re.CSATAnswers != 0 || re.CSATPercent != nil {
			t.Errorf("retained %+v", re)
		}
		if !near(cr.Ratio, 3.75) {
			t.Errorf("ratio %v", cr.Ratio)
		}
		// Acme: Alice only; no retained customer, so no ratio.
		cr, err = f.s.ChurnedVsRetained(ctx, w.Admin, w.Acme.ID)
		if err != nil || cr.Churned.Customers != 1 || cr.Retained.Customers != 0 || cr.Ratio != nil || cr.Retained.ContactsPer30Days != nil {
			t.Errorf("Acme: %+v %v", cr, err)
		}
		if _, err := f.s.ChurnedVsRetained(ctx, w.Admin, 999999); !isInvalid(err, "organization_id") {
			t.Errorf("unknown organisation: %v", err)
		}
		if _, err := f.s.ChurnedVsRetained(ctx, w.Agent, 0); !errors.Is(err, apperr.ErrForbidden) {
			t.Errorf("agent: %v", err)
		}
		// A ticket Alice opens after her cancellation is outside her tenure.
		if _, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{Subject: "s", RequesterID: w.Alice.UserID, GroupID: w.Support.ID,
			Via: "email", Comment: ticket.NewComment{Body: "b"}}); err != nil {
			t.Fatal(err)
		}
		if cr, err = f.s.ChurnedVsRetained(ctx, w.Admin, 0); err != nil || cr.Churned.Contacts != 3 || !near(cr.Churned.ContactsPer30Days, 4.5) {
			t.Errorf("after a ticket past the cancellation: %+v %v", cr.Churned, err)
		}
	})
}

func TestReachOut(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		f := newFixture(t, d)
		w := f.w
		tk := f.reach
		if tk.RequesterID != w.Bob.UserID || tk.AssigneeID != w.Agent.UserID || tk.SubmitterID != w.Agent.UserID ||
			!slices.Equal(tk.Tags, []string{journey.ProactiveTag}) || tk.Via != "web" || tk.Subject != "How are things?" || tk.GroupID != w.Support.ID {
			t.Errorf("ticket %+v", tk)
		}
		cs, err := w.Tickets.Comments(ctx, w.Agent, tk.ID, 0, 10)
		if err != nil || len(cs) != 1 || !cs[0].Public || cs[0].AuthorID != w.Agent.UserID || cs[0].Body != "Hi Bob, anything we can do?" {
			t.Fatalf("comments %+v %v", cs, err)
		}
		// The public first comment is what the mail notifier sends to the customer.
		var field string
		if err := d.R.QueryRowContext(ctx, `SELECT field FROM events WHERE ticket_id = $1 AND type = 'ticket.comment_added'`, tk.ID).Scan(&field); err != nil || field != "public" {
			t.Errorf("comment event field %q %v", field, err)
		}
		in := journey.ReachOut{CustomerID: w.Bob.UserID, Subject: "s", Message: "m"}
		for _, a := range []auth.Actor{w.Light, w.Alice, w.Bob} {
			if _, err := f.s.ReachOut(ctx, a, in); !errors.Is(err, apperr.ErrForbidden) {
				t.Errorf("%s reached out: %v", a.Role, err)
			}
		}
		if tk, err := f.s.ReachOut(ctx, w.Admin, in); err != nil || tk.AssigneeID != w.Admin.UserID || tk.Via != "api" {
			t.Errorf("admin: %+v %v", tk, err)
		}
		for _, bad := range []journey.ReachOut{
			{CustomerID: w.Agent.UserID, Subject: "s", Message: "m"},
			{CustomerID: 999999, Subject: "s", Message: "m"},
		} {
			if _, err := f.s.ReachOut(ctx, w.Agent, bad); !errors.Is(err, apperr.ErrNotFound) {
				t.Errorf("%+v: %v", bad, err)
			}
		}
		for _, bad := range []journey.ReachOut{
			{CustomerID: w.Bob.UserID, Subject: " ", Message: "m"},
			{CustomerID: w.Bob.UserID, Subject: "s", Message: ""},
		} {
			if _, err := f.s.ReachOut(ctx, w.Agent, bad); err == nil {
				t.Errorf("accepted %+v", bad)
			}
		}
	})
}
