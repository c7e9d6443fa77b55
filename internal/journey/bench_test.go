package journey_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/db"
	"layan/internal/events"
	"layan/internal/journey"
	"layan/internal/testkit"
)

// genJourney bulk-writes customers customers and tickets tickets over the
// 18 months before now: a signup each; a first purchase for 60 % (a second
// for a fifth of those), a cancellation after it for 15 %; tickets of random
// customers on the KPI benchmark's channel mix with 0-2 tags, four events
// each (created, first comment, a status change, solved) and a tag change on
// one in ten; a CSAT answer on one in four.
func genJourney(tb testing.TB, d *db.DB, now time.Time, customers, tickets int) {
	tb.Helper()
	ctx := context.Background()
	r := rand.New(rand.NewPCG(7, 11))
	nowMs := db.Millis(now)
	span := int64(548 * 24 * time.Hour / time.Millisecond)
	bulk := func(table string, cols []string, rows [][]any) {
		tb.Helper()
		for lo := 0; lo < len(rows); lo += 20000 {
			if err := d.BulkInsert(ctx, table, cols, rows[lo:min(lo+20000, len(rows))]); err != nil {
				tb.Fatalf("%s: %v", table, err)
			}
		}
	}
	users := [][]any{{int64(1), "Admin", "admin@bench.test", "admin", "en", nil, nowMs, nowMs}}
	orgs := [][]any{}
	for i := 1; i <= 50; i++ {
		orgs = append(orgs, []any{int64(i), "Org " + strconv.Itoa(i), nowMs, nowMs})
	}
	bulk("organizations", []string{"id", "name", "created_at", "updated_at"}, orgs)
	var cust [][]any
	for i := range customers {
		id := int64(2 + i)
		var org any
		if r.IntN(10) < 7 {
			org = int64(1 + r.IntN(50))
		}
		users = append(users, []any{id, "Customer " + strconv.Itoa(i), fmt.Sprintf("c%d@bench.test", i), "end_user", "en", org, nowMs, nowMs})
		signup := nowMs - span - r.Int64N(span)
		cust = append(cust, []any{id, "signup", "", int64(0), signup, signup})
		if r.IntN(10) < 6 {
			p := nowMs - r.Int64N(span)
			cust = append(cust, []any{id, "purchase", "", int64(1000 + r.IntN(100000)), p, p})
			if r.IntN(5) == 0 {
				p2 := p + r.Int64N(nowMs-p+1)
				cust = append(cust, []any{id, "purchase", "", int64(1000 + r.IntN(100000)), p2, p2})
			}
			if r.IntN(100) < 15 {
				x := p + r.Int64N(nowMs-p+1)
				cust = append(cust, []any{id, "cancellation", "", int64(0), x, x})
			}
		}
	}
	bulk("users", []string{"id", "name", "email", "role", "locale", "organization_id", "created_at", "updated_at"}, users)
	bulk("customer_events", []string{"customer_id", "type", "name", "value_cents", "occurred_at", "created_at"}, cust)

	channels := []string{"email", "email", "email", "web", "web", "chat", "chat", "api", "voice"}
	tagList := []string{"billing", "shipping", "refund", "login", "bug", "feature", "vip", "invoice", "delivery", "account",
		"password", "mobile", "api", "export", "import", "pricing", "cancel", "upgrade", "outage", "feedback"}
	var ts, tt, evs, srv [][]any
	for i := range tickets {
		id := int64(1 + i)
		req := int64(2 + r.IntN(customers))
		at := nowMs - r.Int64N(span)
		var tags []string
		for range r.IntN(3) {
			if tg := tagList[r.IntN(len(tagList))]; !slices.Contains(tags, tg) {
				tags = append(tags, tg)
			}
		}
		if r.IntN(200) == 0 {
			tags = append(tags, journey.ProactiveTag)
		}
		joined := strings.Join(tags, " ")
		cur := joined
		if extra := tagList[r.IntN(len(tagList))]; r.IntN(10) == 0 && !slices.Contains(tags, extra) {
			cur = strings.TrimSpace(joined + " " + extra)
			evs = append(evs, []any{id, int64(1), events.FieldChanged, "tags", joined, cur, at + 3_600_000})
		}
		solved := at + 7_200_000 + r.Int64N(86_400_000)
		ts = append(ts, []any{id, "Ticket", "solved", "normal", channels[r.IntN(len(channels))], req, req, cur, solved, at, solved})
		for _, tg := range strings.Fields(cur) {
			tt = append(tt, []any{id, tg})
		}
		evs = append(evs,
			[]any{id, req, events.TicketCreated, "status", nil, "new", at},
			[]any{id, req, events.CommentAdded, "public", nil, nil, at},
			[]any{id, int64(1), events.StatusChanged, "status", "new", "open", at + 1_800_000},
			[]any{id, int64(1), events.StatusChanged, "status", "open", "solved", solved})
		if r.IntN(4) == 0 {
			srv = append(srv, []any{"csat", id, req, "email", int64(1 + r.IntN(5)), solved, solved + 3_600_000})
		}
	}
	bulk("tickets", []string{"id", "subject", "status", "priority", "via_channel", "requester_id", "submitter_id", "tags",
		"solved_at", "created_at", "updated_at"}, ts)
	bulk("ticket_tags", []string{"ticket_id", "tag"}, tt)
	bulk("events", []string{"ticket_id", "actor_id", "type", "field", "before", "after", "created_at"}, evs)
	bulk("survey_responses", []string{"kind", "ticket_id", "customer_id", "channel", "score", "offered_at", "answered_at"}, srv)
	if d.Dialect == db.Postgres {
		for _, tb2 := range []string{"users", "tickets", "events", "customer_events", "ticket_tags", "survey_responses"} {
			if _, err := d.W.ExecContext(ctx, "ANALYZE "+tb2); err != nil {
				tb.Fatal(err)
			}
		}
	} else if _, err := d.W.ExecContext(ctx, "ANALYZE"); err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkJourneyContacts: the journey chart and the churned/retained
// comparison over 20,000 customers and 100,000 tickets (JOURNEY_BENCH_SCALE=5
// for 100,000 / 500,000), on each configured engine.
func BenchmarkJourneyContacts(b *testing.B) {
	scale := 1
	if v, err := strconv.Atoi(os.Getenv("JOURNEY_BENCH_SCALE")); err == nil && v > 0 {
		scale = v
	}
	now := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	for _, e := range testkit.Engines() {
		d := testkit.NewDB(b, e)
		genJourney(b, d, now, 20000*scale, 100000*scale)
		s := journey.NewService(d, func() time.Time { return now }, testkit.QuietLogger())
		admin := auth.SystemActor()
		ctx := context.Background()
		b.Run(string(e)+"/contacts", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ContactsByWeek(ctx, admin, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(e)+"/contacts_org", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ContactsByWeek(ctx, admin, 7); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(e)+"/churned_vs_retained", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ChurnedVsRetained(ctx, admin, 0); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(string(e)+"/churn_risk", func(b *testing.B) {
			for b.Loop() {
				if _, err := s.ChurnRisk(ctx, admin, 4); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
