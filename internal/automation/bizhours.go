// Package automation is the flow of work: business hours and holidays, SLA
// policies and their clocks, triggers, time-based automations and macros.
// It has no net/http; it reads ticket events and changes tickets through the
// ticket service.
package automation

import (
	"fmt"
	"sort"
	"time"

	"layan/internal/apperr"
)

// Interval is a span of working time within a day, in minutes from local
// midnight: Start inclusive, End exclusive, 0 <= Start < End <= 1440.
type Interval struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// Schedule is a group's business hours: a time zone, working intervals per
// weekday, and holidays (local dates, "2006-01-02") on which nobody works.
// The nil *Schedule means calendar hours (always working).
type Schedule struct {
	ID       int64
	Name     string
	Location *time.Location
	Week     [7][]Interval // indexed by time.Weekday
	Holidays map[string]bool
}

// maxScanDays bounds the day-by-day search so a schedule without any working
// time cannot loop forever.
const maxScanDays = 3 * 366

// Validate checks the intervals and sorts them.
func (s *Schedule) Validate() error {
	if s.Location == nil {
		return apperr.Invalid("time_zone", "required", "a time zone is required")
	}
	any := false
	for d := range s.Week {
		iv := s.Week[d]
		sort.Slice(iv, func(i, j int) bool { return iv[i].Start < iv[j].Start })
		for i, x := range iv {
			if x.Start < 0 || x.End > 1440 || x.Start >= x.End {
				return apperr.Invalid("intervals", "invalid", fmt.Sprintf("%s: bad interval %d-%d", time.Weekday(d), x.Start, x.End))
			}
			if i > 0 && iv[i-1].End > x.Start {
				return apperr.Invalid("intervals", "invalid", fmt.Sprintf("%s: overlapping intervals", time.Weekday(d)))
			}
			any = true
		}
	}
	if !any {
		return apperr.Invalid("intervals", "required", "at least one working interval is required")
	}
	return nil
}

// IsHoliday reports whether the local date of t is a holiday.
func (s *Schedule) IsHoliday(t time.Time) bool {
	if s == nil || len(s.Holidays) == 0 {
		return false
	}
	return s.Holidays[t.In(s.Location).Format(time.DateOnly)]
}

// spans calls f with the absolute working spans of the local day that
// contains t, in order; f returns false to stop.
func (s *Schedule) daySpans(day time.Time, f func(a, b time.Time) bool) bool {
	y, m, d := day.Date()
	if s.Holidays[day.Format(time.DateOnly)] {
		return true
	}
	for _, iv := range s.Week[day.Weekday()] {
		// time.Date normalises minutes past 59 and handles DST gaps.
		a := time.Date(y, m, d, 0, iv.Start, 0, 0, s.Location)
		b := time.Date(y, m, d, 0, iv.End, 0, 0, s.Location)
		if !f(a, b) {
			return false
		}
	}
	return true
}

func (s *Schedule) localDay(t time.Time) time.Time {
	l := t.In(s.Location)
	y, m, d := l.Date()
	return time.Date(y, m, d, 12, 0, 0, 0, s.Location) // noon: safe from DST edges
}

// Open reports whether t is within working time.
func (s *Schedule) Open(t time.Time) bool {
	if s == nil {
		return true
	}
	open := false
	s.daySpans(s.localDay(t), func(a, b time.Time) bool {
		if !t.Before(a) && t.Before(b) {
			open = true
			return false
		}
		return true
	})
	return open
}

// Add returns the instant at which d of working time has passed after t.
// With no working time in the next three years it returns the zero time.
func (s *Schedule) Add(t time.Time, d time.Duration) time.Time {
	if s == nil {
		return t.Add(d)
	}
	if d <= 0 {
		return t
	}
	left := d
	var out time.Time
	day := s.localDay(t)
	for i := 0; i < maxScanDays && out.IsZero(); i++ {
		s.daySpans(day, func(a, b time.Time) bool {
			if !b.After(t) {
				return true
			}
			if a.Before(t) {
				a = t
			}
			span := b.Sub(a)
			if left <= span {
				out = a.Add(left)
				return false
			}
			left -= span
			return true
		})
		day = day.AddDate(0, 0, 1)
	}
	return out
}

// Elapsed is the working time between from and to (0 if to is not after from).
func (s *Schedule) Elapsed(from, to time.Time) time.Duration {
	if !to.After(from) {
		return 0
	}
	if s == nil {
		return to.Sub(from)
	}
	var sum time.Duration
	day := s.localDay(from)
	last := s.localDay(to)
	for i := 0; i < maxScanDays && !day.After(last); i++ {
		s.daySpans(day, func(a, b time.Time) bool {
			if a.Before(from) {
				a = from
			}
			if b.After(to) {
				b = to
			}
			if b.After(a) {
				sum += b.Sub(a)
			}
			return true
		})
		day = day.AddDate(0, 0, 1)
	}
	return sum
}

// WeekdayHours is a helper: the same intervals Monday to Friday.
func WeekdayHours(loc *time.Location, iv ...Interval) *Schedule {
	s := &Schedule{Location: loc, Holidays: map[string]bool{}}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Week[d] = append([]Interval(nil), iv...)
	}
	return s
}

// HM is minutes from midnight for h:m.
func HM(h, m int) int { return h*60 + m }
