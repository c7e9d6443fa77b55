package kpi_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"layan/internal/kpi"
	"layan/internal/testkit"
)

// A report sets each bucket beside the same bucket one period earlier
// (months: as many months earlier) and its total beside the previous period
// of the same length. The fixture's tickets: Nov 2 (two), Nov 3, Nov 9.
func TestReportPreviousPeriod(t *testing.T) {
	t.Parallel()
	eachHistory(t, func(t *testing.T, w *testkit.World, s *kpi.Service) {
		ctx := context.Background()
		day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
		created := func(rs []kpi.Result) []int {
			out := make([]int, len(rs))
			for i, r := range rs {
				out[i] = r.Created
			}
			return out
		}
		cases := []struct {
			by                 string
			from, to, prevFrom time.Time
			series, prev       []int
			total, prevTotal   int
		}{
			{"day", day(11, 9), day(11, 12), day(11, 6), []int{1, 0, 0}, []int{0, 0, 0}, 1, 0},
			{"day", day(11, 3), day(11, 5), day(11, 1), []int{1, 0}, []int{0, 2}, 1, 2},
			{"week", day(11, 9), day(11, 16), day(11, 2), []int{1}, []int{3}, 1, 3},
			// Mid-month: the buckets are whole months (Nov, Dec), set beside Sep
			// and Oct; the total's previous period is the 25 days before Nov 15.
			{"month", day(11, 15), day(12, 10), day(9, 1), []int{4, 0}, []int{0, 0}, 0, 4},
		}
		for _, c := range cases {
			rep, err := s.Report(ctx, w.Admin, kpi.Query{From: c.from, To: c.to}, c.by)
			if err != nil {
				t.Fatal(err)
			}
			got, prev := created(rep.Series), created(rep.PreviousSeries)
			if !slices.Equal(got, c.series) || !slices.Equal(prev, c.prev) || rep.Total.Created != c.total || rep.PreviousTotal.Created != c.prevTotal {
				t.Errorf("%s %s–%s: created %v beside %v, totals %d beside %d; want %v beside %v, %d beside %d", c.by,
					c.from.Format(time.DateOnly), c.to.Format(time.DateOnly), got, prev, rep.Total.Created, rep.PreviousTotal.Created,
					c.series, c.prev, c.total, c.prevTotal)
			}
			if len(rep.PreviousSeries) > 0 && !rep.PreviousSeries[0].From.Equal(c.prevFrom) {
				t.Errorf("%s: the previous buckets start %s, want %s", c.by, rep.PreviousSeries[0].From, c.prevFrom)
			}
		}
		if _, err := s.Report(ctx, w.Admin, kpi.Query{From: day(11, 9), To: day(11, 2)}, "day"); err == nil {
			t.Error("a report ending before it starts was accepted")
		}
		if _, err := s.Report(ctx, w.Admin, kpi.Query{From: day(11, 2), To: day(11, 9)}, "year"); err == nil {
			t.Error("a report by year was accepted")
		}
	})
}
