package automation

import (
	"testing"
	"time"
)

func mustLoc(t *testing.T, name string) *time.Location {
	t.Helper()
	l, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func jakartaHours(t *testing.T) *Schedule {
	s := WeekdayHours(mustLoc(t, "Asia/Jakarta"), Interval{HM(9, 0), HM(12, 0)}, Interval{HM(13, 0), HM(17, 0)})
	s.Holidays["2026-12-25"] = true
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	return s
}

func TestScheduleAddElapsed(t *testing.T) {
	jkt := mustLoc(t, "Asia/Jakarta")
	s := jakartaHours(t)
	at := func(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, jkt) }
	tests := []struct {
		name string
		from time.Time
		add  time.Duration
		want time.Time
	}{
		{"inside morning", at(2026, 12, 21, 9, 0), 2 * time.Hour, at(2026, 12, 21, 11, 0)},
		{"over lunch", at(2026, 12, 21, 11, 0), 2 * time.Hour, at(2026, 12, 21, 14, 0)},
		{"before opening", at(2026, 12, 21, 6, 0), time.Hour, at(2026, 12, 21, 10, 0)},
		{"after closing rolls to next day", at(2026, 12, 21, 16, 30), time.Hour, at(2026, 12, 22, 9, 30)},
		{"friday evening to monday", at(2026, 12, 18, 16, 0), 2 * time.Hour, at(2026, 12, 21, 10, 0)},
		{"skips christmas holiday", at(2026, 12, 24, 16, 0), 2 * time.Hour, at(2026, 12, 28, 10, 0)},
		{"weekend start", at(2026, 12, 19, 10, 0), 30 * time.Minute, at(2026, 12, 21, 9, 30)},
		{"exactly at end of interval", at(2026, 12, 21, 9, 0), 3 * time.Hour, at(2026, 12, 21, 12, 0)},
		{"full day of 7h", at(2026, 12, 21, 9, 0), 14 * time.Hour, at(2026, 12, 22, 17, 0)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := s.Add(tc.from, tc.add)
			if !got.Equal(tc.want) {
				t.Fatalf("Add = %v, want %v", got.In(jkt), tc.want)
			}
			if e := s.Elapsed(tc.from, got); e != tc.add {
				t.Fatalf("Elapsed = %v, want %v", e, tc.add)
			}
		})
	}
	// The same instant seen from UTC: time zones do not change the answer.
	from := at(2026, 12, 21, 16, 30).UTC()
	if got := s.Add(from, time.Hour); !got.Equal(at(2026, 12, 22, 9, 30)) {
		t.Fatalf("UTC input: %v", got)
	}
	if s.Open(at(2026, 12, 25, 10, 0)) || !s.Open(at(2026, 12, 24, 10, 0)) || s.Open(at(2026, 12, 24, 12, 30)) {
		t.Fatal("Open wrong on holiday/lunch")
	}
	// Calendar hours: nil schedule.
	var cal *Schedule
	if got := cal.Add(from, time.Hour); !got.Equal(from.Add(time.Hour)) {
		t.Fatal("nil schedule should be calendar hours")
	}
}

func TestScheduleDST(t *testing.T) {
	ny := mustLoc(t, "America/New_York")
	s := WeekdayHours(ny, Interval{HM(9, 0), HM(17, 0)})
	// Friday 16:00 before the 2026-03-08 spring-forward; 2h of work ends Monday 10:00 local.
	from := time.Date(2026, 3, 6, 16, 0, 0, 0, ny)
	got := s.Add(from, 2*time.Hour)
	if want := time.Date(2026, 3, 9, 10, 0, 0, 0, ny); !got.Equal(want) {
		t.Fatalf("across DST: %v want %v", got, want)
	}
	// Tehran (UTC+3:30) and Jakarta (UTC+7) see the same UTC instant differently.
	teh := WeekdayHours(mustLoc(t, "Asia/Tehran"), Interval{HM(8, 0), HM(16, 0)})
	teh.Week[time.Friday] = nil
	teh.Week[time.Saturday] = []Interval{{HM(8, 0), HM(16, 0)}}
	teh.Week[time.Sunday] = []Interval{{HM(8, 0), HM(16, 0)}}
	utc := time.Date(2026, 12, 18, 6, 0, 0, 0, time.UTC) // Friday 09:30 Tehran: closed
	if teh.Open(utc) {
		t.Fatal("Tehran works on Friday?")
	}
	if got, want := teh.Add(utc, time.Hour), time.Date(2026, 12, 19, 9, 0, 0, 0, teh.Location); !got.Equal(want) {
		t.Fatalf("Tehran: %v want %v", got, want)
	}
	bad := &Schedule{Location: ny}
	if bad.Validate() == nil {
		t.Fatal("empty schedule validated")
	}
	if !bad.Add(from, time.Hour).IsZero() {
		t.Fatal("no working time should give zero")
	}
}

func policy() Policy {
	return Policy{ID: 1, Title: "Standard", Targets: []Target{
		{Priority: "normal", Metric: MetricFirstReply, Minutes: 120, BusinessHours: true},
		{Priority: "normal", Metric: MetricNextReply, Minutes: 240, BusinessHours: true},
		{Priority: "normal", Metric: MetricResolution, Minutes: 7 * 60 * 3, BusinessHours: true},
		{Priority: "urgent", Metric: MetricFirstReply, Minutes: 60},
	}}
}

func clockOf(cs []Clock, metric string) Clock {
	for _, c := range cs {
		if c.Metric == metric {
			return c
		}
	}
	return Clock{}
}

func TestSLAClocks(t *testing.T) {
	jkt := mustLoc(t, "Asia/Jakarta")
	s := jakartaHours(t)
	at := func(d, h, min int) time.Time { return time.Date(2026, 12, d, h, min, 0, 0, jkt) }
	p := policy()
	created := Moment{At: at(21, 16, 0), Kind: KindCreated, Status: "new"}

	type check struct {
		metric string
		state  string
		due    time.Time
	}
	tests := []struct {
		name     string
		priority string
		tl       []Moment
		now      time.Time
		want     []check
	}{
		{"fresh ticket after hours counts only business time", "normal", []Moment{created}, at(21, 16, 30),
			[]check{{MetricFirstReply, StateActive, at(22, 10, 0)}, {MetricNextReply, "", time.Time{}}}},
		{"breach soon within a quarter of the target", "normal", []Moment{created}, at(22, 9, 40),
			[]check{{MetricFirstReply, StateBreachSoon, at(22, 10, 0)}}},
		{"breached after the due time", "normal", []Moment{created}, at(22, 10, 1),
			[]check{{MetricFirstReply, StateBreached, at(22, 10, 0)}}},
		{"night does not count", "normal", []Moment{created}, at(22, 8, 59),
			[]check{{MetricFirstReply, StateActive, at(22, 10, 0)}}},
		{"achieved by a reply", "normal", []Moment{created, {At: at(22, 9, 15), Kind: KindAgentReply}}, at(23, 9, 0),
			[]check{{MetricFirstReply, StateAchieved, time.Time{}}, {MetricNextReply, "", time.Time{}}}},
		{"next reply starts on the customer's answer", "normal", []Moment{created,
			{At: at(22, 9, 15), Kind: KindAgentReply}, {At: at(22, 9, 30), Kind: KindStatus, Status: "pending"},
			{At: at(22, 16, 0), Kind: KindCustomerReply}, {At: at(22, 16, 0), Kind: KindStatus, Status: "open"}}, at(22, 16, 30),
			[]check{{MetricNextReply, StateActive, at(23, 12, 0)}}},
		{"pending pauses resolution", "normal", []Moment{created,
			{At: at(22, 9, 15), Kind: KindAgentReply}, {At: at(22, 9, 15), Kind: KindStatus, Status: "pending"}}, at(29, 9, 0),
			[]check{{MetricResolution, StatePaused, time.Time{}}}},
		{"resolution resumes after pending, holiday skipped", "normal", []Moment{created,
			{At: at(22, 9, 0), Kind: KindStatus, Status: "pending"}, {At: at(24, 9, 0), Kind: KindStatus, Status: "open"}}, at(24, 9, 0),
			// used 1h on the 21st; 20h left: 24th 7h (holiday 25th), 28th 7h, 29th 6h → 29th 16:00
			[]check{{MetricResolution, StateActive, at(29, 16, 0)}}},
		{"solved stops resolution", "normal", []Moment{created,
			{At: at(22, 9, 0), Kind: KindStatus, Status: "solved"}}, at(31, 9, 0),
			[]check{{MetricResolution, StateAchieved, time.Time{}}}},
		{"reopened resolution continues from its elapsed time", "normal", []Moment{created,
			{At: at(22, 9, 0), Kind: KindStatus, Status: "solved"}, {At: at(28, 9, 0), Kind: KindStatus, Status: "open"}}, at(28, 9, 0),
			[]check{{MetricResolution, StateActive, at(30, 16, 0)}}},
		{"urgent calendar hours ignore the schedule", "urgent", []Moment{{At: at(19, 23, 0), Kind: KindCreated}}, at(19, 23, 30),
			[]check{{MetricFirstReply, StateActive, at(20, 0, 0)}}},
		{"hold pauses the first reply too when configured", "normal", []Moment{created,
			{At: at(21, 16, 30), Kind: KindStatus, Status: "hold"}}, at(23, 16, 0),
			[]check{{MetricFirstReply, StatePaused, time.Time{}}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cs := p.Compute(tc.priority, tc.tl, s, tc.now)
			for _, w := range tc.want {
				c := clockOf(cs, w.metric)
				if c.State != w.state {
					t.Fatalf("%s state = %q, want %q (%+v)", w.metric, c.State, w.state, c)
				}
				if !c.DueAt.Equal(w.due) {
					t.Fatalf("%s due = %v, want %v", w.metric, c.DueAt.In(jkt), w.due)
				}
			}
		})
	}
}

func TestSelectPolicy(t *testing.T) {
	vip := Policy{ID: 2, Position: 1, Filter: PolicyFilter{Tags: []string{"vip"}}}
	acme := Policy{ID: 3, Position: 2, Filter: PolicyFilter{OrganizationIDs: []int64{7}, Priorities: []string{"high", "urgent"}}}
	all := Policy{ID: 4, Position: 3}
	ps := []Policy{all, acme, vip}
	for _, tc := range []struct {
		s    Subject
		want int64
	}{
		{Subject{Priority: "low", Tags: []string{"vip"}}, 2},
		{Subject{Priority: "high", OrganizationID: 7}, 3},
		{Subject{Priority: "low", OrganizationID: 7}, 4},
	} {
		if p, _ := SelectPolicy(ps, tc.s); p.ID != tc.want {
			t.Errorf("%+v: got policy %d want %d", tc.s, p.ID, tc.want)
		}
	}
	if _, ok := SelectPolicy([]Policy{vip}, Subject{}); ok {
		t.Error("no policy should match")
	}
}
