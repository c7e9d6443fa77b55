package ui_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"layan/internal/auth"
	"layan/internal/kpi"
	"layan/internal/survey"
	"layan/internal/ticket"
)

// BenchmarkMeasurePages renders the dashboard (two periods, a series, a
// goal), a 90-day weekly report and a goal page over 1,000 tickets spread
// over 60 days, each created, answered and solved through the ticket
// service (so the KPI engine replays real events), half with a CSAT answer.
// The engine replays the event log on every call (package kpi), so these
// times grow with the log until its rollups land.
//
//	go test ./internal/web/ui/ -run '^$' -bench MeasurePages -benchtime 20x
func BenchmarkMeasurePages(b *testing.B) {
	e := newMeasureEnv(b)
	ctx := context.Background()
	w := e.w
	start := time.Now()
	w.Clock.Advance(-60 * 24 * time.Hour)
	groups := []int64{w.Support.ID, w.Billing.ID}
	assignees := []auth.Actor{w.Agent, w.Restricted}
	pub, solved := true, "solved"
	for i := range 1000 {
		g := i % 2
		tk, err := w.Tickets.Create(ctx, assignees[g], ticket.NewTicket{Subject: "Paket", RequesterID: w.Alice.UserID,
			GroupID: groups[g], AssigneeID: assignees[g].UserID, Via: []string{"email", "web", "chat"}[i%3],
			Comment: ticket.NewComment{Body: "Halo"}})
		if err != nil {
			b.Fatal(err)
		}
		w.Clock.Advance(20 * time.Minute)
		if _, err := w.Tickets.Update(ctx, assignees[g], tk.ID, ticket.Patch{Comment: &ticket.NewComment{Body: "Ok", Public: &pub}}); err != nil {
			b.Fatal(err)
		}
		w.Clock.Advance(40 * time.Minute)
		if _, err := w.Tickets.Update(ctx, assignees[g], tk.ID, ticket.Patch{Status: &solved}); err != nil {
			b.Fatal(err)
		}
		if i%2 == 0 {
			r, _, err := e.surveys.OfferForTicket(ctx, auth.SystemActor(), tk.ID, survey.CSAT)
			if err != nil {
				b.Fatal(err)
			}
			tok, _ := e.surveys.Token(ctx, r)
			if _, err := e.surveys.AnswerByToken(ctx, tok, 3+i%3, nil); err != nil {
				b.Fatal(err)
			}
		}
		w.Clock.Advance(86 * time.Minute) // 1,000 tickets over ~60 days
	}
	b.Logf("seeded 1,000 solved tickets in %v", time.Since(start).Round(time.Millisecond))
	g, err := e.kpi.CreateGoal(ctx, w.Admin, kpi.Goal{Name: "CSAT", KPI: "csat_percent", Target: 90,
		StartAt: w.Clock.Now().AddDate(0, 0, -56), Deadline: w.Clock.Now().AddDate(0, 1, 0), OwnerGroupID: w.Support.ID})
	if err != nil {
		b.Fatal(err)
	}
	admin := e.login(w.Admin)
	for _, page := range []struct{ name, path string }{
		{"dashboard", "/agent/dashboard"},
		{"dashboard-group", "/agent/dashboard?group_id=" + itoa(w.Support.ID)},
		{"report-90d-weekly", "/agent/reports?kpi=csat_percent&by=week&from=" + w.Clock.Now().AddDate(0, 0, -90).Format(time.DateOnly)},
		{"goal", "/agent/goals/" + itoa(g.ID)},
	} {
		b.Run(page.name, func(b *testing.B) {
			var took []time.Duration
			cpu0 := processCPU() // CPU time, which a busy shared machine does not inflate as it does wall time
			for b.Loop() {
				t := time.Now()
				rec := e.get(admin, page.path)
				took = append(took, time.Since(t))
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
			if cpu := processCPU() - cpu0; cpu > 0 {
				b.ReportMetric(float64(cpu.Microseconds())/1000/float64(len(took)), "cpu-ms/op")
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)-1].Microseconds())/1000, "max-ms")
		})
	}
}
