package automation_test

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"layan/internal/apperr"
	"layan/internal/auth"
	"layan/internal/automation"
	"layan/internal/db"
	"layan/internal/directory"
	"layan/internal/events"
	"layan/internal/jobs"
	"layan/internal/kpi"
	"layan/internal/testkit"
	"layan/internal/ticket"
)

func setup(t *testing.T, d *db.DB) (*testkit.World, *automation.Service, *jobs.Queue) {
	w := testkit.NewWorld(t, d)
	q := jobs.New(d, w.Clock.Now, testkit.QuietLogger())
	s := automation.NewService(d, w.Tickets, w.Dir, q, w.Clock.Now, testkit.QuietLogger())
	return w, s, q
}

func process(t *testing.T, s *automation.Service) {
	t.Helper()
	if _, err := s.Process(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func flowTriggerOnCreateRoutesAndTags(t *testing.T, w *testkit.World, s *automation.Service) {
	{
		ctx := context.Background()
		// Agents may not manage triggers.
		if _, err := s.SaveRule(ctx, w.Agent, automation.Rule{Kind: automation.KindTrigger, Title: "x", Actions: []automation.Action{{Field: "status", Value: "open"}}}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("agent saved a trigger: %v", err)
		}
		tr, err := s.SaveRule(ctx, w.Admin, automation.Rule{Kind: automation.KindTrigger, Title: "Pengiriman", Active: true,
			Conditions: automation.Conditions{All: []automation.Condition{
				{Field: "update_type", Operator: "is", Value: "Create"},
				{Field: "language", Operator: "is", Value: "id"},
				{Field: "subject_includes_word", Operator: "includes", Value: "paket"}}},
			Actions: []automation.Action{{Field: "current_tags", Value: "pengiriman"}, {Field: "group_id", Value: float64(w.Billing.ID)},
				{Field: "comment_value", Value: "Halo {{customer.name}}, tiket #{{ticket.id}} sudah kami terima."}}})
		if err != nil {
			t.Fatal(err)
		}
		if tr.ID == 0 {
			t.Fatal("no id")
		}
		id := w.NewTicket(t, w.Alice, w.Support.ID, "Paket saya belum sampai", "Pesanan saya belum sampai, tolong dicek").ID
		en := w.NewTicket(t, w.Bob, w.Support.ID, "My parcel paket has not arrived", "Please check my order").ID
		w.Clock.Advance(time.Second)
		process(t, s)
		process(t, s) // replay-safe: nothing new but our own update, which runs no triggers
		got, _ := w.Tickets.Get(ctx, w.Admin, id)
		if !slices.Contains(got.Tags, "pengiriman") || got.GroupID != w.Billing.ID {
			t.Fatalf("trigger not applied: %+v", got)
		}
		cs, _ := w.Tickets.Comments(ctx, w.Admin, id, 0, 10)
		if len(cs) != 2 || cs[1].Body != "Halo Alice, tiket #"+itoa(id)+" sudah kami terima." {
			t.Fatalf("comments %+v", cs)
		}
		other, _ := w.Tickets.Get(ctx, w.Admin, en)
		if slices.Contains(other.Tags, "pengiriman") {
			t.Fatal("English ticket matched the Indonesian trigger")
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func directoryOwner(id int64) directory.OrgPatch { return directory.OrgPatch{AccountOwnerID: &id} }

func flowSLAAndEscalationWithFakeClock(t *testing.T, w *testkit.World, s *automation.Service) {
	{
		ctx := context.Background()
		if _, err := s.SavePolicy(ctx, w.Admin, automation.Policy{Title: "Standard",
			Targets: []automation.Target{
				{Priority: "normal", Metric: automation.MetricFirstReply, Minutes: 60},
				{Priority: "normal", Metric: automation.MetricResolution, Minutes: 600},
				{Priority: "high", Metric: automation.MetricResolution, Minutes: 600}},
			EscalationActions: []automation.Action{{Field: "current_tags", Value: "sla_breached"}, {Field: "priority", Value: "high"}}}); err != nil {
			t.Fatal(err)
		}
		tk, err := w.Tickets.Create(ctx, w.Alice, ticket.NewTicket{Subject: "Help", Priority: "normal", Comment: ticket.NewComment{Body: "It broke"}})
		if err != nil {
			t.Fatal(err)
		}
		process(t, s)
		list, err := s.SLAList(ctx, w.Agent, "", 10)
		if err != nil || slaState(list, tk.ID) != automation.StateActive {
			t.Fatalf("sla list %+v %v", list, err)
		}
		w.Clock.Advance(50 * time.Minute)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.SLAList(ctx, w.Agent, automation.StateBreachSoon, 10); slaState(l, tk.ID) == "" {
			t.Fatalf("breach soon: %+v", l)
		}
		w.Clock.Advance(11 * time.Minute)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if l, _ := s.SLAList(ctx, w.Agent, automation.StateBreached, 10); slaState(l, tk.ID) == "" {
			t.Fatalf("breached: %+v", l)
		}
		got, _ := w.Tickets.Get(ctx, w.Admin, tk.ID)
		if !slices.Contains(got.Tags, "sla_breached") || got.Priority != "high" {
			t.Fatalf("not escalated: %+v", got)
		}
		// The outcomes reach the event log for the SLA attainment KPI: the breach
		// dated when the hour passed, then the resolution achieved in time.
		if _, err := w.Tickets.Update(ctx, w.Agent, tk.ID, ticket.Patch{Status: testkit.Ptr("solved"), Comment: &ticket.NewComment{Body: "Fixed"}}); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(time.Second) // the update's events are stamped a millisecond after the clock
		process(t, s)
		evs, _ := w.Tickets.Events(ctx, w.Admin, tk.ID)
		var outcomes []string
		for _, e := range evs {
			if e.Type == automation.EventSLABreached || e.Type == automation.EventSLAAchieved {
				outcomes = append(outcomes, e.Type+" "+e.Field)
				if e.Type == automation.EventSLABreached && !e.CreatedAt.Equal(got.CreatedAt.Add(time.Hour)) {
					t.Errorf("breach dated %v, want %v", e.CreatedAt, got.CreatedAt.Add(time.Hour))
				}
			}
		}
		if want := []string{"sla.breached first_reply_time", "sla.achieved full_resolution_time"}; !slices.Equal(outcomes, want) {
			t.Fatalf("sla outcome events %v, want %v", outcomes, want)
		}
		day := got.CreatedAt.UTC().Truncate(24 * time.Hour)
		r, err := kpi.NewService(w.DB, w.Clock.Now, testkit.QuietLogger()).Compute(ctx, w.Admin, kpi.Query{From: day, To: day.AddDate(0, 0, 2),
			Filter: kpi.Filter{Channel: got.Via}}) // this scenario's only ticket from the web
		if err != nil || r.SLAMet != 1 || r.SLAMissed != 1 {
			t.Fatalf("sla attainment from the engine's events: %+v %v", r, err)
		}
		// A customer cannot read SLA state.
		if _, err := s.SLAFor(ctx, w.Alice, tk.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("customer read sla: %v", err)
		}
	}
}

func flowAutomationsWithFakeClock(t *testing.T, w *testkit.World, s *automation.Service) {
	{
		ctx := context.Background()
		for _, r := range []automation.Rule{
			{Kind: automation.KindAutomation, Title: "Remind pending", Active: true,
				Conditions: automation.Conditions{All: []automation.Condition{{Field: "status", Operator: "is", Value: "pending"}, {Field: "hours_since_status", Operator: "greater_than", Value: float64(72)}}},
				Actions:    []automation.Action{{Field: "comment_value", Value: "Hi {{customer.name}}, do you still need help?"}}},
			{Kind: automation.KindAutomation, Title: "Close solved", Active: true,
				Conditions: automation.Conditions{All: []automation.Condition{{Field: "status", Operator: "is", Value: "solved"}, {Field: "hours_since_status", Operator: "greater_than", Value: float64(96)}}},
				Actions:    []automation.Action{{Field: "status", Value: "closed"}}},
		} {
			if _, err := s.SaveRule(ctx, w.Admin, r); err != nil {
				t.Fatal(err)
			}
		}
		pending := w.NewTicket(t, w.Alice, w.Support.ID, "Waiting", "hello")
		solved := w.NewTicket(t, w.Bob, w.Support.ID, "Done", "hello")
		w.Clock.Advance(time.Minute)
		if _, err := w.Tickets.Update(ctx, w.Agent, pending.ID, ticket.Patch{Status: testkit.Ptr("pending")}); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Tickets.Update(ctx, w.Agent, solved.ID, ticket.Patch{Status: testkit.Ptr("solved")}); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(71 * time.Hour)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if cs, _ := w.Tickets.Comments(ctx, w.Admin, pending.ID, 0, 10); len(cs) != 1 {
			t.Fatalf("reminded too early: %d comments", len(cs))
		}
		w.Clock.Advance(2 * time.Hour) // 73 h
		for range 3 {                  // the ticker runs again and again: one reminder
			if err := s.Tick(ctx); err != nil {
				t.Fatal(err)
			}
			w.Clock.Advance(time.Minute)
		}
		if cs, _ := w.Tickets.Comments(ctx, w.Admin, pending.ID, 0, 10); len(cs) != 2 || cs[1].Body != "Hi Alice, do you still need help?" {
			t.Fatalf("reminder: %+v", cs)
		}
		if got, _ := w.Tickets.Get(ctx, w.Admin, solved.ID); got.Status != "solved" {
			t.Fatalf("closed too early: %s", got.Status)
		}
		w.Clock.Advance(24 * time.Hour) // 97 h
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		if got, _ := w.Tickets.Get(ctx, w.Admin, solved.ID); got.Status != "closed" {
			t.Fatalf("not closed: %s", got.Status)
		}
	}
}

func flowMacroApplyPermissions(t *testing.T, w *testkit.World, s *automation.Service) {
	{
		ctx := context.Background()
		m, err := s.SaveMacro(ctx, w.Admin, automation.Macro{Title: "Refund", Active: true,
			Actions: []automation.Action{{Field: "status", Value: "pending"}},
			Replies: map[string]string{"en": "Hello {{customer.first_name}}, from {{current_user.name}}", "id": "Halo {{customer.first_name}}"}})
		if err != nil {
			t.Fatal(err)
		}
		tk := w.NewTicket(t, w.Alice, w.Support.ID, "Refund please", "money back")
		if _, err := s.ApplyMacro(ctx, w.Light, m.ID, tk.ID); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("light agent applied: %v", err)
		}
		if _, err := s.Macros(ctx, w.Alice); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("customer listed macros: %v", err)
		}
		got, err := s.ApplyMacro(ctx, w.Agent, m.ID, tk.ID)
		if err != nil || got.Status != "pending" {
			t.Fatalf("apply: %+v %v", got, err)
		}
		cs, _ := w.Tickets.Comments(ctx, w.Admin, tk.ID, 0, 10)
		if len(cs) != 2 || cs[1].Body != "Hello Alice, from Agent" {
			t.Fatalf("reply %+v", cs)
		}
	}
}

func flowRoutingAndOutOfOffice(t *testing.T, w *testkit.World, s *automation.Service) {
	{
		ctx := context.Background()
		if _, err := s.SaveRouting(ctx, w.Admin, automation.RoutingConfig{Enabled: true, Mode: "least_loaded", ReassignAbsent: true}); err != nil {
			t.Fatal(err)
		}
		for _, a := range []auth.Actor{w.Admin, w.Agent} {
			if _, err := s.SetAvailability(ctx, a, automation.Availability{UserID: a.UserID, Status: "online", Capacity: 5, Languages: []string{"en", "id"}}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.SetAvailability(ctx, w.Agent, automation.Availability{UserID: w.Admin.UserID, Status: "away"}); !errors.Is(err, apperr.ErrForbidden) {
			t.Fatalf("agent set another's availability: %v", err)
		}
		// The organisation's account owner gets Acme's tickets first.
		if _, err := w.Dir.UpdateOrganization(ctx, auth.SystemActor(), w.Acme.ID, directoryOwner(w.Agent.UserID)); err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for i := range 3 {
			tk, err := w.Tickets.Create(ctx, w.Alice, ticket.NewTicket{Subject: "order " + string(rune('a'+i)), GroupID: w.Support.ID, Comment: ticket.NewComment{Body: "please help with my order"}})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, tk.ID)
			w.Clock.Advance(time.Second)
			process(t, s)
		}
		for _, id := range ids {
			got, _ := w.Tickets.Get(ctx, w.Admin, id)
			if got.AssigneeID != w.Agent.UserID {
				t.Fatalf("ticket %d assigned to %d, want account owner %d", id, got.AssigneeID, w.Agent.UserID)
			}
		}
		// Bob has no organisation: least loaded picks the admin (0 open vs 3).
		tk, _ := w.Tickets.Create(ctx, w.Bob, ticket.NewTicket{Subject: "hello", GroupID: w.Support.ID, Comment: ticket.NewComment{Body: "my order is late"}})
		w.Clock.Advance(time.Second)
		process(t, s)
		if got, _ := w.Tickets.Get(ctx, w.Admin, tk.ID); got.AssigneeID != w.Admin.UserID {
			t.Fatalf("least loaded: assigned %d", got.AssigneeID)
		}
		// The agent goes on holiday: their open tickets move, each as an event.
		if _, err := s.SetAvailability(ctx, w.Agent, automation.Availability{UserID: w.Agent.UserID, Status: "online", Capacity: 5,
			OOOFrom: w.Clock.Now(), OOOUntil: w.Clock.Now().Add(7 * 24 * time.Hour)}); err != nil {
			t.Fatal(err)
		}
		w.Clock.Advance(time.Minute)
		if err := s.Tick(ctx); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			got, _ := w.Tickets.Get(ctx, w.Admin, id)
			if got.AssigneeID != w.Admin.UserID {
				t.Fatalf("ticket %d still with %d", id, got.AssigneeID)
			}
			evs, _ := w.Tickets.Events(ctx, w.Admin, id)
			if !slices.ContainsFunc(evs, func(e events.Event) bool { return e.Type == events.Reassigned }) {
				t.Fatalf("no reassignment event on %d", id)
			}
		}
	}
}

// TestFlowService runs the scenarios in order on one workspace per engine
// (seeding a workspace is the expensive part of these tests).
func TestFlowService(t *testing.T) {
	testkit.EachDB(t, func(t *testing.T, d *db.DB) {
		w, s, _ := setup(t, d)
		for _, tc := range []struct {
			name string
			fn   func(*testing.T, *testkit.World, *automation.Service)
		}{
			{"TriggerOnCreateRoutesAndTags", flowTriggerOnCreateRoutesAndTags},
			{"MacroApplyPermissions", flowMacroApplyPermissions},
			{"SLAAndEscalationWithFakeClock", flowSLAAndEscalationWithFakeClock},
			{"AutomationsWithFakeClock", flowAutomationsWithFakeClock},
			{"RoutingAndOutOfOffice", flowRoutingAndOutOfOffice},
			{"RunLoopLeaderAndWake", flowRunLoopLeaderAndWake},
			{"RestartResumes", flowRestartResumes},
		} {
			if !t.Run(tc.name, func(t *testing.T) { tc.fn(t, w, s) }) {
				return
			}
			w.Clock.Advance(time.Hour)
		}
	})
}

func slaState(l []automation.TicketSLA, id int64) string {
	for _, x := range l {
		if x.TicketID == id {
			return x.State
		}
	}
	return ""
}

func flowRunLoopLeaderAndWake(t *testing.T, w *testkit.World, s *automation.Service) {
	{
		other := automation.NewService(w.DB, w.Tickets, w.Dir, nil, w.Clock.Now, testkit.QuietLogger())
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{}, 2)
		go func() { s.Run(ctx, w.Bus, 20*time.Millisecond, time.Hour); done <- struct{}{} }()
		time.Sleep(50 * time.Millisecond)
		go func() { other.Run(ctx, w.Bus, 20*time.Millisecond, time.Hour); done <- struct{}{} }()
		if _, err := s.SaveRule(context.Background(), w.Admin, automation.Rule{Kind: automation.KindTrigger, Title: "tag", Active: true,
			Conditions: automation.Conditions{All: []automation.Condition{{Field: "update_type", Operator: "is", Value: "Create"}}},
			Actions:    []automation.Action{{Field: "current_tags", Value: "seen"}}}); err != nil {
			t.Fatal(err)
		}
		tk := w.NewTicket(t, w.Bob, w.Support.ID, "hello", "hi")
		deadline := time.Now().Add(5 * time.Second)
		for {
			got, _ := w.Tickets.Get(context.Background(), w.Admin, tk.ID)
			if slices.Contains(got.Tags, "seen") {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the running loop did not apply the trigger")
			}
			time.Sleep(20 * time.Millisecond)
		}
		cancel()
		<-done
		<-done
		// One leader: the trigger ran once (one system update, one tags event).
		evs, _ := w.Tickets.Events(context.Background(), w.Admin, tk.ID)
		n := 0
		for _, e := range evs {
			if e.Field == "tags" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("tags changed %d times", n)
		}
	}
}

// flowRestartResumes: a new service on the same database (a restart after a
// crash) resumes from the stored cursor: nothing is applied twice, nothing missed.
func flowRestartResumes(t *testing.T, w *testkit.World, s *automation.Service) {
	ctx := context.Background()
	before := w.NewTicket(t, w.Bob, w.Support.ID, "before restart", "hi")
	w.Clock.Advance(time.Second)
	process(t, s)
	after := w.NewTicket(t, w.Bob, w.Support.ID, "after restart", "hi")
	w.Clock.Advance(time.Second)
	restarted := automation.NewService(w.DB, w.Tickets, w.Dir, nil, w.Clock.Now, testkit.QuietLogger())
	process(t, restarted)
	process(t, restarted)
	for _, id := range []int64{before.ID, after.ID} {
		evs, _ := w.Tickets.Events(ctx, w.Admin, id)
		n := 0
		for _, e := range evs {
			if e.Field == "tags" {
				n++
			}
		}
		if n != 1 {
			t.Fatalf("ticket %d: tags changed %d times, want once", id, n)
		}
	}
}
