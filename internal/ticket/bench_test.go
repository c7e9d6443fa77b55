package ticket_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"layan/internal/db"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

// BenchmarkCreateParallel creates tickets from 16 goroutines through the
// service (no HTTP), the write path "layan bench api" drives: ticket, first
// comment, tags, full-text row and events in one transaction.
func BenchmarkCreateParallel(b *testing.B) {
	for _, e := range testkit.Engines() {
		b.Run(string(e), func(b *testing.B) {
			w := testkit.NewWorld(b, testkit.NewDB(b, e))
			ctx := context.Background()
			var n atomic.Int64
			b.SetParallelism(8) // 8 × GOMAXPROCS goroutines: 16 on 2 cores
			b.ResetTimer()
			cpu0 := testkit.ProcessCPU()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := n.Add(1)
					_, err := w.Tickets.Create(ctx, w.Agent, ticket.NewTicket{
						Subject:     fmt.Sprintf("Printer %d jams on page two", i),
						RequesterID: w.Alice.UserID, GroupID: w.Support.ID, Tags: []string{"printer", "hardware"},
						Comment: ticket.NewComment{Body: fmt.Sprintf("Order %d: the printer stops with a red light after the second page. Tried a restart.", i)},
					})
					if err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
			b.ReportMetric(float64((testkit.ProcessCPU()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
			if e == db.SQLite {
				b.ReportMetric(float64(b.N)/float64(max(1, w.DB.Commits())), "tickets/commit")
			}
		})
	}
}
